// The window's stores: the desk state fed by the shell's updates, the agent's settings, the
// selected conversation, and the last error to show. Components read these and call `act`.

import { get, readable, writable } from 'svelte/store';
import { language, pickLanguage } from './i18n';
import { events, failure, shell } from './ipc';
import { emptyLive, mergeLive, type LiveState } from './live';
import { applyUpdate, expireToasts, initialState, sortedTasks, type DeskState } from './state';
import type { CommandFailure, DeskSnapshot, OfflineReason, Settings, Update } from './types';

export const desk = writable<DeskState | null>(null);
export const settings = writable<Settings>({
  server: '',
  email: '',
  language: null,
  window_theme: 'system',
});
export const selected = writable<string | null>(null);
/// The search over past conversations is open (the top bar's button, or Alt+S).
export const searching = writable(false);
/// A supervisor's reports are open (the top bar's button, or Alt+P).
export const reporting = writable(false);
/// Which of a supervisor's two views is on screen: their own conversations, or the live view.
export const view = writable<'desk' | 'supervisor'>('desk');
/// The live view as pushed so far, while a supervisor watches it.
export const live = writable<LiveState>(emptyLive());
/// A conversation action asked for from the keyboard, for the action bar to open.
export const requestedAction = writable<'transfer' | 'conference' | 'end' | null>(null);
export const lastError = writable<CommandFailure | null>(null);
/// Signed in, the desk's first snapshot not here yet: the window shows neither screen.
export const awaitingDesk = writable(false);
/// Signing in as the app started, the server not reachable yet: the shell keeps trying.
export const waitingForServer = writable(false);
/// Why the last session ended on the server's side (expired, or signed out, a new password, the
/// account removed), for the sign-in screen to say; cleared by the next sign-in.
export const sessionEnded = writable<OfflineReason | null>(null);

/// The clock the timers and countdowns redraw from.
export const now = readable(Date.now(), (set) => {
  const timer = setInterval(() => set(Date.now()), 250);
  return () => clearInterval(timer);
});

export function applySettings(next: Settings) {
  settings.set(next);
  language.set(next.language ?? pickLanguage(globalThis.navigator?.languages ?? []));
}

/// The desk in full, from the shell: everything before it is replaced.
export function signedIn(snapshot: DeskSnapshot) {
  sessionEnded.set(null);
  awaitingDesk.set(false);
  waitingForServer.set(false);
  desk.set(initialState(snapshot));
  const first = sortedTasks(get(desk)!)[0];
  selected.update((current) =>
    current && snapshot.conversations.some((c) => c.id === current) ? current : first?.conversation ?? null,
  );
}

export function signedOut() {
  view.set('desk');
  live.set(emptyLive());
  awaitingDesk.set(false);
  waitingForServer.set(false);
  desk.set(null);
  selected.set(null);
}

/// Applies one update from the shell, in order.
function applyShellUpdate(update: Update) {
  // Updates before the first snapshot are in it.
  desk.update((state) => (state ? applyUpdate(state, update) : state));
  if (update.type === 'live') live.update((state) => mergeLive(state, update.update));
  if (update.type === 'task_removed' && get(selected) === update.conversation) {
    const next = get(desk);
    selected.set(next ? sortedTasks(next)[0]?.conversation ?? null : null);
  }
  // A message in the conversation on screen is read as it arrives.
  if (update.type === 'bubble' && update.conversation === get(selected) && document.hasFocus()) {
    shell.markRead(update.conversation).catch(() => {});
  }
  if (update.type === 'conversation' && get(selected) === null) {
    selected.set(update.conversation.id);
  }
  // A session the server ended is over: back to the sign-in screen, which says why.
  if (update.type === 'connection' && update.connection.state === 'offline') {
    const { reason } = update.connection;
    if (reason === 'session_expired' || reason === 'session_revoked') {
      sessionEnded.set(reason);
      shell.signOut().catch(() => signedOut());
    }
  }
}

/// Connects the window to the shell: the desk's snapshot, then every update in order.
export async function boot() {
  // Every listener is in place before `start` (the shell then sends the desk), registered
  // together: each is a round trip to the shell, and the first screen waits for all of them.
  await Promise.all([
    events.update(applyShellUpdate),
    events.open((conversation) => select(conversation)),
    events.snapshot(signedIn),
    events.signedOut(signedOut),
    events.waitingForServer(() => waitingForServer.set(true)),
  ]);
  const start = await shell.start();
  applySettings(start.settings);
  if (start.signed_in && get(desk) === null) awaitingDesk.set(true);
  setInterval(() => desk.update((state) => (state ? expireToasts(state, Date.now()) : state)), 500);
}

export function select(conversation: string) {
  selected.set(conversation);
  shell.markRead(conversation).catch(() => {
    // Marking read is cosmetic: a failure must not disturb the agent.
  });
}

/// Runs a command, showing its failure in the window; resolves to whether it worked.
export async function act(command: () => Promise<unknown>): Promise<boolean> {
  try {
    await command();
    lastError.set(null);
    return true;
  } catch (error) {
    lastError.set(failure(error));
    return false;
  }
}
