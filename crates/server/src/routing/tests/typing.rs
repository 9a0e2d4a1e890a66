//! Who sees someone typing.

use super::*;
use crate::routing::{TypingAudience, Typist};

#[test]
fn typing_reaches_the_other_side_of_a_held_conversation_only() {
    let mut router = router(&["ann", "bo"]);
    start(&mut router, "c1", 10);
    let customer = Typist::Customer {
        conversation: id("c1"),
    };
    let agent = |name: &str| Typist::Agent {
        agent: name.into(),
        conversation: id("c1"),
    };
    assert_eq!(
        router.typing_audience(&customer, 12),
        TypingAudience::Nobody,
        "waiting: nobody to tell"
    );
    accepted(&mut router, "ann", "c1", 11);
    assert_eq!(
        router.typing_audience(&customer, 12),
        TypingAudience::Agents(vec!["ann".into()])
    );
    assert_eq!(
        router.typing_audience(&agent("ann"), 12),
        TypingAudience::Customer { name: "ANN".into() }
    );
    assert_eq!(
        router.typing_audience(&agent("bo"), 12),
        TypingAudience::Nobody,
        "an agent not in the conversation is not shown"
    );
    assert_eq!(
        router.typing_audience(
            &Typist::Customer {
                conversation: id("nowhere")
            },
            12
        ),
        TypingAudience::Nobody
    );
}

#[test]
fn a_messenger_customer_sees_the_page_typing_within_a_day_of_writing() {
    const HOUR: u64 = 3_600_000;
    let mut router = router(&["ann"]);
    let address = ChannelAddress {
        customer: "psid-1".into(),
        ours: "page-1".into(),
    };
    let inbound = Inbound {
        channel: Channel::Facebook,
        provider_id: "m_1".into(),
        address: address.clone(),
        queue: "general".into(),
        text: "Hello".into(),
        attachments: Vec::new(),
        customer_name: None,
    };
    let fb = router
        .inbound(
            "fb".into(),
            "hash".into(),
            inbound,
            None,
            1_000,
            &mut Effects::default(),
        )
        .unwrap();
    router
        .accept(&"ann".into(), &fb, 2_000, &mut Effects::default())
        .unwrap();
    let ann = Typist::Agent {
        agent: "ann".into(),
        conversation: fb,
    };
    assert_eq!(
        router.typing_audience(&ann, 1_000 + 23 * HOUR),
        TypingAudience::Messenger { address }
    );
    assert_eq!(
        router.typing_audience(&ann, 1_000 + 25 * HOUR),
        TypingAudience::Nobody,
        "past the day, the page may only send tagged messages"
    );
}
