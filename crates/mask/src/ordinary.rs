//! Numbers that ordinary chat is full of and that are not sensitive: dates, amounts, ZIP+4 codes,
//! order and ticket references. They are recognised only so that they are never masked.

use std::iter::Peekable;

use crate::run::Run;

/// Whether groups `first..first + 3` are a date: `2024-05-12`, `12.05.2024`, `1-5-2024`.
pub(crate) fn date_at(run: &Run, first: usize) -> bool {
    let last = first + 2;
    let Some(groups) = run.groups().get(first..=last) else {
        return false;
    };
    let [a, b, c] = [groups[0].len(), groups[1].len(), groups[2].len()];
    let year_first = a == 4 && b <= 2 && c <= 2;
    let year_last = a <= 2 && b <= 2 && c == 4;
    (year_first || year_last) && run.uniformly_separated(first, last, b"-.")
}

/// Whether groups `first..=last` are an amount with thousands separators: `1 250 000`,
/// `1.250.000`. Three-digit leading groups joined by spaces stay phone-like: Czech and Polish
/// numbers are written `603 123 456`.
pub(crate) fn amount(run: &Run, first: usize, last: usize) -> bool {
    let groups = &run.groups()[first..=last];
    let (lead, thousands) = groups
        .split_first()
        .expect("a range of groups is never empty");
    let sep = groups.get(1).map_or(0, |group| group.sep);
    !thousands.is_empty()
        && (1..=3).contains(&lead.len())
        && thousands.iter().all(|group| group.len() == 3)
        && run.uniformly_separated(first, last, b" .")
        && !(lead.len() == 3 && sep == b' ')
}

/// Whether groups `first..=last` are a US ZIP+4 code: `94107-1234`.
pub(crate) fn zip_plus_four(run: &Run, first: usize, last: usize) -> bool {
    run.lengths_are(first, last, &[5, 4]) && run.groups()[last].sep == b'-'
}

/// Whether the run follows a currency sign (`$1 250 000`, `€ 1.250.000`).
pub(crate) fn after_currency(run: &Run) -> bool {
    let before = run.text[..run.start()].trim_end_matches(' ');
    before.ends_with(['$', '€', '£', '¥'])
}

/// Nouns that introduce a reference number, in the languages of the seed material: stems of five
/// letters or more match their inflections (`objednávky`, `zamówienia`), shorter ones exactly.
const REFERENCE_WORDS: &[&str] = &[
    "order",
    "ticket",
    "invoice",
    "case",
    "ref",
    "reference",
    "tracking",
    "parcel",
    "booking",
    "confirmation",
    "objednávk",
    "faktur",
    "reklamac",
    "zásilk",
    "ordre",
    "sag",
    "pakke",
    "commande",
    "factur",
    "dossier",
    "colis",
    "zamówieni",
    "zgłoszeni",
    "przesyłk",
];

/// Words that stand between such a noun and its number: `zamówienia nr 123456789`.
const NUMBER_WORDS: &[&str] = &["nr", "no", "n", "č", "číslo", "numer", "number", "numéro"];

/// Whether the number at byte `start` is written as a reference: `#123456789`,
/// `order 123456789`, `Ticket: 123456789`, `zamówienia nr 123456789`.
pub(crate) fn reference(text: &str, start: usize) -> bool {
    // Only a few characters (`: `, ` #`, `. `) may stand between the word and the number, and
    // only two words before it count: the look-back is bounded whatever the text.
    const GAP: usize = 3;
    let before = &text[..start];
    if before.ends_with('#') {
        return true;
    }
    let mut chars = before.char_indices().rev().peekable();
    let mut gap = 0;
    while chars.next_if(|(_, c)| !c.is_alphabetic()).is_some() {
        gap += 1;
        if gap > GAP {
            return false;
        }
    }
    let mut word = Word::before(&mut chars);
    if NUMBER_WORDS.iter().any(|number| word.is(number)) {
        // `nr`, `no.`, `č.` between the noun and its number: the noun is one separator back.
        if chars.next_if(|(_, c)| !c.is_alphabetic()).is_none() {
            return false;
        }
        word = Word::before(&mut chars);
    }
    REFERENCE_WORDS
        .iter()
        .any(|stem| word.is(stem) || (stem.chars().count() >= 5 && word.starts_with(stem)))
}

/// The last word before a number, lower-cased, held without allocating (at most 24 letters).
struct Word {
    letters: [char; Word::LONGEST],
    len: usize,
}

impl Word {
    const LONGEST: usize = 24;

    /// The word that ends where `chars`, read backwards, stand.
    fn before(chars: &mut Peekable<impl Iterator<Item = (usize, char)>>) -> Word {
        let mut word = Word {
            letters: ['\0'; Word::LONGEST],
            len: 0,
        };
        while word.len < Word::LONGEST {
            let Some((_, c)) = chars.next_if(|(_, c)| c.is_alphabetic()) else {
                break;
            };
            // Lower-casing to one character is enough for the words compared against.
            word.letters[word.len] = c.to_lowercase().next().unwrap_or(c);
            word.len += 1;
        }
        word.letters[..word.len].reverse();
        word
    }

    fn is(&self, other: &str) -> bool {
        self.letters[..self.len].iter().copied().eq(other.chars())
    }

    fn starts_with(&self, prefix: &str) -> bool {
        let mut letters = self.letters[..self.len].iter();
        prefix.chars().all(|c| letters.next() == Some(&c))
    }
}
