//! What tests across the workspace share: the test server's configuration, a chat widget
//! speaking the customer protocol that checks exactly-once, in-order delivery as it goes, and
//! the SMS and Messenger providers ([`channels`]), and a throwaway PostgreSQL ([`postgres`]).

#![allow(missing_debug_implementations)]

pub mod balancer;
pub mod channels;
pub mod event_receiver;
pub mod openmetrics;
pub mod postgres;

use std::collections::VecDeque;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use switchboard_protocol::Seq;
use switchboard_protocol::customer::{
    CustomerClientFrame, CustomerCommand, CustomerEvent, CustomerOutcome, CustomerServerFrame,
};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A server a test can reach.
pub trait ServerAddress {
    /// `host:port` on loopback.
    fn address(&self) -> &str;
}

impl ServerAddress for String {
    fn address(&self) -> &str {
        self
    }
}

impl<T: ServerAddress + ?Sized> ServerAddress for std::sync::Arc<T> {
    fn address(&self) -> &str {
        (**self).address()
    }
}

/// The persistent-chat widget of [`persistent_config`].
pub const PERSISTENT_WIDGET: &str = "account";
/// The key the test site signs its customer tokens with.
pub const CUSTOMER_KEY: &str = "test-site-key-of-at-least-32-characters";

/// The widget `account` for persistent chat, for signed-in customers of the test site (TOML to
/// append to [`config`]).
pub fn persistent_widget() -> String {
    format!(
        r#"
[[widgets]]
id = "{PERSISTENT_WIDGET}"
queue = "general"
mode = "persistent"
customer_key = "{CUSTOMER_KEY}"
allowed_origins = ["https://shop.example.com"]
"#
    )
}

/// A customer token as the test site's back end signs it: `sub` is the customer, valid for
/// `seconds` (negative: already expired), signed with `key`.
pub fn customer_token(key: &str, customer: &str, name: &str, seconds: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &json!({ "sub": customer, "name": name, "exp": now + seconds }),
        &jsonwebtoken::EncodingKey::from_secret(key.as_bytes()),
    )
    .unwrap()
}

/// How long any wait lasts before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(15);

pub const PASSWORD: &str = "test-password";

/// Limits no test reaches unless it means to: every test client shares one address (loopback).
pub const ROOMY_LIMITS: &str = "
chats_per_address_per_minute = 100000
chats_per_widget_per_minute = 100000
waiting_per_address = 100000
waiting_per_widget = 100000
waiting_per_queue = 100000
webhooks_per_address_per_second = 100000
logins_per_address_per_minute = 100000
";

/// The configuration every test server starts from, with limits no test reaches by accident;
/// tests append TOML tables to it.
pub fn config(offer_timeout_seconds: u32, grace_seconds: u32) -> String {
    config_with_limits(offer_timeout_seconds, grace_seconds, ROOMY_LIMITS)
}

/// [`config`] with the `[limits]` section's body `limits` (the product's defaults for whatever
/// it leaves out).
pub fn config_with_limits(offer_timeout_seconds: u32, grace_seconds: u32, limits: &str) -> String {
    format!(
        r#"
wrap_up_reasons = ["Resolved", "Follow-up needed"]
idle_reasons = ["Lunch", "Meeting"]
[server]
listen = "127.0.0.1:0"
data_dir = "data"
presence_grace_seconds = {grace_seconds}
[limits]
{limits}
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
allowed_origins = ["https://shop.example.com"]
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

/// A `[[demo_agents]]` table for a supervisor signing in with the test password, to append to
/// [`config`].
pub fn supervisor(email: &str, name: &str) -> String {
    format!(
        "[[demo_agents]]\nemail = \"{email}\"\nname = \"{name}\"\npassword = \"{PASSWORD}\"\n\
         queues = [\"general\"]\nrole = \"supervisor\"\n"
    )
}

/// A report of yesterday and today by day (UTC, the default time zone): a test running across
/// midnight still finds what it did in the span.
pub fn since_yesterday() -> switchboard_protocol::reports::ReportQuery {
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    switchboard_protocol::reports::ReportQuery {
        from: today
            .yesterday()
            .expect("today has a yesterday")
            .to_string(),
        to: today.to_string(),
        by: switchboard_protocol::reports::ReportPeriod::Day,
        ..Default::default()
    }
}

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub async fn next_json(socket: &mut Socket) -> Option<Value> {
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

/// A `start_chat` command on `widget` with displayable `context` variables, from a visitor who
/// is neither signed in nor answering an invitation.
pub fn start_chat(
    widget: &str,
    name: &str,
    email: Option<&str>,
    message: &str,
    context: &[(&str, &str)],
) -> CustomerCommand {
    CustomerCommand::StartChat {
        widget: widget.into(),
        name: name.into(),
        email: email.map(str::to_owned),
        message: message.into(),
        context: context
            .iter()
            .map(|(name, value)| {
                let value = switchboard_protocol::ContextValue {
                    value: (*value).to_owned(),
                    displayable: true,
                };
                ((*name).to_owned(), value)
            })
            .collect(),
        customer_token: None,
        proactive: false,
        language: None,
    }
}

/// A chat widget speaking the protocol.
pub struct Customer {
    socket: Socket,
    pub token: Option<String>,
    pub last_seq: Seq,
    events: VecDeque<CustomerEvent>,
    /// Typing frames, as (agent's name, typing), outside the events.
    typing: VecDeque<(String, bool)>,
    next_id: u64,
}

impl Customer {
    pub async fn connect(server: &impl ServerAddress, resume: Option<(&str, Seq)>) -> Customer {
        Customer::connect_signed_in(server, resume, None).await
    }

    /// [`Customer::connect`], resuming a persistent conversation with the signed-in customer's
    /// token.
    pub async fn connect_signed_in(
        server: &impl ServerAddress,
        resume: Option<(&str, Seq)>,
        customer_token: Option<&str>,
    ) -> Customer {
        let url = format!("ws://{}/api/v1/customer/ws", server.address());
        let (mut socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        let resume = resume.map(|(token, last_seq)| {
            json!({ "token": token, "last_seq": last_seq, "customer_token": customer_token })
        });
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
            typing: VecDeque::new(),
            next_id: 0,
        };
        assert!(matches!(
            customer.frame().await,
            Some(CustomerServerFrame::Welcome { .. })
        ));
        customer
    }

    /// Opens the widget and starts a chat.
    pub async fn start(server: &impl ServerAddress, name: &str, message: &str) -> Customer {
        let mut customer = Customer::connect(server, None).await;
        customer.start_chat(name, message).await;
        customer
    }

    /// Starts a chat from the page `/pricing` (a displayable context variable).
    pub async fn start_chat(&mut self, name: &str, message: &str) {
        self.start_chat_from(name, None, message).await;
    }

    /// Starts a chat giving an e-mail address, from the page `/pricing`.
    pub async fn start_chat_from(&mut self, name: &str, email: Option<&str>, message: &str) {
        let start = start_chat("website", name, email, message, &[("page", "/pricing")]);
        let outcome = self.command(start).await;
        assert_eq!(outcome, CustomerOutcome::Ok);
    }

    /// Starts (or goes on with) a persistent chat on widget `account`, signed in with `token`.
    pub async fn start_signed_in(&mut self, token: &str, message: &str) -> CustomerOutcome {
        self.command(CustomerCommand::StartChat {
            widget: PERSISTENT_WIDGET.into(),
            name: String::new(),
            email: None,
            message: message.into(),
            context: Default::default(),
            customer_token: Some(token.into()),
            proactive: false,
            language: None,
        })
        .await
    }

    /// Opens the signed-in customer's persistent conversation on widget `account`.
    pub async fn resume_signed_in(&mut self, token: &str) -> CustomerOutcome {
        self.command(CustomerCommand::Resume {
            widget: PERSISTENT_WIDGET.into(),
            customer_token: token.into(),
        })
        .await
    }

    async fn frame(&mut self) -> Option<CustomerServerFrame> {
        let value = next_json(&mut self.socket).await?;
        let frame: CustomerServerFrame = serde_json::from_value(value).unwrap();
        if let CustomerServerFrame::Event { seq, event } = &frame {
            // A persistent conversation opened on a new connection goes on from where its
            // stream stands: its first event may have any number.
            let fresh = self.last_seq == 0 && self.token.is_none();
            assert!(
                fresh || *seq == self.last_seq + 1,
                "events arrive exactly once, in order: {seq} after {}: {event:?}",
                self.last_seq
            );
            self.last_seq = *seq;
            if let CustomerEvent::Started { token, .. } = event {
                self.token = Some(token.clone());
            }
            self.events.push_back(event.clone());
        }
        if let CustomerServerFrame::Typing { name, typing } = &frame {
            self.typing.push_back((name.clone(), *typing));
        }
        Some(frame)
    }

    /// Says the customer is typing, or stopped.
    pub async fn send_typing(&mut self, typing: bool) {
        let frame = serde_json::to_string(&CustomerClientFrame::Typing { typing }).unwrap();
        self.socket.send(Message::text(frame)).await.unwrap();
    }

    /// Says the thread up to `message` reached the customer (and, `seen`, was in view).
    pub async fn send_receipt(&mut self, message: u64, seen: bool) {
        let frame = serde_json::to_string(&CustomerClientFrame::Receipt { message, seen }).unwrap();
        self.socket.send(Message::text(frame)).await.unwrap();
    }

    /// The next typing frame: the agent's name, and whether they type.
    pub async fn expect_typing(&mut self) -> (String, bool) {
        loop {
            if let Some(typing) = self.typing.pop_front() {
                return typing;
            }
            self.frame().await.expect("the connection stays open");
        }
    }

    pub async fn command(&mut self, command: CustomerCommand) -> CustomerOutcome {
        self.next_id += 1;
        let id = format!("c-{}-{:032x}", self.next_id, rand::random::<u128>());
        self.command_with_id(&id, command).await
    }

    /// Sends a command under `id` (a retry sends the same again) and waits for its reply.
    pub async fn command_with_id(&mut self, id: &str, command: CustomerCommand) -> CustomerOutcome {
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

    /// The next error frame, skipping other frames.
    pub async fn next_error(&mut self) -> switchboard_protocol::ErrorBody {
        loop {
            match self.frame().await {
                Some(CustomerServerFrame::Error { error }) => return error,
                Some(_) => {}
                None => panic!("the connection closed without an error frame"),
            }
        }
    }

    pub async fn say(&mut self, text: &str) {
        let outcome = self
            .command(CustomerCommand::SendMessage {
                text: text.into(),
                files: Vec::new(),
            })
            .await;
        assert_eq!(outcome, CustomerOutcome::Ok, "customer message {text:?}");
    }

    /// Uploads a file as the widget does (a link, then the bytes POSTed to it): the stored file.
    pub async fn upload(
        &mut self,
        server: &impl ServerAddress,
        name: &str,
        bytes: &[u8],
    ) -> switchboard_protocol::StoredFile {
        let CustomerOutcome::Link { link } = self
            .command(CustomerCommand::Upload { name: name.into() })
            .await
        else {
            panic!("an upload link for {name}");
        };
        let response = reqwest::Client::new()
            .post(format!("http://{}{}", server.address(), link.url))
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 201, "{name} uploaded");
        response.json().await.unwrap()
    }

    /// Sends a message carrying files uploaded before.
    pub async fn send_files(&mut self, text: &str, files: Vec<switchboard_protocol::FileId>) {
        let outcome = self
            .command(CustomerCommand::SendMessage {
                text: text.into(),
                files,
            })
            .await;
        assert_eq!(outcome, CustomerOutcome::Ok, "customer message with files");
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

/// The Python of the tests' virtual environment, with the packages `cargo xtask setup`
/// installs in it (the SMS provider's library, the Prometheus client).
pub fn python() -> std::path::PathBuf {
    std::env::var_os("SWITCHBOARD_PYTHON").map_or_else(
        || {
            let home = std::env::var_os("HOME").unwrap_or_default();
            std::path::PathBuf::from(home).join(".cache/switchboard/venv/bin/python")
        },
        std::path::PathBuf::from,
    )
}

/// A loopback port free when asked (a server configured with it may still find it taken).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
