//! Live chats whose customer went away before an agent answered.

use super::*;

use crate::routing::CUSTOMER_LEFT_WAITING;

#[test]
fn a_waiting_chat_whose_customer_stays_away_ends_and_its_offer_goes_without_rona() {
    let mut router = router_with("[limits]\nabandoned_after_seconds = 10", &["ann"]);
    let fx = start(&mut router, "c1", 0);
    assert_eq!(offers(&fx), [("ann".into(), "c1".into())]);

    router.customer_disconnected(&id("c1"), 1_000);
    let mut fx = Effects::default();
    router.tick(10_999, &mut fx);
    assert!(router.record(&id("c1")).is_some(), "not yet gone");
    router.tick(11_000, &mut fx);
    assert!(router.record(&id("c1")).is_none(), "ended");
    assert!(agent_events(&fx, "ann").iter().any(|event| matches!(
        event,
        AgentEvent::OfferWithdrawn {
            reason: WithdrawReason::CustomerLeft,
            ..
        }
    )));
    assert_eq!(router.presence(&"ann".into()), Some(&Presence::Available));
    assert!(
        matches!(
            fx.changed[&id("c1")].status,
            Status::Closed {
                ended_by: EndedBy::Customer,
                ..
            }
        ),
        "stored as ended by the customer"
    );
    assert!(fx.messages.iter().any(|message| {
        message.conversation == id("c1") && message.text == CUSTOMER_LEFT_WAITING
    }));
}

#[test]
fn a_customer_who_comes_back_in_time_or_is_answered_keeps_the_chat() {
    let mut router = router_with("[limits]\nabandoned_after_seconds = 10", &["ann"]);
    start(&mut router, "c1", 0);
    start(&mut router, "c2", 0);
    router.customer_disconnected(&id("c1"), 1_000);
    router.customer_connected(&id("c1"));
    let mut fx = Effects::default();
    router
        .accept(&"ann".into(), &id("c1"), 1_500, &mut fx)
        .unwrap();
    router.customer_disconnected(&id("c1"), 2_000);
    router.tick(60_000, &mut fx);
    assert_eq!(
        router.holder(&id("c1")),
        Some(&"ann".into()),
        "answered: kept"
    );
    assert!(router.record(&id("c2")).is_some(), "still connected: kept");
}
