//! Facts: what happened to each conversation — offered, accepted, rejected, RONA, abandoned,
//! transferred, escalated, ended — recorded by the step that decided it and stored with it, so
//! that reports are counted from what happened (across restarts, and later across nodes) rather
//! than recomputed from the live model.

use serde::{Deserialize, Serialize};
use switchboard_protocol::{AgentId, Channel, ConversationId, Millis, QueueId};

use super::{ConversationRecord, Effects, Router};

/// One thing that happened to a conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    pub conversation: ConversationId,
    /// Its number among the conversation's facts: a step applied twice stores it once.
    pub number: u64,
    pub at: Millis,
    /// The queue the conversation was in when it happened.
    pub queue: QueueId,
    pub channel: Channel,
    /// The agent it happened with, if any.
    pub agent: Option<AgentId>,
    #[serde(flatten)]
    pub kind: FactKind,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FactKind {
    /// Offered to the agent: from a queue, or as a transfer or a conference.
    Offered,
    /// The agent accepted, `waited` milliseconds after the conversation started waiting in its
    /// queue (`None` for a transfer or a conference, which did not wait in a queue).
    Accepted {
        waited: Option<Millis>,
    },
    Rejected,
    /// The offer to the agent expired unanswered.
    Rona,
    /// The customer left, or was lost, before any agent accepted, after `waited` milliseconds.
    Abandoned {
        waited: Millis,
    },
    /// The agent transferred it to a queue or to another agent (once that agent accepted),
    /// after holding it `handled` milliseconds.
    Transferred {
        handled: Millis,
    },
    /// The agent escalated it, after holding it `handled` milliseconds.
    Escalated {
        handled: Millis,
    },
    /// It ended; the agent who held it gave `wrap_up`, after holding it `handled` milliseconds
    /// (`None`: it was not held, or was moved to waiting).
    Ended {
        wrap_up: Option<String>,
        handled: Option<Millis>,
    },
    /// The agent gave the wrap-up reason of a conversation they transferred or escalated.
    WrappedUp {
        wrap_up: String,
    },
    /// The customer rated the chat the agent (the last who held it) had: 1 to 5 stars.
    Surveyed {
        rating: u8,
    },
}

impl Router {
    /// Records that `kind` happened to conversation `id` (still open) with `agent`.
    pub(super) fn record_fact(
        &mut self,
        id: &ConversationId,
        agent: Option<&AgentId>,
        kind: FactKind,
        now: Millis,
        fx: &mut Effects,
    ) {
        let record = &mut self.conversations.get_mut(id).expect("open").record;
        fact(record, agent, kind, now, fx);
    }
}

/// Records that `kind` happened to `record`'s conversation with `agent`; the record, which
/// counts its facts, is stored with it.
pub(super) fn fact(
    record: &mut ConversationRecord,
    agent: Option<&AgentId>,
    kind: FactKind,
    now: Millis,
    fx: &mut Effects,
) {
    record.next_fact += 1;
    fx.facts.push(Fact {
        conversation: record.id.clone(),
        number: record.next_fact,
        at: now,
        queue: record.queue.clone(),
        channel: record.channel,
        agent: agent.cloned(),
        kind,
    });
    fx.touch(record);
}
