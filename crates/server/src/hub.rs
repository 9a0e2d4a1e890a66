//! The hub: the one task that owns the [`Router`], so that routing decisions happen one at a
//! time. Each request becomes one routing step; the step's records, sequenced events (the
//! outbox) and command reply are committed to the store in one transaction, and only then are
//! the events pushed to the connected clients. A client that reconnects gets the events after
//! the last sequence number it saw, from the store.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use switchboard_protocol::agent::{
    AgentCommand, AgentServerFrame, AgentSummary, CommandResult, Outcome, TransferTarget,
};
use switchboard_protocol::customer::{CustomerCommand, CustomerOutcome, CustomerServerFrame};
use switchboard_protocol::{AgentId, CommandId, ConversationId, ErrorBody, ErrorCode, Millis, Seq};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::clock;
use crate::config::Config;
use crate::routing::{Effects, Emit, Router};
use crate::store::{AgentRecord, Batch, Store, StoreError};

/// Frames queued for one connection before it counts as stuck and is dropped (it resumes).
const CONNECTION_BACKLOG: usize = 4096;

/// How often time-based rules (grace periods) are checked, besides offer expiries.
const TICK: Duration = Duration::from_millis(250);

/// A connection's outgoing frames, already serialized.
pub type FrameSender = mpsc::Sender<String>;

pub fn connection() -> (FrameSender, mpsc::Receiver<String>) {
    mpsc::channel(CONNECTION_BACKLOG)
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
    /// `token` and `last_seq` when the widget resumes; the reply says which conversation.
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
    AgentAdded(AgentRecord),
    Agent {
        agent: AgentId,
        done: oneshot::Sender<Option<AgentSummary>>,
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

#[derive(Debug)]
pub struct Hub<S: Store> {
    router: Router,
    store: S,
    /// The last sequence number given out per stream.
    heads: HashMap<String, Seq>,
    live: HashMap<String, Live>,
}

impl<S: Store> Hub<S> {
    /// Loads the routing model from the store and starts the hub task.
    pub async fn start(
        config: Arc<Config>,
        store: S,
    ) -> Result<(HubHandle, tokio::task::JoinHandle<Result<(), StoreError>>), StoreError> {
        let now = clock::now();
        let agents = store.agents().await?;
        let mut conversations = Vec::new();
        for record in store.open_conversations().await? {
            let history = store.history(&record.id).await?;
            conversations.push((record, history));
        }
        let heads = store.stream_heads().await?.into_iter().collect();
        let router = Router::new(config, agents, conversations, now);
        let hub = Hub {
            router,
            store,
            heads,
            live: HashMap::new(),
        };
        let (requests, inbox) = mpsc::channel(4096);
        let task = tokio::spawn(hub.run(inbox));
        Ok((HubHandle { requests }, task))
    }

    async fn run(mut self, mut inbox: mpsc::Receiver<Request>) -> Result<(), StoreError> {
        let mut next_tick = Instant::now() + TICK;
        loop {
            let wake = self.wake_at(next_tick);
            tokio::select! {
                request = inbox.recv() => match request {
                    Some(request) => self.handle(request).await?,
                    // Every handle is gone: the server is shutting down, and every step so far
                    // is committed.
                    None => return Ok(()),
                },
                () = tokio::time::sleep_until(wake) => {
                    let mut fx = Effects::default();
                    self.router.tick(clock::now(), &mut fx);
                    self.apply(fx, None).await?;
                    if Instant::now() >= next_tick {
                        next_tick = Instant::now() + TICK;
                    }
                }
            }
        }
    }

    /// The next moment time decides something: an offer expiry or the next grace check.
    fn wake_at(&self, next_tick: Instant) -> Instant {
        let offer = self.router.next_deadline().map(|deadline| {
            let wait = deadline.saturating_sub(clock::now());
            Instant::now() + Duration::from_millis(wait)
        });
        offer.map_or(next_tick, |offer| offer.min(next_tick))
    }

    async fn handle(&mut self, request: Request) -> Result<(), StoreError> {
        let now = clock::now();
        match request {
            Request::AgentAttach {
                agent,
                last_seq,
                frames,
                connection,
            } => {
                self.attach_agent(agent, last_seq, frames, connection, now)
                    .await?;
            }
            Request::AgentDetach { agent, connection } => {
                let stream = agent_stream(&agent);
                if self
                    .live
                    .get(&stream)
                    .is_some_and(|live| live.connection == connection)
                {
                    self.live.remove(&stream);
                    self.router.agent_disconnected(&agent, now);
                }
            }
            Request::AgentAck { agent, seq } => {
                self.store.acknowledge(&agent_stream(&agent), seq).await?
            }
            Request::AgentCommand { agent, id, command } => {
                let stream = agent_stream(&agent);
                if let Some(reply) = self.store.reply(&stream, &id.0).await? {
                    self.send(&stream, reply);
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
                self.apply(fx, Some((stream, id, reply))).await?;
            }
            Request::CustomerAttach {
                token,
                last_seq,
                frames,
                connection,
                done,
            } => {
                let conversation = self
                    .store
                    .conversation_by_token(&crate::auth::hash_token(&token))
                    .await?;
                if let Some(conversation) = &conversation {
                    self.attach(
                        customer_stream(conversation),
                        Some(last_seq),
                        frames,
                        connection,
                    )
                    .await?;
                }
                let _ = done.send(conversation);
            }
            Request::CustomerDetach {
                conversation,
                connection,
            } => {
                let stream = customer_stream(&conversation);
                if self
                    .live
                    .get(&stream)
                    .is_some_and(|live| live.connection == connection)
                {
                    self.live.remove(&stream);
                }
            }
            Request::CustomerAck { conversation, seq } => {
                self.store
                    .acknowledge(&customer_stream(&conversation), seq)
                    .await?;
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
                    .customer_command(conversation, id, command, frames, connection, now)
                    .await?;
                let _ = done.send(conversation);
            }
            Request::AgentAdded(record) => self.router.add_agent(record, now),
            Request::Agent { agent, done } => {
                let _ = done.send(self.router.agent(&agent).cloned());
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
    ) -> Result<(), StoreError> {
        let stream = agent_stream(&agent);
        let head = self.heads.get(&stream).copied().unwrap_or(0);
        // Resuming from a point the server has not reached (a restored backup) is a fresh start.
        let resume = last_seq.filter(|seq| *seq <= head);
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
        let welcome = AgentServerFrame::Welcome {
            protocol: switchboard_protocol::PROTOCOL_VERSION,
            agent: summary,
            resumed: resume.is_some(),
            last_seq: resume.unwrap_or(head),
        };
        let _ = frames.try_send(json(&welcome));
        if resume.is_none() {
            // A desktop starting afresh has nothing to resume: what was not acknowledged is
            // superseded by the full picture it gets now.
            self.store.acknowledge(&stream, head).await?;
        }
        self.attach(stream, Some(resume.unwrap_or(head)), frames, connection)
            .await?;
        let mut fx = Effects::default();
        self.router
            .agent_connected(&agent, resume.is_none(), now, &mut fx);
        self.apply(fx, None).await
    }

    /// Makes `frames` the live connection of `stream`, replaying what followed `last_seq`.
    async fn attach(
        &mut self,
        stream: String,
        last_seq: Option<Seq>,
        frames: FrameSender,
        connection: u64,
    ) -> Result<(), StoreError> {
        for (seq, event) in self
            .store
            .outbox_after(&stream, last_seq.unwrap_or(0))
            .await?
        {
            if frames.try_send(frame_event(seq, &event)).is_err() {
                return Ok(());
            }
        }
        self.live.insert(stream, Live { connection, frames });
        Ok(())
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
                router.agent_message(agent, &conversation, &text, now, fx)?
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
                let mut agents = router.available_agents();
                agents.retain(|other| &other.id != agent);
                return Ok(CommandResult::Agents { agents });
            }
            AgentCommand::Transfer {
                to: TransferTarget::Queue { .. } | TransferTarget::Agent { .. },
                ..
            }
            | AgentCommand::ConferenceInvite { .. }
            | AgentCommand::ConferenceExit { .. } => {
                return Err(ErrorBody::new(
                    ErrorCode::InvalidState,
                    "Transfer and conference are not available on this server yet.",
                ));
            }
        }
        Ok(CommandResult::Done)
    }

    async fn customer_command(
        &mut self,
        conversation: Option<ConversationId>,
        id: CommandId,
        command: CustomerCommand,
        frames: FrameSender,
        connection: u64,
        now: Millis,
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
        match (conversation, command) {
            (
                None,
                CustomerCommand::StartChat {
                    widget,
                    name,
                    email,
                    message,
                    context,
                },
            ) => {
                // A retried start (the reply was lost) rejoins the conversation it created.
                if let Some(started) = self.store.reply("start", &id.0).await? {
                    let conversation = ConversationId(started);
                    self.attach(
                        customer_stream(&conversation),
                        Some(0),
                        frames.clone(),
                        connection,
                    )
                    .await?;
                    let _ = frames.try_send(reply(CustomerOutcome::Ok));
                    return Ok(Some(conversation));
                }
                let conversation = ConversationId(crate::auth::random_id());
                let token = crate::auth::random_token();
                let customer = switchboard_protocol::agent::Customer {
                    name,
                    email,
                    phone: None,
                };
                let mut fx = Effects::default();
                let started = self.router.start_chat(
                    conversation.clone(),
                    &token,
                    crate::auth::hash_token(&token),
                    &widget,
                    customer,
                    &message,
                    context.into_iter().collect(),
                    now,
                    &mut fx,
                );
                if let Err(error) = started {
                    let _ = frames.try_send(reply(CustomerOutcome::Error { error }));
                    return Ok(None);
                }
                self.live.insert(
                    customer_stream(&conversation),
                    Live {
                        connection,
                        frames: frames.clone(),
                    },
                );
                let record = ("start".to_owned(), id.0.clone(), conversation.0.clone());
                self.apply_with(fx, vec![record], None).await?;
                let _ = frames.try_send(reply(CustomerOutcome::Ok));
                Ok(Some(conversation))
            }
            (None, _) => {
                let _ = frames.try_send(refuse(ErrorCode::InvalidState, "Start a chat first."));
                Ok(None)
            }
            (Some(conversation), command) => {
                let stream = customer_stream(&conversation);
                if let Some(answer) = self.store.reply(&stream, &id.0).await? {
                    let _ = frames.try_send(answer);
                    return Ok(Some(conversation));
                }
                let mut fx = Effects::default();
                let done = match command {
                    CustomerCommand::StartChat { .. } => Err(ErrorBody::new(
                        ErrorCode::InvalidState,
                        "This chat has already started.",
                    )),
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
                self.apply(fx, Some((stream, id, answer))).await?;
                Ok(Some(conversation))
            }
        }
    }

    async fn apply(
        &mut self,
        fx: Effects,
        reply: Option<(String, CommandId, String)>,
    ) -> Result<(), StoreError> {
        let replies = reply
            .iter()
            .map(|(stream, id, text)| (stream.clone(), id.0.clone(), text.clone()))
            .collect();
        self.apply_with(fx, replies, reply.map(|(stream, _, text)| (stream, text)))
            .await
    }

    /// Commits one step, then delivers its events and its reply.
    async fn apply_with(
        &mut self,
        fx: Effects,
        replies: Vec<(String, String, String)>,
        deliver_reply: Option<(String, String)>,
    ) -> Result<(), StoreError> {
        let mut batch = Batch {
            new_conversations: fx.created,
            conversations: fx.changed.into_values().collect(),
            messages: fx.messages,
            presences: fx.presences,
            outbox: Vec::with_capacity(fx.emits.len()),
            replies,
        };
        for emit in &fx.emits {
            let (stream, event) = match emit {
                Emit::Agent(agent, event) => (agent_stream(agent), json(event)),
                Emit::Customer(conversation, event) => (customer_stream(conversation), json(event)),
            };
            let head = self.heads.entry(stream.clone()).or_insert(0);
            *head += 1;
            batch.outbox.push((stream, *head, event));
        }
        let outbox: Vec<(String, Seq, String)> = batch.outbox.clone();
        if let Err(error) = self.store.commit(batch).await {
            tracing::error!(%error, "a routing step could not be stored; stopping so that a restart reloads the stored state");
            return Err(error);
        }
        for (stream, seq, event) in outbox {
            self.send(&stream, frame_event(seq, &event));
        }
        if let Some((stream, reply)) = deliver_reply {
            self.send(&stream, reply);
        }
        Ok(())
    }

    /// Sends a frame to the stream's live connection; one that cannot keep up is dropped.
    fn send(&mut self, stream: &str, frame: String) {
        if let Some(live) = self.live.get(stream) {
            if live.frames.try_send(frame).is_err() {
                tracing::warn!(
                    stream,
                    "connection cannot keep up; dropping it (it will resume)"
                );
                self.live.remove(stream);
            }
        }
    }
}
