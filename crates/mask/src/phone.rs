//! Phone and mobile numbers, recognised by shape rather than by whether they exist: an optional
//! `+` and country code, 7–15 digits, groups separated by spaces, dashes or dots, an area code
//! possibly in parentheses (`+ 1 (123) 456 7890`, `+447966197542`, `(555) 123-4567`).

use crate::ordinary;
use crate::run::{Run, Stretch};
use crate::ssn;

const MIN_DIGITS: usize = 7;
const MAX_DIGITS: usize = 15;

/// The last group of the longest phone number that starts the stretch at `at.first`.
pub(crate) fn longest_at(run: &Run, at: Stretch) -> Option<usize> {
    if !run.starts_number(at) {
        return None;
    }
    let first = at.first;
    let plus = first == 0 && run.plus.is_some();
    let reach = run.reach(first, at.limit, MAX_DIGITS);
    let mut phones = (first..=reach)
        .rev()
        .filter(|&last| is_phone(run, first, last, plus));
    if plus {
        return phones.next();
    }
    phones
        .clone()
        .find(|&last| run.ends_number(last, at.limit))
        .or_else(|| {
            // The digits go on as they began: `4111 1111 1111 1112` is one long number, no phone.
            let long = run.digit_count(first, at.limit) > MAX_DIGITS
                && run.uniformly_separated(first, at.limit, b" -.");
            if long { None } else { phones.next() }
        })
}

fn is_phone(run: &Run, first: usize, last: usize, plus: bool) -> bool {
    let groups = &run.groups()[first..=last];
    if !(MIN_DIGITS..=MAX_DIGITS).contains(&run.digit_count(first, last)) {
        return false;
    }
    // Without `+`, an unbroken run of digits is an order, ticket or account reference.
    if !plus && groups.len() < 2 {
        return false;
    }
    // One-digit groups appear only as a country code or trunk prefix (`+33 6 12 34 56 78`),
    // never last (`build 20240512.3`).
    if groups.iter().skip(2).any(|group| group.len() < 2) || groups[groups.len() - 1].len() < 2 {
        return false;
    }
    // Parentheses go around the area code: the first group or the one after the country code.
    if groups.iter().skip(2).any(|group| group.parens) {
        return false;
    }
    if plus || groups.iter().any(|group| group.parens) {
        return true;
    }
    !ssn::shaped(run, first, last)
        && !ordinary::zip_plus_four(run, first, last)
        && !ordinary::amount(run, first, last)
}
