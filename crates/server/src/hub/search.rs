//! Search and transcripts: an agent finds the ended conversations they took part in (a
//! supervisor, everyone's) and reads one, read from the store off the hub (a read changes
//! nothing, so its reply is not stored), masked like everything else an agent is sent.

use switchboard_protocol::agent::{AgentServerFrame, CommandResult, Outcome, SearchResult};
use switchboard_protocol::rules::{MAX_SEARCH_CHARS, SEARCH_RESULTS, TRANSCRIPT_MESSAGES};
use switchboard_protocol::{AgentId, CommandId, ConversationId, ErrorBody, ErrorCode};

use super::stream::Stream;
use super::{Hub, json};
use crate::config::Config;
use crate::contacts::past_conversation;
use crate::masking;
use crate::store::search::{Found, words};
use crate::store::{Store, StoreError};

/// An excerpt shows at most this many characters of the text that matched.
const EXCERPT_CHARS: usize = 160;

impl<S: Store> Hub<S> {
    /// Answers `search` on the agent's connection once the store has answered.
    pub(super) fn send_search(&self, agent: &AgentId, id: CommandId, query: &str, everyone: bool) {
        let Some(live) = self.live.get(&Stream::Agent(agent).to_string()) else {
            return;
        };
        let frames = live.frames.clone();
        let searched = self
            .router
            .search_scope(agent, everyone)
            .and_then(|whose| Ok((whose, search_words(query)?)));
        let (whose, words) = match searched {
            Ok(words) => words,
            Err(error) => {
                frames.try_send(json(&AgentServerFrame::Reply {
                    id,
                    outcome: Outcome::Error { error },
                }));
                return;
            }
        };
        let config = self.router.shared_config();
        let (store, masker) = (self.store.clone(), self.agent_masker);
        tokio::spawn(async move {
            let outcome = match store.search(&whose, &words, SEARCH_RESULTS).await {
                Ok(found) => {
                    let mut results: Vec<SearchResult> = found
                        .into_iter()
                        .filter_map(|found| result(found, &config))
                        .collect();
                    if let Some(masker) = &masker {
                        for result in &mut results {
                            masking::search_result(masker, result);
                        }
                    }
                    Outcome::Ok {
                        result: CommandResult::Found { results },
                    }
                }
                Err(error) => Outcome::Error {
                    error: unavailable(error, "search"),
                },
            };
            frames.try_send(json(&AgentServerFrame::Reply { id, outcome }));
        });
    }

    /// Answers `transcript` on the agent's connection once the thread is read.
    pub(super) fn send_transcript(
        &self,
        agent: &AgentId,
        id: CommandId,
        conversation: ConversationId,
    ) {
        let Some(live) = self.live.get(&Stream::Agent(agent).to_string()) else {
            return;
        };
        let frames = live.frames.clone();
        let (store, masker, whose) = (
            self.store.clone(),
            self.agent_masker,
            self.router.readable(agent),
        );
        tokio::spawn(async move {
            let read = store
                .transcript(&whose, &conversation, TRANSCRIPT_MESSAGES)
                .await;
            let outcome = match read {
                Ok(Some(mut messages)) => {
                    if let Some(masker) = &masker {
                        for message in &mut messages {
                            masking::message(masker, message);
                        }
                    }
                    Outcome::Ok {
                        result: CommandResult::Messages { messages },
                    }
                }
                Ok(None) => Outcome::Error {
                    error: ErrorBody::new(
                        ErrorCode::NotFound,
                        "No ended conversation you may read has this id.",
                    ),
                },
                Err(error) => Outcome::Error {
                    error: unavailable(error, "transcript"),
                },
            };
            frames.try_send(json(&AgentServerFrame::Reply { id, outcome }));
        });
    }
}

/// The words to look for, or why the query cannot be searched.
fn search_words(query: &str) -> Result<Vec<String>, ErrorBody> {
    if query.chars().count() > MAX_SEARCH_CHARS {
        return Err(ErrorBody::new(
            ErrorCode::InvalidInput,
            format!("A search is at most {MAX_SEARCH_CHARS} characters."),
        ));
    }
    let words = words(query);
    if words.is_empty() {
        return Err(ErrorBody::new(
            ErrorCode::InvalidInput,
            "Type a name, an e-mail address, a phone number or words of a message to search for.",
        ));
    }
    Ok(words)
}

fn result((record, text): Found, config: &Config) -> Option<SearchResult> {
    let customer = record.customer.clone();
    let conversation = past_conversation(record, |queue| config.queue_summary(queue))?;
    Some(SearchResult {
        conversation,
        customer,
        excerpt: excerpt(&text),
    })
}

/// The start of `text`, cut at a character boundary.
fn excerpt(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

fn unavailable(error: StoreError, what: &str) -> ErrorBody {
    tracing::error!(%error, "could not read a {what}");
    ErrorBody::new(
        ErrorCode::Unavailable,
        "The stored conversations cannot be read now; try again in a moment.",
    )
}
