//! What routing exchanges with other systems: a customer's message from a provider (and the
//! provider's receipts), and the errands a step leaves for the courier — a reply to deliver by
//! SMS or Messenger, a customer's message for the bot — with what the bot answers.

use serde::{Deserialize, Serialize};
use switchboard_protocol::{
    Attachment, Channel, ConversationId, ErrorBody, ErrorCode, Millis, QueueId, StoredFile,
};

use super::ChannelAddress;

/// Characters a provider's message may have; longer ones are refused, never cut.
pub const MAX_INBOUND_CHARS: usize = 5_000;

/// A customer's message from a provider's webhook.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Inbound {
    pub channel: Channel,
    /// The provider's id of the message: a redelivery carries the same one.
    pub provider_id: String,
    pub address: ChannelAddress,
    /// The queue the number or page is configured to route to.
    pub queue: QueueId,
    pub text: String,
    pub attachments: Vec<Attachment>,
    /// What the provider calls the customer (a Messenger profile), for when no contact does.
    pub customer_name: Option<String>,
}

impl Inbound {
    /// Refuses what cannot be a message: nothing in it, or more than anyone sends.
    pub fn check(&self) -> Result<(), ErrorBody> {
        if self.text.trim().is_empty() && self.attachments.is_empty() {
            return Err(ErrorBody::new(
                ErrorCode::EmptyMessage,
                "The message has neither text nor attachments.",
            ));
        }
        let chars = self.text.chars().count();
        if chars > MAX_INBOUND_CHARS {
            return Err(ErrorBody::new(
                ErrorCode::MessageTooLong,
                format!(
                    "The message has {chars} characters; at most {MAX_INBOUND_CHARS} are accepted."
                ),
            ));
        }
        Ok(())
    }
}

/// Work for the courier: an event of the conversation's outbound stream, done in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "errand", rename_all = "snake_case")]
pub enum Errand {
    /// A reply to deliver through the SMS or Messenger provider.
    Reply(Outbound),
    /// A customer's message for the bot, whose answer comes back to the hub.
    Bot(BotTurn),
}

impl Errand {
    pub fn conversation(&self) -> &ConversationId {
        match self {
            Errand::Reply(reply) => &reply.conversation,
            Errand::Bot(turn) => &turn.conversation,
        }
    }
}

/// A customer's message for the workstream's bot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BotTurn {
    pub conversation: ConversationId,
    pub text: String,
    /// The bot's base URL.
    pub bot: String,
}

/// An agent's or the bot's reply for the courier to deliver through the provider.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outbound {
    pub conversation: ConversationId,
    /// The message's id in the thread.
    pub message: u64,
    pub channel: Channel,
    pub address: ChannelAddress,
    pub text: String,
    /// Messenger only: more than 24 hours after the customer's last message, a reply must be
    /// tagged as a human agent's.
    #[serde(default)]
    pub human_agent: bool,
    /// Files sent with it, which the provider fetches through links made as it is sent.
    #[serde(default)]
    pub files: Vec<StoredFile>,
}

/// The provider's word that the customer's device got, or the customer read, everything sent up
/// to a time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Receipt {
    Delivered(ChannelAddress, Millis),
    Read(ChannelAddress, Millis),
}

/// The name the bot's messages carry in the thread.
pub const BOT_NAME: &str = "Assistant";

/// What the bot answered: its messages, and whether it hands over.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BotAnswer {
    pub texts: Vec<String>,
    pub handoff: Option<Handoff>,
}

/// The bot gives the conversation to people.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Handoff {
    /// The queue to go to; the conversation's own when not given.
    #[serde(default)]
    pub queue: Option<QueueId>,
    #[serde(default)]
    pub reason: Option<String>,
}
