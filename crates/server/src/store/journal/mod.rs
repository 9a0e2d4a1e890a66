//! A write-ahead journal in front of a [`Store`]. A routing step is durable once its batch is
//! appended to a journal file with one `write` and, with [`Durability::Power`] (the default),
//! synced to the disk with `fdatasync` — before any of its events is delivered. With
//! [`Durability::Process`] the write alone counts: it survives a crash of the process, and a
//! power cut may lose the last steps. Frames then leave without waiting for the database, and a background task applies
//! the journal to the store every few seconds, in large groups: a commit costs far less per row
//! than in the small groups latency would allow, and most events are acknowledged by their
//! clients within the same group, so that they never reach the database at all. Reads of routing
//! state that must see every step ask the applier to apply at once and wait for it.
//!
//! At open, what the journal holds past the last applied position (`applied`, written after each
//! apply) is applied to the store before anything else runs. Applying batches is idempotent in
//! order (inserts skip rows already there, updates overwrite, deletes repeat), so batches applied
//! just before a crash, whose position was not yet written, are safely applied again.

use std::collections::VecDeque;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use switchboard_protocol::agent::Role;
use switchboard_protocol::{AgentId, ChatMessage, ConversationId, Millis, QueueId, Seq};
use tokio::sync::{Notify, Semaphore, mpsc, oneshot, watch};

use super::{AgentRecord, Batch, ConversationRecord, Store, StoreError, StoreResult};
use crate::config::Durability;
use crate::private;
use applier::apply;
use segments::{APPLIED_FILE, SEGMENT_BYTES, Writer, failed, read_segments};

mod applier;
mod segments;
#[cfg(test)]
mod tests;

/// Journaled bytes (in KiB) not yet applied before appending waits for the store: enough for
/// several seconds at full load, so that a slow moment of the database (a checkpoint) never holds
/// up routing, and a bound on the memory the waiting batches take.
const UNAPPLIED_KIB: usize = 256 * 1024;
/// With syncs, commits start at least this far apart: whatever arrives meanwhile shares the next
/// sync. Each `fdatasync` costs the disk a flush and the CPU a tenth of a millisecond; without a
/// pace, a busy server syncs thousands of tiny groups a second. At the documented load 2 ms took
/// 15 points of a core less than 1 ms at the same p99 (a step alone still commits at once).
const SYNC_PACING: Duration = Duration::from_millis(2);

/// A store whose commits go through a journal; see the module documentation.
#[derive(Clone, Debug)]
pub struct Journaled<S> {
    inner: S,
    shared: Arc<Shared>,
    /// With syncs, appends go to a thread of their own: a sync waits for the disk, which the
    /// runtime's threads must not, and one thread that waits for work costs fewer wake-ups and
    /// context switches per commit than the runtime's pool of blocking threads.
    synced_appends: Option<std::sync::mpsc::Sender<SyncedAppend>>,
}

/// A batch to append and sync, and where to say how it went.
type SyncedAppend = ((Batch, Vec<u8>, u32), oneshot::Sender<StoreResult<()>>);

#[derive(Debug)]
struct Shared {
    directory: PathBuf,
    /// Never held across an await: appending is one write (and a sync).
    writer: std::sync::Mutex<Writer>,
    /// Sealed segments not yet deleted, with the number of batches appended when each was sealed.
    /// Apart from the writer: the applier deletes segments while a commit may hold the writer.
    sealed: std::sync::Mutex<VecDeque<(u64, u64)>>,
    to_apply: mpsc::UnboundedSender<Appended>,
    /// The number of batches appended so far. Apart from [`Progress`]: whoever waits on the
    /// progress (the server, for a failure) would otherwise wake at every commit.
    appended: AtomicU64,
    /// Room for unapplied batches, in KiB of journal.
    room: Arc<Semaphore>,
    /// Asks the applier to apply what it has now: someone waits to read.
    hurry: Notify,
    progress: watch::Sender<Progress>,
}

/// A batch appended to the journal, on its way to the store.
#[derive(Debug)]
struct Appended {
    /// Its number: how many batches were appended up to and including it.
    number: u64,
    batch: Batch,
    /// Where the journal stands after it: segment and offset.
    end: (u64, u64),
    /// The room it takes until applied.
    kib: u32,
}

/// How far the applier has come.
#[derive(Clone, Debug, Default)]
struct Progress {
    /// The number of them applied to the store.
    applied: u64,
    /// Why the applier stopped, if it did: nothing is committed after that.
    failure: Option<StoreError>,
    /// A transient failure the applier is retrying (another process holds the database): steps
    /// are still journaled, but reads that must see them wait.
    retrying: Option<StoreError>,
}

impl<S: Store> Journaled<S> {
    /// Applies what a previous run left in `directory` to `inner`, then journals in front of it,
    /// each step synced to the disk before it counts ([`Durability::Power`]).
    pub async fn open(inner: S, directory: &Path) -> StoreResult<Journaled<S>> {
        Journaled::open_with(inner, directory, Durability::Power).await
    }

    /// [`Journaled::open`] with the durability the configuration asks for.
    pub async fn open_with(
        inner: S,
        directory: &Path,
        durability: Durability,
    ) -> StoreResult<Journaled<S>> {
        Journaled::open_sealing_at(inner, directory, SEGMENT_BYTES, durability).await
    }

    async fn open_sealing_at(
        inner: S,
        directory: &Path,
        segment_limit: u64,
        durability: Durability,
    ) -> StoreResult<Journaled<S>> {
        private::create_dir(directory).map_err(|e| failed(directory, e))?;
        let (paths, batches) = read_segments(directory)?;
        if !batches.is_empty() {
            tracing::info!(
                batches = batches.len(),
                "applying the journal left by the previous run"
            );
            let mut replay = Batch::default();
            for batch in batches {
                replay.absorb(batch);
            }
            inner.commit(replay).await?;
        }
        for path in &paths {
            fs::remove_file(path).map_err(|e| failed(path, e))?;
        }
        // This run's journal starts at segment 1 again: nothing of it is applied yet.
        let applied = directory.join(APPLIED_FILE);
        if applied.exists() {
            fs::remove_file(&applied).map_err(|e| failed(&applied, e))?;
        }
        let (to_apply, receiver) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            directory: directory.to_owned(),
            writer: std::sync::Mutex::new(Writer::create(
                directory,
                1,
                segment_limit,
                durability == Durability::Power,
            )?),
            sealed: std::sync::Mutex::default(),
            to_apply,
            appended: AtomicU64::new(0),
            room: Arc::new(Semaphore::new(UNAPPLIED_KIB)),
            hurry: Notify::new(),
            progress: watch::Sender::new(Progress::default()),
        });
        tokio::spawn(apply(inner.clone(), receiver, shared.clone()));
        let synced_appends = match durability {
            Durability::Power => Some(append_and_sync_on_a_thread(&shared)?),
            Durability::Process => None,
        };
        Ok(Journaled {
            inner,
            shared,
            synced_appends,
        })
    }
}

impl<S> Journaled<S> {
    /// The store behind the journal, for what does not go through it.
    pub(super) fn inner(&self) -> &S {
        &self.inner
    }
}

impl<S: Store> Store for Journaled<S> {
    /// Completes when the store has failed for good (the applier stopped), with the reason.
    async fn failed(&self) -> StoreError {
        let mut progress = self.shared.progress.subscribe();
        let failed = progress
            .wait_for(|progress| progress.failure.is_some())
            .await;
        match failed {
            Ok(progress) => progress.failure.clone().expect("waited for it"),
            Err(_) => StoreError::Stopped("the journal stopped".into()),
        }
    }

    /// Waits until everything appended so far is applied to the store (asking for it at once).
    async fn caught_up(&self) -> StoreResult<()> {
        let target = self.shared.appended.load(Ordering::Acquire);
        if self.shared.progress.borrow().applied < target {
            self.shared.hurry.notify_one();
        }
        let mut progress = self.shared.progress.subscribe();
        let reached = progress
            .wait_for(|progress| progress.applied >= target || progress.failure.is_some())
            .await
            .map_err(|_| StoreError::Stopped("the journal stopped".into()))?;
        match &reached.failure {
            Some(failure) => Err(failure.clone()),
            None => Ok(()),
        }
    }

    async fn agents(&self) -> StoreResult<Vec<AgentRecord>> {
        self.caught_up().await?;
        self.inner.agents().await
    }

    async fn agent_by_email(&self, email: &str) -> StoreResult<Option<AgentRecord>> {
        self.caught_up().await?;
        self.inner.agent_by_email(email).await
    }

    async fn insert_agent(&self, agent: &AgentRecord) -> StoreResult<()> {
        self.inner.insert_agent(agent).await
    }

    async fn set_password(&self, agent: &AgentId, hash: &str) -> StoreResult<bool> {
        self.inner.set_password(agent, hash).await
    }

    async fn set_agent_work(
        &self,
        agent: &AgentId,
        name: &str,
        queues: &[QueueId],
        capacity: Option<u32>,
    ) -> StoreResult<bool> {
        self.inner
            .set_agent_work(agent, name, queues, capacity)
            .await
    }

    async fn set_role(&self, agent: &AgentId, role: Role) -> StoreResult<bool> {
        self.inner.set_role(agent, role).await
    }

    async fn remove_agent(&self, agent: &AgentId) -> StoreResult<bool> {
        self.inner.remove_agent(agent).await
    }

    async fn create_session(
        &self,
        token_hash: &str,
        agent: &AgentId,
        expires_at: Millis,
    ) -> StoreResult<()> {
        self.inner
            .create_session(token_hash, agent, expires_at)
            .await
    }

    async fn session_agent(
        &self,
        token_hash: &str,
        now: Millis,
    ) -> StoreResult<Option<(AgentId, Millis)>> {
        self.inner.session_agent(token_hash, now).await
    }

    async fn end_session(&self, token_hash: &str) -> StoreResult<bool> {
        self.inner.end_session(token_hash).await
    }

    async fn end_sessions(&self, agent: &AgentId) -> StoreResult<()> {
        self.inner.end_sessions(agent).await
    }

    async fn open_conversations(&self) -> StoreResult<Vec<(ConversationRecord, Vec<ChatMessage>)>> {
        self.caught_up().await?;
        self.inner.open_conversations().await
    }

    /// Asked off the hub, for pages before the one routing keeps: it hurries the applier, so the
    /// wait is one apply, not the rest of `APPLY_EVERY`.
    async fn messages_before(
        &self,
        conversation: &ConversationId,
        before: u64,
        limit: usize,
    ) -> StoreResult<Vec<ChatMessage>> {
        self.caught_up().await?;
        self.inner
            .messages_before(conversation, before, limit)
            .await
    }

    /// As the store stands, without waiting: the hub, its only reader, knows the tokens this run
    /// gave out (see `hub/tokens.rs`).
    async fn conversation_by_token(&self, token_hash: &str) -> StoreResult<Option<ConversationId>> {
        self.inner.conversation_by_token(token_hash).await
    }

    async fn stream_heads(&self) -> StoreResult<Vec<(String, Seq)>> {
        self.caught_up().await?;
        self.inner.stream_heads().await
    }

    async fn outbox_after(&self, stream: &str, seq: Seq) -> StoreResult<Vec<(Seq, String)>> {
        self.caught_up().await?;
        self.inner.outbox_after(stream, seq).await
    }

    async fn removed_queues(&self) -> StoreResult<Vec<QueueId>> {
        self.caught_up().await?;
        self.inner.removed_queues().await
    }

    /// As the store stands, without waiting: the hub, its only reader, reads a stream's replies
    /// once, before its first command of this run, so it only needs those of earlier runs (all
    /// applied at open); this run's it remembers itself.
    async fn replies(&self, stream: &str) -> StoreResult<Vec<(String, String)>> {
        self.inner.replies(stream).await
    }

    /// Asked only for a command answered long ago in this run or an earlier one: waiting for the
    /// journal to be applied is rare enough.
    async fn reply(&self, stream: &str, id: &str) -> StoreResult<Option<String>> {
        self.caught_up().await?;
        self.inner.reply(stream, id).await
    }

    async fn prune_replies(&self, before: Millis) -> StoreResult<()> {
        self.caught_up().await?;
        self.inner.prune_replies(before).await
    }

    /// Failing while the applier retries (transiently) or after it stopped (for good).
    fn health(&self) -> StoreResult<()> {
        let progress = self.shared.progress.borrow();
        match (&progress.failure, &progress.retrying) {
            (Some(failure), _) | (None, Some(failure)) => Err(failure.clone()),
            (None, None) => Ok(()),
        }
    }

    /// The journal takes steps while the database is out of reach (it applies them later).
    fn accepting(&self) -> StoreResult<()> {
        match &self.shared.progress.borrow().failure {
            Some(failure) => Err(failure.clone()),
            None => Ok(()),
        }
    }

    async fn commit(&self, batch: Batch) -> StoreResult<()> {
        if let Some(failure) = &self.shared.progress.borrow().failure {
            return Err(failure.clone());
        }
        let payload = serde_json::to_vec(&batch).expect("batches serialize");
        // Waits only when the store is far behind: the room bounds the memory of waiting batches.
        let kib = u32::try_from(payload.len().div_ceil(1024))
            .unwrap_or(u32::MAX)
            .min(UNAPPLIED_KIB as u32);
        let room = self
            .shared
            .room
            .acquire_many(kib)
            .await
            .map_err(|_| StoreError::Stopped("the journal stopped".into()))?;
        room.forget();
        let appended = (batch, payload, kib);
        let Some(synced_appends) = &self.synced_appends else {
            return self.shared.append(appended);
        };
        let (done, appended_and_synced) = oneshot::channel();
        let stopped = || StoreError::Stopped("the journal's writer stopped".into());
        synced_appends
            .send((appended, done))
            .map_err(|_| stopped())?;
        appended_and_synced.await.map_err(|_| stopped())?
    }

    fn commit_pacing(&self) -> Duration {
        if self.synced_appends.is_some() {
            SYNC_PACING
        } else {
            Duration::ZERO
        }
    }
}

/// Starts the thread that appends and syncs, in the order asked; it ends with the last handle
/// to the journal.
fn append_and_sync_on_a_thread(
    shared: &Arc<Shared>,
) -> StoreResult<std::sync::mpsc::Sender<SyncedAppend>> {
    let (requests, appends) = std::sync::mpsc::channel::<SyncedAppend>();
    let shared = shared.clone();
    std::thread::Builder::new()
        .name("journal-sync".into())
        .spawn(move || {
            for (appended, done) in appends {
                let _ = done.send(shared.append(appended));
            }
        })
        .map_err(|e| StoreError::Stopped(format!("the journal's writer did not start: {e}")))?;
    Ok(requests)
}

impl Shared {
    /// Appends a batch (with its serialized payload and the room it takes) and queues it for the
    /// store.
    fn append(&self, (batch, payload, kib): (Batch, Vec<u8>, u32)) -> StoreResult<()> {
        // Appending and queueing happen under one lock, so batches are applied in journal order.
        let mut writer = self.writer.lock().expect("no panics while holding it");
        let number = self.appended.load(Ordering::Relaxed) + 1;
        let (end, sealed) = writer.append(&payload)?;
        if let Some(full) = sealed {
            let mut sealed = self.sealed.lock().expect("no panics while holding it");
            sealed.push_back((full, number));
        }
        let appended = Appended {
            number,
            batch,
            end,
            kib,
        };
        self.to_apply
            .send(appended)
            .map_err(|_| StoreError::Stopped("the journal stopped".into()))?;
        // Counted once queued: whoever waits for it to be applied waits for a queued batch.
        self.appended.store(number, Ordering::Release);
        let lag = number.saturating_sub(self.progress.borrow().applied);
        crate::metrics::get().store_lag.set(lag as i64);
        Ok(())
    }
}
