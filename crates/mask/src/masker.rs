//! The masker: finds every kind it is configured for and writes the text masked.

use std::borrow::Cow;
use std::cmp::Reverse;

use crate::{Finding, KindSet, email, numeric, redact};

/// Finds and masks sensitive data. Build it once and share it: it holds no state but its
/// configuration, is `Send + Sync`, and never does I/O.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Masker {
    kinds: KindSet,
}

impl Default for Masker {
    /// A masker for every kind, as the desktop uses when masking is on.
    fn default() -> Self {
        Masker::new(KindSet::ALL)
    }
}

impl Masker {
    /// A masker for the given kinds.
    pub const fn new(kinds: KindSet) -> Masker {
        Masker { kinds }
    }

    /// The kinds this masker finds and masks.
    pub const fn kinds(&self) -> KindSet {
        self.kinds
    }

    /// Every piece of sensitive data of the configured kinds in `text`, in order, never
    /// overlapping. Allocates nothing when nothing is found.
    ///
    /// Every kind is looked for even when only some are masked, so that a span keeps its true
    /// kind: a card number is not reported as a phone number because cards are not masked.
    pub fn find(&self, text: &str) -> Vec<Finding> {
        if self.kinds.is_empty() {
            return Vec::new();
        }
        let mut found = Vec::new();
        numeric::scan(text, &mut found);
        email::scan(text, &mut found);
        // Where an address and a number overlap (`+447966197542@sms.example.com`), the span
        // that starts first, or the longer of two that start together, is the one kept.
        found.sort_unstable_by_key(|finding| (finding.range.start, Reverse(finding.range.end)));
        let mut claimed_to = 0;
        found.retain(|finding| {
            let free = finding.range.start >= claimed_to;
            if free {
                claimed_to = finding.range.end;
            }
            free && self.kinds.contains(finding.kind)
        });
        found
    }

    /// `text` with every finding masked (see [`Finding::masked`]). Borrows `text` unchanged,
    /// without allocating, when there is nothing to mask.
    pub fn mask<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let findings = self.find(text);
        if findings.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut masked = String::with_capacity(text.len());
        let mut copied = 0;
        for finding in &findings {
            masked.push_str(&text[copied..finding.range.start]);
            redact::write(finding.kind, &text[finding.range.clone()], &mut masked);
            copied = finding.range.end;
        }
        masked.push_str(&text[copied..]);
        Cow::Owned(masked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Kind;

    #[test]
    fn masker_is_send_and_sync() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Masker>();
    }

    #[test]
    fn disabled_kinds_keep_their_span_but_are_not_masked() {
        let amex = "card 3782 822463 10005 ok";
        let phones_only = Masker::new(KindSet::EMPTY.with(Kind::Phone));
        assert!(phones_only.find(amex).is_empty());
        assert_eq!(phones_only.mask(amex), amex);
        assert_eq!(Masker::default().mask(amex), "card **** ****** *0005 ok");
    }

    #[test]
    fn masking_off_finds_nothing() {
        let masker = Masker::new(KindSet::EMPTY);
        assert!(masker.find("melissa@gmail.com +447966197542").is_empty());
    }
}
