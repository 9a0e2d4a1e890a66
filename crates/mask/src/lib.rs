//! Finds and masks sensitive data in free text: payment card numbers, IBANs, US social security
//! numbers (PCI), e-mail addresses and phone numbers (PII).
//!
//! Detection is by format and checksum, never by whether a number exists: cards pass the Luhn
//! check, IBANs the mod-97 check at their country's registry length, SSNs avoid never-issued
//! ranges, phones are recognised by shape. Dates, amounts, versions and order numbers in ordinary
//! chat are left alone.
//!
//! ```
//! use switchboard_mask::{Kind, Masker};
//!
//! let masker = Masker::default();
//! assert_eq!(masker.mask("Call me on + 1 (123) 456 7890"), "Call me on **********7890");
//! assert_eq!(masker.mask("melissa@gmail.com"), "m******@gmail.com");
//! assert_eq!(masker.find("card 4111 1111 1111 1111")[0].kind, Kind::Card);
//! assert!(matches!(masker.mask("nothing here"), std::borrow::Cow::Borrowed(_)));
//! ```
//!
//! The map:
//! - [`Masker`] (`masker.rs`) composes the detectors, resolves overlaps and writes masked text;
//! - `numeric.rs` finds digit runs; `run.rs` splits one into groups, over which `card.rs`,
//!   `ssn.rs` and `phone.rs` are shapes and `ordinary.rs` recognises dates and amounts;
//! - `iban.rs` with `iban_registry.rs`, and `email.rs`, are the other two detectors;
//! - `fold.rs` reads full-width digits, no-break and thin spaces, typographic dashes as ASCII first;
//! - `redact.rs` is how each kind looks once masked; `text.rs` says what a word is.

mod card;
mod email;
mod finding;
mod fold;
mod iban;
mod iban_registry;
mod kind;
mod masker;
mod numeric;
mod ordinary;
mod phone;
mod redact;
mod run;
mod ssn;
mod text;

pub use finding::Finding;
pub use iban_registry::countries as iban_countries;
pub use kind::{Kind, KindSet, UnknownKind};
pub use masker::Masker;
