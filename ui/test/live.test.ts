import { describe, expect, it } from 'vitest';
import { agentRows, conversationRows, emptyLive, mergeLive, serviceLevel } from '../src/lib/live';
import { liveView } from './fixtures.js';

const T0 = Date.parse('2026-11-20T10:00:00Z');

describe('the live view', () => {
  it('is replaced by a whole push and changed by the next', () => {
    const whole = mergeLive(emptyLive(), liveView(T0));
    expect(whole.queues.map((q) => q.queue.id)).toEqual(['general', 'billing']);
    expect([...whole.conversations.keys()]).toEqual(['c-max', 'c-zoe']);
    const base = liveView(T0);
    const changed = mergeLive(whole, {
      whole: false,
      at: T0 + 100,
      day_start: base.day_start,
      trend_start: base.trend_start,
      queues: [{ ...base.queues[1], waiting: 4 }],
      agents: [{ ...base.agents[1], rona_today: 3 }],
      gone: ['c-zoe'],
    });
    expect(changed.queues.map((q) => [q.queue.id, q.waiting])).toEqual([
      ['general', 1],
      ['billing', 4],
    ]);
    expect(changed.agents.get('bo')?.rona_today).toBe(3);
    expect(changed.agents.get('ann')?.held).toBe(1);
    expect([...changed.conversations.keys()]).toEqual(['c-max']);
    // A whole push again: what it does not name is gone.
    const again = mergeLive(changed, { ...liveView(T0 + 200), agents: [], conversations: [] });
    expect(again.agents.size).toBe(0);
    expect(again.conversations.size).toBe(0);
  });

  it('shows the service level as a share of today\'s answered, none before the first', () => {
    const [general, billing] = liveView(T0).queues;
    expect(serviceLevel(general)).toBe(75);
    expect(serviceLevel(billing)).toBe(100);
    expect(serviceLevel({ ...billing, answered: 0, answered_in_target: 0 })).toBeNull();
  });

  it('sorts and searches agents, ties by name', () => {
    const state = mergeLive(emptyLive(), liveView(T0));
    const names = (rows: ReturnType<typeof agentRows>) => rows.map((row) => row.agent.name);
    expect(names(agentRows(state, '', 'name', false))).toEqual(['Ann Novák', 'Bo Berg', 'Cécile Martin']);
    expect(names(agentRows(state, '', 'rona', true))).toEqual(['Bo Berg', 'Cécile Martin', 'Ann Novák']);
    expect(names(agentRows(state, '', 'presence', false))).toEqual(['Ann Novák', 'Bo Berg', 'Cécile Martin']);
    expect(names(agentRows(state, '', 'load', true))[0]).toBe('Ann Novák');
    expect(names(agentRows(state, 'CÉC', 'name', false))).toEqual(['Cécile Martin']);
    expect(names(agentRows(state, 'bo@example', 'name', false))).toEqual(['Bo Berg']);
  });

  it('lists waiting conversations first and finds them by customer, queue or agent', () => {
    const state = mergeLive(emptyLive(), liveView(T0));
    expect(conversationRows(state, '').map((row) => row.id)).toEqual(['c-max', 'c-zoe']);
    expect(conversationRows(state, 'ann').map((row) => row.id)).toEqual(['c-zoe']);
    expect(conversationRows(state, 'billing').map((row) => row.id)).toEqual(['c-zoe']);
    expect(conversationRows(state, 'müller').map((row) => row.id)).toEqual(['c-max']);
  });
});
