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
use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use switchboard_protocol::{AgentId, ChatMessage, ConversationId, Millis, QueueId, Seq};
use tokio::sync::{Notify, Semaphore, mpsc, watch};

use super::{AgentRecord, Batch, ConversationRecord, Store, StoreError, StoreResult};
use crate::config::Durability;
use crate::private;

/// A segment is sealed, and a new one started, once it holds this much.
const SEGMENT_BYTES: u64 = 64 << 20;
/// Journaled bytes (in KiB) not yet applied before appending waits for the store: enough for
/// several seconds at full load, so that a slow moment of the database (a checkpoint) never holds
/// up routing, and a bound on the memory the waiting batches take.
const UNAPPLIED_KIB: usize = 256 * 1024;
/// How long the applier gathers batches before applying them, unless someone waits to read.
/// Each apply inserts into indexes keyed by conversation and stream, so it rewrites about one
/// page per busy conversation however long it gathered: applying seldom writes less per
/// message. And the disk flushes the database's sync as one burst that every journal sync
/// issued meanwhile waits behind (5–20 ms at the documented load): seldom, that is rarely.
const APPLY_EVERY: Duration = Duration::from_secs(5);
/// Rows the applier gathers into one store commit at most.
const ROWS_PER_APPLY: usize = 100_000;
/// The file that says how far the journal has been applied: `segment offset`.
const APPLIED_FILE: &str = "applied";
/// Each record: payload length and CRC-32 of the payload, little-endian, then the payload (JSON).
const HEADER_BYTES: usize = 8;
/// With syncs, commits start at least this far apart: whatever arrives meanwhile shares the next
/// sync. Each `fdatasync` costs the disk a flush and the CPU a tenth of a millisecond; without a
/// pace, a busy server syncs thousands of tiny groups a second.
const SYNC_PACING: Duration = Duration::from_millis(1);

/// A store whose commits go through a journal; see the module documentation.
#[derive(Clone, Debug)]
pub struct Journaled<S> {
    inner: S,
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    directory: PathBuf,
    /// Never held across an await: appending is one write (and a sync).
    writer: std::sync::Mutex<Writer>,
    /// Whether appends are synced to the disk ([`Durability::Power`]).
    syncs: bool,
    /// Sealed segments not yet deleted, with the number of batches appended when each was sealed.
    /// Apart from the writer: the applier deletes segments while a commit may hold the writer.
    sealed: std::sync::Mutex<VecDeque<(u64, u64)>>,
    to_apply: mpsc::UnboundedSender<Appended>,
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
    /// The number of batches appended so far.
    appended: u64,
    /// The number of them applied to the store.
    applied: u64,
    /// Why the applier stopped, if it did: nothing is committed after that.
    failure: Option<StoreError>,
    /// A transient failure the applier is retrying (another process holds the database): steps
    /// are still journaled, but reads that must see them wait.
    retrying: Option<StoreError>,
}

#[derive(Debug)]
struct Writer {
    directory: PathBuf,
    file: File,
    segment: u64,
    bytes: u64,
    /// When a segment is sealed: [`SEGMENT_BYTES`] but in tests.
    segment_limit: u64,
    /// Sync each record to the disk before it counts as written ([`Durability::Power`]).
    sync: bool,
}

fn segment_path(directory: &Path, segment: u64) -> PathBuf {
    directory.join(format!("{segment:016}.journal"))
}

fn failed(context: &Path, error: impl Into<StoreError>) -> StoreError {
    error
        .into()
        .context(format_args!("journal {}", context.display()))
}

impl Writer {
    fn create(
        directory: &Path,
        segment: u64,
        segment_limit: u64,
        sync: bool,
    ) -> StoreResult<Writer> {
        let path = segment_path(directory, segment);
        let file = private::create_file(&path).map_err(|e| failed(&path, e))?;
        if sync {
            // The new file's name must survive a power cut too.
            File::open(directory)
                .and_then(|dir| dir.sync_all())
                .map_err(|e| failed(directory, e))?;
        }
        Ok(Writer {
            directory: directory.to_owned(),
            file,
            segment,
            bytes: 0,
            segment_limit,
            sync,
        })
    }

    /// Appends one record; says where the journal stands after it, and which segment it sealed, if
    /// it filled one.
    fn append(&mut self, payload: &[u8]) -> StoreResult<((u64, u64), Option<u64>)> {
        let length = u32::try_from(payload.len())
            .map_err(|_| StoreError::Failed("journal: a batch is larger than 4 GiB".into()))?;
        let mut record = Vec::with_capacity(HEADER_BYTES + payload.len());
        record.extend_from_slice(&length.to_le_bytes());
        record.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
        record.extend_from_slice(payload);
        // One write of the whole record, straight to the file (no buffering in the process):
        // once it returns, a crash of the process cannot lose the step.
        let path = segment_path(&self.directory, self.segment);
        self.file.write_all(&record).map_err(|e| failed(&path, e))?;
        if self.sync {
            self.file.sync_data().map_err(|e| failed(&path, e))?;
        }
        self.bytes += record.len() as u64;
        let end = (self.segment, self.bytes);
        if self.bytes < self.segment_limit {
            return Ok((end, None));
        }
        let full = self.segment;
        *self = Writer::create(&self.directory, full + 1, self.segment_limit, self.sync)?;
        Ok((end, Some(full)))
    }
}

impl Shared {
    /// Records that the journal is applied up to `end` (segment, offset): a start after a crash
    /// skips that much. Written after the store's commit, so a crash between the two only makes
    /// the start apply some batches again.
    fn record_applied(&self, end: (u64, u64)) {
        let path = self.directory.join(APPLIED_FILE);
        let next = path.with_extension("next");
        let written = private::write(&next, format!("{} {}", end.0, end.1))
            .and_then(|()| fs::rename(&next, &path));
        if let Err(error) = written {
            tracing::warn!(path = %path.display(), %error, "could not record how far the journal is applied");
        }
    }

    /// Deletes the sealed segments whose batches are all applied.
    fn forget_applied(&self, applied: u64) {
        let mut sealed = self.sealed.lock().expect("no panics while holding it");
        while let Some(&(segment, last)) = sealed.front() {
            if last > applied {
                break;
            }
            let path = segment_path(&self.directory, segment);
            if let Err(error) = fs::remove_file(&path) {
                tracing::warn!(path = %path.display(), %error, "could not delete an applied journal segment");
            }
            sealed.pop_front();
        }
    }
}

/// How far a previous run applied the journal in `directory`: segment and offset.
fn applied_position(directory: &Path) -> (u64, u64) {
    let text = fs::read_to_string(directory.join(APPLIED_FILE)).unwrap_or_default();
    let mut numbers = text.split_whitespace().map(str::parse::<u64>);
    match (numbers.next(), numbers.next()) {
        (Some(Ok(segment)), Some(Ok(offset))) => (segment, offset),
        _ => (0, 0),
    }
}

/// The batches of the segments in `directory` past the applied position, in order. A record cut
/// short or damaged at the end of the last segment is the write a crash interrupted; anywhere else
/// it is corruption.
fn read_segments(directory: &Path) -> StoreResult<(Vec<PathBuf>, Vec<Batch>)> {
    let (applied_segment, applied_offset) = applied_position(directory);
    let mut paths: Vec<PathBuf> = fs::read_dir(directory)
        .map_err(|e| failed(directory, e))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "journal"))
        .collect();
    paths.sort();
    let mut batches = Vec::new();
    for (index, path) in paths.iter().enumerate() {
        let segment = path
            .file_stem()
            .and_then(|stem| stem.to_str()?.parse::<u64>().ok())
            .unwrap_or(u64::MAX);
        if segment < applied_segment {
            continue;
        }
        let mut bytes = Vec::new();
        File::open(path)
            .and_then(|mut file| file.read_to_end(&mut bytes))
            .map_err(|e| failed(path, e))?;
        let skip = if segment == applied_segment {
            usize::try_from(applied_offset)
                .unwrap_or(usize::MAX)
                .min(bytes.len())
        } else {
            0
        };
        let mut rest = &bytes[skip..];
        while !rest.is_empty() {
            match next_record(rest) {
                Some((batch, after)) => {
                    batches.push(batch);
                    rest = after;
                }
                None if index + 1 == paths.len() => {
                    tracing::warn!(path = %path.display(), bytes = rest.len(), "ignoring an incomplete journal record left by a crash");
                    break;
                }
                None => {
                    let damaged =
                        StoreError::Corrupt("a damaged record before the last segment".into());
                    return Err(failed(path, damaged));
                }
            }
        }
    }
    Ok((paths, batches))
}

/// The record at the start of `bytes` and what follows it, if it is whole and intact.
fn next_record(bytes: &[u8]) -> Option<(Batch, &[u8])> {
    let header = bytes.get(..HEADER_BYTES)?;
    let length = u32::from_le_bytes(header[..4].try_into().ok()?) as usize;
    let checksum = u32::from_le_bytes(header[4..].try_into().ok()?);
    let payload = bytes.get(HEADER_BYTES..HEADER_BYTES + length)?;
    if crc32fast::hash(payload) != checksum {
        return None;
    }
    let batch = serde_json::from_slice(payload).ok()?;
    Some((batch, &bytes[HEADER_BYTES + length..]))
}

fn rows(batch: &Batch) -> usize {
    batch.messages.len() + batch.outbox.len() + batch.replies.len() + batch.acks.len()
}

/// Applies appended batches to the store in order, gathering what arrives for [`APPLY_EVERY`]
/// (or until someone waits to read, or [`ROWS_PER_APPLY`]) into one commit.
async fn apply<S: Store>(
    inner: S,
    mut to_apply: mpsc::UnboundedReceiver<Appended>,
    shared: Arc<Shared>,
) {
    while let Some(first) = to_apply.recv().await {
        let (mut through, mut end, mut kib) = (first.number, first.end, first.kib);
        let mut batch = first.batch;
        let deadline = tokio::time::Instant::now() + APPLY_EVERY;
        while rows(&batch) < ROWS_PER_APPLY {
            let next = tokio::select! {
                next = to_apply.recv() => next,
                () = tokio::time::sleep_until(deadline) => None,
                () = shared.hurry.notified() => None,
            };
            let Some(next) = next else { break };
            batch.absorb(next.batch);
            (through, end) = (next.number, next.end);
            kib += next.kib;
        }
        if let Err(error) = commit_retrying(&inner, batch, &shared).await {
            tracing::error!(%error, "the journal could not be applied to the store");
            shared
                .progress
                .send_modify(|progress| progress.failure = Some(error));
            return;
        }
        shared.record_applied(end);
        // Segments go first: once readers see the progress, the journal holds only what is new.
        shared.forget_applied(through);
        shared.room.add_permits(kib as usize);
        shared
            .progress
            .send_modify(|progress| progress.applied = through);
    }
}

/// The longest wait between two attempts to apply while the store is busy.
const LONGEST_RETRY: Duration = Duration::from_secs(2);

/// Commits `batch`, trying again with a growing wait while the failure is transient (the
/// database locked by another process, a lost connection): the steps stay in the journal
/// meanwhile, so nothing is lost and routing goes on. A failure that is not transient is
/// returned.
async fn commit_retrying<S: Store>(inner: &S, batch: Batch, shared: &Shared) -> StoreResult<()> {
    let mut wait = Duration::from_millis(50);
    loop {
        match inner.apply(&batch).await {
            Ok(()) => {
                if shared.progress.borrow().retrying.is_some() {
                    tracing::info!("the store is working again; the journal is applied");
                    shared
                        .progress
                        .send_modify(|progress| progress.retrying = None);
                }
                return Ok(());
            }
            Err(error) if error.is_transient() => {
                if shared.progress.borrow().retrying.is_none() {
                    tracing::warn!(%error, "the store is failing; trying again (steps stay journaled)");
                }
                shared
                    .progress
                    .send_modify(|progress| progress.retrying = Some(error));
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(LONGEST_RETRY);
            }
            Err(error) => return Err(error),
        }
    }
}

impl<S: Store> Journaled<S> {
    /// Completes when the store has failed for good (the applier stopped), with the reason.
    pub async fn failed(&self) -> StoreError {
        let mut progress = self.shared.progress.subscribe();
        let failed = progress
            .wait_for(|progress| progress.failure.is_some())
            .await;
        match failed {
            Ok(progress) => progress.failure.clone().expect("waited for it"),
            Err(_) => StoreError::Stopped("the journal stopped".into()),
        }
    }

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
            syncs: durability == Durability::Power,
            sealed: std::sync::Mutex::default(),
            to_apply,
            room: Arc::new(Semaphore::new(UNAPPLIED_KIB)),
            hurry: Notify::new(),
            progress: watch::Sender::new(Progress::default()),
        });
        tokio::spawn(apply(inner.clone(), receiver, shared.clone()));
        Ok(Journaled { inner, shared })
    }

    /// Waits until everything appended so far is applied to the store (asking for it at once).
    pub async fn caught_up(&self) -> StoreResult<()> {
        let target = self.shared.progress.borrow().appended;
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
}

impl<S> Journaled<S> {
    /// The store behind the journal, for what does not go through it.
    pub(super) fn inner(&self) -> &S {
        &self.inner
    }
}

impl<S: Store> Store for Journaled<S> {
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
        if !self.shared.syncs {
            return self.shared.append(appended);
        }
        // A sync waits for the disk: off the runtime's threads, which serve the connections.
        let shared = self.shared.clone();
        tokio::task::spawn_blocking(move || shared.append(appended))
            .await
            .map_err(|_| StoreError::Stopped("the journal's writer panicked".into()))?
    }

    fn commit_pacing(&self) -> Duration {
        if self.shared.syncs {
            SYNC_PACING
        } else {
            Duration::ZERO
        }
    }
}

impl Shared {
    /// Appends a batch (with its serialized payload and the room it takes) and queues it for the
    /// store.
    fn append(&self, (batch, payload, kib): (Batch, Vec<u8>, u32)) -> StoreResult<()> {
        // Appending and queueing happen under one lock, so batches are applied in journal order.
        let mut writer = self.writer.lock().expect("no panics while holding it");
        let number = self.progress.borrow().appended + 1;
        let (end, sealed) = writer.append(&payload)?;
        if let Some(full) = sealed {
            let mut sealed = self.sealed.lock().expect("no panics while holding it");
            sealed.push_back((full, number));
        }
        self.progress
            .send_modify(|progress| progress.appended = number);
        let appended = Appended {
            number,
            batch,
            end,
            kib,
        };
        self.to_apply
            .send(appended)
            .map_err(|_| StoreError::Stopped("the journal stopped".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SqliteStore;

    /// A step as the hub writes it: events for a client, one of them acknowledged, a reply.
    fn step(stream: &str, seq: Seq) -> Batch {
        Batch {
            outbox: vec![(stream.to_owned(), seq, format!(r#"{{"n":{seq}}}"#))],
            replies: vec![(stream.to_owned(), format!("command-{seq}"), "{}".to_owned())],
            acks: if seq > 1 {
                vec![(stream.to_owned(), seq - 1)]
            } else {
                Vec::new()
            },
            ..Batch::default()
        }
    }

    /// What a client resuming from nothing would be sent, and the stream's head.
    async fn visible(store: &impl Store, stream: &str) -> (Vec<Seq>, Vec<(String, Seq)>) {
        let events = store.outbox_after(stream, 0).await.unwrap();
        let heads = store.stream_heads().await.unwrap();
        (events.into_iter().map(|(seq, _)| seq).collect(), heads)
    }

    /// Writes `batches` as a crashed run would have left them, in one segment.
    fn leave_journal(directory: &Path, segment: u64, batches: &[Batch]) -> PathBuf {
        fs::create_dir_all(directory).unwrap();
        let mut writer = Writer::create(directory, segment, SEGMENT_BYTES, false).unwrap();
        for batch in batches {
            writer.append(&serde_json::to_vec(batch).unwrap()).unwrap();
        }
        segment_path(directory, segment)
    }

    async fn database(directory: &Path) -> SqliteStore {
        SqliteStore::open(&directory.join("test.db")).await.unwrap()
    }

    #[tokio::test]
    async fn reads_see_every_committed_step() {
        let dir = tempfile::tempdir().unwrap();
        let store = Journaled::open(database(dir.path()).await, &dir.path().join("journal"))
            .await
            .unwrap();
        for seq in 1..=200 {
            store.commit(step("agent:a", seq)).await.unwrap();
        }
        let (events, heads) = visible(&store, "agent:a").await;
        assert_eq!(events, [200]);
        assert_eq!(heads, [("agent:a".to_owned(), 200)]);
        assert_eq!(store.replies("agent:a").await.unwrap().len(), 200);
    }

    #[tokio::test]
    async fn a_start_applies_what_a_crashed_run_left_and_removes_it() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("journal");
        let steps: Vec<Batch> = (1..=3).map(|seq| step("customer:c", seq)).collect();
        let segment = leave_journal(&journal, 7, &steps);

        let store = Journaled::open(database(dir.path()).await, &journal)
            .await
            .unwrap();
        assert_eq!(
            visible(&store, "customer:c").await,
            (vec![3], vec![("customer:c".to_owned(), 3)])
        );
        assert!(!segment.exists());
    }

    #[tokio::test]
    async fn applying_a_journal_again_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("journal");
        let steps: Vec<Batch> = (1..=5).map(|seq| step("agent:b", seq)).collect();
        let database = database(dir.path()).await;
        // The crash came after the database had applied the steps, before the segment was deleted.
        for batch in &steps {
            let again: Batch = serde_json::from_slice(&serde_json::to_vec(batch).unwrap()).unwrap();
            database.commit(again).await.unwrap();
        }
        leave_journal(&journal, 1, &steps);

        let store = Journaled::open(database, &journal).await.unwrap();
        assert_eq!(
            visible(&store, "agent:b").await,
            (vec![5], vec![("agent:b".to_owned(), 5)])
        );
        assert_eq!(store.replies("agent:b").await.unwrap().len(), 5);
    }

    #[tokio::test]
    async fn a_start_applies_only_what_follows_the_applied_position() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("journal");
        let first_two = leave_journal(&journal, 1, &[step("agent:f", 1), step("agent:f", 2)]);
        let applied_through = fs::metadata(&first_two).unwrap().len();
        let mut file = fs::OpenOptions::new()
            .append(true)
            .open(&first_two)
            .unwrap();
        let payload = serde_json::to_vec(&step("agent:f", 3)).unwrap();
        file.write_all(&(payload.len() as u32).to_le_bytes())
            .unwrap();
        file.write_all(&crc32fast::hash(&payload).to_le_bytes())
            .unwrap();
        file.write_all(&payload).unwrap();
        fs::write(journal.join(APPLIED_FILE), format!("1 {applied_through}")).unwrap();

        // The database never saw the first two (in life it would have): only the third is applied.
        let store = Journaled::open(database(dir.path()).await, &journal)
            .await
            .unwrap();
        let replies = store.replies("agent:f").await.unwrap();
        assert_eq!(replies.len(), 1, "{replies:?}");
        assert_eq!(replies[0].0, "command-3");
        assert!(!journal.join(APPLIED_FILE).exists());
    }

    #[tokio::test]
    async fn a_record_cut_short_by_a_crash_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("journal");
        let segment = leave_journal(&journal, 1, &[step("agent:c", 1), step("agent:c", 2)]);
        let whole = fs::metadata(&segment).unwrap().len();
        let mut file = fs::OpenOptions::new().append(true).open(&segment).unwrap();
        let payload = serde_json::to_vec(&step("agent:c", 3)).unwrap();
        file.write_all(&(payload.len() as u32).to_le_bytes())
            .unwrap();
        file.write_all(&crc32fast::hash(&payload).to_le_bytes())
            .unwrap();
        file.write_all(&payload[..payload.len() / 2]).unwrap();
        assert!(fs::metadata(&segment).unwrap().len() > whole);

        let store = Journaled::open(database(dir.path()).await, &journal)
            .await
            .unwrap();
        assert_eq!(
            visible(&store, "agent:c").await,
            (vec![2], vec![("agent:c".to_owned(), 2)])
        );
    }

    #[tokio::test]
    async fn a_damaged_record_before_the_last_segment_stops_the_start_and_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("journal");
        let first = leave_journal(&journal, 1, &[step("agent:d", 1), step("agent:d", 2)]);
        leave_journal(&journal, 2, &[step("agent:d", 3)]);
        let mut bytes = fs::read(&first).unwrap();
        let last = bytes.len() - 2;
        bytes[last] ^= 0x55;
        fs::write(&first, bytes).unwrap();

        let error = Journaled::open(database(dir.path()).await, &journal)
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::Corrupt(_)), "{error}");
        assert!(error.to_string().contains("damaged record"), "{error}");
        assert!(first.exists());
        let untouched = database(dir.path()).await;
        assert_eq!(visible(&untouched, "agent:d").await, (vec![], vec![]));
    }

    #[tokio::test]
    async fn applied_segments_are_deleted_as_the_journal_grows() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("journal");
        let store = Journaled::open_sealing_at(
            database(dir.path()).await,
            &journal,
            4096,
            Durability::Power,
        )
        .await
        .unwrap();
        let event = format!(r#"{{"text":"{}"}}"#, "x".repeat(1000));
        for seq in 1..=20 {
            let batch = Batch {
                outbox: vec![("agent:e".to_owned(), seq, event.clone())],
                acks: vec![("agent:e".to_owned(), seq)],
                ..Batch::default()
            };
            store.commit(batch).await.unwrap();
        }
        store.caught_up().await.unwrap();
        let segments = fs::read_dir(&journal)
            .unwrap()
            .filter(|entry| {
                let path = entry.as_ref().unwrap().path();
                path.extension().is_some_and(|ext| ext == "journal")
            })
            .count();
        assert_eq!(segments, 1, "only the segment being written remains");
        assert_eq!(visible(&store, "agent:e").await.0, Vec::<Seq>::new());
    }
}
