// The dialogs: Transfer, Escalate, Move to waiting, Conference, End, Exit conference and Settings, each opened from its
// button, searched, reloaded, confirmed or cancelled, with focus kept inside and given back.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDesk, sharedBrowser } from './harness.mjs';
import { morning, T0, zoe } from './scene.mjs';
import { activityRow } from '../test/fixtures.js';

const shared = sharedBrowser();

const open = () => openDesk(shared.browser, shared.url, morning(), { time: T0 });
/** @param {unknown} snapshot */
const openAs = (snapshot) => openDesk(shared.browser, shared.url, snapshot, { time: T0 });

/** @param {import('playwright-core').Locator} dialog */
const choices = (dialog) => dialog.getByRole('radio').evaluateAll((radios) => radios.map((r) => r.parentElement?.textContent?.trim()));

test('Transfer: queues and agents tabs, search, reload, a failure keeps the dialog, then a transfer', async () => {
  const window = await open();
  const { page } = window;
  const toolbar = page.getByRole('toolbar', { name: 'Conversation actions' });
  await toolbar.getByRole('button', { name: 'Transfer' }).click();
  const dialog = page.getByRole('dialog', { name: 'Transfer the conversation' });
  await dialog.getByRole('tab', { name: 'Queues', selected: true }).waitFor();
  await dialog.getByRole('radio', { name: 'VIP customers' }).waitFor();
  assert.deepEqual(await choices(dialog), ['General enquiries', 'Billing', 'VIP customers', 'Supervisors']);
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('type')), 'search', 'focus starts in the search box');
  await window.screenshot('transfer');

  await dialog.getByRole('searchbox').fill('bil');
  await dialog.getByRole('radio', { name: 'VIP customers' }).waitFor({ state: 'detached' });
  assert.deepEqual(await choices(dialog), ['Billing']);
  assert.deepEqual((await window.calls('queues')).at(-1)?.args, { search: 'bil' });
  const loads = (await window.calls('queues')).length;
  await dialog.getByRole('button', { name: 'Reload' }).click();
  await window.called('queues', loads + 1);

  const confirm = dialog.getByRole('button', { name: 'Transfer' });
  assert.equal(await confirm.isDisabled(), true, 'nothing chosen, nothing to confirm');
  await dialog.getByRole('radio', { name: 'Billing' }).check();
  await window.reply('transfer', { error: { code: 'failed', message: 'the queue “Billing” is closed' } });
  await confirm.click();
  await page.getByText('That did not work: the queue “Billing” is closed').waitFor();
  await dialog.waitFor();

  await window.reply('transfer', { ok: null });
  await dialog.getByRole('tab', { name: 'Agents' }).click();
  await dialog.getByRole('radio', { name: 'Cécile Martin' }).check();
  await confirm.click();
  assert.deepEqual(await window.called('transfer', 2), { conversation: 'c-zoe', to: { kind: 'agent', agent: 'cecile' }, note: '' });
  await dialog.waitFor({ state: 'detached' });
  // Focus returns to the button that opened the dialog.
  await page.waitForFunction(() => document.activeElement?.textContent?.trim() === 'Transfer');

  await toolbar.getByRole('button', { name: 'Transfer' }).click();
  await dialog.getByRole('radio', { name: 'General enquiries' }).check();
  await dialog.getByRole('textbox', { name: 'Note for whoever takes it (optional)' }).fill('Wants the invoice resent');
  await dialog.getByRole('button', { name: 'Transfer' }).click();
  assert.deepEqual(await window.called('transfer', 3), {
    conversation: 'c-zoe',
    to: { kind: 'queue', queue: 'general' },
    note: 'Wants the invoice resent',
  });
  assert.deepEqual(window.problems, []);
  await window.close();
});

test('Escalate: only escalation queues, a reason is needed, then the escalation', async () => {
  const window = await open();
  const { page } = window;
  const toolbar = page.getByRole('toolbar', { name: 'Conversation actions' });
  await toolbar.getByRole('button', { name: 'Escalate' }).click();
  const dialog = page.getByRole('dialog', { name: 'Escalate the conversation' });
  await dialog.getByRole('radio', { name: 'Supervisors' }).waitFor();
  assert.deepEqual(await choices(dialog), ['Supervisors']);
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'TEXTAREA', 'focus starts in the reason');
  const confirm = dialog.getByRole('button', { name: 'Escalate' });
  await dialog.getByRole('radio', { name: 'Supervisors' }).check();
  assert.equal(await confirm.isDisabled(), true, 'no reason, no escalation');
  await dialog.getByRole('textbox', { name: 'Reason' }).fill('  Refund above my limit ');
  await window.screenshot('escalate');
  await window.reply('escalate', { ok: null });
  await confirm.click();
  assert.deepEqual(await window.called('escalate'), { conversation: 'c-zoe', queue: 'supervisors', reason: 'Refund above my limit' });
  await dialog.waitFor({ state: 'detached' });
  await page.waitForFunction(() => document.activeElement?.textContent?.trim() === 'Escalate');
  assert.deepEqual(window.problems, []);
  await window.close();
});

test('Conference: invite an agent, requested then joined, then Exit conference with a wrap-up', async () => {
  const window = await open();
  const { page } = window;
  const toolbar = page.getByRole('toolbar', { name: 'Conversation actions' });
  await toolbar.getByRole('button', { name: 'Conference' }).click();
  const dialog = page.getByRole('dialog', { name: 'Invite an agent to a conference' });
  await dialog.getByRole('searchbox').fill('bob');
  await dialog.getByRole('radio', { name: 'Cécile Martin' }).waitFor({ state: 'detached' });
  await dialog.getByRole('radio', { name: 'Bob Dvořák' }).check();
  await window.screenshot('conference');
  await dialog.getByRole('button', { name: 'Invite' }).click();
  assert.deepEqual(await window.called('invite'), { conversation: 'c-zoe', agent: 'bob' });
  await dialog.waitFor({ state: 'detached' });

  const header = page.getByRole('main').locator('header');
  await window.update({ type: 'conversation', conversation: { ...zoe, state: { state: 'conference_requested', agent: 'Bob Dvořák' } } });
  await header.getByText('Conference requested').waitFor();
  const joined = {
    ...zoe,
    state: { state: 'conference', agents: ['Bob Dvořák'] },
    actions: { ...zoe.actions, exit_conference: true },
  };
  await window.update({ type: 'conversation', conversation: joined });
  await header.getByText('Conference', { exact: true }).waitFor();

  await toolbar.getByRole('button', { name: 'Exit conference' }).click();
  const exit = page.getByRole('dialog', { name: 'Exit the conference' });
  await exit.getByRole('radio', { name: 'Resolved' }).check();
  await exit.getByRole('button', { name: 'Exit' }).click();
  assert.deepEqual(await window.called('exit_conference'), { conversation: 'c-zoe', wrapUp: 'Resolved' });
  assert.equal((await window.calls('end')).length, 0);
  assert.deepEqual(window.problems, []);
  await window.close();
});

test('Move to waiting: offered only for a persistent conversation, and asked of the shell', async () => {
  const window = await open();
  const { page } = window;
  const toolbar = page.getByRole('toolbar', { name: 'Conversation actions' });
  const park = toolbar.getByRole('button', { name: 'Move to waiting' });
  assert.equal(await park.count(), 0, 'a live chat cannot wait');
  await window.update({ type: 'conversation', conversation: { ...zoe, actions: { ...zoe.actions, park: true } } });
  await window.reply('park', { ok: null });
  await window.screenshot('park');
  await park.click();
  assert.deepEqual(await window.called('park'), { conversation: 'c-zoe' });
  assert.deepEqual(window.problems, []);
  await window.close();
});

test('End: wrap-up reasons searched, Escape cancels, a wrap-up ends it and the next conversation opens', async () => {
  const window = await open();
  const { page } = window;
  const end = page.getByRole('toolbar', { name: 'Conversation actions' }).getByRole('button', { name: 'End' });
  await end.click();
  const dialog = page.getByRole('dialog', { name: 'End the conversation' });
  await dialog.getByRole('radio', { name: 'Spam' }).waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  await page.waitForFunction(() => document.activeElement?.textContent?.trim() === 'End');

  await end.click();
  await dialog.getByRole('searchbox').fill('xyz');
  await dialog.getByText('Nothing matches.').waitFor();
  await dialog.getByRole('searchbox').fill('FOLL');
  await dialog.getByRole('radio', { name: 'Follow-up needed' }).check();
  // Tab stays inside the dialog.
  for (let press = 0; press < 6; press += 1) {
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => !!document.activeElement?.closest('[role="dialog"]')), true);
  }
  await window.screenshot('end');
  await dialog.getByRole('button', { name: 'End' }).click();
  assert.deepEqual(await window.called('end'), { conversation: 'c-zoe', wrapUp: 'Follow-up needed' });
  await window.update({ type: 'task_removed', conversation: 'c-zoe' });
  await page.getByRole('navigation').getByText('Zoë Nováková').waitFor({ state: 'detached' });
  assert.equal(await page.getByRole('main').getByRole('heading', { level: 1 }).textContent(), '+420 *** *** 789');
  assert.deepEqual(window.problems, []);
  await window.close();
});

test('Settings: language, window theme, shortcuts, and signing out', async () => {
  const window = await open();
  const { page } = window;
  await page.getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  // Focus starts on the first field, not on a button such as Sign out.
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'SELECT');
  for (const keys of ['Alt+A', 'Alt+R', 'Alt+↓', 'Alt+↑', 'Enter']) await dialog.getByText(keys, { exact: true }).waitFor();

  await dialog.getByRole('combobox', { name: 'Language' }).selectOption('fr');
  const saved = await window.called('save_settings');
  assert.equal(saved.settings.language, 'fr');
  await page.getByRole('navigation').getByRole('heading', { name: 'Conversations' }).waitFor();
  await page.getByRole('dialog', { name: 'Paramètres' }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'fr');

  const french = page.getByRole('dialog', { name: 'Paramètres' });
  await french.getByRole('combobox', { name: 'Thème de la fenêtre' }).selectOption('dark');
  assert.equal((await window.called('save_settings', 2)).settings.window_theme, 'dark');
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await window.screenshot('settings-fr-dark');

  for (const [code, title] of [['cs', 'Nastavení'], ['da', 'Indstillinger'], ['pl', 'Ustawienia'], ['en', 'Settings']]) {
    await page.getByRole('dialog').getByRole('combobox').first().selectOption(code);
    await page.getByRole('dialog', { name: title }).waitFor();
  }
  await dialog.getByRole('button', { name: 'Sign out' }).click();
  await window.called('sign_out');
  await page.getByRole('heading', { name: 'Sign in to Switchboard' }).waitFor();
  assert.deepEqual(window.problems, []);
  await window.close();
});

test('the shell signing the agent out (from the tray) brings back the sign-in screen', async () => {
  const window = await open();
  await window.emit('desk://signed-out', null);
  await window.page.getByRole('heading', { name: 'Sign in to Switchboard' }).waitFor();
  assert.equal(await window.page.getByLabel('E-mail').inputValue(), 'ann@example.com');
  assert.deepEqual(window.problems, []);
  await window.close();
});

test('Search: Alt+S opens it, typing searches, a failure says why, a result opens its transcript to read', async () => {
  const window = await open();
  const { page } = window;
  const found = {
    conversation: {
      id: 'c-old',
      channel: 'chat',
      queue: 'Billing',
      ended_at: T0 - 86_400_000,
      comment: 'My parcel never arrived',
      wrap_up: 'Resolved',
      rating: 2,
      rating_comment: 'Took a week',
    },
    customer: 'Eva Dvořáková',
    started_at: T0 - 86_500_000,
    excerpt: 'I will send the parcel again',
  };
  await window.reply('search_conversations', { error: { code: 'query', message: 'A search is at most 200 characters.' } });
  await page.keyboard.press('Alt+S');
  const dialog = page.getByRole('dialog', { name: 'Search past conversations' });
  const box = dialog.getByRole('searchbox');
  await box.fill('x'.repeat(201));
  await dialog.getByRole('alert').getByText('A search is at most 200 characters.').waitFor();

  await window.reply('search_conversations', { ok: [found] });
  await box.fill('parcel');
  assert.deepEqual(await window.called('search_conversations', 2), { query: 'parcel', everyone: false });
  assert.equal(await dialog.getByRole('radiogroup').count(), 0, "an agent is not offered everyone's conversations");
  const result = dialog.getByRole('list', { name: 'Conversations found' }).getByRole('button');
  await result.getByText('I will send the parcel again').waitFor();
  // How the customer rated it, with their words.
  await result.getByRole('img', { name: 'Rated 2 of 5' }).waitFor();
  await result.getByText('“Took a week”').waitFor();
  await window.screenshot('search');

  await window.reply('transcript', {
    ok: {
      id: 'c-old',
      customer: 'Eva Dvořáková',
      bubbles: [
        { id: 1, author: { kind: 'customer', initials: 'ED' }, text: 'My parcel never arrived', sent_at: T0, attachments: [] },
        { id: 2, author: { kind: 'agent', name: 'Ann', mine: true }, text: 'I will send the parcel again', sent_at: T0, attachments: [] },
        { id: 3, author: { kind: 'note', name: 'Ann', mine: true }, text: 'Courier lost it twice', sent_at: T0, attachments: [] },
      ],
    },
  });
  // The keyboard alone: down from the box to the result, Enter opens it.
  await box.press('ArrowDown');
  await page.keyboard.press('Enter');
  assert.deepEqual(await window.called('transcript'), { conversation: 'c-old', customer: 'Eva Dvořáková' });
  const transcript = page.getByRole('dialog', { name: 'Eva Dvořáková' });
  await transcript.getByText('Courier lost it twice').waitFor();
  await transcript.getByText('An ended conversation: to read only.').waitFor();
  assert.equal(await transcript.getByRole('textbox').count(), 0, 'nothing in it can be answered');
  await window.screenshot('transcript');
  await transcript.getByRole('button', { name: 'Back to the results' }).click();
  await result.waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.deepEqual(window.problems, []);
  await window.close();
});

test("Search as a supervisor: everyone's conversations first, their own a choice away", async () => {
  const supervisor = { ...morning(), agent: { id: 'sue', name: 'Sue Hanák', email: 'sue@example.com', role: 'supervisor' }, supervises: true };
  const window = await openAs(supervisor);
  const { page } = window;
  await page.getByRole('banner').getByText('Supervisor', { exact: true }).and(page.locator('span.role')).waitFor();
  const found = {
    conversation: { id: 'c-bo', channel: 'sms', queue: 'General enquiries', ended_at: T0 - 3_600_000, comment: 'Where is my order?', wrap_up: 'Resolved' },
    customer: 'Karel Svoboda',
    started_at: T0 - 3_700_000,
    excerpt: 'Where is my order?',
  };
  await window.reply('search_conversations', { ok: [found] });
  await page.keyboard.press('Alt+S');
  const dialog = page.getByRole('dialog', { name: 'Search past conversations' });
  const scope = dialog.getByRole('radiogroup', { name: 'Whose conversations' });
  assert.equal(await scope.getByRole('radio', { name: "Everyone's" }).isChecked(), true);
  await dialog.getByRole('searchbox').fill('order');
  assert.deepEqual(await window.called('search_conversations'), { query: 'order', everyone: true });
  await dialog.getByText('Where is my order?').waitFor();
  await window.screenshot('search-supervisor');

  // Their own: the same words searched again among the conversations they took part in.
  await window.reply('search_conversations', { ok: [] });
  await scope.getByRole('radio', { name: 'Mine' }).check();
  assert.deepEqual(await window.called('search_conversations', 2), { query: 'order', everyone: false });
  await dialog.getByRole('status').getByText('No ended conversation of yours matches.').waitFor();
  await window.reply('search_conversations', { ok: [] });
  await scope.getByRole('radio', { name: "Everyone's" }).check();
  assert.deepEqual(await window.called('search_conversations', 3), { query: 'order', everyone: true });
  await dialog.getByRole('status').getByText('No ended conversation matches.').waitFor();
  assert.deepEqual(window.problems, []);
  await window.close();
});

test('Reports, for a supervisor: Alt+P opens them, a chart and a table of the days, filters ask again, CSV saved', async () => {
  const supervisor = { ...morning(), agent: { id: 'sue', name: 'Sue Hanák', email: 'sue@example.com', role: 'supervisor' }, supervises: true };
  const window = await openAs(supervisor);
  const { page } = window;
  const day = activityRow;
  const report = {
    period: 'day',
    time_zone: 'Europe/Prague',
    rows: [
      day('2026-11-19', Date.parse('2026-11-19T00:00:00Z'), { offered: 14, accepted: 11, rejected: 2, rona: 1, abandoned: 2, ended: 10, average_speed_of_answer: 18_000, average_handle_time: 372_000, wrap_ups: { Resolved: 9, 'Follow-up needed': 1 }, surveys: 2, average_rating: 4.5 }),
      day('2026-11-20', Date.parse('2026-11-20T00:00:00Z'), { offered: 9, accepted: 8, abandoned: 1, transferred: 1, ended: 7, average_speed_of_answer: 12_000, average_handle_time: 300_000, wrap_ups: { Resolved: 7 }, surveys: 1, average_rating: 4 }),
    ],
    total: day('2026-11-19 – 2026-11-20', Date.parse('2026-11-19T00:00:00Z'), { offered: 23, accepted: 19, rejected: 2, rona: 1, abandoned: 3, transferred: 1, ended: 17, average_speed_of_answer: 15_474, average_handle_time: 341_000, wrap_ups: { Resolved: 16, 'Follow-up needed': 1 }, surveys: 3, average_rating: 4.333 }),
  };
  await window.reply('report', { ok: report });
  await page.keyboard.press('Alt+P');
  const dialog = page.getByRole('dialog', { name: 'Activity reports' });
  const first = await window.called('report');
  assert.equal(first.query.by, 'day');
  assert.match(first.query.from, /^\d{4}-\d{2}-\d{2}$/);
  const table = dialog.getByRole('table');
  await table.getByRole('row', { name: /^2026-11-19 14 11 2 1 2 0 0 0:18 6:12 4\.5 \(2\)$/ }).waitFor();
  await table.getByRole('row', { name: /^Total 23 19 2 1 3 1 0 0:15 5:41 4\.3 \(3\)$/ }).waitFor();
  await dialog.getByText('Resolved 16 · Follow-up needed 1').waitFor();
  await dialog.getByText('Days and hours in Europe/Prague').waitFor();
  assert.equal(await dialog.locator('canvas').count() > 0, true, 'the chart is drawn');
  await window.screenshot('reports');

  // A filter asks again, with it.
  await window.reply('report', { ok: report });
  await dialog.getByLabel('Divided by').selectOption('hour');
  assert.equal((await window.called('report', 2)).query.by, 'hour');
  await window.reply('export_report', { ok: '/home/sue/Downloads/activity 2026-11-14 – 2026-11-20.csv' });
  await dialog.getByRole('button', { name: 'Export CSV' }).click();
  assert.equal((await window.called('export_report')).query.by, 'hour');
  await dialog.getByRole('status').getByText('Saved to /home/sue/Downloads/activity 2026-11-14 – 2026-11-20.csv').waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.deepEqual(window.problems, []);
  await window.close();
});

test('Reports are not offered to an agent: no button, and Alt+P opens nothing', async () => {
  const window = await open();
  const { page } = window;
  assert.equal(await page.getByRole('banner').getByRole('button', { name: 'Reports' }).count(), 0);
  await page.keyboard.press('Alt+P');
  await page.waitForTimeout(100);
  assert.equal(await page.getByRole('dialog', { name: 'Activity reports' }).count(), 0);
  assert.equal((await window.calls('report')).length, 0);
  await window.close();
});
