//! Presence and RONA.

use super::*;

#[test]
fn rona_after_offer_timeout_blocks_new_offers_until_available() {
    let mut router = router(&["ann"]);
    start(&mut router, "c1", 0);
    let mut fx = Effects::default();
    router.tick(19_999, &mut fx);
    assert!(fx.emits.is_empty(), "nothing expires early");
    router.tick(20_000, &mut fx);
    let events = agent_events(&fx, "ann");
    assert!(events.contains(&AgentEvent::OfferWithdrawn {
        conversation: id("c1"),
        reason: WithdrawReason::Timeout
    }));
    assert!(events.contains(&AgentEvent::Presence {
        presence: Presence::Rona,
        since: 20_000
    }));
    assert_eq!(router.presence(&"ann".into()), Some(&Presence::Rona));
    assert_eq!(offers(&fx), [], "an agent in RONA gets nothing new");

    let mut fx = Effects::default();
    router.tick(60_000, &mut fx);
    assert_eq!(
        router.presence(&"ann".into()),
        Some(&Presence::Rona),
        "the server never leaves RONA by itself"
    );
    start(&mut router, "c2", 61_000);
    router
        .set_presence(&"ann".into(), PresenceRequest::Available, 62_000, &mut fx)
        .unwrap();
    assert_eq!(
        offers(&fx),
        [("ann".into(), "c1".into())],
        "back to the head of its queue"
    );
}

#[test]
fn presence_rules() {
    let mut router = router(&["ann"]);
    let mut fx = Effects::default();
    let unknown = router.set_presence(
        &"ann".into(),
        PresenceRequest::Idle {
            reason: "Nap".into(),
        },
        1,
        &mut fx,
    );
    assert_eq!(unknown.unwrap_err().code, ErrorCode::UnknownReason);
    start(&mut router, "c1", 2);
    let mut fx = Effects::default();
    router.accept(&"ann".into(), &id("c1"), 3, &mut fx).unwrap();
    let offline = router.set_presence(&"ann".into(), PresenceRequest::Offline, 4, &mut fx);
    assert_eq!(
        offline.unwrap_err().code,
        ErrorCode::InvalidState,
        "conversations are never dropped by signing out"
    );
}
