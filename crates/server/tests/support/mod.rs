//! A real server (the built binary) on loopback with real SQLite, and protocol clients for
//! agents and customers that check exactly-once, in-order delivery as they go.

#![allow(dead_code, unreachable_pub)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use switchboard_protocol::agent::{AgentCommand, AgentEvent, AgentServerFrame, Outcome};
use switchboard_protocol::customer::{
    CustomerCommand, CustomerEvent, CustomerOutcome, CustomerServerFrame,
};
use switchboard_protocol::login::LoginResponse;
use switchboard_protocol::{ErrorBody, Seq};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long any wait lasts before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(15);

pub const PASSWORD: &str = "test-password";

/// The configuration every test server starts from; `extra` is appended (TOML tables).
pub fn config(offer_timeout_seconds: u32, grace_seconds: u32) -> String {
    format!(
        r#"
wrap_up_reasons = ["Resolved", "Follow-up needed"]
idle_reasons = ["Lunch", "Meeting"]
[server]
listen = "127.0.0.1:0"
data_dir = "data"
presence_grace_seconds = {grace_seconds}
[[queues]]
id = "general"
name = "General enquiries"
[workstreams.chat]
offer_timeout_seconds = {offer_timeout_seconds}
[agents]
default_capacity = 3
[[widgets]]
id = "website"
queue = "general"
[[demo_agents]]
email = "ann@example.com"
name = "Ann"
password = "{PASSWORD}"
queues = ["general"]
[[demo_agents]]
email = "bo@example.com"
name = "Bo"
password = "{PASSWORD}"
queues = ["general"]
"#
    )
}

/// The server binary running on a free loopback port, over its own data directory.
pub struct Server {
    child: Child,
    pub address: String,
    pub dir: tempfile::TempDir,
}

impl Server {
    pub fn start(config_text: &str) -> Server {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.toml"), config_text).unwrap();
        let (child, address) = Self::spawn(dir.path());
        Server {
            child,
            address,
            dir,
        }
    }

    fn spawn(dir: &std::path::Path) -> (Child, String) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_switchboard-server"))
            .args(["serve", "--config"])
            .arg(dir.join("config.toml"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line
            .trim()
            .strip_prefix("listening on http://")
            .expect("the server says where it listens")
            .to_owned();
        (child, address)
    }

    /// Kills the server with SIGKILL (no chance to tidy up) and starts it again on its data.
    pub fn kill_and_restart(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        let (child, address) = Self::spawn(self.dir.path());
        self.child = child;
        self.address = address;
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    pub async fn login(&self, email: &str) -> LoginResponse {
        let response = reqwest::Client::new()
            .post(self.url("/api/v1/agent/login"))
            .json(&json!({ "email": email, "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "login of {email}");
        response.json().await.unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

async fn next_json(socket: &mut Socket) -> Option<Value> {
    loop {
        let message = tokio::time::timeout(PATIENCE, socket.next())
            .await
            .expect("a frame in time")?
            .ok()?;
        match message {
            Message::Text(text) => return Some(serde_json::from_str(&text).unwrap()),
            Message::Close(_) => return None,
            _ => continue,
        }
    }
}

/// An agent desktop speaking the protocol. Events are applied strictly in sequence: a gap or a
/// repeat fails the test.
pub struct Agent {
    socket: Socket,
    pub token: String,
    pub last_seq: Seq,
    events: VecDeque<AgentEvent>,
    next_id: u64,
    pub errors: Vec<ErrorBody>,
}

impl Agent {
    pub async fn connect(server: &Server, token: &str, last_seq: Option<Seq>) -> Agent {
        let mut request = format!("ws://{}/api/v1/agent/ws", server.address)
            .into_client_request()
            .unwrap();
        request
            .headers_mut()
            .insert("Authorization", format!("Bearer {token}").parse().unwrap());
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        let hello = json!({ "type": "hello", "protocol": 1, "last_seq": last_seq });
        socket.send(Message::text(hello.to_string())).await.unwrap();
        let mut agent = Agent {
            socket,
            token: token.to_owned(),
            last_seq: last_seq.unwrap_or(0),
            events: VecDeque::new(),
            next_id: 0,
            errors: Vec::new(),
        };
        let Some(AgentServerFrame::Welcome {
            last_seq: from,
            resumed,
            ..
        }) = agent.frame().await
        else {
            panic!("the server answers hello with welcome")
        };
        assert_eq!(resumed, last_seq.is_some());
        if let Some(last_seq) = last_seq {
            assert_eq!(from, last_seq, "a resume continues where the desktop stood");
        }
        agent.last_seq = from;
        agent
    }

    pub async fn sign_in(server: &Server, email: &str) -> Agent {
        let login = server.login(email).await;
        Agent::connect(server, &login.token, None).await
    }

    pub async fn send_raw(&mut self, text: String) {
        self.socket.send(Message::text(text)).await.unwrap();
    }

    /// The next frame; events are checked for sequence and queued.
    async fn frame(&mut self) -> Option<AgentServerFrame> {
        let value = next_json(&mut self.socket).await?;
        let frame: AgentServerFrame = serde_json::from_value(value).unwrap();
        if let AgentServerFrame::Event { seq, event } = &frame {
            assert_eq!(
                *seq,
                self.last_seq + 1,
                "events arrive exactly once, in order: {event:?}"
            );
            self.last_seq = *seq;
            self.events.push_back(event.clone());
        }
        if let AgentServerFrame::Error { error } = &frame {
            self.errors.push(error.clone());
        }
        Some(frame)
    }

    pub async fn ack(&mut self) {
        let ack = json!({ "type": "ack", "seq": self.last_seq });
        self.socket
            .send(Message::text(ack.to_string()))
            .await
            .unwrap();
    }

    /// Sends a command with a fresh id and waits for its reply.
    pub async fn command(&mut self, command: AgentCommand) -> Outcome {
        self.next_id += 1;
        let id = format!("cmd-{}-{}", self.next_id, rand::random::<u32>());
        self.command_with_id(&id, command).await
    }

    pub async fn command_with_id(&mut self, id: &str, command: AgentCommand) -> Outcome {
        let frame = json!({ "type": "command", "id": id, "command": command });
        self.socket
            .send(Message::text(frame.to_string()))
            .await
            .unwrap();
        loop {
            match self.frame().await.expect("a reply") {
                AgentServerFrame::Reply {
                    id: replied,
                    outcome,
                } if replied.0 == id => return outcome,
                _ => continue,
            }
        }
    }

    /// The next event matching `wanted`, skipping others.
    pub async fn expect(&mut self, wanted: impl Fn(&AgentEvent) -> bool) -> AgentEvent {
        loop {
            while let Some(event) = self.events.pop_front() {
                if wanted(&event) {
                    return event;
                }
            }
            self.frame().await.expect("the connection stays open");
        }
    }

    /// The next frame of any kind, for tests about errors.
    pub async fn next_error(&mut self) -> ErrorBody {
        loop {
            if let Some(AgentServerFrame::Error { error }) = self.frame().await {
                return error;
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}

/// A chat widget speaking the protocol.
pub struct Customer {
    socket: Socket,
    pub token: Option<String>,
    pub last_seq: Seq,
    events: VecDeque<CustomerEvent>,
    next_id: u64,
}

impl Customer {
    pub async fn connect(server: &Server, resume: Option<(&str, Seq)>) -> Customer {
        let url = format!("ws://{}/api/v1/customer/ws", server.address);
        let (mut socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        let resume =
            resume.map(|(token, last_seq)| json!({ "token": token, "last_seq": last_seq }));
        let hello = json!({ "type": "hello", "protocol": 1, "resume": resume });
        socket.send(Message::text(hello.to_string())).await.unwrap();
        let token = resume
            .as_ref()
            .map(|r| r["token"].as_str().unwrap().to_owned());
        let last_seq = resume
            .as_ref()
            .map_or(0, |r| r["last_seq"].as_u64().unwrap());
        let mut customer = Customer {
            socket,
            token,
            last_seq,
            events: VecDeque::new(),
            next_id: 0,
        };
        assert!(matches!(
            customer.frame().await,
            Some(CustomerServerFrame::Welcome { .. })
        ));
        customer
    }

    /// Opens the widget and starts a chat.
    pub async fn start(server: &Server, name: &str, message: &str) -> Customer {
        let mut customer = Customer::connect(server, None).await;
        let outcome = customer
            .command(CustomerCommand::StartChat {
                widget: "website".into(),
                name: name.into(),
                email: None,
                message: message.into(),
                context: [(
                    "page".to_owned(),
                    switchboard_protocol::ContextValue {
                        value: "/pricing".into(),
                        displayable: true,
                    },
                )]
                .into_iter()
                .collect(),
            })
            .await;
        assert_eq!(outcome, CustomerOutcome::Ok);
        customer
    }

    async fn frame(&mut self) -> Option<CustomerServerFrame> {
        let value = next_json(&mut self.socket).await?;
        let frame: CustomerServerFrame = serde_json::from_value(value).unwrap();
        if let CustomerServerFrame::Event { seq, event } = &frame {
            assert_eq!(
                *seq,
                self.last_seq + 1,
                "events arrive exactly once, in order: {event:?}"
            );
            self.last_seq = *seq;
            if let CustomerEvent::Started { token, .. } = event {
                self.token = Some(token.clone());
            }
            self.events.push_back(event.clone());
        }
        Some(frame)
    }

    pub async fn command(&mut self, command: CustomerCommand) -> CustomerOutcome {
        self.next_id += 1;
        let id = format!("c-{}-{:032x}", self.next_id, rand::random::<u128>());
        let frame = json!({ "type": "command", "id": id, "command": command });
        self.socket
            .send(Message::text(frame.to_string()))
            .await
            .unwrap();
        loop {
            match self.frame().await.expect("a reply") {
                CustomerServerFrame::Reply {
                    id: replied,
                    outcome,
                } if replied.0 == id => return outcome,
                _ => continue,
            }
        }
    }

    pub async fn say(&mut self, text: &str) {
        let outcome = self
            .command(CustomerCommand::SendMessage { text: text.into() })
            .await;
        assert_eq!(outcome, CustomerOutcome::Ok, "customer message {text:?}");
    }

    pub async fn expect(&mut self, wanted: impl Fn(&CustomerEvent) -> bool) -> CustomerEvent {
        loop {
            while let Some(event) = self.events.pop_front() {
                if wanted(&event) {
                    return event;
                }
            }
            self.frame().await.expect("the connection stays open");
        }
    }

    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}

/// Ann, Available, has accepted a chat Zoë started with "Hello" (her snapshot consumed).
pub async fn accepted_chat(
    server: &Server,
) -> (Agent, Customer, switchboard_protocol::ConversationId) {
    let mut ann = Agent::sign_in(server, "ann@example.com").await;
    let available = ann
        .command(AgentCommand::SetPresence {
            presence: switchboard_protocol::agent::PresenceRequest::Available,
        })
        .await;
    assert!(matches!(available, Outcome::Ok { .. }));
    let zoe = Customer::start(server, "Zoë", "Hello").await;
    let AgentEvent::Offer { offer } = ann.expect(|e| matches!(e, AgentEvent::Offer { .. })).await
    else {
        unreachable!()
    };
    let accepted = ann
        .command(AgentCommand::Accept {
            conversation: offer.conversation.clone(),
        })
        .await;
    assert!(matches!(accepted, Outcome::Ok { .. }));
    ann.expect(|e| matches!(e, AgentEvent::Snapshot { .. }))
        .await;
    (ann, zoe, offer.conversation)
}
