//! The limits on waiting chats: per client address, per widget, per queue.

use super::*;

fn refused_busy(outcome: Result<(), switchboard_protocol::ErrorBody>) -> String {
    let error = outcome.expect_err("refused");
    assert_eq!(error.code, ErrorCode::Busy, "{error:?}");
    error.message
}

#[test]
fn chats_wait_at_most_so_many_per_address_and_per_widget() {
    let limits = "[limits]\nwaiting_per_address = 2\nwaiting_per_widget = 3";
    let mut router = router_with(limits, &[]);
    let mut fx = Effects::default();
    start_from(&mut router, "a1", Some("198.51.100.1"), 0, &mut fx).unwrap();
    start_from(&mut router, "a2", Some("198.51.100.1"), 0, &mut fx).unwrap();
    let said = refused_busy(start_from(
        &mut router,
        "a3",
        Some("198.51.100.1"),
        0,
        &mut fx,
    ));
    assert!(said.contains("already have chats waiting"), "{said}");
    start_from(&mut router, "b1", Some("198.51.100.2"), 0, &mut fx).unwrap();
    let said = refused_busy(start_from(
        &mut router,
        "c1",
        Some("198.51.100.3"),
        0,
        &mut fx,
    ));
    assert!(said.contains("try again later"), "{said}");
    assert!(router.record(&id("a3")).is_none() && router.record(&id("c1")).is_none());

    // An agent taking one makes room.
    let mut fx = Effects::default();
    router.add_agent(agent("ann"), 1);
    router.agent_connected(&"ann".into(), true, 1, &mut fx);
    router
        .set_presence(&"ann".into(), PresenceRequest::Available, 1, &mut fx)
        .unwrap();
    router.accept(&"ann".into(), &id("a1"), 2, &mut fx).unwrap();
    start_from(&mut router, "a3", Some("198.51.100.1"), 3, &mut fx).unwrap();
}

#[test]
fn a_full_queue_takes_no_new_chat() {
    let mut router = router_with("[limits]\nwaiting_per_queue = 2", &[]);
    let mut fx = Effects::default();
    start_from(&mut router, "c1", Some("198.51.100.1"), 0, &mut fx).unwrap();
    start_from(&mut router, "c2", Some("198.51.100.2"), 0, &mut fx).unwrap();
    refused_busy(start_from(
        &mut router,
        "c3",
        Some("198.51.100.3"),
        0,
        &mut fx,
    ));
}
