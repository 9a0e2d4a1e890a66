//! Proptest strategies for valid sensitive values in the spellings people type, and for the
//! ordinary text around them. Shared by the property and look-alike tests.

#![allow(dead_code, unreachable_pub)]

use proptest::prelude::*;
use proptest::sample::select;
use switchboard_mask::Kind;

/// A value to plant, with its kind.
#[derive(Clone, Debug)]
pub struct Planted {
    pub kind: Kind,
    pub text: String,
}

fn digits(len: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(0u8..10, len)
        .prop_map(|ds| ds.iter().map(|d| char::from(b'0' + d)).collect())
}

/// The digit that completes `body` so that it passes the Luhn check.
pub fn luhn_check_digit(body: &str) -> char {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
            } else {
                d
            }
        })
        .sum();
    char::from(b'0' + ((10 - sum % 10) % 10) as u8)
}

/// Splits `digits` into groups of the given lengths joined by `sep`.
pub fn grouped(digits: &str, lengths: &[usize], sep: &str) -> String {
    let mut at = 0;
    let groups: Vec<&str> = lengths
        .iter()
        .map(|len| {
            let group = &digits[at..at + len];
            at += len;
            group
        })
        .collect();
    groups.join(sep)
}

/// Card digits (issuer prefix, random body, Luhn check digit) and how they are grouped.
pub fn card_digits() -> impl Strategy<Value = (String, Vec<usize>)> {
    let issuers: Vec<(&str, usize, Vec<usize>)> = vec![
        ("4", 16, vec![4, 4, 4, 4]),
        ("4", 13, vec![4, 4, 4, 1]),
        ("4", 19, vec![4, 4, 4, 4, 3]),
        ("51", 16, vec![4, 4, 4, 4]),
        ("2221", 16, vec![4, 4, 4, 4]),
        ("34", 15, vec![4, 6, 5]),
        ("37", 15, vec![4, 6, 5]),
        ("36", 14, vec![4, 6, 4]),
        ("6011", 16, vec![4, 4, 4, 4]),
        ("3528", 16, vec![4, 4, 4, 4]),
        ("62", 19, vec![4, 4, 4, 4, 3]),
        ("6759", 12, vec![4, 4, 4]),
    ];
    select(issuers).prop_flat_map(|(prefix, len, groups)| {
        digits(len - prefix.len() - 1).prop_map(move |body| {
            let body = format!("{prefix}{body}");
            let check = luhn_check_digit(&body);
            (format!("{body}{check}"), groups.clone())
        })
    })
}

pub fn card() -> impl Strategy<Value = Planted> {
    (card_digits(), select(vec!["", " ", "-"])).prop_map(|((digits, groups), sep)| Planted {
        kind: Kind::Card,
        text: if sep.is_empty() {
            digits
        } else {
            grouped(&digits, &groups, sep)
        },
    })
}

/// A valid IBAN, upper case and unspaced, for any registry country.
pub fn iban_compact() -> impl Strategy<Value = String> {
    let countries: Vec<(&str, usize)> = switchboard_mask::iban_countries().collect();
    select(countries).prop_flat_map(|(country, length)| {
        let bban_char = prop_oneof![4 => (0u8..10).prop_map(|d| b'0' + d), 1 => (0u8..26).prop_map(|l| b'A' + l)];
        proptest::collection::vec(bban_char, length - 4).prop_map(move |bban| {
            let bban = String::from_utf8(bban).unwrap();
            let check = 98 - mod97(&format!("{bban}{country}00"));
            format!("{country}{check:02}{bban}")
        })
    })
}

fn mod97(digits_and_letters: &str) -> u32 {
    digits_and_letters.bytes().fold(0, |rest, c| match c {
        b'0'..=b'9' => (rest * 10 + u32::from(c - b'0')) % 97,
        _ => (rest * 100 + u32::from(c - b'A') + 10) % 97,
    })
}

/// Groups of four: `DE89 3704 0044 0532 0130 00`.
pub fn in_fours(compact: &str) -> String {
    compact
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn iban() -> impl Strategy<Value = Planted> {
    (iban_compact(), 0..4).prop_map(|(compact, spelling)| Planted {
        kind: Kind::Iban,
        text: match spelling {
            0 => compact,
            1 => in_fours(&compact),
            2 => in_fours(&compact).to_lowercase(),
            // The spacing people type: `ES 58 0049 1500 …`.
            _ => format!(
                "{} {} {}",
                &compact[..2],
                &compact[2..4],
                in_fours(&compact[4..])
            ),
        },
    })
}

pub fn ssn() -> impl Strategy<Value = Planted> {
    let area = (1u32..900).prop_filter("never issued", |area| *area != 666);
    (
        area,
        1u32..100,
        1u32..10_000,
        select(vec!["-", " ", ".", ""]),
    )
        .prop_map(|(a, g, s, sep)| Planted {
            kind: Kind::Ssn,
            text: format!("{a:03}{sep}{g:02}{sep}{s:04}"),
        })
}

pub fn email() -> impl Strategy<Value = Planted> {
    let local =
        "[a-zàáçčďéěíłńňóöřśšťúůüýźżž][a-z0-9áčéłřšž_+-]{0,3}(\\.[a-z0-9]{1,5}){0,2}[a-z0-9]";
    let domain = "[a-z][a-z0-9-]{0,8}[a-z0-9](\\.[a-z]{2,8}){0,2}\\.[a-z]{2,6}";
    (local, domain).prop_map(|(local, domain)| Planted {
        kind: Kind::Email,
        text: format!("{local}@{domain}"),
    })
}

pub fn phone() -> impl Strategy<Value = Planted> {
    let shapes = vec![
        "+D (DDD) DDD DDDD",
        "+ D (DDD) DDD DDDD",
        "+DDDDDDDDDDDD",
        "+DDDDDDDDDDD",
        "+DD DD DDDDDDD",
        "+DD DDDD DDDDDD",
        "+DD D DD DD DD DD",
        "+DDD DDD DDD DDD",
        "(DDD) DDD-DDDD",
        "DDD-DDD-DDDD",
        "DDD.DDD.DDDD",
        "DDDDD DDDDDD",
        "0D DD DD DD DD",
        "DDD DDD DDD",
        "DDD-DDDD",
    ];
    (select(shapes), digits(15)).prop_map(|(shape, pool)| {
        let mut pool = pool.chars();
        let text = shape
            .chars()
            .map(|c| if c == 'D' { pool.next().unwrap() } else { c })
            .collect();
        Planted {
            kind: Kind::Phone,
            text,
        }
    })
}

pub fn any_planted() -> impl Strategy<Value = Planted> {
    prop_oneof![card(), iban(), ssn(), email(), phone()]
}

/// Ordinary words in the languages of the seed material, with punctuation: no digits, no `@`.
pub fn words() -> impl Strategy<Value = String> {
    let word = "[a-zA-Záčďéěíňóřšťúůýžæøåàâçèêëîïôùûüÿœąćęłńśźż]{1,10}";
    proptest::collection::vec(
        (word, select(vec!["", ",", ".", "!", "?", ":", " –"])),
        1..6,
    )
    .prop_map(|words| {
        words
            .into_iter()
            .map(|(w, p)| format!("{w}{p}"))
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// The masked form of a planted value, written from the specification's rules alone.
pub fn expected_mask(planted: &Planted) -> String {
    let text = &planted.text;
    match planted.kind {
        Kind::Phone => {
            let kept: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
            let hidden = kept.len() - 4;
            kept.iter()
                .enumerate()
                .map(|(i, c)| if i < hidden { '*' } else { *c })
                .collect()
        }
        Kind::Email => {
            let (local, domain) = text.split_once('@').unwrap();
            let first = local.chars().next().unwrap();
            format!("{first}{}@{domain}", "*".repeat(local.chars().count() - 1))
        }
        Kind::Card | Kind::Iban | Kind::Ssn => {
            let significant = text.chars().filter(|c| c.is_alphanumeric()).count();
            let mut seen = 0;
            text.chars()
                .map(|c| {
                    if !c.is_alphanumeric() {
                        return c;
                    }
                    seen += 1;
                    if seen <= significant - 4 { '*' } else { c }
                })
                .collect()
        }
    }
}
