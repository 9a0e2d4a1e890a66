// The composer's rules as the agent types, the server's own (`switchboard-protocol` rules.rs,
// generated into `contract.ts`): at most MAX_MESSAGE_CHARS characters, none of the
// RESERVED_CHARACTERS (they mark template parameters), not empty.

import { MAX_MESSAGE_CHARS, RESERVED_CHARACTERS } from './contract';

export { MAX_MESSAGE_CHARS };

export type DraftProblem = 'too_long' | 'reserved' | 'empty';

export interface DraftCheck {
  /// Characters still allowed; negative when over the limit.
  remaining: number;
  problem: DraftProblem | null;
}

/// Characters as the server counts them: Unicode scalar values, not UTF-16 units.
export function charCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

export function checkDraft(text: string): DraftCheck {
  const remaining = MAX_MESSAGE_CHARS - charCount(text);
  let problem: DraftProblem | null = null;
  if (remaining < 0) problem = 'too_long';
  else if ([...RESERVED_CHARACTERS].some((reserved) => text.includes(reserved))) problem = 'reserved';
  else if (text.trim() === '') problem = 'empty';
  return { remaining, problem };
}

/// What Enter does in the composer: Enter sends, Shift+Enter is a new line, and nothing is sent
/// while an input method is composing a character.
export function enterAction(event: {
  key: string;
  shiftKey: boolean;
  isComposing?: boolean;
}): 'send' | 'newline' | null {
  if (event.key !== 'Enter' || event.isComposing) return null;
  return event.shiftKey ? 'newline' : 'send';
}

/// Ctrl+Shift+N switches the composer between a message for the customer and an internal note.
export function isNoteToggle(event: { key: string; ctrlKey: boolean; shiftKey: boolean }): boolean {
  return event.ctrlKey && event.shiftKey && event.key.toLowerCase() === 'n';
}
