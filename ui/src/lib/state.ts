// The window's state: the core's snapshot, kept current by its updates. Pure functions, so the
// rules (replays ignored, toasts apart from alerts, a dismissal removing either) are unit-tested.

import type { DeskSnapshot, Notification, Update } from './types';

export interface DeskState {
  snapshot: DeskSnapshot;
  /// Toasts on screen, newest last; alerts live in `snapshot.alerts`.
  toasts: Notification[];
  /// A supervisor set this agent's presence, and why: shown until dismissed.
  presenceSetBy?: { supervisor: string; reason: string } | null;
}

export function initialState(snapshot: DeskSnapshot): DeskState {
  // Offers waiting for an answer may be toasts (a transfer to this agent): they show as such.
  const isAlert = (n: Notification) => n.kind.kind === 'alert';
  return {
    snapshot: { ...snapshot, alerts: snapshot.alerts.filter(isAlert) },
    toasts: snapshot.alerts.filter((n) => !isAlert(n)),
  };
}

function upsert<T>(items: T[], item: T, same: (existing: T) => boolean): T[] {
  const index = items.findIndex(same);
  if (index < 0) return [...items, item];
  const copy = items.slice();
  copy[index] = item;
  return copy;
}

export function applyUpdate(state: DeskState, update: Update): DeskState {
  const snapshot = state.snapshot;
  switch (update.type) {
    case 'connection':
      return { ...state, snapshot: { ...snapshot, connection: update.connection } };
    case 'presence':
      return { ...state, snapshot: { ...snapshot, presence: update.presence } };
    case 'profile':
      return { ...state, snapshot: { ...snapshot, profile: update.profile } };
    case 'notify': {
      const notification = update.notification;
      if (notification.kind.kind === 'alert') {
        const alerts = upsert(snapshot.alerts, notification, (n) => n.id === notification.id);
        return { ...state, snapshot: { ...snapshot, alerts } };
      }
      return { ...state, toasts: upsert(state.toasts, notification, (n) => n.id === notification.id) };
    }
    case 'dismiss':
      return {
        snapshot: { ...snapshot, alerts: snapshot.alerts.filter((n) => n.id !== update.id) },
        toasts: state.toasts.filter((n) => n.id !== update.id),
      };
    case 'task':
      return {
        ...state,
        snapshot: {
          ...snapshot,
          tasks: upsert(snapshot.tasks, update.task, (t) => t.conversation === update.task.conversation),
        },
      };
    case 'task_removed':
      return {
        ...state,
        snapshot: {
          ...snapshot,
          tasks: snapshot.tasks.filter((t) => t.conversation !== update.conversation),
          conversations: snapshot.conversations.filter((c) => c.id !== update.conversation),
        },
      };
    case 'conversation':
      return {
        ...state,
        snapshot: {
          ...snapshot,
          conversations: upsert(
            snapshot.conversations,
            update.conversation,
            (c) => c.id === update.conversation.id,
          ),
        },
      };
    case 'bubble': {
      const conversations = snapshot.conversations.map((conversation) => {
        if (conversation.id !== update.conversation) return conversation;
        const last = conversation.bubbles[conversation.bubbles.length - 1];
        // A bubble the pane already has (a replay after a redraw) is not shown twice.
        if (last && last.id >= update.bubble.id) return conversation;
        return { ...conversation, bubbles: [...conversation.bubbles, update.bubble] };
      });
      return { ...state, snapshot: { ...snapshot, conversations } };
    }
    case 'typing': {
      const tasks = snapshot.tasks.map((task) =>
        task.conversation === update.conversation ? { ...task, typing_until: update.until } : task,
      );
      return { ...state, snapshot: { ...snapshot, tasks } };
    }
    case 'presence_set_by':
      return { ...state, presenceSetBy: { supervisor: update.supervisor, reason: update.reason } };
    // The live view is kept apart (`live.ts`): it changes many times a second.
    case 'live':
      return state;
  }
}

/// Whether the customer of `conversation` shows as typing at `now`.
export function customerTyping(state: DeskState, conversation: string, now: number): boolean {
  const until = state.snapshot.tasks.find((task) => task.conversation === conversation)?.typing_until;
  return until != null && until > now;
}

/// Toasts whose time is up, as of `now`.
export function expireToasts(state: DeskState, now: number): DeskState {
  const toasts = state.toasts.filter((n) => n.kind.kind !== 'toast' || n.kind.closes_at > now);
  return toasts.length === state.toasts.length ? state : { ...state, toasts };
}

/// The alert to show first: the one waiting longest.
export function currentAlert(state: DeskState): Notification | undefined {
  return state.snapshot.alerts[0];
}

/// Tasks newest first, as the list shows them.
export function sortedTasks(state: DeskState) {
  return state.snapshot.tasks.slice().sort((a, b) => b.date - a.date);
}
