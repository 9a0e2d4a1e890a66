//! The one WebSocket session with the server: hello and resume from the last applied event,
//! acknowledgements (and receipts for the customer's messages), commands with ids (queued while disconnected, sent again after a reconnect
//! — the server applies an id once — and failed clearly after a bound), reconnection with
//! backoff and jitter, and an observable state.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use switchboard_protocol::agent::{
    AgentClientFrame, AgentCommand, AgentEvent, AgentServerFrame, CommandResult, Outcome,
};
use switchboard_protocol::live::LiveUpdate;
use switchboard_protocol::{
    CommandId, ConversationId, ErrorBody, ErrorCode, PROTOCOL_VERSION, Sender, Seq,
};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};
use ts_rs::TS;

use crate::backoff::Backoff;
use crate::signin::Session;
use reqwest::Url;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ConnectionState {
    Connecting,
    Connected,
    /// Lost; trying again (`attempt` counts the failures so far).
    Reconnecting {
        attempt: u32,
        reason: String,
    },
    /// Not trying any more.
    Offline {
        reason: OfflineReason,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OfflineReason {
    SignedOut,
    /// The server no longer accepts the session: sign in again.
    SessionExpired,
    /// The session was ended: signed out (here or by an administrator), a new password, or the
    /// account removed.
    SessionRevoked,
    /// The server speaks another protocol version.
    Incompatible,
}

/// Why a command was not carried out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// The server refused it, saying why.
    #[error("{0}")]
    Refused(ErrorBody),
    #[error(
        "The server did not answer within {0} seconds; the action may not have been carried out."
    )]
    NoAnswer(u64),
    #[error("You are signed out.")]
    SignedOut,
}

/// How long a command may wait for its answer, connected or not.
pub(crate) const COMMAND_PATIENCE: Duration = Duration::from_secs(30);
const FIRST_RETRY: Duration = Duration::from_millis(250);
const LONGEST_RETRY: Duration = Duration::from_secs(15);

/// Where the session delivers what the server says. Events come exactly once, in order.
pub(crate) trait Sink: Send + Sync + 'static {
    /// The last event applied, to resume from (`None`: this desktop has applied nothing yet).
    fn last_seq(&self) -> Option<Seq>;
    /// A fresh session starts after event `seq`.
    fn start_after(&self, seq: Seq);
    fn event(&self, seq: Seq, event: AgentEvent);
    fn connection(&self, state: ConnectionState);
    /// A conversation's customer is typing, or stopped: outside the event sequence.
    fn typing(&self, conversation: ConversationId, typing: bool);
    /// A push of the live view a supervisor watches.
    fn live(&self, update: LiveUpdate);
    /// Whether the live view is watched: asked for again on every new connection.
    fn watching_live(&self) -> bool;
}

pub(crate) struct Request {
    pub(crate) command: AgentCommand,
    pub(crate) answer: oneshot::Sender<Result<CommandResult, CommandError>>,
}

struct InFlight {
    command: AgentCommand,
    answer: oneshot::Sender<Result<CommandResult, CommandError>>,
    deadline: Instant,
}

/// The agent's typing, for the customer: a few at most wait to be sent, and none while
/// disconnected (said late, it would no longer be true).
const TYPING_BACKLOG: usize = 4;

/// Handle to the running session.
#[derive(Debug)]
pub(crate) struct Link {
    requests: mpsc::UnboundedSender<Request>,
    typing: mpsc::Sender<(ConversationId, bool)>,
    stop: watch::Sender<bool>,
}

impl Link {
    pub(crate) fn start(session: Session, sink: Arc<dyn Sink>) -> Link {
        let (requests, incoming) = mpsc::unbounded_channel();
        let (typing, typed) = mpsc::channel(TYPING_BACKLOG);
        let (stop, stopping) = watch::channel(false);
        let outgoing = Outgoing {
            requests: incoming,
            typed,
        };
        tokio::spawn(run(session, sink, outgoing, stopping));
        Link {
            requests,
            typing,
            stop,
        }
    }

    /// Tells the customer the agent is typing, or stopped; dropped if it cannot go at once.
    pub(crate) fn typing(&self, conversation: ConversationId, typing: bool) {
        let _ = self.typing.try_send((conversation, typing));
    }

    pub(crate) async fn command(
        &self,
        command: AgentCommand,
    ) -> Result<CommandResult, CommandError> {
        let (answer, answered) = oneshot::channel();
        self.requests
            .send(Request { command, answer })
            .map_err(|_| CommandError::SignedOut)?;
        answered.await.unwrap_or(Err(CommandError::SignedOut))
    }

    pub(crate) fn stop(&self) {
        let _ = self.stop.send(true);
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// How a connected spell ended.
enum Ended {
    Lost(String),
    Offline(OfflineReason),
}

/// What the desktop sends: commands, and typing.
struct Outgoing {
    requests: mpsc::UnboundedReceiver<Request>,
    typed: mpsc::Receiver<(ConversationId, bool)>,
}

async fn run(
    session: Session,
    sink: Arc<dyn Sink>,
    mut outgoing: Outgoing,
    mut stopping: watch::Receiver<bool>,
) {
    let mut in_flight: BTreeMap<u64, InFlight> = BTreeMap::new();
    let mut next_id: u64 = 0;
    // Ids unique across desktops and restarts: the server remembers replies per agent.
    let prefix = format!("{:016x}", rand::random::<u64>());
    let mut backoff = Backoff::new(FIRST_RETRY, LONGEST_RETRY);
    // Of a deployment's several nodes, the one tried next: after a lost connection, the next.
    let addresses = session.addresses();
    let mut at = 0;
    sink.connection(ConnectionState::Connecting);
    let ended = loop {
        let server = addresses[at % addresses.len()];
        let outcome = match connect(&session, server, sink.as_ref()).await {
            Ok(socket) => {
                backoff.reset();
                sink.connection(ConnectionState::Connected);
                let mut spell = Spell {
                    socket,
                    sink: sink.as_ref(),
                    prefix: &prefix,
                };
                spell
                    .serve(&mut in_flight, &mut next_id, &mut outgoing, &mut stopping)
                    .await
            }
            Err(ended) => ended,
        };
        let reason = match outcome {
            Ended::Offline(reason) => break reason,
            Ended::Lost(reason) => reason,
        };
        at += 1;
        tracing::info!(%reason, attempt = backoff.attempts() + 1, "connection lost; reconnecting");
        sink.connection(ConnectionState::Reconnecting {
            attempt: backoff.attempts() + 1,
            reason,
        });
        let wake = Instant::now() + backoff.next_delay();
        // While waiting, commands queue up and those past their bound fail.
        loop {
            tokio::select! {
                () = tokio::time::sleep_until(wake) => break,
                Some(_) = outgoing.typed.recv() => {}
                request = outgoing.requests.recv() => match request {
                    Some(request) => {
                        next_id += 1;
                        in_flight.insert(next_id, InFlight {
                            command: request.command,
                            answer: request.answer,
                            deadline: Instant::now() + COMMAND_PATIENCE,
                        });
                    }
                    None => return,
                },
                _ = stopping.changed() => {
                    sink.connection(ConnectionState::Offline { reason: OfflineReason::SignedOut });
                    return;
                }
                () = tokio::time::sleep(Duration::from_secs(1)) => expire(&mut in_flight),
            }
        }
    };
    for (_, waiting) in std::mem::take(&mut in_flight) {
        let _ = waiting.answer.send(Err(CommandError::SignedOut));
    }
    sink.connection(ConnectionState::Offline { reason: ended });
}

fn expire(in_flight: &mut BTreeMap<u64, InFlight>) {
    let now = Instant::now();
    let expired: Vec<u64> = in_flight
        .iter()
        .filter(|(_, waiting)| waiting.deadline <= now)
        .map(|(id, _)| *id)
        .collect();
    for id in expired {
        if let Some(waiting) = in_flight.remove(&id) {
            let _ = waiting
                .answer
                .send(Err(CommandError::NoAnswer(COMMAND_PATIENCE.as_secs())));
        }
    }
}

/// Opens the socket at `server` and says hello; the welcome says where events resume.
async fn connect(session: &Session, server: &Url, sink: &dyn Sink) -> Result<Socket, Ended> {
    let mut request = crate::signin::socket_url(server)
        .as_str()
        .into_client_request()
        .map_err(|e| Ended::Lost(e.to_string()))?;
    let bearer = format!("Bearer {}", session.token)
        .parse()
        .map_err(|_| Ended::Offline(OfflineReason::SessionExpired))?;
    request.headers_mut().insert("Authorization", bearer);
    let (mut socket, _) = match tokio_tungstenite::connect_async(request).await {
        Ok(connected) => connected,
        Err(tungstenite::Error::Http(response)) if response.status() == 401 => {
            return Err(Ended::Offline(OfflineReason::SessionExpired));
        }
        Err(error) => return Err(Ended::Lost(error.to_string())),
    };
    let resume = sink.last_seq();
    send(
        &mut socket,
        &AgentClientFrame::Hello {
            protocol: PROTOCOL_VERSION,
            last_seq: resume,
        },
    )
    .await?;
    match next_frame(&mut socket).await? {
        AgentServerFrame::Welcome { last_seq, .. } => {
            if resume.is_none() {
                sink.start_after(last_seq);
            }
            Ok(socket)
        }
        AgentServerFrame::Error { error } => {
            tracing::warn!(code = ?error.code, "the server refused the hello");
            Err(Ended::Offline(OfflineReason::Incompatible))
        }
        _ => Err(Ended::Lost(
            "the server did not welcome this desktop".into(),
        )),
    }
}

async fn send(socket: &mut Socket, frame: &AgentClientFrame) -> Result<(), Ended> {
    let text = serde_json::to_string(frame).expect("frames serialize");
    socket
        .send(Message::text(text))
        .await
        .map_err(|e| Ended::Lost(e.to_string()))
}

async fn next_frame(socket: &mut Socket) -> Result<AgentServerFrame, Ended> {
    loop {
        match socket.next().await {
            Some(Ok(Message::Text(text))) => {
                return serde_json::from_str(&text).map_err(|error| {
                    tracing::warn!(%error, "a frame from the server was not understood");
                    Ended::Lost("the server sent a frame this desktop does not understand".into())
                });
            }
            Some(Ok(Message::Close(_))) | None => {
                return Err(Ended::Lost("the server closed the connection".into()));
            }
            Some(Ok(_)) => continue,
            Some(Err(error)) => return Err(Ended::Lost(error.to_string())),
        }
    }
}

/// The customer's latest message an event brings this desktop (a message, or the thread of a
/// conversation it now takes part in): the customer is told it reached an agent.
fn received_from_customer(event: &AgentEvent) -> Option<(ConversationId, u64)> {
    let latest = match event {
        AgentEvent::Message { message } => Some(message),
        AgentEvent::Snapshot { conversation } => conversation
            .history
            .iter()
            .rev()
            .find(|message| matches!(message.from, Sender::Customer { .. })),
        _ => None,
    }?;
    matches!(latest.from, Sender::Customer { .. }).then(|| (latest.conversation.clone(), latest.id))
}

/// One connected spell.
struct Spell<'a> {
    socket: Socket,
    sink: &'a dyn Sink,
    prefix: &'a str,
}

impl Spell<'_> {
    fn command_id(&self, id: u64) -> CommandId {
        CommandId(format!("{}-{id}", self.prefix))
    }

    async fn send_command(&mut self, id: u64, command: &AgentCommand) -> Result<(), Ended> {
        let frame = AgentClientFrame::Command {
            id: self.command_id(id),
            command: command.clone(),
        };
        send(&mut self.socket, &frame).await
    }

    async fn serve(
        &mut self,
        in_flight: &mut BTreeMap<u64, InFlight>,
        next_id: &mut u64,
        outgoing: &mut Outgoing,
        stopping: &mut watch::Receiver<bool>,
    ) -> Ended {
        // Whatever waited (or was sent before the connection broke) goes again, under its id.
        let waiting: Vec<(u64, AgentCommand)> = in_flight
            .iter()
            .map(|(id, waiting)| (*id, waiting.command.clone()))
            .collect();
        for (id, command) in waiting {
            if let Err(ended) = self.send_command(id, &command).await {
                return ended;
            }
        }
        // The server forgets who watches with the connection; nobody waits for this answer.
        if self.sink.watching_live() {
            *next_id += 1;
            let watch = AgentCommand::WatchLive { watch: true };
            if let Err(ended) = self.send_command(*next_id, &watch).await {
                return ended;
            }
        }
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            let step = tokio::select! {
                frame = next_frame(&mut self.socket) => match frame {
                    Ok(frame) => self.receive(frame, in_flight).await,
                    Err(ended) => Err(ended),
                },
                Some((conversation, typing)) = outgoing.typed.recv() => {
                    send(&mut self.socket, &AgentClientFrame::Typing { conversation, typing }).await
                }
                request = outgoing.requests.recv() => match request {
                    Some(request) => {
                        *next_id += 1;
                        let sent = self.send_command(*next_id, &request.command).await;
                        in_flight.insert(*next_id, InFlight {
                            command: request.command,
                            answer: request.answer,
                            deadline: Instant::now() + COMMAND_PATIENCE,
                        });
                        sent
                    }
                    None => Err(Ended::Offline(OfflineReason::SignedOut)),
                },
                _ = stopping.changed() => Err(Ended::Offline(OfflineReason::SignedOut)),
                _ = tick.tick() => {
                    expire(in_flight);
                    Ok(())
                }
            };
            if let Err(ended) = step {
                if matches!(ended, Ended::Offline(_)) {
                    let _ = self.socket.close(None).await;
                }
                return ended;
            }
        }
    }

    async fn receive(
        &mut self,
        frame: AgentServerFrame,
        in_flight: &mut BTreeMap<u64, InFlight>,
    ) -> Result<(), Ended> {
        match frame {
            AgentServerFrame::Event { seq, event } => {
                let last = self.sink.last_seq().unwrap_or(0);
                if seq <= last {
                    // Already applied (a replay overlapping what arrived before the break).
                    return Ok(());
                }
                if seq != last + 1 {
                    return Err(Ended::Lost(format!(
                        "event {seq} arrived after {last}; resuming"
                    )));
                }
                let received = received_from_customer(&event);
                self.sink.event(seq, event);
                send(&mut self.socket, &AgentClientFrame::Ack { seq }).await?;
                match received {
                    Some((conversation, message)) => {
                        let receipt = AgentClientFrame::Receipt {
                            conversation,
                            message,
                        };
                        send(&mut self.socket, &receipt).await
                    }
                    None => Ok(()),
                }
            }
            AgentServerFrame::Reply { id, outcome } => {
                let waiting =
                    id.0.strip_prefix(self.prefix)
                        .and_then(|rest| rest.strip_prefix('-'))
                        .and_then(|number| number.parse::<u64>().ok())
                        .and_then(|number| in_flight.remove(&number));
                if let Some(waiting) = waiting {
                    let result = match outcome {
                        Outcome::Ok { result } => Ok(result),
                        Outcome::Error { error } => Err(CommandError::Refused(error)),
                    };
                    let _ = waiting.answer.send(result);
                }
                Ok(())
            }
            AgentServerFrame::Error { error } => {
                tracing::warn!(code = ?error.code, "the server reported an error");
                match error.code {
                    ErrorCode::SessionExpired => Err(Ended::Offline(OfflineReason::SessionExpired)),
                    ErrorCode::SessionRevoked => Err(Ended::Offline(OfflineReason::SessionRevoked)),
                    _ => Ok(()),
                }
            }
            AgentServerFrame::Live { update } => {
                self.sink.live(update);
                Ok(())
            }
            AgentServerFrame::Typing {
                conversation,
                typing,
            } => {
                self.sink.typing(conversation, typing);
                Ok(())
            }
            AgentServerFrame::Welcome { .. } => Ok(()),
        }
    }
}
