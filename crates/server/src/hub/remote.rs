//! The routing node's hub, seen from a node that does not route: its clients' requests are
//! forwarded (in order, in batches) through PostgreSQL, and what the routing node sends back
//! for them arrives as notifications on this process's channel (`hub::relay` is the other end).
//!
//! Notifications do not outlive a lost connection. When this node can no longer be sure it got
//! everything — its listening connection broke, the routing node changed, a forward failed — it
//! stops following: the server closes its clients' connections, and they resume by sequence
//! number from the outbox, where nothing is missing, and retry what was not answered.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use serde::de::DeserializeOwned;
use sqlx::postgres::PgListener;
use tokio::sync::{mpsc, oneshot, watch};

use super::connection::FrameSender;
use super::forwarded::{Forwarded, ToNode};
use super::json;
use crate::store::leadership::{Leader, RENEW_EVERY};
use crate::store::relay::channel;
use crate::store::{PostgresStore, StoreError};

/// Requests queued for forwarding before a client waits to send more.
const FORWARD_QUEUE: usize = 4096;
/// Requests forwarded in one round trip at most.
const FORWARD_BATCH: usize = 256;
/// How long a forward is tried again while PostgreSQL is out of reach.
const FORWARD_RETRY_FOR: Duration = Duration::from_secs(30);

#[derive(Debug)]
pub struct Remote {
    /// The routing node's name.
    leader: String,
    requests: mpsc::Sender<Forwarded>,
    /// This node's clients' connections, by this node's number for them.
    connections: Mutex<HashMap<u64, FrameSender>>,
    /// Requests awaiting an answer, by number.
    answers: Mutex<HashMap<u64, oneshot::Sender<String>>>,
    next_answer: AtomicU64,
    /// Why this node stopped following, once it has.
    stopped: watch::Sender<Option<String>>,
}

impl Remote {
    /// Follows `leader` from this process, which goes by `node`.
    pub async fn follow(
        store: PostgresStore,
        node: &str,
        leader: &Leader,
    ) -> Result<Arc<Remote>, StoreError> {
        let instance = crate::auth::random_id();
        store.seen(&instance, node).await?;
        let listener = store.listen(&[&channel(&instance)]).await?;
        let (requests, queue) = mpsc::channel(FORWARD_QUEUE);
        let remote = Arc::new(Remote {
            leader: leader.node.clone(),
            requests,
            connections: Mutex::default(),
            answers: Mutex::default(),
            next_answer: AtomicU64::new(0),
            stopped: watch::Sender::new(None),
        });
        let weak = Arc::downgrade(&remote);
        let sender = Sender {
            store: store.clone(),
            instance: instance.clone(),
            term: leader.term,
        };
        tokio::spawn(forward(sender, queue, weak.clone()));
        tokio::spawn(receive(store.clone(), listener, weak.clone()));
        tokio::spawn(keep_in_touch(
            store,
            instance,
            node.to_owned(),
            leader.term,
            weak,
        ));
        Ok(remote)
    }

    /// Whether this node still follows the routing node.
    pub fn is_following(&self) -> bool {
        self.stopped.borrow().is_none()
    }

    /// The node followed, or why it is not followed any more.
    pub fn following(&self) -> Result<&str, String> {
        match &*self.stopped.borrow() {
            None => Ok(&self.leader),
            Some(reason) => Err(reason.clone()),
        }
    }

    /// Completes, with the reason, once this node has stopped following.
    pub async fn stopped(&self) -> String {
        let mut stopped = self.stopped.subscribe();
        let reason = stopped.wait_for(Option::is_some).await;
        reason.ok().and_then(|r| r.clone()).unwrap_or_default()
    }

    fn stop(&self, reason: String) {
        self.stopped.send_if_modified(|stopped| {
            if stopped.is_some() {
                return false;
            }
            tracing::warn!(reason, "no longer following the routing node");
            *stopped = Some(reason);
            true
        });
        // Whoever awaits an answer hears that none will come.
        self.answers.lock().expect("never poisoned").clear();
    }

    /// `frames` receives what the routing node sends for `connection`.
    pub(super) fn connect(&self, connection: u64, frames: FrameSender) {
        self.connections
            .lock()
            .expect("never poisoned")
            .entry(connection)
            .or_insert(frames);
    }

    pub(super) fn disconnect(&self, connection: u64) {
        self.connections
            .lock()
            .expect("never poisoned")
            .remove(&connection);
    }

    pub(super) async fn send(&self, request: Forwarded) {
        if self.is_following() {
            let _ = self.requests.send(request).await;
        }
    }

    /// Forwards the request `ask` makes with an answer's number and awaits the answer; `None`
    /// once this node has stopped following.
    pub(super) async fn ask<T: DeserializeOwned>(
        &self,
        ask: impl FnOnce(u64) -> Forwarded,
    ) -> Option<T> {
        let number = self.next_answer.fetch_add(1, Ordering::Relaxed);
        let (done, answer) = oneshot::channel();
        if !self.is_following() {
            return None;
        }
        self.answers
            .lock()
            .expect("never poisoned")
            .insert(number, done);
        self.send(ask(number)).await;
        let answer = answer.await.ok()?;
        match serde_json::from_str(&answer) {
            Ok(answer) => Some(answer),
            Err(error) => {
                self.stop(format!(
                    "the routing node's answer could not be read: {error}"
                ));
                None
            }
        }
    }

    /// Hands what the routing node sent to its connection or its asker.
    fn deliver(&self, message: ToNode) {
        match message {
            ToNode::Frame { connection, frame } => {
                if let Some(frames) = self.connection(connection) {
                    frames.try_send(frame);
                }
            }
            ToNode::End {
                connection,
                last_word,
            } => {
                if let Some(frames) = self.connection(connection) {
                    match last_word {
                        Some(frame) => frames.close_with(frame),
                        None => frames.give_up(),
                    }
                }
            }
            ToNode::Answer { answer, value } => {
                let asker = self.answers.lock().expect("never poisoned").remove(&answer);
                if let Some(asker) = asker {
                    let _ = asker.send(value);
                }
            }
        }
    }

    fn connection(&self, connection: u64) -> Option<FrameSender> {
        let connections = self.connections.lock().expect("never poisoned");
        connections.get(&connection).cloned()
    }

    /// Forgets connections whose socket has closed without a detach (a customer that never
    /// started a chat).
    fn forget_closed(&self) {
        self.connections
            .lock()
            .expect("never poisoned")
            .retain(|_, frames| !frames.is_closed());
    }
}

/// What forwarding needs besides the queue.
struct Sender {
    store: PostgresStore,
    instance: String,
    term: i64,
}

/// Forwards the queued requests in order, as many per round trip as are waiting.
async fn forward(sender: Sender, mut queue: mpsc::Receiver<Forwarded>, remote: Weak<Remote>) {
    let mut batch = Vec::new();
    while let Some(first) = queue.recv().await {
        batch.clear();
        batch.push(json(&first));
        while batch.len() < FORWARD_BATCH {
            let Ok(next) = queue.try_recv() else { break };
            batch.push(json(&next));
        }
        let started = tokio::time::Instant::now();
        loop {
            match sender
                .store
                .forward(sender.term, &sender.instance, &batch)
                .await
            {
                Ok(()) => break,
                Err(error) if error.is_transient() && started.elapsed() < FORWARD_RETRY_FOR => {
                    tracing::warn!(%error, "forwarding to the routing node failed: trying again");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(error) => {
                    if let Some(remote) = remote.upgrade() {
                        remote.stop(format!("forwarding to the routing node failed: {error}"));
                    }
                    return;
                }
            }
        }
    }
}

/// Delivers what the routing node sends, until this node stops following.
async fn receive(store: PostgresStore, mut listener: PgListener, remote: Weak<Remote>) {
    loop {
        let received = tokio::select! {
            received = listener.try_recv() => received,
            // Checks now and then whether anyone still follows.
            () = tokio::time::sleep(RENEW_EVERY) => {
                if remote.strong_count() == 0 { return }
                continue;
            }
        };
        let Some(follower) = remote.upgrade() else {
            return;
        };
        if !follower.is_following() {
            return;
        }
        let notification = match received {
            Ok(Some(notification)) => notification,
            Ok(None) => return follower.stop("the connection to PostgreSQL was lost".into()),
            Err(error) => return follower.stop(format!("listening failed: {error}")),
        };
        let mut payload = notification.payload().to_owned();
        if let Some(stored) = payload.strip_prefix('@') {
            let stored = stored.parse().unwrap_or_default();
            match store.take_relayed(stored).await {
                Ok(Some(stored)) => payload = stored,
                Ok(None) => return follower.stop("a long frame was not found".into()),
                Err(error) => {
                    return follower.stop(format!("reading a long frame failed: {error}"));
                }
            }
        }
        // Several messages for this node travel in one notification, a line each.
        for line in payload.lines() {
            match ToNode::decode(line) {
                Some(message) => follower.deliver(message),
                None => {
                    return follower.stop("the routing node sent what could not be read".into());
                }
            }
        }
    }
}

/// Says every [`RENEW_EVERY`] that this process is alive, and stops following once the routing
/// node is not the one followed any more.
async fn keep_in_touch(
    store: PostgresStore,
    instance: String,
    node: String,
    term: i64,
    remote: Weak<Remote>,
) {
    let mut every = tokio::time::interval(RENEW_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let Some(follower) = remote.upgrade() else {
            return;
        };
        if !follower.is_following() {
            return;
        }
        follower.forget_closed();
        drop(follower);
        let leader = match store.seen(&instance, &node).await {
            Ok(()) => store.leader().await,
            Err(error) => Err(error),
        };
        let changed = match leader {
            Ok(Some(leader)) if leader.term == term => continue,
            Ok(Some(leader)) => format!("node {} routes now", leader.node),
            Ok(None) => "the routing node's lease ran out".into(),
            // PostgreSQL out of reach: the routing node cannot work either; forwarding waits.
            Err(error) if error.is_transient() => continue,
            Err(error) => format!("PostgreSQL failed: {error}"),
        };
        if let Some(follower) = remote.upgrade() {
            follower.stop(changed);
        }
    }
}
