// An agent's morning as the core would describe it: two conversations, one of them by SMS, at a
// fixed moment so timers and countdowns read the same on every run.

import { conversation, snapshot, task } from '../test/fixtures.js';

/** The moment the window's clock is fixed at. */
export const T0 = Date.parse('2026-11-20T10:00:00Z');

export const zoe = conversation('c-zoe', {
  title: 'Zoë Nováková',
  initials: 'ZN',
  proactive: true,
  accepted_at: T0 - 65_000,
  // Zoë saw Ann's reply.
  receipt: { message: 3, seen: true },
  bubbles: [
    { id: 0, author: { kind: 'bot', name: 'Assistant' }, text: 'I will find you a colleague.', sent_at: T0 - 70_000, attachments: [] },
    { id: 1, author: { kind: 'system' }, text: 'Ann joined the conversation', sent_at: T0 - 65_000, attachments: [] },
    { id: 2, author: { kind: 'customer', initials: 'ZN' }, text: 'My card **** **** **** 1111 was charged twice.', sent_at: T0 - 60_000, attachments: [] },
    { id: 3, author: { kind: 'agent', name: 'Ann Novák', mine: true }, text: 'Let me look at that for you.', sent_at: T0 - 30_000, attachments: [] },
    { id: 4, author: { kind: 'agent', name: 'Bob Dvořák', mine: false }, text: 'The refund is on its way.', sent_at: T0 - 20_000, attachments: [] },
    { id: 5, author: { kind: 'note', name: 'Bob Dvořák', mine: false }, text: 'Refund approved by billing; she may call back.', sent_at: T0 - 10_000, attachments: [] },
  ],
  summary: {
    name: 'Zoë Nováková',
    email: 'z***@example.com',
    phone: null,
    known_contact: true,
    notes: 'Prefers a call back in the morning.',
    recent: [
      {
        id: 'c-old',
        channel: 'sms',
        queue: 'Billing',
        ended_at: Date.parse('2026-11-02T15:30:00Z'),
        comment: 'Was I charged twice for order 1234?',
        wrap_up: 'Resolved',
        rating: 5,
        rating_comment: 'Quick and kind, thank you',
      },
    ],
  },
  details: {
    variables: [
      { name: 'Page', value: 'https://shop.example.com/orders' },
      { name: 'Time on page', value: '42 s' },
    ],
    origin: 'proactive',
    channel: 'chat',
  },
});

export const sms = conversation('c-sms', {
  title: '+420 *** *** 789',
  initials: '#',
  channel: 'sms',
  queue: 'Billing',
  accepted_at: T0 - 600_000,
  bubbles: [{ id: 1, author: { kind: 'customer', initials: '#' }, text: 'Is my invoice ready?', sent_at: T0 - 120_000, attachments: [{ url: 'https://media.example.com/invoice.jpg', kind: 'image/jpeg', name: null, size: null, file: null, picture: true }, { url: '', kind: 'application/pdf', name: 'invoice-2291.pdf', size: 48213, file: 'f-invoice', picture: false }] }],
  summary: { name: '+420 *** *** 789', email: null, phone: '+420 *** *** 789', known_contact: false, notes: null, recent: [] },
  details: { variables: [], origin: 'inbound', channel: 'sms' },
  // This server sends no files by SMS (it has no public address for the provider).
  actions: { send: true, transfer: true, conference: true, exit_conference: false, end: true, park: false, attach: false, whisper: false, barge: false, stop_monitoring: false },
});

export function morning() {
  return snapshot({
    tasks: [task(zoe), task(sms, { unread: 2 })],
    conversations: [zoe, sms],
  });
}
