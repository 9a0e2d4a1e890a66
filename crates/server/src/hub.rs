//! The hub: the one task that owns the [`Router`], so that routing decisions happen one at a
//! time. Requests are handled in order; what they change, the events they emit (numbered per
//! stream: the outbox) and the replies to their commands accumulate in a [`Pending`] group that is
//! committed to the store in one transaction — everything queued at that moment, up to
//! [`GROUP_LIMIT`] requests — and only then are the events and replies delivered. A client that
//! reconnects gets, from the store, the events after the last sequence number it saw.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use switchboard_protocol::agent::{
    AgentCommand, AgentServerFrame, AgentSummary, CommandResult, ContactCard, Customer, Outcome,
    TransferTarget,
};
use switchboard_protocol::customer::{CustomerCommand, CustomerOutcome, CustomerServerFrame};
use switchboard_protocol::{
    AgentId, Channel, CommandId, ConversationId, ErrorBody, ErrorCode, Millis, PROTOCOL_VERSION,
    QueueId, Seq,
};
use tokio::sync::{Notify, mpsc, oneshot};
use tokio::time::Instant;

use crate::channels::bot::BotAnswer;
use crate::channels::courier::{self, Delivery};
use crate::channels::{Inbound, Receipt};
use crate::config::Config;
use crate::contacts::{self, ContactKey};
use crate::routing::{ChatRequest, Effects, Emit, Router};
use crate::store::{Batch, Store, StoreError};
use crate::{auth, clock};

mod channels;
mod persistent;

/// Frames queued for one connection before it counts as stuck and is dropped (it resumes).
const CONNECTION_BACKLOG: usize = 4096;

/// At most this many requests go into one commit.
const GROUP_LIMIT: usize = 256;

/// How often time-based rules are checked: offers expire at most this late.
const TICK: Duration = Duration::from_millis(100);

/// Replies remembered per stream; a client retries within a few commands of reconnecting.
const REPLIES_PER_STREAM: usize = 1024;

/// A `start_chat` command id identifies the customer across a retry, before there is a
/// conversation: it must be random enough not to collide with anyone else's (22 characters of
/// base64 carry 128 bits).
const MIN_START_ID_LEN: usize = 22;

/// Where `start_chat` replies are kept: the id of the conversation each start created.
const START_STREAM: &str = "start";

/// How long stored replies are kept for retries.
const REPLY_RETENTION_MILLIS: Millis = 24 * 3_600_000;

/// A connection's outgoing frames (already serialized), and its alarm for falling behind.
#[derive(Clone, Debug)]
pub struct FrameSender {
    frames: mpsc::Sender<String>,
    stuck: Arc<Notify>,
}

impl FrameSender {
    /// Queues a frame; says whether it was queued. A connection too far behind to take it is told
    /// to close: its client resumes from the outbox, where nothing is missing.
    pub fn try_send(&self, frame: String) -> bool {
        let queued = self.frames.try_send(frame).is_ok();
        if !queued {
            self.stuck.notify_one();
        }
        queued
    }
}

/// The receiving end of a connection's frames, for the task that writes them to the socket.
#[derive(Debug)]
pub struct FrameReceiver {
    pub frames: mpsc::Receiver<String>,
    /// Notified when the connection fell too far behind and must close.
    pub stuck: Arc<Notify>,
}

pub fn connection() -> (FrameSender, FrameReceiver) {
    let (frames, receiver) = mpsc::channel(CONNECTION_BACKLOG);
    let stuck = Arc::new(Notify::new());
    (
        FrameSender {
            frames,
            stuck: stuck.clone(),
        },
        FrameReceiver {
            frames: receiver,
            stuck,
        },
    )
}

/// What the edges ask of the hub.
#[derive(Debug)]
pub enum Request {
    AgentAttach {
        agent: AgentId,
        last_seq: Option<Seq>,
        frames: FrameSender,
        connection: u64,
    },
    AgentDetach {
        agent: AgentId,
        connection: u64,
    },
    AgentAck {
        agent: AgentId,
        seq: Seq,
    },
    AgentCommand {
        agent: AgentId,
        id: CommandId,
        command: AgentCommand,
    },
    /// The widget resumes after a reload; `done` says which conversation, if the token is known.
    CustomerAttach {
        token: String,
        last_seq: Seq,
        frames: FrameSender,
        connection: u64,
        done: oneshot::Sender<Option<ConversationId>>,
    },
    CustomerDetach {
        conversation: ConversationId,
        connection: u64,
    },
    CustomerAck {
        conversation: ConversationId,
        seq: Seq,
    },
    /// `conversation` is `None` until the chat has started; `done` reports the conversation.
    CustomerCommand {
        conversation: Option<ConversationId>,
        id: CommandId,
        command: CustomerCommand,
        frames: FrameSender,
        connection: u64,
        done: oneshot::Sender<Option<ConversationId>>,
    },
    Agent {
        agent: AgentId,
        done: oneshot::Sender<Option<AgentSummary>>,
    },
    /// A customer's SMS or Messenger message; `done` gets its conversation once it is stored.
    Inbound {
        inbound: Inbound,
        done: oneshot::Sender<Result<ConversationId, ErrorBody>>,
    },
    Receipt {
        channel: Channel,
        receipt: Receipt,
    },
    /// The courier is done with the reply at `seq` of a conversation's outbound stream:
    /// delivered, or not for the reason given.
    Delivered {
        conversation: ConversationId,
        seq: Seq,
        message: u64,
        failure: Option<String>,
    },
    /// The bot's answer to the customer's message at `seq` of the conversation's outbound
    /// stream, or why there is none.
    BotAnswered {
        conversation: ConversationId,
        seq: Seq,
        answer: Result<BotAnswer, String>,
    },
    /// A supervisor assigns a waiting conversation to an agent; `done` gets the outcome once
    /// committed.
    Assign {
        conversation: ConversationId,
        agent: AgentId,
        done: oneshot::Sender<Result<(), ErrorBody>>,
    },
    /// An administrator removes a queue; `done` gets how many conversations ended and how many
    /// were interrupted, once committed.
    RemoveQueue {
        queue: QueueId,
        done: oneshot::Sender<Result<(usize, usize), ErrorBody>>,
    },
}

/// A cheap handle to send requests to the hub.
#[derive(Clone, Debug)]
pub struct HubHandle {
    requests: mpsc::Sender<Request>,
}

impl HubHandle {
    pub async fn send(&self, request: Request) {
        // The hub only stops when the server does; a request sent then has nobody to answer it.
        let _ = self.requests.send(request).await;
    }

    /// Stores a customer's SMS or Messenger message; says which conversation it went to.
    pub async fn inbound(&self, inbound: Inbound) -> Result<ConversationId, ErrorBody> {
        let (done, answer) = oneshot::channel();
        self.send(Request::Inbound { inbound, done }).await;
        answer.await.unwrap_or_else(|_| {
            Err(ErrorBody::new(
                ErrorCode::Internal,
                "The server is stopping; send the message again.",
            ))
        })
    }

    pub async fn receipt(&self, channel: Channel, receipt: Receipt) {
        self.send(Request::Receipt { channel, receipt }).await;
    }

    pub async fn agent(&self, agent: AgentId) -> Option<AgentSummary> {
        let (done, answer) = oneshot::channel();
        self.send(Request::Agent { agent, done }).await;
        answer.await.ok().flatten()
    }
}

fn agent_stream(agent: &AgentId) -> String {
    format!("agent:{agent}")
}

fn customer_stream(conversation: &ConversationId) -> String {
    format!("customer:{conversation}")
}

/// The stream of a conversation's errands for the courier.
const OUTBOUND_PREFIX: &str = "outbound:";

fn outbound_stream(conversation: &ConversationId) -> String {
    format!("{OUTBOUND_PREFIX}{conversation}")
}

fn frame_event(seq: Seq, event: &str) -> String {
    format!(r#"{{"type":"event","seq":{seq},"event":{event}}}"#)
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("protocol types serialize")
}

#[derive(Debug)]
struct Live {
    connection: u64,
    frames: FrameSender,
}

/// Requests handled but not yet committed: what to write, then what to deliver.
#[derive(Default)]
struct Pending {
    batch: Batch,
    /// Frames for live connections, in the order they were produced.
    deliveries: Vec<(FrameSender, String)>,
    /// Errands for the courier.
    outbound: Vec<Delivery>,
    /// Answers owed to the edges once committed (which conversation a customer is in, or that
    /// a provider's message is stored).
    answers: Vec<Box<dyn FnOnce() + Send>>,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("batch", &self.batch)
            .field("deliveries", &self.deliveries.len())
            .field("outbound", &self.outbound.len())
            .field("answers", &self.answers.len())
            .finish()
    }
}

/// What the committer does, in order.
#[derive(Debug)]
enum Work {
    /// Commit a group, then deliver its frames and answers.
    Commit(Box<Pending>),
    /// Answer once everything sent before is committed and delivered.
    Barrier(oneshot::Sender<()>),
}

/// Commits groups in order and delivers each group's frames after its commit, while the hub
/// routes the next: a routing step never waits for the disk, a frame never leaves before its
/// commit. Whatever has queued up while a commit ran goes into the next one together.
async fn commit_in_order<S: Store>(
    store: S,
    mut work: mpsc::Receiver<Work>,
    courier: mpsc::UnboundedSender<Delivery>,
) -> Result<(), StoreError> {
    while let Some(first) = work.recv().await {
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

async fn commit_and_deliver<S: Store>(
    store: &S,
    pending: Pending,
    courier: &mpsc::UnboundedSender<Delivery>,
) -> Result<(), StoreError> {
    let started = Instant::now();
    let rows = pending.batch.messages.len() + pending.batch.outbox.len();
    let committed = store.commit(pending.batch).await;
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
    for (connection, frame) in pending.deliveries {
        connection.try_send(frame);
    }
    for delivery in pending.outbound {
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
        self.deliveries.extend(later.deliveries);
        self.outbound.extend(later.outbound);
        self.answers.extend(later.answers);
    }
}

/// Groups waiting for the committer before the hub slows down to its pace.
const COMMIT_QUEUE: usize = 64;

/// The replies of one stream, newest last, for answering retried commands.
#[derive(Debug, Default)]
struct Replies {
    by_id: HashMap<String, String>,
    order: VecDeque<String>,
}

impl Replies {
    fn remember(&mut self, id: String, reply: String) {
        if self.by_id.insert(id.clone(), reply).is_none() {
            self.order.push_back(id);
        }
        while self.order.len() > REPLIES_PER_STREAM {
            if let Some(oldest) = self.order.pop_front() {
                self.by_id.remove(&oldest);
            }
        }
    }
}

#[derive(Debug)]
pub struct Hub<S: Store> {
    router: Router,
    store: S,
    /// The last sequence number given out per stream.
    heads: HashMap<String, Seq>,
    live: HashMap<String, Live>,
    /// Replies per stream, loaded from the store the first time the stream sends a command.
    replies: HashMap<String, Replies>,
    committer: mpsc::Sender<Work>,
    committer_task: Option<tokio::task::JoinHandle<Result<(), StoreError>>>,
}

impl<S: Store> Hub<S> {
    /// Loads the routing model from the store and starts the hub task.
    pub async fn start(
        config: Arc<Config>,
        store: S,
    ) -> Result<(HubHandle, tokio::task::JoinHandle<Result<(), StoreError>>), StoreError> {
        let now = clock::now();
        store
            .prune_replies(now.saturating_sub(REPLY_RETENTION_MILLIS))
            .await?;
        let agents = store.agents().await?;
        let mut conversations = Vec::new();
        for record in store.open_conversations().await? {
            let history = store.history(&record.id).await?;
            conversations.push((record, history));
        }
        let heads: HashMap<String, Seq> = store.stream_heads().await?.into_iter().collect();
        let removed = store.removed_queues().await?;
        let (requests, inbox) = mpsc::channel(4096);
        let courier = courier::start(config.clone(), requests.downgrade());
        // Errands a previous run stored but did not see done run now.
        for stream in heads.keys().filter(|s| s.starts_with(OUTBOUND_PREFIX)) {
            for (seq, event) in store.outbox_after(stream, 0).await? {
                let errand = serde_json::from_str(&event)
                    .map_err(|e| StoreError(format!("a stored errand in {stream}: {e}")))?;
                let _ = courier.send((seq, errand));
            }
        }
        let matched: Vec<_> = conversations
            .iter()
            .filter_map(|(record, _)| Some((record.id.clone(), record.contact.clone()?)))
            .collect();
        let mut router = Router::new(config, agents, conversations, removed, now);
        // Open conversations get their contact's card back.
        for (conversation, contact) in matched {
            if let Some(contact) = store.contact(&contact).await? {
                let card = contacts::card(&store, contact, |queue| router.queue_summary(queue));
                router.attach_contact(&conversation, card.await?);
            }
        }
        let (committer, work) = mpsc::channel(COMMIT_QUEUE);
        let committer_task = Some(tokio::spawn(commit_in_order(store.clone(), work, courier)));
        let hub = Hub {
            router,
            store,
            heads,
            live: HashMap::new(),
            replies: HashMap::new(),
            committer,
            committer_task,
        };
        let task = tokio::spawn(hub.run(inbox));
        Ok((HubHandle { requests }, task))
    }

    async fn run(mut self, mut inbox: mpsc::Receiver<Request>) -> Result<(), StoreError> {
        // Time-based rules (offer expiries, grace periods) are checked on a steady tick: precise
        // enough for timeouts of seconds, and nothing has to be scanned per request.
        let mut ticker = tokio::time::interval(TICK);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let mut pending = Pending::default();
            tokio::select! {
                request = inbox.recv() => {
                    // Every handle is gone: the server is shutting down, and every step so far
                    // is committed.
                    let Some(request) = request else { return self.finish(pending).await };
                    self.handle(request, &mut pending).await?;
                    // Group commit: whatever else is already waiting goes into the same commit.
                    for _ in 1..GROUP_LIMIT {
                        let Ok(request) = inbox.try_recv() else { break };
                        self.handle(request, &mut pending).await?;
                    }
                }
                _ = ticker.tick() => {
                    let mut fx = Effects::default();
                    self.router.tick(clock::now(), &mut fx);
                    self.stage(&mut pending, fx, None);
                }
            }
            self.flush(pending).await?;
        }
    }

    async fn handle(&mut self, request: Request, pending: &mut Pending) -> Result<(), StoreError> {
        let now = clock::now();
        match request {
            Request::AgentAttach {
                agent,
                last_seq,
                frames,
                connection,
            } => {
                // A replay reads the store: first commit what is pending.
                self.settle(pending).await?;
                self.attach_agent(agent, last_seq, frames, connection, now, pending)
                    .await?;
            }
            Request::AgentDetach { agent, connection } => {
                if self.detach(&agent_stream(&agent), connection) {
                    self.router.agent_disconnected(&agent, now);
                }
            }
            Request::AgentAck { agent, seq } => {
                pending.batch.acks.push((agent_stream(&agent), seq))
            }
            Request::AgentCommand { agent, id, command } => {
                let stream = agent_stream(&agent);
                if let Some(reply) = self.known_reply(&stream, &id.0).await? {
                    self.deliver(pending, &stream, reply);
                    return Ok(());
                }
                let mut fx = Effects::default();
                let outcome = match self.agent_command(&agent, command, now, &mut fx) {
                    Ok(result) => Outcome::Ok { result },
                    Err(error) => {
                        // A refused command changes nothing.
                        fx = Effects::default();
                        Outcome::Error { error }
                    }
                };
                let reply = json(&AgentServerFrame::Reply {
                    id: id.clone(),
                    outcome,
                });
                self.stage(pending, fx, Some((stream, id.0, reply)));
            }
            Request::CustomerAttach {
                token,
                last_seq,
                frames,
                connection,
                done,
            } => {
                self.settle(pending).await?;
                let conversation = self
                    .store
                    .conversation_by_token(&auth::hash_token(&token))
                    .await?;
                if let Some(conversation) = &conversation {
                    self.attach(customer_stream(conversation), last_seq, frames, connection)
                        .await?;
                }
                let _ = done.send(conversation);
            }
            Request::CustomerDetach {
                conversation,
                connection,
            } => {
                self.detach(&customer_stream(&conversation), connection);
            }
            Request::CustomerAck { conversation, seq } => {
                pending
                    .batch
                    .acks
                    .push((customer_stream(&conversation), seq));
            }
            Request::CustomerCommand {
                conversation,
                id,
                command,
                frames,
                connection,
                done,
            } => {
                let conversation = self
                    .customer_command(conversation, id, command, frames, connection, now, pending)
                    .await?;
                pending.answers.push(Box::new(move || {
                    let _ = done.send(conversation);
                }));
            }
            Request::Inbound { inbound, done } => self.inbound(inbound, done, now, pending).await?,
            Request::Receipt { channel, receipt } => {
                let mut fx = Effects::default();
                self.router.receipt(channel, receipt, &mut fx);
                self.stage(pending, fx, None);
            }
            Request::Delivered {
                conversation,
                seq,
                message,
                failure,
            } => {
                pending
                    .batch
                    .acks
                    .push((outbound_stream(&conversation), seq));
                if let Some(reason) = failure {
                    let mut fx = Effects::default();
                    self.router
                        .delivery_failed(&conversation, message, &reason, now, &mut fx);
                    self.stage(pending, fx, None);
                }
            }
            Request::BotAnswered {
                conversation,
                seq,
                answer,
            } => {
                pending
                    .batch
                    .acks
                    .push((outbound_stream(&conversation), seq));
                let mut fx = Effects::default();
                self.router
                    .bot_answered(&conversation, answer, now, &mut fx);
                self.stage(pending, fx, None);
            }
            Request::Agent { agent, done } => {
                let _ = done.send(self.router.agent(&agent).cloned());
            }
            Request::Assign {
                conversation,
                agent,
                done,
            } => {
                let mut fx = Effects::default();
                let assigned = self.router.assign(&conversation, &agent, now, &mut fx);
                if assigned.is_ok() {
                    self.stage(pending, fx, None);
                }
                pending.answers.push(Box::new(move || {
                    let _ = done.send(assigned);
                }));
            }
            Request::RemoveQueue { queue, done } => {
                let mut fx = Effects::default();
                let removed = self.router.remove_queue(&queue, now, &mut fx);
                if removed.is_ok() {
                    self.stage(pending, fx, None);
                    pending.batch.removed_queues.push(queue);
                }
                // Answered once the removal is committed.
                self.settle(pending).await?;
                let _ = done.send(removed);
            }
        }
        Ok(())
    }

    async fn attach_agent(
        &mut self,
        agent: AgentId,
        last_seq: Option<Seq>,
        frames: FrameSender,
        connection: u64,
        now: Millis,
        pending: &mut Pending,
    ) -> Result<(), StoreError> {
        if self.router.agent(&agent).is_none() {
            // Added with `agent add` while the server runs.
            if let Some(record) = self
                .store
                .agents()
                .await?
                .into_iter()
                .find(|record| record.id == agent)
            {
                self.router.add_agent(record, now);
            }
        }
        let Some(summary) = self.router.agent(&agent).cloned() else {
            return Ok(());
        };
        let stream = agent_stream(&agent);
        let head = self.heads.get(&stream).copied().unwrap_or(0);
        // Resuming from a point the server has not reached (a restored backup) is a fresh start.
        let resume = last_seq.filter(|seq| *seq <= head);
        let welcome = AgentServerFrame::Welcome {
            protocol: PROTOCOL_VERSION,
            agent: summary,
            resumed: resume.is_some(),
            last_seq: resume.unwrap_or(head),
        };
        let _ = frames.try_send(json(&welcome));
        if resume.is_none() {
            // A desktop starting afresh has nothing to resume: what was not acknowledged is
            // superseded by the full picture it gets now.
            pending.batch.acks.push((stream.clone(), head));
        }
        self.attach(stream, resume.unwrap_or(head), frames, connection)
            .await?;
        let mut fx = Effects::default();
        self.router
            .agent_connected(&agent, resume.is_none(), now, &mut fx);
        self.stage(pending, fx, None);
        Ok(())
    }

    /// Makes `frames` the live connection of `stream`, replaying what followed `last_seq`.
    async fn attach(
        &mut self,
        stream: String,
        last_seq: Seq,
        frames: FrameSender,
        connection: u64,
    ) -> Result<(), StoreError> {
        for (seq, event) in self.store.outbox_after(&stream, last_seq).await? {
            if !frames.try_send(frame_event(seq, &event)) {
                return Ok(());
            }
        }
        self.live.insert(stream, Live { connection, frames });
        Ok(())
    }

    /// Forgets `stream`'s connection if it is still `connection`; says whether it was.
    fn detach(&mut self, stream: &str, connection: u64) -> bool {
        let current = self
            .live
            .get(stream)
            .is_some_and(|live| live.connection == connection);
        if current {
            self.live.remove(stream);
        }
        current
    }

    /// The reply already given to command `id` on `stream`, if it was seen before.
    async fn known_reply(&mut self, stream: &str, id: &str) -> Result<Option<String>, StoreError> {
        if !self.replies.contains_key(stream) {
            let mut replies = Replies::default();
            for (id, reply) in self.store.replies(stream).await? {
                replies.remember(id, reply);
            }
            self.replies.insert(stream.to_owned(), replies);
        }
        Ok(self.replies[stream].by_id.get(id).cloned())
    }

    fn agent_command(
        &mut self,
        agent: &AgentId,
        command: AgentCommand,
        now: Millis,
        fx: &mut Effects,
    ) -> Result<CommandResult, ErrorBody> {
        let router = &mut self.router;
        match command {
            AgentCommand::SetPresence { presence } => {
                router.set_presence(agent, presence, now, fx)?
            }
            AgentCommand::Accept { conversation } => {
                router.accept(agent, &conversation, now, fx)?
            }
            AgentCommand::Reject { conversation } => {
                router.reject(agent, &conversation, now, fx)?
            }
            AgentCommand::SendMessage { conversation, text } => {
                router.agent_message(agent, &conversation, &text, now, fx)?;
            }
            AgentCommand::End {
                conversation,
                wrap_up,
            } => router.end(agent, &conversation, &wrap_up, now, fx)?,
            AgentCommand::ListQueues => {
                return Ok(CommandResult::Queues {
                    queues: router.queue_summaries(),
                });
            }
            AgentCommand::ListAvailableAgents => {
                return Ok(CommandResult::Agents {
                    agents: router.available_agents(agent),
                });
            }
            AgentCommand::Transfer {
                conversation,
                to: TransferTarget::Queue { queue },
            } => {
                router.transfer_to_queue(agent, &conversation, &queue, now, fx)?;
            }
            AgentCommand::Transfer {
                conversation,
                to: TransferTarget::Agent { agent: target },
            } => {
                router.transfer_to_agent(agent, &conversation, &target, now, fx)?;
            }
            AgentCommand::ConferenceInvite {
                conversation,
                agent: target,
            } => {
                router.conference_invite(agent, &conversation, &target, now, fx)?;
            }
            AgentCommand::ConferenceExit {
                conversation,
                wrap_up,
            } => {
                router.conference_exit(agent, &conversation, &wrap_up, now, fx)?;
            }
            AgentCommand::Park { conversation } => router.park(agent, &conversation, now, fx)?,
            AgentCommand::Escalate {
                conversation,
                queue,
                reason,
            } => router.escalate(agent, &conversation, &queue, &reason, now, fx)?,
        }
        Ok(CommandResult::Done)
    }

    #[allow(clippy::too_many_arguments)]
    async fn customer_command(
        &mut self,
        conversation: Option<ConversationId>,
        id: CommandId,
        command: CustomerCommand,
        frames: FrameSender,
        connection: u64,
        now: Millis,
        pending: &mut Pending,
    ) -> Result<Option<ConversationId>, StoreError> {
        let reply = |outcome: CustomerOutcome| {
            json(&CustomerServerFrame::Reply {
                id: id.clone(),
                outcome,
            })
        };
        let refuse = |code: ErrorCode, message: &str| {
            reply(CustomerOutcome::Error {
                error: ErrorBody::new(code, message),
            })
        };
        let Some(conversation) = conversation else {
            if let CustomerCommand::Resume {
                widget,
                customer_token,
            } = &command
            {
                let outcome =
                    self.resume(widget, customer_token, frames.clone(), connection, pending);
                return Ok(match outcome {
                    Ok(conversation) => {
                        self.deliver(
                            pending,
                            &customer_stream(&conversation),
                            reply(CustomerOutcome::Ok),
                        );
                        Some(conversation)
                    }
                    Err(error) => {
                        let _ = frames.try_send(reply(CustomerOutcome::Error { error }));
                        None
                    }
                });
            }
            let CustomerCommand::StartChat {
                widget,
                name,
                email,
                message,
                context,
                customer_token,
                proactive,
            } = command
            else {
                let _ = frames.try_send(refuse(ErrorCode::InvalidState, "Start a chat first."));
                return Ok(None);
            };
            if id.0.len() < MIN_START_ID_LEN {
                let message = format!(
                    "start_chat needs a random command id of at least {MIN_START_ID_LEN} characters, so that a retry is recognised"
                );
                let _ = frames.try_send(refuse(ErrorCode::InvalidInput, &message));
                return Ok(None);
            }
            // A retried start (its reply was lost) rejoins the conversation it created.
            if let Some(started) = self.known_reply(START_STREAM, &id.0).await? {
                self.settle(pending).await?;
                let conversation = ConversationId(started);
                self.attach(
                    customer_stream(&conversation),
                    0,
                    frames.clone(),
                    connection,
                )
                .await?;
                let _ = frames.try_send(reply(CustomerOutcome::Ok));
                return Ok(Some(conversation));
            }
            let signed_in = match self.signed_in(&widget, customer_token.as_deref()) {
                Some(Err(error)) => {
                    let _ = frames.try_send(reply(CustomerOutcome::Error { error }));
                    return Ok(None);
                }
                Some(Ok(customer)) => Some(customer),
                None => None,
            };
            // A signed-in customer who has a persistent conversation goes on with it.
            if let Some(open) = signed_in
                .as_ref()
                .and_then(|customer| self.router.persistent_conversation(&customer.id))
            {
                self.reopen(&open, frames, connection, pending);
                let mut fx = Effects::default();
                let outcome = match self.router.customer_message(&open, &message, now, &mut fx) {
                    Ok(()) => CustomerOutcome::Ok,
                    Err(error) => {
                        fx = Effects::default();
                        CustomerOutcome::Error { error }
                    }
                };
                self.stage(pending, fx, None);
                self.remember(pending, START_STREAM, &id.0, open.0.clone());
                self.deliver(pending, &customer_stream(&open), reply(outcome));
                return Ok(Some(open));
            }
            let conversation = ConversationId(auth::random_id());
            let token = auth::random_token();
            // A signed-in customer is found by their id in the site's accounts; others by the
            // e-mail address they gave.
            let email = email.or_else(|| signed_in.as_ref().and_then(|c| c.email.clone()));
            let contact = match (&signed_in, &email) {
                (Some(customer), _) => {
                    self.contact_card(&ContactKey::ExternalId(customer.id.clone()))
                        .await?
                }
                (None, Some(email)) => self.contact_card(&ContactKey::Email(email.clone())).await?,
                (None, None) => None,
            };
            let name = match &signed_in {
                Some(customer) if name.trim().is_empty() => customer.name.clone().unwrap_or(name),
                _ => name,
            };
            let customer = Customer {
                name,
                email,
                phone: None,
            };
            let request = ChatRequest {
                widget: &widget,
                customer,
                first_message: &message,
                context: context.into_iter().collect(),
                contact,
                customer_id: signed_in.map(|customer| customer.id),
                proactive,
            };
            let mut fx = Effects::default();
            let started = self.router.start_chat(
                conversation.clone(),
                &token,
                auth::hash_token(&token),
                request,
                now,
                &mut fx,
            );
            if let Err(error) = started {
                let _ = frames.try_send(reply(CustomerOutcome::Error { error }));
                return Ok(None);
            }
            let stream = customer_stream(&conversation);
            // A conversation started now has no stored replies: nothing to look up on disk.
            self.replies.insert(stream.clone(), Replies::default());
            self.live
                .insert(stream.clone(), Live { connection, frames });
            self.stage(pending, fx, None);
            self.remember(pending, START_STREAM, &id.0, conversation.0.clone());
            self.deliver(pending, &stream, reply(CustomerOutcome::Ok));
            return Ok(Some(conversation));
        };
        let stream = customer_stream(&conversation);
        if let Some(answer) = self.known_reply(&stream, &id.0).await? {
            self.deliver(pending, &stream, answer);
            return Ok(Some(conversation));
        }
        let mut fx = Effects::default();
        let done = match command {
            CustomerCommand::StartChat { .. } | CustomerCommand::Resume { .. } => Err(
                ErrorBody::new(ErrorCode::InvalidState, "This chat has already started."),
            ),
            CustomerCommand::SendMessage { text } => {
                self.router
                    .customer_message(&conversation, &text, now, &mut fx)
            }
            CustomerCommand::End => self.router.customer_end(&conversation, now, &mut fx),
        };
        let outcome = match done {
            Ok(()) => CustomerOutcome::Ok,
            Err(error) => {
                fx = Effects::default();
                CustomerOutcome::Error { error }
            }
        };
        let answer = reply(outcome);
        self.stage(pending, fx, Some((stream, id.0, answer)));
        Ok(Some(conversation))
    }

    /// The card of the contact `key` finds, if one does.
    async fn contact_card(&self, key: &ContactKey) -> Result<Option<ContactCard>, StoreError> {
        let Some(contact) = self.store.contact_by(key).await? else {
            return Ok(None);
        };
        let card = contacts::card(&self.store, contact, |queue| {
            self.router.queue_summary(queue)
        });
        card.await.map(Some)
    }

    /// Adds one step's effects (and the reply to the command that caused it) to the group.
    fn stage(
        &mut self,
        pending: &mut Pending,
        fx: Effects,
        reply: Option<(String, String, String)>,
    ) {
        let batch = &mut pending.batch;
        batch.new_conversations.extend(fx.created);
        batch.conversations.extend(fx.changed.into_values());
        batch.messages.extend(fx.messages);
        batch.presences.extend(fx.presences);
        batch.tokens.extend(fx.tokens);
        for emit in fx.emits {
            let (stream, event) = match &emit {
                Emit::Agent(agent, event) => (agent_stream(agent), json(event)),
                Emit::Customer(conversation, event) => (customer_stream(conversation), json(event)),
                Emit::Errand(errand) => (outbound_stream(errand.conversation()), json(errand)),
            };
            let head = self.heads.entry(stream.clone()).or_insert(0);
            *head += 1;
            let seq = *head;
            if let Emit::Errand(errand) = emit {
                pending.outbound.push((seq, errand));
            } else if let Some(live) = self.live.get(&stream) {
                pending
                    .deliveries
                    .push((live.frames.clone(), frame_event(seq, &event)));
            }
            pending.batch.outbox.push((stream, seq, event));
        }
        if let Some((stream, id, reply)) = reply {
            self.remember(pending, &stream, &id, reply.clone());
            self.deliver(pending, &stream, reply);
        }
    }

    fn remember(&mut self, pending: &mut Pending, stream: &str, id: &str, reply: String) {
        self.replies
            .entry(stream.to_owned())
            .or_default()
            .remember(id.to_owned(), reply.clone());
        pending
            .batch
            .replies
            .push((stream.to_owned(), id.to_owned(), reply));
    }

    /// Queues `frame` for `stream`'s live connection, to leave once the group is committed.
    fn deliver(&self, pending: &mut Pending, stream: &str, frame: String) {
        if let Some(live) = self.live.get(stream) {
            pending.deliveries.push((live.frames.clone(), frame));
        }
    }

    /// Hands the group to the committer.
    async fn flush(&mut self, pending: Pending) -> Result<(), StoreError> {
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
    async fn settle(&mut self, pending: &mut Pending) -> Result<(), StoreError> {
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
                _ => StoreError("the committer stopped".into()),
            },
            None => StoreError("the committer stopped".into()),
        }
    }

    /// The server is stopping: commit the last group and wait for every commit to finish.
    async fn finish(mut self, pending: Pending) -> Result<(), StoreError> {
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
                .unwrap_or_else(|_| Err(StoreError("the committer panicked".into()))),
            None => Ok(()),
        }
    }
}
