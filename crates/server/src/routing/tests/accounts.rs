//! An account changed while the server runs.

use super::*;

#[test]
fn a_queue_given_to_an_agent_brings_its_waiting_conversation_at_once() {
    let mut router = router(&["ann"]);
    let ann_in_billing = AgentRecord {
        queues: vec!["billing".into()],
        ..agent("ann")
    };
    router.account_changed(ann_in_billing, 1, &mut Effects::default());
    let fx = start(&mut router, "c1", 2);
    assert_eq!(offers(&fx), [], "General is no longer hers");

    let mut fx = Effects::default();
    router.account_changed(agent("ann"), 3, &mut fx);
    assert_eq!(offers(&fx), [("ann".into(), "c1".into())]);
}

#[test]
fn more_room_brings_another_offer_and_less_takes_nothing_away() {
    let mut router = router(&["ann"]);
    let one = AgentRecord {
        capacity: Some(1),
        ..agent("ann")
    };
    router.account_changed(one.clone(), 1, &mut Effects::default());
    start(&mut router, "c1", 2);
    let mut fx = Effects::default();
    router.accept(&"ann".into(), &id("c1"), 3, &mut fx).unwrap();
    let fx = start(&mut router, "c2", 4);
    assert_eq!(offers(&fx), [], "full");

    let mut fx = Effects::default();
    router.account_changed(agent("ann"), 5, &mut fx);
    assert_eq!(offers(&fx), [("ann".into(), "c2".into())]);
    router.accept(&"ann".into(), &id("c2"), 6, &mut fx).unwrap();
    router.account_changed(one, 7, &mut Effects::default());
    assert_eq!(router.holder(&id("c1")), Some(&"ann".into()));
    assert_eq!(router.holder(&id("c2")), Some(&"ann".into()));
}
