//! A *run*: digit groups joined by the separators people type inside numbers.
//!
//! `+ 1 (123) 456-7890`, `4111 1111 1111 1111` and `2024-05-12` are runs. Cards, SSNs and phones
//! are shapes over a run's groups, so the text is split once and each rule looks only at group
//! lengths, separators and digits.

use crate::text::word_at;

/// At most this many groups are read into one run; the rest starts a new run. Every shape the
/// masker knows fits in far fewer (a phone has at most 15 digits, a card 19).
pub(crate) const MAX_GROUPS: usize = 32;

/// A maximal sequence of ASCII digits inside a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Group {
    /// First digit.
    pub(crate) start: usize,
    /// Just past the last digit.
    pub(crate) end: usize,
    /// The single separator byte between the previous group and this one (` `, `-`, `.`),
    /// or 0 when there is none (the first group, or a parenthesis stands in between).
    pub(crate) sep: u8,
    /// Written in parentheses, like an area code: `(123)`.
    pub(crate) parens: bool,
}

impl Group {
    pub(crate) fn len(&self) -> usize {
        self.end - self.start
    }

    /// Where the group starts in the text, its opening parenthesis included.
    pub(crate) fn outer_start(&self) -> usize {
        self.start - usize::from(self.parens)
    }

    /// Where the group ends in the text, its closing parenthesis included.
    pub(crate) fn outer_end(&self) -> usize {
        self.end + usize::from(self.parens)
    }
}

/// Where a rule may look for a match: from group `first` to group `limit`, all unclaimed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Stretch {
    pub(crate) first: usize,
    pub(crate) limit: usize,
    /// The group before `first` was claimed by another finding or a date.
    pub(crate) after_claim: bool,
}

/// The groups of one run, read from the text.
#[derive(Debug)]
pub(crate) struct Run<'t> {
    pub(crate) text: &'t str,
    /// Position of a leading `+` (international prefix), if any.
    pub(crate) plus: Option<usize>,
    groups: [Group; MAX_GROUPS],
    len: usize,
}

impl<'t> Run<'t> {
    /// Reads the run whose first digit is at `first_digit`. The caller has checked that the run
    /// does not continue a word.
    pub(crate) fn read(text: &'t str, first_digit: usize) -> Run<'t> {
        let bytes = text.as_bytes();
        let plus = prefix_plus(bytes, first_digit);
        let mut run = Run {
            text,
            plus,
            groups: [Group::default(); MAX_GROUPS],
            len: 0,
        };
        let mut at = first_digit - usize::from(opens_area_code(bytes, first_digit));
        let mut sep = 0;
        while run.len < MAX_GROUPS {
            let Some(group) = read_group(bytes, at, sep) else {
                break;
            };
            run.groups[run.len] = group;
            run.len += 1;
            match next_group_start(bytes, group.outer_end()) {
                Some((next_sep, next_at)) => (sep, at) = (next_sep, next_at),
                None => break,
            }
        }
        // A last group glued to letters (`4567ext`, `32GB`) belongs to that word, not to the run.
        while run.len > 0 && word_at(text, run.groups[run.len - 1].outer_end()) {
            run.len -= 1;
        }
        run
    }

    pub(crate) fn groups(&self) -> &[Group] {
        &self.groups[..self.len]
    }

    /// Where the run starts in the text: its `+`, its opening parenthesis or its first digit.
    pub(crate) fn start(&self) -> usize {
        match (self.plus, self.groups().first()) {
            (Some(plus), _) => plus,
            (None, Some(first)) => first.outer_start(),
            (None, None) => 0,
        }
    }

    /// Just past the run's last group; a run that read no group ends where it was asked to start.
    pub(crate) fn end_or(&self, first_digit: usize) -> usize {
        self.groups()
            .last()
            .map_or(first_digit + 1, Group::outer_end)
    }

    /// The digits of groups `first..=last`, in order.
    pub(crate) fn digits(
        &self,
        first: usize,
        last: usize,
    ) -> impl DoubleEndedIterator<Item = u8> + '_ {
        self.groups[first..=last].iter().flat_map(|group| {
            self.text.as_bytes()[group.start..group.end]
                .iter()
                .map(|b| b - b'0')
        })
    }

    /// The last group, at most `limit`, that still keeps groups `first..=last` within
    /// `max_digits` digits (at least `first`).
    pub(crate) fn reach(&self, first: usize, limit: usize, max_digits: usize) -> usize {
        let mut last = first;
        let mut digits = self.groups[first].len();
        while last < limit && digits + self.groups[last + 1].len() <= max_digits {
            last += 1;
            digits += self.groups[last].len();
        }
        last
    }

    /// Whether a number can start at `at.first`: at the start of the run, right after something
    /// already claimed, or after a space that follows groups joined otherwise
    /// (`555-123-4567 555-765-4321`). `192.168.1.254` and `4111 1111 1111 1112` have no number
    /// starting in their middle.
    pub(crate) fn starts_number(&self, at: Stretch) -> bool {
        let groups = self.groups();
        at.first == 0
            || at.after_claim
            || (groups[at.first].sep == b' ' && !matches!(groups[at.first - 1].sep, 0 | b' '))
    }

    /// Whether groups from `first` can end a number at `last`: where the stretch ends, or where a
    /// space follows groups joined otherwise (`555-123-4567 555-765-4321`).
    pub(crate) fn ends_number(&self, last: usize, limit: usize) -> bool {
        let groups = self.groups();
        last == limit || (groups[last + 1].sep == b' ' && groups[last].sep != b' ')
    }

    /// How many digits groups `first..=last` hold.
    pub(crate) fn digit_count(&self, first: usize, last: usize) -> usize {
        self.groups[first..=last].iter().map(Group::len).sum()
    }

    /// Whether groups `first..=last` are joined by one and the same separator from `allowed`,
    /// with no parentheses.
    pub(crate) fn uniformly_separated(&self, first: usize, last: usize, allowed: &[u8]) -> bool {
        let groups = &self.groups[first..=last];
        let sep = groups.get(1).map_or(0, |group| group.sep);
        groups.iter().all(|group| !group.parens)
            && groups[1..]
                .iter()
                .all(|group| group.sep == sep && allowed.contains(&sep))
    }

    /// Whether groups `first..=last` have exactly these lengths.
    pub(crate) fn lengths_are(&self, first: usize, last: usize, lengths: &[usize]) -> bool {
        last + 1 - first == lengths.len()
            && self.groups[first..=last]
                .iter()
                .zip(lengths)
                .all(|(group, len)| group.len() == *len)
    }
}

/// A `+` (optionally followed by one space) right before the first digit or its parenthesis.
fn prefix_plus(bytes: &[u8], first_digit: usize) -> Option<usize> {
    let at = first_digit - usize::from(opens_area_code(bytes, first_digit));
    match (
        at.checked_sub(2).map(|i| &bytes[i..at]),
        at.checked_sub(1).map(|i| bytes[i]),
    ) {
        (Some(b"+ "), _) => Some(at - 2),
        (_, Some(b'+')) => Some(at - 1),
        _ => None,
    }
}

/// Whether the digits at `first_digit` are an area code in parentheses: `(123)`.
fn opens_area_code(bytes: &[u8], first_digit: usize) -> bool {
    first_digit >= 1 && bytes[first_digit - 1] == b'(' && {
        let end = digits_end(bytes, first_digit);
        bytes.get(end) == Some(&b')')
    }
}

fn digits_end(bytes: &[u8], at: usize) -> usize {
    bytes[at..]
        .iter()
        .position(|b| !b.is_ascii_digit())
        .map_or(bytes.len(), |len| at + len)
}

/// Reads one group at `at`: digits, or digits in parentheses.
fn read_group(bytes: &[u8], at: usize, sep: u8) -> Option<Group> {
    let parens = bytes.get(at) == Some(&b'(');
    let start = at + usize::from(parens);
    let end = digits_end(bytes, start);
    if end == start || (parens && bytes.get(end) != Some(&b')')) {
        return None;
    }
    Some(Group {
        start,
        end,
        sep,
        parens,
    })
}

/// After a group ending at `at`: the separator and the start of the next group, if the run goes on.
fn next_group_start(bytes: &[u8], at: usize) -> Option<(u8, usize)> {
    let (sep, next) = match bytes.get(at) {
        Some(&sep @ (b' ' | b'-' | b'.')) => (sep, at + 1),
        _ => (0, at),
    };
    let starts_group = match bytes.get(next) {
        Some(b) if b.is_ascii_digit() => sep != 0 || bytes[at - 1] == b')',
        Some(b'(') => bytes.get(next + 1).is_some_and(u8::is_ascii_digit),
        _ => false,
    };
    starts_group.then_some((sep, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lengths(text: &str) -> Vec<(usize, u8, bool)> {
        let first = text.bytes().position(|b| b.is_ascii_digit()).unwrap();
        let run = Run::read(text, first);
        run.groups()
            .iter()
            .map(|g| (g.len(), g.sep, g.parens))
            .collect()
    }

    #[test]
    fn reads_international_phone_with_area_code() {
        let text = "+ 1 (123) 456 7890 after 5pm";
        let run = Run::read(text, 2);
        assert_eq!(run.plus, Some(0));
        assert_eq!(
            lengths(text),
            [
                (1, 0, false),
                (3, b' ', true),
                (3, b' ', false),
                (4, b' ', false)
            ]
        );
        assert_eq!(&text[run.start()..run.end_or(2)], "+ 1 (123) 456 7890");
    }

    #[test]
    fn stops_at_separators_not_followed_by_digits() {
        assert_eq!(
            lengths("4111-1111 - the"),
            [(4, 0, false), (4, b'-', false)]
        );
        assert_eq!(
            lengths("call 555.1234. Thanks"),
            [(3, 0, false), (4, b'.', false)]
        );
        assert_eq!(lengths("(12 days)"), [(2, 0, false)]);
    }

    #[test]
    fn drops_a_last_group_glued_to_a_word() {
        assert_eq!(lengths("a blue 32GB card"), []);
        assert_eq!(lengths("555-1234ext"), [(3, 0, false)]);
    }
}
