// The composer's rules as the agent types, the server's own (`switchboard-protocol` rules.rs,
// generated into `contract.ts`): at most MAX_MESSAGE_CHARS characters, none of the
// RESERVED_CHARACTERS (they mark template parameters), not empty.

import { MAX_MESSAGE_CHARS, RESERVED_CHARACTERS, type ParameterView } from './contract';

export { MAX_MESSAGE_CHARS };

export type DraftProblem = 'too_long' | 'reserved' | 'empty' | 'missing';

export interface DraftCheck {
  /// Characters still allowed; negative when over the limit.
  remaining: number;
  problem: DraftProblem | null;
  /// The template parameters in the draft the conversation has no value for.
  missing: string[];
  /// The template parameters in the draft the server fills as it sends, with what they show.
  filled: ParameterView[];
}

/// Template parameters `<name>` as the server finds them (`switchboard_protocol::template`).
const PARAMETER = /<([^<>\n]{1,100})>/g;

/// Characters as the server counts them: Unicode scalar values, not UTF-16 units.
export function charCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/// Checks a draft as the server will; `parameters`, for a message, are the template parameters
/// the conversation knows (a note carries none). Each parameter counts as one character: the
/// server checks the length again once it has filled them.
export function checkDraft(text: string, parameters: ParameterView[] = []): DraftCheck {
  const missing: string[] = [];
  const filled: ParameterView[] = [];
  const plain = text.replace(PARAMETER, (token, name: string) => {
    const known = parameters.find((parameter) => parameter.name === name);
    if (!known) return token;
    if (known.shown === null) missing.push(name);
    else filled.push(known);
    return 'x';
  });
  const remaining = MAX_MESSAGE_CHARS - charCount(plain);
  let problem: DraftProblem | null = null;
  if (remaining < 0) problem = 'too_long';
  else if ([...RESERVED_CHARACTERS].some((reserved) => plain.includes(reserved))) problem = 'reserved';
  else if (missing.length > 0) problem = 'missing';
  else if (plain.trim() === '') problem = 'empty';
  return { remaining, problem, missing, filled };
}

/// The search typed after `/` at the start of an empty composer, when the agent looks for a
/// template; `null` otherwise.
export function templateSearch(draft: string): string | null {
  return draft.startsWith('/') && !draft.includes('\n') ? draft.slice(1) : null;
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
