//! `switchboard-loadgen`: starts a server (the built binary) over a fresh data directory, signs in
//! N agents and opens M concurrent customer conversations over loopback, then has every customer
//! write at a steady rate while agents answer each message. Prints figures; asserts nothing.
//!
//! Measured: conversations routed per second (start → accepted), customer→agent and
//! agent→customer message latency (p50/p99/p99.9, one clock: both ends live in this process),
//! messages per second, the server's memory (RSS) and its growth per idle agent connection.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

#[derive(Parser, Debug)]
#[command(about = "Load generator for switchboard-server")]
struct Args {
    /// The server binary to start.
    #[arg(long, default_value = "target/release/switchboard-server")]
    server: std::path::PathBuf,
    #[arg(long, default_value_t = 500)]
    agents: usize,
    /// Concurrent customer conversations.
    #[arg(long, default_value_t = 2000)]
    conversations: usize,
    /// Messages each customer writes per second in the steady phase.
    #[arg(long, default_value_t = 1.5)]
    rate: f64,
    /// Length of the steady phase, in seconds.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
}

const PASSWORD: &str = "loadgen-password";

/// Customers acknowledge every few events (the widget acknowledges each one).
const CUSTOMER_ACK_EVERY: u32 = 4;

/// Microseconds since the run started: both ends of every message share this clock.
fn micros(start: Instant) -> u64 {
    start.elapsed().as_micros() as u64
}

#[derive(Default)]
struct Latencies {
    customer_to_agent: Mutex<Vec<u64>>,
    agent_to_customer: Mutex<Vec<u64>>,
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index] as f64 / 1000.0
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// CPU seconds the process has used (user + system).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name; 100 ticks/s.
    (ticks(11) + ticks(12)) / 100.0
}

fn config(agents: usize, capacity: usize) -> String {
    let mut config = format!(
        r#"
wrap_up_reasons = ["Resolved"]
idle_reasons = ["Lunch"]
[server]
listen = "127.0.0.1:0"
data_dir = "data"
[[queues]]
id = "general"
name = "General"
[workstreams.chat]
offer_timeout_seconds = 120
[agents]
default_capacity = {capacity}
[[widgets]]
id = "website"
queue = "general"
"#
    );
    for n in 0..agents {
        config.push_str(&format!(
            "[[demo_agents]]\nemail = \"agent{n}@example.com\"\nname = \"Agent {n}\"\npassword = \"{PASSWORD}\"\nqueues = [\"general\"]\n"
        ));
    }
    config
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let capacity = args.conversations.div_ceil(args.agents) + 1;
    std::fs::write(
        dir.path().join("config.toml"),
        config(args.agents, capacity),
    )
    .unwrap();
    let mut child = std::process::Command::new(&args.server)
        .args(["serve", "--config"])
        .arg(dir.path().join("config.toml"))
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e} (build it with `cargo build --release -p switchboard-server`)",
                args.server.display()
            )
        });
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let address = line
        .trim()
        .trim_start_matches("listening on http://")
        .to_owned();
    let pid = child.id();
    println!(
        "server {address} (pid {pid}); {} agents (capacity {capacity}), {} conversations",
        args.agents, args.conversations
    );
    // The server answers only once it has started (demo agents created, state loaded).
    while reqwest::get(format!("http://{address}/healthz"))
        .await
        .is_err()
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let rss_start = rss_kib(pid);

    let start = Instant::now();
    let latencies = Arc::new(Latencies::default());
    let messages = Arc::new(AtomicU64::new(0));
    let accepted = Arc::new(AtomicU64::new(0));

    // Agents: sign in (a few at a time: password hashing is deliberately slow and memory-hungry),
    // then measure the server before and after opening their connections.
    let http = reqwest::Client::new();
    let mut tokens = Vec::new();
    for chunk in (0..args.agents).collect::<Vec<_>>().chunks(8) {
        let logins = chunk.iter().map(|n| {
            let http = http.clone();
            let address = address.clone();
            async move {
                let response: Value = http
                    .post(format!("http://{address}/api/v1/agent/login"))
                    .json(
                        &json!({ "email": format!("agent{n}@example.com"), "password": PASSWORD }),
                    )
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                response["token"].as_str().unwrap().to_owned()
            }
        });
        tokens.extend(futures_util::future::join_all(logins).await);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_signed_in = rss_kib(pid);
    let mut agent_sockets = Vec::new();
    for token in tokens {
        let mut request = format!("ws://{address}/api/v1/agent/ws")
            .into_client_request()
            .unwrap();
        request
            .headers_mut()
            .insert("Authorization", format!("Bearer {token}").parse().unwrap());
        let mut socket = connect(request).await;
        // The welcome: the connection is attached.
        socket.next().await.unwrap().unwrap();
        agent_sockets.push(socket);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_idle_agents = rss_kib(pid);
    let per_connection = rss_idle_agents.saturating_sub(rss_signed_in) as f64 / args.agents as f64;

    for socket in agent_sockets {
        let latencies = latencies.clone();
        let messages = messages.clone();
        let accepted = accepted.clone();
        tokio::spawn(run_agent(socket, start, latencies, messages, accepted));
    }

    // Customers: start every conversation, then wait until all are accepted.
    let routing_started = Instant::now();
    let mut customers = Vec::new();
    for chunk in (0..args.conversations).collect::<Vec<_>>().chunks(50) {
        let opened = chunk.iter().map(|n| open_customer(&address, *n));
        customers.extend(futures_util::future::join_all(opened).await);
    }
    while accepted.load(Ordering::Relaxed) < args.conversations as u64 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let routing_seconds = routing_started.elapsed().as_secs_f64();

    // Steady phase: every customer writes at `rate`; agents answer each message.
    latencies.customer_to_agent.lock().await.clear();
    latencies.agent_to_customer.lock().await.clear();
    messages.store(0, Ordering::Relaxed);
    let steady = Instant::now();
    let cpu_before = cpu_seconds(pid);
    let own_cpu_before = cpu_seconds(std::process::id());
    let deadline = steady + Duration::from_secs(args.seconds);
    let interval = Duration::from_secs_f64(1.0 / args.rate);
    let mut tasks = Vec::new();
    for (n, customer) in customers.into_iter().enumerate() {
        let latencies = latencies.clone();
        let messages = messages.clone();
        // Spread the customers' first messages over one interval.
        let offset = interval.mul_f64(n as f64 / args.conversations as f64);
        tasks.push(tokio::spawn(run_customer(
            customer, start, offset, interval, deadline, latencies, messages,
        )));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let steady_seconds = steady.elapsed().as_secs_f64();
    let server_cpu = (cpu_seconds(pid) - cpu_before) / steady_seconds;
    let own_cpu = (cpu_seconds(std::process::id()) - own_cpu_before) / steady_seconds;
    let rss_end = rss_kib(pid);
    let total = messages.load(Ordering::Relaxed);

    let mut to_agent = latencies.customer_to_agent.lock().await.clone();
    let mut to_customer = latencies.agent_to_customer.lock().await.clone();
    to_agent.sort_unstable();
    to_customer.sort_unstable();
    println!(
        "routing: {} conversations accepted in {routing_seconds:.2} s = {:.0} conversations/s",
        args.conversations,
        args.conversations as f64 / routing_seconds
    );
    println!(
        "messages: {total} delivered in {steady_seconds:.1} s = {:.0} messages/s (both directions); \
         CPU: server {:.0}%, load generator {:.0}% of one core",
        total as f64 / steady_seconds,
        server_cpu * 100.0,
        own_cpu * 100.0
    );
    for (name, sorted) in [
        ("customer→agent", &to_agent),
        ("agent→customer", &to_customer),
    ] {
        println!(
            "latency {name}: p50 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms ({} samples)",
            percentile(sorted, 0.50),
            percentile(sorted, 0.99),
            percentile(sorted, 0.999),
            sorted.len()
        );
    }
    println!(
        "server memory (RSS): {:.1} MiB started, {:.1} MiB after sign-ins, {:.1} MiB with {} idle agent connections \
         ({per_connection:.1} KiB per idle connection), {:.1} MiB at the end",
        rss_start as f64 / 1024.0,
        rss_signed_in as f64 / 1024.0,
        rss_idle_agents as f64 / 1024.0,
        args.agents,
        rss_end as f64 / 1024.0
    );
    child.kill().ok();
    child.wait().ok();
}

/// 128 random bits, from the OS, for ids that must not collide.
fn rand_id() -> u128 {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the OS provides randomness");
    u128::from_le_bytes(bytes)
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

fn command(id: u64, command: Value) -> Message {
    Message::text(
        json!({ "type": "command", "id": format!("c{id}"), "command": command }).to_string(),
    )
}

async fn run_agent(
    socket: Socket,
    start: Instant,
    latencies: Arc<Latencies>,
    messages: Arc<AtomicU64>,
    accepted: Arc<AtomicU64>,
) {
    let (mut sink, mut stream) = socket.split();
    let mut id = 0;
    sink.send(command(
        id,
        json!({ "type": "set_presence", "presence": { "state": "available" } }),
    ))
    .await
    .unwrap();
    let mut since_ack = 0;
    while let Some(Ok(Message::Text(text))) = stream.next().await {
        let frame: Value = serde_json::from_str(&text).unwrap();
        if frame["type"] != "event" {
            continue;
        }
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
                accepted.fetch_add(1, Ordering::Relaxed);
            }
            Some("message") if event["message"]["from"]["kind"] == "customer" => {
                let text = event["message"]["text"].as_str().unwrap_or_default();
                if let Some(sent) = text.strip_prefix("t ").and_then(|t| t.parse::<u64>().ok()) {
                    latencies
                        .customer_to_agent
                        .lock()
                        .await
                        .push(micros(start) - sent);
                    messages.fetch_add(1, Ordering::Relaxed);
                    id += 1;
                    let conversation = event["message"]["conversation"].clone();
                    let reply = format!("t {}", micros(start));
                    sink.send(command(id, json!({ "type": "send_message", "conversation": conversation, "text": reply }))).await.unwrap();
                }
            }
            _ => {}
        }
        since_ack += 1;
        if since_ack >= 50 {
            since_ack = 0;
            let ack = json!({ "type": "ack", "seq": frame["seq"] }).to_string();
            sink.send(Message::text(ack)).await.unwrap();
        }
    }
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

async fn open_customer(address: &str, n: usize) -> Socket {
    let mut socket = connect(format!("ws://{address}/api/v1/customer/ws")).await;
    let start = json!({ "type": "start_chat", "widget": "website", "name": format!("Customer {n}"), "message": "Hello" });
    let id = format!("start-{n}-{:032x}", rand_id());
    let frame = json!({ "type": "command", "id": id, "command": start });
    socket.send(Message::text(frame.to_string())).await.unwrap();
    socket
}

async fn run_customer(
    socket: Socket,
    start: Instant,
    offset: Duration,
    interval: Duration,
    deadline: Instant,
    latencies: Arc<Latencies>,
    messages: Arc<AtomicU64>,
) {
    let (sink, mut stream) = socket.split();
    let sink = Arc::new(Mutex::new(sink));
    let acker = sink.clone();
    let reader = tokio::spawn(async move {
        let mut since_ack = 0;
        while let Some(Ok(Message::Text(text))) = stream.next().await {
            let frame: Value = serde_json::from_str(&text).unwrap();
            // Acknowledge as a widget does, so that the server can forget delivered events.
            if frame["type"] == "event" {
                since_ack += 1;
                if since_ack >= CUSTOMER_ACK_EVERY {
                    since_ack = 0;
                    let ack = json!({ "type": "ack", "seq": frame["seq"] }).to_string();
                    let _ = acker.lock().await.send(Message::text(ack)).await;
                }
            }
            let event = &frame["event"];
            let from_agent =
                event["type"] == "message" && event["message"]["from"]["kind"] == "agent";
            let sent = event["message"]["text"]
                .as_str()
                .and_then(|t| t.strip_prefix("t "))
                .and_then(|t| t.parse::<u64>().ok());
            if let (true, Some(sent)) = (from_agent, sent) {
                latencies
                    .agent_to_customer
                    .lock()
                    .await
                    .push(micros(start) - sent);
                messages.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
    tokio::time::sleep(offset).await;
    let mut ticker = tokio::time::interval(interval);
    let mut id = 1;
    while Instant::now() < deadline {
        ticker.tick().await;
        id += 1;
        let text = format!("t {}", micros(start));
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
