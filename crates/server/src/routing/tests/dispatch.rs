//! Who gets an offer.

use super::*;

#[test]
fn longest_idle_available_agent_gets_the_offer_with_its_expiry() {
    let mut router = router(&["ann", "bob"]);
    let fx = start(&mut router, "c1", 1_000);
    assert_eq!(offers(&fx), [("ann".into(), "c1".into())]);
    let Some(AgentEvent::Offer { offer }) = agent_events(&fx, "ann").pop() else {
        panic!()
    };
    assert_eq!(offer.expires_at, 21_000);
    assert_eq!(offer.customer_name, "Zoë");
    assert_eq!(offer.comment, "Hello");
    let fx = start(&mut router, "c2", 2_000);
    assert_eq!(
        offers(&fx),
        [("bob".into(), "c2".into())],
        "one offer at a time per agent"
    );
}

#[test]
fn rejected_request_goes_to_someone_else_never_back_to_the_same_agent() {
    let mut router = router(&["ann", "bob"]);
    start(&mut router, "c1", 10);
    let mut fx = Effects::default();
    router
        .accept(&"bob".into(), &id("c1"), 11, &mut fx)
        .unwrap_err();
    router
        .reject(&"ann".into(), &id("c1"), 12, &mut fx)
        .unwrap();
    assert_eq!(offers(&fx), [("bob".into(), "c1".into())]);
    let mut fx = Effects::default();
    router
        .reject(&"bob".into(), &id("c1"), 13, &mut fx)
        .unwrap();
    assert_eq!(offers(&fx), [], "both rejected: it waits for someone else");
    assert_eq!(
        router.presence(&"ann".into()),
        Some(&Presence::Available),
        "rejecting is not RONA"
    );
}

#[test]
fn capacity_caps_concurrent_conversations() {
    let mut router = router(&["ann"]);
    for (n, name) in ["c1", "c2", "c3"].into_iter().enumerate() {
        let fx = start(&mut router, name, n as u64);
        if let Some((_, conversation)) = offers(&fx).pop() {
            let mut fx = Effects::default();
            router
                .accept(&"ann".into(), &id(&conversation), n as u64, &mut fx)
                .unwrap();
        }
    }
    assert_eq!(router.holder(&id("c1")), Some(&"ann".into()));
    assert_eq!(router.holder(&id("c2")), Some(&"ann".into()));
    assert_eq!(
        router.holder(&id("c3")),
        None,
        "capacity 2: the third waits"
    );
    let mut fx = Effects::default();
    router
        .end(&"ann".into(), &id("c1"), "Resolved", 10, &mut fx)
        .unwrap();
    assert_eq!(
        offers(&fx),
        [("ann".into(), "c3".into())],
        "freed capacity takes the next"
    );
}

#[test]
fn an_agent_who_just_finished_waits_behind_those_idle_longer() {
    let mut router = router(&["ann", "bob", "cleo"]);
    start(&mut router, "c1", 10);
    let mut fx = Effects::default();
    router
        .accept(&"ann".into(), &id("c1"), 11, &mut fx)
        .unwrap();
    router
        .end(&"ann".into(), &id("c1"), "Resolved", 20, &mut fx)
        .unwrap();
    let fx = start(&mut router, "c2", 30);
    assert_eq!(offers(&fx), [("bob".into(), "c2".into())]);
    let fx = start(&mut router, "c3", 40);
    assert_eq!(offers(&fx), [("cleo".into(), "c3".into())]);
    let fx = start(&mut router, "c4", 50);
    assert_eq!(
        offers(&fx),
        [("ann".into(), "c4".into())],
        "idle since the end of c1: the last in line"
    );
}

#[test]
fn an_offer_answered_in_time_is_not_withdrawn_when_its_expiry_comes() {
    let mut router = router(&["ann"]);
    start(&mut router, "c1", 1_000);
    let mut fx = Effects::default();
    router
        .accept(&"ann".into(), &id("c1"), 2_000, &mut fx)
        .unwrap();
    let mut fx = Effects::default();
    router.tick(21_000, &mut fx);
    assert_eq!(router.holder(&id("c1")), Some(&"ann".into()));
    assert_eq!(router.presence(&"ann".into()), Some(&Presence::Available));
    assert!(fx.emits.is_empty(), "{:?}", fx.emits);
}
