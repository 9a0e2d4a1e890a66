//! `switchboard-loadgen`: starts a server (the built binary) over a fresh data directory, signs in
//! N agents and opens M concurrent customer conversations over loopback, then has every customer
//! write at a steady rate while agents answer each message. Prints figures; asserts nothing.
//!
//! The same clients first drive `switchboard-relay` (the same frames, no routing, no storage), the
//! floor on this machine, and every figure of the server is printed with its ratio to the relay's.
//! With durability "power" the disk's own sync latency is sampled first, alone: no synced step
//! reaches a client sooner.
//!
//! Measured: start-up (fresh, and after a kill with everything the run stored), conversations
//! routed per second (start → accepted), customer→agent and agent→customer message latency
//! (p50/p99/p99.9, one clock: both ends live in this process), messages per second, CPU, bytes
//! written per delivered message, and memory per idle connection and per conversation.

mod clients;
mod disk;
mod event_sink;
mod figures;
mod process;
mod supervisor;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::{Value, json};

use clients::{Changing, Counters, Pace, open_agent, open_customer, run_agent, run_customer};
use figures::{Figures, percentile, print, print_ratios};
use process::{cpu_seconds, rss_kib, written_bytes};
use supervisor::{CHANGE_EVERY, CHANGING_AGENTS, Changes, run_supervisor};

#[derive(Parser, Debug)]
#[command(about = "Load generator for switchboard-server, beside a bare relay")]
struct Args {
    /// The server binary to start.
    #[arg(long, default_value = "target/release/switchboard-server")]
    server: PathBuf,
    /// The bare relay to measure first, as the floor (`--relay none` skips it).
    #[arg(long, default_value = "target/release/switchboard-relay")]
    relay: PathBuf,
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
    /// What a stored step survives, as the server's `[store] durability` (power or process).
    #[arg(long, default_value = "power")]
    durability: String,
    /// Where the server stores: its embedded database, or a new database of a throwaway
    /// PostgreSQL cluster started for the run with PostgreSQL's durable defaults (each commit
    /// synced to the disk).
    #[arg(long, value_enum, default_value_t = StoreChoice::Embedded)]
    store: StoreChoice,
    /// An existing, empty PostgreSQL database to store in instead (`postgres://…`).
    #[arg(long, conflicts_with = "store")]
    store_url: Option<String>,
    /// Server nodes on the one PostgreSQL database: the first routes, the others forward to it;
    /// agents and customers are spread over them in turn.
    #[arg(long, default_value_t = 1)]
    nodes: usize,
    /// A supervisor watches the live view through the steady phase while 20 agents change their
    /// presence every 2 s: how long a change takes to reach the view (the server's extra CPU is
    /// this run's against one without).
    #[arg(long)]
    supervisor: bool,
    /// The server delivers every event to an endpoint in this process (`[[event_webhooks]]`),
    /// which answers at once.
    #[arg(long)]
    event_webhooks: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum StoreChoice {
    Embedded,
    Postgres,
}

/// How long the disk's sync latency is sampled before the server runs.
const DISK_PROBE: Duration = Duration::from_secs(10);

const PASSWORD: &str = "loadgen-password";
const SUPERVISOR: &str = "supervisor@example.com";

fn config(agents: usize, capacity: usize, args: &Args) -> String {
    let durability = &args.durability;
    let url = match (&args.store_url, args.store) {
        (Some(url), _) => format!("url = \"{url}\""),
        (None, StoreChoice::Postgres) => format!(
            "url = \"{}\"",
            switchboard_testkit::postgres::durable_database()
        ),
        (None, StoreChoice::Embedded) => String::new(),
    };
    let mut config = format!(
        r#"
wrap_up_reasons = ["Resolved"]
idle_reasons = ["Lunch"]
[server]
listen = "127.0.0.1:0"
data_dir = "data"
[limits]
{limits}
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
[store]
durability = "{durability}"
{url}
"#,
        limits = switchboard_testkit::ROOMY_LIMITS
    );
    for n in 0..agents {
        config.push_str(&format!(
            "[[demo_agents]]\nemail = \"agent{n}@example.com\"\nname = \"Agent {n}\"\npassword = \"{PASSWORD}\"\nqueues = [\"general\"]\n"
        ));
    }
    if args.supervisor {
        config.push_str(&format!(
            "[[demo_agents]]\nemail = \"{SUPERVISOR}\"\nname = \"Supervisor\"\npassword = \"{PASSWORD}\"\nqueues = [\"general\"]\nrole = \"supervisor\"\n"
        ));
    }
    config
}

/// What is measured: the server, or the relay beneath it.
#[derive(Clone, Copy, PartialEq)]
enum Target {
    Relay,
    Server,
}

/// A started process and where it listens.
struct Started {
    child: Child,
    address: String,
    /// From spawning to the ready line.
    start_up: Duration,
}

fn spawn(binary: &Path, args: &[&std::ffi::OsStr]) -> Started {
    let started = Instant::now();
    let mut child = Command::new(binary)
        .args(args)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e} (build it with `cargo build --release -p switchboard-server -p switchboard-loadgen`)",
                binary.display()
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
    Started {
        child,
        address,
        start_up: started.elapsed(),
    }
}

fn spawn_server(binary: &Path, config: &Path) -> Started {
    spawn(
        binary,
        &["serve".as_ref(), "--config".as_ref(), config.as_os_str()],
    )
}

/// The first node, once it routes, then the others, which forward to it.
async fn spawn_nodes(binary: &Path, config: &Path, nodes: usize) -> Vec<Started> {
    let mut started = Vec::new();
    for n in 0..nodes {
        let name = format!("node{n}");
        let args = [
            "serve".as_ref(),
            "--config".as_ref(),
            config.as_os_str(),
            "--node".as_ref(),
            name.as_ref(),
        ];
        let node = spawn(binary, &args);
        // A node answers once it has started (demo agents created, state loaded) and knows
        // which node routes.
        while !reqwest::get(format!("http://{}/readyz", node.address))
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        started.push(node);
    }
    started
}

/// The bytes of every file under `directory`.
fn directory_bytes(directory: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(directory) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.metadata() {
            Ok(meta) if meta.is_dir() => directory_bytes(&entry.path()),
            Ok(meta) => meta.len(),
            Err(_) => 0,
        })
        .sum()
}

async fn login(http: &reqwest::Client, address: &str, email: &str) -> String {
    let response: Value = http
        .post(format!("http://{address}/api/v1/agent/login"))
        .json(&json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    response["token"].as_str().unwrap().to_owned()
}

async fn sign_in(addresses: &[String], agents: usize) -> Vec<String> {
    // A few at a time: password hashing is deliberately slow and memory-hungry.
    let http = reqwest::Client::new();
    let mut tokens = Vec::new();
    for chunk in (0..agents).collect::<Vec<_>>().chunks(8) {
        let logins = chunk.iter().map(|n| {
            let http = http.clone();
            let address = &addresses[n % addresses.len()];
            async move { login(&http, address, &format!("agent{n}@example.com")).await }
        });
        tokens.extend(futures_util::future::join_all(logins).await);
    }
    tokens
}

/// The process's memory once it has stopped changing: the server gives back what password hashing
/// used only when the threads that hashed have been idle for a while (up to 15 s).
async fn settled_rss(pid: u32) -> u64 {
    let mut last = rss_kib(pid);
    for _ in 0..30 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = rss_kib(pid);
        if now.abs_diff(last) < 64 {
            return now;
        }
        last = now;
    }
    last
}

async fn measure(target: Target, binary: &Path, args: &Args) -> Figures {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let capacity = args.conversations.div_ceil(args.agents) + 1;
    let config_path = dir.path().join("config.toml");
    let mut text = config(args.agents, capacity, args);
    let events = match target {
        Target::Server if args.event_webhooks => Some(event_sink::EventSink::start().await),
        _ => None,
    };
    if let Some(events) = &events {
        text.push_str(&events.section());
    }
    std::fs::write(&config_path, text).unwrap();
    let mut started = match target {
        Target::Server => spawn_nodes(binary, &config_path, args.nodes).await,
        Target::Relay => vec![spawn(binary, &[])],
    };
    let start_up = started[0].start_up;
    let addresses: Vec<String> = started.iter().map(|node| node.address.clone()).collect();
    // Memory is the routing node's; CPU is every node's.
    let pid = started[0].child.id();
    let pids: Vec<u32> = started.iter().map(|node| node.child.id()).collect();
    let cpu_seconds_of_all = || pids.iter().map(|pid| cpu_seconds(*pid)).sum::<f64>();
    let rss_start = rss_kib(pid);
    let start = Instant::now();
    let counters = Arc::new(Counters::default());
    let changes = Arc::new(Changes::default());

    let tokens = match target {
        Target::Server => sign_in(&addresses, args.agents).await,
        Target::Relay => vec![String::new(); args.agents],
    };
    // The threads that hashed passwords give their memory back when they end, 10 s after their
    // last hash.
    if target == Target::Server {
        tokio::time::sleep(Duration::from_secs(11)).await;
    }
    let rss_signed_in = settled_rss(pid).await;
    // Agents read from the moment they connect, as desktops do: a socket left unread answers no
    // ping, and the server closes it as silent.
    let (working, idle_until) = tokio::sync::watch::channel(false);
    let half = args.agents / 2;
    let mut rss_half_agents = rss_signed_in;
    for (n, token) in tokens.iter().enumerate() {
        if n == half {
            rss_half_agents = settled_rss(pid).await;
        }
        let socket = open_agent(&addresses[n % addresses.len()], token).await;
        let changing = (args.supervisor && n < CHANGING_AGENTS).then(|| Changing {
            email: format!("agent{n}@example.com"),
            offset: CHANGE_EVERY.mul_f64(n as f64 / CHANGING_AGENTS as f64),
            changes: changes.clone(),
        });
        tokio::spawn(run_agent(
            socket,
            idle_until.clone(),
            start,
            counters.clone(),
            changing,
        ));
    }
    if target == Target::Server && args.supervisor {
        let token = login(&reqwest::Client::new(), &addresses[0], SUPERVISOR).await;
        let socket = open_agent(&addresses[0], &token).await;
        tokio::spawn(run_supervisor(socket, start, changes.clone()));
    }
    let rss_idle_agents = settled_rss(pid).await;
    working.send_replace(true);

    // Customers: start every conversation, then wait until all are accepted.
    let routing_started = Instant::now();
    let mut customers = Vec::new();
    for chunk in (0..args.conversations).collect::<Vec<_>>().chunks(50) {
        let opened = chunk
            .iter()
            .map(|n| open_customer(&addresses[n % addresses.len()], *n, start, counters.clone()));
        customers.extend(futures_util::future::join_all(opened).await);
    }
    while counters.accepted.load(Ordering::Relaxed) < args.conversations as u64 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let routing_seconds = routing_started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_conversations = rss_kib(pid);

    // Steady phase: every customer writes at `rate`; agents answer each message.
    println!("  steady phase ({} s) starts", args.seconds);
    counters.customer_to_agent.lock().await.clear();
    counters.agent_to_customer.lock().await.clear();
    counters.messages.store(0, Ordering::Relaxed);
    counters.sent.store(0, Ordering::Relaxed);
    // Every customer's task is running before the first message, so that the load generator's
    // own start (thousands of tasks spawned at once) is not measured.
    let steady = Instant::now() + Duration::from_millis(250);
    let interval = Duration::from_secs_f64(1.0 / args.rate);
    let mut tasks = Vec::new();
    for (n, customer) in customers.into_iter().enumerate() {
        let pace = Pace {
            start,
            // Spread the customers' first messages over one interval.
            first: steady + interval.mul_f64(n as f64 / args.conversations as f64),
            interval,
            deadline: steady + Duration::from_secs(args.seconds),
        };
        tasks.push(tokio::spawn(run_customer(customer, pace, counters.clone())));
    }
    tokio::time::sleep_until(steady.into()).await;
    changes.pushed_bytes.store(0, Ordering::Relaxed);
    changes.pushes.store(0, Ordering::Relaxed);
    changes
        .active
        .store(target == Target::Server, Ordering::Relaxed);
    let events_before = events
        .as_ref()
        .map(|sink| sink.received.load(Ordering::Relaxed));
    let cpu_before = cpu_seconds_of_all();
    let own_cpu_before = cpu_seconds(std::process::id());
    let written_before = written_bytes(pid);
    for task in tasks {
        task.await.unwrap();
    }
    changes.active.store(false, Ordering::Relaxed);
    let steady_seconds = steady.elapsed().as_secs_f64();
    let live = if target == Target::Server && args.supervisor {
        let mut delays = changes.delays.lock().await.clone();
        delays.sort_unstable();
        let bytes = changes.pushed_bytes.load(Ordering::Relaxed);
        Some((delays, bytes, changes.pushes.load(Ordering::Relaxed)))
    } else {
        None
    };
    // Both counted at the same moment: what arrives after the run is not delivered.
    let messages = counters.messages.load(Ordering::Relaxed);
    let sent = counters.sent.load(Ordering::Relaxed);
    let ended = counters.ended.load(Ordering::Relaxed);
    let refused = counters.refused.load(Ordering::Relaxed);
    let events = events
        .as_ref()
        .zip(events_before)
        .map(|(sink, before)| sink.received.load(Ordering::Relaxed) - before);
    let cpu = (cpu_seconds_of_all() - cpu_before) / steady_seconds;
    let own_cpu = (cpu_seconds(std::process::id()) - own_cpu_before) / steady_seconds;
    let written_after = written_bytes(pid);
    let rss_end = rss_kib(pid);
    let scraped = match target {
        Target::Server => Some(scrape_metrics(binary, &config_path, &addresses).await),
        Target::Relay => None,
    };
    let mut to_agent = counters.customer_to_agent.lock().await.clone();
    let mut to_customer = counters.agent_to_customer.lock().await.clone();
    to_agent.sort_unstable();
    to_customer.sort_unstable();
    for node in &mut started {
        node.child.kill().ok();
        node.child.wait().ok();
    }
    // Everything the run stored is on disk: a start now replays what the kill left.
    let restart_after_kill = (target == Target::Server && args.nodes == 1).then(|| {
        let mut again = spawn_server(binary, &config_path);
        again.child.kill().ok();
        again.child.wait().ok();
        (again.start_up, messages)
    });
    // Everything is applied to the database by now: what it takes on disk.
    let stored = directory_bytes(&dir.path().join("data"));
    Figures {
        start_up,
        restart_after_kill,
        routing_seconds,
        messages,
        sent,
        ended,
        refused: (refused > 0).then(|| {
            let first = counters.first_refusal.get().cloned().unwrap_or_default();
            (refused, first)
        }),
        steady_seconds,
        cpu,
        own_cpu,
        to_agent,
        to_customer,
        rss_start,
        rss_signed_in,
        rss_half_agents,
        rss_idle_agents,
        rss_conversations,
        rss_end,
        written: (
            written_after.0.saturating_sub(written_before.0),
            written_after.1.saturating_sub(written_before.1),
        ),
        stored,
        live,
        scraped,
        events,
    }
}

/// Every node's `/metrics`, parsed by the Prometheus client's parser: their message counters
/// summed, beside what the load generator counted. One node is scraped with its admin token; each
/// of several has its own, so they are scraped with a read-only API key kept in the database they
/// share.
async fn scrape_metrics(binary: &Path, config: &Path, addresses: &[String]) -> String {
    let token = match addresses {
        [_] => {
            let data = config.with_file_name("data/admin.json");
            let access = std::fs::read_to_string(data).unwrap_or_default();
            let access: Value = serde_json::from_str(&access).unwrap_or_default();
            access["token"].as_str().unwrap_or_default().to_owned()
        }
        _ => match read_only_key(binary, config) {
            Ok(key) => key,
            Err(problem) => return format!("no key to scrape with: {problem}"),
        },
    };
    let (mut families, mut messages_in, mut messages_out) = (0, 0.0, 0.0);
    for address in addresses {
        let scraped = reqwest::Client::new()
            .get(format!("http://{address}/metrics"))
            .bearer_auth(&token)
            .send()
            .await;
        let text = match scraped {
            Ok(response) => response.text().await.unwrap_or_default(),
            Err(error) => return format!("{address} not scraped: {error}"),
        };
        let parsed = match switchboard_testkit::openmetrics::parse(&text) {
            Ok(parsed) => parsed,
            Err(problem) => return format!("{address} refused by the parser: {problem}"),
        };
        let messages = |direction| {
            let labels = [("channel", "chat"), ("direction", direction)];
            let name = "switchboard_messages_total";
            switchboard_testkit::openmetrics::sample(&parsed, "switchboard_messages", name, &labels)
                .unwrap_or(0.0)
        };
        families = families.max(parsed.as_object().map_or(0, |parsed| parsed.len()));
        messages_in += messages("in");
        messages_out += messages("out");
    }
    let over = match addresses.len() {
        1 => String::new(),
        nodes => format!(" over {nodes} nodes"),
    };
    format!(
        "{families} families parsed by the Prometheus client; the server counted {messages_in:.0} messages in and {messages_out:.0} out{over}"
    )
}

/// A read-only admin API key, made with the server's own command.
fn read_only_key(binary: &Path, config: &Path) -> Result<String, String> {
    let made = Command::new(binary)
        .args(["apikey", "create", "--config"])
        .arg(config)
        .args(["--name", "load-generator", "--scope", "read-only"])
        .output()
        .map_err(|error| error.to_string())?;
    if !made.status.success() {
        return Err(String::from_utf8_lossy(&made.stderr).trim().to_owned());
    }
    Ok(String::from_utf8_lossy(&made.stdout).trim().to_owned())
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    if args.nodes > 1 && args.store == StoreChoice::Embedded && args.store_url.is_none() {
        eprintln!("--nodes: several nodes share a PostgreSQL database (--store postgres)");
        std::process::exit(2);
    }
    // Every simulated client is a socket: as many as the system allows.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    println!(
        "{} agents, {} conversations, {} messages/s each for {} s",
        args.agents, args.conversations, args.rate, args.seconds
    );
    let relay = (args.relay.as_os_str() != "none")
        .then_some(&args.relay)
        .map(|binary| async { measure(Target::Relay, binary, &args).await });
    let relay = match relay {
        Some(run) => Some(run.await),
        None => None,
    };
    if let Some(relay) = &relay {
        print("bare relay (the floor)", relay, &args);
    }
    let embedded = args.store == StoreChoice::Embedded && args.store_url.is_none();
    if embedded && args.durability == "power" {
        let directory = tempfile::tempdir().expect("a temporary directory");
        let syncs = disk::sync_latencies(directory.path(), DISK_PROBE);
        println!(
            "the disk alone (the floor of durability \"power\"): fdatasync of a {} KB append, \
             p50 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms, longest {:.2} ms ({} syncs in {} s)",
            disk::RECORD_BYTES / 1000,
            percentile(&syncs, 0.50),
            percentile(&syncs, 0.99),
            percentile(&syncs, 0.999),
            percentile(&syncs, 1.0),
            syncs.len(),
            DISK_PROBE.as_secs()
        );
    }
    let server = measure(Target::Server, &args.server, &args).await;
    print("switchboard-server", &server, &args);
    if let Some(relay) = &relay {
        print_ratios(&server, relay);
    }
}
