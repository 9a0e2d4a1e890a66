//! The routing model alone, without sockets or storage: how many conversations per second it
//! routes (a customer starts, the longest idle agent is offered it and accepts) with 500 and
//! with 6,000 agents signed in, and what a tick costs with every one of them busy. Prints
//! figures; asserts nothing. `cargo bench -p switchboard-server --bench routing`.

use std::sync::Arc;
use std::time::Instant;

use switchboard_protocol::agent::{AgentEvent, Customer, PresenceRequest};
use switchboard_protocol::{AgentId, ConversationId, Presence};
use switchboard_server::config::Config;
use switchboard_server::routing::{AgentRecord, ChatRequest, Effects, Emit, Router};

const CONFIG: &str = r#"
    wrap_up_reasons = ["Resolved"]
    idle_reasons = ["Lunch"]
    [[queues]]
    id = "general"
    name = "General"
    [agents]
    default_capacity = 4
    [[widgets]]
    id = "site"
    queue = "general"
"#;

/// Conversations routed per agent in each run: every agent ends up at capacity.
const CONVERSATIONS_PER_AGENT: usize = 4;

fn router(agents: usize) -> Router {
    let config = Arc::new(Config::parse(CONFIG).expect("the bench's configuration is valid"));
    let records = (0..agents)
        .map(|n| AgentRecord {
            id: AgentId(format!("agent-{n}")),
            email: format!("agent{n}@example.com"),
            name: format!("Agent {n}"),
            password_hash: String::new(),
            queues: vec!["general".into()],
            capacity: None,
            presence: Presence::Offline,
            presence_since: 0,
            role: Default::default(),
        })
        .collect();
    let mut router = Router::new(config, records, Vec::new(), Vec::new(), 0);
    for n in 0..agents {
        let id = AgentId(format!("agent-{n}"));
        let mut fx = Effects::default();
        router.agent_connected(&id, true, n as u64, &mut fx);
        router
            .set_presence(&id, PresenceRequest::Available, n as u64, &mut fx)
            .expect("agents may be Available");
    }
    router
}

/// Starts `count` conversations, each accepted by the agent it is offered to; returns the
/// conversations routed per second.
fn route(router: &mut Router, count: usize) -> f64 {
    let started = Instant::now();
    for n in 0..count {
        let now = 1_000_000 + n as u64;
        let mut fx = Effects::default();
        let request = ChatRequest {
            widget: "site",
            customer: Customer {
                name: format!("Customer {n}"),
                email: None,
                phone: None,
            },
            first_message: "Hello",
            context: Vec::new(),
            contact: None,
            customer_id: None,
            proactive: false,
            client: Some(std::net::IpAddr::from([10, 0, (n >> 8) as u8, n as u8])),
            language: None,
        };
        let conversation = ConversationId(format!("c{n}"));
        router
            .start_chat(conversation, "token", "hash".into(), request, now, &mut fx)
            .expect("a chat starts");
        let offered = fx.emits.iter().find_map(|emit| match emit {
            Emit::Agent(agent, AgentEvent::Offer { offer }) => {
                Some((agent.clone(), offer.conversation.clone()))
            }
            _ => None,
        });
        let (agent, conversation) = offered.expect("a free agent is offered the chat");
        let mut fx = Effects::default();
        router
            .accept(&agent, &conversation, now, &mut fx)
            .expect("the offer is accepted");
    }
    count as f64 / started.elapsed().as_secs_f64()
}

fn main() {
    let mut rates = Vec::new();
    for agents in [500, 6_000] {
        let mut router = router(agents);
        let rate = route(&mut router, agents * CONVERSATIONS_PER_AGENT);
        // The first tick finds every agent's sign-in grace period met: not what a tick costs.
        router.tick(1_999_999, &mut Effects::default());
        let started = Instant::now();
        let ticks = 100;
        for n in 0..ticks {
            router.tick(2_000_000 + n, &mut Effects::default());
        }
        let tick = started.elapsed().as_secs_f64() / ticks as f64;
        println!(
            "{agents} agents: {rate:.0} conversations routed per second; a tick with {} conversations \
             held takes {:.1} µs",
            agents * CONVERSATIONS_PER_AGENT,
            tick * 1e6
        );
        rates.push(rate);
    }
    println!(
        "routing rate with 500 agents ÷ with 6,000: {:.2}",
        rates[0] / rates[1]
    );
}
