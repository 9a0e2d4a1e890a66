//! The bot answering first (SPEC §2): its replies join the thread; a hand-over or a failure
//! queues the conversation for people as an escalation from the bot.

use switchboard_protocol::{ConversationId, Millis, Sender};

use super::Escalation;
use super::{BOT_NAME, BotAnswer};
use super::{Effects, Router};

impl Router {
    /// The bot answered the customer (or failed to): its messages join the thread, and a
    /// hand-over — or a failure, so that nobody is left waiting — queues the conversation for
    /// people, marked as escalated from the bot.
    pub fn bot_answered(
        &mut self,
        id: &ConversationId,
        answer: std::result::Result<BotAnswer, String>,
        now: Millis,
        fx: &mut Effects,
    ) {
        if !self
            .conversations
            .get(id)
            .is_some_and(|c| c.record.with_bot)
        {
            // Ended, or handed over already: a late answer changes nothing.
            return;
        }
        let handoff = match answer {
            Ok(BotAnswer { texts, handoff }) => {
                for text in texts {
                    let bot = Sender::Bot {
                        name: BOT_NAME.to_owned(),
                    };
                    self.append(id, bot, &text, now, fx);
                }
                handoff.map(|handoff| {
                    let reason = handoff
                        .reason
                        .filter(|reason| !reason.trim().is_empty())
                        .unwrap_or_else(|| "The bot handed the conversation over".to_owned());
                    (handoff.queue, reason)
                })
            }
            Err(failure) => Some((None, format!("The bot did not answer ({failure})"))),
        };
        let Some((queue, reason)) = handoff else {
            return;
        };
        let own = self.conversations[id].record.queue.clone();
        let queue = queue
            .filter(|queue| self.config.queue(queue).is_some() && !self.removed.contains(queue))
            .unwrap_or(own);
        self.append(id, Sender::System, &reason, now, fx);
        let record = &mut self.conversations.get_mut(id).expect("open").record;
        record.with_bot = false;
        record.queue = queue.clone();
        record.escalation = Some(Escalation {
            reason,
            from_bot: true,
        });
        fx.touch(record);
        self.queues.entry(queue).or_default().push_back(id.clone());
        self.dispatch(now, fx);
    }
}
