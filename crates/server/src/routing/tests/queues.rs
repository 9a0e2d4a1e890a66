//! Transfer and escalation to a queue, removing a queue.

use super::*;

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
    let early = router.transfer_to_queue(
        &"ann".into(),
        &id("c1"),
        &"billing".into(),
        None,
        3,
        &mut fx,
    );
    assert_eq!(
        early.unwrap_err().code,
        ErrorCode::InvalidState,
        "only after accepting"
    );
    router.accept(&"ann".into(), &id("c1"), 4, &mut fx).unwrap();
    let unknown = router.transfer_to_queue(
        &"ann".into(),
        &id("c1"),
        &"nowhere".into(),
        None,
        5,
        &mut fx,
    );
    assert_eq!(unknown.unwrap_err().code, ErrorCode::NotFound);

    let mut fx = Effects::default();
    router
        .transfer_to_queue(
            &"ann".into(),
            &id("c1"),
            &"billing".into(),
            None,
            6,
            &mut fx,
        )
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
            client: None,
            language: None,
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
    let conversation = accepted(&mut router, "cleo", "c1", 5);
    assert_eq!(
        conversation.history.last().unwrap().text,
        "ANN escalated the conversation to Billing: Refund above my limit"
    );
}
