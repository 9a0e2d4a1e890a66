//! Properties over generated text: every valid value planted in ordinary text is found and
//! masked exactly; masking is idempotent and leaves nothing to find; nothing panics.

#[path = "../support/generate.rs"]
mod generate;

use generate::{Planted, any_planted, expected_mask, words};
use proptest::prelude::*;
use switchboard_mask::Masker;

/// Ordinary text with values planted between words, optionally next to punctuation.
fn document() -> impl Strategy<Value = (String, Vec<(Planted, std::ops::Range<usize>)>, String)> {
    let opening = prop::sample::select(vec!["", "(", "\"", "«"]);
    let closing = prop::sample::select(vec!["", ")", ",", ".", "!", "?", "\"", "»"]);
    let piece = (words(), opening, any_planted(), closing);
    (proptest::collection::vec(piece, 1..4), words()).prop_map(|(pieces, tail)| {
        let mut text = String::new();
        let mut masked = String::new();
        let mut planted = Vec::new();
        for (before, opening, value, closing) in pieces {
            let lead = format!("{before} {opening}");
            text.push_str(&lead);
            masked.push_str(&lead);
            let start = text.len();
            text.push_str(&value.text);
            masked.push_str(&expected_mask(&value));
            planted.push((value, start..text.len()));
            let trail = format!("{closing} ");
            text.push_str(&trail);
            masked.push_str(&trail);
        }
        text.push_str(&tail);
        masked.push_str(&tail);
        (text, planted, masked)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn planted_values_are_found_with_their_kind_and_span((text, planted, _) in document()) {
        let found = Masker::default().find(&text);
        for (value, range) in &planted {
            prop_assert!(
                found.iter().any(|f| f.kind == value.kind && f.range == *range),
                "{:?} {:?} not found in {:?}: {:?}", value.kind, value.text, text, found
            );
        }
        prop_assert_eq!(found.len(), planted.len(), "extra findings in {:?}: {:?}", text, found);
    }

    #[test]
    fn planted_values_are_masked_exactly_by_the_rules((text, _, expected) in document()) {
        prop_assert_eq!(Masker::default().mask(&text), expected);
    }

    #[test]
    fn masking_is_idempotent_and_leaves_nothing_to_find((text, _, _) in document()) {
        assert_final(&text)?;
    }

    #[test]
    fn masking_any_text_is_final(text in any_text()) {
        assert_final(&text)?;
    }

    #[test]
    fn findings_are_ordered_disjoint_and_on_character_boundaries(text in any_text()) {
        let found = Masker::default().find(&text);
        for pair in found.windows(2) {
            prop_assert!(pair[0].range.end <= pair[1].range.start);
        }
        for finding in &found {
            prop_assert!(text.is_char_boundary(finding.range.start) && text.is_char_boundary(finding.range.end));
            prop_assert!(finding.range.start < finding.range.end);
        }
        Masker::default().mask(&text);
    }
}

/// Masking `text` again changes nothing, and nothing is left to find in it.
fn assert_final(text: &str) -> Result<(), TestCaseError> {
    let masker = Masker::default();
    let masked = masker.mask(text).into_owned();
    prop_assert_eq!(masker.mask(&masked), masked.as_str());
    prop_assert_eq!(masker.find(&masked), vec![]);
    Ok(())
}

/// Arbitrary text, leaning toward the characters numbers and addresses are made of, and toward
/// runs of digit groups.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9 +()\\-.@a-zA-Z#$€*_ščř]{0,80}",
        "(\\(?\\+?[0-9]{1,6}\\)?([ .\\-][0-9]{1,6}){0,6}[ a-z@.,]{0,3}){1,5}",
    ]
}
