// The sign-in screen: what is asked, the errors in words, and the way into the desk.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openWindow, sharedBrowser, SIGNED_OUT } from './harness.mjs';
import { snapshot } from '../test/fixtures.js';

const shared = sharedBrowser();

test('signing in: missing fields and each failure are worded, then the desk opens', async () => {
  const window = await openWindow(shared.browser, shared.url);
  const { page } = window;
  await page.getByRole('heading', { name: 'Sign in to Switchboard' }).waitFor();
  // Several nodes of one deployment go into the one field.
  const server = page.getByLabel('Server address');
  assert.equal(
    await page.locator(`#${await server.getAttribute('aria-describedby')}`).textContent(),
    'Several nodes? Separate their addresses with commas.',
  );
  await window.screenshot('signin');

  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').getByText('Fill in the server address, your e-mail and your password.').waitFor();
  assert.equal((await window.calls('sign_in')).length, 0, 'nothing is sent while a field is empty');

  await page.getByLabel('Server address').fill('https://switchboard.example.com');
  await page.getByLabel('E-mail').fill('ann@example.com');
  await page.getByLabel('Password').fill('wrong');
  const failures = [
    ['wrong_credentials', 'The e-mail address or password is not correct.'],
    ['unreachable', 'The server could not be reached. Check the address and your network connection.'],
    ['unencrypted', 'The connection to https://switchboard.example.com would not be encrypted. Use an https:// address.'],
    ['server', 'The server could not sign you in. Try again in a moment.'],
  ];
  for (const [index, [code, words]] of failures.entries()) {
    await window.reply('sign_in', { error: { code, message: `core: ${code}` } });
    await page.getByRole('button', { name: 'Sign in' }).click();
    await window.called('sign_in', index + 1);
    await page.getByRole('alert').getByText(words).waitFor();
  }
  await window.screenshot('signin-error');
  assert.equal(await page.getByLabel('Password').inputValue(), 'wrong', 'a failed attempt keeps what was typed');

  await window.reply('sign_in', { ok: null });
  await page.getByLabel('Password').fill('right');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const args = await window.called('sign_in', failures.length + 1);
  assert.deepEqual(args, { server: 'https://switchboard.example.com', email: 'ann@example.com', password: 'right' });
  // Between a successful sign-in and the desk's snapshot the window shows neither screen.
  await page.getByRole('heading', { name: 'Sign in to Switchboard' }).waitFor({ state: 'detached' });
  await window.snapshot(snapshot());
  await page.getByRole('banner').getByText('Ann Novák').waitFor();
  await page.getByText('No conversations. When you are Available, new requests appear here.').waitFor();
  assert.deepEqual(window.problems, []);
  await window.close();
});

test('signing in as the app starts: the window says so, waits for the server, and offers the form if it fails', async () => {
  const settings = { ...SIGNED_OUT.settings, server: 'http://127.0.0.1:8080', email: 'ann@example.com' };
  const window = await openWindow(shared.browser, shared.url, { start: { settings, signed_in: true } });
  const { page } = window;
  await page.getByRole('status').getByText('Signing in…').waitFor();
  assert.equal(await page.getByRole('heading', { name: 'Sign in to Switchboard' }).count(), 0, 'no form meanwhile');
  await window.screenshot('signin-at-start');

  // The server is not up yet: the shell keeps trying, and the window says what it waits for.
  await window.emit('desk://waiting-for-server', null);
  await page.getByRole('status').getByText('Waiting for the server…').waitFor();
  assert.equal(await page.getByRole('heading', { name: 'Sign in to Switchboard' }).count(), 0, 'no form meanwhile');
  await window.screenshot('signin-waiting-for-server');

  // The shell could not sign in: the form comes back, filled in but for the password.
  await window.emit('desk://signed-out', null);
  await page.getByRole('heading', { name: 'Sign in to Switchboard' }).waitFor();
  assert.equal(await page.getByLabel('E-mail').inputValue(), 'ann@example.com');
  assert.equal(await page.getByRole('status').count(), 0);
  assert.deepEqual(window.problems, []);
  await window.close();
});

test('a remembered server and e-mail are filled in; the window language follows the settings', async () => {
  const start = {
    settings: { server: 'https://cc.example.cz', email: 'jana@example.cz', language: 'cs', window_theme: 'dark' },
    signed_in: false,
  };
  const window = await openWindow(shared.browser, shared.url, { start });
  const { page } = window;
  await page.getByLabel('Adresa serveru').waitFor();
  assert.equal(await page.getByLabel('Adresa serveru').inputValue(), 'https://cc.example.cz');
  assert.equal(await page.getByLabel('E-mail').inputValue(), 'jana@example.cz');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'cs');
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await window.screenshot('signin-cs-dark');
  assert.deepEqual(window.problems, []);
  await window.close();
});

test('a session the server ends brings the sign-in screen back, saying why', async () => {
  const window = await openWindow(shared.browser, shared.url);
  const { page } = window;
  await window.snapshot(snapshot());
  await page.getByRole('banner').getByText('Ann Novák').waitFor();

  await window.reply('sign_out', { ok: null });
  await window.update({ type: 'connection', connection: { state: 'offline', reason: 'session_revoked' } });
  await window.called('sign_out', 1);
  await window.emit('desk://signed-out', null);
  await page.getByRole('heading', { name: 'Sign in to Switchboard' }).waitFor();
  await page
    .getByRole('status')
    .getByText('You were signed out: by you on another desktop, by an administrator, or because your password changed. Sign in again.')
    .waitFor();
  await window.screenshot('signin-session-revoked');

  // Signing in again clears the notice.
  await window.reply('sign_in', { ok: null });
  await page.getByLabel('Server address').fill('https://switchboard.example.com');
  await page.getByLabel('E-mail').fill('ann@example.com');
  await page.getByLabel('Password').fill('right');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await window.called('sign_in', 1);
  await window.snapshot(snapshot());
  await page.getByRole('banner').getByText('Ann Novák').waitFor();
  await window.emit('desk://signed-out', null);
  await page.getByRole('heading', { name: 'Sign in to Switchboard' }).waitFor();
  assert.equal(await page.getByRole('status').count(), 0);
  assert.deepEqual(window.problems, []);
  await window.close();
});
