// Customer text is only ever text. Markup and scripts arrive everywhere a customer (or a website's
// context variables) can put words: messages, names, previews, alerts, toasts, details. Nothing may
// execute, load or become an element, with the app's CSP and, to prove the rendering on its own,
// without it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDesk, serveWindow, sharedBrowser } from './harness.mjs';
import { alert, conversation, snapshot, task } from '../test/fixtures.js';
import { T0 } from './scene.mjs';

const PAYLOADS = [
  '<img src=x onerror="window.__pwned=(window.__pwned||[]).concat(\'img\')">',
  '<script>window.__pwned=(window.__pwned||[]).concat("script")</script>',
  '<svg onload="window.__pwned=(window.__pwned||[]).concat(\'svg\')"></svg>',
  '"><iframe src="javascript:window.parent.__pwned=[\'iframe\']"></iframe>',
  '<a href="javascript:window.__pwned=[\'link\']">click me</a>',
  '{@html "<b>bold</b>"} {{7*7}} ${7*7}',
];

/** Every customer-provided field of the core's values, filled with one payload each. */
function hostileDesk() {
  const [img, script, svg, iframe, link, template] = PAYLOADS;
  const view = conversation('c-evil', {
    title: img,
    initials: '<b',
    bubbles: PAYLOADS.map((text, index) => ({
      id: index + 1,
      author: index % 3 === 2 ? { kind: 'agent', name: script, mine: false } : { kind: 'customer', initials: '<i' },
      text,
      sent_at: T0 - 1000 * (PAYLOADS.length - index),
      attachments: [
        { url: `javascript:alert(${index})`, kind: text, name: null, size: null, file: null, picture: false },
        { url: '', kind: text, name: text, size: 10, file: `f-${index}`, picture: index % 2 === 0 },
      ],
    })),
    queue: svg,
    summary: {
      name: iframe,
      email: link,
      phone: template,
      known_contact: true,
      notes: script,
      recent: [{ id: 'c-past', channel: 'chat', queue: svg, ended_at: T0 - 86_400_000, comment: img, wrap_up: link, rating: 1, rating_comment: script }],
    },
    details: { variables: PAYLOADS.map((value, index) => ({ name: `${PAYLOADS[(index + 1) % PAYLOADS.length]}#${index}`, value })), origin: 'inbound', channel: 'chat' },
  });
  const offer = alert('c-offer', { customer_name: script, comment: img, queue: svg, kind: { kind: 'alert', expires_at: T0 + 30_000 } });
  return snapshot({ tasks: [task(view, { preview: link, customer_name: img, queue: iframe })], conversations: [view], alerts: [offer] });
}

const shared = sharedBrowser({ serve: false });

for (const csp of ['the app’s CSP', 'no CSP']) {
  test(`customer text renders as text and nothing executes, with ${csp}`, async (t) => {
    const served = await serveWindow(csp === 'no CSP' ? { csp: null } : {});
    // Closed even when an assertion fails, so that the run ends rather than waits.
    t.after(() => served.close());
    const window = await openDesk(shared.browser, served.url, hostileDesk(), { time: T0 });
    const { page } = window;
    const toast = alert('c-evil', { id: 'toast:evil', scenario: 'transferred', customer_name: PAYLOADS[2], comment: PAYLOADS[0], kind: { kind: 'toast', closes_at: T0 + 60_000 } });
    await window.update({ type: 'notify', notification: toast });
    await page.locator('.toasts .toast').waitFor();

    // Every payload is on screen, character for character.
    const shown = await page.evaluate(() => document.body.innerText);
    for (const payload of PAYLOADS) assert.ok(shown.includes(payload), `shown as typed: ${payload}`);
    // Open the other tab, so the variables render too (the alert, answered, no longer covers it).
    await window.update({ type: 'dismiss', id: 'offer:c-offer', reason: 'rejected' });
    await page.getByRole('tab', { name: 'Additional details' }).click();
    const details = await page.getByRole('tabpanel').innerText();
    for (const payload of PAYLOADS) assert.ok(details.includes(payload), `variable shown as typed: ${payload}`);
    await window.screenshot(`xss-${csp === 'no CSP' ? 'no-csp' : 'csp'}`);

    // Give any handler a chance to run, then check nothing did.
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => /** @type {any} */ (window).__pwned), undefined);
    const planted = await page.evaluate(() =>
      [...document.body.querySelectorAll('script, iframe, svg, a, b, object, embed, img')]
        .filter((element) => element.getAttribute('src') !== './icon.svg')
        // The window's own: the paperclip, and pictures drawn from bytes the core fetched.
        .filter((element) => !element.closest('button.attach') && !element.getAttribute('src')?.startsWith('blob:'))
        .map((element) => element.outerHTML),
    );
    assert.deepEqual(planted, [], 'no element came from customer text');
    const own = new Set(['', 'index.html', 'icon.svg']);
    const loaded = window.requests.map((url) => url.replace(served.url, '')).filter((path) => !own.has(path) && !path.startsWith('assets/') && !path.startsWith('blob:'));
    assert.deepEqual(loaded, [], 'nothing was loaded because of customer text');
    assert.deepEqual(window.problems, []);
    await window.close();
  });
}
