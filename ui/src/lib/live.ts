// The supervisor's live view: the server's pushes merged (the whole view, then what changed),
// and the rows the Supervisor tab shows, searched and sorted. Pure, so the merging and the
// figures are unit-tested.

import type { AgentFigures, LiveConversation, LiveUpdate, Presence, QueueFigures } from './types';

export interface LiveState {
  at: number;
  day_start: number;
  trend_start: number;
  queues: QueueFigures[];
  agents: Map<string, AgentFigures>;
  conversations: Map<string, LiveConversation>;
}

export function emptyLive(): LiveState {
  return { at: 0, day_start: 0, trend_start: 0, queues: [], agents: new Map(), conversations: new Map() };
}

/// `update` applied to `state`: a whole view replaces everything; otherwise the rows it carries
/// replace theirs and the conversations gone are dropped.
export function mergeLive(state: LiveState, update: LiveUpdate): LiveState {
  const base = update.whole ? emptyLive() : state;
  const queues = base.queues.slice();
  for (const queue of update.queues ?? []) {
    const index = queues.findIndex((known) => known.queue.id === queue.queue.id);
    if (index < 0) queues.push(queue);
    else queues[index] = queue;
  }
  const agents = new Map(base.agents);
  for (const agent of update.agents ?? []) agents.set(agent.agent.id, agent);
  const conversations = new Map(base.conversations);
  for (const conversation of update.conversations ?? []) conversations.set(conversation.id, conversation);
  for (const gone of update.gone ?? []) conversations.delete(gone);
  return { at: update.at, day_start: update.day_start, trend_start: update.trend_start, queues, agents, conversations };
}

/// The share of today's answered conversations answered within the target, in percent; none
/// before the first.
export function serviceLevel(queue: QueueFigures): number | null {
  return queue.answered === 0 ? null : Math.round((100 * queue.answered_in_target) / queue.answered);
}

export type AgentSort = 'name' | 'presence' | 'since' | 'load' | 'rona' | 'last_ended';

const PRESENCE_ORDER: Record<Presence['state'], number> = { available: 0, rona: 1, idle: 2, offline: 3 };

/// Agents matching `search` (name or e-mail), sorted by `by` (`descending` reverses it); ties by
/// name.
export function agentRows(
  state: LiveState,
  search: string,
  by: AgentSort,
  descending: boolean,
): AgentFigures[] {
  const wanted = search.trim().toLocaleLowerCase();
  const rows = [...state.agents.values()].filter(
    (row) =>
      wanted === '' ||
      row.agent.name.toLocaleLowerCase().includes(wanted) ||
      row.agent.email.toLocaleLowerCase().includes(wanted),
  );
  const key = (row: AgentFigures): number | string => {
    switch (by) {
      case 'name':
        return row.agent.name.toLocaleLowerCase();
      case 'presence':
        return PRESENCE_ORDER[row.presence.state];
      case 'since':
        return row.presence_since;
      case 'load':
        return row.capacity === 0 ? 0 : row.held / row.capacity;
      case 'rona':
        return row.rona_today;
      case 'last_ended':
        return row.last_ended_at ?? 0;
    }
  };
  const sign = descending ? -1 : 1;
  return rows.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    if (x < y) return -sign;
    if (x > y) return sign;
    return a.agent.name.localeCompare(b.agent.name);
  });
}

/// Open conversations matching `search` (customer, queue or agent name): waiting ones first,
/// longest waiting first, then the others, oldest first.
export function conversationRows(state: LiveState, search: string): LiveConversation[] {
  const wanted = search.trim().toLocaleLowerCase();
  const agentName = (id: string) => state.agents.get(id)?.agent.name ?? '';
  const holder = (row: LiveConversation) =>
    row.stage.stage === 'waiting' ? '' : agentName(row.stage.agent);
  const since = (row: LiveConversation) => (row.stage.stage === 'waiting' ? row.stage.since : row.started_at);
  return [...state.conversations.values()]
    .filter(
      (row) =>
        wanted === '' ||
        [row.customer_name, row.queue.name, holder(row)].some((text) =>
          text.toLocaleLowerCase().includes(wanted),
        ),
    )
    .sort((a, b) => {
      const waiting = Number(b.stage.stage === 'waiting') - Number(a.stage.stage === 'waiting');
      return waiting !== 0 ? waiting : since(a) - since(b);
    });
}
