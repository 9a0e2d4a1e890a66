//! A supervisor's reports over their desktop's connection: routing grants them, the facts are
//! read from the store off the hub (a read changes nothing, so its reply is not stored).

use switchboard_protocol::agent::{AgentServerFrame, CommandResult, Outcome};
use switchboard_protocol::reports::ReportQuery;
use switchboard_protocol::{AgentId, CommandId, ErrorBody, ErrorCode};

use super::stream::Stream;
use super::{Hub, json};
use crate::reports::read_query;
use crate::store::Store;

impl<S: Store> Hub<S> {
    /// Answers `report` on the agent's connection once the facts are read.
    pub(super) fn send_report(&self, agent: &AgentId, id: CommandId, query: &ReportQuery) {
        let Some(live) = self.live.get(&Stream::Agent(agent).to_string()) else {
            return;
        };
        let frames = live.frames.clone();
        let config = self.router.shared_config();
        let asked = self.router.check_may_see_reports(agent).and_then(|()| {
            let known = |queue: &_| config.queue(queue).is_some();
            read_query(query, config.reports.zone(), known)
                .map_err(|problem| ErrorBody::new(ErrorCode::InvalidInput, problem))
        });
        let (span, filter) = match asked {
            Ok(asked) => asked,
            Err(error) => {
                frames.try_send(json(&AgentServerFrame::Reply {
                    id,
                    outcome: Outcome::Error { error },
                }));
                return;
            }
        };
        let store = self.store.clone();
        tokio::spawn(async move {
            let (from, to) = span.bounds();
            let outcome = match store.facts(from, to).await {
                Ok(facts) => Outcome::Ok {
                    result: CommandResult::Report {
                        report: span.activity(&filter, &facts),
                    },
                },
                Err(error) => {
                    tracing::error!(%error, "could not read the facts of a report");
                    Outcome::Error {
                        error: ErrorBody::new(
                            ErrorCode::Unavailable,
                            "The recorded activity cannot be read now; try again in a moment.",
                        ),
                    }
                }
            };
            frames.try_send(json(&AgentServerFrame::Reply { id, outcome }));
        });
    }
}
