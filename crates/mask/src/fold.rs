//! Folding: the characters people type in place of ASCII digits, spaces, dashes and letters
//! (full-width forms from East Asian keyboards, the non-breaking and thin spaces that word
//! processors and phones put between digit groups, typographic dashes, Arabic-Indic digits) are
//! read as their ASCII counterparts, so that `４１１１ １１１１ …` or `4111 1111 …` with
//! thin spaces is a card like any other. Detection runs over the folded text; findings are mapped
//! back to the original.

use std::ops::Range;

/// A text with every foldable character replaced by its ASCII counterpart.
pub(crate) struct Folded {
    text: String,
    /// For each byte of `text`, and for its end, the byte of the original it stands for.
    origin: Vec<usize>,
}

impl Folded {
    /// The folded form of `text`, or `None` when there is nothing to fold (the common case,
    /// decided without allocating).
    pub(crate) fn of(text: &str) -> Option<Folded> {
        if !has_foldable(text) {
            return None;
        }
        let mut folded = String::with_capacity(text.len());
        let mut origin = Vec::with_capacity(text.len() + 1);
        for (at, c) in text.char_indices() {
            let c = ascii_for(c).map_or(c, char::from);
            folded.push(c);
            origin.extend(std::iter::repeat_n(at, c.len_utf8()));
        }
        origin.push(text.len());
        Some(Folded {
            text: folded,
            origin,
        })
    }

    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// Where a range of the folded text stands in the original.
    pub(crate) fn original(&self, range: Range<usize>) -> Range<usize> {
        self.origin[range.start]..self.origin[range.end]
    }
}

/// Whether `text` has a character to fold. Every foldable character's UTF-8 form starts with
/// one of a few lead bytes; text in most languages has none of them, and is checked at memchr's
/// speed without decoding a character.
fn has_foldable(text: &str) -> bool {
    if text.is_ascii() {
        return false;
    }
    let bytes = text.as_bytes();
    let may_fold = |at: usize| {
        text.get(at..)
            .and_then(|rest| rest.chars().next())
            .is_some_and(|c| ascii_for(c).is_some())
    };
    // U+00A0; U+0660–U+06F9; U+2000–U+2212 and U+3000; U+FF08–U+FF5A.
    memchr::memchr3_iter(0xC2, 0xD9, 0xDB, bytes).any(may_fold)
        || memchr::memchr3_iter(0xE2, 0xE3, 0xEF, bytes).any(may_fold)
}

/// The ASCII character `c` is typed in place of, if it is one detection must see through.
fn ascii_for(c: char) -> Option<u8> {
    let code = u32::from(c);
    let ascii = match code {
        // Full-width digits, Arabic-Indic and extended Arabic-Indic digits.
        0xFF10..=0xFF19 => b'0' + (code - 0xFF10) as u8,
        0x0660..=0x0669 => b'0' + (code - 0x0660) as u8,
        0x06F0..=0x06F9 => b'0' + (code - 0x06F0) as u8,
        // Full-width Latin letters: IBAN country codes and bank codes, e-mail addresses.
        0xFF21..=0xFF3A => b'A' + (code - 0xFF21) as u8,
        0xFF41..=0xFF5A => b'a' + (code - 0xFF41) as u8,
        // No-break, figure, thin, hair and other fixed-width spaces; the ideographic space.
        0x00A0 | 0x2000..=0x200A | 0x202F | 0x205F | 0x3000 => b' ',
        // Hyphens, figure and en dashes, the minus sign, the full-width hyphen-minus.
        0x2010..=0x2013 | 0x2212 | 0xFF0D => b'-',
        0xFF0B => b'+',
        0xFF08 => b'(',
        0xFF09 => b')',
        0xFF0E => b'.',
        0xFF20 => b'@',
        _ => return None,
    };
    Some(ascii)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_not_copied() {
        assert!(Folded::of("card 4111 1111 1111 1111").is_none());
        assert!(Folded::of("zoë écrit « bonjour »").is_none());
        // Lead bytes shared with foldable characters, but other characters: nothing to fold.
        assert!(Folded::of("© 2026 — “quoted” ‘text’ … ½ ﻿").is_none());
    }

    #[test]
    fn every_foldable_character_is_noticed_among_other_non_ascii_text() {
        for foldable in [
            '\u{a0}', '٣', '۳', '\u{2009}', '–', '−', '\u{3000}', '４', 'Ａ', '＠',
        ] {
            let text = format!("Dobrý den, číslo 12{foldable}34");
            assert!(Folded::of(&text).is_some(), "{foldable:?}");
        }
    }

    #[test]
    fn folded_ranges_map_back_to_the_original() {
        let text = "n° ４１\u{2009}１";
        let folded = Folded::of(text).unwrap();
        assert_eq!(folded.text(), "n° 41 1");
        let digits = folded.text().find('4').unwrap()..folded.text().len();
        assert_eq!(&text[folded.original(digits)], "４１\u{2009}１");
    }
}
