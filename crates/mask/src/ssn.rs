//! US social security numbers: `AAA-GG-SSSS` with one separator (dash, space or dot) used
//! throughout, or nine plain digits; never-issued numbers are not SSNs: area 000, 666 or
//! 900–999, group 00, serial 0000.

use crate::ordinary;
use crate::run::{Run, Stretch};

/// The last group of an SSN that starts the stretch at `at.first`.
pub(crate) fn at(run: &Run, at: Stretch) -> Option<usize> {
    let (first, limit) = (at.first, at.limit);
    if (first == 0 && run.plus.is_some()) || !run.starts_number(at) {
        return None;
    }
    let group = run.groups()[first];
    if group.len() == 9
        && !ordinary::reference(run.text, group.start)
        && issuable(run, first, first)
    {
        return Some(first);
    }
    let last = first + 2;
    (last <= limit
        && shaped(run, first, last)
        && run.uniformly_separated(first, last, b"- .")
        && issuable(run, first, last))
    .then_some(last)
}

/// Whether the nine digits of groups `first..=last` could have been issued as an SSN.
fn issuable(run: &Run, first: usize, last: usize) -> bool {
    let mut digits = run.digits(first, last).map(u16::from);
    let mut number = |len: usize| (0..len).fold(0, |acc, _| acc * 10 + digits.next().unwrap_or(0));
    let (area, group, serial) = (number(3), number(2), number(4));
    area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

/// Whether groups `first..=last` are grouped like an SSN (3-2-4), valid or not, however
/// separated: such a number is never read as a phone number.
pub(crate) fn shaped(run: &Run, first: usize, last: usize) -> bool {
    run.lengths_are(first, last, &[3, 2, 4])
}
