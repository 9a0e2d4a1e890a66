//! Phone numbers in E.164, by libphonenumber's rules (the `phonenumber` crate): international
//! numbers as written anywhere, national ones in the configured region.

/// A country whose numbering plan national numbers follow (ISO 3166 alpha-2, e.g. `CZ`).
pub type Region = phonenumber::country::Id;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("“{0}” is not a phone number")]
    Unreadable(String),
    #[error("“{0}” is not a valid phone number")]
    Invalid(String),
    #[error(
        "“{0}” has no country code: write it as +<country code><number>, or set contacts.default_region"
    )]
    NoRegion(String),
}

/// `raw` in E.164 (`+420601234567`).
pub fn normalise_phone(raw: &str, region: Option<Region>) -> Result<String, PhoneError> {
    let raw = raw.trim();
    let international = raw.starts_with('+') || raw.starts_with("00");
    if !international && region.is_none() {
        return Err(PhoneError::NoRegion(raw.to_owned()));
    }
    let number = phonenumber::parse(
        region,
        raw.replacen("00", "+", usize::from(raw.starts_with("00"))),
    )
    .map_err(|_| PhoneError::Unreadable(raw.to_owned()))?;
    if !number.is_valid() {
        return Err(PhoneError::Invalid(raw.to_owned()));
    }
    Ok(number.format().mode(phonenumber::Mode::E164).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cz() -> Option<Region> {
        Some("CZ".parse().unwrap())
    }

    #[test]
    fn national_and_international_forms_meet() {
        for written in [
            "601 234 567",
            "+420 601 234 567",
            "00420601234567",
            "+420-601-234-567",
        ] {
            assert_eq!(
                normalise_phone(written, cz()).unwrap(),
                "+420601234567",
                "{written}"
            );
        }
        assert_eq!(
            normalise_phone("+1 (415) 867-5309", cz()).unwrap(),
            "+14158675309"
        );
        assert_eq!(
            normalise_phone("+44 7911 123456", None).unwrap(),
            "+447911123456"
        );
    }

    #[test]
    fn what_is_not_a_number_is_refused_in_words() {
        assert!(matches!(
            normalise_phone("call me", cz()),
            Err(PhoneError::Unreadable(_))
        ));
        assert!(matches!(
            normalise_phone("+420 12", cz()),
            Err(PhoneError::Invalid(_))
        ));
        assert!(matches!(
            normalise_phone("601 234 567", None),
            Err(PhoneError::NoRegion(_))
        ));
    }
}
