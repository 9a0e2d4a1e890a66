//! Transfer to an agent and conference.

use super::*;

/// Ann holds `c1`; Bo is connected and Available.
fn ann_holds_c1_bo_available() -> Router {
    let mut router = router(&["ann", "bo"]);
    start(&mut router, "c1", 10);
    let mut fx = Effects::default();
    router
        .accept(&"ann".into(), &id("c1"), 11, &mut fx)
        .unwrap();
    router
}

#[test]
fn transfer_to_an_agent_moves_the_conversation_once_accepted() {
    let mut router = ann_holds_c1_bo_available();
    let mut fx = Effects::default();
    let to_self =
        router.transfer_to_agent(&"ann".into(), &id("c1"), &"ann".into(), None, 12, &mut fx);
    assert_eq!(to_self.unwrap_err().code, ErrorCode::InvalidState);
    router
        .transfer_to_agent(&"ann".into(), &id("c1"), &"bo".into(), None, 12, &mut fx)
        .unwrap();
    let Some(AgentEvent::Offer { offer }) = agent_events(&fx, "bo").pop() else {
        panic!()
    };
    assert_eq!(offer.scenario, Scenario::Transferred);
    let requested = InteractionState::TransferRequested { agent: "bo".into() };
    assert!(agent_events(&fx, "ann").contains(&AgentEvent::State {
        conversation: id("c1"),
        state: requested
    }));
    assert_eq!(
        router.holder(&id("c1")),
        Some(&"ann".into()),
        "still Ann's until Bo accepts"
    );

    let mut fx = Effects::default();
    router.accept(&"bo".into(), &id("c1"), 13, &mut fx).unwrap();
    assert_eq!(router.holder(&id("c1")), Some(&"bo".into()));
    let transferred = InteractionState::Transferred { to: "BO".into() };
    assert!(agent_events(&fx, "ann").contains(&AgentEvent::State {
        conversation: id("c1"),
        state: transferred
    }));
    let Some(AgentEvent::Snapshot { conversation }) = agent_events(&fx, "bo").pop() else {
        panic!()
    };
    assert_eq!(
        conversation.history.last().unwrap().text,
        "ANN transferred the conversation to BO"
    );
    assert!(customer_events(&fx).contains(&CustomerEvent::AgentJoined { name: "BO".into() }));
    let mut fx = Effects::default();
    router
        .end(&"ann".into(), &id("c1"), "Resolved", 14, &mut fx)
        .unwrap();
    assert_eq!(
        agent_events(&fx, "ann"),
        [AgentEvent::Closed {
            conversation: id("c1")
        }]
    );
}

#[test]
fn a_transfer_not_accepted_in_time_is_called_off_and_the_target_goes_to_rona() {
    let mut router = ann_holds_c1_bo_available();
    let mut fx = Effects::default();
    router
        .transfer_to_agent(&"ann".into(), &id("c1"), &"bo".into(), None, 100, &mut fx)
        .unwrap();
    let mut fx = Effects::default();
    router.tick(20_100, &mut fx);
    assert_eq!(
        router.holder(&id("c1")),
        Some(&"ann".into()),
        "it stays with Ann"
    );
    assert_eq!(router.presence(&"bo".into()), Some(&Presence::Rona));
    assert!(
        agent_events(&fx, "ann")
            .iter()
            .any(|e| matches!(e, AgentEvent::Notice { .. }))
    );
    assert!(agent_events(&fx, "ann").contains(&AgentEvent::State {
        conversation: id("c1"),
        state: InteractionState::Active
    }));
    assert_eq!(offers(&fx), [], "a called-off transfer is not queued again");
    let mut fx = Effects::default();
    router
        .agent_message(&"ann".into(), &id("c1"), "Still here", 20_200, &mut fx)
        .unwrap();
}

#[test]
fn a_rejected_transfer_stays_with_the_holder_and_costs_the_target_nothing() {
    let mut router = ann_holds_c1_bo_available();
    let mut fx = Effects::default();
    router
        .transfer_to_agent(&"ann".into(), &id("c1"), &"bo".into(), None, 12, &mut fx)
        .unwrap();
    let pending = router.conference_invite(&"ann".into(), &id("c1"), &"bo".into(), 12, &mut fx);
    assert_eq!(
        pending.unwrap_err().code,
        ErrorCode::InvalidState,
        "one handover at a time"
    );
    router.reject(&"bo".into(), &id("c1"), 13, &mut fx).unwrap();
    assert_eq!(router.holder(&id("c1")), Some(&"ann".into()));
    assert_eq!(router.presence(&"bo".into()), Some(&Presence::Available));
}

#[test]
fn conference_join_messages_reach_everyone_and_exit_needs_a_wrap_up() {
    let mut router = ann_holds_c1_bo_available();
    let mut fx = Effects::default();
    router
        .conference_invite(&"ann".into(), &id("c1"), &"bo".into(), 12, &mut fx)
        .unwrap();
    let requested = InteractionState::ConferenceRequested { agent: "bo".into() };
    assert!(agent_events(&fx, "ann").contains(&AgentEvent::State {
        conversation: id("c1"),
        state: requested
    }));
    let mut fx = Effects::default();
    router.accept(&"bo".into(), &id("c1"), 13, &mut fx).unwrap();
    let conference = InteractionState::Conference {
        agents: vec!["ann".into(), "bo".into()],
    };
    for agent in ["ann", "bo"] {
        let state = AgentEvent::State {
            conversation: id("c1"),
            state: conference.clone(),
        };
        assert!(agent_events(&fx, agent).contains(&state), "{agent}");
    }
    let joined = |e: &AgentEvent| matches!(e, AgentEvent::Message { message } if message.text == "BO joined the conversation");
    assert!(agent_events(&fx, "ann").iter().any(joined));
    let Some(AgentEvent::Snapshot { conversation }) = agent_events(&fx, "bo").pop() else {
        panic!()
    };
    assert_eq!(conversation.state, conference);

    let mut fx = Effects::default();
    router
        .customer_message(&id("c1"), "Hello both", 14, &mut fx)
        .unwrap();
    router
        .agent_message(&"bo".into(), &id("c1"), "Hi, Bo here", 15, &mut fx)
        .unwrap();
    assert_eq!(agent_events(&fx, "ann").len(), 2);
    assert_eq!(agent_events(&fx, "bo").len(), 2);
    assert_eq!(customer_events(&fx).len(), 2);

    let mut fx = Effects::default();
    assert_eq!(
        router
            .end(&"bo".into(), &id("c1"), "Resolved", 16, &mut fx)
            .unwrap_err()
            .code,
        ErrorCode::InvalidState,
        "a guest leaves, the holder ends"
    );
    assert_eq!(
        router
            .conference_exit(&"bo".into(), &id("c1"), "Nope", 16, &mut fx)
            .unwrap_err()
            .code,
        ErrorCode::UnknownReason
    );
    router
        .conference_exit(&"bo".into(), &id("c1"), "Resolved", 16, &mut fx)
        .unwrap();
    assert!(agent_events(&fx, "bo").contains(&AgentEvent::Closed {
        conversation: id("c1")
    }));
    assert!(agent_events(&fx, "ann").contains(&AgentEvent::State {
        conversation: id("c1"),
        state: InteractionState::Active
    }));
    let left = router.conference_exit(&"ann".into(), &id("c1"), "Resolved", 17, &mut fx);
    assert_eq!(
        left.unwrap_err().code,
        ErrorCode::InvalidState,
        "no conference any more"
    );
}

#[test]
fn when_the_holder_leaves_a_conference_the_guest_holds_the_conversation() {
    let mut router = ann_holds_c1_bo_available();
    let mut fx = Effects::default();
    router
        .conference_invite(&"ann".into(), &id("c1"), &"bo".into(), 12, &mut fx)
        .unwrap();
    router.accept(&"bo".into(), &id("c1"), 13, &mut fx).unwrap();
    let mut fx = Effects::default();
    router
        .conference_exit(&"ann".into(), &id("c1"), "Resolved", 14, &mut fx)
        .unwrap();
    assert_eq!(router.holder(&id("c1")), Some(&"bo".into()));
    router
        .end(&"bo".into(), &id("c1"), "Resolved", 15, &mut fx)
        .unwrap();
    assert!(customer_events(&fx).contains(&CustomerEvent::Ended { by: EndedBy::Agent }));
}

#[test]
fn when_the_customer_ends_a_conference_the_guest_is_released_and_the_holder_wraps_up() {
    let mut router = ann_holds_c1_bo_available();
    let mut fx = Effects::default();
    router
        .conference_invite(&"ann".into(), &id("c1"), &"bo".into(), 12, &mut fx)
        .unwrap();
    router.accept(&"bo".into(), &id("c1"), 13, &mut fx).unwrap();
    let mut fx = Effects::default();
    router.customer_end(&id("c1"), 14, &mut fx).unwrap();
    assert!(agent_events(&fx, "bo").contains(&AgentEvent::Closed {
        conversation: id("c1")
    }));
    let wrap_up = InteractionState::WrapUp {
        ended_by: EndedBy::Customer,
    };
    assert!(agent_events(&fx, "ann").contains(&AgentEvent::State {
        conversation: id("c1"),
        state: wrap_up
    }));
}
