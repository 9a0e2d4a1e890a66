// Generated from the Rust types (the desk core's updates and views, and the protocol's values in them): do not edit.
// `cargo xtask schema` writes it anew.

export type Update = { "type": "connection", connection: ConnectionState, } | { "type": "presence", presence: Presence, } | { "type": "profile", profile: DesktopProfile, } | { "type": "notify", notification: Notification, } | { "type": "dismiss", id: string, reason: DismissReason, } | { "type": "task", task: TaskEntry, } | { "type": "task_removed", conversation: ConversationId, } | { "type": "conversation", conversation: ConversationView, } | { "type": "bubble", conversation: ConversationId, bubble: Bubble, } | { "type": "typing", conversation: ConversationId, until: number | null, } | { "type": "presence_set_by", supervisor: string, reason: string, } | { "type": "live", update: LiveUpdate, };

export type DeskSnapshot = { agent: AgentSummary, 
/**
 * Whether the signed-in person has a supervisor's powers, which the window then offers.
 */
supervises: boolean, connection: ConnectionState, presence: Presence, profile: DesktopProfile, 
/**
 * Alerts waiting for an answer, oldest first.
 */
alerts: Array<Notification>, tasks: Array<TaskEntry>, conversations: Array<ConversationView>, };

export type ConnectionState = { "state": "connecting" } | { "state": "connected" } | { "state": "reconnecting", attempt: number, reason: string, } | { "state": "offline", reason: OfflineReason, };

export type OfflineReason = "signed_out" | "session_expired" | "session_revoked" | "incompatible";

export type Notification = { 
/**
 * Stable for the life of what it is about: a later notification with the same id replaces it.
 */
id: string, conversation: ConversationId, kind: NotificationKind, scenario: Scenario, channel: Channel | null, customer_name: string, 
/**
 * The first message, or the reason given.
 */
comment: string, queue: string | null, 
/**
 * When the customer started waiting, for a wait time that keeps counting.
 */
waiting_since: number | null, 
/**
 * Whether Accept / Reject apply (an offer is waiting for an answer).
 */
answerable: boolean, proactive: boolean, theme: Theme, };

export type NotificationKind = { "kind": "alert", expires_at: number, } | { "kind": "toast", closes_at: number, };

export type DismissReason = "accepted" | "rejected" | "expired" | "withdrawn";

export type TaskEntry = { conversation: ConversationId, customer_name: string, channel: Channel, queue: string, 
/**
 * The last message, masked and cut to a line.
 */
preview: string, 
/**
 * Who holds the conversation.
 */
agent_name: string, 
/**
 * When the last message came (or the conversation started).
 */
date: number, proactive: boolean, 
/**
 * Customer messages not yet seen by the agent.
 */
unread: number, state: InteractionState, 
/**
 * Until when the customer shows as typing (the task list says so instead of the preview).
 */
typing_until: number | null, };

export type ConversationView = { id: ConversationId, 
/**
 * The interaction pane's title: the customer's name, masked.
 */
title: string, initials: string, channel: Channel, queue: string, state: InteractionState, 
/**
 * Start of the timer shown in the pane.
 */
accepted_at: number | null, proactive: boolean, bubbles: Array<Bubble>, 
/**
 * The server has earlier messages than the bubbles: the pane offers to show them.
 */
earlier: boolean, summary: CustomerSummary, details: AdditionalDetails, 
/**
 * Why the conversation was interrupted (a resource it needs was deleted): it can only end.
 */
interrupted: string | null, actions: Actions, receipt: ReceiptView | null, 
/**
 * The parameters a message in this conversation may carry, as the composer shows them.
 */
parameters: Array<ParameterView>, };

export type Bubble = { id: number, author: Author, text: string, sent_at: number, 
/**
 * Files sent with it: stored with the conversation (from the widget or a desktop), or links
 * where the channel keeps them (an SMS picture, a Messenger attachment).
 */
attachments: Array<AttachmentView>, };

export type Author = { "kind": "customer", initials: string, } | { "kind": "agent", name: string, mine: boolean, } | { "kind": "bot", name: string, } | { "kind": "system" } | { "kind": "note", name: string, mine: boolean, };

export type AttachmentView = { 
/**
 * Where the channel keeps it; empty for a file stored with the conversation.
 */
url: string, 
/**
 * A file stored with the conversation: the window asks the core for its content.
 */
file: FileId | null, 
/**
 * The file's type as the channel gives it (`image/jpeg`, `image`), or as the server read it
 * from a stored file's content.
 */
kind: string | null, 
/**
 * A stored file's name (masked) and size.
 */
name: string | null, size: number | null, 
/**
 * A picture the window shows in the thread: a stored one, or one the channel keeps (an MMS
 * or Messenger picture, fetched by the core from its address). Any other stored file is
 * offered to save.
 */
picture: boolean, };

export type Actions = { send: boolean, transfer: boolean, conference: boolean, exit_conference: boolean, end: boolean, 
/**
 * Move a persistent conversation to waiting until the customer writes again.
 */
park: boolean, 
/**
 * Send files with a message: on the channels the server says files reach customers on.
 */
attach: boolean, 
/**
 * A supervisor monitoring: whisper (a note the customer never sees), barge in, or stop.
 */
whisper: boolean, barge: boolean, stop_monitoring: boolean, };

export type ReceiptView = { message: number, seen: boolean, };

export type ParameterView = { 
/**
 * As written between `<` and `>`: `customer.first_name`.
 */
name: string, 
/**
 * The value as it may be shown (masked, or `•••` where the agent may not see it); `None`:
 * the conversation has none, and the agent must write one in before sending.
 */
shown: string | null, };

export type TemplateChoice = { shortcut: string, name: string, 
/**
 * The text in the customer's language, its parameters as written.
 */
text: string, };

export type CustomerSummary = { name: string, email: string | null, phone: string | null, 
/**
 * Whether the conversation was matched to a contact record.
 */
known_contact: boolean, notes: string | null, 
/**
 * The contact's latest ended conversations, newest first.
 */
recent: Array<PastConversationView>, };

export type PastConversationView = { id: ConversationId, channel: Channel, queue: string, ended_at: number, 
/**
 * The customer's first message, as a preview.
 */
comment: string, wrap_up: string | null, 
/**
 * The customer's rating (1 to 5 stars) and comment, if they answered the survey.
 */
rating: number | null, rating_comment: string | null, };

export type SearchResultView = { conversation: PastConversationView, customer: string, started_at: number, 
/**
 * Where the words were found.
 */
excerpt: string, };

export type TranscriptView = { id: ConversationId, customer: string, bubbles: Array<Bubble>, };

export type AdditionalDetails = { 
/**
 * The displayable context variables the website passed, in its order.
 */
variables: Array<Detail>, origin: Origin, channel: Channel, };

export type Detail = { name: string, value: string, };

export type Origin = "inbound" | "proactive";

export type Presence = { "state": "available" } | { "state": "idle", reason: string, } | { "state": "rona" } | { "state": "offline" };

export type PresenceRequest = { "state": "available" } | { "state": "idle", reason: string, } | { "state": "offline" };

export type InteractionState = { "state": "active" } | { "state": "conference_requested", agent: AgentId, } | { "state": "transfer_requested", agent: AgentId, } | { "state": "conference", agents: Array<AgentId>, } | { "state": "wrap_up", ended_by: EndedBy, } | { "state": "interrupted", reason: string, } | { "state": "transferred", to: string, } | { "state": "monitoring" };

export type EndedBy = "customer" | "agent" | "system";

export type Scenario = "incoming_chat" | "incoming_sms" | "incoming_facebook" | "assigned" | "transferred" | "escalated" | "escalated_from_bot" | "customer_returned" | "proactive_accepted" | "conference";

export type Channel = "chat" | "sms" | "facebook";

export type Theme = "dark" | "light";

export type DesktopProfile = { 
/**
 * Mask sensitive customer data (SPEC §5).
 */
masking: boolean, theme: Theme, alert_seconds: number, toast_seconds: number, 
/**
 * Whether a persistent-chat customer's return raises an alert rather than a toast.
 */
customer_returned_alert: boolean, wrap_up_reasons: Array<string>, idle_reasons: Array<string>, 
/**
 * The message templates agents insert with `/` in the composer.
 */
templates: Array<Template>, 
/**
 * The files agents may send (`[attachments]`).
 */
files: FileLimits, };

export type Template = { name: string, 
/**
 * Typed after `/` in the composer to find it at once.
 */
shortcut: string, 
/**
 * The text in the default language.
 */
text: string, 
/**
 * The text in other languages, by language code (`cs`): the customer's language first.
 */
translations: { [key in string]: string }, 
/**
 * The queues whose conversations offer it; none: every queue.
 */
queues: Array<QueueId>, };

export type FileLimits = { 
/**
 * The largest file, in bytes; 0 when the server did not say.
 */
max_bytes: number, 
/**
 * The types taken, as read from a file's content (`image/png`, `application/pdf`).
 */
types: Array<string>, 
/**
 * The channels agents' files reach customers on: web chats, and SMS (as MMS) and
 * Messenger where the server can hand them to the provider.
 */
channels: Array<Channel>, };

export type ReportQuery = { from: string, to: string, by: ReportPeriod, queue?: QueueId | null, 
/**
 * An agent's own figures: what was offered to them and what they did.
 */
agent?: AgentId | null, channel?: Channel | null, };

export type ReportPeriod = "day" | "hour";

export type ActivityReport = { period: ReportPeriod, 
/**
 * The time zone the days and hours are counted in (`[reports] time_zone`).
 */
time_zone: string, rows: Array<ActivityRow>, total: ActivityRow, };

export type ActivityRow = { 
/**
 * The period's start in the report's time zone: `2026-12-04` or `2026-12-04T09:00`; for the
 * total, the span's first and last day.
 */
label: string, 
/**
 * The period's start, in milliseconds since the epoch.
 */
start: number, 
/**
 * Offers made to agents (from a queue, or a transfer or conference invitation).
 */
offered: number, accepted: number, rejected: number, 
/**
 * Offers that expired unanswered.
 */
rona: number, 
/**
 * Conversations whose customer left before an agent accepted.
 */
abandoned: number, transferred: number, escalated: number, 
/**
 * Conversations ended by the agent who held them, or by their customer.
 */
ended: number, 
/**
 * Average speed of answer: from entering the queue to an agent's acceptance, in
 * milliseconds (`None` when nothing from a queue was accepted).
 */
average_speed_of_answer: number | null, 
/**
 * Average handle time: from an agent's acceptance to the end of their part (ended,
 * transferred or escalated), in milliseconds.
 */
average_handle_time: number | null, 
/**
 * How often each wrap-up reason was given.
 */
wrap_ups: { [key in string]: number }, 
/**
 * Satisfaction surveys answered, and their average rating (1 to 5 stars).
 */
surveys: number, average_rating: number | null, };

export type LiveUpdate = { whole: boolean, 
/**
 * When the figures were taken.
 */
at: number, 
/**
 * The start of today in the server's `[reports] time_zone`: "today" counts from here.
 */
day_start: number, 
/**
 * The start of the first of the trends' minutes.
 */
trend_start: number, queues?: Array<QueueFigures>, agents?: Array<AgentFigures>, conversations?: Array<LiveConversation>, 
/**
 * Conversations that closed since the previous push.
 */
gone?: Array<ConversationId>, };

export type QueueFigures = { queue: QueueSummary, 
/**
 * Conversations waiting for an agent now.
 */
waiting: number, 
/**
 * Since when the longest-waiting one has waited.
 */
oldest_waiting_since: number | null, 
/**
 * The agents serving the queue, signed in, by what they can do now.
 */
agents: Staffing, 
/**
 * The queue's service-level target: answered within this many seconds.
 */
target_seconds: number, 
/**
 * Accepted from the queue today.
 */
answered: number, 
/**
 * Of those, accepted within the target.
 */
answered_in_target: number, 
/**
 * Customers who left before an agent accepted, today.
 */
abandoned: number, 
/**
 * The average wait of those answered today.
 */
average_wait: number | null, 
/**
 * How many waited, minute by minute over the last hour (the most in each minute), oldest
 * first from the update's `trend_start`.
 */
waiting_trend: Array<number>, };

export type Staffing = { available: number, idle: number, rona: number, 
/**
 * Holding as many conversations as they can.
 */
busy: number, };

export type AgentFigures = { agent: AgentSummary, 
/**
 * Whether their desktop is connected now.
 */
connected: boolean, presence: Presence, presence_since: number, 
/**
 * Conversations held, out of `capacity`.
 */
held: number, capacity: number, rona_today: number, 
/**
 * When their last conversation ended, today.
 */
last_ended_at: number | null, 
/**
 * How many conversations they held, minute by minute over the last hour (the most in each
 * minute).
 */
held_trend: Array<number>, };

export type LiveConversation = { id: ConversationId, channel: Channel, queue: QueueSummary, customer_name: string, started_at: number, stage: LiveStage, };

export type LiveStage = { "stage": "waiting", since: number, 
/**
 * Offered to this agent now.
 */
offered_to: AgentId | null, } | { "stage": "held", agent: AgentId, since: number, conference?: Array<AgentId>, } | { "stage": "wrap_up", agent: AgentId, } | { "stage": "parked", agent: AgentId, };

export type AgentSummary = { id: AgentId, name: string, email: string, role: Role, };

export type Role = "agent" | "supervisor" | "administrator";

export type QueueSummary = { id: QueueId, name: string, 
/**
 * Whether conversations can be escalated to it.
 */
escalation: boolean, };

export type TransferTarget = { "kind": "queue", queue: QueueId, } | { "kind": "agent", agent: AgentId, };

export type AgentId = string;

export type ConversationId = string;

export type FileId = string;

export type QueueId = string;

export type ContactId = string;

export const MAX_MESSAGE_CHARS = 1000;
export const MAX_CONTEXT_VARIABLES = 100;
export const MAX_ESCALATION_REASON_CHARS = 500;
export const MAX_SUPERVISOR_REASON_CHARS = 200;
export const MAX_CUSTOMER_NAME_CHARS = 100;
export const MIN_START_ID_CHARS = 22;
export const MAX_FRAME_BYTES = 65536;
export const HISTORY_PAGE = 50;
export const SEARCH_RESULTS = 50;
export const MAX_SEARCH_CHARS = 200;
export const TRANSCRIPT_MESSAGES = 1000;
export const TYPING_EVERY_MILLIS = 2000;
export const TYPING_SHOWN_MILLIS = 6000;
export const MAX_FILES_PER_MESSAGE = 5;
export const MAX_FILE_NAME_CHARS = 200;
export const FILE_LINK_MILLIS = 300000;
export const MAX_SURVEY_COMMENT_CHARS = 500;
export const MAX_SURVEY_RATING = 5;
/** Characters a chat message may not contain: they mark template parameters. */
export const RESERVED_CHARACTERS = "<>";
