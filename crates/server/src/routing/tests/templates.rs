//! Parameters in an agent's message, filled from the conversation as it is sent.

use super::*;

fn sent(fx: &Effects) -> Vec<String> {
    customer_events(fx)
        .into_iter()
        .filter_map(|event| match event {
            CustomerEvent::Message { message } => Some(message.text),
            _ => None,
        })
        .collect()
}

#[test]
fn parameters_are_filled_from_the_conversation_and_an_unfillable_one_is_refused() {
    let mut router = router(&["ann"]);
    start(&mut router, "c1", 10);
    accepted(&mut router, "ann", "c1", 11);
    let ann = AgentId::from("ann");

    let mut fx = Effects::default();
    router
        .agent_message(
            &ann,
            &id("c1"),
            "Hello <customer.first_name>, <agent.name> from <queue.name> here.",
            12,
            &mut fx,
        )
        .unwrap();
    assert_eq!(sent(&fx), ["Hello Zoë, ANN from General here."]);

    let mut fx = Effects::default();
    let no_phone = router.agent_message(&ann, &id("c1"), "Call <customer.phone>?", 13, &mut fx);
    let refused = no_phone.unwrap_err();
    assert_eq!(refused.code, ErrorCode::InvalidInput);
    assert!(
        refused.message.contains("<customer.phone>"),
        "{}",
        refused.message
    );
    let unknown = router.agent_message(&ann, &id("c1"), "<b>Hi</b>", 13, &mut fx);
    assert_eq!(unknown.unwrap_err().code, ErrorCode::ReservedCharacters);
    assert!(fx.emits.is_empty(), "a refused message changes nothing");
}
