//! A real server (the built binary) on loopback with real SQLite, and an agent desktop speaking
//! the raw protocol that checks exactly-once, in-order delivery as it goes.

#![allow(dead_code, unreachable_pub, unused_imports)]

pub mod handover;
pub mod proxy;

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use futures_util::SinkExt;
use serde_json::{Value, json};
use switchboard_protocol::agent::{
    AgentCommand, AgentEvent, AgentServerFrame, CommandResult, ConversationSnapshot, Offer,
    Outcome, Role,
};
use switchboard_protocol::live::{AgentFigures, LiveConversation, LiveUpdate, QueueFigures};
use switchboard_protocol::login::LoginResponse;
use switchboard_protocol::{ChatMessage, ConversationId, ErrorBody, Seq};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

pub use switchboard_testkit::{Customer, PASSWORD, ServerAddress, Socket, config, next_json};

/// The server binary running on a free loopback port, over its own data directory and, when
/// the run asks for PostgreSQL (`SWITCHBOARD_TEST_STORE=postgres`), its own database.
pub struct Server {
    child: Child,
    pub address: String,
    pub dir: tempfile::TempDir,
    /// The PostgreSQL database it stores in, if it does.
    pub postgres: Option<String>,
    /// Its name among several nodes (`serve --node`).
    node: Option<String>,
}

impl Server {
    pub fn start(config_text: &str) -> Server {
        let (config_text, postgres) = if switchboard_testkit::postgres::selected() {
            let (configured, database) = switchboard_testkit::postgres::configure(config_text);
            (configured, Some(database))
        } else {
            (config_text.to_owned(), None)
        };
        Self::start_exactly(&config_text, postgres)
    }

    /// Starts the server on `config_text` as it is, whatever store the run asks for.
    pub fn start_exactly(config_text: &str, postgres: Option<String>) -> Server {
        Self::start_node(config_text, postgres, None)
    }

    /// [`Server::start_exactly`] as node `node` of several on one PostgreSQL database. Returns
    /// once it answers HTTP, routing or forwarding.
    pub fn start_node(config_text: &str, postgres: Option<String>, node: Option<&str>) -> Server {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.toml"), config_text).unwrap();
        let (child, address) = Self::spawn(dir.path(), node);
        Server {
            child,
            address,
            dir,
            postgres,
            node: node.map(str::to_owned),
        }
    }

    fn spawn(dir: &std::path::Path, node: Option<&str>) -> (Child, String) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_switchboard-server"))
            .args(["serve", "--config"])
            .arg(dir.join("config.toml"))
            .args(node.iter().flat_map(|node| ["--node", node]))
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

    /// Sends the server `SIGHUP`: it reads its configuration file again.
    pub fn hang_up(&self) {
        let sent = Command::new("kill")
            .args(["-s", "HUP", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    }

    /// The configuration file the server was started on, to change before [`Server::hang_up`].
    pub fn config_file(&self) -> std::path::PathBuf {
        self.dir.path().join("config.toml")
    }

    /// Kills the server with SIGKILL: no chance to tidy up.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Kills the server with SIGKILL (no chance to tidy up) and starts it again on its data.
    pub fn kill_and_restart(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        let (child, address) = Self::spawn(self.dir.path(), self.node.as_deref());
        self.child = child;
        self.address = address;
    }

    /// Starts a killed server again on its data.
    pub fn start_again(&mut self) {
        let (child, address) = Self::spawn(self.dir.path(), self.node.as_deref());
        self.child = child;
        self.address = address;
    }

    /// Stops the server gracefully (SIGTERM) and starts it again on its data.
    pub fn restart(&mut self) {
        assert!(self.terminate_within(std::time::Duration::from_secs(15)));
        let (child, address) = Self::spawn(self.dir.path(), self.node.as_deref());
        self.child = child;
        self.address = address;
    }

    /// Sends SIGTERM and waits up to `patience` for the server to exit; says whether it did.
    pub fn terminate_within(&mut self, patience: std::time::Duration) -> bool {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = std::time::Instant::now() + patience;
        while std::time::Instant::now() < deadline {
            if self.child.try_wait().unwrap().is_some() {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        false
    }

    /// How the server exited, if it did within `patience` (of itself: nothing asks it to).
    #[allow(dead_code)] // Not every test binary waits for an exit.
    pub fn exit_within(
        &mut self,
        patience: std::time::Duration,
    ) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + patience;
        while std::time::Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        None
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Runs `sql` (with its values written in) on the server's database, as another program
    /// would, whichever store it uses.
    pub async fn execute_sql(&self, sql: &str) {
        use sqlx::Connection;
        if let Some(database) = &self.postgres {
            switchboard_testkit::postgres::execute(database, sql);
            return;
        }
        let path = self.dir.path().join("data/switchboard.db");
        let mut db = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        sqlx::query(sql).execute(&mut db).await.unwrap();
        db.close().await.unwrap();
    }

    /// Whether anything the server stored holds `needle`: any file of its data directory, and
    /// its PostgreSQL database when it has one.
    pub fn stored_anywhere(&self, needle: &str) -> bool {
        fn walk(dir: &std::path::Path, needle: &[u8]) -> bool {
            std::fs::read_dir(dir).unwrap().any(|entry| {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    return walk(&path, needle);
                }
                let bytes = std::fs::read(&path).unwrap_or_default();
                bytes.windows(needle.len()).any(|window| window == needle)
            })
        }
        let in_postgres = self
            .postgres
            .as_ref()
            .is_some_and(|database| switchboard_testkit::postgres::dump(database).contains(needle));
        in_postgres || walk(&self.dir.path().join("data"), needle.as_bytes())
    }

    pub async fn login(&self, email: &str) -> LoginResponse {
        login(self, email).await
    }
}

/// What `/readyz` answers at `server`: its status and its text. A connection that fails (a node
/// closing its connections as it changes role) reads as 0.
pub async fn readiness(server: &impl ServerAddress) -> (u16, String) {
    let url = format!("http://{}/readyz", server.address());
    let answer = async {
        let response = reqwest::get(url).await?;
        Ok::<_, reqwest::Error>((response.status().as_u16(), response.text().await?))
    };
    answer.await.unwrap_or_else(|error| (0, error.to_string()))
}

/// Signs `email` in with the test password at `server` (a server, or a load balancer in front).
pub async fn login(server: &impl ServerAddress, email: &str) -> LoginResponse {
    let response = reqwest::Client::new()
        .post(format!("http://{}/api/v1/agent/login", server.address()))
        .json(&json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "login of {email}");
    response.json().await.unwrap()
}

impl ServerAddress for Server {
    fn address(&self) -> &str {
        &self.address
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The request that opens an agent's socket with `token`.
pub fn agent_socket(
    server: &impl ServerAddress,
    token: &str,
) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    let mut request = format!("ws://{}/api/v1/agent/ws", server.address())
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("Authorization", format!("Bearer {token}").parse().unwrap());
    request
}

/// An agent desktop speaking the protocol. Events are applied strictly in sequence: a gap or a
/// repeat fails the test.
pub struct Agent {
    socket: Socket,
    /// The role the server's welcome gave.
    pub role: Role,
    pub token: String,
    pub last_seq: Seq,
    events: VecDeque<AgentEvent>,
    /// Typing frames, outside the events.
    typing: VecDeque<(ConversationId, bool)>,
    /// The live view's pushes, outside the events.
    pub live: VecDeque<LiveUpdate>,
    next_id: u64,
    pub errors: Vec<ErrorBody>,
}

impl Agent {
    pub async fn connect(server: &impl ServerAddress, token: &str, last_seq: Option<Seq>) -> Agent {
        let (mut socket, _) = tokio_tungstenite::connect_async(agent_socket(server, token))
            .await
            .unwrap();
        let hello = json!({ "type": "hello", "protocol": 1, "last_seq": last_seq });
        socket.send(Message::text(hello.to_string())).await.unwrap();
        let mut agent = Agent {
            socket,
            role: Role::Agent,
            token: token.to_owned(),
            last_seq: last_seq.unwrap_or(0),
            events: VecDeque::new(),
            typing: VecDeque::new(),
            live: VecDeque::new(),
            next_id: 0,
            errors: Vec::new(),
        };
        let Some(AgentServerFrame::Welcome {
            last_seq: from,
            resumed,
            agent: summary,
            ..
        }) = agent.frame().await
        else {
            panic!("the server answers hello with welcome")
        };
        agent.role = summary.role;
        assert_eq!(resumed, last_seq.is_some());
        if let Some(last_seq) = last_seq {
            assert_eq!(from, last_seq, "a resume continues where the desktop stood");
        }
        agent.last_seq = from;
        agent
    }

    pub async fn sign_in(server: &impl ServerAddress, email: &str) -> Agent {
        let login = login(server, email).await;
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
        if let AgentServerFrame::Typing {
            conversation,
            typing,
        } = &frame
        {
            self.typing.push_back((conversation.clone(), *typing));
        }
        if let AgentServerFrame::Live { update } = &frame {
            self.live.push_back(update.clone());
        }
        Some(frame)
    }

    /// Merges the live view's pushes into `view` until `done` holds for it (within the tests'
    /// patience).
    pub async fn watch_until(&mut self, view: &mut LiveView, done: impl Fn(&LiveView) -> bool) {
        let waited = tokio::time::timeout(std::time::Duration::from_secs(10), async {
            loop {
                while let Some(update) = self.live.pop_front() {
                    view.merge(update);
                }
                if done(view) {
                    return;
                }
                self.frame().await.expect("the connection stays open");
            }
        })
        .await;
        assert!(waited.is_ok(), "the live view never got there: {view:#?}");
    }

    /// Says the agent is typing in `conversation`, or stopped.
    pub async fn send_typing(&mut self, conversation: &ConversationId, typing: bool) {
        let frame = json!({ "type": "typing", "conversation": conversation, "typing": typing });
        self.send_raw(frame.to_string()).await;
    }

    /// Says this desktop has the customer's messages of `conversation` up to `message`.
    pub async fn send_receipt(&mut self, conversation: &ConversationId, message: u64) {
        let frame = json!({ "type": "receipt", "conversation": conversation, "message": message });
        self.send_raw(frame.to_string()).await;
    }

    /// The next typing frame: whose customer, and whether they type.
    pub async fn expect_typing(&mut self) -> (ConversationId, bool) {
        loop {
            if let Some(typing) = self.typing.pop_front() {
                return typing;
            }
            self.frame().await.expect("the connection stays open");
        }
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

    /// The next desktop profile, skipping other events.
    pub async fn next_profile(&mut self) -> switchboard_protocol::agent::DesktopProfile {
        match self
            .expect(|e| matches!(e, AgentEvent::Profile { .. }))
            .await
        {
            AgentEvent::Profile { profile } => profile,
            _ => unreachable!(),
        }
    }

    /// The next conversation snapshot, skipping other events.
    pub async fn next_snapshot(&mut self) -> ConversationSnapshot {
        match self
            .expect(|e| matches!(e, AgentEvent::Snapshot { .. }))
            .await
        {
            AgentEvent::Snapshot { conversation } => conversation,
            _ => unreachable!(),
        }
    }

    /// The next frame of any kind, for tests about errors.
    pub async fn next_error(&mut self) -> ErrorBody {
        loop {
            match self.frame().await {
                Some(AgentServerFrame::Error { error }) => return error,
                Some(_) => {}
                None => panic!("the connection closed without an error frame"),
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }

    /// Whether the server closes the connection, once the frames before its close are read.
    pub async fn closed_by_server(&mut self) -> bool {
        while self.frame().await.is_some() {}
        true
    }
}

/// The live view as a supervisor's desktop merges its pushes.
#[derive(Debug, Default)]
pub struct LiveView {
    pub pushes: usize,
    pub queues: std::collections::BTreeMap<String, QueueFigures>,
    pub agents: std::collections::BTreeMap<String, AgentFigures>,
    pub conversations: std::collections::BTreeMap<ConversationId, LiveConversation>,
}

impl LiveView {
    pub fn merge(&mut self, update: LiveUpdate) {
        self.pushes += 1;
        if update.whole {
            *self = LiveView {
                pushes: self.pushes,
                ..LiveView::default()
            };
        }
        for queue in update.queues {
            self.queues.insert(queue.queue.id.0.clone(), queue);
        }
        for agent in update.agents {
            self.agents.insert(agent.agent.email.clone(), agent);
        }
        for conversation in update.conversations {
            self.conversations
                .insert(conversation.id.clone(), conversation);
        }
        for gone in update.gone {
            self.conversations.remove(&gone);
        }
    }

    pub fn queue(&self, id: &str) -> &QueueFigures {
        &self.queues[id]
    }

    pub fn agent(&self, email: &str) -> &AgentFigures {
        &self.agents[email]
    }
}

/// The agent signed in and Available.
pub async fn available_agent(server: &impl ServerAddress, email: &str) -> Agent {
    let mut agent = Agent::sign_in(server, email).await;
    let available = agent
        .command(AgentCommand::SetPresence {
            presence: switchboard_protocol::agent::PresenceRequest::Available,
        })
        .await;
    assert!(matches!(available, Outcome::Ok { .. }), "{available:?}");
    agent
}

/// Ann, Available, has accepted a chat Zoë started with "Hello" (her snapshot consumed).
pub async fn accepted_chat(
    server: &impl ServerAddress,
) -> (Agent, Customer, switchboard_protocol::ConversationId) {
    let mut ann = available_agent(server, "ann@example.com").await;
    let zoe = Customer::start(server, "Zoë", "Hello").await;
    let conversation = accept_offer(&mut ann).await.id;
    (ann, zoe, conversation)
}

/// The agent's next offer, accepted: the conversation's snapshot.
pub async fn accept_offer(agent: &mut Agent) -> ConversationSnapshot {
    offer_accepted(agent).await.1
}

/// The agent's next offer, and the snapshot accepting it gave.
pub async fn offer_accepted(agent: &mut Agent) -> (Offer, ConversationSnapshot) {
    let AgentEvent::Offer { offer } = agent
        .expect(|e| matches!(e, AgentEvent::Offer { .. }))
        .await
    else {
        unreachable!()
    };
    let accepted = agent
        .command(AgentCommand::Accept {
            conversation: offer.conversation.clone(),
        })
        .await;
    assert!(matches!(accepted, Outcome::Ok { .. }), "{accepted:?}");
    let AgentEvent::Snapshot { conversation } = agent
        .expect(|e| matches!(e, AgentEvent::Snapshot { .. }))
        .await
    else {
        unreachable!()
    };
    (offer, conversation)
}

/// Runs `contact import` on `csv` against the server's configuration: whether it succeeded, and
/// what it printed.
pub fn import(server: &Server, csv: &str) -> (bool, String) {
    let file = server.dir.path().join("contacts.csv");
    std::fs::write(&file, csv).unwrap();
    let config = server.dir.path().join("config.toml");
    run_command(&[
        "contact".as_ref(),
        "import".as_ref(),
        "--config".as_ref(),
        config.as_ref(),
        file.as_ref(),
    ])
}

/// Runs the server binary with `args`: whether it succeeded, and what it printed.
pub fn run_command(args: &[&std::ffi::OsStr]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_switchboard-server"))
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

/// A conversation's whole thread: the latest page a snapshot carried, and every earlier page.
#[allow(dead_code)] // Not every test binary pages back.
pub async fn whole_thread(agent: &mut Agent, snapshot: &ConversationSnapshot) -> Vec<ChatMessage> {
    let mut thread = snapshot.history.clone();
    while let Some(first) = thread.first().map(|m| m.id).filter(|id| *id > 1) {
        let earlier = agent
            .command(AgentCommand::History {
                conversation: snapshot.id.clone(),
                before: first,
            })
            .await;
        let Outcome::Ok {
            result: CommandResult::Messages { messages },
        } = earlier
        else {
            panic!("a page of messages, not {earlier:?}")
        };
        if messages.is_empty() {
            break;
        }
        thread.splice(0..0, messages);
    }
    thread
}

/// Zoë writes "message 1", "message 2"… every `pause` until `stop`, writing a message again
/// while it is refused with `unavailable` (the store out of reach): how many were taken, and how
/// many times one was refused.
pub fn keep_writing(
    mut zoe: Customer,
    pause: std::time::Duration,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> tokio::task::JoinHandle<(u64, u64)> {
    use switchboard_protocol::customer::{CustomerCommand, CustomerOutcome};
    tokio::spawn(async move {
        let (mut sent, mut refused) = (0, 0);
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            let text = format!("message {}", sent + 1);
            match zoe
                .command(CustomerCommand::SendMessage {
                    text,
                    files: Vec::new(),
                })
                .await
            {
                CustomerOutcome::Ok => sent += 1,
                CustomerOutcome::Error { error }
                    if error.code == switchboard_protocol::ErrorCode::Unavailable =>
                {
                    refused += 1;
                }
                refusal => panic!("{refusal:?}"),
            }
            tokio::time::sleep(pause).await;
        }
        (sent, refused)
    })
}

/// The admin API, with the token the running server published.
pub struct AdminApi<'a> {
    server: &'a Server,
    token: String,
    http: reqwest::Client,
}

impl AdminApi<'_> {
    pub fn new(server: &Server) -> AdminApi<'_> {
        let access = std::fs::read_to_string(server.dir.path().join("data/admin.json")).unwrap();
        let access: Value = serde_json::from_str(&access).unwrap();
        AdminApi {
            server,
            token: access["token"].as_str().unwrap().to_owned(),
            http: reqwest::Client::new(),
        }
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, self.server.url(path))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}
