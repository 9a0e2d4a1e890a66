// Files in the window: a customer's picture shown in the thread and opened large, a file saved,
// files attached by the picker, by dropping and by pasting, each uploaded at once and sent with
// the message; a refused one said in words and holding Send; none offered on SMS.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDesk, sharedBrowser } from './harness.mjs';
import { morning, T0, zoe } from './scene.mjs';
import { conversation } from '../test/fixtures.js';

const shared = sharedBrowser();
const PICTURE = readFileSync(join(import.meta.dirname, '..', '..', 'icons', '128x128.png'));

/** Zoë's conversation with her screenshot, and Ann's receipt sent back before. */
function withFiles() {
  const desk = morning();
  const files = conversation('c-zoe', {
    ...zoe,
    bubbles: [
      ...zoe.bubbles,
      {
        id: 6,
        author: { kind: 'customer', initials: 'ZN' },
        text: 'This is what I see',
        sent_at: T0 - 5_000,
        attachments: [{ url: '', file: 'f-shot', kind: 'image/png', name: 'screenshot.png', size: PICTURE.length, picture: true }],
      },
      {
        id: 7,
        author: { kind: 'agent', name: 'Ann Novák', mine: true },
        text: '',
        sent_at: T0 - 2_000,
        attachments: [{ url: '', file: 'f-receipt', kind: 'application/pdf', name: 'receipt.pdf', size: 48_213, picture: false }],
      },
    ],
  });
  desk.conversations[0] = files;
  return desk;
}

/**
 * Files as the page would hand them over: dropped on `selector`, or pasted into it.
 * @param {import('playwright-core').Page} page
 * @param {string} selector
 * @param {'drop' | 'paste'} how
 * @param {{ name: string, type: string, text: string }[]} files
 */
function deliver(page, selector, how, files) {
  return page.evaluate(
    ([target, kind, list]) => {
      const transfer = new DataTransfer();
      for (const { name, type, text } of list) transfer.items.add(new File([text], name, { type }));
      const element = /** @type {HTMLElement} */ (document.querySelector(target));
      if (kind === 'paste') {
        element.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
      } else {
        element.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
        element.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }
    },
    /** @type {const} */ ([selector, how, files]),
  );
}

/** What the core answers an upload with. */
const uploaded = (/** @type {string} */ file, /** @type {string} */ name, /** @type {string} */ kind, size = 1200) => ({
  ok: { url: '', file, kind, name, size, picture: kind.startsWith('image/') },
});

test('a picture in the thread, opened large; a file saved to Downloads', async () => {
  const window = await openDesk(shared.browser, shared.url, withFiles(), {
    time: T0,
    replies: {
      file_content: { bytes: PICTURE.toString('base64') },
      save_file: { ok: '/home/ann/Downloads/receipt.pdf' },
    },
  });
  const { page } = window;
  const thread = page.getByRole('log', { name: 'Messages' });
  const picture = thread.getByRole('button', { name: 'Open the picture screenshot.png' });
  const thumbnail = picture.getByRole('img', { name: 'screenshot.png' });
  await thumbnail.waitFor();
  // Drawn from the bytes the core fetched, not from any address of the page's own.
  await page.waitForFunction(() => /** @type {HTMLImageElement | null} */ (document.querySelector('.picture img'))?.naturalWidth === 128);
  assert.match((await thumbnail.getAttribute('src')) ?? '', /^blob:/);
  assert.deepEqual(await window.called('file_content'), { conversation: 'c-zoe', file: 'f-shot' });
  // The masking warning stands under a customer's files.
  await thread.getByText('Masking cannot read attachments: what a picture shows is not hidden.').waitFor();

  await picture.click();
  const viewer = page.getByRole('dialog', { name: 'screenshot.png' });
  await viewer.getByRole('img', { name: 'screenshot.png' }).waitFor();
  assert.equal((await window.calls('file_content')).length, 1, 'fetched once, kept for the viewer');
  await window.screenshot('picture-open');
  await page.keyboard.press('Escape');
  await viewer.waitFor({ state: 'detached' });

  // Ann's own PDF: name, size, and Save.
  const receipt = thread.locator('li.mine').filter({ hasText: 'receipt.pdf' });
  await receipt.getByText('47 KB').waitFor();
  await receipt.getByRole('button', { name: 'Save' }).click();
  assert.deepEqual(await window.called('save_file'), { conversation: 'c-zoe', file: 'f-receipt', name: 'receipt.pdf' });
  await receipt.getByRole('status').getByText('Saved to /home/ann/Downloads/receipt.pdf').waitFor();
  await window.screenshot('desk-files');
  assert.deepEqual(window.problems, []);
  await window.close();
});

test('a picture an SMS customer sent is fetched by the core from the channel and shown', async () => {
  const window = await openDesk(shared.browser, shared.url, morning(), {
    time: T0,
    replies: { channel_picture: { bytes: PICTURE.toString('base64') } },
  });
  const { page } = window;
  await page.getByRole('button', { name: /\+420/ }).click();
  const thread = page.getByRole('log', { name: 'Messages' });
  await thread.getByRole('button', { name: 'Open the picture Attachment' }).getByRole('img').waitFor();
  await page.waitForFunction(() => /** @type {HTMLImageElement | null} */ (document.querySelector('.picture img'))?.naturalWidth === 128);
  // Asked for by its place in the thread: the window has only the masked address.
  assert.deepEqual(await window.called('channel_picture'), { conversation: 'c-sms', message: 1, index: 0 });
  // Nothing was loaded from the channel's address by the page itself.
  assert.deepEqual(window.requests.filter((url) => url.includes('media.example.com')), []);
  await window.screenshot('sms-picture');
  assert.deepEqual(window.problems, []);
  await window.close();
});

test('files attached by picker (Alt+F), drop and paste go with the message; a refused one holds Send', async () => {
  const window = await openDesk(shared.browser, shared.url, morning(), { time: T0, replies: { upload_file: uploaded('f-1', 'invoice.pdf', 'application/pdf') } });
  const { page } = window;
  const send = page.getByRole('button', { name: 'Send' });
  const attached = page.getByRole('list', { name: 'Attached files' });
  // The picker offers the types the server takes.
  const picker = page.locator('input[type=file]');
  assert.equal(await picker.getAttribute('accept'), 'image/png,image/jpeg,application/pdf,text/plain');

  // Alt+F opens the file chooser from anywhere in the window, once the composer can take files.
  await page.waitForFunction(() => document.querySelector('.composer button.attach')?.matches(':enabled'));
  await picker.evaluate((input) => input.addEventListener('click', () => (input.dataset.opened = String(Number(input.dataset.opened ?? 0) + 1))));
  /** @type {string[]} */
  const warnings = [];
  page.on('console', (message) => warnings.push(message.text()));
  const invoice = { name: 'invoice.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 invoice') };
  const opened = page.waitForEvent('filechooser', { timeout: 10_000 }).catch(() => null);
  await page.keyboard.press('Alt+F');
  const chooser = await opened;
  // The press reached the picker once, with the activation a chooser needs.
  assert.equal(await picker.getAttribute('data-opened'), '1');
  assert.deepEqual(warnings.filter((text) => text.includes('user activation')), []);
  assert.equal(await picker.evaluate((input) => /** @type {HTMLInputElement} */ (input).multiple), true);
  if (chooser) {
    await chooser.setFiles(invoice);
  } else {
    // On a loaded machine the browser's report of the opened chooser can be lost before it reaches
    // the test (the driver drops it when it cannot resolve the element in time); the files are then
    // given to the picker the chooser belongs to.
    await picker.setInputFiles(invoice);
  }
  await attached.getByText('invoice.pdf').waitFor();
  assert.deepEqual(await window.called('check_file'), { conversation: 'c-zoe', name: 'invoice.pdf', size: 16 });
  const [upload] = await window.calls('upload_file');
  assert.deepEqual(upload.options.headers, { 'x-conversation': 'c-zoe', 'x-file-name': 'invoice.pdf' });
  assert.equal(Object.keys(upload.args).length, 16, 'the bytes cross raw');

  // Dropped on the conversation, pasted into the composer: each uploaded as it comes.
  await window.reply('upload_file', uploaded('f-2', 'notes é.txt', 'text/plain'));
  await deliver(page, 'main.pane', 'drop', [{ name: 'notes é.txt', type: 'text/plain', text: 'call back' }]);
  await attached.getByText('notes é.txt').waitFor();
  assert.equal((await window.calls('upload_file'))[1].options.headers['x-file-name'], 'notes%20%C3%A9.txt');
  await window.reply('upload_file', uploaded('f-3', 'pasted.png', 'image/png'));
  await deliver(page, '#composer-text', 'paste', [{ name: 'pasted.png', type: 'image/png', text: 'png' }]);
  await attached.getByText('pasted.png').waitFor();
  await page.waitForFunction(() => !document.querySelector('[aria-busy=true]'));

  // Too large for the server: said on the file, and Send waits until it is removed.
  await window.reply('check_file', { error: { code: 'file', message: '“film.mp4” is 12.0 MB; files up to 10.0 MB can be sent.' } });
  await picker.setInputFiles({ name: 'film.mp4', mimeType: 'video/mp4', buffer: Buffer.from('not read') });
  await attached.getByText('“film.mp4” is 12.0 MB; files up to 10.0 MB can be sent.').waitFor();
  await page.getByText('Remove the files that could not be attached before sending.').waitFor();
  assert.equal(await send.isDisabled(), true);
  assert.equal((await window.calls('upload_file')).length, 3, 'a refused file is not read or sent');
  await window.screenshot('composer-files');
  await attached.getByRole('button', { name: 'Remove film.mp4' }).click();
  await attached.getByRole('button', { name: 'Remove notes é.txt' }).click();

  // With files, the text may be empty.
  await send.click();
  assert.deepEqual(await window.called('send_message'), { conversation: 'c-zoe', text: '', files: ['f-1', 'f-3'] });
  await attached.waitFor({ state: 'detached' });

  // This server sends no files by SMS: the agent is told before anything is read.
  await page.getByRole('button', { name: /\+420/ }).click();
  const attach = page.getByRole('button', { name: 'Attach files' });
  assert.equal(await attach.isDisabled(), true);
  assert.equal(await attach.getAttribute('title'), 'Files cannot be sent to this customer: the server does not send files on their channel.');
  await deliver(page, 'main.pane', 'drop', [{ name: 'photo.png', type: 'image/png', text: 'png' }]);
  const told = page.getByRole('alert').getByText('Files cannot be sent to this customer', { exact: false });
  await told.waitFor();
  await page.getByRole('alert').getByRole('button').click();
  await told.waitFor({ state: 'detached' });
  await page.keyboard.press('Alt+F');
  await told.waitFor();
  assert.equal((await window.calls('check_file')).length, 4, 'nothing is checked or uploaded for SMS');
  assert.deepEqual(window.problems, []);
  await window.close();
});
