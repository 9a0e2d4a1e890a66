//! The simulated desktops and widgets: agents accept every offer and answer every message;
//! customers start a chat, then write at a steady rate. Each message carries the time it was
//! sent, so that its latency is measured on the load generator's one clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{Mutex, watch};
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::supervisor::{CHANGE_EVERY, Changes};

/// Microseconds since the run started: both ends of every message share this clock.
pub(crate) fn micros(start: Instant) -> u64 {
    start.elapsed().as_micros() as u64
}

/// What the clients count while they run.
#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) customer_to_agent: Mutex<Vec<u64>>,
    pub(crate) agent_to_customer: Mutex<Vec<u64>>,
    /// Messages delivered (and timed), and messages sent that carry a send time.
    pub(crate) messages: AtomicU64,
    pub(crate) sent: AtomicU64,
    pub(crate) accepted: AtomicU64,
    /// Connections the server ended while the run went on.
    pub(crate) ended: AtomicU64,
    /// Commands the server refused, and the first refusal's error.
    pub(crate) refused: AtomicU64,
    pub(crate) first_refusal: std::sync::OnceLock<String>,
}

impl Counters {
    /// Counts `frame` if it is a refusal: a command's error reply, or an error frame.
    fn note_refusal(&self, frame: &Value) {
        let error = match frame["type"].as_str() {
            Some("reply") if frame["outcome"]["status"] == "error" => &frame["outcome"]["error"],
            Some("error") => &frame["error"],
            _ => return,
        };
        self.refused.fetch_add(1, Ordering::Relaxed);
        let _ = self.first_refusal.set(error.to_string());
    }

    async fn record(&self, latencies: &Mutex<Vec<u64>>, sent: u64, start: Instant) {
        latencies
            .lock()
            .await
            .push(micros(start).saturating_sub(sent));
        self.messages.fetch_add(1, Ordering::Relaxed);
    }
}

/// 128 random bits, from the OS, for ids that must not collide.
fn rand_id() -> u128 {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the OS provides randomness");
    u128::from_le_bytes(bytes)
}

pub(crate) type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

fn command(id: u64, command: Value) -> Message {
    Message::text(
        json!({ "type": "command", "id": format!("c{id}"), "command": command }).to_string(),
    )
}

/// A message's text: the time it was sent, in microseconds, written in letters (`a` for 0 …
/// `j` for 9). Digits would not survive: once a run is past 100 seconds the stamp is as long as a
/// phone number, and the server masks it before an agent sees it.
fn stamp(sent: u64) -> String {
    let digits = sent.to_string();
    let letters: String = digits
        .bytes()
        .map(|digit| char::from(digit - b'0' + b'a'))
        .collect();
    format!("t {letters}")
}

/// The send time a message's text carries ([`stamp`]).
fn sent_at(text: &Value) -> Option<u64> {
    let letters = text.as_str()?.strip_prefix("t ")?;
    let digits: Option<String> = letters
        .bytes()
        .map(|letter| {
            (b'a'..=b'j')
                .contains(&letter)
                .then(|| char::from(letter - b'a' + b'0'))
        })
        .collect();
    digits?.parse().ok()
}

/// Opens an agent's desktop connection and waits for its welcome.
pub(crate) async fn open_agent(address: &str, token: &str) -> Socket {
    let mut request = format!("ws://{address}/api/v1/agent/ws")
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("Authorization", format!("Bearer {token}").parse().unwrap());
    let mut socket = connect(request).await;
    // The welcome: the connection is attached.
    socket.next().await.unwrap().unwrap();
    socket
}

/// An agent who changes their presence while a supervisor watches: their e-mail, when they
/// change first, and the changes in flight.
pub(crate) struct Changing {
    pub(crate) email: String,
    pub(crate) offset: Duration,
    pub(crate) changes: Arc<Changes>,
}

/// An agent's desktop: connected and reading (answering the server's pings) until `working`,
/// then available, accepting every offer and answering every message; `changing`, alternately
/// Idle and Available while the changes are active.
pub(crate) async fn run_agent(
    socket: Socket,
    mut working: watch::Receiver<bool>,
    start: Instant,
    counters: Arc<Counters>,
    changing: Option<Changing>,
) {
    let (mut sink, mut stream) = socket.split();
    loop {
        tokio::select! {
            // Once working, frames are read below: an offer must not be taken for idle chatter.
            biased;
            // The guard `wait_for` returns may not cross the sends below.
            _ = async { working.wait_for(|working| *working).await.is_ok() } => break,
            text = next_text(&mut stream) => {
                let Some(text) = text else {
                    counters.ended.fetch_add(1, Ordering::Relaxed);
                    return;
                };
                let frame: Value = serde_json::from_str(&text).unwrap();
                counters.note_refusal(&frame);
                if frame["type"] == "event" {
                    sink.send(ack(&frame)).await.unwrap();
                }
            }
        }
    }
    let mut id = 0;
    sink.send(command(
        id,
        json!({ "type": "set_presence", "presence": { "state": "available" } }),
    ))
    .await
    .unwrap();
    let mut changes = changing.as_ref().map(|changing| {
        let first = Instant::now() + changing.offset;
        tokio::time::interval_at(first.into(), CHANGE_EVERY)
    });
    let mut idle = true;
    loop {
        let text = match changes.as_mut() {
            Some(ticker) => tokio::select! {
                text = next_text(&mut stream) => text,
                _ = ticker.tick() => {
                    let changing = changing.as_ref().expect("ticks only when changing");
                    if changing.changes.active.load(Ordering::Relaxed) {
                        id += 1;
                        let asked = changing.changes.next(&changing.email, start, idle).await;
                        sink.send(command(id, asked)).await.unwrap();
                        idle = !idle;
                    }
                    continue;
                }
            },
            None => next_text(&mut stream).await,
        };
        let Some(text) = text else { break };
        let frame: Value = serde_json::from_str(&text).unwrap();
        counters.note_refusal(&frame);
        if frame["type"] != "event" {
            continue;
        }
        // Every event is acknowledged as it arrives, as the desktop does.
        sink.send(ack(&frame)).await.unwrap();
        let event = &frame["event"];
        match event["type"].as_str() {
            Some("offer") => {
                id += 1;
                let conversation = event["offer"]["conversation"].clone();
                sink.send(command(
                    id,
                    json!({ "type": "accept", "conversation": conversation }),
                ))
                .await
                .unwrap();
                counters.accepted.fetch_add(1, Ordering::Relaxed);
            }
            Some("message") if event["message"]["from"]["kind"] == "customer" => {
                if let Some(sent) = sent_at(&event["message"]["text"]) {
                    counters
                        .record(&counters.customer_to_agent, sent, start)
                        .await;
                    id += 1;
                    let conversation = event["message"]["conversation"].clone();
                    let reply = stamp(micros(start));
                    sink.send(command(
                        id,
                        json!({ "type": "send_message", "conversation": conversation, "text": reply }),
                    ))
                    .await
                    .unwrap();
                    counters.sent.fetch_add(1, Ordering::Relaxed);
                }
            }
            _ => {}
        }
    }
    counters.ended.fetch_add(1, Ordering::Relaxed);
}

/// The next text frame, past the server's pings (answered while reading, as a browser does);
/// `None` once the connection ends.
pub(crate) async fn next_text(
    stream: &mut (impl futures_util::Stream<Item = tungstenite::Result<Message>> + Unpin),
) -> Option<tungstenite::Utf8Bytes> {
    loop {
        match stream.next().await? {
            Ok(Message::Text(text)) => return Some(text),
            Ok(_) => continue,
            Err(_) => return None,
        }
    }
}

fn ack(event: &Value) -> Message {
    Message::text(json!({ "type": "ack", "seq": event["seq"] }).to_string())
}

/// Each connection's read buffer, as the server's (`ws::READ_BUFFER`) and the relay's. The
/// library zero-fills its whole read buffer before every read: with its default of 128 KiB, that
/// was a fifth of the load generator's CPU, taken from the cores the server under test runs on.
const READ_BUFFER: usize = 4 * 1024;

/// Opens a WebSocket and says hello. Browsers disable Nagle's algorithm on WebSockets; so do
/// these stand-ins for desktops and widgets.
async fn connect(request: impl IntoClientRequest + Unpin) -> Socket {
    let config = WebSocketConfig::default().read_buffer_size(READ_BUFFER);
    let (mut socket, _) = tokio_tungstenite::connect_async_with_config(request, Some(config), true)
        .await
        .unwrap();
    let hello = json!({ "type": "hello", "protocol": 1 }).to_string();
    socket.send(Message::text(hello)).await.unwrap();
    socket
}

/// A customer's widget: its chat started, and reading (acknowledging every event and answering
/// the server's pings) from the moment it connected, as a browser does.
pub(crate) struct Customer {
    sink: Arc<Mutex<futures_util::stream::SplitSink<Socket, Message>>>,
    reader: tokio::task::JoinHandle<()>,
}

pub(crate) async fn open_customer(
    address: &str,
    n: usize,
    start: Instant,
    counters: Arc<Counters>,
) -> Customer {
    let mut socket = connect(format!("ws://{address}/api/v1/customer/ws")).await;
    let start_chat = json!({ "type": "start_chat", "widget": "website", "name": format!("Customer {n}"), "message": "Hello" });
    let id = format!("start-{n}-{:032x}", rand_id());
    let frame = json!({ "type": "command", "id": id, "command": start_chat });
    socket.send(Message::text(frame.to_string())).await.unwrap();
    let (sink, mut stream) = socket.split();
    let sink = Arc::new(Mutex::new(sink));
    let acker = sink.clone();
    let reader = tokio::spawn(async move {
        while let Some(text) = next_text(&mut stream).await {
            let frame: Value = serde_json::from_str(&text).unwrap();
            counters.note_refusal(&frame);
            if frame["type"] == "event" {
                let _ = acker.lock().await.send(ack(&frame)).await;
            }
            let event = &frame["event"];
            let from_agent =
                event["type"] == "message" && event["message"]["from"]["kind"] == "agent";
            if let (true, Some(sent)) = (from_agent, sent_at(&event["message"]["text"])) {
                counters
                    .record(&counters.agent_to_customer, sent, start)
                    .await;
            }
        }
        counters.ended.fetch_add(1, Ordering::Relaxed);
    });
    Customer { sink, reader }
}

/// When and how often a customer writes.
#[derive(Clone, Copy)]
pub(crate) struct Pace {
    pub(crate) start: Instant,
    /// When this customer writes first.
    pub(crate) first: Instant,
    pub(crate) interval: Duration,
    pub(crate) deadline: Instant,
}

pub(crate) async fn run_customer(customer: Customer, pace: Pace, counters: Arc<Counters>) {
    let mut ticker = tokio::time::interval_at(pace.first.into(), pace.interval);
    let mut id = 1;
    while Instant::now() < pace.deadline {
        ticker.tick().await;
        id += 1;
        let text = stamp(micros(pace.start));
        if customer
            .sink
            .lock()
            .await
            .send(command(id, json!({ "type": "send_message", "text": text })))
            .await
            .is_err()
        {
            break;
        }
        counters.sent.fetch_add(1, Ordering::Relaxed);
    }
    // Let the last answers arrive.
    tokio::time::sleep(Duration::from_millis(500)).await;
    customer.reader.abort();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_survive_the_servers_masking_and_read_back() {
        let masker = switchboard_mask::Masker::new(switchboard_mask::KindSet::ALL);
        for sent in [
            0,
            7,
            99_999_999,
            123_456_789,
            4_111_111_111_111_111,
            u64::MAX,
        ] {
            let text = stamp(sent);
            assert_eq!(masker.mask(&text), text, "{text} is masked");
            assert_eq!(sent_at(&Value::from(text)), Some(sent));
        }
        assert_eq!(sent_at(&Value::from("t 123")), None);
        assert_eq!(sent_at(&Value::from("Hello")), None);
    }

    #[tokio::test]
    async fn reading_goes_on_past_the_servers_pings() {
        let mut frames = futures_util::stream::iter([
            Ok(Message::Ping(Default::default())),
            Ok(Message::text("first")),
            Ok(Message::Pong(Default::default())),
            Ok(Message::text("second")),
        ]);
        assert_eq!(next_text(&mut frames).await.as_deref(), Some("first"));
        assert_eq!(next_text(&mut frames).await.as_deref(), Some("second"));
        assert_eq!(next_text(&mut frames).await, None);
    }
}
