//! Frames between the server and the chat widget, on `GET /api/v1/customer/ws`.
//!
//! The widget opens with [`CustomerClientFrame::Hello`], naming the conversation token it holds
//! when the page is reloaded; the server answers [`CustomerServerFrame::Welcome`] and replays
//! what the widget has not seen.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{
    ChatMessage, CommandId, ContextValue, ConversationId, EndedBy, ErrorBody, FileId, FileLink, Seq,
};

/// A frame the widget sends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CustomerClientFrame {
    Hello {
        protocol: u32,
        /// The conversation to resume, after a reload.
        #[serde(default)]
        resume: Option<Resume>,
    },
    Ack {
        seq: Seq,
    },
    Command {
        id: CommandId,
        command: CustomerCommand,
    },
    /// The widget received message `message` (and every one before it) and, when `seen`, showed
    /// it to the customer in view. Not answered.
    Receipt {
        message: u64,
        seen: bool,
    },
    /// The customer is typing (`typing: false` once they stop): at most one every
    /// [`crate::rules::TYPING_EVERY_MILLIS`] while it lasts. Not stored and not answered.
    Typing {
        typing: bool,
    },
}

/// What the widget holds to come back to its conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct Resume {
    /// The secret the server gave when the chat started.
    pub token: String,
    pub last_seq: Seq,
    /// For a persistent conversation: the signed-in customer's token, which every resume must
    /// present (a shared browser whose customer signed out on the site cannot resume).
    #[serde(default)]
    pub customer_token: Option<String>,
}

/// What a customer asks of the server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CustomerCommand {
    StartChat {
        /// The widget, as configured on the server.
        widget: String,
        name: String,
        #[serde(default)]
        email: Option<String>,
        message: String,
        /// What the page's context provider returned (at most 100 variables).
        #[serde(default)]
        context: BTreeMap<String, ContextValue>,
        /// For a persistent chat: the signed token the site's back end gave the signed-in
        /// customer (a JWT naming them in `sub`).
        #[serde(default)]
        customer_token: Option<String>,
        /// The customer accepted the widget's invitation (proactive chat).
        #[serde(default)]
        proactive: bool,
        /// The customer's language, as their browser says it (`cs`).
        #[serde(default)]
        language: Option<String>,
    },
    /// Opens the signed-in customer's persistent conversation, if they have one, with the latest
    /// page of its history; answered with an error naming why not.
    Resume {
        widget: String,
        customer_token: String,
    },
    /// A message; its text may be empty when it carries files uploaded to the conversation
    /// (at most [`crate::rules::MAX_FILES_PER_MESSAGE`]).
    SendMessage {
        text: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        files: Vec<FileId>,
    },
    End,
    /// The messages of the conversation before message `before`: at most
    /// [`crate::rules::HISTORY_PAGE`], oldest first, answered with [`CustomerOutcome::Page`].
    /// `history` carries the latest page; its first message's id is above 1 when there are
    /// earlier ones.
    History {
        before: u64,
    },
    /// A short-lived link to upload one file (named `name`) into the conversation, answered with
    /// [`CustomerOutcome::Link`]: `POST` the file's bytes to it, then send the file's id with a
    /// message.
    Upload {
        name: String,
    },
    /// A short-lived link to a file of the conversation, answered with [`CustomerOutcome::Link`].
    FileLink {
        file: FileId,
    },
    /// The customer's answer to "How did we do?" once the chat has ended, when the widget asks
    /// (its `survey` setting): 1 to 5 stars and an optional comment, taken once.
    Rate {
        rating: u8,
        #[serde(default)]
        comment: String,
    },
}

/// A frame the server sends to the widget.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CustomerServerFrame {
    Welcome {
        protocol: u32,
        resumed: bool,
    },
    Event {
        seq: Seq,
        event: CustomerEvent,
    },
    Reply {
        id: CommandId,
        outcome: CustomerOutcome,
    },
    Error {
        error: ErrorBody,
    },
    /// The agent named is typing a reply, or stopped. Outside the event sequence: not stored,
    /// not replayed, and dropped when the connection is behind.
    Typing {
        name: String,
        typing: bool,
    },
}

/// A command's outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CustomerOutcome {
    Ok,
    Error {
        error: ErrorBody,
    },
    /// The answer to `history`: a page of messages, oldest first.
    Page {
        messages: Vec<ChatMessage>,
    },
    Link {
        link: FileLink,
    },
}

/// Something that happened in the customer's conversation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CustomerEvent {
    /// The chat started (or a persistent one was opened again): keep `token` to resume it
    /// after a reload.
    Started {
        conversation: ConversationId,
        token: String,
        /// Persistent: it lasts across visits, and only the agent ends it.
        #[serde(default)]
        persistent: bool,
    },
    /// The conversation's latest page of messages ([`crate::rules::HISTORY_PAGE`]), when a
    /// persistent conversation is opened again; earlier pages with [`CustomerCommand::History`].
    History {
        messages: Vec<ChatMessage>,
    },
    /// Waiting for an agent.
    Queued {
        position: u32,
        estimated_wait_seconds: u32,
    },
    AgentJoined {
        name: String,
    },
    Message {
        message: ChatMessage,
    },
    Ended {
        by: EndedBy,
    },
    /// An agent's desktop has the customer's messages up to message `up_to`.
    Received {
        up_to: u64,
    },
}
