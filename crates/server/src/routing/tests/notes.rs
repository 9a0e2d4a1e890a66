//! Internal notes: in the thread for the agents, never for the customer.

use super::*;

fn note_texts(fx: &Effects, agent: &str) -> Vec<String> {
    agent_events(fx, agent)
        .into_iter()
        .filter_map(|event| match event {
            AgentEvent::Message { message } if matches!(message.from, Sender::Note { .. }) => {
                Some(message.text)
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_note_reaches_the_conference_and_is_stored_but_never_reaches_the_customer() {
    let mut router = router(&["ann", "bo", "cy"]);
    start(&mut router, "c1", 10);
    accepted(&mut router, "ann", "c1", 11);
    let mut fx = Effects::default();
    router
        .conference_invite(&"ann".into(), &id("c1"), &"bo".into(), 12, &mut fx)
        .unwrap();
    accepted(&mut router, "bo", "c1", 13);

    let mut fx = Effects::default();
    router
        .agent_note(&"ann".into(), &id("c1"), "Refund approved", 14, &mut fx)
        .unwrap();
    assert_eq!(note_texts(&fx, "ann"), ["Refund approved"]);
    assert_eq!(note_texts(&fx, "bo"), ["Refund approved"]);
    assert_eq!(customer_events(&fx), []);
    assert_eq!(fx.messages.len(), 1, "stored with the thread");
    assert_eq!(
        fx.messages[0].from,
        Sender::Note {
            agent: "ann".into(),
            name: "ANN".into()
        }
    );

    let outsider = router.agent_note(&"cy".into(), &id("c1"), "Hi", 15, &mut fx);
    assert_eq!(outsider.unwrap_err().code, ErrorCode::InvalidState);
    let reserved = router.agent_note(&"ann".into(), &id("c1"), "<b>", 15, &mut fx);
    assert_eq!(reserved.unwrap_err().code, ErrorCode::ReservedCharacters);
    assert_eq!(fx.messages.len(), 1, "refused notes change nothing");
}

#[test]
fn a_note_on_an_sms_conversation_is_not_sent_to_the_phone() {
    let mut router = router(&["ann"]);
    let mut fx = Effects::default();
    let inbound = Inbound {
        channel: Channel::Sms,
        provider_id: "SM1".into(),
        address: ChannelAddress {
            customer: "+15550001111".into(),
            ours: "+15550002222".into(),
        },
        queue: "general".into(),
        text: "Hello".into(),
        attachments: Vec::new(),
        customer_name: None,
    };
    let id = router
        .inbound("sms".into(), "hash".into(), inbound, None, 1, &mut fx)
        .unwrap();
    router
        .accept(&"ann".into(), &id, 2, &mut Effects::default())
        .unwrap();
    let mut fx = Effects::default();
    router
        .agent_note(&"ann".into(), &id, "Called them back", 3, &mut fx)
        .unwrap();
    assert!(
        !fx.emits.iter().any(|emit| matches!(emit, Emit::Errand(_))),
        "no reply leaves through the provider: {:?}",
        fx.emits
    );
    assert_eq!(note_texts(&fx, "ann"), ["Called them back"]);
}

#[test]
fn a_transfer_carries_its_note_to_the_offer_and_the_thread() {
    let mut router = router(&["ann", "bo"]);
    start(&mut router, "c1", 10);
    accepted(&mut router, "ann", "c1", 11);
    let mut fx = Effects::default();
    let bad = router.transfer_to_agent(
        &"ann".into(),
        &id("c1"),
        &"bo".into(),
        Some(" "),
        12,
        &mut fx,
    );
    assert_eq!(bad.unwrap_err().code, ErrorCode::EmptyMessage);
    assert_eq!(offers(&fx), [], "a refused note stops the transfer");

    router
        .transfer_to_agent(
            &"ann".into(),
            &id("c1"),
            &"bo".into(),
            Some("Wants the invoice resent"),
            12,
            &mut fx,
        )
        .unwrap();
    let Some(AgentEvent::Offer { offer }) = agent_events(&fx, "bo").pop() else {
        panic!("Bo is offered the transfer")
    };
    assert_eq!(offer.comment, "Wants the invoice resent");
    assert_eq!(customer_events(&fx), []);
    let snapshot = accepted(&mut router, "bo", "c1", 13);
    assert!(snapshot.history.iter().any(|message| {
        message.text == "Wants the invoice resent" && matches!(message.from, Sender::Note { .. })
    }));

    // The next offer, a queue transfer without a note, shows the customer's words again.
    let mut fx = Effects::default();
    router
        .transfer_to_queue(
            &"bo".into(),
            &id("c1"),
            &"general".into(),
            None,
            14,
            &mut fx,
        )
        .unwrap();
    let Some(AgentEvent::Offer { offer }) = agent_events(&fx, "ann").pop() else {
        panic!("Ann is offered it from the queue: {:?}", fx.emits)
    };
    assert_eq!(offer.comment, "Hello");
}
