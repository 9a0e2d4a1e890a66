// The Supervisor tab: the live view the server pushes (queues, agents, open conversations, with
// sparklines), sorted and searched, and a supervisor's actions from it; a monitored conversation
// on the desk, where the composer whispers. An agent's window has none of it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDesk, sharedBrowser } from './harness.mjs';
import { morning, T0 } from './scene.mjs';
import { conversation, liveView, task } from '../test/fixtures.js';

const shared = sharedBrowser();

const supervisor = (overrides = {}) => ({
  ...morning(),
  agent: { id: 'sue', name: 'Sue Hanák', email: 'sue@example.com', role: 'supervisor' },
  supervises: true,
  ...overrides,
});

/** @param {import('playwright-core').Locator} table */
const rowNames = (table) => table.locator('tbody th').evaluateAll((cells) => cells.map((cell) => cell.textContent?.trim()));

test('The live view: pushed whole then changed, sorted, searched, and acted on', async () => {
  const window = await openDesk(shared.browser, shared.url, supervisor(), { time: T0 });
  const { page } = window;
  const tabs = page.getByRole('tablist', { name: 'View' });
  await page.keyboard.press('Alt+V');
  await tabs.getByRole('tab', { name: 'Supervisor', selected: true }).waitFor();
  assert.deepEqual(await window.called('watch_live'), { watch: true });
  await page.getByRole('status').getByText('Waiting for the live view…').waitFor();
  await window.update({ type: 'live', update: liveView(T0) });

  const queues = page.getByRole('region', { name: 'Queues' }).getByRole('table');
  await queues.getByRole('row', { name: /^General enquiries 1 1:35 1 1 1 0 75 % 8 1 0:14/ }).waitFor();
  await queues.getByRole('row', { name: /^Billing 0 – 0 0 0 0 100 % 2 0 0:06/ }).waitFor();
  assert.ok((await page.locator('.sparkline canvas').count()) >= 5, 'sparklines are drawn');
  const agents = page.getByRole('region', { name: 'Agents' });
  const agentTable = agents.getByRole('table');
  await agentTable.getByRole('row', { name: /^Bo Berg RONA 2:10 0 \/ 3 2 –/ }).waitFor();
  await agentTable.getByRole('row', { name: /^Ann Novák Available 10:00 1 \/ 3 0 5:00/ }).waitFor();
  await window.screenshot('supervisor');

  // Sorted by RONAs, most first; searched by name.
  await agentTable.getByRole('button', { name: 'RONA today' }).click();
  await agentTable.getByRole('button', { name: 'RONA today' }).click();
  assert.deepEqual(await rowNames(agentTable), ['Bo Berg', 'Cécile Martin', 'Ann Novák']);
  assert.equal(await agentTable.getByRole('columnheader', { name: /RONA today/ }).getAttribute('aria-sort'), 'descending');
  await agents.getByRole('searchbox').fill('céc');
  assert.deepEqual(await rowNames(agentTable), ['Cécile Martin']);
  await agents.getByRole('searchbox').fill('');

  // A change pushed: Max is offered to Ann, Bo is back.
  const changed = liveView(T0);
  await window.update({
    type: 'live',
    update: {
      whole: false,
      at: T0 + 1_000,
      day_start: changed.day_start,
      trend_start: changed.trend_start,
      agents: [{ ...changed.agents[1], presence: { state: 'available' }, presence_since: T0 }],
      conversations: [{ ...changed.conversations[0], stage: { stage: 'waiting', since: T0 - 95_000, offered_to: 'ann' } }],
      gone: ['c-zoe'],
    },
  });
  await agentTable.getByRole('row', { name: /^Bo Berg Available 0:00/ }).waitFor();
  const conversations = page.getByRole('region', { name: 'Open conversations' });
  await conversations.getByRole('row', { name: /Max Müller General enquiries Offered to Ann Novák 1:35/ }).waitFor();
  assert.equal(await conversations.getByText('Zoë Nováková').count(), 0, 'a closed conversation is gone');

  // Bo's presence set, with the reason he is told.
  await agentTable.getByRole('row', { name: /^Bo Berg/ }).getByRole('button', { name: 'Presence…' }).click();
  let dialog = page.getByRole('dialog', { name: "Set Bo Berg's presence" });
  await dialog.getByLabel('Presence').selectOption('offline');
  const apply = dialog.getByRole('button', { name: 'Apply' });
  assert.equal(await apply.isDisabled(), true, 'a reason is needed');
  await dialog.getByLabel('Reason').fill('Stuck since the update');
  await window.screenshot('supervisor-presence');
  await apply.click();
  assert.deepEqual(await window.called('set_agent_presence'), { agent: 'bo', presence: { state: 'offline' }, reason: 'Stuck since the update' });
  await dialog.waitFor({ state: 'detached' });

  // Signing Cécile out.
  await agentTable.getByRole('row', { name: /^Cécile Martin/ }).getByRole('button', { name: 'Sign out…' }).click();
  dialog = page.getByRole('dialog', { name: 'Sign Cécile Martin out' });
  await dialog.getByLabel('Reason').fill('End of shift');
  await dialog.getByRole('button', { name: 'Sign out' }).click();
  assert.deepEqual(await window.called('sign_out_agent'), { agent: 'cecile', reason: 'End of shift' });

  // Max assigned to Ann, then moved to Billing.
  const max = conversations.getByRole('row', { name: /Max Müller/ });
  await max.getByRole('button', { name: 'Assign…' }).click();
  dialog = page.getByRole('dialog', { name: 'Assign to an agent' });
  await dialog.getByRole('radio', { name: 'Ann Novák (1 / 3)' }).check();
  await dialog.getByRole('button', { name: 'Apply' }).click();
  assert.deepEqual(await window.called('assign'), { conversation: 'c-max', agent: 'ann' });
  await max.getByRole('button', { name: 'Move…' }).click();
  dialog = page.getByRole('dialog', { name: 'Move to another queue' });
  await dialog.getByRole('radio', { name: 'Billing' }).check();
  assert.equal(await dialog.getByRole('radio', { name: 'General enquiries' }).count(), 0, 'not its own queue');
  await dialog.getByRole('button', { name: 'Apply' }).click();
  assert.deepEqual(await window.called('move_to_queue'), { conversation: 'c-max', queue: 'billing' });

  // A refusal is shown, and the dialog stays.
  await window.reply('assign', { error: { code: 'refused', message: 'Ann is offline; assign the conversation to someone signed in.' } });
  await max.getByRole('button', { name: 'Assign…' }).click();
  dialog = page.getByRole('dialog', { name: 'Assign to an agent' });
  await dialog.getByRole('radio', { name: 'Ann Novák (1 / 3)' }).check();
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await page.getByRole('alert').getByText(/Ann is offline/).waitFor();
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // Monitoring takes the supervisor to their desk; leaving the tab stops the pushes.
  await max.getByRole('button', { name: 'Monitor' }).click();
  assert.deepEqual(await window.called('monitor'), { conversation: 'c-max' });
  await tabs.getByRole('tab', { name: 'My conversations', selected: true }).waitFor();
  assert.deepEqual(await window.called('watch_live', 2), { watch: false });
  assert.deepEqual(window.problems, []);
  await window.close();
});

test('A monitored conversation: the composer whispers, Barge in and Stop monitoring', async () => {
  const watched = conversation('c-max', {
    title: 'Max Müller',
    initials: 'MM',
    state: { state: 'monitoring' },
    accepted_at: null,
    actions: { send: false, transfer: false, conference: false, exit_conference: false, end: false, park: false, attach: false, whisper: true, barge: true, stop_monitoring: true },
  });
  const window = await openDesk(shared.browser, shared.url, supervisor({ tasks: [task(watched)], conversations: [watched] }), { time: T0 });
  const { page } = window;
  const toolbar = page.getByRole('toolbar', { name: 'Conversation actions' });
  await toolbar.getByRole('button', { name: 'Barge in' }).waitFor();
  assert.equal(await toolbar.getByRole('button', { name: 'Transfer' }).count(), 0);
  const composer = page.getByRole('textbox', { name: 'Whisper to the agents' });
  assert.equal(await composer.getAttribute('placeholder'), 'Whisper to the agents: the customer never sees it.');
  assert.equal(await page.getByRole('button', { name: 'Note' }).count(), 0, 'whispers only');
  await composer.fill('Offer the refund');
  await window.screenshot('monitoring');
  await page.getByRole('button', { name: 'Whisper', exact: true }).click();
  assert.deepEqual(await window.called('send_note'), { conversation: 'c-max', text: 'Offer the refund' });
  await toolbar.getByRole('button', { name: 'Barge in' }).click();
  assert.deepEqual(await window.called('barge'), { conversation: 'c-max' });
  await toolbar.getByRole('button', { name: 'Stop monitoring' }).click();
  assert.deepEqual(await window.called('stop_monitoring'), { conversation: 'c-max' });
  assert.deepEqual(window.problems, []);
  await window.close();
});

test('An agent told their presence was set by a supervisor; no Supervisor tab for an agent', async () => {
  const window = await openDesk(shared.browser, shared.url, morning(), { time: T0 });
  const { page } = window;
  assert.equal(await page.getByRole('tablist', { name: 'View' }).count(), 0);
  await page.keyboard.press('Alt+V');
  await page.waitForTimeout(100);
  assert.equal((await window.calls('watch_live')).length, 0);
  await window.update({ type: 'presence_set_by', supervisor: 'Sue Hanák', reason: 'Back from RONA' });
  await window.update({ type: 'presence', presence: { state: 'available' } });
  await page.getByRole('status').getByText('Sue Hanák set your presence: Back from RONA').waitFor();
  await page.getByRole('button', { name: 'Close' }).first().click();
  assert.equal(await page.getByText('Sue Hanák set your presence').count(), 0);
  await window.close();
});
