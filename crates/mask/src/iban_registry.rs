//! The IBAN registry (ISO 13616): every country that issues IBANs, with the exact length of its
//! IBANs. Territories that use their parent's code (Åland → FI, Guernsey → GB, …) need no entry.

/// `(country code, IBAN length)` for each registry country.
const COUNTRIES: [(&[u8; 2], u8); 89] = [
    (b"AD", 24),
    (b"AE", 23),
    (b"AL", 28),
    (b"AT", 20),
    (b"AZ", 28),
    (b"BA", 20),
    (b"BE", 16),
    (b"BG", 22),
    (b"BH", 22),
    (b"BI", 27),
    (b"BR", 29),
    (b"BY", 28),
    (b"CH", 21),
    (b"CR", 22),
    (b"CY", 28),
    (b"CZ", 24),
    (b"DE", 22),
    (b"DJ", 27),
    (b"DK", 18),
    (b"DO", 28),
    (b"EE", 20),
    (b"EG", 29),
    (b"ES", 24),
    (b"FI", 18),
    (b"FK", 18),
    (b"FO", 18),
    (b"FR", 27),
    (b"GB", 22),
    (b"GE", 22),
    (b"GI", 23),
    (b"GL", 18),
    (b"GR", 27),
    (b"GT", 28),
    (b"HN", 28),
    (b"HR", 21),
    (b"HU", 28),
    (b"IE", 22),
    (b"IL", 23),
    (b"IQ", 23),
    (b"IS", 26),
    (b"IT", 27),
    (b"JO", 30),
    (b"KW", 30),
    (b"KZ", 20),
    (b"LB", 28),
    (b"LC", 32),
    (b"LI", 21),
    (b"LT", 20),
    (b"LU", 20),
    (b"LV", 21),
    (b"LY", 25),
    (b"MC", 27),
    (b"MD", 24),
    (b"ME", 22),
    (b"MK", 19),
    (b"MN", 20),
    (b"MR", 27),
    (b"MT", 31),
    (b"MU", 30),
    (b"NI", 28),
    (b"NL", 18),
    (b"NO", 15),
    (b"OM", 23),
    (b"PK", 24),
    (b"PL", 28),
    (b"PS", 29),
    (b"PT", 25),
    (b"QA", 29),
    (b"RO", 24),
    (b"RS", 22),
    (b"RU", 33),
    (b"SA", 24),
    (b"SC", 31),
    (b"SD", 18),
    (b"SE", 24),
    (b"SI", 19),
    (b"SK", 24),
    (b"SM", 27),
    (b"SO", 23),
    (b"ST", 25),
    (b"SV", 28),
    (b"TL", 23),
    (b"TN", 24),
    (b"TR", 26),
    (b"UA", 29),
    (b"VA", 22),
    (b"VG", 24),
    (b"XK", 20),
    (b"YE", 30),
];

/// The longest IBAN of any country.
pub(crate) const MAX_LENGTH: usize = 34;

/// IBAN length by country code, indexed by `(first letter, second letter)`; 0 for no IBAN.
const LENGTHS: [[u8; 26]; 26] = {
    let mut table = [[0; 26]; 26];
    let mut i = 0;
    while i < COUNTRIES.len() {
        let (code, length) = COUNTRIES[i];
        table[(code[0] - b'A') as usize][(code[1] - b'A') as usize] = length;
        i += 1;
    }
    table
};

/// The IBAN length of the country `a b` (either case), if that country issues IBANs.
pub(crate) fn length(a: u8, b: u8) -> Option<usize> {
    let (a, b) = (a.to_ascii_uppercase(), b.to_ascii_uppercase());
    if !(a.is_ascii_uppercase() && b.is_ascii_uppercase()) {
        return None;
    }
    match LENGTHS[usize::from(a - b'A')][usize::from(b - b'A')] {
        0 => None,
        length => Some(usize::from(length)),
    }
}

/// Every registry country code with its IBAN length, for tests and generators.
pub fn countries() -> impl Iterator<Item = (&'static str, usize)> {
    COUNTRIES.iter().map(|(code, length)| {
        (
            std::str::from_utf8(*code).expect("country codes are ASCII"),
            usize::from(*length),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn looks_up_registry_lengths_in_either_case() {
        assert_eq!(length(b'D', b'E'), Some(22));
        assert_eq!(length(b'n', b'o'), Some(15));
        assert_eq!(length(b'R', b'U'), Some(33));
        assert_eq!(length(b'U', b'S'), None);
        assert_eq!(length(b'1', b'E'), None);
    }

    #[test]
    fn registry_is_sorted_without_duplicates_and_within_bounds() {
        assert!(COUNTRIES.windows(2).all(|pair| pair[0].0 < pair[1].0));
        assert!(
            COUNTRIES
                .iter()
                .all(|(_, length)| (15..=MAX_LENGTH as u8).contains(length))
        );
    }
}
