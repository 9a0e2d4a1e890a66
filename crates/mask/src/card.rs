//! Payment card numbers: 12–19 digits that pass the Luhn check, written plain or in the groups
//! issuers print (4-4-4-4 and 4-4-4-4-3, 4-6-5 for American Express, 4-6-4 for Diners Club).

use crate::run::{Run, Stretch};

const MIN_DIGITS: usize = 12;
const MAX_DIGITS: usize = 19;

/// The last group of the longest card number that starts the stretch at `at.first`.
pub(crate) fn longest_at(run: &Run, at: Stretch) -> Option<usize> {
    let first = at.first;
    // A leading `+` marks an international phone number, whatever its checksum.
    if first == 0 && run.plus.is_some() {
        return None;
    }
    let inside_number = !run.starts_number(at);
    let reach = run.reach(first, at.limit, MAX_DIGITS);
    (first..=reach).rev().find(|&last| {
        is_card(run, first, last)
            && !continues(run, first, last, at.limit)
            // Inside a longer run of groups only the common 4-4-4-4 stands out as a card.
            && (!inside_number || run.lengths_are(first, last, &[4, 4, 4, 4]))
    })
}

/// Whether the number goes on past group `last` in the same printed grouping
/// (`6011 7486 2115 0001` holds no 12-digit card). An expiry or a CVV after a card
/// (`4111 1111 1111 1111 12/25`) does not continue it, but the rare 12-digit card must end
/// where the digits do (`4787 8800 8546 8` is a 13-digit number).
fn continues(run: &Run, first: usize, last: usize, limit: usize) -> bool {
    let groups = run.groups();
    last > first
        && last < limit
        && groups[last + 1].sep == groups[last].sep
        && (groups[last + 1].len() == 4 || run.digit_count(first, last) == MIN_DIGITS)
}

fn is_card(run: &Run, first: usize, last: usize) -> bool {
    (MIN_DIGITS..=MAX_DIGITS).contains(&run.digit_count(first, last))
        && (first == last || printed_grouping(run, first, last))
        && luhn_valid(run.digits(first, last))
}

fn printed_grouping(run: &Run, first: usize, last: usize) -> bool {
    if !run.uniformly_separated(first, last, b" -") {
        return false;
    }
    let groups = &run.groups()[first..=last];
    let (tail, body) = groups
        .split_last()
        .expect("a range of groups is never empty");
    let fours = body.iter().all(|group| group.len() == 4) && (1..=4).contains(&tail.len());
    fours || run.lengths_are(first, last, &[4, 6, 5]) || run.lengths_are(first, last, &[4, 6, 4])
}

/// The Luhn (mod 10) check over `digits`, most significant first.
pub(crate) fn luhn_valid(digits: impl DoubleEndedIterator<Item = u8>) -> bool {
    let sum: u32 = digits
        .rev()
        .enumerate()
        .map(|(position, digit)| {
            let digit = u32::from(digit);
            match position % 2 {
                0 => digit,
                _ if digit * 2 > 9 => digit * 2 - 9,
                _ => digit * 2,
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits(text: &str) -> impl DoubleEndedIterator<Item = u8> + '_ {
        text.bytes().map(|b| b - b'0')
    }

    #[test]
    fn luhn_accepts_valid_and_rejects_one_digit_off() {
        assert!(luhn_valid(digits("4111111111111111")));
        assert!(luhn_valid(digits("378282246310005")));
        assert!(luhn_valid(digits("79927398713")));
        assert!(!luhn_valid(digits("4111111111111112")));
        assert!(!luhn_valid(digits("79927398710")));
    }
}
