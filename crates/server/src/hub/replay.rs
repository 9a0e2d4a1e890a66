//! A client coming back: what it missed is read from the store and sent off the hub, because
//! reading the outbox waits for the journal to be applied, and routing never waits for the disk.
//!
//! Until the replay is done, the stream's live frames go to a holding queue; the replay sends
//! what it read, then passes the held frames on (those it already sent are skipped by sequence
//! number), so the client gets every event once, in order, and every reply.

use switchboard_protocol::Seq;

use super::committer::Pending;
use super::connection::{FrameReceiver, FrameSender, Live};
use super::{Hub, frame_event};
use crate::store::Store;

impl<S: Store> Hub<S> {
    /// Records that `stream`'s client has applied its events through `seq`, which cannot be past
    /// the last event given out on it: a client acknowledging more must not make the stream's
    /// head (which acknowledgements may store) jump. A forgotten stream's head is not known.
    pub(super) fn acknowledge(&self, pending: &mut Pending, stream: String, seq: Seq) {
        let seq = self.heads.get(&stream).map_or(seq, |head| seq.min(*head));
        pending.batch.acks.push((stream, seq));
    }

    /// Makes `frames` the connection of `stream`, sending first what followed `last_seq`.
    pub(super) fn attach(
        &mut self,
        stream: String,
        last_seq: Seq,
        frames: FrameSender,
        connection: u64,
        pending: &mut Pending,
    ) {
        frames.follows(&stream);
        let head = self.heads.get(&stream).copied().unwrap_or(0);
        if last_seq >= head {
            self.live.insert(stream, Live { connection, frames });
            return;
        }
        self.replay_then_attach(stream, last_seq, head, frames, connection, pending);
    }

    /// Sends `frames` what the store holds for `stream` after `last_seq` (up to `head` at least),
    /// then makes it the stream's connection. Called directly for a stream whose head the hub no
    /// longer keeps (a closed conversation's), with `head` = `last_seq`.
    pub(super) fn replay_then_attach(
        &mut self,
        stream: String,
        last_seq: Seq,
        head: Seq,
        frames: FrameSender,
        connection: u64,
        pending: &mut Pending,
    ) {
        frames.follows(&stream);
        let (held, held_frames) = super::connection::connection();
        self.live.insert(
            stream.clone(),
            Live {
                connection,
                frames: held,
            },
        );
        let store = self.store.clone();
        // Once this group is committed, every event up to `head` is in the journal: the read
        // below waits until it is applied, and then finds each one not yet acknowledged.
        pending.answers.push(Box::new(move || {
            tokio::spawn(replay(store, stream, last_seq, head, held_frames, frames));
        }));
    }
}

/// The sequence number of an event frame (`{"type":"event","seq":N,…}`); none for other frames.
fn event_seq(frame: &str) -> Option<Seq> {
    let rest = frame.strip_prefix(r#"{"type":"event","seq":"#)?;
    let end = rest.find(|c: char| !c.is_ascii_digit())?;
    rest[..end].parse().ok()
}

async fn replay<S: Store>(
    store: S,
    stream: String,
    last_seq: Seq,
    head: Seq,
    mut held: FrameReceiver,
    frames: FrameSender,
) {
    let mut through = head;
    match store.outbox_after(&stream, last_seq).await {
        Ok(events) => {
            for (seq, event) in events {
                if !frames.try_send(frame_event(seq, &event)) {
                    return;
                }
                through = through.max(seq);
            }
        }
        Err(error) => {
            tracing::error!(%error, stream, "could not read what a client missed; closing its connection");
            frames.give_up();
            return;
        }
    }
    loop {
        tokio::select! {
            frame = held.frames.recv() => {
                let Some(frame) = frame else { return };
                if event_seq(&frame).is_some_and(|seq| seq <= through) {
                    continue;
                }
                if !frames.try_send(frame) {
                    return;
                }
            }
            last_word = held.end.notified() => {
                match last_word {
                    Some(frame) => frames.close_with(frame),
                    None => frames.give_up(),
                }
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_frame_says_its_sequence_number_and_other_frames_none() {
        assert_eq!(event_seq(&frame_event(42, r#"{"type":"x"}"#)), Some(42));
        assert_eq!(event_seq(r#"{"type":"reply","id":"c1"}"#), None);
    }
}
