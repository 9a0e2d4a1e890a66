//! Who sees someone typing: the agents taking part in a held conversation see its customer type;
//! a chat's customer sees an agent taking part type, and so does a Messenger customer, while the
//! page may still message them without a tag (Messenger's 24 hours). Typing changes nothing and is
//! not stored, so this only reads the model.

use serde::{Deserialize, Serialize};
use switchboard_protocol::{AgentId, Channel, ConversationId, Millis};

use super::thread::STANDARD_REPLY_WINDOW;
use super::{ChannelAddress, Router, Status};

/// Who is typing, in which conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Typist {
    Customer {
        conversation: ConversationId,
    },
    Agent {
        agent: AgentId,
        conversation: ConversationId,
    },
}

/// Who is told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypingAudience {
    Agents(Vec<AgentId>),
    /// The chat's customer, told the typing agent's name.
    Customer {
        name: String,
    },
    /// A Messenger customer, shown that the page is typing.
    Messenger {
        address: ChannelAddress,
    },
    Nobody,
}

impl Router {
    pub fn typing_audience(&self, typist: &Typist, now: Millis) -> TypingAudience {
        let conversation = match typist {
            Typist::Customer { conversation } | Typist::Agent { conversation, .. } => conversation,
        };
        let Some(held) = self
            .conversations
            .get(conversation)
            .filter(|c| matches!(c.record.status, Status::Held { .. }))
        else {
            return TypingAudience::Nobody;
        };
        match typist {
            Typist::Customer { .. } => TypingAudience::Agents(self.participants(conversation)),
            Typist::Agent { agent, .. } if !self.participants(conversation).contains(agent) => {
                TypingAudience::Nobody
            }
            Typist::Agent { agent, .. } => match (held.record.channel, &held.record.address) {
                (Channel::Chat, _) => TypingAudience::Customer {
                    name: self.agents[agent].summary.name.clone(),
                },
                (Channel::Facebook, Some(address))
                    if self
                        .since_customer_wrote(conversation, now)
                        .is_some_and(|since| since <= STANDARD_REPLY_WINDOW) =>
                {
                    TypingAudience::Messenger {
                        address: address.clone(),
                    }
                }
                _ => TypingAudience::Nobody,
            },
        }
    }
}
