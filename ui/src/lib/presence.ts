// The presence selector's options and their wire values.

import type { Presence, PresenceRequest } from './types';

/// "available", "idle:Lunch", "rona", "offline": one string per choice for a <select>.
export function presenceValue(presence: Presence): string {
  return presence.state === 'idle' ? `idle:${presence.reason}` : presence.state;
}

/// What choosing `value` asks the server for; RONA cannot be asked for.
export function presenceRequest(value: string): PresenceRequest | null {
  if (value === 'available' || value === 'offline') return { state: value };
  if (value.startsWith('idle:')) return { state: 'idle', reason: value.slice('idle:'.length) };
  return null;
}
