//! E-mail addresses: `local@domain.tld`, local parts and domains in any script.

use memchr::memchr_iter;

use crate::Kind;
use crate::finding::{Claim, Finding};

/// Characters a local part is made of besides letters and digits. `*` is what masking writes:
/// a masked address is still an address, so that nothing inside it is found on its own.
const LOCAL_PUNCTUATION: &[char] = &['.', '_', '%', '+', '-', '*'];

/// Claims every e-mail address in `text`; those with something left to hide are reported.
pub(crate) fn scan(text: &str, out: &mut Vec<Claim>) {
    let mut claimed_to = 0;
    for at in memchr_iter(b'@', text.as_bytes()) {
        if at < claimed_to {
            continue;
        }
        let (Some(start), Some(end)) = (local_start(text, at), domain_end(text, at + 1)) else {
            continue;
        };
        // Masking keeps the first character: with the rest already `*`, nothing is left to hide.
        let reported = text[start..at].chars().skip(1).any(|c| c != '*');
        let finding = Finding {
            kind: Kind::Email,
            range: start..end,
        };
        out.push(Claim { finding, reported });
        claimed_to = end;
    }
}

/// Where the local part ending at `at` starts, if it is an address's local part.
fn local_start(text: &str, at: usize) -> Option<usize> {
    let before = &text[..at];
    let taken = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || LOCAL_PUNCTUATION.contains(c))
        .last()
        .map(|(start, _)| start)?;
    let local = before[taken..].trim_start_matches('.');
    let valid = !local.is_empty() && !local.ends_with('.') && !local.contains("..");
    valid.then(|| at - local.len())
}

/// Where the domain starting at `start` ends: two or more dot-separated labels of letters,
/// digits and inner hyphens, the last one alphabetic. A trailing full stop is not part of it.
fn domain_end(text: &str, start: usize) -> Option<usize> {
    let mut labels = 0;
    let mut end = start;
    let mut last_label_alphabetic = false;
    let mut at = start;
    loop {
        let label_len: usize = text[at..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '-')
            .map(char::len_utf8)
            .sum();
        let label = &text[at..at + label_len];
        if label.is_empty() || label.starts_with('-') || label.ends_with('-') {
            break;
        }
        labels += 1;
        end = at + label_len;
        last_label_alphabetic =
            label.chars().count() >= 2 && label.chars().all(char::is_alphabetic);
        if !text[end..].starts_with('.') {
            break;
        }
        at = end + 1;
    }
    (labels >= 2 && last_label_alphabetic).then_some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emails(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        scan(text, &mut out);
        out.iter()
            .filter(|claim| claim.reported)
            .map(|claim| &text[claim.finding.range.clone()])
            .collect()
    }

    #[test]
    fn finds_addresses_next_to_punctuation() {
        assert_eq!(emails("mail melissa@gmail.com."), ["melissa@gmail.com"]);
        assert_eq!(emails("(jan.novak@seznam.cz)"), ["jan.novak@seznam.cz"]);
        assert_eq!(
            emails("to:anne-marie+shop@mail.example.co.uk, thanks"),
            ["anne-marie+shop@mail.example.co.uk"]
        );
        assert_eq!(emails("józef.wójcik@poczta.pl"), ["józef.wójcik@poczta.pl"]);
    }

    #[test]
    fn skips_what_is_not_an_address_or_hides_nothing() {
        assert!(emails("meet @ 5pm").is_empty());
        assert!(emails("a@b.com").is_empty());
        assert!(emails("user@localhost").is_empty());
        assert!(emails("user@example.c0m").is_empty());
        assert!(emails("m******@gmail.com").is_empty());
        assert_eq!(emails("ab*cd@gmail.com"), ["ab*cd@gmail.com"]);
        assert!(emails("john.@example.com").is_empty());
    }
}
