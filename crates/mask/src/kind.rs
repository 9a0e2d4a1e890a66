//! The kinds of sensitive data the masker knows, and sets of them.

use std::fmt;
use std::str::FromStr;

/// A kind of sensitive data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "lowercase")
)]
pub enum Kind {
    /// A payment card number (PCI): 12–19 digits passing the Luhn check.
    Card,
    /// An international bank account number (PCI): registry length and mod-97 check.
    Iban,
    /// A US social security number (PCI): `AAA-GG-SSSS` outside the never-issued ranges.
    Ssn,
    /// An e-mail address (PII).
    Email,
    /// A phone or mobile number (PII), recognised by shape.
    Phone,
}

impl Kind {
    /// Every kind, in the order in which they claim overlapping text.
    pub const ALL: [Kind; 5] = [Kind::Card, Kind::Iban, Kind::Ssn, Kind::Email, Kind::Phone];

    /// The lowercase name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Card => "card",
            Kind::Iban => "iban",
            Kind::Ssn => "ssn",
            Kind::Email => "email",
            Kind::Phone => "phone",
        }
    }

    const fn bit(self) -> u8 {
        1 << self as u8
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name given is not one of [`Kind::ALL`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownKind(pub String);

impl fmt::Display for UnknownKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown kind {:?}: expected one of card, iban, ssn, email, phone",
            self.0
        )
    }
}

impl std::error::Error for UnknownKind {}

impl FromStr for Kind {
    type Err = UnknownKind;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|kind| kind.as_str().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| UnknownKind(name.to_owned()))
    }
}

/// A set of kinds: which kinds a [`Masker`](crate::Masker) masks.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KindSet(u8);

impl KindSet {
    /// No kind at all: masking off.
    pub const EMPTY: KindSet = KindSet(0);
    /// Every kind: what the desktop masks when the administrator turns masking on.
    pub const ALL: KindSet = KindSet(
        Kind::Card.bit()
            | Kind::Iban.bit()
            | Kind::Ssn.bit()
            | Kind::Email.bit()
            | Kind::Phone.bit(),
    );
    /// Payment data: cards, IBANs and social security numbers — what is never stored in clear
    /// unless the operator says so (e-mail addresses and phone numbers are needed for matching).
    pub const PAYMENT: KindSet = KindSet(Kind::Card.bit() | Kind::Iban.bit() | Kind::Ssn.bit());

    /// This set with `kind` added.
    #[must_use]
    pub const fn with(self, kind: Kind) -> KindSet {
        KindSet(self.0 | kind.bit())
    }

    /// This set with `kind` removed.
    #[must_use]
    pub const fn without(self, kind: Kind) -> KindSet {
        KindSet(self.0 & !kind.bit())
    }

    /// Whether `kind` is in the set.
    pub const fn contains(self, kind: Kind) -> bool {
        self.0 & kind.bit() != 0
    }

    /// Whether the set has no kind.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The kinds in the set, in [`Kind::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Kind> {
        Kind::ALL
            .into_iter()
            .filter(move |kind| self.contains(*kind))
    }
}

impl FromIterator<Kind> for KindSet {
    fn from_iter<I: IntoIterator<Item = Kind>>(kinds: I) -> Self {
        kinds.into_iter().fold(KindSet::EMPTY, KindSet::with)
    }
}

impl fmt::Debug for KindSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_round_trip() {
        for kind in Kind::ALL {
            assert_eq!(kind.as_str().parse::<Kind>(), Ok(kind));
        }
        assert_eq!(" IBAN ".parse::<Kind>(), Ok(Kind::Iban));
        assert!("passport".parse::<Kind>().is_err());
    }

    #[test]
    fn kind_set_adds_and_removes() {
        let set: KindSet = [Kind::Card, Kind::Phone].into_iter().collect();
        assert!(set.contains(Kind::Card) && set.contains(Kind::Phone));
        assert!(!set.contains(Kind::Email));
        assert_eq!(
            set.without(Kind::Card).iter().collect::<Vec<_>>(),
            [Kind::Phone]
        );
        assert_eq!(KindSet::ALL.iter().count(), 5);
        assert!(KindSet::EMPTY.is_empty());
    }
}
