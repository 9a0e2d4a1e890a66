//! Types both sides of the protocol share.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A position in one stream of server→client events, from 1, without gaps.
pub type Seq = u64;

/// Milliseconds since the Unix epoch, UTC.
pub type Millis = u64;

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema, TS)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                $name(id.to_owned())
            }
        }
    };
}

id!(
    /// A conversation, unique on the server.
    ConversationId
);
id!(
    /// A file stored with a conversation.
    FileId
);
id!(
    /// An agent account.
    AgentId
);
id!(
    /// A queue, as named in the server's configuration.
    QueueId
);
id!(
    /// A contact record: a customer the contact center knows.
    ContactId
);
id!(
    /// Chosen by the client for each command, unique within its stream: a command sent again
    /// with the same id is applied once.
    CommandId
);

/// Where a conversation comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Chat,
    Sms,
    Facebook,
}

impl Channel {
    /// The channel's name, as it is written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Chat => "chat",
            Channel::Sms => "sms",
            Channel::Facebook => "facebook",
        }
    }
}

/// An agent's presence (SPEC §1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Presence {
    /// Receives new requests.
    Available,
    /// Receives nothing new, for an administrator-defined reason.
    Idle { reason: String },
    /// Redirected on no answer: let an offer expire. Set only by the server; left only by the
    /// agent's own choice.
    Rona,
    /// Signed out.
    Offline,
}

/// Who wrote a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Sender {
    Customer {
        name: String,
    },
    Agent {
        agent: AgentId,
        name: String,
    },
    /// The bot that answers first, before any agent (a workstream's bot).
    Bot {
        name: String,
    },
    /// A line written by the system: "Customer ended the conversation", "Ann joined".
    System,
    /// An agent's internal note: for the agents who hold, join, receive or later open the
    /// conversation, never for the customer.
    Note {
        agent: AgentId,
        name: String,
    },
}

impl Sender {
    /// Whether the customer sees what this sender wrote: system lines and notes are the agents'.
    pub fn reaches_customer(&self) -> bool {
        matches!(
            self,
            Sender::Customer { .. } | Sender::Agent { .. } | Sender::Bot { .. }
        )
    }
}

/// How far the customer's side got with the agents' messages, as the times of the latest
/// messages their device received and they saw (a chat widget's or Messenger's receipts).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct Receipts {
    pub delivered_up_to: Option<Millis>,
    pub read_up_to: Option<Millis>,
}

/// One message of a conversation's thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct ChatMessage {
    /// Increasing within the conversation: the thread's order.
    pub id: u64,
    pub conversation: ConversationId,
    pub from: Sender,
    pub text: String,
    pub sent_at: Millis,
    /// Files sent along: stored with the conversation (from the widget or the desktop), or kept
    /// by the channel's provider (an SMS's pictures, a Messenger attachment).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

/// A file sent with a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct Attachment {
    /// Where the channel's provider keeps it; empty for a file stored with the conversation.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub url: String,
    /// The MIME type, when the channel says it (`image/jpeg`); a stored file's type as read from
    /// its content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// A file stored with the conversation, read through a short-lived link (`file_link`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<StoredFile>,
}

/// A file stored with a conversation, as its upload answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct StoredFile {
    pub id: FileId,
    /// The name it was sent with (masked like a message).
    pub name: String,
    /// Its type, read from its content, never from its name.
    pub content_type: String,
    pub size: u64,
    /// SHA-256 of its content, hex.
    pub sha256: String,
}

/// The files a server takes from agents: what a desktop checks before it reads a file the agent
/// picked, so that one too large is refused at once.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct FileLimits {
    /// The largest file, in bytes; 0 when the server did not say.
    pub max_bytes: u64,
    /// The types taken, as read from a file's content (`image/png`, `application/pdf`).
    pub types: Vec<String>,
    /// The channels agents' files reach customers on: web chats, and SMS (as MMS) and
    /// Messenger where the server can hand them to the provider.
    #[serde(default)]
    pub channels: Vec<Channel>,
}

/// A short-lived link to a stored file: whoever holds it may read the file until `expires_at`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct FileLink {
    /// A path on the server (`/api/v1/files/…`), with its signature.
    pub url: String,
    pub expires_at: Millis,
}

/// A value the website passed when the chat started (SPEC §3 Additional details).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct ContextValue {
    pub value: String,
    /// Only displayable variables are shown to the agent.
    #[serde(rename = "isDisplayable", alias = "is_displayable", default)]
    pub displayable: bool,
}

/// How a conversation was ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum EndedBy {
    Customer,
    Agent,
    /// Interrupted because something it depends on was deleted (SPEC §3).
    System,
}

/// What went wrong, for a program to act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame is not valid JSON or not a known frame.
    MalformedFrame,
    /// The frame is larger than [`crate::rules::MAX_FRAME_BYTES`].
    FrameTooLarge,
    /// The hello named a protocol version the server does not speak.
    UnsupportedVersion,
    /// A frame other than hello came first, or hello came twice.
    OutOfOrder,
    /// Credentials or token missing, wrong or expired.
    Unauthorized,
    /// The conversation, queue or agent named does not exist (for this client).
    NotFound,
    /// The command does not apply in the current state (accepting an offer that was withdrawn,
    /// transferring before accepting, leaving RONA for RONA).
    InvalidState,
    /// A message of more than [`crate::rules::MAX_MESSAGE_CHARS`] characters.
    MessageTooLong,
    /// A message containing `<` or `>`, reserved for template parameters.
    ReservedCharacters,
    /// An empty message.
    EmptyMessage,
    /// A wrap-up or idle reason that is not in the configured list.
    UnknownReason,
    /// More context variables than [`crate::rules::MAX_CONTEXT_VARIABLES`], or a field too long.
    InvalidInput,
    /// The server failed; the command was not applied and may be retried.
    Internal,
    /// Too many requests from this address, widget or account; retry after the time given
    /// (HTTP `429` with `Retry-After`).
    RateLimited,
    /// The service is at capacity (connections, waiting chats, queue length); try again later.
    Busy,
    /// The server cannot store anything at the moment; nothing was applied, retry later.
    Unavailable,
    /// The page the request came from is not one the widget allows.
    ForbiddenOrigin,
    /// The session's time is up; sign in again.
    SessionExpired,
    /// The session was ended: signed out, password changed or account removed.
    SessionRevoked,
    /// A file larger than the server takes (`[attachments] max_bytes`).
    FileTooLarge,
    /// A file whose content is not of a type the server takes (`[attachments] types`).
    FileTypeRefused,
    /// The signed-in person's role does not allow the command (a supervisor's, asked by an
    /// agent). Nothing changed.
    Forbidden,
}

/// An error: a code for programs, a message for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ErrorBody {
        ErrorBody {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ErrorBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ErrorBody {}
