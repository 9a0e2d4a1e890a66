//! What time decides: the grace period of a lost agent.

use super::*;

#[test]
fn a_lost_agent_keeps_everything_within_grace_then_goes_offline_and_work_is_requeued() {
    let mut router = router(&["ann", "bob"]);
    start(&mut router, "c1", 0);
    let mut fx = Effects::default();
    router.accept(&"ann".into(), &id("c1"), 1, &mut fx).unwrap();
    router
        .set_presence(
            &"bob".into(),
            PresenceRequest::Idle {
                reason: "Lunch".into(),
            },
            1,
            &mut fx,
        )
        .unwrap();
    router.agent_disconnected(&"ann".into(), 10_000);
    let mut fx = Effects::default();
    router.tick(69_999, &mut fx);
    assert_eq!(
        router.holder(&id("c1")),
        Some(&"ann".into()),
        "within grace, nothing changes"
    );
    router.agent_connected(&"ann".into(), false, 69_999, &mut fx);
    router.agent_disconnected(&"ann".into(), 70_000);
    router.tick(130_000, &mut fx);
    assert_eq!(router.presence(&"ann".into()), Some(&Presence::Offline));
    assert_eq!(router.holder(&id("c1")), None);
    assert!(
        customer_events(&fx)
            .iter()
            .any(|e| matches!(e, CustomerEvent::Queued { position: 1, .. }))
    );
    let mut fx = Effects::default();
    router
        .set_presence(&"bob".into(), PresenceRequest::Available, 131_000, &mut fx)
        .unwrap();
    assert_eq!(offers(&fx), [("bob".into(), "c1".into())]);
}
