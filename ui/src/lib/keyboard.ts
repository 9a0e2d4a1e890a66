// The window's shortcuts, as data: what a key press means, shown in Settings and unit-tested.

import type { MessageKey } from './i18n';

export type Shortcut =
  | 'accept'
  | 'reject'
  | 'next'
  | 'previous'
  | 'transfer'
  | 'conference'
  | 'end'
  | 'compose'
  | 'search'
  | 'reports'
  | 'supervisor'
  | 'attach'
  | 'help';

export interface KeyPress {
  key: string;
  altKey: boolean;
  ctrlKey: boolean;
  shiftKey: boolean;
  metaKey: boolean;
}

/// Every shortcut the window knows, for the overlay (`?` or F1) and Settings; those handled where
/// the focus is (the composer, a dialog) have no `shortcut`.
export const SHORTCUTS: { shortcut?: Shortcut; keys: string; label: MessageKey }[] = [
  { shortcut: 'accept', keys: 'Alt+A', label: 'shortcut.accept' },
  { shortcut: 'reject', keys: 'Alt+R', label: 'shortcut.reject' },
  { shortcut: 'next', keys: 'Alt+↓', label: 'shortcut.next' },
  { shortcut: 'previous', keys: 'Alt+↑', label: 'shortcut.previous' },
  { shortcut: 'compose', keys: 'Alt+M', label: 'shortcut.compose' },
  { shortcut: 'attach', keys: 'Alt+F', label: 'shortcut.attach' },
  { shortcut: 'transfer', keys: 'Alt+T', label: 'shortcut.transfer' },
  { shortcut: 'conference', keys: 'Alt+C', label: 'shortcut.conference' },
  { shortcut: 'end', keys: 'Alt+E', label: 'shortcut.end' },
  { shortcut: 'search', keys: 'Alt+S', label: 'shortcut.search' },
  { shortcut: 'reports', keys: 'Alt+P', label: 'shortcut.reports' },
  { shortcut: 'supervisor', keys: 'Alt+V', label: 'shortcut.supervisor' },
  { keys: 'Enter', label: 'shortcut.send' },
  { keys: 'Shift+Enter', label: 'shortcut.newline' },
  { keys: 'Ctrl+Shift+N', label: 'shortcut.note' },
  { keys: 'Esc', label: 'shortcut.close' },
  { shortcut: 'help', keys: '? / F1', label: 'shortcut.help' },
];

const ALT_KEYS: Record<string, Shortcut> = {
  a: 'accept',
  r: 'reject',
  arrowdown: 'next',
  arrowup: 'previous',
  m: 'compose',
  f: 'attach',
  t: 'transfer',
  c: 'conference',
  e: 'end',
  s: 'search',
  p: 'reports',
  v: 'supervisor',
};

/// What a key press means; `inText`: the focus is where `?` is typed as text.
export function shortcutFor(press: KeyPress, inText = false): Shortcut | null {
  if (press.ctrlKey || press.metaKey) return null;
  if (press.key === 'F1' && !press.altKey) return 'help';
  if (press.key === '?' && !press.altKey && !inText) return 'help';
  if (!press.altKey || press.shiftKey) return null;
  return ALT_KEYS[press.key.toLowerCase()] ?? null;
}

/// The conversation `step` places from `current` in `order`, wrapping around.
export function neighbour(order: string[], current: string | null, step: 1 | -1): string | null {
  if (order.length === 0) return null;
  const index = current === null ? -1 : order.indexOf(current);
  if (index < 0) return order[step === 1 ? 0 : order.length - 1];
  return order[(index + step + order.length) % order.length];
}
