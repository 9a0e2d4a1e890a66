//! The masker: finds every kind it is configured for and writes the text masked.

use std::borrow::Cow;
use std::cmp::Reverse;

use crate::fold::Folded;
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
        let Some(folded) = Folded::of(text) else {
            return self.find_in_ascii_forms(text);
        };
        let mut findings = self.find_in_ascii_forms(folded.text());
        for finding in &mut findings {
            finding.range = folded.original(finding.range.clone());
        }
        findings
    }

    /// [`find`](Self::find) over a text whose foldable characters are already folded.
    fn find_in_ascii_forms(&self, text: &str) -> Vec<Finding> {
        let mut claims = Vec::new();
        numeric::scan(text, &mut claims);
        email::scan(text, &mut claims);
        // Where an address and a number overlap (`+447966197542@sms.example.com`), the span
        // that starts first, or the longer of two that start together, is the one kept.
        claims.sort_unstable_by_key(|claim| {
            (claim.finding.range.start, Reverse(claim.finding.range.end))
        });
        let mut claimed_to = 0;
        claims.retain(|claim| {
            let free = claim.finding.range.start >= claimed_to;
            if free {
                claimed_to = claim.finding.range.end;
            }
            free && claim.reported && self.kinds.contains(claim.finding.kind)
        });
        claims.into_iter().map(|claim| claim.finding).collect()
    }

    /// `text` with every finding masked (see [`Finding::masked`]). Borrows `text` unchanged,
    /// without allocating, when there is nothing to mask.
    ///
    /// The result is final: masking it again changes nothing, and [`find`](Self::find) finds
    /// nothing in it.
    pub fn mask<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let Some(mut masked) = self.mask_once(text) else {
            return Cow::Borrowed(text);
        };
        // A masked number keeps its last four digits; in contrived runs of digits those can join
        // the digits after them into a new number (`0 0 00000 0 00-0`). Each pass turns at least
        // one digit or address character into `*`, so this ends, at a text with nothing to find.
        while let Some(again) = self.mask_once(&masked) {
            masked = again;
        }
        Cow::Owned(masked)
    }

    /// `text` with every finding masked, or `None` when there is none.
    fn mask_once(&self, text: &str) -> Option<String> {
        let findings = self.find(text);
        if findings.is_empty() {
            return None;
        }
        let mut masked = String::with_capacity(text.len());
        let mut copied = 0;
        for finding in &findings {
            masked.push_str(&text[copied..finding.range.start]);
            redact::write(finding.kind, &text[finding.range.clone()], &mut masked);
            copied = finding.range.end;
        }
        masked.push_str(&text[copied..]);
        Some(masked)
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
