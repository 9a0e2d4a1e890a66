//! Search over the agent's ended conversations (a supervisor's, over everyone's) and their
//! transcripts, through [`Desk`]: the server finds and masks them, and the core masks again, as
//! it does everything it passes on. A transcript is to read: nothing in it can be answered.

use serde::Serialize;
use switchboard_protocol::agent::{AgentCommand, CommandResult, SearchResult};
use switchboard_protocol::rules::MAX_SEARCH_CHARS;
use switchboard_protocol::{AgentId, ChatMessage, ConversationId, ErrorBody, ErrorCode, Millis};
use ts_rs::TS;

use crate::desk::{Desk, DeskError};
use crate::redact::Redactor;
use crate::views::{self, Bubble, PastConversationView};

/// An ended conversation found by a search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SearchResultView {
    pub conversation: PastConversationView,
    pub customer: String,
    pub started_at: Millis,
    /// Where the words were found.
    pub excerpt: String,
}

/// An ended conversation's thread, to read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TranscriptView {
    pub id: ConversationId,
    pub customer: String,
    pub bubbles: Vec<Bubble>,
}

pub(crate) fn result_view(result: &SearchResult, redactor: &Redactor) -> SearchResultView {
    let past = &result.conversation;
    SearchResultView {
        conversation: views::past(past, redactor),
        customer: redactor.owned(&result.customer.name),
        started_at: past.started_at,
        excerpt: views::preview(&redactor.text(&result.excerpt)),
    }
}

pub(crate) fn transcript_view(
    id: ConversationId,
    customer: &str,
    messages: &[ChatMessage],
    me: &AgentId,
    redactor: &Redactor,
) -> TranscriptView {
    let customer = redactor.owned(customer);
    let initials = views::initials(&customer);
    TranscriptView {
        id,
        bubbles: messages
            .iter()
            .map(|message| {
                let mut bubble = views::bubble(message, me, &initials, redactor);
                // A channel's picture is fetched from a conversation on the desk; a transcript
                // lists its address.
                for attachment in &mut bubble.attachments {
                    attachment.picture &= attachment.file.is_some();
                }
                bubble
            })
            .collect(),
        customer,
    }
}

/// Refuses what the server would refuse, without asking it.
fn check_query(query: &str) -> Result<(), DeskError> {
    let problem = if query.chars().count() > MAX_SEARCH_CHARS {
        format!("A search is at most {MAX_SEARCH_CHARS} characters.")
    } else if !query.chars().any(char::is_alphanumeric) {
        "Type a name, an e-mail address, a phone number or words of a message.".to_owned()
    } else {
        return Ok(());
    };
    Err(DeskError::Query(ErrorBody::new(
        ErrorCode::InvalidInput,
        problem,
    )))
}

impl Desk {
    /// The agent's ended conversations matching `query`, newest first; with `everyone` (a
    /// supervisor's search, refused for an agent) everyone's.
    pub async fn search(
        &self,
        query: &str,
        everyone: bool,
    ) -> Result<Vec<SearchResultView>, DeskError> {
        check_query(query)?;
        let result = self
            .command(AgentCommand::Search {
                query: query.to_owned(),
                everyone,
            })
            .await?;
        let CommandResult::Found { results } = result else {
            return Ok(Vec::new());
        };
        let redactor = self.shared.model().redactor();
        Ok(results
            .iter()
            .map(|result| result_view(result, &redactor))
            .collect())
    }

    /// The thread of an ended conversation found by a search (whose customer it names), to
    /// read.
    pub async fn transcript(
        &self,
        conversation: &ConversationId,
        customer: &str,
    ) -> Result<TranscriptView, DeskError> {
        let result = self
            .command(AgentCommand::Transcript {
                conversation: conversation.clone(),
            })
            .await?;
        let messages = match result {
            CommandResult::Messages { messages } => messages,
            _ => Vec::new(),
        };
        let model = self.shared.model();
        Ok(transcript_view(
            conversation.clone(),
            customer,
            &messages,
            &model.agent.id,
            &model.redactor(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use switchboard_protocol::agent::{Customer, PastConversation, QueueSummary};
    use switchboard_protocol::reports::SurveyAnswer;
    use switchboard_protocol::{Channel, Sender};

    use super::*;

    fn found() -> SearchResult {
        SearchResult {
            conversation: PastConversation {
                id: "c1".into(),
                channel: Channel::Chat,
                queue: QueueSummary {
                    id: "general".into(),
                    name: "General".into(),
                    escalation: false,
                },
                started_at: 1,
                ended_at: 2,
                comment: "My card is 4111 1111 1111 1111".into(),
                wrap_up: Some("Resolved".into()),
                survey: Some(SurveyAnswer {
                    rating: 4,
                    comment: "Fast. Charged 4111 1111 1111 1111 once only".into(),
                }),
            },
            customer: Customer {
                name: "Zoë Nováková".into(),
                email: None,
                phone: None,
            },
            excerpt: "Paid with\n4111 1111 1111 1111 yesterday".into(),
        }
    }

    #[test]
    fn results_are_masked_again_and_shown_on_one_line() {
        let view = result_view(&found(), &Redactor::new(true));
        assert_eq!(view.customer, "Zoë Nováková");
        assert_eq!(view.conversation.queue, "General");
        assert!(!view.excerpt.contains("4111"), "{}", view.excerpt);
        assert!(!view.excerpt.contains('\n'));
        assert!(!view.conversation.comment.contains("4111"));
        assert_eq!(view.conversation.rating, Some(4));
        let rating_comment = view.conversation.rating_comment.as_deref().unwrap();
        assert!(rating_comment.starts_with("Fast."), "{rating_comment}");
        assert!(!rating_comment.contains("4111"), "{rating_comment}");
        let unmasked = result_view(&found(), &Redactor::new(false));
        assert!(unmasked.excerpt.contains("4111 1111"));
    }

    #[test]
    fn a_transcript_shows_each_author_with_notes_apart() {
        let me = AgentId::from("ann");
        let messages = [
            ChatMessage {
                id: 1,
                conversation: "c1".into(),
                from: Sender::Customer {
                    name: "Zoë Nováková".into(),
                },
                text: "Card 4111 1111 1111 1111".into(),
                sent_at: 1,
                attachments: Vec::new(),
            },
            ChatMessage {
                id: 2,
                conversation: "c1".into(),
                from: Sender::Note {
                    agent: me.clone(),
                    name: "Ann".into(),
                },
                text: "Refunded".into(),
                sent_at: 2,
                attachments: Vec::new(),
            },
        ];
        let view = transcript_view(
            "c1".into(),
            "Zoë Nováková",
            &messages,
            &me,
            &Redactor::new(true),
        );
        assert_eq!(view.customer, "Zoë Nováková");
        assert!(!view.bubbles[0].text.contains("4111"));
        assert!(
            matches!(&view.bubbles[0].author, views::Author::Customer { initials } if initials == "ZN")
        );
        assert!(matches!(
            &view.bubbles[1].author,
            views::Author::Note { mine: true, .. }
        ));
    }

    #[test]
    fn a_query_without_a_word_or_too_long_is_refused_before_asking() {
        assert!(check_query(" *- ").is_err());
        assert!(check_query(&"a".repeat(MAX_SEARCH_CHARS + 1)).is_err());
        assert!(check_query("zoë").is_ok());
    }
}
