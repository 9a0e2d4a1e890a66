// The main window: top bar, task list, conversation pane, side tabs, composer, the in-app alert,
// toasts, errors and the interruption warning, driven through the shell's events and commands.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDesk, sharedBrowser } from './harness.mjs';
import { morning, sms, T0, zoe } from './scene.mjs';
import { alert, conversation, snapshot, task } from '../test/fixtures.js';

const shared = sharedBrowser();

/** @param {{ colorScheme?: 'light' | 'dark', settings?: object }} [options] */
const open = (options = {}) => openDesk(shared.browser, shared.url, morning(), { time: T0, ...options });

test('the workspace: tasks, the conversation with its timer, both side tabs, switching by keyboard', async () => {
  const window = await open();
  const { page } = window;
  const tasks = page.getByRole('navigation', { name: 'Conversations' });
  const pane = page.getByRole('main');

  // Newest first; the newest is open.
  const names = await tasks.locator('.name').allTextContents();
  assert.deepEqual(names, ['Zoë Nováková', '+420 *** *** 789']);
  await tasks.getByLabel('Unread messages: 2').waitFor();
  await tasks.getByText('Proactive').waitFor();
  assert.equal(await pane.getByRole('heading', { level: 1 }).textContent(), 'Zoë Nováková');
  await pane.getByRole('timer', { name: 'Time since accepted' }).getByText('1:05').waitFor();

  const thread = pane.getByRole('log', { name: 'Messages' });
  await thread.locator('li.system').getByText('Ann joined the conversation').waitFor();
  const customer = thread.locator('li.customer');
  assert.equal(await customer.locator('.avatar').textContent(), 'ZN');
  assert.equal(await customer.locator('.bubble').textContent(), 'My card **** **** **** 1111 was charged twice.');
  assert.equal((await thread.locator('li.mine .bubble').textContent())?.trim(), 'Let me look at that for you.');
  // Another agent's message says who wrote it.
  assert.equal(await thread.locator('li.agent:not(.mine):not(.bot) .author').textContent(), 'Bob Dvořák');
  // The bot's messages say it is the bot.
  assert.equal(await thread.locator('li.bot .bubble').textContent(), 'AssistantI will find you a colleague.');
  const background = (/** @type {import('playwright-core').Locator} */ bubble) =>
    bubble.evaluate((element) => getComputedStyle(element).backgroundColor);
  const colours = {
    customer: await background(customer.locator('.bubble')),
    agent: await background(thread.locator('li.mine .bubble')),
  };
  assert.notEqual(colours.customer, colours.agent, 'customer and agent bubbles look different');

  const side = page.getByRole('complementary');
  await side.getByRole('tab', { name: 'Customer summary', selected: true }).waitFor();
  await side.getByText('z***@example.com').waitFor();
  await side.getByText('Not given').waitFor();
  await side.getByText('Prefers a call back in the morning.').waitFor();
  const recent = side.getByRole('region', { name: 'Recent conversations' });
  await recent.getByText('Was I charged twice for order 1234?').waitFor();
  await recent.getByText('Billing · Resolved').waitFor();
  await window.screenshot('desk-light');
  await side.getByRole('tab', { name: 'Additional details' }).click();
  await side.getByText('https://shop.example.com/orders').waitFor();
  await side.getByText('Proactive invitation').waitFor();
  // Arrow keys move between the tabs.
  await page.keyboard.press('ArrowLeft');
  await side.getByRole('tab', { name: 'Customer summary', selected: true }).waitFor();

  // A click opens a conversation and marks it read; Alt+↑ / Alt+↓ go round the list.
  await tasks.getByRole('button', { name: /\+420/ }).click();
  assert.equal(await pane.getByRole('heading', { level: 1 }).textContent(), '+420 *** *** 789');
  assert.deepEqual(await window.called('mark_read'), { conversation: 'c-sms' });
  await side.getByRole('tab', { name: 'Customer summary' }).click();
  assert.equal(await side.locator('dd').nth(1).textContent(), '+420 *** *** 789');
  await side.getByText('Not in the contacts: details as the customer gave them.').waitFor();
  // A picture sent by SMS is shown with its link; a stored file with its type, name and size.
  const attachments = pane.getByRole('list', { name: 'Attachments' }).getByRole('listitem');
  // The channel's picture is shown small, its address beside it.
  await attachments.nth(0).getByRole('button', { name: 'Open the picture Attachment' }).waitFor();
  await attachments.nth(0).getByText('https://media.example.com/invoice.jpg').waitFor();
  assert.equal((await attachments.nth(1).textContent())?.trim(), 'application/pdf invoice-2291.pdf 47 KB Save');
  // Masking is on: the agent is told it cannot read what the picture shows.
  await pane.getByText('Masking cannot read attachments: what a picture shows is not hidden.').waitFor();
  await window.screenshot('sms-attachment');
  await page.keyboard.press('Alt+ArrowDown');
  assert.equal(await pane.getByRole('heading', { level: 1 }).textContent(), 'Zoë Nováková');
  await page.keyboard.press('Alt+ArrowUp');
  assert.equal(await pane.getByRole('heading', { level: 1 }).textContent(), '+420 *** *** 789');

  // A message arriving in a conversation updates its bubble list and the task's preview.
  const bubble = { id: 2, author: { kind: 'customer', initials: '#' }, text: 'Hello?', sent_at: T0, attachments: [] };
  await window.update({ type: 'bubble', conversation: 'c-sms', bubble });
  await window.update({ type: 'task', task: task(sms, { preview: 'Hello?', date: T0 }) });
  await pane.locator('li.customer .bubble').getByText('Hello?').waitFor();
  await tasks.locator('.preview').getByText('Hello?').waitFor();
  assert.deepEqual(await tasks.locator('.name').allTextContents(), ['+420 *** *** 789', 'Zoë Nováková']);
  assert.deepEqual(window.problems, []);
  await window.close();
});

test('presence and connection: the selector shows what the server says, RONA is left by choice', async () => {
  const window = await open();
  const { page } = window;
  const presence = page.getByRole('combobox', { name: 'Presence' });
  assert.equal(await presence.inputValue(), 'available');
  await page.getByRole('status').getByText('Connected').waitFor();

  await presence.selectOption({ label: 'Idle – Lunch' });
  assert.deepEqual(await window.called('set_presence'), { presence: { state: 'idle', reason: 'Lunch' } });
  // Until the server confirms, the selector keeps showing the current presence.
  assert.equal(await presence.inputValue(), 'available');
  await window.update({ type: 'presence', presence: { state: 'idle', reason: 'Lunch' } });
  await page.waitForFunction(() => document.querySelector('select')?.value === 'idle:Lunch');

  await window.update({ type: 'presence', presence: { state: 'rona' } });
  await page.waitForFunction(() => document.querySelector('select')?.value === 'rona');
  assert.equal(await presence.locator('option[value="rona"]').isDisabled(), true, 'RONA cannot be chosen');
  await window.screenshot('desk-rona');
  await presence.selectOption('available');
  assert.deepEqual(await window.called('set_presence', 2), { presence: { state: 'available' } });

  await window.update({ type: 'connection', connection: { state: 'reconnecting', attempt: 3, reason: 'reset' } });
  await page.getByRole('status').getByText('Reconnecting… (attempt 3)').waitFor();
  await window.update({ type: 'connection', connection: { state: 'offline', reason: 'session_expired' } });
  await page.getByText('Your session has expired. Sign in again.').waitFor();
  await window.update({ type: 'connection', connection: { state: 'connected' } });
  await page.getByRole('status').getByText('Connected').waitFor();
  assert.deepEqual(window.problems, []);
  await window.close();
});

test('the composer: counter, Enter and Shift+Enter, refusals, drafts per conversation, failures', async () => {
  const window = await open();
  const { page } = window;
  const box = page.getByRole('textbox', { name: 'Message' });
  const send = page.getByRole('button', { name: 'Send' });
  await page.getByText('Characters left: 1000').waitFor();

  await box.fill('Hello');
  await page.getByText('Characters left: 995').waitFor();
  assert.deepEqual(await window.called('drafted'), { conversation: 'c-zoe', empty: false }, 'the core hears of the draft');
  await box.press('Shift+Enter');
  await box.pressSequentially('there');
  assert.equal(await box.inputValue(), 'Hello\nthere');
  assert.equal((await window.calls('send_message')).length, 0, 'Shift+Enter does not send');
  await box.press('Enter');
  assert.deepEqual(await window.called('send_message'), { conversation: 'c-zoe', text: 'Hello\nthere', files: [] });
  await page.waitForFunction(() => document.querySelector('textarea')?.value === '');

  await box.fill('Use <b>bold</b>');
  await page.getByText('The characters < and > cannot be used in messages.').waitFor();
  assert.equal(await send.isDisabled(), true);
  await box.press('Enter');
  await box.fill('x'.repeat(1001));
  await page.getByText('A message can be at most 1000 characters. Shorten it by 1.').waitFor();
  assert.equal(await box.getAttribute('aria-invalid'), 'true');
  await box.press('Enter');
  assert.equal((await window.calls('send_message')).length, 1, 'nothing refused is sent');
  await window.screenshot('composer-too-long');

  // Each conversation keeps its own draft.
  await box.fill('Draft for Zoë');
  await page.getByRole('button', { name: /\+420/ }).click();
  assert.equal(await box.inputValue(), '');
  await page.getByRole('button', { name: /Zoë/ }).click();
  assert.equal(await box.inputValue(), 'Draft for Zoë');

  // A failed send is reported in words, and the draft stays.
  await window.reply('send_message', { error: { code: 'offline', message: 'the server cannot be reached' } });
  await send.click();
  const banner = page.getByRole('alert').filter({ hasText: 'That did not work' });
  await banner.getByText('That did not work: the server cannot be reached').waitFor();
  assert.equal(await box.inputValue(), 'Draft for Zoë');
  await banner.getByRole('button').click();
  await banner.waitFor({ state: 'detached' });

  // A server that did not answer is told apart from one that refused.
  await window.reply('send_message', { error: { code: 'no_answer', message: 'core words' } });
  await send.click();
  await page
    .getByRole('alert')
    .getByText('The server did not answer within 30 seconds: the action may not have been carried out.')
    .waitFor();
  await window.screenshot('composer-no-answer');
  assert.deepEqual(window.problems, []);
  await window.close();
});

test('internal notes: a card in the thread, and the composer switches to a note and back', async () => {
  const window = await open();
  const { page } = window;
  const thread = page.getByRole('log', { name: 'Messages' });
  const note = thread.getByRole('listitem').filter({ hasText: 'Note by Bob Dvořák' });
  await note.getByText('Refund approved by billing; she may call back.').waitFor();
  // The receipt shows under the agent's own message the customer saw, and nowhere else.
  const seen = thread.getByRole('listitem').filter({ hasText: 'Let me look at that for you.' });
  await seen.getByText('Seen').waitFor();
  assert.equal(await thread.getByText('Seen').count(), 1);

  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill('Customer prefers e-mail');
  await box.press('Control+Shift+N');
  const noteBox = page.getByRole('textbox', { name: 'Internal note' });
  await noteBox.waitFor();
  assert.equal(await page.getByRole('button', { name: 'Note', pressed: true }).count(), 1);
  await window.screenshot('composer-note');
  await noteBox.press('Enter');
  assert.deepEqual(await window.called('send_note'), { conversation: 'c-zoe', text: 'Customer prefers e-mail' });
  assert.equal((await window.calls('send_message')).length, 0, 'a note is never sent as a message');

  // The customer typing shows under the thread and in the task list, until the time given.
  await window.update({ type: 'typing', conversation: 'c-zoe', until: 4_102_444_800_000 });
  await page.getByText('Zoë Nováková is typing…').waitFor();
  await page.getByRole('navigation').getByText('typing…').waitFor();
  await window.screenshot('customer-typing');
  await window.update({ type: 'typing', conversation: 'c-zoe', until: null });
  await page.getByText('Zoë Nováková is typing…').waitFor({ state: 'detached' });

  await page.getByRole('button', { name: 'Note', pressed: true }).click();
  await box.fill('Thanks for waiting');
  await box.press('Enter');
  assert.deepEqual(await window.called('send_message'), { conversation: 'c-zoe', text: 'Thanks for waiting', files: [] });
  assert.deepEqual(window.problems, []);
  await window.close();
});

test('the in-app alert: details, countdown, focus, Accept by keyboard, Reject by click', async () => {
  const window = await open();
  const { page } = window;
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.focus();
  const first = alert('c-new', {
    kind: { kind: 'alert', expires_at: T0 + 30_000 },
    customer_name: 'Marek',
    comment: 'Where is my parcel?',
    waiting_since: T0 - 12_000,
    theme: 'light',
  });
  await window.update({ type: 'notify', notification: first });
  const dialog = page.getByRole('alertdialog', { name: 'Incoming chat' });
  await dialog.getByText('Answer within 30 s').waitFor();
  await dialog.getByText('Where is my parcel?').waitFor();
  await dialog.getByText('Queue: General enquiries').waitFor();
  await dialog.getByText('Waiting 0:12').waitFor();
  // Focus moves to the alert.
  await page.waitForFunction(() => document.activeElement?.textContent?.trim() === 'Accept');
  await window.screenshot('alert');

  await page.clock.setFixedTime(T0 + 5_000);
  await dialog.getByText('Answer within 25 s').waitFor();
  await dialog.getByText('Waiting 0:17').waitFor();

  const second = alert('c-sms2', { scenario: 'incoming_sms', channel: 'sms', kind: { kind: 'alert', expires_at: T0 + 40_000 } });
  await window.update({ type: 'notify', notification: second });
  await dialog.getByText('More waiting: 1').waitFor();

  await window.reply('answer_current', { ok: 'c-new' });
  await page.keyboard.press('Alt+A');
  assert.deepEqual(await window.called('answer_current'), { accept: true });
  await window.update({ type: 'dismiss', id: first.id, reason: 'accepted' });
  const next = page.getByRole('alertdialog', { name: 'Incoming SMS' });
  await next.waitFor();
  await next.getByRole('button', { name: 'Reject' }).click();
  assert.deepEqual(await window.called('answer'), { conversation: 'c-sms2', accept: false });
  await window.update({ type: 'dismiss', id: second.id, reason: 'rejected' });
  await next.waitFor({ state: 'detached' });
  // Focus goes back to where the agent was typing.
  await page.waitForFunction(() => document.activeElement?.id === 'composer-text');

  // Alt+R rejects too, and an expired alert simply goes.
  await window.update({ type: 'notify', notification: alert('c-late', { kind: { kind: 'alert', expires_at: T0 + 9_000 } }) });
  await page.getByRole('alertdialog').waitFor();
  await page.keyboard.press('Alt+R');
  assert.deepEqual(await window.called('answer_current', 2), { accept: false });
  await window.update({ type: 'dismiss', id: 'offer:c-late', reason: 'expired' });
  await page.getByRole('alertdialog').waitFor({ state: 'detached' });
  assert.deepEqual(window.problems, []);
  await window.close();
});

test('toasts: worded per scenario, open their conversation when selected, close, and time out', async () => {
  const window = await open({ colorScheme: 'dark', settings: { window_theme: 'system' } });
  const { page } = window;
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark', 'the window follows the system');
  const toast = (/** @type {string} */ id, /** @type {any} */ scenario, closesIn = 8_000) =>
    alert(id, { id: `toast:${id}:${scenario}`, scenario, kind: { kind: 'toast', closes_at: T0 + closesIn } });

  await window.update({ type: 'notify', notification: toast('c-sms', 'transferred') });
  await window.update({ type: 'notify', notification: toast('c-zoe', 'customer_returned', 3_000) });
  await window.update({ type: 'notify', notification: toast('c-x', 'escalated_from_bot') });
  const toasts = page.locator('.toasts');
  await toasts.getByText('Conversation transferred to you').waitFor();
  await toasts.getByText('The customer is back').waitFor();
  await toasts.getByText('Escalated by the bot').waitFor();
  await window.screenshot('toasts-dark');

  await page.getByRole('button', { name: 'Open: Conversation transferred to you' }).click();
  assert.deepEqual(await window.called('open'), { conversation: 'c-sms' });
  await toasts.getByText('Conversation transferred to you').waitFor({ state: 'detached' });
  assert.equal(await page.getByRole('main').getByRole('heading', { level: 1 }).textContent(), '+420 *** *** 789');

  await toasts.locator('.toast').filter({ hasText: 'Escalated by the bot' }).getByRole('button', { name: 'Close' }).click();
  await toasts.getByText('Escalated by the bot').waitFor({ state: 'detached' });
  assert.equal((await window.calls('open')).length, 1, 'closing a toast opens nothing');

  // The profile's duration passes: the toast goes by itself.
  await page.clock.setFixedTime(T0 + 3_500);
  await toasts.getByText('The customer is back').waitFor({ state: 'detached' });
  assert.deepEqual(window.problems, []);
  await window.close();
});

test('conversation states and the interruption warning', async () => {
  const window = await open();
  const { page } = window;
  const pane = page.getByRole('main');
  await window.update({ type: 'conversation', conversation: { ...zoe, state: { state: 'conference_requested', agent: 'Bob Dvořák' } } });
  await pane.locator('header').getByText('Conference requested').waitFor();
  await window.update({ type: 'conversation', conversation: { ...zoe, state: { state: 'conference', agents: ['Bob Dvořák'] } } });
  await pane.locator('header').getByText('Conference', { exact: true }).waitFor();

  const interrupted = {
    ...zoe,
    state: { state: 'interrupted', reason: 'the queue “VIP” was removed' },
    interrupted: 'the queue “VIP” was removed',
    actions: { send: false, transfer: false, conference: false, exit_conference: false, end: true, park: false },
  };
  await window.update({ type: 'conversation', conversation: interrupted });
  await pane.getByRole('alert').getByText('This conversation was interrupted: the queue “VIP” was removed. You can only end it.').waitFor();
  assert.equal(await pane.getByRole('textbox', { name: 'Message' }).isDisabled(), true);
  const toolbar = pane.getByRole('toolbar', { name: 'Conversation actions' });
  assert.equal(await toolbar.getByRole('button', { name: 'Transfer' }).isDisabled(), true);
  assert.equal(await toolbar.getByRole('button', { name: 'Conference' }).isDisabled(), true);
  assert.equal(await toolbar.getByRole('button', { name: 'End' }).isDisabled(), false);
  await window.screenshot('interrupted');
  assert.deepEqual(window.problems, []);
  await window.close();
});

test('variables and attachments whose masked texts coincide are all shown', async () => {
  const twins = conversation('c-twins', {
    title: 'Zoë',
    bubbles: [
      {
        id: 1,
        author: { kind: 'customer', initials: 'Z' },
        text: 'Two files',
        sent_at: T0,
        attachments: [
          { url: 'https://media.example.com/*******4567.jpg', kind: 'image/jpeg', name: null, size: null, file: null, picture: false },
          { url: 'https://media.example.com/*******4567.jpg', kind: 'image/jpeg', name: null, size: null, file: null, picture: false },
        ],
      },
    ],
    details: {
      variables: [
        { name: 'Phone *********4567', value: 'home' },
        { name: 'Phone *********4567', value: 'work' },
      ],
      origin: 'inbound',
      channel: 'chat',
    },
  });
  const window = await openDesk(
    shared.browser,
    shared.url,
    snapshot({ conversations: [twins], tasks: [task(twins)] }),
    { time: T0 },
  );
  const { page } = window;
  await page.getByRole('main').getByText('Two files').waitFor();
  assert.equal(await page.getByRole('main').locator('.attachments li').count(), 2);
  const side = page.getByRole('complementary');
  await side.getByRole('tab', { name: 'Additional details' }).click();
  await side.getByText('home').waitFor();
  await side.getByText('work').waitFor();
  assert.equal(await side.getByText('Phone *********4567').count(), 2);
  assert.deepEqual(window.problems, []);
  await window.close();
});

test('a long thread shows its latest page and earlier ones on request, keeping the place', async () => {
  /** @param {number} id @returns {import('../src/lib/types').Bubble} */
  const line = (id) => ({
    id,
    author: { kind: 'customer', initials: 'Z' },
    text: `Line ${id}`,
    sent_at: T0 + id,
    attachments: [],
  });
  const range = (/** @type {number} */ from, /** @type {number} */ to) =>
    Array.from({ length: to - from + 1 }, (_, i) => line(from + i));
  const latest = conversation('c-long', { title: 'Zoë', bubbles: range(51, 100), earlier: true });
  const window = await openDesk(
    shared.browser,
    shared.url,
    snapshot({ conversations: [latest], tasks: [task(latest)] }),
    { time: T0 },
  );
  const { page } = window;
  const thread = page.getByRole('main').getByRole('log', { name: 'Messages' });
  await thread.getByText('Line 100').waitFor();
  const atBottom = () =>
    thread.evaluate((element) => element.scrollHeight - element.scrollTop - element.clientHeight < 2);
  assert.ok(await atBottom(), 'the newest message is in view');
  await thread.evaluate((element) => element.scrollTo({ top: 0 }));
  await window.screenshot('earlier-messages');
  await thread.getByRole('button', { name: 'Show earlier messages' }).click();
  assert.deepEqual(await window.called('show_earlier'), { conversation: 'c-long' });
  await window.update({ type: 'conversation', conversation: { ...latest, bubbles: range(1, 100), earlier: false } });
  await thread.getByText('Line 1', { exact: true }).waitFor({ state: 'attached' });
  assert.equal(await thread.getByRole('button', { name: 'Show earlier messages' }).count(), 0);
  // The message that was first is still where the agent was reading, not scrolled away.
  const place = await thread.getByText('Line 51', { exact: true }).evaluate((element) => {
    const log = /** @type {HTMLElement} */ (element.closest('.thread'));
    return element.getBoundingClientRect().top - log.getBoundingClientRect().top;
  });
  assert.ok(place >= 0 && place < 120, `Line 51 stays at the top of the view (${place}px)`);
  assert.ok(!(await atBottom()));
  assert.deepEqual(window.problems, []);
  await window.close();
});

test('the keyboard reaches every action, and ? or F1 lists every shortcut', async () => {
  const window = await open();
  const { page } = window;
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill('Is 2 bigger? Yes');
  await box.press('?');
  assert.equal(await page.getByRole('dialog').count(), 0, '? typed in the composer is text');

  await page.keyboard.press('Alt+T');
  const transfer = page.getByRole('dialog', { name: 'Transfer the conversation' });
  await transfer.waitFor();
  await page.keyboard.press('Escape');
  await transfer.waitFor({ state: 'detached' });
  await page.keyboard.press('Alt+E');
  await page.getByRole('dialog', { name: 'End the conversation' }).waitFor();
  await page.keyboard.press('Escape');

  await page.keyboard.press('F1');
  const shortcuts = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await shortcuts.getByText('Ctrl+Shift+N').waitFor();
  await shortcuts.getByText('Switch between a message and an internal note').waitFor();
  await window.screenshot('shortcuts');
  await page.keyboard.press('Escape');
  await shortcuts.waitFor({ state: 'detached' });
  await page.keyboard.press('Alt+M');
  await page.waitForFunction(() => document.activeElement?.id === 'composer-text');
  assert.deepEqual(window.problems, []);
  await window.close();
});

test('templates: / lists them, the keyboard inserts one, and the composer shows what the server fills', async () => {
  const window = await open();
  const { page } = window;
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill('/');
  const list = page.getByRole('listbox', { name: 'Templates' });
  await list.getByRole('option', { name: /Greeting/ }).waitFor();
  assert.equal(await list.getByRole('option').count(), 3);
  await box.fill('/ref');
  await list.getByRole('option', { name: /Greeting/ }).waitFor({ state: 'detached' });
  assert.deepEqual((await window.calls('templates')).at(-1)?.args, { conversation: 'c-zoe', search: 'ref' });
  await window.screenshot('composer-templates');

  // The core writes in what the desktop may show; the phone stays for the server to fill.
  await window.reply('insert_template', { ok: 'Your refund is on its way; we will text <customer.phone> once it is sent.' });
  await box.press('Enter');
  assert.deepEqual(await window.called('insert_template'), { conversation: 'c-zoe', shortcut: 'refund' });
  await page.waitForFunction(() => document.querySelector('textarea')?.value.startsWith('Your refund'));
  assert.equal((await window.calls('send_message')).length, 0, 'choosing a template sends nothing');
  await page.getByText('customer.phone: *********3456').waitFor();
  await window.screenshot('composer-template-inserted');
  await box.press('Enter');
  assert.deepEqual(await window.called('send_message'), {
    conversation: 'c-zoe',
    text: 'Your refund is on its way; we will text <customer.phone> once it is sent.',
    files: [],
  });

  // A parameter the conversation has no value for blocks sending until it is written in.
  await box.fill('/');
  await list.getByRole('option').first().waitFor();
  await box.press('ArrowDown');
  await box.press('ArrowDown');
  await window.reply('insert_template', { ok: 'I will confirm this to <customer.email>.' });
  await box.press('Enter');
  assert.deepEqual(await window.called('insert_template', 2), { conversation: 'c-zoe', shortcut: 'mail' });
  await page.getByText('This conversation has no value for <customer.email>: write it in or take it out.').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Send' }).isDisabled(), true);
  await box.fill('I will confirm this to you by e-mail.');
  assert.equal(await page.getByRole('button', { name: 'Send' }).isDisabled(), false);
  assert.deepEqual(window.problems, []);
  await window.close();
});
