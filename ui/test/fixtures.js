// Values shaped like the core's, shared by the unit tests and the browser tests.

/** @typedef {import('../src/lib/types').DeskSnapshot} DeskSnapshot */
/** @typedef {import('../src/lib/types').Notification} Notification */
/** @typedef {import('../src/lib/types').ConversationView} ConversationView */
/** @typedef {import('../src/lib/types').TaskEntry} TaskEntry */
/** @typedef {import('../src/lib/types').ActivityRow} ActivityRow */

/**
 * @param {Partial<DeskSnapshot>} [overrides]
 * @returns {DeskSnapshot}
 */
export function snapshot(overrides = {}) {
  return {
    agent: { id: 'ann', name: 'Ann Novák', email: 'ann@example.com', role: 'agent' },
    supervises: false,
    connection: { state: 'connected' },
    presence: { state: 'available' },
    profile: {
      masking: true,
      theme: 'dark',
      alert_seconds: 30,
      toast_seconds: 8,
      customer_returned_alert: false,
      wrap_up_reasons: ['Resolved', 'Follow-up needed'],
      idle_reasons: ['Lunch', 'Meeting'],
      templates: [],
      files: { max_bytes: 10_485_760, types: ['image/png', 'image/jpeg', 'application/pdf', 'text/plain'], channels: ['chat'] },
    },
    alerts: [],
    tasks: [],
    conversations: [],
    ...overrides,
  };
}

/**
 * @param {string} id
 * @param {Partial<Notification>} [overrides]
 * @returns {Notification}
 */
export function alert(id, overrides = {}) {
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

/**
 * @param {string} id
 * @param {Partial<ConversationView>} [overrides]
 * @returns {ConversationView}
 */
export function conversation(id, overrides = {}) {
  return {
    id,
    title: 'Zoë',
    initials: 'Z',
    channel: 'chat',
    queue: 'General enquiries',
    state: { state: 'active' },
    accepted_at: 1000,
    proactive: false,
    bubbles: [{ id: 1, author: { kind: 'customer', initials: 'Z' }, text: 'Hello', sent_at: 1000, attachments: [] }],
    earlier: false,
    summary: { name: 'Zoë', email: null, phone: null, known_contact: false, notes: null, recent: [] },
    details: { variables: [], origin: 'inbound', channel: 'chat' },
    interrupted: null,
    actions: { send: true, transfer: true, conference: true, exit_conference: false, end: true, park: false, attach: true, whisper: false, barge: false, stop_monitoring: false },
    receipt: null,
    parameters: [
      { name: 'customer.first_name', shown: 'Zoë' },
      { name: 'customer.name', shown: 'Zoë' },
      { name: 'customer.email', shown: null },
      { name: 'customer.phone', shown: '*********3456' },
      { name: 'agent.name', shown: 'Ann Novák' },
      { name: 'queue.name', shown: 'General enquiries' },
    ],
    ...overrides,
  };
}

/**
 * The task list's entry for a conversation.
 * @param {ConversationView} view
 * @param {Partial<TaskEntry>} [overrides]
 * @returns {TaskEntry}
 */
export function task(view, overrides = {}) {
  const last = view.bubbles[view.bubbles.length - 1];
  return {
    conversation: view.id,
    customer_name: view.title,
    channel: view.channel,
    queue: view.queue,
    preview: last?.text ?? '',
    agent_name: 'Ann Novák',
    date: last?.sent_at ?? view.accepted_at ?? 0,
    proactive: view.proactive,
    unread: 0,
    state: view.state,
    typing_until: null,
    ...overrides,
  };
}

/**
 * A report's row: nothing happened, unless `overrides` says so.
 * @param {string} label
 * @param {number} start
 * @param {Partial<ActivityRow>} [overrides]
 * @returns {ActivityRow}
 */
export function activityRow(label, start, overrides = {}) {
  return {
    label,
    start,
    offered: 0,
    accepted: 0,
    rejected: 0,
    rona: 0,
    abandoned: 0,
    transferred: 0,
    escalated: 0,
    ended: 0,
    average_speed_of_answer: null,
    average_handle_time: null,
    wrap_ups: {},
    surveys: 0,
    average_rating: null,
    ...overrides,
  };
}
