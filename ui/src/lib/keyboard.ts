// The window's shortcuts, as data: what a key press means, shown in Settings and unit-tested.

import type { MessageKey } from './i18n';

export type Shortcut = 'accept' | 'reject' | 'next' | 'previous';

export interface KeyPress {
  key: string;
  altKey: boolean;
  ctrlKey: boolean;
  shiftKey: boolean;
  metaKey: boolean;
}

export const SHORTCUTS: { shortcut: Shortcut; keys: string; label: MessageKey }[] = [
  { shortcut: 'accept', keys: 'Alt+A', label: 'shortcut.accept' },
  { shortcut: 'reject', keys: 'Alt+R', label: 'shortcut.reject' },
  { shortcut: 'next', keys: 'Alt+↓', label: 'shortcut.next' },
  { shortcut: 'previous', keys: 'Alt+↑', label: 'shortcut.previous' },
];

export function shortcutFor(press: KeyPress): Shortcut | null {
  if (!press.altKey || press.ctrlKey || press.metaKey || press.shiftKey) return null;
  switch (press.key.toLowerCase()) {
    case 'a':
      return 'accept';
    case 'r':
      return 'reject';
    case 'arrowdown':
      return 'next';
    case 'arrowup':
      return 'previous';
    default:
      return null;
  }
}

/// The conversation `step` places from `current` in `order`, wrapping around.
export function neighbour(order: string[], current: string | null, step: 1 | -1): string | null {
  if (order.length === 0) return null;
  const index = current === null ? -1 : order.indexOf(current);
  if (index < 0) return order[step === 1 ? 0 : order.length - 1];
  return order[(index + step + order.length) % order.length];
}
