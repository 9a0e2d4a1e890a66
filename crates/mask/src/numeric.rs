//! The findings made of digits: IBANs, cards, SSNs and phones. One pass finds each digit run;
//! each run is split into groups once and every rule reads the groups.

use crate::finding::Claim;
use crate::iban::{self, Candidate};
use crate::run::{MAX_GROUPS, Run, Stretch};
use crate::text::{ascii_word_end, word_before};
use crate::{Kind, card, ordinary, phone, ssn};

/// Appends every IBAN, card, SSN and phone number in `text`.
pub(crate) fn scan(text: &str, out: &mut Vec<Claim>) {
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(offset) = bytes[at..].iter().position(u8::is_ascii_digit) {
        let digit = at + offset;
        let before = digit.checked_sub(1).map(|i| bytes[i]);
        if before.is_some_and(|b| b.is_ascii_alphabetic() || b == b' ') {
            match iban::at_check_digits(text, digit) {
                Candidate::Valid(range) => {
                    at = range.end;
                    out.push(Claim::reported(Kind::Iban, range));
                    continue;
                }
                Candidate::Invalid { end } => {
                    at = end;
                    continue;
                }
                Candidate::Absent => {}
            }
        }
        let run = Run::read(text, digit);
        if run.groups().is_empty() || word_before(text, run.start()) {
            // Digits inside a word: `RT-AC68U`, `v2`, `32GB`.
            at = ascii_word_end(bytes, digit);
            continue;
        }
        scan_run(&run, out);
        at = run.end_or(digit);
    }
}

/// Whether a group of a run is still free for a rule to match.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Group {
    Free,
    Taken,
}

/// Appends the cards, SSNs and phones in one run. Dates are claimed first (they are never part
/// of a number), then cards and SSNs, then phones in what is left: a span is claimed once.
fn scan_run(run: &Run, out: &mut Vec<Claim>) {
    let count = run.groups().len();
    let mut state = [Group::Free; MAX_GROUPS];
    let mut first = 0;
    while first < count {
        if ordinary::date_at(run, first) {
            state[first..first + 3].fill(Group::Taken);
            first += 3;
        } else {
            first += 1;
        }
    }
    claim(run, &mut state, out, |run, at| {
        let card = card::longest_at(run, at).map(|last| (Kind::Card, last));
        card.or_else(|| ssn::at(run, at).map(|last| (Kind::Ssn, last)))
    });
    if !ordinary::after_currency(run) {
        claim(run, &mut state, out, |run, at| {
            phone::longest_at(run, at).map(|last| (Kind::Phone, last))
        });
    }
}

/// Runs `rule` over the free stretches of the run, left to right; each match claims its groups.
fn claim(
    run: &Run,
    state: &mut [Group; MAX_GROUPS],
    out: &mut Vec<Claim>,
    rule: impl Fn(&Run, Stretch) -> Option<(Kind, usize)>,
) {
    let count = run.groups().len();
    let mut first = 0;
    while first < count {
        if state[first] == Group::Taken {
            first += 1;
            continue;
        }
        let limit = (first..count)
            .take_while(|&i| state[i] == Group::Free)
            .last()
            .unwrap_or(first);
        let after_claim = first > 0 && state[first - 1] == Group::Taken;
        match rule(
            run,
            Stretch {
                first,
                limit,
                after_claim,
            },
        ) {
            Some((kind, last)) => {
                state[first..=last].fill(Group::Taken);
                out.push(Claim::reported(kind, span(run, kind, first, last)));
                first = last + 1;
            }
            None => first += 1,
        }
    }
}

/// The bytes a finding over groups `first..=last` covers. A phone includes its `+` and the
/// parentheses around its area code; a card or SSN in parentheses is only bracketed.
fn span(run: &Run, kind: Kind, first: usize, last: usize) -> std::ops::Range<usize> {
    let groups = run.groups();
    match (kind, run.plus) {
        (Kind::Phone, Some(plus)) if first == 0 => plus..groups[last].outer_end(),
        (Kind::Phone, _) => groups[first].outer_start()..groups[last].outer_end(),
        _ => groups[first].start..groups[last].end,
    }
}
