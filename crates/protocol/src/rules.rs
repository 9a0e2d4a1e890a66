//! Limits both sides enforce: the desktop's composer refuses what the server would refuse, with
//! the same words.

use crate::{ErrorBody, ErrorCode};

/// At most this many characters in one chat message (SPEC §3).
pub const MAX_MESSAGE_CHARS: usize = 1000;

/// Characters reserved for replaceable parameters in message templates (SPEC §3).
pub const RESERVED_CHARACTERS: [char; 2] = ['<', '>'];

/// At most this many context variables when a chat starts.
pub const MAX_CONTEXT_VARIABLES: usize = 100;

/// The longest reason an agent may give for escalating a conversation.
pub const MAX_ESCALATION_REASON_CHARS: usize = 500;
/// The most characters of the reason a supervisor gives for setting an agent's presence or
/// signing them out.
pub const MAX_SUPERVISOR_REASON_CHARS: usize = 200;

/// The longest comment a customer may leave with their rating, and the most stars.
pub const MAX_SURVEY_COMMENT_CHARS: usize = 500;
pub const MAX_SURVEY_RATING: usize = 5;

/// A customer's name: at most this many characters.
pub const MAX_CUSTOMER_NAME_CHARS: usize = 100;

/// A `start_chat` command id identifies the customer across a retry, before there is a
/// conversation: it must be random enough not to collide with anyone else's (22 characters of
/// base64 carry 128 bits).
pub const MIN_START_ID_CHARS: usize = 22;

/// At most this many bytes in one WebSocket frame; larger frames are refused.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;

/// A conversation's messages come in pages of this many, newest first: a snapshot carries the
/// latest page, and earlier pages are asked for (the server keeps only the latest in memory).
pub const HISTORY_PAGE: usize = 50;

/// A search answers with at most this many conversations, the newest.
pub const SEARCH_RESULTS: usize = 50;
/// A search's words, in characters: longer queries are refused.
pub const MAX_SEARCH_CHARS: usize = 200;
/// A transcript opened from a search carries at most this many messages, the latest.
pub const TRANSCRIPT_MESSAGES: usize = 1_000;

/// While someone types, a typing frame goes out at most this often (the other side's
/// indicator is refreshed by it).
pub const TYPING_EVERY_MILLIS: usize = 2_000;

/// A typing indicator not refreshed for this long goes away: the `typing: false` that should
/// have ended it was dropped, or its sender left.
pub const TYPING_SHOWN_MILLIS: usize = 6_000;

/// Files one message carries at most.
pub const MAX_FILES_PER_MESSAGE: usize = 5;

/// A stored file's name is cut to this many characters.
pub const MAX_FILE_NAME_CHARS: usize = 200;

/// How long a link to a stored file (`file_link`) works.
pub const FILE_LINK_MILLIS: usize = 5 * 60 * 1000;

/// The numeric limits by the names the generated TypeScript and the JSON Schema give them: the
/// window and the widget read them from there, never retyping a number.
pub const LIMITS: [(&str, usize); 18] = [
    ("MAX_MESSAGE_CHARS", MAX_MESSAGE_CHARS),
    ("MAX_CONTEXT_VARIABLES", MAX_CONTEXT_VARIABLES),
    ("MAX_ESCALATION_REASON_CHARS", MAX_ESCALATION_REASON_CHARS),
    ("MAX_SUPERVISOR_REASON_CHARS", MAX_SUPERVISOR_REASON_CHARS),
    ("MAX_CUSTOMER_NAME_CHARS", MAX_CUSTOMER_NAME_CHARS),
    ("MIN_START_ID_CHARS", MIN_START_ID_CHARS),
    ("MAX_FRAME_BYTES", MAX_FRAME_BYTES),
    ("HISTORY_PAGE", HISTORY_PAGE),
    ("SEARCH_RESULTS", SEARCH_RESULTS),
    ("MAX_SEARCH_CHARS", MAX_SEARCH_CHARS),
    ("TRANSCRIPT_MESSAGES", TRANSCRIPT_MESSAGES),
    ("TYPING_EVERY_MILLIS", TYPING_EVERY_MILLIS),
    ("TYPING_SHOWN_MILLIS", TYPING_SHOWN_MILLIS),
    ("MAX_FILES_PER_MESSAGE", MAX_FILES_PER_MESSAGE),
    ("MAX_FILE_NAME_CHARS", MAX_FILE_NAME_CHARS),
    ("FILE_LINK_MILLIS", FILE_LINK_MILLIS),
    ("MAX_SURVEY_COMMENT_CHARS", MAX_SURVEY_COMMENT_CHARS),
    ("MAX_SURVEY_RATING", MAX_SURVEY_RATING),
];

/// Checks a customer's answer to the satisfaction survey: 1 to [`MAX_SURVEY_RATING`] stars, a
/// comment of at most [`MAX_SURVEY_COMMENT_CHARS`] characters.
pub fn check_survey(rating: u8, comment: &str) -> Result<(), ErrorBody> {
    if !(1..=MAX_SURVEY_RATING).contains(&usize::from(rating)) {
        return Err(ErrorBody::new(
            ErrorCode::InvalidInput,
            format!("Give 1 to {MAX_SURVEY_RATING} stars."),
        ));
    }
    if comment.chars().count() > MAX_SURVEY_COMMENT_CHARS {
        return Err(ErrorBody::new(
            ErrorCode::InvalidInput,
            format!("A comment is at most {MAX_SURVEY_COMMENT_CHARS} characters."),
        ));
    }
    Ok(())
}

/// Checks a chat message before it is sent: not empty, at most [`MAX_MESSAGE_CHARS`]
/// characters, none of [`RESERVED_CHARACTERS`].
pub fn check_message(text: &str) -> Result<(), ErrorBody> {
    if text.trim().is_empty() {
        return Err(ErrorBody::new(
            ErrorCode::EmptyMessage,
            "The message is empty.",
        ));
    }
    let length = text.chars().count();
    if length > MAX_MESSAGE_CHARS {
        return Err(ErrorBody::new(
            ErrorCode::MessageTooLong,
            format!(
                "The message has {length} characters; at most {MAX_MESSAGE_CHARS} can be sent. \
                 Shorten it by {}.",
                length - MAX_MESSAGE_CHARS
            ),
        ));
    }
    if text.contains(RESERVED_CHARACTERS) {
        return Err(ErrorBody::new(
            ErrorCode::ReservedCharacters,
            "The characters < and > cannot be sent in a chat message: they mark replaceable \
             parameters in message templates.",
        ));
    }
    Ok(())
}

/// Checks that a message carries at most [`MAX_FILES_PER_MESSAGE`] files.
pub fn check_file_count(files: usize) -> Result<(), ErrorBody> {
    if files > MAX_FILES_PER_MESSAGE {
        return Err(ErrorBody::new(
            ErrorCode::InvalidInput,
            format!(
                "A message carries at most {MAX_FILES_PER_MESSAGE} files; this one has {files}."
            ),
        ));
    }
    Ok(())
}

/// Checks a message that carries `files`: at most [`MAX_FILES_PER_MESSAGE`] of them, and its
/// text as [`check_message`] does, which may then be empty.
pub fn check_message_with_files(text: &str, files: usize) -> Result<(), ErrorBody> {
    check_file_count(files)?;
    if files > 0 && text.trim().is_empty() {
        return Ok(());
    }
    check_message(text)
}

/// Checks the command id of a `start_chat`: long enough to be recognised on a retry.
pub fn check_start_id(id: &str) -> Result<(), ErrorBody> {
    if id.chars().count() >= MIN_START_ID_CHARS {
        return Ok(());
    }
    Err(ErrorBody::new(
        ErrorCode::InvalidInput,
        format!(
            "start_chat needs a random command id of at least {MIN_START_ID_CHARS} characters, so that a retry is recognised"
        ),
    ))
}

/// The longest span a report covers, in days; hour by hour, at most [`MAX_HOURLY_REPORT_DAYS`].
pub const MAX_REPORT_DAYS: u32 = 366;
pub const MAX_HOURLY_REPORT_DAYS: u32 = 31;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_up_to_the_limit_counted_in_characters() {
        assert_eq!(check_message(&"ž".repeat(MAX_MESSAGE_CHARS)), Ok(()));
        assert_eq!(check_message("line one\nline two"), Ok(()));
    }

    #[test]
    fn a_message_with_files_may_have_no_text_but_not_too_many_files() {
        assert_eq!(check_message_with_files("", 1), Ok(()));
        assert_eq!(
            check_message_with_files("", 0).unwrap_err().code,
            ErrorCode::EmptyMessage
        );
        assert_eq!(
            check_message_with_files("a <b>", 1).unwrap_err().code,
            ErrorCode::ReservedCharacters
        );
        let many = check_message_with_files("", MAX_FILES_PER_MESSAGE + 1).unwrap_err();
        assert_eq!(many.code, ErrorCode::InvalidInput);
    }

    #[test]
    fn refuses_long_reserved_and_empty_messages_with_their_codes() {
        let long = check_message(&"a".repeat(MAX_MESSAGE_CHARS + 1)).unwrap_err();
        assert_eq!(long.code, ErrorCode::MessageTooLong);
        assert!(long.message.contains("1001 characters"), "{long}");
        assert_eq!(
            check_message("a <b>").unwrap_err().code,
            ErrorCode::ReservedCharacters
        );
        assert_eq!(
            check_message("2 > 1").unwrap_err().code,
            ErrorCode::ReservedCharacters
        );
        assert_eq!(
            check_message(" \n ").unwrap_err().code,
            ErrorCode::EmptyMessage
        );
    }
}
