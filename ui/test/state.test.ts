import { describe, expect, it } from 'vitest';
import { applyUpdate, currentAlert, customerTyping, expireToasts, initialState, sortedTasks } from '../src/lib/state';
import { alert, conversation, snapshot, task as taskOf } from './fixtures';

const task = (id: string, date: number) => taskOf(conversation(id), { date });

describe('the window state', () => {
  it('keeps alerts and toasts apart, and a dismissal removes either', () => {
    let state = initialState(snapshot());
    state = applyUpdate(state, { type: 'notify', notification: alert('a') });
    const toast = alert('b', { id: 'offer:b', kind: { kind: 'toast', closes_at: 5 }, scenario: 'transferred' });
    state = applyUpdate(state, { type: 'notify', notification: toast });
    expect(state.snapshot.alerts.map((n) => n.id)).toEqual(['offer:a']);
    expect(state.toasts.map((n) => n.id)).toEqual(['offer:b']);
    state = applyUpdate(state, { type: 'dismiss', id: 'offer:b', reason: 'expired' });
    state = applyUpdate(state, { type: 'dismiss', id: 'offer:a', reason: 'accepted' });
    expect(state.snapshot.alerts).toEqual([]);
    expect(state.toasts).toEqual([]);
  });

  it('replaces a notification with the same id instead of adding another', () => {
    let state = initialState(snapshot());
    state = applyUpdate(state, { type: 'notify', notification: alert('a') });
    state = applyUpdate(state, { type: 'notify', notification: alert('a', { customer_name: '••••' }) });
    expect(state.snapshot.alerts).toHaveLength(1);
    expect(currentAlert(state)?.customer_name).toBe('••••');
  });

  it('shows offers that are toasts in a starting snapshot as toasts', () => {
    const transfer = alert('t', { kind: { kind: 'toast', closes_at: 9 }, scenario: 'transferred' });
    const state = initialState(snapshot({ alerts: [alert('a'), transfer] }));
    expect(state.snapshot.alerts.map((n) => n.id)).toEqual(['offer:a']);
    expect(state.toasts.map((n) => n.id)).toEqual(['offer:t']);
  });

  it('adds bubbles once, ignoring a replay it already has', () => {
    let state = initialState(snapshot({ conversations: [conversation('c')] }));
    const bubble = { id: 2, author: { kind: 'agent' as const, name: 'Ann', mine: true }, text: 'Hi', sent_at: 2, attachments: [] };
    state = applyUpdate(state, { type: 'bubble', conversation: 'c', bubble });
    state = applyUpdate(state, { type: 'bubble', conversation: 'c', bubble });
    expect(state.snapshot.conversations[0].bubbles.map((b) => b.id)).toEqual([1, 2]);
  });

  it('shows the customer typing until the time the core gave, or until it says they stopped', () => {
    let state = initialState(snapshot({ conversations: [conversation('c')], tasks: [task('c', 1)] }));
    expect(customerTyping(state, 'c', 100)).toBe(false);
    state = applyUpdate(state, { type: 'typing', conversation: 'c', until: 6_100 });
    expect(customerTyping(state, 'c', 100)).toBe(true);
    expect(customerTyping(state, 'c', 6_100)).toBe(false);
    state = applyUpdate(state, { type: 'typing', conversation: 'c', until: null });
    expect(customerTyping(state, 'c', 100)).toBe(false);
    expect(customerTyping(state, 'other', 100)).toBe(false);
  });

  it('removes the task and its conversation together', () => {
    let state = initialState(snapshot({ conversations: [conversation('c')], tasks: [task('c', 1)] }));
    state = applyUpdate(state, { type: 'task_removed', conversation: 'c' });
    expect(state.snapshot.tasks).toEqual([]);
    expect(state.snapshot.conversations).toEqual([]);
  });

  it('updates tasks in place and lists the newest first', () => {
    let state = initialState(snapshot({ tasks: [task('old', 1), task('new', 2)] }));
    state = applyUpdate(state, { type: 'task', task: task('old', 3) });
    expect(state.snapshot.tasks).toHaveLength(2);
    expect(sortedTasks(state).map((t) => t.conversation)).toEqual(['old', 'new']);
  });

  it('closes toasts whose time is up and keeps the rest', () => {
    let state = initialState(snapshot());
    state = applyUpdate(state, { type: 'notify', notification: alert('x', { kind: { kind: 'toast', closes_at: 100 } }) });
    state = applyUpdate(state, { type: 'notify', notification: alert('y', { kind: { kind: 'toast', closes_at: 200 } }) });
    expect(expireToasts(state, 150).toasts.map((n) => n.id)).toEqual(['offer:y']);
  });

  it('follows presence, connection and profile changes', () => {
    let state = initialState(snapshot());
    state = applyUpdate(state, { type: 'presence', presence: { state: 'rona' } });
    state = applyUpdate(state, { type: 'connection', connection: { state: 'reconnecting', attempt: 2, reason: 'lost' } });
    expect(state.snapshot.presence).toEqual({ state: 'rona' });
    expect(state.snapshot.connection.state).toBe('reconnecting');
  });
});
