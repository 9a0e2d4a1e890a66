// The shapes the shell sends and receives: serde's JSON of switchboard-desk's and
// switchboard-protocol's types. Everything customer-provided in them is already masked.

export type Millis = number;
export type Channel = 'chat' | 'sms' | 'facebook';
export type Theme = 'dark' | 'light';

export type Presence =
  | { state: 'available' }
  | { state: 'idle'; reason: string }
  | { state: 'rona' }
  | { state: 'offline' };

export type PresenceRequest =
  | { state: 'available' }
  | { state: 'idle'; reason: string }
  | { state: 'offline' };

export type ConnectionState =
  | { state: 'connecting' }
  | { state: 'connected' }
  | { state: 'reconnecting'; attempt: number; reason: string }
  | { state: 'offline'; reason: 'signed_out' | 'session_expired' | 'incompatible' };

export type Scenario =
  | 'incoming_chat'
  | 'incoming_sms'
  | 'incoming_facebook'
  | 'assigned'
  | 'transferred'
  | 'escalated'
  | 'escalated_from_bot'
  | 'customer_returned'
  | 'proactive_accepted'
  | 'conference';

export interface Notification {
  id: string;
  conversation: string;
  kind: { kind: 'alert'; expires_at: Millis } | { kind: 'toast'; closes_at: Millis };
  scenario: Scenario;
  channel: Channel | null;
  customer_name: string;
  comment: string;
  queue: string | null;
  waiting_since: Millis | null;
  answerable: boolean;
  proactive: boolean;
  theme: Theme;
}

export type DismissReason = 'accepted' | 'rejected' | 'expired' | 'withdrawn';

export type InteractionState =
  | { state: 'active' }
  | { state: 'conference_requested'; agent: string }
  | { state: 'transfer_requested'; agent: string }
  | { state: 'conference'; agents: string[] }
  | { state: 'wrap_up'; ended_by: 'customer' | 'agent' | 'system' }
  | { state: 'interrupted'; reason: string }
  | { state: 'transferred'; to: string };

export interface TaskEntry {
  conversation: string;
  customer_name: string;
  channel: Channel;
  queue: string;
  preview: string;
  agent_name: string;
  date: Millis;
  proactive: boolean;
  unread: number;
  state: InteractionState;
}

export type Author =
  | { kind: 'customer'; initials: string }
  | { kind: 'agent'; name: string; mine: boolean }
  | { kind: 'bot'; name: string }
  | { kind: 'system' };

export interface Bubble {
  id: number;
  author: Author;
  text: string;
  sent_at: Millis;
  /** Files the customer sent with it, as links. */
  attachments: Attachment[];
}

export interface Attachment {
  url: string;
  kind: string | null;
}

export interface Actions {
  send: boolean;
  transfer: boolean;
  conference: boolean;
  exit_conference: boolean;
  end: boolean;
  /** Move a persistent conversation to waiting. */
  park: boolean;
}

export interface PastConversation {
  id: string;
  channel: Channel;
  queue: string;
  ended_at: Millis;
  comment: string;
  wrap_up: string | null;
}

/// The matched contact's record where there is one, what the customer gave otherwise.
export interface CustomerSummary {
  name: string;
  email: string | null;
  phone: string | null;
  known_contact: boolean;
  notes: string | null;
  recent: PastConversation[];
}

export interface ConversationView {
  id: string;
  title: string;
  initials: string;
  channel: Channel;
  queue: string;
  state: InteractionState;
  accepted_at: Millis | null;
  proactive: boolean;
  bubbles: Bubble[];
  summary: CustomerSummary;
  details: {
    variables: { name: string; value: string }[];
    origin: 'inbound' | 'proactive';
    channel: Channel;
  };
  interrupted: string | null;
  actions: Actions;
}

export interface DesktopProfile {
  masking: boolean;
  theme: Theme;
  alert_seconds: number;
  toast_seconds: number;
  wrap_up_reasons: string[];
  idle_reasons: string[];
}

export interface AgentSummary {
  id: string;
  name: string;
  email: string;
}

export interface DeskSnapshot {
  agent: AgentSummary;
  connection: ConnectionState;
  presence: Presence;
  profile: DesktopProfile;
  alerts: Notification[];
  tasks: TaskEntry[];
  conversations: ConversationView[];
}

export type Update =
  | { type: 'connection'; connection: ConnectionState }
  | { type: 'presence'; presence: Presence }
  | { type: 'profile'; profile: DesktopProfile }
  | { type: 'notify'; notification: Notification }
  | { type: 'dismiss'; id: string; reason: DismissReason }
  | { type: 'task'; task: TaskEntry }
  | { type: 'task_removed'; conversation: string }
  | { type: 'conversation'; conversation: ConversationView }
  | { type: 'bubble'; conversation: string; bubble: Bubble };

export type Language = 'en' | 'cs' | 'da' | 'fr' | 'pl';
export type WindowTheme = 'system' | 'light' | 'dark';

/// The agent's own settings, kept by the shell (never the token).
export interface Settings {
  server: string;
  email: string;
  language: Language | null;
  window_theme: WindowTheme;
}

export interface QueueSummary {
  id: string;
  name: string;
  /** Whether conversations can be escalated to it. */
  escalation: boolean;
}

/** The longest reason the server accepts for an escalation (protocol `rules`). */
export const MAX_ESCALATION_REASON = 500;

export type TransferTarget = { kind: 'queue'; queue: string } | { kind: 'agent'; agent: string };

/// A failed command: a code the window words in the agent's language, and the core's message.
export interface CommandFailure {
  code: string;
  message: string;
}
