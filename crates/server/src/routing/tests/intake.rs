//! Chats coming in from widgets.

use super::*;

#[test]
fn only_a_widget_with_proactive_chat_on_takes_accepted_invitations() {
    let mut router = router(&["ann"]);
    let mut fx = Effects::default();
    let invited = ChatRequest {
        widget: "site",
        customer: Customer {
            name: "Zoë".into(),
            email: None,
            phone: None,
        },
        first_message: "Hello",
        context: Vec::new(),
        contact: None,
        customer_id: None,
        proactive: true,
    };
    let refused = router
        .start_chat(id("c1"), "token", "hash".into(), invited, 1, &mut fx)
        .unwrap_err();
    assert_eq!(refused.code, ErrorCode::InvalidInput);
    assert!(
        fx.emits.is_empty() && fx.created.is_empty(),
        "nothing changed"
    );
}
