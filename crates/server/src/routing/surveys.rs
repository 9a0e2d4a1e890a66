//! The satisfaction survey: a chat whose widget asks "How did we do?" is kept for a while after
//! it ends, so that its customer can rate it once; the answer is stored with the conversation
//! and recorded as a fact for the reports. An SMS customer is asked by SMS, when `[sms] survey`
//! says what to ask, and answers with a number from 1 to 5. A restart forgets which chats may still be rated:
//! their customers are told it is too late.

use switchboard_protocol::reports::SurveyAnswer;
use switchboard_protocol::rules::{MAX_SURVEY_RATING, check_survey};
use switchboard_protocol::{AgentId, Channel, ConversationId, EndedBy, ErrorCode, Millis, Sender};

use super::facts::fact;
use super::time::Deadline;
use super::{ChannelAddress, ConversationRecord, Effects, FactKind, Result, Router, Status, error};

/// How long after a chat ends its customer may still rate it.
pub(super) const SURVEY_MILLIS: Millis = 30 * 60 * 1000;

/// Who asks an SMS customer the survey's question, as the thread shows it.
const SURVEY_SENDER: &str = "Survey";

/// An ended chat its customer may rate, with the agent who last held it.
#[derive(Debug)]
pub(super) struct AwaitingSurvey {
    record: ConversationRecord,
    agent: AgentId,
    until: Millis,
}

impl Router {
    /// Whether the chat's widget asks its customer to rate it (or, for SMS, the configuration
    /// has a survey question), and it was not rated yet.
    fn asks_survey(&self, record: &ConversationRecord) -> bool {
        let asks = match record.channel {
            Channel::Chat => record
                .widget
                .as_deref()
                .and_then(|widget| self.config.widget(widget))
                .is_some_and(|widget| widget.survey),
            Channel::Sms => self.sms_survey().is_some(),
            Channel::Facebook => false,
        };
        asks && record.survey.is_none()
    }

    fn sms_survey(&self) -> Option<&str> {
        self.config.sms.as_ref()?.survey.as_deref()
    }

    /// An SMS conversation an agent ends: its customer is asked the survey's question by SMS (as
    /// the thread's last message, from "Survey").
    pub(super) fn ask_sms_survey(
        &mut self,
        id: &ConversationId,
        ended_by: EndedBy,
        now: Millis,
        fx: &mut Effects,
    ) {
        let record = &self.conversations[id].record;
        if ended_by == EndedBy::System
            || record.channel != Channel::Sms
            || !self.asks_survey(record)
        {
            return;
        }
        let question = self.sms_survey().expect("asked").trim().to_owned();
        let from = Sender::Bot {
            name: SURVEY_SENDER.to_owned(),
        };
        self.append(id, from, &question, now, fx);
    }

    /// A customer's SMS after their conversation ended: a lone number from 1 to 5 answers the
    /// survey they were asked (`true`: taken as the answer). Anything else starts a new
    /// conversation, and the survey is not asked about again.
    pub(super) fn sms_survey_answer(
        &mut self,
        address: &ChannelAddress,
        text: &str,
        now: Millis,
        fx: &mut Effects,
    ) -> Option<ConversationId> {
        let id = self
            .awaiting_survey
            .iter()
            .find(|(_, awaiting)| awaiting.record.address.as_ref() == Some(address))
            .map(|(id, _)| id.clone())?;
        let rating = text
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|rating| (1..=MAX_SURVEY_RATING as u8).contains(rating));
        match rating {
            Some(rating) if self.rate(&id, rating, "", now, fx).is_ok() => Some(id),
            _ => {
                self.awaiting_survey.remove(&id);
                None
            }
        }
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
