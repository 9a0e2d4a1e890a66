//! Who sees someone typing: the agents taking part in a held conversation see its customer type;
//! a chat's customer sees an agent taking part type. Typing changes nothing and is not stored, so
//! this only reads the model.

use serde::{Deserialize, Serialize};
use switchboard_protocol::{AgentId, Channel, ConversationId};

use super::{Router, Status};

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
    Nobody,
}

impl Router {
    pub fn typing_audience(&self, typist: &Typist) -> TypingAudience {
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
            Typist::Agent { agent, .. }
                if held.record.channel == Channel::Chat
                    && self.participants(conversation).contains(agent) =>
            {
                TypingAudience::Customer {
                    name: self.agents[agent].summary.name.clone(),
                }
            }
            Typist::Agent { .. } => TypingAudience::Nobody,
        }
    }
}
