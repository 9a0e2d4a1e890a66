//! What the SQL stores share: records kept as JSON, rows read as tuples, and what a batch writes
//! once its steps are merged (the latest state of each record, the events still unacknowledged).

use std::collections::HashMap;

use switchboard_protocol::{
    AgentId, ChatMessage, ContactId, ConversationId, Millis, Presence, Seq,
};

use super::{AgentRecord, Batch, ConversationRecord, StoreError, StoreResult};
use crate::contacts::{ContactFields, ContactRecord};

pub(super) fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("records serialize")
}

pub(super) fn parse<T: serde::de::DeserializeOwned>(text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(StoreError::from)
}

/// The columns of an agent, in the order of [`AgentRow`].
pub(super) const AGENT_COLUMNS: &str =
    "id, email, name, password_hash, queues, capacity, presence, presence_since, role";

/// An agent's row: see [`AGENT_COLUMNS`].
pub(super) type AgentRow = (
    String,
    String,
    String,
    String,
    String,
    Option<i64>,
    String,
    i64,
    String,
);

pub(super) fn agent(row: AgentRow) -> StoreResult<AgentRecord> {
    let (id, email, name, password_hash, queues, capacity, presence, presence_since, role) = row;
    Ok(AgentRecord {
        id: AgentId(id),
        email,
        name,
        password_hash,
        queues: parse(&queues)?,
        capacity: capacity.map(|c| c as u32),
        presence: parse::<Presence>(&presence)?,
        presence_since: presence_since as Millis,
        role: role.parse().map_err(StoreError::Corrupt)?,
    })
}

/// The columns of a contact, in the order of [`ContactRow`].
pub(super) const CONTACT_COLUMNS: &str =
    "id, name, email, mobile_phone, notes, external_id, facebook_id";

/// A contact's row: see [`CONTACT_COLUMNS`].
pub(super) type ContactRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

pub(super) fn contact(row: ContactRow) -> ContactRecord {
    let (id, name, email, mobile_phone, notes, external_id, facebook_id) = row;
    ContactRecord {
        id: ContactId(id),
        fields: ContactFields {
            name,
            email,
            mobile_phone,
            notes,
            external_id,
            facebook_id,
        },
    }
}

/// Open conversations (their records, as stored) with their threads (their messages' bodies,
/// ordered by conversation and then by message): each record with its thread.
pub(super) fn threads(
    records: &[String],
    bodies: &[String],
) -> StoreResult<Vec<(ConversationRecord, Vec<ChatMessage>)>> {
    let mut threads: HashMap<ConversationId, Vec<ChatMessage>> = HashMap::new();
    for body in bodies {
        let message: ChatMessage = parse(body)?;
        threads
            .entry(message.conversation.clone())
            .or_default()
            .push(message);
    }
    records
        .iter()
        .map(|record| {
            let record: ConversationRecord = parse(record)?;
            let thread = threads.remove(&record.id).unwrap_or_default();
            Ok((record, thread))
        })
        .collect()
}

/// A `LIKE` pattern finding `search` anywhere, its wildcards escaped with `\`.
pub(super) fn containing(search: &str) -> String {
    let escaped = search
        .trim()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// What a merged batch writes: each record once, in its latest state, and only the events that
/// its acknowledgements have not already made unnecessary.
pub(super) struct Writes<'a> {
    /// The latest record of each conversation the batch changed.
    pub(super) conversations: Vec<&'a ConversationRecord>,
    /// The latest presence of each agent.
    pub(super) presences: Vec<(&'a AgentId, &'a Presence, Millis)>,
    /// The latest token of each conversation given a new one.
    pub(super) tokens: Vec<(&'a ConversationId, &'a str)>,
    /// Events their client had not acknowledged by the end of the batch.
    pub(super) unacknowledged: Vec<&'a (String, Seq, String)>,
    /// The last sequence number given out on each stream the batch wrote to.
    pub(super) heads: Vec<(&'a str, Seq)>,
    /// The latest reply to each command.
    pub(super) replies: Vec<&'a (String, String, String)>,
    /// How far each stream's client has acknowledged.
    pub(super) acknowledged: Vec<(&'a str, Seq)>,
}

impl<'a> Writes<'a> {
    pub(super) fn of(batch: &'a Batch) -> Writes<'a> {
        let mut acknowledged: HashMap<&str, Seq> = HashMap::new();
        for (stream, seq) in &batch.acks {
            let acked = acknowledged.entry(stream).or_default();
            *acked = (*acked).max(*seq);
        }
        // An event its client acknowledged within the same batch is never written: most events
        // are, when a second's worth of steps is written at once.
        let unacknowledged = batch
            .outbox
            .iter()
            .filter(|(stream, seq, _)| {
                acknowledged
                    .get(stream.as_str())
                    .is_none_or(|acked| seq > acked)
            })
            .collect();
        let mut heads: HashMap<&str, Seq> = HashMap::new();
        for (stream, seq, _) in &batch.outbox {
            let head = heads.entry(stream).or_default();
            *head = (*head).max(*seq);
        }
        Writes {
            conversations: latest(&batch.conversations, |record| &record.id),
            presences: latest(&batch.presences, |(agent, ..)| agent)
                .into_iter()
                .map(|(agent, presence, since)| (agent, presence, *since))
                .collect(),
            tokens: latest(&batch.tokens, |(conversation, _)| conversation)
                .into_iter()
                .map(|(conversation, token)| (conversation, token.as_str()))
                .collect(),
            unacknowledged,
            heads: heads.into_iter().collect(),
            replies: latest(&batch.replies, |(stream, command, _)| (stream, command)),
            acknowledged: acknowledged.into_iter().collect(),
        }
    }

    /// The heads an outbox kept as PostgreSQL keeps it does not already tell: a stream's head is
    /// its last event written, unless the batch's last events on it were acknowledged within
    /// the batch and so never written.
    pub(super) fn heads_beyond_outbox(&self) -> Vec<(&'a str, Seq)> {
        let mut written: HashMap<&str, Seq> = HashMap::new();
        for (stream, seq, _) in &self.unacknowledged {
            let last = written.entry(stream.as_str()).or_default();
            *last = (*last).max(*seq);
        }
        self.heads
            .iter()
            .filter(|(stream, head)| written.get(stream).is_none_or(|last| last < head))
            .copied()
            .collect()
    }
}

/// The last of `items` for each key, in the order the keys first appear.
fn latest<'a, T, K: std::hash::Hash + Eq>(items: &'a [T], key: impl Fn(&'a T) -> K) -> Vec<&'a T> {
    let mut position: HashMap<K, usize> = HashMap::with_capacity(items.len());
    let mut kept: Vec<&T> = Vec::with_capacity(items.len());
    for item in items {
        match position.entry(key(item)) {
            std::collections::hash_map::Entry::Occupied(at) => kept[*at.get()] = item,
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(kept.len());
                kept.push(item);
            }
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_merged_batch_writes_each_record_once_in_its_latest_state() {
        let batch = Batch {
            presences: vec![
                (AgentId("ann".into()), Presence::Available, 1),
                (AgentId("bo".into()), Presence::Available, 2),
                (AgentId("ann".into()), Presence::Offline, 3),
            ],
            outbox: vec![
                ("a".into(), 1, "one".into()),
                ("a".into(), 2, "two".into()),
                ("b".into(), 7, "seven".into()),
            ],
            acks: vec![("a".into(), 1), ("a".into(), 0)],
            replies: vec![
                ("a".into(), "c1".into(), "first".into()),
                ("a".into(), "c1".into(), "again".into()),
            ],
            ..Batch::default()
        };
        let writes = Writes::of(&batch);
        let presences: Vec<_> = writes
            .presences
            .iter()
            .map(|(agent, presence, since)| (agent.0.as_str(), (*presence).clone(), *since))
            .collect();
        assert_eq!(
            presences,
            [
                ("ann", Presence::Offline, 3),
                ("bo", Presence::Available, 2)
            ]
        );
        let unacknowledged: Vec<_> = writes.unacknowledged.iter().map(|(_, _, e)| e).collect();
        assert_eq!(unacknowledged, ["two", "seven"]);
        let mut heads = writes.heads.clone();
        heads.sort();
        assert_eq!(heads, [("a", 2), ("b", 7)]);
        assert_eq!(
            writes.heads_beyond_outbox(),
            [],
            "each stream's last event is written"
        );
        assert_eq!(writes.acknowledged, [("a", 1)]);
        assert_eq!(writes.replies.len(), 1);
        assert_eq!(writes.replies[0].2, "again");
        // Acknowledged within the batch up to its last event: only the head tells how far it went.
        let acked_last = Batch {
            acks: vec![("a".into(), 2)],
            ..batch.clone()
        };
        assert_eq!(Writes::of(&acked_last).heads_beyond_outbox(), [("a", 2)]);
    }
}
