//! How each kind is written once masked (SPEC §5).
//!
//! - Phone: white space removed, every remaining character but the last four replaced by `*`
//!   (`+ 1 (123) 456 7890` → `**********7890`).
//! - E-mail: the first character of the local part kept, each further local-part character
//!   replaced by `*`, `@domain` kept (`melissa@gmail.com` → `m******@gmail.com`).
//! - Card, IBAN, SSN: separators kept, every letter and digit but the last four replaced by `*`
//!   (`4111 1111 1111 1111` → `**** **** **** 1111`).

use crate::Kind;

/// How many characters stay visible at the end of a masked card, IBAN, SSN or phone.
const VISIBLE_TAIL: usize = 4;

/// Appends the masked form of `span`, found as `kind`, to `out`.
pub(crate) fn write(kind: Kind, span: &str, out: &mut String) {
    match kind {
        Kind::Phone => write_phone(span, out),
        Kind::Email => write_email(span, out),
        Kind::Card | Kind::Iban | Kind::Ssn => write_account_number(span, out),
    }
}

fn write_phone(span: &str, out: &mut String) {
    let kept = span.chars().filter(|c| !c.is_whitespace());
    let hidden = kept.clone().count().saturating_sub(VISIBLE_TAIL);
    for (index, c) in kept.enumerate() {
        out.push(if index < hidden { '*' } else { c });
    }
}

fn write_email(span: &str, out: &mut String) {
    let (local, domain) = span.rsplit_once('@').unwrap_or((span, ""));
    let mut local_chars = local.chars();
    out.extend(local_chars.next());
    out.extend(local_chars.map(|_| '*'));
    out.push('@');
    out.push_str(domain);
}

fn write_account_number(span: &str, out: &mut String) {
    let significant = span.chars().filter(|c| c.is_alphanumeric()).count();
    let hidden = significant.saturating_sub(VISIBLE_TAIL);
    let mut seen = 0;
    for c in span.chars() {
        if c.is_alphanumeric() {
            out.push(if seen < hidden { '*' } else { c });
            seen += 1;
        } else {
            out.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(kind: Kind, span: &str) -> String {
        let mut out = String::new();
        write(kind, span, &mut out);
        out
    }

    #[test]
    fn phone_drops_white_space_and_keeps_last_four() {
        assert_eq!(masked(Kind::Phone, "+ 1 (123) 456 7890"), "**********7890");
        assert_eq!(masked(Kind::Phone, "+447966197542"), "*********7542");
        assert_eq!(masked(Kind::Phone, "(555) 123-4567"), "*********4567");
    }

    #[test]
    fn email_keeps_first_local_character_and_domain() {
        assert_eq!(
            masked(Kind::Email, "melissa@gmail.com"),
            "m******@gmail.com"
        );
        assert_eq!(
            masked(Kind::Email, "zoë.nováková@seznam.cz"),
            "z***********@seznam.cz"
        );
    }

    #[test]
    fn account_numbers_keep_separators_and_last_four() {
        assert_eq!(
            masked(Kind::Card, "4111 1111 1111 1111"),
            "**** **** **** 1111"
        );
        assert_eq!(masked(Kind::Card, "3782-822463-10005"), "****-******-*0005");
        assert_eq!(masked(Kind::Ssn, "123-45-6789"), "***-**-6789");
        assert_eq!(
            masked(Kind::Iban, "GB29 NWBK 6016 1331 9268 19"),
            "**** **** **** **** **68 19"
        );
    }
}
