//! The hub: the one task that owns the [`Router`], so that routing decisions happen one at a
//! time. Requests are handled in order; what they change, the events they emit (numbered per
//! stream: the outbox) and the replies to their commands accumulate in a [`Pending`] group that is
//! committed to the store in one transaction — everything queued at that moment, up to
//! [`GROUP_LIMIT`] requests — and only then are the events and replies delivered. A client that
//! reconnects gets, from the store, the events after the last sequence number it saw.
//!
//! - this file: the task, its state, and each request's handling;
//! - `request.rs`: [`HubHandle`], every request as a typed method for the edges;
//! - `connection.rs`: a connection's bounded outgoing frames;
//! - `stream.rs`: the outbox's stream names;
//! - `committer.rs`: committing groups in order and delivering each after its commit;
//! - `replies.rs`: stored replies, for retried commands;
//! - `replay.rs`: what a returning client missed, sent off the hub;
//! - `tokens.rs`: which conversation a customer's resume token opens;
//! - `agent.rs`, `customer.rs`: an agent's desktop and a customer's widget, attached and
//!   commanding;
//! - `channels.rs`, `persistent.rs`: SMS and Messenger messages stored once; persistent chat's
//!   signed-in customers;
//! - `history.rs`: earlier pages of a thread, read off the hub;
//! - `search.rs`: search over the agent's ended conversations, and their transcripts, read off
//!   the hub;
//! - `reports.rs`: a supervisor's reports, counted from facts read off the hub;
//! - `typing.rs`: typing, told at once and never stored;
//! - `metering.rs`: the metrics of each staged step, and the model's gauges every second;
//! - `live.rs`: the supervisors' live view, pushed batched and never stored; `supervision.rs`:
//!   a supervisor's actions on others' work, with the audit log's entries;
//! - `forwarded.rs`, `remote.rs`, `relay.rs`: with several nodes, what the others forward to
//!   the routing node's hub and what it sends them back: `remote.rs` is the hub as a node that
//!   does not route sees it, `relay.rs` the routing node's end.

mod administration;
mod agent;
mod channels;
mod committer;
mod connection;
mod customer;
mod files;
mod forwarded;
mod history;
mod live;
mod metering;
mod pace;
mod persistent;
pub mod relay;
mod remote;
mod replay;
mod replies;
mod reports;
mod request;
mod search;
mod stream;
mod supervision;
mod tokens;
mod typing;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use switchboard_mask::{KindSet, Masker};
use switchboard_protocol::agent::{AgentServerFrame, ContactCard};
use switchboard_protocol::{AgentId, ConversationId, ErrorBody, Millis, Seq};
use tokio::sync::mpsc;

use crate::channels::courier::{self, Report};
use crate::config::Config;
use crate::contacts;
use crate::events;
use crate::files::Signer;
use crate::masking;
use crate::routing::ContactKey;
use crate::routing::{Effects, Emit, Router};
use crate::store::{Store, StoreError};
use crate::{auth, clock};
use committer::{COMMIT_QUEUE, Outgoing, Pending, Work, commit_in_order};
use connection::Live;
pub use connection::{FrameReceiver, FrameSender, connection};
pub use files::file_signer;
pub use remote::Remote;
use replies::{REPLY_RETENTION_MILLIS, Replies};
pub use request::HubHandle;
use request::Request;
use stream::Stream;

/// At most this many requests go into one commit.
const GROUP_LIMIT: usize = 256;

/// How often time-based rules are checked: offers expire at most this late.
const TICK: Duration = Duration::from_millis(100);

pub(super) fn frame_event(seq: Seq, event: &str) -> String {
    format!(r#"{{"type":"event","seq":{seq},"event":{event}}}"#)
}

pub(super) fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("protocol types serialize")
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
    /// Resume tokens given out by this run.
    tokens: tokens::Tokens,
    committer: mpsc::Sender<Work>,
    committer_task: Option<tokio::task::JoinHandle<Result<(), StoreError>>>,
    /// Masks what agents are sent, when the profile masks.
    agent_masker: Option<Masker>,
    /// What providers are told that nothing depends on (the page typing).
    signals: courier::Signals,
    /// Signs the links to upload and read files.
    signer: Signer,
    /// What the supervisors' live view shows and was last pushed.
    live_view: live::LiveView,
    metering: metering::Metering,
    /// Whether steps store events for the event webhooks: while endpoints are configured.
    records_events: bool,
    /// Delivers the event webhooks while this node routes: dropped with the hub.
    event_webhooks: tokio::task::JoinSet<()>,
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
        let conversations = store.open_conversations().await?;
        let heads: HashMap<String, Seq> = store.stream_heads().await?.into_iter().collect();
        let removed = store.removed_queues().await?;
        let (requests, inbox) = mpsc::channel(4096);
        let handle = HubHandle::new(requests);
        let signer = file_signer(&store).await?;
        let courier = courier::start(config.clone(), signer.clone(), handle.for_courier());
        let signals = courier::Signals::new(config.clone());
        let event_webhooks = events::start(&config, store.clone()).await?;
        let records_events = !config.event_webhooks.is_empty();
        // Errands a previous run stored but did not see done run now.
        for stream in heads.keys().filter(|name| Stream::is_outbound(name)) {
            for (seq, event) in store.outbox_after(stream, 0).await? {
                let errand = serde_json::from_str(&event).map_err(|e| {
                    StoreError::from(e).context(format_args!("a stored errand in {stream}"))
                })?;
                let _ = courier.send((seq, errand));
            }
        }
        let matched: Vec<_> = conversations
            .iter()
            .filter_map(|(record, _)| Some((record.id.clone(), record.contact.clone()?)))
            .collect();
        let agent_masker = config.desktop.masking.then(|| Masker::new(KindSet::ALL));
        let added_templates = store.templates().await?;
        let mut router = Router::new(config, agents, conversations, removed, now);
        router.templates_changed(added_templates, &mut Effects::default());
        // Open conversations get their contact's card back.
        for (conversation, contact) in matched {
            if let Some(contact) = store.contact(&contact).await? {
                let past = store
                    .past_conversations(&contact.id, contacts::RECENT_CONVERSATIONS)
                    .await?;
                let card = contacts::card(contact, past, |queue| router.queue_summary(queue));
                router.attach_contact(&conversation, card);
            }
        }
        let live_view = live::LiveView::load(&router, &store, now).await?;
        let (committer, work) = mpsc::channel(COMMIT_QUEUE);
        let committer_task = Some(tokio::spawn(commit_in_order(store.clone(), work, courier)));
        let hub = Hub {
            router,
            store,
            heads,
            live: HashMap::new(),
            replies: HashMap::new(),
            tokens: tokens::Tokens::default(),
            committer,
            committer_task,
            agent_masker,
            signals,
            signer,
            live_view,
            metering: metering::Metering::default(),
            records_events,
            event_webhooks,
        };
        let task = tokio::spawn(hub.run(inbox));
        Ok((handle, task))
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
                    let now = clock::now();
                    let mut fx = Effects::default();
                    self.router.tick(now, &mut fx);
                    self.stage(&mut pending, fx, None);
                    self.tick_live(now);
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
                self.attach_agent(agent, last_seq, frames, connection, now, pending)
                    .await?;
            }
            Request::AgentDetach { agent, connection } => {
                if self.detach(&Stream::Agent(&agent).to_string(), connection) {
                    self.live_view.forget(&agent);
                    self.router.agent_disconnected(&agent, now);
                }
            }
            Request::AgentAck { agent, seq } => {
                self.acknowledge(pending, Stream::Agent(&agent).to_string(), seq);
            }
            Request::AgentCommand {
                agent,
                id,
                command,
                files,
                origin,
            } => {
                let desktop = agent::Desktop { agent, origin };
                self.agent_command(desktop, id, command, files, now, pending)
                    .await?;
            }
            Request::CustomerAttach {
                token,
                last_seq,
                customer_token,
                frames,
                connection,
                done,
            } => {
                let conversation = self
                    .conversation_by_token(&auth::hash_token(&token))
                    .await?
                    .filter(|id| self.may_resume(id, customer_token.as_deref()));
                if let Some(conversation) = &conversation {
                    let stream = Stream::Customer(conversation).to_string();
                    if self.router.record(conversation).is_some() {
                        self.attach(stream, last_seq, frames, connection, pending);
                        self.router.customer_connected(conversation);
                    } else {
                        // Closed: the hub forgot its head, the store knows what was missed.
                        self.replay_then_attach(
                            stream, last_seq, last_seq, frames, connection, pending,
                        );
                    }
                }
                let _ = done.send(conversation);
            }
            Request::CustomerDetach {
                conversation,
                connection,
            } => {
                if self.detach(&Stream::Customer(&conversation).to_string(), connection) {
                    self.router.customer_disconnected(&conversation, now);
                }
            }
            Request::CustomerAck { conversation, seq } => {
                self.acknowledge(pending, Stream::Customer(&conversation).to_string(), seq);
            }
            Request::CustomerCommand {
                conversation,
                id,
                command,
                files,
                frames,
                connection,
                client,
                done,
            } => {
                let on = customer::CustomerConnection {
                    frames,
                    connection,
                    client,
                };
                let sent = (command, files);
                let conversation = self
                    .customer_command(conversation, id, sent, on, now, pending)
                    .await?;
                pending.answers.push(Box::new(move || {
                    let _ = done.send(conversation);
                }));
            }
            Request::Typing { typist, typing } => self.tell_typing(&typist, typing, now),
            Request::Reconfigure { config, done } => {
                let checked = self.router.check_reconfigure(&config);
                if checked.is_ok() {
                    if config.event_webhooks != self.router.config().event_webhooks {
                        let store = self.store.clone();
                        events::restart(&mut self.event_webhooks, &config, store).await;
                        self.records_events = !config.event_webhooks.is_empty();
                    }
                    self.agent_masker = config.desktop.masking.then(|| Masker::new(KindSet::ALL));
                    let mut fx = Effects::default();
                    self.router.reconfigure(config, &mut fx);
                    self.stage(pending, fx, None);
                }
                let _ = done.send(checked);
            }
            Request::Templates { added } => {
                let mut fx = Effects::default();
                self.router.templates_changed(added, &mut fx);
                self.stage(pending, fx, None);
            }
            Request::AccountChanged { record } => {
                let mut fx = Effects::default();
                self.router.account_changed(record, now, &mut fx);
                self.stage(pending, fx, None);
            }
            Request::EndConversation { conversation, done } => {
                let mut fx = Effects::default();
                let ended = self
                    .router
                    .end_by_administrator(&conversation, now, &mut fx);
                if ended.is_ok() {
                    self.stage(pending, fx, None);
                }
                // Answered once committed.
                self.settle(pending).await?;
                let _ = done.send(ended);
            }
            Request::Inbound { inbound, done } => self.inbound(inbound, done, now, pending).await?,
            Request::Receipt { channel, receipt } => {
                let mut fx = Effects::default();
                self.router.receipt(channel, receipt, &mut fx);
                self.stage(pending, fx, None);
            }
            Request::AgentReceipt {
                agent,
                conversation,
                message,
            } => {
                let mut fx = Effects::default();
                self.router
                    .agent_receipt(&agent, &conversation, message, &mut fx);
                self.stage(pending, fx, None);
            }
            Request::ChatReceipt {
                conversation,
                message,
                seen,
            } => {
                let mut fx = Effects::default();
                self.router
                    .chat_receipt(&conversation, message, seen, &mut fx);
                self.stage(pending, fx, None);
            }
            Request::Courier(Report::Delivered {
                conversation,
                seq,
                message,
                failure,
            }) => {
                self.acknowledge(pending, Stream::Outbound(&conversation).to_string(), seq);
                if let Some(reason) = failure {
                    let mut fx = Effects::default();
                    self.router
                        .delivery_failed(&conversation, message, &reason, now, &mut fx);
                    self.stage(pending, fx, None);
                }
            }
            Request::Courier(Report::BotAnswered {
                conversation,
                seq,
                answer,
            }) => {
                self.acknowledge(pending, Stream::Outbound(&conversation).to_string(), seq);
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
            Request::SignOut {
                agent,
                error,
                role,
                done,
            } => {
                if let Some(role) = role {
                    self.router.set_role(&agent, role);
                }
                self.sign_out_now(&agent, error, now, pending);
                self.settle(pending).await?;
                let _ = done.send(());
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

    /// Closes `agent`'s desktop with `error` and lets routing let them go at once.
    fn sign_out_now(
        &mut self,
        agent: &AgentId,
        error: ErrorBody,
        now: Millis,
        pending: &mut Pending,
    ) {
        let stream = Stream::Agent(agent).to_string();
        if let Some(live) = self.live.remove(&stream) {
            let frame = AgentServerFrame::Error { error };
            live.frames.close_with(json(&frame));
        }
        self.live_view.forget(agent);
        let mut fx = Effects::default();
        self.router.agent_signed_out(agent, now, &mut fx);
        self.stage(pending, fx, None);
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

    /// The card of the contact `key` finds, if one does.
    async fn contact_card(&self, key: &ContactKey) -> Result<Option<ContactCard>, StoreError> {
        let Some(contact) = self.store.contact_by(key).await? else {
            return Ok(None);
        };
        let past = self
            .store
            .past_conversations(&contact.id, contacts::RECENT_CONVERSATIONS)
            .await?;
        let card = contacts::card(contact, past, |queue| self.router.queue_summary(queue));
        Ok(Some(card))
    }

    /// Adds one step's effects (and the reply to the command that caused it) to the group.
    fn stage(
        &mut self,
        pending: &mut Pending,
        fx: Effects,
        reply: Option<(String, String, String)>,
    ) {
        self.metering.staged(&self.router, &fx);
        let changed = !(fx.emits.is_empty() && fx.changed.is_empty() && fx.created.is_empty());
        self.live_view.staged(&self.router, &fx.facts, changed);
        let batch = &mut pending.batch;
        if self.records_events {
            batch.webhook_events.extend(events::made_by(&fx));
        }
        self.tokens.given(&fx.created, &fx.tokens);
        batch.new_conversations.extend(fx.created);
        batch.conversations.extend(fx.changed.into_values());
        batch.messages.extend(fx.messages);
        batch.presences.extend(fx.presences);
        batch.tokens.extend(fx.tokens);
        batch.facts.extend(fx.facts);
        for mut emit in fx.emits {
            if let (Some(masker), Emit::Agent(_, event)) = (&self.agent_masker, &mut emit) {
                masking::agent_event(masker, event);
            }
            let stream = match &emit {
                Emit::Agent(agent, _) => Stream::Agent(agent).to_string(),
                Emit::Customer(conversation, _) => Stream::Customer(conversation).to_string(),
                Emit::Errand(errand) => Stream::Outbound(errand.conversation()).to_string(),
            };
            let head = self.heads.entry(stream.clone()).or_insert(0);
            *head += 1;
            let seq = *head;
            let live = match emit {
                Emit::Errand(_) => None,
                _ => self.live.get(&stream).map(|live| live.frames.clone()),
            };
            pending.outgoing.push(Outgoing::Event {
                stream,
                seq,
                emit,
                live,
            });
        }
        if let Some((stream, id, reply)) = reply {
            self.remember(pending, &stream, &id, reply.clone());
            self.deliver(pending, &stream, reply);
        }
        for conversation in &fx.closed {
            self.forget(conversation, clock::now());
        }
    }

    /// Drops what the hub keeps per stream for a closed conversation, so that memory follows the
    /// open conversations, not every conversation since the start. Nothing is emitted on its
    /// streams any more; a command its customer sends later is refused (the conversation has
    /// ended) whether or not its first reply is still known, so forgetting the replies cannot
    /// apply anything twice; its stored events and replies stay in the store.
    fn forget(&mut self, conversation: &ConversationId, now: Millis) {
        for stream in [
            Stream::Customer(conversation).to_string(),
            Stream::Outbound(conversation).to_string(),
        ] {
            self.heads.remove(&stream);
            self.replies.remove(&stream);
        }
        self.tokens.forget(conversation, now);
    }

    /// Queues `frame` for `stream`'s live connection, to leave once the group is committed.
    fn deliver(&self, pending: &mut Pending, stream: &str, frame: String) {
        if let Some(live) = self.live.get(stream) {
            pending
                .outgoing
                .push(Outgoing::Frame(live.frames.clone(), frame));
        }
    }
}
