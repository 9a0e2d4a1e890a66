//! The applier: appended batches reach the store in order, gathered into large commits.

use std::fs;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::segments::{APPLIED_FILE, segment_path};
use super::{Appended, Shared};
use crate::private;
use crate::store::{Batch, Store, StoreResult};

/// How long the applier gathers batches before applying them, unless someone waits to read.
/// Each apply inserts into indexes keyed by conversation and stream, so it rewrites about one
/// page per busy conversation however long it gathered: applying seldom writes less per
/// message. And the disk flushes the database's sync as one burst that every journal sync
/// issued meanwhile waits behind (5–20 ms at the documented load): seldom, that is rarely.
pub(super) const APPLY_EVERY: Duration = Duration::from_secs(5);
/// Rows the applier gathers into one store commit at most.
pub(super) const ROWS_PER_APPLY: usize = 100_000;

fn rows(batch: &Batch) -> usize {
    batch.messages.len() + batch.outbox.len() + batch.replies.len() + batch.acks.len()
}

/// Applies appended batches to the store in order, gathering what arrives for [`APPLY_EVERY`]
/// (or until someone waits to read, or [`ROWS_PER_APPLY`]) into one commit.
pub(super) async fn apply<S: Store>(
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
        let lag = shared
            .appended
            .load(std::sync::atomic::Ordering::Acquire)
            .saturating_sub(through);
        crate::metrics::get().store_lag.set(lag as i64);
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
