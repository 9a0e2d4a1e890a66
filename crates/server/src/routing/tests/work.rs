//! Accepting, chatting, ending.

use super::*;

#[test]
fn accept_chat_end_with_wrap_up() {
    let mut router = router(&["ann"]);
    start(&mut router, "c1", 0);
    let mut fx = Effects::default();
    router
        .accept(&"ann".into(), &id("c1"), 5_000, &mut fx)
        .unwrap();
    let Some(AgentEvent::Snapshot { conversation }) = agent_events(&fx, "ann").pop() else {
        panic!()
    };
    assert_eq!(conversation.accepted_at, Some(5_000));
    assert_eq!(conversation.history[0].text, "Hello");
    assert!(customer_events(&fx).contains(&CustomerEvent::AgentJoined { name: "ANN".into() }));

    let mut fx = Effects::default();
    router
        .agent_message(&"ann".into(), &id("c1"), "How can I help?", 6_000, &mut fx)
        .unwrap();
    router
        .customer_message(&id("c1"), "My order", 7_000, &mut fx)
        .unwrap();
    assert_eq!(fx.messages.iter().map(|m| m.id).collect::<Vec<_>>(), [2, 3]);
    assert_eq!(agent_events(&fx, "ann").len(), 2);
    assert_eq!(customer_events(&fx).len(), 2);

    let mut fx = Effects::default();
    let unknown = router
        .end(&"ann".into(), &id("c1"), "Bored", 8_000, &mut fx)
        .unwrap_err();
    assert_eq!(unknown.code, ErrorCode::UnknownReason);
    router
        .end(&"ann".into(), &id("c1"), "Resolved", 8_000, &mut fx)
        .unwrap();
    assert!(agent_events(&fx, "ann").contains(&AgentEvent::Closed {
        conversation: id("c1")
    }));
    assert!(customer_events(&fx).contains(&CustomerEvent::Ended { by: EndedBy::Agent }));
    let record = &fx.changed[&id("c1")];
    assert!(
        matches!(&record.status, Status::Closed { wrap_up: Some(reason), .. } if reason == "Resolved")
    );
}

#[test]
fn composer_limits_are_enforced_and_nothing_is_stored() {
    let mut router = router(&["ann"]);
    start(&mut router, "c1", 0);
    let mut fx = Effects::default();
    router.accept(&"ann".into(), &id("c1"), 1, &mut fx).unwrap();
    let mut fx = Effects::default();
    let long = "x".repeat(1001);
    assert_eq!(
        router
            .agent_message(&"ann".into(), &id("c1"), &long, 2, &mut fx)
            .unwrap_err()
            .code,
        ErrorCode::MessageTooLong
    );
    let reserved = router
        .agent_message(&"ann".into(), &id("c1"), "<b>", 2, &mut fx)
        .unwrap_err();
    assert_eq!(reserved.code, ErrorCode::ReservedCharacters);
    assert!(fx.messages.is_empty() && fx.emits.is_empty());
}

#[test]
fn customer_ending_leaves_the_agent_to_wrap_up() {
    let mut router = router(&["ann"]);
    start(&mut router, "c1", 0);
    let mut fx = Effects::default();
    router.accept(&"ann".into(), &id("c1"), 1, &mut fx).unwrap();
    let mut fx = Effects::default();
    router.customer_end(&id("c1"), 2, &mut fx).unwrap();
    let events = agent_events(&fx, "ann");
    assert!(events.iter().any(|e| matches!(e, AgentEvent::Message { message } if message.text == CUSTOMER_ENDED && message.from == Sender::System)));
    assert!(events.contains(&AgentEvent::State {
        conversation: id("c1"),
        state: InteractionState::WrapUp {
            ended_by: EndedBy::Customer
        }
    }));
    let mut fx = Effects::default();
    assert_eq!(
        router
            .agent_message(&"ann".into(), &id("c1"), "Hello?", 3, &mut fx)
            .unwrap_err()
            .code,
        ErrorCode::InvalidState
    );
    router
        .end(&"ann".into(), &id("c1"), "Resolved", 4, &mut fx)
        .unwrap();
    assert!(matches!(
        fx.changed[&id("c1")].status,
        Status::Closed {
            ended_by: EndedBy::Customer,
            ..
        }
    ));
}

#[test]
fn routing_keeps_the_latest_page_of_a_thread_and_the_snapshot_carries_it() {
    use switchboard_protocol::rules::HISTORY_PAGE;
    let mut router = router(&["ann"]);
    start(&mut router, "c1", 0);
    let mut fx = Effects::default();
    for n in 0..HISTORY_PAGE as u64 + 5 {
        router
            .customer_message(&id("c1"), &format!("line {n}"), 1_000 + n, &mut fx)
            .unwrap();
    }
    assert_eq!(router.conversations[&id("c1")].history.len(), HISTORY_PAGE);
    let conversation = accepted(&mut router, "ann", "c1", 5_000);
    let ids: Vec<u64> = conversation.history.iter().map(|m| m.id).collect();
    // "Hello" was 1; the customer's lines 2 to HISTORY_PAGE + 6.
    let newest = HISTORY_PAGE as u64 + 6;
    assert_eq!(
        ids,
        (newest - HISTORY_PAGE as u64 + 1..=newest).collect::<Vec<_>>()
    );
    // When the customer last wrote is known beyond the page.
    assert_eq!(
        router.since_customer_wrote(&id("c1"), 10_000),
        Some(10_000 - (1_000 + HISTORY_PAGE as u64 + 4))
    );
}
