//! A piece of sensitive data found in a text.

use std::ops::Range;

use crate::Kind;
use crate::redact;

/// One piece of sensitive data: its kind and where it stands in the text, in bytes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Finding {
    /// What was found.
    pub kind: Kind,
    /// Byte range in the text that was searched; always on character boundaries.
    pub range: Range<usize>,
}

impl Finding {
    /// The masked form of this finding's text, as [`Masker::mask`](crate::Masker::mask) writes it.
    ///
    /// `text` is the text that was searched.
    pub fn masked(&self, text: &str) -> String {
        let mut out = String::with_capacity(self.range.len());
        redact::write(self.kind, &text[self.range.clone()], &mut out);
        out
    }
}

/// A span a detector claims: a finding, or text that is one but has nothing left to mask (an
/// address already masked), which keeps the other detectors off it.
#[derive(Clone, Debug)]
pub(crate) struct Claim {
    pub(crate) finding: Finding,
    /// Whether the span has something to mask, and so is reported.
    pub(crate) reported: bool,
}

impl Claim {
    pub(crate) fn reported(kind: Kind, range: Range<usize>) -> Claim {
        Claim {
            finding: Finding { kind, range },
            reported: true,
        }
    }
}
