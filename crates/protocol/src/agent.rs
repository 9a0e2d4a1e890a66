//! Frames between the server and an agent desktop, on `GET /api/v1/agent/ws` (bearer token from
//! `POST /api/v1/agent/login`).
//!
//! The desktop opens with [`AgentClientFrame::Hello`]; the server answers
//! [`AgentServerFrame::Welcome`] and then sends events, each with its sequence number, replaying
//! first whatever followed the `last_seq` the hello named.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::live::LiveUpdate;
use crate::reports::{ActivityReport, ReportQuery, SurveyAnswer};
use crate::template::Template;
use crate::{
    AgentId, Channel, ChatMessage, CommandId, ContactId, ContextValue, ConversationId, EndedBy,
    ErrorBody, FileId, FileLimits, FileLink, Millis, Presence, QueueId, Receipts, Seq,
};

/// A frame the desktop sends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AgentClientFrame {
    /// First frame of every connection.
    Hello {
        protocol: u32,
        /// The last sequence number this desktop applied, when it resumes; none on a first start.
        #[serde(default)]
        last_seq: Option<Seq>,
    },
    /// Everything up to `seq` is applied: the server may forget it.
    Ack { seq: Seq },
    Command {
        id: CommandId,
        command: AgentCommand,
    },
    /// The desktop has the customer's messages of a conversation up to `message`: the customer
    /// is told it reached an agent. Not answered.
    Receipt {
        conversation: ConversationId,
        message: u64,
    },
    /// The agent is typing in a conversation (`typing: false` once they stop): at most one every
    /// [`crate::rules::TYPING_EVERY_MILLIS`] while it lasts. Not stored and not answered; the
    /// server drops it first when busy.
    Typing {
        conversation: ConversationId,
        typing: bool,
    },
}

/// What an agent asks of the server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AgentCommand {
    /// Change presence. RONA cannot be asked for: only the server sets it.
    SetPresence {
        presence: PresenceRequest,
    },
    Accept {
        conversation: ConversationId,
    },
    Reject {
        conversation: ConversationId,
    },
    /// A message; its text may be empty when it carries files uploaded to the conversation
    /// (at most [`crate::rules::MAX_FILES_PER_MESSAGE`]).
    SendMessage {
        conversation: ConversationId,
        text: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        files: Vec<FileId>,
    },
    /// An internal note in the thread, for agents only; the same limits as a message.
    SendNote {
        conversation: ConversationId,
        text: String,
    },
    /// End the conversation with a wrap-up reason from the profile's list.
    End {
        conversation: ConversationId,
        wrap_up: String,
    },
    Transfer {
        conversation: ConversationId,
        to: TransferTarget,
        /// A note for whoever takes it: shown with their offer and kept in the thread.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    ConferenceInvite {
        conversation: ConversationId,
        agent: AgentId,
    },
    ConferenceExit {
        conversation: ConversationId,
        wrap_up: String,
    },
    /// Move a persistent conversation to waiting: it frees the agent's capacity and comes back
    /// to them when the customer writes again.
    Park {
        conversation: ConversationId,
    },
    /// Hand the conversation to an escalation queue, with the reason for whoever takes it.
    Escalate {
        conversation: ConversationId,
        queue: QueueId,
        reason: String,
    },
    ListQueues,
    ListAvailableAgents,
    /// The messages of a conversation the agent takes part in that came before message
    /// `before`: at most [`crate::rules::HISTORY_PAGE`], oldest first. A snapshot carries the
    /// latest page; its first message's id is above 1 when there are earlier ones.
    History {
        conversation: ConversationId,
        before: u64,
    },
    /// The agent's ended conversations whose customer (name, e-mail, phone) or messages match
    /// every word of `query` (each word as a word's beginning, accents and case aside), newest
    /// first: at most [`crate::rules::SEARCH_RESULTS`]. With `everyone`, every agent's: a
    /// supervisor's search (`forbidden` for an agent).
    Search {
        query: String,
        #[serde(default)]
        everyone: bool,
    },
    /// The whole thread of an ended conversation the agent took part in (a supervisor: any
    /// ended conversation), to read: at most [`crate::rules::TRANSCRIPT_MESSAGES`], the latest
    /// ones, oldest first.
    Transcript {
        conversation: ConversationId,
    },
    /// A short-lived link to upload one file (named `name`) into a conversation the agent holds
    /// or joined, answered with [`CommandResult::Link`]: `POST` the file's bytes to it, then send
    /// the file's id with a message.
    Upload {
        conversation: ConversationId,
        name: String,
    },
    /// A short-lived link to a file of a conversation the agent holds, joined, is offered or
    /// took part in (a supervisor: of any ended conversation); answered with
    /// [`CommandResult::Link`].
    FileLink {
        conversation: ConversationId,
        file: FileId,
    },
    /// The activity report asked for, answered with [`CommandResult::Report`]: a supervisor's
    /// (`forbidden` for an agent).
    Report {
        query: ReportQuery,
    },
    /// Watch an open conversation read-only and live (a supervisor's): its snapshot comes in the
    /// [`InteractionState::Monitoring`] state, then every message and note of its thread. A
    /// note sent into it ([`AgentCommand::SendNote`]) is a whisper: its agents see it, the
    /// customer never does.
    Monitor {
        conversation: ConversationId,
    },
    /// Stop watching a monitored conversation; it leaves the supervisor's task list.
    StopMonitoring {
        conversation: ConversationId,
    },
    /// Join an ongoing conversation at once, as in a conference (a supervisor's): the customer
    /// is told a supervisor joined. Left with [`AgentCommand::ConferenceExit`].
    Barge {
        conversation: ConversationId,
    },
    /// Set another agent's presence (a supervisor's: a stuck agent set Offline, or out of RONA),
    /// with the reason, which the agent is told and the audit log keeps.
    SetAgentPresence {
        agent: AgentId,
        presence: PresenceRequest,
        reason: String,
    },
    /// Sign another agent out (a supervisor's): their desktop is closed, their offer withdrawn
    /// and their live conversations go back to the head of their queues.
    SignOutAgent {
        agent: AgentId,
        reason: String,
    },
    /// Give a waiting conversation straight to an agent (a supervisor's).
    Assign {
        conversation: ConversationId,
        agent: AgentId,
    },
    /// Move a waiting conversation to another queue, keeping its place by waiting time (a
    /// supervisor's).
    MoveToQueue {
        conversation: ConversationId,
        queue: QueueId,
    },
    /// Start (`watch: true`) or stop receiving the live view of queues, agents and open
    /// conversations (a supervisor's): [`AgentServerFrame::Live`] frames, the whole view first.
    WatchLive {
        watch: bool,
    },
}

/// A presence an agent may choose.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PresenceRequest {
    Available,
    Idle { reason: String },
    Offline,
}

/// Where a conversation is transferred.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TransferTarget {
    Queue { queue: QueueId },
    Agent { agent: AgentId },
}

/// A frame the server sends to a desktop.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
// A frame lives only to be written or read once: boxing its event would add an allocation to
// every frame to save bytes on a value that is never stored in bulk.
#[allow(clippy::large_enum_variant)]
pub enum AgentServerFrame {
    Welcome {
        protocol: u32,
        agent: AgentSummary,
        /// Whether the events after the hello's `last_seq` are being replayed.
        resumed: bool,
        /// The events that follow are numbered from `last_seq + 1`: the hello's `last_seq` when
        /// resuming; on a fresh start, where the stream stands.
        last_seq: Seq,
    },
    Event {
        seq: Seq,
        event: AgentEvent,
    },
    /// The answer to a command (sent again, identical, if the command is retried).
    Reply {
        id: CommandId,
        outcome: Outcome,
    },
    /// A frame that could not be read or is not allowed now. The connection stays up.
    Error {
        error: ErrorBody,
    },
    /// The customer of a conversation this agent takes part in is typing, or stopped. Outside the
    /// event sequence: not stored, not replayed, and dropped when the connection is behind.
    Typing {
        conversation: ConversationId,
        typing: bool,
    },
    /// The live view a supervisor watches ([`AgentCommand::WatchLive`]): the whole of it, then
    /// what changed, batched. Outside the event sequence: not stored; a desktop that reconnects
    /// asks again and gets the whole view.
    Live {
        update: LiveUpdate,
    },
}

/// A command's outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    Ok { result: CommandResult },
    Error { error: ErrorBody },
}

/// What a successful command returns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CommandResult {
    Done,
    Queues { queues: Vec<QueueSummary> },
    Agents { agents: Vec<AgentSummary> },
    Messages { messages: Vec<ChatMessage> },
    Found { results: Vec<SearchResult> },
    Link { link: FileLink },
    Report { report: ActivityReport },
}

/// An ended conversation that matched a search.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct SearchResult {
    pub conversation: PastConversation,
    pub customer: Customer,
    /// Where the words were found: the text of a matching message, or the customer's details.
    pub excerpt: String,
}

/// Something that happened, for the desktop to apply in sequence order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AgentEvent {
    /// The agent's presence, on connect and whenever it changes (also when the server sets RONA).
    Presence {
        presence: Presence,
        since: Millis,
    },
    /// A supervisor set this agent's presence (the [`AgentEvent::Presence`] that follows), and
    /// why.
    PresenceSetBy {
        supervisor: String,
        reason: String,
    },
    /// The administrator's desktop profile, on connect and whenever it changes.
    Profile {
        profile: DesktopProfile,
    },
    /// A conversation offered to this agent: accept or reject before `expires_at`.
    Offer {
        offer: Offer,
    },
    /// An offer is gone: expired (the agent is now in RONA), or the customer left.
    OfferWithdrawn {
        conversation: ConversationId,
        reason: WithdrawReason,
    },
    /// A conversation this agent holds, in full: on accept and on reconnect.
    Snapshot {
        conversation: ConversationSnapshot,
    },
    Message {
        message: ChatMessage,
    },
    /// The customer's side received, or saw, the agents' messages further.
    Receipts {
        conversation: ConversationId,
        receipts: Receipts,
    },
    /// A held conversation's interaction state changed.
    State {
        conversation: ConversationId,
        state: InteractionState,
    },
    /// Informational notice: a toast (SPEC §2).
    Notice {
        conversation: ConversationId,
        scenario: Scenario,
        text: String,
    },
    /// The conversation left this agent's task list (ended and wrapped up, or transferred away).
    Closed {
        conversation: ConversationId,
    },
}

/// The SPEC §2 scenario a notification is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    IncomingChat,
    IncomingSms,
    IncomingFacebook,
    Assigned,
    Transferred,
    Escalated,
    EscalatedFromBot,
    CustomerReturned,
    ProactiveAccepted,
    /// Another agent asks this one to join a conversation.
    Conference,
}

/// An offered conversation: what the alert shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
pub struct Offer {
    pub conversation: ConversationId,
    pub channel: Channel,
    pub scenario: Scenario,
    pub customer_name: String,
    /// The first message, or the reason given.
    pub comment: String,
    pub queue: QueueSummary,
    /// When the customer started waiting: the alert shows the wait time from it.
    pub waiting_since: Millis,
    /// When the offer is withdrawn if not answered.
    pub expires_at: Millis,
    pub proactive: bool,
    /// The displayable context variables (an accepted invitation's page and time on it).
    #[serde(default)]
    pub context: Vec<NamedContextValue>,
}

/// Why an offer went away.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum WithdrawReason {
    /// Not answered in time: the agent is in RONA.
    Timeout,
    /// The agent rejected it (or left Available while it was pending).
    Rejected,
    /// The customer left before it was answered.
    CustomerLeft,
    /// The queue or another resource was deleted.
    Interrupted,
}

/// A conversation the agent holds, with everything the workspace shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
pub struct ConversationSnapshot {
    pub id: ConversationId,
    pub channel: Channel,
    pub queue: QueueSummary,
    pub customer: Customer,
    pub state: InteractionState,
    pub proactive: bool,
    /// Persistent chat: it lasts across the customer's visits and can be moved to waiting.
    #[serde(default)]
    pub persistent: bool,
    pub started_at: Millis,
    /// When this agent accepted it: the workspace timer counts from here.
    pub accepted_at: Option<Millis>,
    /// The latest page of messages ([`crate::rules::HISTORY_PAGE`]), oldest first; earlier ones
    /// with [`AgentCommand::History`].
    pub history: Vec<ChatMessage>,
    /// Context variables the website passed, displayable or not: the desktop shows only
    /// displayable ones.
    pub context: Vec<NamedContextValue>,
    /// The contact the conversation was matched to (SPEC §3, Customer summary), if any.
    #[serde(default)]
    pub contact: Option<Box<ContactCard>>,
    /// How far the customer's side got with the agents' messages.
    #[serde(default)]
    pub receipts: Receipts,
    /// The customer's language (`cs`), when their widget said it: templates use it first.
    #[serde(default)]
    pub language: Option<String>,
}

/// A contact as the Customer summary shows it, with their latest conversations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct ContactCard {
    pub id: ContactId,
    pub name: String,
    pub email: Option<String>,
    /// E.164, e.g. `+420601234567`.
    pub phone: Option<String>,
    pub notes: Option<String>,
    /// The contact's id in the organisation's own systems (a CRM, the website's accounts).
    pub external_id: Option<String>,
    /// Their latest ended conversations, newest first.
    pub recent: Vec<PastConversation>,
}

/// An ended conversation of a contact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct PastConversation {
    pub id: ConversationId,
    pub channel: Channel,
    pub queue: QueueSummary,
    pub started_at: Millis,
    pub ended_at: Millis,
    /// The customer's first message.
    pub comment: String,
    pub wrap_up: Option<String>,
    /// How the customer rated it, if they answered the survey.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survey: Option<SurveyAnswer>,
}

/// A context variable with its name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
pub struct NamedContextValue {
    pub name: String,
    #[serde(flatten)]
    pub value: ContextValue,
}

/// Who the customer is, as far as the server knows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct Customer {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// Where a held conversation stands (SPEC §3–4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum InteractionState {
    Active,
    ConferenceRequested {
        agent: AgentId,
    },
    /// Offered to another agent as a transfer: still this agent's until they accept.
    TransferRequested {
        agent: AgentId,
    },
    Conference {
        agents: Vec<AgentId>,
    },
    /// Ended (by whom), waiting for this agent's wrap-up reason.
    WrapUp {
        ended_by: EndedBy,
    },
    /// A resource it depends on was deleted: the agent can only end it.
    Interrupted {
        reason: String,
    },
    /// Transferred away (to the queue or agent named); this agent chooses a wrap-up reason.
    Transferred {
        to: String,
    },
    /// Watched by a supervisor, read-only: they may whisper (a note) or barge in.
    Monitoring,
}

/// A queue, as pickers show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct QueueSummary {
    pub id: QueueId,
    pub name: String,
    /// Whether conversations can be escalated to it.
    #[serde(default)]
    pub escalation: bool,
}

/// An agent, as pickers show them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct AgentSummary {
    pub id: AgentId,
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub role: Role,
}

/// What a signed-in person may do. Everyone takes chats; the server checks every supervisor
/// command against the role and refuses it with [`crate::ErrorCode::Forbidden`].
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, TS,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    #[default]
    Agent,
    /// Also searches and reads everyone's ended conversations.
    Supervisor,
    /// A supervisor who also runs the deployment.
    Administrator,
}

impl Role {
    /// Whether the role includes a supervisor's powers.
    pub fn supervises(self) -> bool {
        matches!(self, Role::Supervisor | Role::Administrator)
    }
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(name: &str) -> Result<Role, String> {
        match name {
            "agent" => Ok(Role::Agent),
            "supervisor" => Ok(Role::Supervisor),
            "administrator" => Ok(Role::Administrator),
            other => Err(format!(
                "no role \"{other}\": agent, supervisor or administrator"
            )),
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Role::Agent => "agent",
            Role::Supervisor => "supervisor",
            Role::Administrator => "administrator",
        })
    }
}

/// The administrator's desktop profile (SPEC §7).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct DesktopProfile {
    /// Mask sensitive customer data (SPEC §5).
    pub masking: bool,
    pub theme: Theme,
    pub alert_seconds: u32,
    pub toast_seconds: u32,
    /// Whether a persistent-chat customer's return raises an alert rather than a toast.
    #[serde(default)]
    pub customer_returned_alert: bool,
    pub wrap_up_reasons: Vec<String>,
    pub idle_reasons: Vec<String>,
    /// The message templates agents insert with `/` in the composer.
    #[serde(default)]
    pub templates: Vec<Template>,
    /// The files agents may send (`[attachments]`).
    #[serde(default)]
    pub files: FileLimits,
}

/// The notification theme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    Dark,
    Light,
}
