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
        router.typing_audience(&customer),
        TypingAudience::Nobody,
        "waiting: nobody to tell"
    );
    accepted(&mut router, "ann", "c1", 11);
    assert_eq!(
        router.typing_audience(&customer),
        TypingAudience::Agents(vec!["ann".into()])
    );
    assert_eq!(
        router.typing_audience(&agent("ann")),
        TypingAudience::Customer { name: "ANN".into() }
    );
    assert_eq!(
        router.typing_audience(&agent("bo")),
        TypingAudience::Nobody,
        "an agent not in the conversation is not shown"
    );
    assert_eq!(
        router.typing_audience(&Typist::Customer {
            conversation: id("nowhere")
        }),
        TypingAudience::Nobody
    );
}
