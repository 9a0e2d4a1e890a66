//! Routing rules, driven directly with a chosen clock.

use std::sync::Arc;

use switchboard_protocol::agent::{
    AgentEvent, Customer, InteractionState, PresenceRequest, Scenario, WithdrawReason,
};
use switchboard_protocol::customer::CustomerEvent;
use switchboard_protocol::{
    AgentId, Channel, ConversationId, EndedBy, ErrorCode, Presence, Sender,
};

use super::{CUSTOMER_ENDED, ChatRequest, Effects, Emit, Router};
use crate::channels::{Errand, Inbound, Outbound};
use crate::config::Config;
use crate::store::{AgentRecord, ChannelAddress, Status};

const CONFIG: &str = r#"
    wrap_up_reasons = ["Resolved", "Follow-up"]
    idle_reasons = ["Lunch"]
    [server]
    presence_grace_seconds = 60
    [[queues]]
    id = "general"
    name = "General"
    [[queues]]
    id = "billing"
    name = "Billing"
    escalation = true
    [workstreams.chat]
    offer_timeout_seconds = 20
    [agents]
    default_capacity = 2
    [[widgets]]
    id = "site"
    queue = "general"
"#;

fn agent(id: &str) -> AgentRecord {
    AgentRecord {
        id: AgentId::from(id),
        email: format!("{id}@example.com"),
        name: id.to_uppercase(),
        password_hash: String::new(),
        queues: vec!["general".into()],
        capacity: None,
        presence: Presence::Offline,
        presence_since: 0,
    }
}

/// A router with the given agents connected and Available, in that order of idleness.
fn router(agents: &[&str]) -> Router {
    let config = Arc::new(Config::parse(CONFIG).unwrap());
    let mut router = Router::new(
        config,
        agents.iter().map(|id| agent(id)).collect(),
        Vec::new(),
        Vec::new(),
        0,
    );
    for (i, id) in agents.iter().enumerate() {
        let id = AgentId::from(*id);
        let mut fx = Effects::default();
        router.agent_connected(&id, true, i as u64, &mut fx);
        router
            .set_presence(&id, PresenceRequest::Available, i as u64, &mut fx)
            .unwrap();
    }
    router
}

fn start(router: &mut Router, id: &str, now: u64) -> Effects {
    let mut fx = Effects::default();
    let customer = Customer {
        name: "Zoë".into(),
        email: None,
        phone: None,
    };
    router
        .start_chat(
            ConversationId::from(id),
            "token",
            "hash".into(),
            ChatRequest {
                widget: "site",
                customer,
                first_message: "Hello",
                context: Vec::new(),
                contact: None,
                customer_id: None,
                proactive: false,
            },
            now,
            &mut fx,
        )
        .unwrap();
    fx
}

fn offers(fx: &Effects) -> Vec<(String, String)> {
    fx.emits
        .iter()
        .filter_map(|emit| match emit {
            Emit::Agent(agent, AgentEvent::Offer { offer }) => {
                Some((agent.0.clone(), offer.conversation.0.clone()))
            }
            _ => None,
        })
        .collect()
}

fn agent_events(fx: &Effects, id: &str) -> Vec<AgentEvent> {
    fx.emits
        .iter()
        .filter_map(|emit| match emit {
            Emit::Agent(agent, event) if agent.0 == id => Some(event.clone()),
            _ => None,
        })
        .collect()
}

fn customer_events(fx: &Effects) -> Vec<CustomerEvent> {
    fx.emits
        .iter()
        .filter_map(|emit| match emit {
            Emit::Customer(_, event) => Some(event.clone()),
            _ => None,
        })
        .collect()
}

fn id(text: &str) -> ConversationId {
    ConversationId::from(text)
}

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

/// Ann serves General; Cleo, who serves Billing, is connected with `presence`.
fn ann_and_cleo_in_billing(presence: PresenceRequest) -> Router {
    let mut router = router(&["ann"]);
    let cleo = AgentRecord {
        queues: vec!["billing".into()],
        ..agent("cleo")
    };
    router.add_agent(cleo, 0);
    let mut fx = Effects::default();
    router.agent_connected(&"cleo".into(), true, 1, &mut fx);
    router
        .set_presence(&"cleo".into(), presence, 1, &mut fx)
        .unwrap();
    router
}

#[test]
fn transfer_to_queue_moves_the_conversation_with_its_history_and_leaves_a_wrap_up() {
    let mut router = ann_and_cleo_in_billing(PresenceRequest::Idle {
        reason: "Lunch".into(),
    });
    start(&mut router, "c1", 2);
    let mut fx = Effects::default();
    let early = router.transfer_to_queue(&"ann".into(), &id("c1"), &"billing".into(), 3, &mut fx);
    assert_eq!(
        early.unwrap_err().code,
        ErrorCode::InvalidState,
        "only after accepting"
    );
    router.accept(&"ann".into(), &id("c1"), 4, &mut fx).unwrap();
    let unknown = router.transfer_to_queue(&"ann".into(), &id("c1"), &"nowhere".into(), 5, &mut fx);
    assert_eq!(unknown.unwrap_err().code, ErrorCode::NotFound);

    let mut fx = Effects::default();
    router
        .transfer_to_queue(&"ann".into(), &id("c1"), &"billing".into(), 6, &mut fx)
        .unwrap();
    let transferred = InteractionState::Transferred {
        to: "Billing".into(),
    };
    assert!(agent_events(&fx, "ann").contains(&AgentEvent::State {
        conversation: id("c1"),
        state: transferred
    }));
    assert_eq!(router.holder(&id("c1")), None);
    assert_eq!(
        offers(&fx),
        [],
        "nobody in Billing is Available yet; Ann serves only General"
    );

    let mut fx = Effects::default();
    router
        .set_presence(&"cleo".into(), PresenceRequest::Available, 7, &mut fx)
        .unwrap();
    assert_eq!(offers(&fx), [("cleo".into(), "c1".into())]);
    router
        .accept(&"cleo".into(), &id("c1"), 8, &mut fx)
        .unwrap();
    let Some(AgentEvent::Snapshot { conversation }) = agent_events(&fx, "cleo").pop() else {
        panic!()
    };
    assert_eq!(conversation.queue.name, "Billing");
    let texts: Vec<&str> = conversation
        .history
        .iter()
        .map(|m| m.text.as_str())
        .collect();
    assert_eq!(
        texts,
        ["Hello", "ANN transferred the conversation to Billing"]
    );

    let mut fx = Effects::default();
    assert_eq!(
        router
            .end(&"ann".into(), &id("c1"), "Nope", 9, &mut fx)
            .unwrap_err()
            .code,
        ErrorCode::UnknownReason
    );
    router
        .end(&"ann".into(), &id("c1"), "Resolved", 9, &mut fx)
        .unwrap();
    assert_eq!(
        agent_events(&fx, "ann"),
        [AgentEvent::Closed {
            conversation: id("c1")
        }]
    );
    assert_eq!(
        router.holder(&id("c1")),
        Some(&"cleo".into()),
        "Ann's wrap-up does not end Cleo's conversation"
    );
}

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
    let to_self = router.transfer_to_agent(&"ann".into(), &id("c1"), &"ann".into(), 12, &mut fx);
    assert_eq!(to_self.unwrap_err().code, ErrorCode::InvalidState);
    router
        .transfer_to_agent(&"ann".into(), &id("c1"), &"bo".into(), 12, &mut fx)
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
        .transfer_to_agent(&"ann".into(), &id("c1"), &"bo".into(), 100, &mut fx)
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
        .transfer_to_agent(&"ann".into(), &id("c1"), &"bo".into(), 12, &mut fx)
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

#[test]
fn removing_a_queue_ends_waiting_conversations_and_interrupts_held_ones() {
    let mut router = router(&["ann"]);
    start(&mut router, "held", 1);
    let mut fx = Effects::default();
    router
        .accept(&"ann".into(), &id("held"), 2, &mut fx)
        .unwrap();
    router
        .set_presence(
            &"ann".into(),
            PresenceRequest::Idle {
                reason: "Lunch".into(),
            },
            3,
            &mut fx,
        )
        .unwrap();
    start(&mut router, "waiting", 4);

    let mut fx = Effects::default();
    assert_eq!(
        router.remove_queue(&"general".into(), 5, &mut fx),
        Ok((1, 1))
    );
    let interrupted = InteractionState::Interrupted {
        reason: "the queue General was deleted".into(),
    };
    assert!(agent_events(&fx, "ann").contains(&AgentEvent::State {
        conversation: id("held"),
        state: interrupted
    }));
    assert_eq!(
        customer_events(&fx)
            .iter()
            .filter(|e| matches!(
                e,
                CustomerEvent::Ended {
                    by: EndedBy::System
                }
            ))
            .count(),
        2
    );
    assert!(
        router.record(&id("waiting")).is_none(),
        "the waiting conversation ended"
    );

    let mut fx = Effects::default();
    let refused = router
        .agent_message(&"ann".into(), &id("held"), "Hello?", 6, &mut fx)
        .unwrap_err();
    assert_eq!(refused.code, ErrorCode::InvalidState);
    assert!(refused.message.contains("interrupted"), "{refused}");
    router
        .end(&"ann".into(), &id("held"), "Resolved", 7, &mut fx)
        .unwrap();
    assert_eq!(
        router
            .remove_queue(&"general".into(), 8, &mut fx)
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    let customer = Customer {
        name: "Late".into(),
        email: None,
        phone: None,
    };
    let late = router.start_chat(
        id("late"),
        "t",
        "h".into(),
        ChatRequest {
            widget: "site",
            customer,
            first_message: "Hi",
            context: Vec::new(),
            contact: None,
            customer_id: None,
            proactive: false,
        },
        9,
        &mut fx,
    );
    assert_eq!(
        late.unwrap_err().code,
        ErrorCode::NotFound,
        "the widget's queue is gone"
    );
    assert!(router.queue_summaries().iter().all(|q| q.id.0 != "general"));
}

fn from_messenger(router: &mut Router, text: &str, now: u64) -> (ConversationId, Effects) {
    let mut fx = Effects::default();
    let inbound = Inbound {
        channel: Channel::Facebook,
        provider_id: format!("m_{now}"),
        address: ChannelAddress {
            customer: "psid-1".into(),
            ours: "page-1".into(),
        },
        queue: "general".into(),
        text: text.into(),
        attachments: Vec::new(),
        customer_name: None,
    };
    let id = router
        .inbound(
            ConversationId::from("fb"),
            "hash".into(),
            inbound,
            None,
            now,
            &mut fx,
        )
        .unwrap();
    (id, fx)
}

fn outbound(fx: &Effects) -> Vec<Outbound> {
    fx.emits
        .iter()
        .filter_map(|emit| match emit {
            Emit::Errand(Errand::Reply(message)) => Some(message.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn messenger_replies_are_tagged_after_a_day_and_refused_after_a_week() {
    const HOUR: u64 = 3_600_000;
    let mut router = router(&["ann"]);
    let ann = AgentId::from("ann");
    let (id, fx) = from_messenger(&mut router, "Hello", 1_000);
    assert_eq!(offers(&fx), vec![("ann".to_owned(), "fb".to_owned())]);
    // A Messenger customer has no widget to tell about queues or agents joining.
    assert!(customer_events(&fx).is_empty());
    router
        .accept(&ann, &id, 2_000, &mut Effects::default())
        .unwrap();
    let reply = |router: &mut Router, at: u64| {
        let mut fx = Effects::default();
        router
            .agent_message(&ann, &id, "Thanks for waiting", 1_000 + at, &mut fx)
            .map(|()| outbound(&fx))
    };
    let within_a_day = reply(&mut router, 23 * HOUR).unwrap();
    assert_eq!(within_a_day.len(), 1);
    assert!(!within_a_day[0].human_agent);
    assert_eq!(within_a_day[0].address.customer, "psid-1");
    assert!(reply(&mut router, 25 * HOUR).unwrap()[0].human_agent);
    let refused = reply(&mut router, 7 * 24 * HOUR + 1).unwrap_err();
    assert_eq!(refused.code, ErrorCode::InvalidState);
    assert!(refused.message.contains("7 days"), "{}", refused.message);
    // The customer writes again: the window opens anew, in the same conversation.
    let (again, _) = from_messenger(&mut router, "Still there?", 8 * 24 * HOUR);
    assert_eq!(again, id);
    let mut fx = Effects::default();
    router
        .agent_message(&ann, &id, "Yes", 8 * 24 * HOUR + HOUR, &mut fx)
        .unwrap();
    assert!(!outbound(&fx)[0].human_agent);
}

#[test]
fn an_escalation_needs_an_escalation_queue_and_a_reason_and_is_offered_with_it() {
    let mut router = ann_and_cleo_in_billing(PresenceRequest::Available);
    start(&mut router, "c1", 2);
    router
        .accept(&"ann".into(), &id("c1"), 3, &mut Effects::default())
        .unwrap();
    let escalate = |router: &mut Router, queue: &str, reason: &str| {
        let mut fx = Effects::default();
        router
            .escalate(&"ann".into(), &id("c1"), &queue.into(), reason, 4, &mut fx)
            .map(|()| fx)
    };
    let not_escalation = escalate(&mut router, "general", "Wants a manager").unwrap_err();
    assert_eq!(not_escalation.code, ErrorCode::InvalidInput);
    assert_eq!(
        not_escalation.message,
        "General is not an escalation queue."
    );
    let no_reason = escalate(&mut router, "billing", "  ").unwrap_err();
    assert_eq!(no_reason.code, ErrorCode::InvalidInput);
    assert_eq!(
        router.holder(&id("c1")),
        Some(&"ann".into()),
        "refusals change nothing"
    );

    let fx = escalate(&mut router, "billing", "Refund above my limit").unwrap();
    let Some(AgentEvent::Offer { offer }) = agent_events(&fx, "cleo").pop() else {
        panic!("Cleo is offered the escalation")
    };
    assert_eq!(offer.scenario, Scenario::Escalated);
    assert_eq!(offer.comment, "Refund above my limit");
    assert!(agent_events(&fx, "ann").contains(&AgentEvent::State {
        conversation: id("c1"),
        state: InteractionState::Transferred {
            to: "Billing".into()
        },
    }));
    let mut fx = Effects::default();
    router
        .accept(&"cleo".into(), &id("c1"), 5, &mut fx)
        .unwrap();
    let Some(AgentEvent::Snapshot { conversation }) = agent_events(&fx, "cleo").pop() else {
        panic!()
    };
    assert_eq!(
        conversation.history.last().unwrap().text,
        "ANN escalated the conversation to Billing: Refund above my limit"
    );
}

#[test]
fn only_a_widget_with_proactive_chat_on_takes_accepted_invitations() {
    let mut router = router(&["ann"]);
    let mut fx = Effects::default();
    let invited = ChatRequest {
        widget: "site",
        customer: Customer {
            name: "Zoë".into(),
            email: None,
            phone: None,
        },
        first_message: "Hello",
        context: Vec::new(),
        contact: None,
        customer_id: None,
        proactive: true,
    };
    let refused = router
        .start_chat(id("c1"), "token", "hash".into(), invited, 1, &mut fx)
        .unwrap_err();
    assert_eq!(refused.code, ErrorCode::InvalidInput);
    assert!(
        fx.emits.is_empty() && fx.created.is_empty(),
        "nothing changed"
    );
}
