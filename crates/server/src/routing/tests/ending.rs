//! Conversations an administrator ends.

use super::*;
use crate::routing::Ending;

#[test]
fn a_waiting_conversation_ends_and_a_held_one_is_interrupted_for_its_agent_to_wrap_up() {
    let mut router = router(&["ann"]);
    start(&mut router, "c1", 1);
    let mut fx = Effects::default();
    router.accept(&"ann".into(), &id("c1"), 2, &mut fx).unwrap();
    start(&mut router, "c2", 3);

    let mut fx = Effects::default();
    let waiting = router.end_by_administrator(&id("c2"), 4, &mut fx);
    assert_eq!(waiting, Ok(Ending::Ended));
    assert!(
        customer_events(&fx).contains(&CustomerEvent::Ended {
            by: EndedBy::System
        }),
        "{:?}",
        customer_events(&fx)
    );
    assert!(router.holder(&id("c2")).is_none());

    let mut fx = Effects::default();
    let held = router.end_by_administrator(&id("c1"), 5, &mut fx);
    assert_eq!(held, Ok(Ending::Interrupted));
    let told = agent_events(&fx, "ann");
    assert!(
        told.iter().any(|event| matches!(
            event,
            AgentEvent::State {
                state: InteractionState::Interrupted { .. },
                ..
            }
        )),
        "{told:?}"
    );
    assert_eq!(
        router.holder(&id("c1")),
        Some(&"ann".into()),
        "hers to wrap up"
    );
    let mut fx = Effects::default();
    router
        .end(&"ann".into(), &id("c1"), "Resolved", 6, &mut fx)
        .unwrap();

    let gone = router.end_by_administrator(&id("c1"), 7, &mut Effects::default());
    assert_eq!(gone.unwrap_err().code, ErrorCode::NotFound);
}
