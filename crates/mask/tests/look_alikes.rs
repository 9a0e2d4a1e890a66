//! Look-alikes that must not be masked: numbers that fail their checksum or length, SSNs from
//! never-issued ranges, and the dates, prices, versions and references ordinary chat is full of.

#[path = "../support/generate.rs"]
mod generate;

use generate::{card_digits, grouped, iban_compact, in_fours, luhn_check_digit, words};
use proptest::prelude::*;
use proptest::sample::select;
use switchboard_mask::{Kind, Masker};

fn found(text: &str) -> Vec<(Kind, String)> {
    Masker::default()
        .find(text)
        .into_iter()
        .map(|finding| (finding.kind, text[finding.range].to_owned()))
        .collect()
}

/// A card number with its check digit replaced by a wrong one.
fn luhn_invalid_card() -> impl Strategy<Value = (String, Vec<usize>)> {
    (card_digits(), 1u8..10).prop_map(|((digits, groups), shift)| {
        let (body, check) = digits.split_at(digits.len() - 1);
        let wrong = (check.as_bytes()[0] - b'0' + shift) % 10;
        (format!("{body}{wrong}"), groups)
    })
}

/// A date as people write it, with or without a time.
fn date() -> impl Strategy<Value = String> {
    (1990u32..2040, 1u32..13, 1u32..29, 0u32..24, 0u32..60, 0..6).prop_map(
        |(y, m, d, h, min, style)| match style {
            0 => format!("{y}-{m:02}-{d:02}"),
            1 => format!("{d:02}.{m:02}.{y}"),
            2 => format!("{d}/{m}/{y}"),
            3 => format!("{y}-{m:02}-{d:02} {h:02}:{min:02}"),
            4 => format!("{d}. {m}. {y}"),
            _ => format!("{m:02}-{d:02}-{y}"),
        },
    )
}

/// An amount in the notations of English, Czech, Danish, French and Polish.
fn price() -> impl Strategy<Value = String> {
    (1u64..100_000_000, 0u32..100, 0..7).prop_map(|(whole, cents, style)| {
        let thousands = |sep: &str| {
            let digits = whole.to_string();
            let head = digits.len() % 3;
            let mut groups = vec![&digits[..head]];
            groups.extend((head..digits.len()).step_by(3).map(|i| &digits[i..i + 3]));
            groups.retain(|group| !group.is_empty());
            groups.join(sep)
        };
        match style {
            0 => format!("${},{cents:02}", thousands(",")).replacen(',', ".", 0),
            1 => format!("${}.{cents:02}", thousands(",")),
            2 => format!("{},{cents:02} Kč", thousands(" ")),
            3 => format!("{},{cents:02} kr.", thousands(".")),
            4 => format!("{} €", thousands(" ")),
            5 => format!("€ {}", thousands(".")),
            _ => format!("{},{cents:02} zł", thousands(" ")),
        }
    })
}

fn version() -> impl Strategy<Value = String> {
    (0u32..30, 0u32..30, 0u32..100, 0..4, 1u32..9).prop_map(|(a, b, c, style, n)| match style {
        0 => format!("v{a}.{b}.{c}"),
        1 => format!("{a}.{b}.{c}"),
        2 => format!("{a}.{b}.{c}-rc.{n}"),
        _ => format!("version {a}.{b} build {c}{n}"),
    })
}

fn reference() -> impl Strategy<Value = String> {
    (1_000_000u64..10_000_000_000, 10_000u32..100_000, 0..5).prop_map(|(number, zip, style)| {
        match style {
            0 => format!("order #{number}"),
            1 => format!("Ticket {number}"),
            2 => format!("zip {zip}"),
            3 => format!("ZIP {zip}-{:04}", number % 10_000),
            _ => format!("#{:09}", number % 1_000_000_000),
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn luhn_invalid_cards_are_not_cards((digits, groups) in luhn_invalid_card(), sep in select(vec!["", " ", "-"])) {
        let text = if sep.is_empty() { digits.clone() } else { grouped(&digits, &groups, sep) };
        // `4111 1111 1111 1111 123` is a card and its CVV: a printed prefix that is a valid card
        // of sixteen digits is one, whatever follows.
        let printed_prefix_is_card = !sep.is_empty() && digits.len() == 19 && luhn_check_digit(&digits[..15]) == digits.as_bytes()[15] as char;
        prop_assume!(!printed_prefix_is_card);
        prop_assert!(found(&text).iter().all(|(kind, _)| *kind != Kind::Card), "{text:?}: {:?}", found(&text));
        // Sixteen digits and more are too long for a phone number: nothing at all is found.
        if digits.len() >= 16 {
            prop_assert_eq!(found(&text), vec![]);
        }
    }

    #[test]
    fn ibans_of_the_wrong_length_are_not_masked(iban in iban_compact(), cut in any::<prop::sample::Index>(), extra in 0u8..10, longer in any::<bool>(), spaced in any::<bool>()) {
        let mut chars: Vec<char> = iban.chars().collect();
        if longer {
            chars.push(char::from(b'0' + extra));
        } else {
            chars.remove(4 + cut.index(chars.len() - 4));
        }
        let compact: String = chars.into_iter().collect();
        // Spaced, the extra character is typed into the last group; standing alone after a valid
        // IBAN (`… 0130 00 5`) it would be a separate number, and the IBAN is masked.
        let text = match (spaced, longer) {
            (true, true) => format!("{}{extra}", in_fours(&iban)),
            (true, false) => in_fours(&compact),
            (false, _) => compact,
        };
        prop_assert_eq!(found(&text), vec![], "{:?}", text);
    }

    #[test]
    fn ibans_failing_mod97_are_not_masked(iban in iban_compact(), at in any::<prop::sample::Index>(), shift in 1u8..10, spaced in any::<bool>()) {
        // Change one digit of the account number: mod 97 catches every single-digit error.
        let mut bytes = iban.into_bytes();
        let digits: Vec<usize> = (4..bytes.len()).filter(|&i| bytes[i].is_ascii_digit()).collect();
        prop_assume!(!digits.is_empty());
        let i = digits[at.index(digits.len())];
        bytes[i] = b'0' + (bytes[i] - b'0' + shift) % 10;
        let compact = String::from_utf8(bytes).unwrap();
        let text = if spaced { in_fours(&compact) } else { compact };
        prop_assert_eq!(found(&text), vec![], "{:?}", text);
    }

    #[test]
    fn never_issued_ssns_are_not_masked(
        (area, group, serial) in prop_oneof![
            (prop_oneof![Just(0u32), Just(666), 900u32..1000], 0u32..100, 0u32..10_000),
            (0u32..1000, Just(0u32), 0u32..10_000),
            (0u32..1000, 0u32..100, Just(0u32)),
        ],
        sep in select(vec!["-", " ", ".", ""]),
    ) {
        let text = format!("SSN {area:03}{sep}{group:02}{sep}{serial:04}");
        prop_assert_eq!(found(&text), vec![], "{:?}", text);
    }

    #[test]
    fn ordinary_numbers_in_chat_are_not_masked(
        before in words(),
        number in prop_oneof![date(), price(), version(), reference()],
        after in words(),
    ) {
        let text = format!("{before} {number} {after}");
        prop_assert_eq!(found(&text), vec![], "{:?}", text);
    }
}
