// Values shaped like the core's, for unit tests.
import type { ConversationView, DeskSnapshot, Notification } from '../src/lib/types';

export function snapshot(overrides: Partial<DeskSnapshot> = {}): DeskSnapshot {
  return {
    agent: { id: 'ann', name: 'Ann Novák', email: 'ann@example.com' },
    connection: { state: 'connected' },
    presence: { state: 'available' },
    profile: {
      masking: true,
      theme: 'dark',
      alert_seconds: 30,
      toast_seconds: 8,
      wrap_up_reasons: ['Resolved', 'Follow-up needed'],
      idle_reasons: ['Lunch', 'Meeting'],
    },
    alerts: [],
    tasks: [],
    conversations: [],
    ...overrides,
  };
}

export function alert(id: string, overrides: Partial<Notification> = {}): Notification {
  return {
    id: `offer:${id}`,
    conversation: id,
    kind: { kind: 'alert', expires_at: 1_000_000 },
    scenario: 'incoming_chat',
    channel: 'chat',
    customer_name: 'Zoë',
    comment: 'Hello',
    queue: 'General enquiries',
    waiting_since: 990_000,
    answerable: true,
    proactive: false,
    theme: 'dark',
    ...overrides,
  };
}

export function conversation(id: string, overrides: Partial<ConversationView> = {}): ConversationView {
  return {
    id,
    title: 'Zoë',
    initials: 'Z',
    channel: 'chat',
    queue: 'General enquiries',
    state: { state: 'active' },
    accepted_at: 1000,
    proactive: false,
    bubbles: [{ id: 1, author: { kind: 'customer', initials: 'Z' }, text: 'Hello', sent_at: 1000 }],
    summary: { name: 'Zoë', email: null, phone: null },
    details: { variables: [], origin: 'inbound', channel: 'chat' },
    interrupted: null,
    actions: { send: true, transfer: true, conference: true, exit_conference: false, end: true },
    ...overrides,
  };
}
