// The composer's rules as the agent types, matching the server's (`switchboard-protocol`
// rules.rs): at most 1000 characters, no `<` or `>` (reserved for templates), not empty.

export const MAX_MESSAGE_CHARS = 1000;

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
  else if (/[<>]/.test(text)) problem = 'reserved';
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
