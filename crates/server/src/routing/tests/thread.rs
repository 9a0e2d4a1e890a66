//! Messenger's reply windows.

use super::*;

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
