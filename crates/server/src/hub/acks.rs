//! Acknowledgements, gathered beside the hub. They decide nothing — an acknowledged event only
//! leaves the outbox — so they skip the hub's queue and join the committer's next group, only the
//! latest per stream. An event is delivered only after its group is committed, so its
//! acknowledgement always lands in a later group.

use std::collections::HashMap;
use std::sync::Mutex;

use switchboard_protocol::Seq;

#[derive(Debug, Default)]
pub(super) struct Acks(Mutex<HashMap<String, Seq>>);

impl Acks {
    /// The stream's client has applied every event up to `seq`.
    pub(super) fn record(&self, stream: String, seq: Seq) {
        let mut latest = self.0.lock().expect("never poisoned");
        let acked = latest.entry(stream).or_insert(seq);
        *acked = (*acked).max(seq);
    }

    /// Everything recorded since the last take, for the next group.
    pub(super) fn take(&self) -> Vec<(String, Seq)> {
        let taken = std::mem::take(&mut *self.0.lock().expect("never poisoned"));
        taken.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_latest_acknowledgement_per_stream_is_taken_once() {
        let acks = Acks::default();
        acks.record("agent:a".into(), 3);
        acks.record("agent:a".into(), 5);
        acks.record("agent:a".into(), 4);
        acks.record("customer:c".into(), 1);
        let mut taken = acks.take();
        taken.sort();
        assert_eq!(
            taken,
            [("agent:a".to_owned(), 5), ("customer:c".to_owned(), 1)]
        );
        assert!(acks.take().is_empty());
    }
}
