//! International bank account numbers: a registry country code, two check digits and the
//! country's exact length, passing the ISO 7064 mod-97 check; upper or lower case, written plain,
//! in groups of four (spaces or dashes) or with the spacing people actually type (`ES 58 0049 …`).

use std::ops::Range;

use crate::iban_registry::{self, MAX_LENGTH};
use crate::text::{word_at, word_before};

/// What stands where an IBAN's check digits could start.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Candidate {
    /// A valid IBAN.
    Valid(Range<usize>),
    /// Something written like an IBAN that fails its length or checksum, ending at `end`. It is
    /// not masked, and its digits are not read as a card or phone either.
    Invalid { end: usize },
    /// Nothing like an IBAN.
    Absent,
}

/// Looks for an IBAN whose check digits start at byte `digit`, its country code right before
/// them (`DE89…`) or one space before (`ES 58 …`).
pub(crate) fn at_check_digits(text: &str, digit: usize) -> Candidate {
    let bytes = text.as_bytes();
    let start = match digit.checked_sub(3).map(|i| &bytes[i..digit]) {
        // Spaced (`ES 58 0049 …`) only in capitals with the check digits standing alone, so
        // that a word before a number (`is 4111…`) is not taken for a country code.
        Some([a, b, b' ']) if a.is_ascii_uppercase() && b.is_ascii_uppercase() => {
            if bytes.get(digit + 2).is_some_and(u8::is_ascii_alphanumeric) {
                return Candidate::Absent;
            }
            digit - 3
        }
        _ if digit >= 2 && bytes[digit - 2..digit].iter().all(u8::is_ascii_alphabetic) => digit - 2,
        _ => return Candidate::Absent,
    };
    let Some(length) = iban_registry::length(bytes[start], bytes[start + 1]) else {
        return Candidate::Absent;
    };
    if word_before(text, start) || !bytes.get(digit + 1).is_some_and(u8::is_ascii_digit) {
        return Candidate::Absent;
    }
    let (chars, end) = read_chars(bytes, start, length);
    if chars.len() == length && !word_at(text, end) && mod97(&chars) == 1 {
        return Candidate::Valid(start..end);
    }
    match look_alike_end(bytes, start, length) {
        Some(end) => Candidate::Invalid { end },
        None => Candidate::Absent,
    }
}

/// Up to `length` letters and digits from `start`, upper-cased, skipping single spaces or dashes
/// between them; and the byte just past the last one read.
fn read_chars(bytes: &[u8], start: usize, length: usize) -> (CharBuf, usize) {
    let mut chars = CharBuf::default();
    let mut at = start;
    while chars.len() < length {
        match bytes.get(at) {
            Some(b) if b.is_ascii_alphanumeric() => chars.push(b.to_ascii_uppercase()),
            Some(b' ' | b'-') if bytes.get(at + 1).is_some_and(u8::is_ascii_alphanumeric) => {}
            _ => break,
        }
        at += 1;
    }
    (chars, at)
}

/// The end of an IBAN look-alike starting at `start`: space- or dash-separated chunks that each hold a
/// digit or are upper-case bank codes (`NWBK`), about as long as the country's IBANs (`length`).
fn look_alike_end(bytes: &[u8], start: usize, length: usize) -> Option<usize> {
    // A few characters short of the country's length is still a mistyped IBAN.
    const TYPOS: usize = 3;
    let mut end = start;
    let mut count = 0;
    let mut at = start;
    loop {
        let chunk_len = bytes[at..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        let chunk = &bytes[at..at + chunk_len];
        let iban_like = chunk.iter().any(u8::is_ascii_digit)
            || chunk.iter().all(u8::is_ascii_uppercase)
            || count < 4;
        if chunk.is_empty() || !iban_like {
            break;
        }
        count += chunk_len;
        end = at + chunk_len;
        if !matches!(bytes.get(end), Some(b' ' | b'-')) {
            break;
        }
        at = end + 1;
    }
    // Far longer than the country's IBANs, it is a sequence of numbers, each to be looked at.
    (count + TYPOS >= length && count <= length + TYPOS).then_some(end)
}

/// ISO 7064 mod-97-10 over an upper-case IBAN: the first four characters moved to the end,
/// letters counted as 10–35. A valid IBAN leaves 1.
fn mod97(iban: &[u8]) -> u32 {
    let (head, tail) = iban.split_at(4.min(iban.len()));
    tail.iter().chain(head).fold(0, |rest, &c| match c {
        b'0'..=b'9' => (rest * 10 + u32::from(c - b'0')) % 97,
        _ => (rest * 100 + u32::from(c - b'A') + 10) % 97,
    })
}

/// A fixed buffer for an IBAN's characters, so that searching allocates nothing.
struct CharBuf {
    chars: [u8; MAX_LENGTH],
    len: usize,
}

impl Default for CharBuf {
    fn default() -> Self {
        CharBuf {
            chars: [0; MAX_LENGTH],
            len: 0,
        }
    }
}

impl CharBuf {
    fn push(&mut self, c: u8) {
        self.chars[self.len] = c;
        self.len += 1;
    }

    fn len(&self) -> usize {
        self.len
    }
}

impl std::ops::Deref for CharBuf {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.chars[..self.len]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_first_digit(text: &str) -> Candidate {
        at_check_digits(text, text.bytes().position(|b| b.is_ascii_digit()).unwrap())
    }

    #[test]
    fn mod97_accepts_registry_examples() {
        assert_eq!(mod97(b"DE89370400440532013000"), 1);
        assert_eq!(mod97(b"GB29NWBK60161331926819"), 1);
        assert_eq!(mod97(b"GB28NWBK60161331926819"), 0);
    }

    #[test]
    fn finds_plain_grouped_lower_case_and_irregularly_spaced() {
        for text in [
            "DE89370400440532013000",
            "DE89 3704 0044 0532 0130 00",
            "gb29 nwbk 6016 1331 9268 19",
            "ES 91 2100 0418 4502 0005 1332",
            "ES91 21000418 450200051332",
        ] {
            assert_eq!(
                at_first_digit(text),
                Candidate::Valid(0..text.len()),
                "{text}"
            );
        }
    }

    #[test]
    fn look_alikes_are_claimed_but_not_valid() {
        let short = "DE89 3704 0044 0532 0130 0 and more";
        assert_eq!(at_first_digit(short), Candidate::Invalid { end: 26 });
        assert_eq!(
            at_first_digit("AB12 3456 7890 1234 5678"),
            Candidate::Absent
        );
        assert_eq!(at_first_digit("model RT89 is fine"), Candidate::Absent);
        assert_eq!(at_first_digit("is 5545298415377606"), Candidate::Absent);
        assert_eq!(at_first_digit("IS 5545298415377606"), Candidate::Absent);
    }

    #[test]
    fn does_not_swallow_the_next_word() {
        let text = "DE89370400440532013000 thanks";
        assert_eq!(at_first_digit(text), Candidate::Valid(0..22));
    }
}
