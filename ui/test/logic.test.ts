import { describe, expect, it } from 'vitest';
import { charCount, checkDraft, enterAction, isNoteToggle, MAX_MESSAGE_CHARS, templateSearch } from '../src/lib/composer';
import { format, LANGUAGES, pickLanguage, translate } from '../src/lib/i18n';
import { neighbour, shortcutFor } from '../src/lib/keyboard';
import { presenceRequest, presenceValue } from '../src/lib/presence';
import { formatElapsed, formatTaskDate, secondsLeft } from '../src/lib/time';

describe('the composer', () => {
  it('counts characters as the server does, not UTF-16 units', () => {
    expect(charCount('😀é')).toBe(2);
    expect(checkDraft('😀'.repeat(MAX_MESSAGE_CHARS))).toMatchObject({ remaining: 0, problem: null });
    expect(checkDraft('😀'.repeat(MAX_MESSAGE_CHARS + 1))).toMatchObject({ remaining: -1, problem: 'too_long' });
  });

  it('refuses the reserved characters and empty drafts', () => {
    expect(checkDraft('a <b>').problem).toBe('reserved');
    expect(checkDraft('1 > 0').problem).toBe('reserved');
    expect(checkDraft('  \n ').problem).toBe('empty');
    expect(checkDraft('Hello').problem).toBeNull();
  });

  it('sends on Enter, breaks the line on Shift+Enter, and waits while composing', () => {
    expect(enterAction({ key: 'Enter', shiftKey: false })).toBe('send');
    expect(enterAction({ key: 'Enter', shiftKey: true })).toBe('newline');
    expect(enterAction({ key: 'Enter', shiftKey: false, isComposing: true })).toBeNull();
    expect(enterAction({ key: 'a', shiftKey: false })).toBeNull();
  });

  it('lets through the parameters the conversation fills, and blocks those it has no value for', () => {
    const parameters = [
      { name: 'customer.first_name', shown: 'Zoë' },
      { name: 'customer.phone', shown: '*********3456' },
      { name: 'customer.email', shown: null },
    ];
    const phone = checkDraft('Call <customer.phone>?', parameters);
    expect(phone).toMatchObject({ problem: null, missing: [], remaining: MAX_MESSAGE_CHARS - 7 });
    expect(phone.filled.map((p) => p.name)).toEqual(['customer.phone']);
    expect(checkDraft('Write to <customer.email>', parameters)).toMatchObject({ problem: 'missing', missing: ['customer.email'] });
    expect(checkDraft('Hi <b>', parameters).problem).toBe('reserved');
    // A note carries no parameters.
    expect(checkDraft('Call <customer.phone>?').problem).toBe('reserved');
  });

  it('looks for templates after a / at the start', () => {
    expect(templateSearch('/ref')).toBe('ref');
    expect(templateSearch('/')).toBe('');
    expect(templateSearch('a /ref')).toBeNull();
  });

  it('switches to a note on Ctrl+Shift+N only', () => {
    expect(isNoteToggle({ key: 'N', ctrlKey: true, shiftKey: true })).toBe(true);
    expect(isNoteToggle({ key: 'n', ctrlKey: true, shiftKey: false })).toBe(false);
    expect(isNoteToggle({ key: 'N', ctrlKey: false, shiftKey: true })).toBe(false);
  });
});

describe('languages', () => {
  it('picks the first OS language the window speaks', () => {
    expect(pickLanguage(['de-DE', 'cs-CZ', 'en'])).toBe('cs');
    expect(pickLanguage(['pl_PL'])).toBe('pl');
    expect(pickLanguage(['ja'])).toBe('en');
  });

  it('fills parameters and leaves unknown ones visible', () => {
    expect(format('Idle – {reason}', { reason: 'Lunch' })).toBe('Idle – Lunch');
    expect(format('{missing}')).toBe('{missing}');
    expect(translate('fr', 'alert.accept')).toBe('Accepter');
  });

  it('has every English text in every language, none left empty', () => {
    const keys = Object.keys(LANGUAGES.en.messages);
    for (const [code, { messages }] of Object.entries(LANGUAGES)) {
      expect(Object.keys(messages).sort(), code).toEqual(keys.slice().sort());
      for (const key of keys) expect((messages as Record<string, string>)[key].trim(), `${code} ${key}`).not.toBe('');
    }
  });
});

describe('shortcuts', () => {
  const press = (key: string, mods: Partial<Record<'altKey' | 'ctrlKey' | 'shiftKey' | 'metaKey', boolean>> = {}) => ({
    key,
    altKey: false,
    ctrlKey: false,
    shiftKey: false,
    metaKey: false,
    ...mods,
  });

  it('maps Alt+A, Alt+R and Alt+arrows, nothing else', () => {
    expect(shortcutFor(press('a', { altKey: true }))).toBe('accept');
    expect(shortcutFor(press('R', { altKey: true }))).toBe('reject');
    expect(shortcutFor(press('ArrowDown', { altKey: true }))).toBe('next');
    expect(shortcutFor(press('ArrowUp', { altKey: true }))).toBe('previous');
    expect(shortcutFor(press('a'))).toBeNull();
    expect(shortcutFor(press('a', { altKey: true, ctrlKey: true }))).toBeNull();
  });

  it('reaches transfer, conference, end, the composer and its files with Alt, and the overlay with ? or F1', () => {
    expect(shortcutFor(press('t', { altKey: true }))).toBe('transfer');
    expect(shortcutFor(press('C', { altKey: true }))).toBe('conference');
    expect(shortcutFor(press('e', { altKey: true }))).toBe('end');
    expect(shortcutFor(press('m', { altKey: true }))).toBe('compose');
    expect(shortcutFor(press('f', { altKey: true }))).toBe('attach');
    expect(shortcutFor(press('F1'))).toBe('help');
    expect(shortcutFor(press('?', { shiftKey: true }))).toBe('help');
    expect(shortcutFor(press('?', { shiftKey: true }), true)).toBeNull();
    expect(shortcutFor(press('F1'), true)).toBe('help');
  });

  it('moves between conversations, wrapping around', () => {
    expect(neighbour(['a', 'b', 'c'], 'c', 1)).toBe('a');
    expect(neighbour(['a', 'b', 'c'], 'a', -1)).toBe('c');
    expect(neighbour(['a', 'b'], null, 1)).toBe('a');
    expect(neighbour([], null, 1)).toBeNull();
  });
});

describe('presence choices', () => {
  it('round-trips the selector values and never asks for RONA', () => {
    expect(presenceValue({ state: 'idle', reason: 'Lunch: long' })).toBe('idle:Lunch: long');
    expect(presenceRequest('idle:Lunch: long')).toEqual({ state: 'idle', reason: 'Lunch: long' });
    expect(presenceRequest('available')).toEqual({ state: 'available' });
    expect(presenceRequest('rona')).toBeNull();
  });
});

describe('durations', () => {
  it('formats the timer and counts the alert down', () => {
    expect(formatElapsed(7_000)).toBe('0:07');
    expect(formatElapsed(245_000)).toBe('4:05');
    expect(formatElapsed(3_723_000)).toBe('1:02:03');
    expect(formatElapsed(-5)).toBe('0:00');
    expect(secondsLeft(10_500, 10_000)).toBe(1);
    expect(secondsLeft(9_000, 10_000)).toBe(0);
  });
});

describe('task dates', () => {
  const now = new Date(2026, 10, 22, 15, 30).getTime();

  it('shows the time for today and the date before', () => {
    expect(formatTaskDate(new Date(2026, 10, 22, 9, 5).getTime(), now, 'en-GB')).toBe('09:05');
    expect(formatTaskDate(new Date(2026, 10, 3, 9, 5).getTime(), now, 'en-GB')).toBe('3 Nov');
    expect(formatTaskDate(new Date(2026, 10, 3, 9, 5).getTime(), now, 'cs')).toBe('3. 11.');
  });

  it('keeps one formatter per language however often the clock ticks', () => {
    const intl = Intl as { DateTimeFormat: typeof Intl.DateTimeFormat };
    const original = intl.DateTimeFormat;
    let made = 0;
    intl.DateTimeFormat = new Proxy(original, {
      construct(target, args) {
        made += 1;
        return Reflect.construct(target, args);
      },
    });
    try {
      for (let tick = 0; tick < 100; tick++) {
        formatTaskDate(now - tick * 60_000, now + tick * 1000, 'da');
      }
    } finally {
      intl.DateTimeFormat = original;
    }
    // A time formatter and a date formatter for Danish, each made once.
    expect(made).toBe(2);
  });
});
