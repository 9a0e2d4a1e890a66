//! The routing node's side of the other nodes' clients: it takes the requests they forward
//! (`hub::remote` is the other end), hands them to the hub like its own clients' — each remote
//! connection gets a connection of its own here, whose frames are sent on to its node as
//! notifications — and lets the clients of a node that is no longer seen go (ending their
//! connections, should the node be alive after all).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use switchboard_protocol::{AgentId, ConversationId, Presence};
use tokio::sync::{mpsc, oneshot};

use super::connection::{FrameReceiver, FrameSender, connection};
use super::forwarded::{Forwarded, ToNode};
use super::request::Request;
use super::{HubHandle, json};
use crate::routing::AgentRecord;
use crate::store::leadership::RENEW_EVERY;
use crate::store::relay::{FORWARDED, channel};
use crate::store::{PostgresStore, StoreError};

/// Notifications queued for sending before the hub's deliveries wait.
const NOTIFY_QUEUE: usize = 16_384;
/// Messages sent in one round trip at most.
const NOTIFY_BATCH: usize = 2048;
/// Messages for one node travel together, one per line, in notifications of up to this many
/// bytes (PostgreSQL takes 8000): every notification costs each listening connection a read.
const NOTIFICATION_BYTES: usize = 7800;
/// How long sending is tried again while PostgreSQL is out of reach.
const NOTIFY_RETRY_FOR: Duration = Duration::from_secs(30);

/// How often the room of taken requests is given back ([`PostgresStore::reclaim_forwarded`]).
const RECLAIM_EVERY: Duration = Duration::from_secs(1);

/// The routing node's numbers for remote connections start here, above any of its own.
const REMOTE_CONNECTIONS: u64 = 1 << 48;

/// Relays other nodes' requests to `hub` until the hub stops.
pub fn start(store: PostgresStore, hub: &HubHandle) -> tokio::task::JoinHandle<()> {
    // Weak: the hub ends once the server's own handles are gone, relay or not.
    let requests = hub
        .local()
        .expect("the relay runs beside the hub")
        .downgrade();
    let (notifications, queue) = mpsc::channel(NOTIFY_QUEUE);
    tokio::spawn(notify(store.clone(), queue));
    tokio::spawn(reclaim(store.clone(), requests.clone()));
    let relay = Relay {
        term: store.term(),
        store,
        requests,
        notifications,
        nodes: HashMap::new(),
        conversations: Arc::default(),
        next_connection: AtomicU64::new(REMOTE_CONNECTIONS),
    };
    tokio::spawn(relay.run())
}

struct Relay {
    store: PostgresStore,
    term: i64,
    requests: mpsc::WeakSender<Request>,
    notifications: mpsc::Sender<(String, ToNode)>,
    /// Each remote process's connections: its number for each, and what it is here.
    nodes: HashMap<String, HashMap<u64, Attached>>,
    /// The conversation each remote customer's connection is in, once it is, by number here.
    conversations: Arc<Mutex<HashMap<u64, ConversationId>>>,
    next_connection: AtomicU64,
}

/// A remote connection, as the hub knows it.
#[derive(Debug)]
struct Attached {
    connection: u64,
    /// One sender for the connection's life, so that its frames reach the node in order.
    frames: FrameSender,
    agent: Option<AgentId>,
}

impl Relay {
    async fn run(mut self) {
        let mut listener = None;
        let mut every = tokio::time::interval(RENEW_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while self.requests.strong_count() > 0 {
            if listener.is_none() {
                listener = self.store.listen(&[FORWARDED]).await.ok();
            }
            // Taken after listening starts, so that nothing forwarded goes unnoticed.
            if let Err(error) = self.take().await {
                tracing::warn!(%error, "taking forwarded requests failed: trying again");
            }
            let woken = async {
                match listener.as_mut() {
                    Some(listening) => listening.try_recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                woken = woken => {
                    if !matches!(woken, Ok(Some(_))) {
                        listener = None;
                    }
                }
                _ = every.tick() => self.let_unseen_nodes_go().await,
            }
        }
    }

    async fn take(&mut self) -> Result<(), StoreError> {
        for row in self.store.take_forwarded().await? {
            if row.term != self.term {
                // Sent to a node that routed before: its sender has stopped following it since.
                continue;
            }
            match serde_json::from_str(&row.request) {
                Ok(request) => self.handle(&row.instance, request).await,
                Err(error) => {
                    tracing::error!(%error, instance = row.instance, "a forwarded request could not be read");
                }
            }
        }
        Ok(())
    }

    async fn handle(&mut self, instance: &str, request: Forwarded) {
        let request = match request {
            Forwarded::AgentAttach {
                agent,
                last_seq,
                connection,
            } => {
                let (frames, connection) = self.connect(instance, connection, Some(agent.clone()));
                Request::AgentAttach {
                    agent,
                    last_seq,
                    frames,
                    connection,
                }
            }
            Forwarded::AgentDetach { agent, connection } => {
                let Some(connection) = self.disconnect(instance, connection) else {
                    return;
                };
                Request::AgentDetach { agent, connection }
            }
            Forwarded::AgentAck { agent, seq } => Request::AgentAck { agent, seq },
            Forwarded::AgentCommand {
                agent,
                id,
                command,
                files,
                origin,
            } => Request::AgentCommand {
                agent,
                id,
                command,
                files,
                origin,
            },
            Forwarded::CustomerAttach {
                resume,
                connection,
                answer,
            } => {
                let (frames, connection) = self.connect(instance, connection, None);
                let done = self.answer_in_conversation(instance, answer, connection);
                Request::CustomerAttach {
                    token: resume.token,
                    last_seq: resume.last_seq,
                    customer_token: resume.customer_token,
                    frames,
                    connection,
                    done,
                }
            }
            Forwarded::CustomerDetach {
                conversation,
                connection,
            } => {
                let Some(connection) = self.disconnect(instance, connection) else {
                    return;
                };
                Request::CustomerDetach {
                    conversation,
                    connection,
                }
            }
            Forwarded::CustomerAck { conversation, seq } => {
                Request::CustomerAck { conversation, seq }
            }
            Forwarded::CustomerCommand {
                conversation,
                id,
                command,
                files,
                connection,
                client,
                answer,
            } => {
                let (frames, connection) = self.connect(instance, connection, None);
                let done = self.answer_in_conversation(instance, answer, connection);
                Request::CustomerCommand {
                    conversation,
                    id,
                    command,
                    files,
                    frames,
                    connection,
                    client,
                    done,
                }
            }
            Forwarded::Agent { agent, answer } => Request::Agent {
                agent,
                done: self.answer(instance, answer),
            },
            Forwarded::Inbound { inbound, answer } => Request::Inbound {
                inbound,
                done: self.answer(instance, answer),
            },
            Forwarded::Receipt { channel, receipt } => Request::Receipt { channel, receipt },
            Forwarded::AgentReceipt {
                agent,
                conversation,
                message,
            } => Request::AgentReceipt {
                agent,
                conversation,
                message,
            },
            Forwarded::ChatReceipt {
                conversation,
                message,
                seen,
            } => Request::ChatReceipt {
                conversation,
                message,
                seen,
            },
            Forwarded::Typing { typist, typing } => Request::Typing { typist, typing },
            Forwarded::Templates { added } => Request::Templates { added },
            Forwarded::Assign {
                conversation,
                agent,
                answer,
            } => Request::Assign {
                conversation,
                agent,
                done: self.answer(instance, answer),
            },
            Forwarded::SignOut {
                agent,
                error,
                role,
                answer,
            } => Request::SignOut {
                agent,
                error,
                role,
                done: self.answer(instance, answer),
            },
            Forwarded::RemoveQueue { queue, answer } => Request::RemoveQueue {
                queue,
                done: self.answer(instance, answer),
            },
            Forwarded::EndConversation {
                conversation,
                answer,
            } => Request::EndConversation {
                conversation,
                done: self.answer(instance, answer),
            },
            Forwarded::AccountChanged {
                agent,
                email,
                name,
                queues,
                capacity,
                role,
            } => Request::AccountChanged {
                record: AgentRecord {
                    id: agent,
                    email,
                    name,
                    password_hash: String::new(),
                    queues,
                    capacity,
                    presence: Presence::Offline,
                    presence_since: crate::clock::now(),
                    role,
                },
            },
        };
        self.send(request).await;
    }

    async fn send(&self, request: Request) {
        if let Some(hub) = self.requests.upgrade() {
            let _ = hub.send(request).await;
        }
    }

    /// The connection here for `instance`'s `remote` one (made on first use), and its frames,
    /// which are sent on to the node.
    fn connect(
        &mut self,
        instance: &str,
        remote: u64,
        agent: Option<AgentId>,
    ) -> (FrameSender, u64) {
        let connections = self.nodes.entry(instance.to_owned()).or_default();
        let attached = connections.entry(remote).or_insert_with(|| {
            let (frames, receiver) = connection();
            tokio::spawn(pass_on(
                receiver,
                channel(instance),
                remote,
                self.notifications.clone(),
            ));
            Attached {
                connection: self.next_connection.fetch_add(1, Ordering::Relaxed),
                frames,
                agent: None,
            }
        });
        if agent.is_some() {
            attached.agent = agent;
        }
        (attached.frames.clone(), attached.connection)
    }

    fn disconnect(&mut self, instance: &str, remote: u64) -> Option<u64> {
        let attached = self.nodes.get_mut(instance)?.remove(&remote)?;
        self.conversations
            .lock()
            .expect("never poisoned")
            .remove(&attached.connection);
        Some(attached.connection)
    }

    /// Where the hub answers a request numbered `answer` by `instance`: sent on as JSON.
    fn answer<T: Serialize + Send + 'static>(
        &self,
        instance: &str,
        answer: u64,
    ) -> oneshot::Sender<T> {
        let (done, answered) = oneshot::channel::<T>();
        let notifications = self.notifications.clone();
        let channel = channel(instance);
        tokio::spawn(async move {
            if let Ok(value) = answered.await {
                let value = json(&value);
                let _ = notifications
                    .send((channel, ToNode::Answer { answer, value }))
                    .await;
            }
        });
        done
    }

    /// [`Self::answer`] for a customer's request, which also says which conversation the
    /// connection is in: kept, to let it go should its node stop.
    fn answer_in_conversation(
        &self,
        instance: &str,
        answer: u64,
        connection: u64,
    ) -> oneshot::Sender<Option<ConversationId>> {
        let (done, answered) = oneshot::channel::<Option<ConversationId>>();
        let sent_on = self.answer(instance, answer);
        let conversations = self.conversations.clone();
        tokio::spawn(async move {
            if let Ok(conversation) = answered.await {
                if let Some(conversation) = &conversation {
                    conversations
                        .lock()
                        .expect("never poisoned")
                        .insert(connection, conversation.clone());
                }
                let _ = sent_on.send(conversation);
            }
        });
        done
    }

    /// The clients of a process no longer seen (its node stopped or lost PostgreSQL) are gone:
    /// routing lets them go as if each had disconnected.
    async fn let_unseen_nodes_go(&mut self) {
        if self.nodes.is_empty() {
            return;
        }
        let Ok(live) = self.store.live_instances().await else {
            return;
        };
        let gone: Vec<String> = self
            .nodes
            .keys()
            .filter(|instance| !live.contains(instance))
            .cloned()
            .collect();
        for instance in gone {
            let connections = self.nodes.remove(&instance).unwrap_or_default();
            tracing::warn!(
                instance,
                clients = connections.len(),
                "a node is no longer seen: its clients are gone"
            );
            for attached in connections.into_values() {
                // Should the node be alive after all (late to say so), its client reconnects
                // rather than stay on a connection routing no longer serves.
                attached.frames.give_up();
                let conversation = self
                    .conversations
                    .lock()
                    .expect("never poisoned")
                    .remove(&attached.connection);
                let connection = attached.connection;
                let request = match (attached.agent, conversation) {
                    (Some(agent), _) => Request::AgentDetach { agent, connection },
                    (None, Some(conversation)) => Request::CustomerDetach {
                        conversation,
                        connection,
                    },
                    (None, None) => continue,
                };
                self.send(request).await;
            }
        }
    }
}

/// Gives back the room of taken requests every [`RECLAIM_EVERY`] until the hub stops: apart
/// from taking them, which must not wait for it.
async fn reclaim(store: PostgresStore, hub: mpsc::WeakSender<Request>) {
    let mut every = tokio::time::interval(RECLAIM_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while hub.strong_count() > 0 {
        every.tick().await;
        if let Err(error) = store.reclaim_forwarded().await {
            tracing::debug!(%error, "could not give back the room of taken requests");
        }
    }
}

/// Sends a remote connection's frames on to its node, until the hub lets the connection go.
async fn pass_on(
    mut receiver: FrameReceiver,
    channel: String,
    connection: u64,
    notifications: mpsc::Sender<(String, ToNode)>,
) {
    loop {
        let message = tokio::select! {
            frame = receiver.frames.recv() => match frame {
                Some(frame) => ToNode::Frame { connection, frame },
                None => return,
            },
            last_word = receiver.end.notified() => ToNode::End { connection, last_word },
        };
        let end = matches!(message, ToNode::End { .. });
        if notifications
            .send((channel.clone(), message))
            .await
            .is_err()
            || end
        {
            return;
        }
    }
}

/// Sends the queued messages in order, as many per round trip as are waiting, each node's
/// packed into as few notifications as they fit in.
async fn notify(store: PostgresStore, mut queue: mpsc::Receiver<(String, ToNode)>) {
    let mut serial = 0u64;
    while let Some(first) = queue.recv().await {
        let mut notifications = Notifications::default();
        let mut next = Some(first);
        let mut count = 0;
        while let Some((channel, message)) = next.take() {
            serial += 1;
            count += 1;
            notifications.add(channel, message.encode(serial));
            if count < NOTIFY_BATCH {
                next = queue.try_recv().ok();
            }
        }
        let started = tokio::time::Instant::now();
        while let Err(error) = store
            .notify(&notifications.channels, &notifications.payloads)
            .await
        {
            if !error.is_transient() || started.elapsed() > NOTIFY_RETRY_FOR {
                // The other nodes' clients miss these frames: their nodes stop following when
                // the routing node is replaced, which a store failing for good brings about.
                tracing::error!(%error, "sending frames to the other nodes failed");
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Notifications to send, in order per channel: lines appended to the channel's latest while
/// it has room.
#[derive(Default)]
struct Notifications {
    channels: Vec<String>,
    payloads: Vec<String>,
    /// Each channel's latest notification.
    latest: HashMap<String, usize>,
}

impl Notifications {
    fn add(&mut self, channel: String, line: String) {
        if let Some(&index) = self.latest.get(&channel) {
            let payload = &mut self.payloads[index];
            if payload.len() + 1 + line.len() <= NOTIFICATION_BYTES {
                payload.push('\n');
                payload.push_str(&line);
                return;
            }
        }
        self.latest.insert(channel.clone(), self.payloads.len());
        self.channels.push(channel);
        self.payloads.push(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_for_one_node_share_notifications_in_order_while_they_fit() {
        let mut notifications = Notifications::default();
        let long = "x".repeat(NOTIFICATION_BYTES - 2);
        notifications.add("a".into(), "1".into());
        notifications.add("b".into(), "2".into());
        notifications.add("a".into(), "3".into());
        notifications.add("a".into(), long.clone());
        notifications.add("a".into(), "4".into());
        assert_eq!(notifications.channels, ["a", "b", "a"]);
        assert_eq!(
            notifications.payloads,
            ["1\n3".to_owned(), "2".to_owned(), format!("{long}\n4")]
        );
    }
}
