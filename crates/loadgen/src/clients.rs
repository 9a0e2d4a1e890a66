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

/// Microseconds since the run started: both ends of every message share this clock.
pub(crate) fn micros(start: Instant) -> u64 {
    start.elapsed().as_micros() as u64
}

/// What the clients count while they run.
#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) customer_to_agent: Mutex<Vec<u64>>,
    pub(crate) agent_to_customer: Mutex<Vec<u64>>,
    pub(crate) messages: AtomicU64,
    pub(crate) accepted: AtomicU64,
}

impl Counters {
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

/// The send time a message's text carries (`t <micros>`).
fn sent_at(text: &Value) -> Option<u64> {
    text.as_str()?.strip_prefix("t ")?.parse().ok()
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

/// An agent's desktop: connected and reading (answering the server's pings) until `working`,
/// then available, accepting every offer and answering every message.
pub(crate) async fn run_agent(
    socket: Socket,
    mut working: watch::Receiver<bool>,
    start: Instant,
    counters: Arc<Counters>,
) {
    let (mut sink, mut stream) = socket.split();
    loop {
        tokio::select! {
            // Once working, frames are read below: an offer must not be taken for idle chatter.
            biased;
            // The guard `wait_for` returns may not cross the sends below.
            _ = async { working.wait_for(|working| *working).await.is_ok() } => break,
            text = next_text(&mut stream) => {
                let Some(text) = text else { return };
                let frame: Value = serde_json::from_str(&text).unwrap();
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
    while let Some(text) = next_text(&mut stream).await {
        let frame: Value = serde_json::from_str(&text).unwrap();
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
                    let reply = format!("t {}", micros(start));
                    sink.send(command(
                        id,
                        json!({ "type": "send_message", "conversation": conversation, "text": reply }),
                    ))
                    .await
                    .unwrap();
                }
            }
            _ => {}
        }
    }
}

/// The next text frame, past the server's pings (answered while reading, as a browser does);
/// `None` once the connection ends.
async fn next_text(
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

/// Opens a WebSocket and says hello. Browsers disable Nagle's algorithm on WebSockets; so do
/// these stand-ins for desktops and widgets.
async fn connect(request: impl IntoClientRequest + Unpin) -> Socket {
    let (mut socket, _) = tokio_tungstenite::connect_async_with_config(request, None, true)
        .await
        .unwrap();
    let hello = json!({ "type": "hello", "protocol": 1 }).to_string();
    socket.send(Message::text(hello)).await.unwrap();
    socket
}

pub(crate) async fn open_customer(address: &str, n: usize) -> Socket {
    let mut socket = connect(format!("ws://{address}/api/v1/customer/ws")).await;
    let start = json!({ "type": "start_chat", "widget": "website", "name": format!("Customer {n}"), "message": "Hello" });
    let id = format!("start-{n}-{:032x}", rand_id());
    let frame = json!({ "type": "command", "id": id, "command": start });
    socket.send(Message::text(frame.to_string())).await.unwrap();
    socket
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

pub(crate) async fn run_customer(socket: Socket, pace: Pace, counters: Arc<Counters>) {
    let (sink, mut stream) = socket.split();
    let sink = Arc::new(Mutex::new(sink));
    let acker = sink.clone();
    let reader_counters = counters.clone();
    let reader = tokio::spawn(async move {
        while let Some(text) = next_text(&mut stream).await {
            let frame: Value = serde_json::from_str(&text).unwrap();
            // Every event is acknowledged as it arrives, as the widget does.
            if frame["type"] == "event" {
                let _ = acker.lock().await.send(ack(&frame)).await;
            }
            let event = &frame["event"];
            let from_agent =
                event["type"] == "message" && event["message"]["from"]["kind"] == "agent";
            if let (true, Some(sent)) = (from_agent, sent_at(&event["message"]["text"])) {
                reader_counters
                    .record(&reader_counters.agent_to_customer, sent, pace.start)
                    .await;
            }
        }
    });
    let mut ticker = tokio::time::interval_at(pace.first.into(), pace.interval);
    let mut id = 1;
    while Instant::now() < pace.deadline {
        ticker.tick().await;
        id += 1;
        let text = format!("t {}", micros(pace.start));
        if sink
            .lock()
            .await
            .send(command(id, json!({ "type": "send_message", "text": text })))
            .await
            .is_err()
        {
            break;
        }
    }
    // Let the last answers arrive.
    tokio::time::sleep(Duration::from_millis(500)).await;
    reader.abort();
}

#[cfg(test)]
mod tests {
    use super::*;

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
