// The window's languages, chosen from the OS language unless the agent picked one.

import { writable, derived } from 'svelte/store';
import type { Language } from '../types';
// JSON, so that the desktop shell words its tray menu and OS notifications from the same files.
import cs from './cs.json';
import da from './da.json';
import en from './en.json';
import fr from './fr.json';
import pl from './pl.json';

export type MessageKey = keyof typeof en;
/// Every language covers English key for key: a missing one fails type-checking.
export type Messages = Record<MessageKey, string>;

export const LANGUAGES: Record<Language, { name: string; messages: Messages }> = {
  en: { name: 'English', messages: en },
  cs: { name: 'Čeština', messages: cs satisfies Messages },
  da: { name: 'Dansk', messages: da satisfies Messages },
  fr: { name: 'Français', messages: fr satisfies Messages },
  pl: { name: 'Polski', messages: pl satisfies Messages },
};

/// The first of the OS's preferred languages the window speaks; English otherwise.
export function pickLanguage(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split(/[-_]/)[0];
    if (base in LANGUAGES) return base as Language;
  }
  return 'en';
}

export type Params = Record<string, string | number>;

/// Fills `{name}` placeholders; a missing parameter stays visible rather than vanishing.
export function format(template: string, params: Params = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

export function translate(language: Language, key: MessageKey, params?: Params): string {
  return format(LANGUAGES[language].messages[key], params);
}

export const language = writable<Language>(pickLanguage(globalThis.navigator?.languages ?? []));

/// `$t('key', { param })` in components.
export const t = derived(
  language,
  (current) => (key: MessageKey, params?: Params) => translate(current, key, params),
);

