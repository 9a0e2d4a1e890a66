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
        client: None,
        language: None,
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

fn start_chat(name: &str, email: Option<&str>, signed_in: Option<SignedInCustomer>) -> StartChat {
    StartChat {
        widget: "site".into(),
        name: name.into(),
        email: email.map(str::to_owned),
        message: "Hello".into(),
        context: Vec::new(),
        signed_in,
        proactive: false,
        client: None,
        language: None,
    }
}

const START_ID: &str = "a-start-id-of-22-chars";

#[test]
fn a_start_is_matched_by_the_signed_in_id_or_else_the_e_mail_given() {
    let router = router(&["ann"]);
    let zoe = SignedInCustomer {
        id: "customer-1".into(),
        name: Some("Zoë Nováková".into()),
        email: Some("zoe@example.com".into()),
    };
    let signed = start_chat("", None, Some(zoe));
    assert_eq!(
        router.intake(START_ID, &signed),
        Ok(Intake::New {
            contact: Some(ContactKey::ExternalId("customer-1".into()))
        })
    );
    // The widget gave no name or e-mail: the signed ones stand in.
    let request = signed.request(None);
    assert_eq!(request.customer.name, "Zoë Nováková");
    assert_eq!(request.customer.email.as_deref(), Some("zoe@example.com"));
    assert_eq!(request.customer_id.as_deref(), Some("customer-1"));

    let anonymous = start_chat("Mo", Some("mo@example.com"), None);
    assert_eq!(
        router.intake(START_ID, &anonymous),
        Ok(Intake::New {
            contact: Some(ContactKey::Email("mo@example.com".into()))
        })
    );
    assert_eq!(anonymous.request(None).customer.name, "Mo");
    let nobody = start_chat("Mo", None, None);
    assert_eq!(
        router.intake(START_ID, &nobody),
        Ok(Intake::New { contact: None })
    );
}

#[test]
fn a_start_id_too_short_to_recognise_a_retry_by_is_refused() {
    let router = router(&["ann"]);
    let refused = router
        .intake("c-1", &start_chat("Mo", None, None))
        .unwrap_err();
    assert_eq!(refused.code, ErrorCode::InvalidInput);
    assert!(refused.message.contains("22 characters"), "{refused}");
}
