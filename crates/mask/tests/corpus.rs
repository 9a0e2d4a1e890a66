//! Recall and precision against the chat corpus's planted values.

#[path = "../support/corpus.rs"]
mod corpus;

use switchboard_mask::Masker;

#[test]
fn every_planted_value_is_found_and_clean_messages_stay_clean() {
    let messages = corpus::messages();
    let score = corpus::score(&Masker::default(), &messages);
    assert_eq!(messages.len(), 10_000);
    assert!(
        score.planted > 1_500,
        "the corpus plants values in about a fifth of its messages"
    );
    assert!(
        score.missed.is_empty(),
        "missed {} planted values: {:#?}",
        score.missed.len(),
        &score.missed[..score.missed.len().min(10)]
    );
    // The target is ≥ 99% of clean messages with no finding; the corpus's clean messages are all
    // ordinary chat, so none should have one.
    assert!(
        score.false_positives.is_empty(),
        "{} clean messages had findings: {:#?}",
        score.false_positives.len(),
        &score.false_positives[..score.false_positives.len().min(10)]
    );
}
