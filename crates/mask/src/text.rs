//! Character classes shared by the detectors: what counts as part of a word.

/// Whether `c` makes a word: a match must not start or end glued to one.
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether the character that ends at byte `at` belongs to a word.
pub(crate) fn word_before(text: &str, at: usize) -> bool {
    text[..at].chars().next_back().is_some_and(is_word_char)
}

/// Whether the character that starts at byte `at` belongs to a word.
pub(crate) fn word_at(text: &str, at: usize) -> bool {
    text[at..].chars().next().is_some_and(is_word_char)
}

/// The byte just past the ASCII word (letters, digits, `_`) that contains `at`.
pub(crate) fn ascii_word_end(bytes: &[u8], at: usize) -> usize {
    bytes[at..]
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
        .map_or(bytes.len(), |len| at + len)
}
