//! The committer: groups of routing steps are committed to the store in order, each group's
//! frames and answers delivered only after its commit, while the hub routes the next.

use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use switchboard_protocol::Seq;

use super::connection::FrameSender;
use super::pace::Pace;
use super::{Hub, frame_event, json};
use crate::channels::courier::Delivery;
use crate::routing::Emit;
use crate::store::{Batch, Store, StoreError};

/// Requests handled but not yet committed: what to write, then what to deliver.
#[derive(Default)]
pub(super) struct Pending {
    pub(super) batch: Batch,
    /// Frames and events, in the order they were produced: events are serialized by the
    /// committer, beside the hub, which only decides.
    pub(super) outgoing: Vec<Outgoing>,
    /// Answers owed to the edges once committed (which conversation a customer is in, or that
    /// a provider's message is stored).
    pub(super) answers: Vec<Box<dyn FnOnce() + Send>>,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("batch", &self.batch)
            .field("outgoing", &self.outgoing.len())
            .field("answers", &self.answers.len())
            .finish()
    }
}

/// Something for clients, once its group is committed.
// Most are events: boxing them would cost an allocation each.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(super) enum Outgoing {
    /// A frame for a live connection: a command's reply.
    Frame(FrameSender, String),
    /// An event numbered `seq` on `stream`: stored in the outbox, then sent to the stream's live
    /// connection, if it has one (an errand goes to the courier instead).
    Event {
        stream: String,
        seq: Seq,
        emit: Emit,
        live: Option<FrameSender>,
    },
}

/// What the committer does, in order.
#[derive(Debug)]
pub(super) enum Work {
    /// Commit a group, then deliver its frames and answers.
    Commit(Box<Pending>),
    /// Answer once everything sent before is committed and delivered.
    Barrier(oneshot::Sender<()>),
}

/// Commits groups in order and delivers each group's frames after its commit, while the hub
/// routes the next: a routing step never waits for the disk, a frame never leaves before its
/// commit. Whatever has queued up while a commit ran goes into the next one together.
pub(super) async fn commit_in_order<S: Store>(
    store: S,
    mut work: mpsc::Receiver<Work>,
    courier: mpsc::UnboundedSender<Delivery>,
) -> Result<(), StoreError> {
    let mut pace = Pace::new(store.commit_pacing());
    while let Some(first) = work.recv().await {
        // What arrives before the pace allows the next commit joins it.
        pace.start().await;
        let mut merged = Pending::default();
        let mut next = Some(first);
        while let Some(item) = next.take() {
            match item {
                Work::Commit(pending) => merged.absorb(*pending),
                Work::Barrier(done) => {
                    commit_and_deliver(&store, std::mem::take(&mut merged), &courier).await?;
                    let _ = done.send(());
                }
            }
            next = work.try_recv().ok();
        }
        commit_and_deliver(&store, merged, &courier).await?;
    }
    Ok(())
}

/// A commit slower than this is reported: every frame of its group waited for it.
const SLOW_COMMIT: Duration = Duration::from_millis(50);

/// Serializes a group's events into its batch's outbox; returns what to send, in order, and the
/// errands for the courier.
fn serialize(
    batch: &mut Batch,
    outgoing: Vec<Outgoing>,
) -> (Vec<(FrameSender, String)>, Vec<Delivery>) {
    let mut frames = Vec::with_capacity(outgoing.len());
    let mut errands = Vec::new();
    for item in outgoing {
        let (stream, seq, emit, live) = match item {
            Outgoing::Frame(connection, frame) => {
                frames.push((connection, frame));
                continue;
            }
            Outgoing::Event {
                stream,
                seq,
                emit,
                live,
            } => (stream, seq, emit, live),
        };
        let event = match emit {
            Emit::Agent(_, event) => json(&event),
            Emit::Customer(_, event) => json(&event),
            Emit::Errand(errand) => {
                let event = json(&errand);
                errands.push((seq, errand));
                event
            }
        };
        if let Some(connection) = live {
            frames.push((connection, frame_event(seq, &event)));
        }
        batch.outbox.push((stream, seq, event));
    }
    (frames, errands)
}

async fn commit_and_deliver<S: Store>(
    store: &S,
    mut pending: Pending,
    courier: &mpsc::UnboundedSender<Delivery>,
) -> Result<(), StoreError> {
    let (frames, errands) = serialize(&mut pending.batch, pending.outgoing);
    let started = Instant::now();
    let rows = pending.batch.messages.len() + pending.batch.outbox.len();
    let committed = store.commit(pending.batch).await;
    let metrics = crate::metrics::get();
    metrics
        .commit_seconds
        .observe(started.elapsed().as_secs_f64());
    metrics.commit_rows.observe(rows as f64);
    if started.elapsed() > SLOW_COMMIT {
        tracing::warn!(
            milliseconds = started.elapsed().as_millis() as u64,
            rows,
            "slow commit"
        );
    }
    if let Err(error) = committed {
        tracing::error!(%error, "a routing step could not be stored; stopping so that a restart reloads the stored state");
        return Err(error);
    }
    for (connection, frame) in frames {
        connection.try_send(frame);
    }
    for delivery in errands {
        // The courier stops only with the server; the errand stays in the outbox till then.
        let _ = courier.send(delivery);
    }
    for answer in pending.answers {
        answer();
    }
    Ok(())
}

impl Pending {
    /// Appends a later group to this one.
    fn absorb(&mut self, later: Pending) {
        self.batch.absorb(later.batch);
        self.outgoing.extend(later.outgoing);
        self.answers.extend(later.answers);
    }
}

/// Groups waiting for the committer before the hub slows down to its pace.
pub(super) const COMMIT_QUEUE: usize = 64;

impl<S: Store> Hub<S> {
    /// Hands the group to the committer.
    pub(super) async fn flush(&mut self, pending: Pending) -> Result<(), StoreError> {
        if self
            .committer
            .send(Work::Commit(Box::new(pending)))
            .await
            .is_err()
        {
            return Err(self.committer_failure().await);
        }
        Ok(())
    }

    /// Commits what is pending and waits until everything is committed and delivered.
    pub(super) async fn settle(&mut self, pending: &mut Pending) -> Result<(), StoreError> {
        self.flush(std::mem::take(pending)).await?;
        let (done, settled) = oneshot::channel();
        if self.committer.send(Work::Barrier(done)).await.is_err() || settled.await.is_err() {
            return Err(self.committer_failure().await);
        }
        Ok(())
    }

    /// The committer's error, once it has stopped.
    async fn committer_failure(&mut self) -> StoreError {
        match self.committer_task.take() {
            Some(task) => match task.await {
                Ok(Err(error)) => error,
                _ => StoreError::Stopped("the committer stopped".into()),
            },
            None => StoreError::Stopped("the committer stopped".into()),
        }
    }

    /// The server is stopping: commit the last group and wait for every commit to finish.
    pub(super) async fn finish(mut self, pending: Pending) -> Result<(), StoreError> {
        self.flush(pending).await?;
        let Hub {
            committer,
            committer_task,
            ..
        } = self;
        drop(committer);
        match committer_task {
            Some(task) => task
                .await
                .unwrap_or_else(|_| Err(StoreError::Stopped("the committer panicked".into()))),
            None => Ok(()),
        }
    }
}
