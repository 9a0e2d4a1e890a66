//! The words PostgreSQL's search index holds and its queries look for, as one rule on both
//! sides: runs of letters and digits, accents aside, lowercase. The server computes them, so that
//! PostgreSQL only stores them (`array_to_tsvector`): its own way — `unaccent`, a regular
//! expression and `to_tsvector` in SQL — took 21 µs of the database's CPU for a message of 110
//! characters, and about a fifth of the indexer's time beside routing.
//!
//! Accents are set aside by PostgreSQL's `unaccent` rules themselves (`unaccent.rules`, copied
//! as PostgreSQL 15 ships it; its licence in the README): rows indexed by SQL before the server
//! computed their words hold the same words.

use std::collections::HashMap;
use std::sync::LazyLock;

/// Each character the rules replace, with what replaces it (nothing: it is dropped).
static UNACCENTED: LazyLock<HashMap<char, &'static str>> = LazyLock::new(|| {
    include_str!("unaccent.rules")
        .lines()
        .filter_map(|rule| {
            let mut parts = rule.splitn(2, '\t');
            let mut from = parts.next()?.chars();
            let (Some(from), None) = (from.next(), from.next()) else {
                return None;
            };
            Some((from, parts.next().unwrap_or("").trim()))
        })
        .collect()
});

/// The longest word an index entry may hold, in bytes; `to_tsvector` left longer ones out.
const LONGEST_WORD: usize = 2047;

/// The words `text` is found by.
pub(super) fn indexed_words(text: &str) -> Vec<String> {
    let mut unaccented = String::with_capacity(text.len());
    for character in text.chars() {
        match UNACCENTED.get(&character) {
            Some(replacement) => unaccented.push_str(replacement),
            None => unaccented.push(character),
        }
    }
    unaccented
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .filter(|word| word.len() <= LONGEST_WORD)
        .collect()
}

/// `text`'s words as `search_text` stores them: one string, split by `array_to_tsvector`'s
/// caller at the spaces (a word holds none).
pub(super) fn stored_words(text: &str) -> String {
    indexed_words(text).join(" ")
}

/// A `tsquery`, read as it is written (`::tsquery`): every word of `words` as a word's
/// beginning. A word holds only letters and digits, so none of the query's syntax gets through.
/// `None` when the words hold nothing to look for.
pub(super) fn tsquery(words: &[String]) -> Option<String> {
    let terms: Vec<String> = words
        .iter()
        .flat_map(|word| indexed_words(word))
        .map(|word| format!("'{word}':*"))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" & "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_runs_of_letters_and_digits_unaccented_and_lowercase() {
        assert_eq!(
            indexed_words("Zoë's café, ŁÓDŹ & Straße — ann@example.com +1 555-0100 Привет x½y"),
            [
                "zoe",
                "s",
                "cafe",
                "lodz",
                "strasse",
                "ann",
                "example",
                "com",
                "1",
                "555",
                "0100",
                "привет",
                "x1",
                "2y"
            ]
        );
        assert_eq!(indexed_words(" \u{301} — "), Vec::<String>::new());
        let long = "a".repeat(LONGEST_WORD + 1);
        assert_eq!(stored_words(&format!("short {long} word")), "short word");
    }

    #[test]
    fn a_query_is_the_same_words_each_as_a_beginning() {
        let words = crate::store::search::words(r#"Zoë "NEAR(a b)" ½"#);
        assert_eq!(
            tsquery(&words).as_deref(),
            Some("'zoe':* & 'near':* & 'a':* & 'b':* & '1':* & '2':*")
        );
        assert_eq!(tsquery(&["\u{301}".to_owned()]), None);
    }
}
