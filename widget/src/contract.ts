// Generated from the Rust types (the customer side of the protocol): do not edit.
// `cargo xtask schema` writes it anew.

namespace SwitchboardWidget {
  export type CustomerClientFrame = { "type": "hello", protocol: number, 
  /**
   * The conversation to resume, after a reload.
   */
  resume: Resume | null, } | { "type": "ack", seq: number, } | { "type": "command", id: CommandId, command: CustomerCommand, } | { "type": "receipt", message: number, seen: boolean, } | { "type": "typing", typing: boolean, };

  export type Resume = { 
  /**
   * The secret the server gave when the chat started.
   */
  token: string, last_seq: number, 
  /**
   * For a persistent conversation: the signed-in customer's token, which every resume must
   * present (a shared browser whose customer signed out on the site cannot resume).
   */
  customer_token: string | null, };

  export type CustomerCommand = { "type": "start_chat", 
  /**
   * The widget, as configured on the server.
   */
  widget: string, name: string, email: string | null, message: string, 
  /**
   * What the page's context provider returned (at most 100 variables).
   */
  context: { [key in string]: ContextValue }, 
  /**
   * For a persistent chat: the signed token the site's back end gave the signed-in
   * customer (a JWT naming them in `sub`).
   */
  customer_token: string | null, 
  /**
   * The customer accepted the widget's invitation (proactive chat).
   */
  proactive: boolean, 
  /**
   * The customer's language, as their browser says it (`cs`).
   */
  language: string | null, } | { "type": "resume", widget: string, customer_token: string, } | { "type": "send_message", text: string, files?: Array<FileId>, } | { "type": "end" } | { "type": "history", before: number, } | { "type": "upload", name: string, } | { "type": "file_link", file: FileId, } | { "type": "rate", rating: number, comment: string, };

  export type CustomerServerFrame = { "type": "welcome", protocol: number, resumed: boolean, } | { "type": "event", seq: number, event: CustomerEvent, } | { "type": "reply", id: CommandId, outcome: CustomerOutcome, } | { "type": "error", error: ErrorBody, } | { "type": "typing", name: string, typing: boolean, };

  export type CustomerOutcome = { "status": "ok" } | { "status": "error", error: ErrorBody, } | { "status": "page", messages: Array<ChatMessage>, } | { "status": "link", link: FileLink, };

  export type CustomerEvent = { "type": "started", conversation: ConversationId, token: string, 
  /**
   * Persistent: it lasts across visits, and only the agent ends it.
   */
  persistent: boolean, } | { "type": "history", messages: Array<ChatMessage>, } | { "type": "queued", position: number, estimated_wait_seconds: number, } | { "type": "agent_joined", name: string, } | { "type": "message", message: ChatMessage, } | { "type": "ended", by: EndedBy, } | { "type": "received", up_to: number, };

  export type ChatMessage = { 
  /**
   * Increasing within the conversation: the thread's order.
   */
  id: number, conversation: ConversationId, from: Sender, text: string, sent_at: number, 
  /**
   * Files sent along: stored with the conversation (from the widget or the desktop), or kept
   * by the channel's provider (an SMS's pictures, a Messenger attachment).
   */
  attachments?: Array<Attachment>, };

  export type Sender = { "kind": "customer", name: string, } | { "kind": "agent", agent: AgentId, name: string, } | { "kind": "bot", name: string, } | { "kind": "system" } | { "kind": "note", agent: AgentId, name: string, };

  export type Attachment = { 
  /**
   * Where the channel's provider keeps it; empty for a file stored with the conversation.
   */
  url?: string, 
  /**
   * The MIME type, when the channel says it (`image/jpeg`); a stored file's type as read from
   * its content.
   */
  content_type?: string | null, 
  /**
   * A file stored with the conversation, read through a short-lived link (`file_link`).
   */
  file?: StoredFile | null, };

  export type StoredFile = { id: FileId, 
  /**
   * The name it was sent with (masked like a message).
   */
  name: string, 
  /**
   * Its type, read from its content, never from its name.
   */
  content_type: string, size: number, 
  /**
   * SHA-256 of its content, hex.
   */
  sha256: string, };

  export type FileLink = { 
  /**
   * A path on the server (`/api/v1/files/…`), with its signature.
   */
  url: string, expires_at: number, };

  export type FileId = string;

  export type ContextValue = { value: string, 
  /**
   * Only displayable variables are shown to the agent.
   */
  isDisplayable: boolean, };

  export type EndedBy = "customer" | "agent" | "system";

  export type ErrorBody = { code: ErrorCode, message: string, };

  export type ErrorCode = "malformed_frame" | "frame_too_large" | "unsupported_version" | "out_of_order" | "unauthorized" | "not_found" | "invalid_state" | "message_too_long" | "reserved_characters" | "empty_message" | "unknown_reason" | "invalid_input" | "internal" | "rate_limited" | "busy" | "unavailable" | "forbidden_origin" | "session_expired" | "session_revoked" | "file_too_large" | "file_type_refused" | "forbidden";

  export type ConversationId = string;

  export type AgentId = string;

  export type CommandId = string;

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
}
