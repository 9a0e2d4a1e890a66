//! The routing node killed with SIGKILL five times while 20 agents and 100 customers, spread
//! over three nodes, write: every message a customer was told was taken reaches the agent once,
//! in order; no conversation is ever held by two agents; offers pending at a kill are offered
//! again; the time from each kill to the next routed step is printed.
//!
//! The clients here are as forgiving as real ones: a lost connection is made again at the next
//! node, resuming by sequence number, and a command without an answer is sent again under the
//! same id.

mod support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use support::{Server, agent_socket, login, readiness};
use switchboard_protocol::agent::{
    AgentCommand, AgentEvent, AgentServerFrame, Outcome, PresenceRequest,
};
use switchboard_protocol::customer::{
    CustomerCommand, CustomerEvent, CustomerOutcome, CustomerServerFrame,
};
use switchboard_protocol::{ErrorCode, Sender, Seq};
use switchboard_testkit::{Socket, postgres};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const AGENTS: usize = 20;
const CUSTOMERS: usize = 100;
const KILLS: usize = 5;
/// Customers who start their chat just before each kill: their offers are pending at it.
const LATE_PER_KILL: usize = 4;
/// How long a client waits for a frame before it takes the connection for lost.
const SILENCE: Duration = Duration::from_secs(10);

/// The nodes' addresses as they are now: a killed node's is gone until it is back.
type Addresses = Arc<Mutex<Vec<String>>>;

fn address(addresses: &Addresses, turn: usize) -> String {
    let addresses = addresses.lock().unwrap();
    addresses[turn % addresses.len()].clone()
}

/// What every agent sees, checked as it happens.
#[derive(Default)]
struct Seen {
    /// Per customer, the number of the next message expected from them.
    next: HashMap<usize, u64>,
    /// Per conversation, the agent who accepted it.
    holder: HashMap<String, usize>,
    /// Per conversation, its customer's name, once accepted.
    customers: HashMap<String, String>,
    /// When each customer message was first sent.
    sent: HashMap<(usize, u64), Instant>,
    /// When each delivered message was first sent, and when it reached its agent.
    delivered: Vec<(Instant, Instant)>,
}

impl Seen {
    /// Customer `customer`'s message number `n` reached an agent: it must be the next one.
    fn message(&mut self, text: &str) {
        let Some((customer, n)) = parse(text) else {
            return;
        };
        let next = self.next.entry(customer).or_insert(1);
        assert_eq!(
            n, *next,
            "customer {customer}'s messages arrive once, in order"
        );
        *next += 1;
        if let Some(sent) = self.sent.get(&(customer, n)) {
            self.delivered.push((*sent, Instant::now()));
        }
    }

    /// How long after `moment` the first message sent after it reached its agent, if one has.
    fn first_sent_after(&self, moment: Instant) -> Option<Duration> {
        self.delivered
            .iter()
            .filter(|(sent, _)| *sent > moment)
            .map(|(_, delivered)| *delivered - moment)
            .min()
    }
}

/// `c{customer} m{n}`, as customers write.
fn parse(text: &str) -> Option<(usize, u64)> {
    let (customer, n) = text.strip_prefix('c')?.split_once(" m")?;
    Some((customer.parse().ok()?, n.parse().ok()?))
}

async fn next_frame(socket: &mut Socket) -> Option<Value> {
    loop {
        let message = tokio::time::timeout(SILENCE, socket.next())
            .await
            .ok()??
            .ok()?;
        match message {
            Message::Text(text) => return serde_json::from_str(&text).ok(),
            Message::Close(_) => return None,
            _ => continue,
        }
    }
}

/// Connects at the next node that takes the connection, saying `hello`.
async fn connect(
    addresses: &Addresses,
    turn: &mut usize,
    request: impl Fn(&str) -> tokio_tungstenite::tungstenite::handshake::client::Request,
    hello: &Value,
) -> Socket {
    loop {
        *turn += 1;
        let at = address(addresses, *turn);
        if let Ok((mut socket, _)) = tokio_tungstenite::connect_async(request(&at)).await
            && socket.send(Message::text(hello.to_string())).await.is_ok()
        {
            return socket;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// An agent's desktop: Available, accepting every offer and reading every message, until the
/// test is over (it reads on after the customers stop: their last messages are on their way).
async fn agent(number: usize, token: String, addresses: Addresses, seen: Arc<Mutex<Seen>>) {
    let mut turn = number;
    let mut last_seq: Option<Seq> = None;
    // Commands not answered yet, sent again on every new connection.
    let mut unanswered: Vec<(String, Value)> = vec![(
        format!("available-{number}"),
        json!(AgentCommand::SetPresence {
            presence: PresenceRequest::Available
        }),
    )];
    loop {
        let hello = json!({ "type": "hello", "protocol": 1, "last_seq": last_seq });
        let mut socket = connect(
            &addresses,
            &mut turn,
            |at| agent_socket(&at.to_owned(), &token),
            &hello,
        )
        .await;
        let Some(welcome) = next_frame(&mut socket).await else {
            continue;
        };
        let Ok(AgentServerFrame::Welcome {
            resumed,
            last_seq: from,
            ..
        }) = serde_json::from_value(welcome)
        else {
            continue;
        };
        assert_eq!(resumed, last_seq.is_some(), "agent {number} resumes");
        last_seq = Some(from);
        for (id, command) in &unanswered {
            let frame = json!({ "type": "command", "id": id, "command": command });
            let _ = socket.send(Message::text(frame.to_string())).await;
        }
        loop {
            let Some(frame) = next_frame(&mut socket).await else {
                break;
            };
            match serde_json::from_value(frame).unwrap() {
                AgentServerFrame::Event { seq, event } => {
                    assert_eq!(
                        seq,
                        last_seq.unwrap() + 1,
                        "agent {number}'s events arrive once, in order"
                    );
                    last_seq = Some(seq);
                    match event {
                        AgentEvent::Offer { offer } => {
                            // Per offer: an accept refused once (withdrawn meanwhile) keeps its
                            // reply under its id.
                            let id = format!("accept-{}-{seq}", offer.conversation.0);
                            let command = json!(AgentCommand::Accept {
                                conversation: offer.conversation
                            });
                            let frame = json!({ "type": "command", "id": id, "command": command });
                            let _ = socket.send(Message::text(frame.to_string())).await;
                            unanswered.push((id, command));
                        }
                        AgentEvent::Snapshot { conversation } => {
                            let mut seen = seen.lock().unwrap();
                            let holder = *seen
                                .holder
                                .entry(conversation.id.0.clone())
                                .or_insert(number);
                            let name = conversation.customer.name.clone();
                            seen.customers.insert(conversation.id.0.clone(), name);
                            assert_eq!(holder, number, "a conversation is held by one agent");
                            // Messages written before the accept are in its snapshot; a
                            // snapshot sent again on a fresh start repeats what was seen.
                            for message in &conversation.history {
                                let next = |(customer, n): (usize, u64)| {
                                    seen.next.get(&customer).copied().unwrap_or(1) == n
                                };
                                if matches!(message.from, Sender::Customer { .. })
                                    && parse(&message.text).is_some_and(next)
                                {
                                    seen.message(&message.text);
                                }
                            }
                        }
                        AgentEvent::Message { message }
                            if matches!(message.from, Sender::Customer { .. }) =>
                        {
                            seen.lock().unwrap().message(&message.text);
                        }
                        _ => {}
                    }
                    let ack = json!({ "type": "ack", "seq": seq });
                    let _ = socket.send(Message::text(ack.to_string())).await;
                }
                AgentServerFrame::Reply { id, outcome } => {
                    unanswered.retain(|(waiting, _)| *waiting != id.0);
                    if let Outcome::Error { error } = outcome {
                        // An offer withdrawn meanwhile; nothing else is refused.
                        assert!(
                            matches!(error.code, ErrorCode::InvalidState | ErrorCode::Unavailable),
                            "{error:?}"
                        );
                    }
                }
                _ => {}
            }
        }
    }
}

/// A customer's widget: starts a chat, then writes `c{n} m{k}` for k = 1, 2, … until `done`;
/// returns how many messages were taken.
async fn customer(
    number: usize,
    addresses: Addresses,
    seen: Arc<Mutex<Seen>>,
    done: Arc<AtomicBool>,
) -> u64 {
    let mut turn = number;
    let mut resume: Option<(String, Seq)> = None;
    let mut written = 0;
    // Random, as the server asks of a start: a retry under it is recognised.
    let start_id = format!("start-{number}-{:032x}", rand::random::<u128>());
    let mut start = Some(switchboard_testkit::start_chat(
        "website",
        &format!("Customer {number}"),
        None,
        "Hello",
        &[],
    ));
    loop {
        let hello = json!({
            "type": "hello",
            "protocol": 1,
            "resume": resume.as_ref().map(|(token, seq)| json!({ "token": token, "last_seq": seq })),
        });
        let mut socket = connect(
            &addresses,
            &mut turn,
            |at| {
                format!("ws://{at}/api/v1/customer/ws")
                    .into_client_request()
                    .unwrap()
            },
            &hello,
        )
        .await;
        if next_frame(&mut socket).await.is_none() {
            continue;
        }
        // Until the connection is lost: the command sent, and its reply awaited.
        'connected: loop {
            let (id, command) = match &start {
                Some(start) => (start_id.clone(), json!(start)),
                None if done.load(Ordering::Relaxed) => return written,
                None => (
                    format!("m-{number}-{}", written + 1),
                    json!(CustomerCommand::SendMessage {
                        text: format!("c{number} m{}", written + 1),
                        files: Vec::new(),
                    }),
                ),
            };
            if start.is_none() {
                let mut seen = seen.lock().unwrap();
                seen.sent
                    .entry((number, written + 1))
                    .or_insert_with(Instant::now);
            }
            let frame = json!({ "type": "command", "id": id, "command": command });
            if socket.send(Message::text(frame.to_string())).await.is_err() {
                break;
            }
            let outcome = loop {
                let Some(frame) = next_frame(&mut socket).await else {
                    break 'connected;
                };
                match serde_json::from_value(frame).unwrap() {
                    CustomerServerFrame::Event { seq, event } => {
                        if let CustomerEvent::Started { token, .. } = &event {
                            resume = Some((token.clone(), seq));
                        }
                        if let Some((_, last)) = &mut resume {
                            *last = seq;
                        }
                    }
                    CustomerServerFrame::Reply {
                        id: replied,
                        outcome,
                    } if replied.0 == id => {
                        break outcome;
                    }
                    _ => {}
                }
            };
            match outcome {
                CustomerOutcome::Ok if start.is_some() => start = None,
                CustomerOutcome::Ok => written += 1,
                CustomerOutcome::Error { error } if error.code == ErrorCode::Unavailable => {}
                refused => panic!("customer {number}: {refused:?}"),
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
}

/// The index of the node that routes now.
async fn routing(nodes: &[Server]) -> Option<usize> {
    for (index, node) in nodes.iter().enumerate() {
        if readiness(node).await == (200, "ready: routing".into()) {
            return Some(index);
        }
    }
    None
}

// Servers start (blocking a thread) while the test's tasks run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_routing_node_killed_five_times_loses_nothing_and_doubles_nothing() {
    if !postgres::selected() {
        println!("several nodes need PostgreSQL: run with SWITCHBOARD_TEST_STORE=postgres");
        return;
    }
    let (url, database) = postgres::database();
    let mut config = format!(
        "{}\n[store]\nurl = \"{url}\"\n",
        switchboard_testkit::config(60, 60)
    )
    .replace("default_capacity = 3", "default_capacity = 8");
    for n in 0..AGENTS {
        config.push_str(&format!(
            "[[demo_agents]]\nemail = \"agent{n}@example.com\"\nname = \"Agent {n}\"\npassword = \"{}\"\nqueues = [\"general\"]\n",
            switchboard_testkit::PASSWORD
        ));
    }
    let mut nodes: Vec<Server> = ["a", "b", "c"]
        .into_iter()
        .map(|name| Server::start_node(&config, Some(database.clone()), Some(name)))
        .collect();
    let addresses: Addresses = Arc::new(Mutex::new(
        nodes.iter().map(|node| node.address.clone()).collect(),
    ));
    while routing(&nodes).await.is_none() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let seen = Arc::new(Mutex::new(Seen::default()));
    let done = Arc::new(AtomicBool::new(false));
    let mut agents = Vec::new();
    for n in 0..AGENTS {
        let token = login(&address(&addresses, n), &format!("agent{n}@example.com"))
            .await
            .token;
        agents.push(tokio::spawn(agent(
            n,
            token,
            addresses.clone(),
            seen.clone(),
        )));
    }
    let mut customers = Vec::new();
    let start_customer =
        |n: usize| tokio::spawn(customer(n, addresses.clone(), seen.clone(), done.clone()));
    let early = CUSTOMERS - KILLS * LATE_PER_KILL;
    customers.extend((0..early).map(start_customer));

    let mut takeovers = Vec::new();
    for kill in 0..KILLS {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let late = early + kill * LATE_PER_KILL;
        customers.extend((late..late + LATE_PER_KILL).map(start_customer));
        tokio::time::sleep(Duration::from_millis(100)).await;
        let routes = routing(&nodes).await.expect("a node routes");
        let killed = Instant::now();
        nodes[routes].kill();
        addresses
            .lock()
            .unwrap()
            .retain(|address| *address != nodes[routes].address);
        // The next routed step: a customer's message sent after the kill delivered.
        let took = loop {
            if let Some(took) = seen.lock().unwrap().first_sent_after(killed) {
                break took;
            }
            assert!(
                killed.elapsed() < Duration::from_secs(30),
                "nothing routed after kill {}",
                kill + 1
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        };
        println!(
            "kill {}: the next message routed {} ms after it",
            kill + 1,
            took.as_millis()
        );
        takeovers.push(took);
        nodes[routes].start_again();
        addresses
            .lock()
            .unwrap()
            .push(nodes[routes].address.clone());
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    done.store(true, Ordering::Relaxed);
    let mut written = Vec::new();
    for customer in customers {
        written.push(customer.await.unwrap());
    }
    // Every message taken reaches an agent: wait for the last ones.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let missing: Vec<usize> = {
            let seen = seen.lock().unwrap();
            (0..CUSTOMERS)
                .filter(|n| seen.next.get(n).copied().unwrap_or(1) != written[*n] + 1)
                .collect()
        };
        if missing.is_empty() {
            break;
        }
        if Instant::now() > deadline {
            let seen = seen.lock().unwrap();
            for n in &missing {
                let name = format!("Customer {n}");
                let accepted = seen.customers.values().any(|customer| *customer == name);
                println!(
                    "customer {n}: {} messages taken, {} reached an agent; accepted: {accepted}",
                    written[*n],
                    seen.next.get(n).copied().unwrap_or(1) - 1
                );
            }
            panic!("messages of customers {missing:?} never arrived");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for agent in agents {
        agent.abort();
    }
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen.holder.len(),
        CUSTOMERS,
        "every conversation was accepted, once"
    );
    takeovers.sort();
    println!(
        "{} messages in {} conversations; the next routed step {} ms after a kill (median), {} ms at worst",
        written.iter().sum::<u64>(),
        CUSTOMERS,
        takeovers[KILLS / 2].as_millis(),
        takeovers[KILLS - 1].as_millis()
    );
}
