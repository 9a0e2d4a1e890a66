//! Receipts: how far the customer's side got with the agents' messages.

use super::*;
use switchboard_protocol::Receipts;

fn receipts_told(fx: &Effects, agent: &str) -> Vec<Receipts> {
    agent_events(fx, agent)
        .into_iter()
        .filter_map(|event| match event {
            AgentEvent::Receipts { receipts, .. } => Some(receipts),
            _ => None,
        })
        .collect()
}

#[test]
fn a_widget_receipt_moves_the_marks_forward_only_and_tells_the_agents() {
    let mut router = router(&["ann"]);
    start(&mut router, "c1", 10);
    accepted(&mut router, "ann", "c1", 11);
    for (text, at) in [("One", 20), ("Two", 30)] {
        router
            .agent_message(&"ann".into(), &id("c1"), text, at, &mut Effects::default())
            .unwrap();
    }
    let two = router.record(&id("c1")).unwrap().next_message - 1;

    let mut fx = Effects::default();
    router.chat_receipt(&id("c1"), two, false, &mut fx);
    let delivered = Receipts {
        delivered_up_to: Some(30),
        read_up_to: None,
    };
    assert_eq!(receipts_told(&fx, "ann"), [delivered]);
    assert_eq!(router.record(&id("c1")).unwrap().receipts, delivered);

    let mut fx = Effects::default();
    router.chat_receipt(&id("c1"), two - 1, true, &mut fx);
    let seen_first = Receipts {
        delivered_up_to: Some(30),
        read_up_to: Some(20),
    };
    assert_eq!(
        receipts_told(&fx, "ann"),
        [seen_first],
        "seen, and never back"
    );

    let mut fx = Effects::default();
    router.chat_receipt(&id("c1"), two - 1, false, &mut fx);
    router.chat_receipt(&id("c1"), 999, true, &mut fx);
    assert_eq!(
        receipts_told(&fx, "ann"),
        [],
        "nothing new, or no such message"
    );
    assert!(customer_events(&fx).is_empty());
}

#[test]
fn the_customer_is_told_once_their_messages_reach_an_agent_taking_part() {
    let mut router = router(&["ann", "bo"]);
    start(&mut router, "c1", 10);
    accepted(&mut router, "ann", "c1", 11);
    let first = 1;
    let received = |fx: &Effects| -> Vec<CustomerEvent> {
        customer_events(fx)
            .into_iter()
            .filter(|e| matches!(e, CustomerEvent::Received { .. }))
            .collect()
    };

    let mut fx = Effects::default();
    router.agent_receipt(&"bo".into(), &id("c1"), first, &mut fx);
    assert_eq!(received(&fx), [], "Bo does not take part");
    router.agent_receipt(&"ann".into(), &id("c1"), 99, &mut fx);
    assert_eq!(received(&fx), [], "no such message yet");
    router.agent_receipt(&"ann".into(), &id("c1"), first, &mut fx);
    assert_eq!(received(&fx), [CustomerEvent::Received { up_to: first }]);
    let mut fx = Effects::default();
    router.agent_receipt(&"ann".into(), &id("c1"), first, &mut fx);
    assert_eq!(received(&fx), [], "once per step forward");
}
