//! Masking per the desktop profile (SPEC §5), applied before any text leaves the core.

use std::borrow::Cow;

use switchboard_mask::{KindSet, Masker};

/// Masks customer text when the profile says so; passes it through otherwise.
#[derive(Debug, Clone, Copy)]
pub struct Redactor {
    masker: Masker,
}

impl Redactor {
    pub fn new(masking: bool) -> Redactor {
        let kinds = if masking {
            KindSet::ALL
        } else {
            KindSet::EMPTY
        };
        Redactor {
            masker: Masker::new(kinds),
        }
    }

    pub fn is_masking(&self) -> bool {
        !self.masker.kinds().is_empty()
    }

    /// Customer-provided text (messages, names, comments, context values) as it may be shown.
    /// A name that is a phone number or an e-mail address is masked like any other text: the
    /// conditional masking of SMS customers known only by their number.
    pub fn text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.masker.mask(text)
    }

    pub fn owned(&self, text: &str) -> String {
        self.text(text).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specification_examples_hold_and_masking_off_passes_text_through() {
        let on = Redactor::new(true);
        assert_eq!(on.text("+447966197542"), "*********7542");
        assert_eq!(
            on.text("write to melissa@gmail.com"),
            "write to m******@gmail.com"
        );
        let off = Redactor::new(false);
        assert_eq!(off.text("+447966197542"), "+447966197542");
    }
}
