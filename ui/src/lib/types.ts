// The shapes the shell sends and receives. The desk core's updates and views, and the protocol's
// values in them, are generated from their Rust types (`contract.ts`); everything
// customer-provided in them is already masked. Below them, the shell's own few.

export * from './contract';

export type Language = 'en' | 'cs' | 'da' | 'fr' | 'pl';
export type WindowTheme = 'system' | 'light' | 'dark';

/// The agent's own settings, kept by the shell (never the token).
export interface Settings {
  server: string;
  email: string;
  language: Language | null;
  window_theme: WindowTheme;
}

/// A failed command: a code the window words in the agent's language, and the core's message.
export interface CommandFailure {
  code: string;
  message: string;
}
