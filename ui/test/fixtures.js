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

/** A trend of the last hour: `recent` as its last points, nothing before. @param {number[]} recent @returns {number[]} */
export function trend(recent) {
  return [...Array(60 - recent.length).fill(0), ...recent];
}

/**
 * A supervisor's live view as the server pushes it whole, at `at`: two queues, three agents,
 * a waiting chat and one with Ann.
 * @param {number} at
 * @returns {Required<import('../src/lib/types').LiveUpdate>}
 */
export function liveView(at) {
  /** @param {string} id @param {string} name @param {Partial<import('../src/lib/types').AgentFigures>} [overrides] @returns {import('../src/lib/types').AgentFigures} */
  const agent = (id, name, overrides = {}) => ({
    agent: { id, name, email: `${id}@example.com`, role: 'agent' },
    connected: true,
    presence: { state: 'available' },
    presence_since: at - 600_000,
    held: 0,
    capacity: 3,
    rona_today: 0,
    last_ended_at: null,
    held_trend: trend([]),
    ...overrides,
  });
  /** @param {string} id @param {string} name @param {Partial<import('../src/lib/types').QueueFigures>} [overrides] @returns {import('../src/lib/types').QueueFigures} */
  const queue = (id, name, overrides = {}) => ({
    queue: { id, name, escalation: false },
    waiting: 0,
    oldest_waiting_since: null,
    agents: { available: 0, idle: 0, rona: 0, busy: 0 },
    target_seconds: 20,
    answered: 0,
    answered_in_target: 0,
    abandoned: 0,
    average_wait: null,
    waiting_trend: trend([]),
    ...overrides,
  });
  return {
    whole: true,
    at,
    day_start: at - 10 * 3_600_000,
    trend_start: at - 59 * 60_000,
    queues: [
      queue('general', 'General enquiries', {
        waiting: 1,
        oldest_waiting_since: at - 95_000,
        agents: { available: 1, idle: 1, rona: 1, busy: 0 },
        answered: 8,
        answered_in_target: 6,
        abandoned: 1,
        average_wait: 14_000,
        waiting_trend: trend([1, 2, 3, 2, 1, 0, 1, 2, 1]),
      }),
      queue('billing', 'Billing', { answered: 2, answered_in_target: 2, average_wait: 6_000, waiting_trend: trend([1, 0, 0]) }),
    ],
    agents: [
      agent('ann', 'Ann Novák', { held: 1, held_trend: trend([1, 1, 2, 1]), last_ended_at: at - 300_000 }),
      agent('bo', 'Bo Berg', { presence: { state: 'rona' }, presence_since: at - 130_000, rona_today: 2 }),
      agent('cecile', 'Cécile Martin', { presence: { state: 'idle', reason: 'Lunch' }, presence_since: at - 1_500_000, rona_today: 1 }),
    ],
    conversations: [
      { id: 'c-max', channel: 'chat', queue: { id: 'general', name: 'General enquiries', escalation: false }, customer_name: 'Max Müller', started_at: at - 95_000, stage: { stage: 'waiting', since: at - 95_000, offered_to: null } },
      { id: 'c-zoe', channel: 'sms', queue: { id: 'billing', name: 'Billing', escalation: false }, customer_name: 'Zoë Nováková', started_at: at - 400_000, stage: { stage: 'held', agent: 'ann', since: at - 380_000 } },
    ],
    gone: [],
  };
}
