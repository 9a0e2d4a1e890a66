//! `switchboard-relay`: the floor the server is measured against. It speaks the server's frames on
//! the same paths — hello and welcome, commands and their replies, numbered events — parsed and
//! written with the same protocol types, but it decides nothing (a new chat goes to the next agent
//! in turn), stores nothing and checks no sign-in. Whatever the server costs above it is the cost
//! of routing, storage and exactly-once delivery.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use switchboard_protocol::agent::{
    AgentClientFrame, AgentCommand, AgentEvent, AgentServerFrame, AgentSummary, CommandResult,
    Offer, Outcome, QueueSummary, Scenario,
};
use switchboard_protocol::customer::{
    CustomerClientFrame, CustomerCommand, CustomerOutcome, CustomerServerFrame,
};
use switchboard_protocol::{
    AgentId, Channel, ChatMessage, CommandId, ConversationId, PROTOCOL_VERSION, QueueId, Sender,
};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// One connection's outgoing frames and its event numbering.
#[derive(Clone)]
struct Client {
    frames: mpsc::UnboundedSender<String>,
    seq: Arc<AtomicU64>,
}

impl Client {
    fn send(&self, frame: &impl Serialize) {
        let _ = self
            .frames
            .send(serde_json::to_string(frame).expect("frames serialize"));
    }

    fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::Relaxed) + 1
    }
}

/// Who is in which conversation.
#[derive(Default)]
struct Relay {
    agents: Mutex<Vec<(AgentId, Client)>>,
    next_agent: AtomicUsize,
    conversations: Mutex<HashMap<ConversationId, (AgentId, Client, Client)>>,
    next_id: AtomicU64,
}

fn millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as u64)
}

#[tokio::main]
async fn main() {
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    println!(
        "listening on http://{}",
        listener.local_addr().expect("bound")
    );
    let relay = Arc::new(Relay::default());
    while let Ok((socket, _)) = listener.accept().await {
        let _ = socket.set_nodelay(true);
        tokio::spawn(serve(socket, relay.clone()));
    }
}

async fn serve(socket: TcpStream, relay: Arc<Relay>) {
    let mut path = String::new();
    // The error type is the handshake library's, not ours to shrink.
    #[allow(clippy::result_large_err)]
    let remember_path = |request: &Request, response: Response| {
        path = request.uri().path().to_owned();
        Ok(response)
    };
    // The server's 4 KiB read buffer, for a fair comparison of memory per connection. Frames are
    // written one by one (the server gathers queued frames into one write; the relay has no queue
    // worth gathering).
    let config = WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0);
    let accepted =
        tokio_tungstenite::accept_hdr_async_with_config(socket, remember_path, Some(config)).await;
    let Ok(socket) = accepted else {
        return;
    };
    let (mut sink, mut incoming) = socket.split();
    let (frames, mut outgoing) = mpsc::unbounded_channel::<String>();
    tokio::spawn(async move {
        while let Some(frame) = outgoing.recv().await {
            if sink.send(Message::text(frame)).await.is_err() {
                return;
            }
        }
    });
    let client = Client {
        frames,
        seq: Arc::default(),
    };
    let agent = path.ends_with("/agent/ws");
    // Who this connection is: an agent, or a customer's conversation.
    let (mut agent_id, mut conversation) = (None, None);
    while let Some(Ok(Message::Text(text))) = incoming.next().await {
        if agent {
            let Ok(frame) = serde_json::from_str::<AgentClientFrame>(&text) else {
                continue;
            };
            relay.agent_frame(frame, &client, &mut agent_id);
        } else {
            let Ok(frame) = serde_json::from_str::<CustomerClientFrame>(&text) else {
                continue;
            };
            relay.customer_frame(frame, &client, &mut conversation);
        }
    }
}

impl Relay {
    fn agent_frame(&self, frame: AgentClientFrame, client: &Client, me: &mut Option<AgentId>) {
        match frame {
            AgentClientFrame::Hello { .. } => {
                let n = self.next_id.fetch_add(1, Ordering::Relaxed);
                let summary = AgentSummary {
                    id: AgentId(format!("agent-{n}")),
                    name: format!("Agent {n}"),
                    email: format!("agent{n}@example.com"),
                    role: Default::default(),
                };
                client.send(&AgentServerFrame::Welcome {
                    protocol: PROTOCOL_VERSION,
                    agent: summary.clone(),
                    resumed: false,
                    last_seq: 0,
                });
                let mut agents = self.agents.lock().expect("no panics while held");
                agents.push((summary.id.clone(), client.clone()));
                *me = Some(summary.id);
            }
            // The bare relay keeps no outbox to acknowledge; the load neither types nor sends receipts.
            AgentClientFrame::Ack { .. }
            | AgentClientFrame::Typing { .. }
            | AgentClientFrame::Receipt { .. } => {}
            AgentClientFrame::Command { id, command } => {
                if let AgentCommand::SendMessage {
                    conversation, text, ..
                } = command
                {
                    let Some(agent) = me.clone() else { return };
                    let customer = self.conversation(&conversation).map(|(_, _, c)| c);
                    let from = Sender::Agent {
                        name: agent.0.clone(),
                        agent,
                    };
                    let message = self.message(conversation, from, text);
                    if let Some(customer) = customer {
                        customer.send(&CustomerServerFrame::Event {
                            seq: customer.next_seq(),
                            event: switchboard_protocol::customer::CustomerEvent::Message {
                                message: message.clone(),
                            },
                        });
                    }
                    agent_event(client, AgentEvent::Message { message });
                }
                client.send(&AgentServerFrame::Reply {
                    id,
                    outcome: Outcome::Ok {
                        result: CommandResult::Done,
                    },
                });
            }
        }
    }

    fn customer_frame(
        &self,
        frame: CustomerClientFrame,
        client: &Client,
        me: &mut Option<ConversationId>,
    ) {
        match frame {
            CustomerClientFrame::Hello { .. } => client.send(&CustomerServerFrame::Welcome {
                protocol: PROTOCOL_VERSION,
                resumed: false,
            }),
            CustomerClientFrame::Ack { .. }
            | CustomerClientFrame::Typing { .. }
            | CustomerClientFrame::Receipt { .. } => {}
            CustomerClientFrame::Command { id, command } => {
                match command {
                    CustomerCommand::StartChat { name, message, .. } => {
                        *me = self.start(name, message, client);
                    }
                    CustomerCommand::SendMessage { text, .. } => {
                        let Some(conversation) = me.clone() else {
                            return;
                        };
                        let Some((_, agent, _)) = self.conversation(&conversation) else {
                            return;
                        };
                        let from = Sender::Customer {
                            name: "Customer".to_owned(),
                        };
                        let message = self.message(conversation, from, text);
                        agent_event(
                            &agent,
                            AgentEvent::Message {
                                message: message.clone(),
                            },
                        );
                        client.send(&CustomerServerFrame::Event {
                            seq: client.next_seq(),
                            event: switchboard_protocol::customer::CustomerEvent::Message {
                                message,
                            },
                        });
                    }
                    _ => {}
                }
                reply(client, id);
            }
        }
    }

    /// Offers a new chat to the next agent in turn.
    fn start(&self, name: String, comment: String, customer: &Client) -> Option<ConversationId> {
        let (agent, client) = {
            let agents = self.agents.lock().expect("no panics while held");
            if agents.is_empty() {
                return None;
            }
            agents[self.next_agent.fetch_add(1, Ordering::Relaxed) % agents.len()].clone()
        };
        let conversation =
            ConversationId(format!("c{}", self.next_id.fetch_add(1, Ordering::Relaxed)));
        let offer = Offer {
            conversation: conversation.clone(),
            channel: Channel::Chat,
            scenario: Scenario::IncomingChat,
            customer_name: name,
            comment,
            queue: QueueSummary {
                id: QueueId("general".to_owned()),
                name: "General".to_owned(),
                escalation: false,
            },
            waiting_since: millis(),
            expires_at: millis() + 120_000,
            proactive: false,
            context: Vec::new(),
        };
        agent_event(&client, AgentEvent::Offer { offer });
        let mut conversations = self.conversations.lock().expect("no panics while held");
        conversations.insert(conversation.clone(), (agent, client, customer.clone()));
        Some(conversation)
    }

    fn conversation(&self, id: &ConversationId) -> Option<(AgentId, Client, Client)> {
        let conversations = self.conversations.lock().expect("no panics while held");
        conversations.get(id).cloned()
    }

    fn message(&self, conversation: ConversationId, from: Sender, text: String) -> ChatMessage {
        ChatMessage {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            conversation,
            from,
            text,
            sent_at: millis(),
            attachments: Vec::new(),
        }
    }
}

fn agent_event(agent: &Client, event: AgentEvent) {
    agent.send(&AgentServerFrame::Event {
        seq: agent.next_seq(),
        event,
    });
}

fn reply(customer: &Client, id: CommandId) {
    customer.send(&CustomerServerFrame::Reply {
        id,
        outcome: CustomerOutcome::Ok,
    });
}
