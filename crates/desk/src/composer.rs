//! The composer's rules (SPEC §3): at most 1000 characters, no `<` or `>`. The rules are the
//! protocol's, shared with the server, so that the desktop refuses exactly what the server would.

use serde::Serialize;
use switchboard_protocol::ErrorBody;
use switchboard_protocol::rules::{MAX_MESSAGE_CHARS, check_message};

/// What the composer shows under the text being typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComposerCheck {
    /// Characters left; negative when over the limit.
    pub remaining: i64,
    /// Whether the text can be sent as it is.
    pub sendable: bool,
    /// Why it cannot, in words for the agent (`None` for an empty draft: nothing to complain of).
    pub problem: Option<ErrorBody>,
}

/// Checks a draft as the agent types it.
pub fn check_draft(text: &str) -> ComposerCheck {
    let used = text.chars().count();
    let remaining = MAX_MESSAGE_CHARS as i64 - used as i64;
    let verdict = check_message(text);
    ComposerCheck {
        remaining,
        sendable: verdict.is_ok(),
        problem: verdict.err().filter(|_| !text.trim().is_empty()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_protocol::ErrorCode;

    #[test]
    fn the_remaining_count_and_the_limit() {
        let at_limit = "é".repeat(MAX_MESSAGE_CHARS);
        assert_eq!(
            check_draft(&at_limit),
            ComposerCheck {
                remaining: 0,
                sendable: true,
                problem: None
            }
        );
        let over = check_draft(&format!("{at_limit}x"));
        assert_eq!(over.remaining, -1);
        assert!(!over.sendable);
        assert_eq!(over.problem.unwrap().code, ErrorCode::MessageTooLong);
    }

    #[test]
    fn reserved_characters_are_refused_with_a_reason() {
        let check = check_draft("see <b>this</b>");
        assert!(!check.sendable);
        let problem = check.problem.unwrap();
        assert_eq!(problem.code, ErrorCode::ReservedCharacters);
        assert!(problem.message.contains('<'), "{}", problem.message);
    }

    #[test]
    fn an_empty_draft_cannot_be_sent_but_is_not_an_error_yet() {
        let check = check_draft("  \n");
        assert!(!check.sendable);
        assert_eq!(check.problem, None);
        assert_eq!(check.remaining, MAX_MESSAGE_CHARS as i64 - 3);
    }
}
