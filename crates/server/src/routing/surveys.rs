//! The satisfaction survey: a chat whose widget asks "How did we do?" is kept for a while after
//! it ends, so that its customer can rate it once; the answer is stored with the conversation
//! and recorded as a fact for the reports. A restart forgets which chats may still be rated:
//! their customers are told it is too late.

use switchboard_protocol::reports::SurveyAnswer;
use switchboard_protocol::rules::check_survey;
use switchboard_protocol::{AgentId, Channel, ConversationId, EndedBy, ErrorCode, Millis};

use super::facts::fact;
use super::time::Deadline;
use super::{ConversationRecord, Effects, FactKind, Result, Router, Status, error};

/// How long after a chat ends its customer may still rate it.
pub(super) const SURVEY_MILLIS: Millis = 30 * 60 * 1000;

/// An ended chat its customer may rate, with the agent who last held it.
#[derive(Debug)]
pub(super) struct AwaitingSurvey {
    record: ConversationRecord,
    agent: AgentId,
    until: Millis,
}

impl Router {
    /// Whether the chat's widget asks its customer to rate it, and it was not rated yet.
    fn asks_survey(&self, record: &ConversationRecord) -> bool {
        record.channel == Channel::Chat
            && record.survey.is_none()
            && record
                .widget
                .as_deref()
                .and_then(|widget| self.config.widget(widget))
                .is_some_and(|widget| widget.survey)
    }

    /// A chat an agent held was closed: if its widget asks for a rating (and none was given
    /// during the wrap-up), it is kept for one.
    pub(super) fn await_survey(
        &mut self,
        record: &ConversationRecord,
        agent: AgentId,
        ended_by: EndedBy,
        now: Millis,
    ) {
        if ended_by == EndedBy::System || !self.asks_survey(record) {
            return;
        }
        let until = now + SURVEY_MILLIS;
        self.deadlines
            .insert((until, Deadline::Survey(record.id.clone())));
        let awaiting = AwaitingSurvey {
            record: record.clone(),
            agent,
            until,
        };
        self.awaiting_survey.insert(record.id.clone(), awaiting);
    }

    /// The time to rate `id` is over.
    pub(super) fn survey_closed(&mut self, id: &ConversationId, now: Millis) {
        if self
            .awaiting_survey
            .get(id)
            .is_some_and(|awaiting| awaiting.until <= now)
        {
            self.awaiting_survey.remove(id);
        }
    }

    /// The customer rates their ended chat: once, while its agent wraps it up or for a while
    /// after.
    pub fn rate(
        &mut self,
        id: &ConversationId,
        rating: u8,
        comment: &str,
        now: Millis,
        fx: &mut Effects,
    ) -> Result {
        let wrapping_up = match self.conversations.get(id) {
            Some(conversation) => match &conversation.record.status {
                Status::WrapUp { agent, .. } if self.asks_survey(&conversation.record) => {
                    Some(agent.clone())
                }
                _ => None,
            },
            None => None,
        };
        let awaited = self
            .awaiting_survey
            .get(id)
            .is_some_and(|awaiting| awaiting.until > now);
        if wrapping_up.is_none() && !awaited {
            return Err(error(
                ErrorCode::InvalidState,
                "This chat cannot be rated: it goes on, it was rated already, or it ended too \
                 long ago.",
            ));
        }
        check_survey(rating, comment.trim())?;
        let survey = SurveyAnswer {
            rating,
            comment: self.storable(comment.trim()).into_owned(),
        };
        let surveyed = FactKind::Surveyed { rating };
        match wrapping_up {
            Some(agent) => {
                let record = &mut self.conversations.get_mut(id).expect("open").record;
                record.survey = Some(survey);
                self.record_fact(id, Some(&agent), surveyed, now, fx);
            }
            None => {
                let mut awaiting = self.awaiting_survey.remove(id).expect("checked");
                awaiting.record.survey = Some(survey);
                let agent = awaiting.agent.clone();
                fact(&mut awaiting.record, Some(&agent), surveyed, now, fx);
            }
        }
        Ok(())
    }
}
