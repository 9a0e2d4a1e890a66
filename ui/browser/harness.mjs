// The built window in headless Chromium, with the shell replaced by a scripted one: every command
// the window invokes is recorded and answered from a table, and the test sends the shell's events.

import { createServer } from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import { extname, join, dirname, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const dist = join(here, '..', 'dist');
const targetDir = process.env.CARGO_TARGET_DIR ?? join(root, 'target');
export const screenshotDir = join(targetDir, 'screenshots', 'ui');

/** The content security policy the app's webview enforces. */
export const APP_CSP = JSON.parse(readFileSync(join(root, 'tauri.conf.json'), 'utf8')).app.security.csp;

/** @type {Record<string, string>} */
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

/**
 * Serves `ui/dist` on loopback, with the app's CSP unless told otherwise.
 * @param {{ csp?: string | null }} [options]
 */
export async function serveWindow({ csp = APP_CSP } = {}) {
  const server = createServer((request, response) => {
    const path = normalize(new URL(request.url ?? '/', 'http://x').pathname).replace(/^(\.\.[/\\])+/, '');
    // The webview asks for no favicon; Chromium does.
    if (path === '/favicon.ico') return void response.writeHead(204).end();
    const file = join(dist, path === '/' ? 'index.html' : path);
    try {
      const body = readFileSync(file);
      /** @type {Record<string, string>} */
      const headers = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' };
      if (csp) headers['content-security-policy'] = csp;
      response.writeHead(200, headers).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  return { url: `http://127.0.0.1:${address.port}/`, close: () => server.close() };
}

export async function launchBrowser() {
  mkdirSync(screenshotDir, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/**
 * One browser (and, unless `serve` is false, one served window) for a test file: started before
 * its tests, closed after them.
 * @param {{ serve?: boolean }} [options]
 */
export function sharedBrowser({ serve = true } = {}) {
  const shared = {
    /** @type {import('playwright-core').Browser} */
    browser: /** @type {any} */ (undefined),
    /** @type {string} */
    url: '',
    close: () => {},
  };
  before(async () => {
    if (serve) {
      const served = await serveWindow();
      shared.url = served.url;
      shared.close = served.close;
    }
    shared.browser = await launchBrowser();
  });
  after(async () => {
    await shared.browser?.close();
    shared.close();
  });
  return shared;
}

/** English, light, not signed in: what the shell answers `start` with unless told otherwise. */
export const SIGNED_OUT = {
  settings: { server: '', email: '', language: 'en', window_theme: 'light' },
  signed_in: false,
};

/** The queues, agents and wrap-up reasons the scripted shell offers, filtered by the search text. */
export const LISTS = {
  queues: [
    { id: 'general', name: 'General enquiries', escalation: false },
    { id: 'billing', name: 'Billing', escalation: false },
    { id: 'vip', name: 'VIP customers', escalation: false },
    { id: 'supervisors', name: 'Supervisors', escalation: true },
  ],
  available_agents: [
    { id: 'bob', name: 'Bob Dvořák', email: 'bob@example.com' },
    { id: 'cecile', name: 'Cécile Martin', email: 'cecile@example.com' },
  ],
  wrap_up_reasons: ['Resolved', 'Follow-up needed', 'Spam'],
  templates: [
    { shortcut: 'hi', name: 'Greeting', text: 'Hello <customer.first_name>, <agent.name> here. How can I help?' },
    { shortcut: 'refund', name: 'Refund on its way', text: 'Your refund is on its way; we will text <customer.phone> once it is sent.' },
    { shortcut: 'mail', name: 'Confirm by e-mail', text: 'I will confirm this to <customer.email>.' },
  ],
};

/**
 * Runs in the page before the window's own code: stands in for Tauri's IPC.
 * @param {{ replies: Record<string, unknown>, lists: Record<string, unknown[]> }} config
 */
function installScriptedShell({ replies, lists }) {
  /** @type {Record<number, Function>} */
  const callbacks = {};
  /** @type {Record<string, number[]>} */
  const listeners = {};
  let nextId = 1;
  const shell = {
    /** @type {{ cmd: string, args: any, options?: any }[]} */
    calls: [],
    /** @type {Record<string, any>} a command's answer: { ok: value } or { error: failure } */
    replies,
    lists,
    /** @param {string} event @param {unknown} payload */
    emit(event, payload) {
      for (const id of listeners[event] ?? []) callbacks[id]?.({ event, id, payload });
    },
  };
  /** @param {any} item @param {string} search */
  const matches = (item, search) => JSON.stringify(item).toLowerCase().includes(search.toLowerCase());
  Object.assign(window, {
    __shell: shell,
    __TAURI_EVENT_PLUGIN_INTERNALS__: { unregisterListener() {} },
    __TAURI_INTERNALS__: {
      metadata: { currentWindow: { label: 'main' }, currentWebview: { windowLabel: 'main', label: 'main' } },
      /** @param {Function} callback */
      transformCallback(callback) {
        const id = nextId++;
        callbacks[id] = callback;
        return id;
      },
      /** @param {number} id */
      unregisterCallback(id) {
        delete callbacks[id];
      },
      /** @param {string} cmd @param {any} args @param {any} [options] */
      async invoke(cmd, args, options) {
        if (cmd === 'plugin:event|listen') {
          (listeners[args.event] ??= []).push(args.handler);
          return args.handler;
        }
        if (cmd.startsWith('plugin:event|')) return null;
        shell.calls.push({ cmd, args, options });
        if (cmd in shell.lists) return shell.lists[cmd].filter((item) => matches(item, args.search ?? ''));
        const reply = shell.replies[cmd] ?? { ok: null };
        if ('error' in reply) throw reply.error;
        // Raw bytes, as the shell answers `file_content`: given here in base64.
        if ('bytes' in reply) return Uint8Array.from(atob(reply.bytes), (c) => c.charCodeAt(0)).buffer;
        return reply.ok;
      },
    },
  });
}

/**
 * A window on its own page, its shell scripted.
 * @param {import('playwright-core').Browser} browser
 * @param {string} url
 * @param {{ start?: unknown, replies?: Record<string, unknown>, colorScheme?: 'light' | 'dark', time?: number }} [options]
 *   `time` fixes the page's clock (timers keep running) so durations read the same on every run.
 */
export async function openWindow(browser, url, { start = SIGNED_OUT, replies = {}, colorScheme = 'light', time } = {}) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 760 }, locale: 'en-US', colorScheme });
  const page = await context.newPage();
  /** @type {string[]} */
  const problems = [];
  /** @type {string[]} */
  const requests = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  if (time !== undefined) await page.clock.setFixedTime(time);
  await page.addInitScript(installScriptedShell, { replies: { start: { ok: start }, ...replies }, lists: LISTS });
  await page.goto(url);
  return new ScriptedWindow(page, context, problems, requests);
}

/**
 * A window signed in with a remembered session: the shell then sends the desk as a snapshot.
 * @param {import('playwright-core').Browser} browser
 * @param {string} url
 * @param {unknown} snapshot
 * @param {{ replies?: Record<string, unknown>, colorScheme?: 'light' | 'dark', settings?: object, time?: number }} [options]
 */
export async function openDesk(browser, url, snapshot, { settings = {}, ...options } = {}) {
  const start = { settings: { ...SIGNED_OUT.settings, server: 'https://switchboard.example.com', email: 'ann@example.com', ...settings }, signed_in: true };
  const window = await openWindow(browser, url, { start, ...options });
  // The window listens for the shell's events before it asks to start.
  await window.called('start');
  await window.snapshot(snapshot);
  await window.page.getByRole('banner').waitFor();
  return window;
}

export class ScriptedWindow {
  /**
   * @param {import('playwright-core').Page} page
   * @param {import('playwright-core').BrowserContext} context
   * @param {string[]} problems errors and CSP violations the page reported
   * @param {string[]} requests every URL the page asked for
   */
  constructor(page, context, problems, requests) {
    this.requests = requests;
    this.page = page;
    this.context = context;
    this.problems = problems;
  }

  /** The shell's event, as the shell would send it. @param {string} event @param {unknown} payload */
  emit(event, payload) {
    return this.page.evaluate(([name, value]) => /** @type {any} */ (window).__shell.emit(name, value), [event, payload]);
  }

  /** @param {unknown} snapshot */
  snapshot(snapshot) {
    return this.emit('desk://snapshot', snapshot);
  }

  /** @param {unknown} update */
  update(update) {
    return this.emit('desk://update', update);
  }

  /** How the shell answers a command from now on. @param {string} cmd @param {unknown} reply */
  reply(cmd, reply) {
    return this.page.evaluate(([name, value]) => {
      /** @type {any} */ (window).__shell.replies[name] = value;
    }, /** @type {const} */ ([cmd, reply]));
  }

  /**
   * The commands invoked so far, optionally only one of them.
   * @param {string} [cmd]
   * @returns {Promise<{ cmd: string, args: any, options?: any }[]>}
   */
  async calls(cmd) {
    const all = await this.page.evaluate(() => /** @type {any} */ (window).__shell.calls);
    return cmd ? all.filter((/** @type {{ cmd: string }} */ call) => call.cmd === cmd) : all;
  }

  /** Waits until a command has been invoked `count` times; returns the last call's arguments. */
  async called(/** @type {string} */ cmd, count = 1) {
    await this.page.waitForFunction(
      ([name, n]) => /** @type {any} */ (window).__shell.calls.filter((/** @type {any} */ c) => c.cmd === name).length >= n,
      /** @type {const} */ ([cmd, count]),
    );
    const calls = await this.calls(cmd);
    return calls[count - 1].args;
  }

  /** @param {string} name */
  screenshot(name) {
    return this.page.screenshot({ path: join(screenshotDir, `${name}.png`), animations: 'disabled' });
  }

  close() {
    return this.context.close();
  }
}
