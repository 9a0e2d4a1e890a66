//! Typing, told at once to whoever routing says sees it (a Messenger customer through the
//! provider): outside the group commit and the
//! outbox (nothing of it is stored or replayed), and dropped, never queued behind messages, when
//! a connection is behind.

use switchboard_protocol::Millis;
use switchboard_protocol::agent::AgentServerFrame;
use switchboard_protocol::customer::CustomerServerFrame;

use super::stream::Stream;
use super::{Hub, json};
use crate::routing::{TypingAudience, Typist};
use crate::store::Store;

impl<S: Store> Hub<S> {
    pub(super) fn tell_typing(&self, typist: &Typist, typing: bool, now: Millis) {
        match (self.router.typing_audience(typist, now), typist) {
            (TypingAudience::Agents(agents), Typist::Customer { conversation }) => {
                let frame = json(&AgentServerFrame::Typing {
                    conversation: conversation.clone(),
                    typing,
                });
                for agent in &agents {
                    if let Some(live) = self.live.get(&Stream::Agent(agent).to_string()) {
                        live.frames.offer(frame.clone());
                    }
                }
            }
            (TypingAudience::Customer { name }, Typist::Agent { conversation, .. }) => {
                if let Some(live) = self.live.get(&Stream::Customer(conversation).to_string()) {
                    live.frames
                        .offer(json(&CustomerServerFrame::Typing { name, typing }));
                }
            }
            (TypingAudience::Messenger { address }, _) => self.signals.typing(address, typing),
            _ => {}
        }
    }
}
