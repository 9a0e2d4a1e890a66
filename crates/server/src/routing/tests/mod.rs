//! Routing rules, driven directly with a chosen clock: the helpers every file of tests shares,
//! and one file of tests per concept of routing.

mod abandoned;
mod accounts;
mod admission;
mod dispatch;
mod ending;
mod handover;
mod intake;
mod notes;
mod presence;
mod queues;
mod receipts;
mod reconfigure;
mod roles;
mod templates;
mod thread;
mod time;
mod typing;
mod work;

use std::sync::Arc;

use switchboard_protocol::agent::{
    AgentEvent, Customer, InteractionState, PresenceRequest, Scenario, WithdrawReason,
};
use switchboard_protocol::customer::CustomerEvent;
use switchboard_protocol::{
    AgentId, Channel, ConversationId, EndedBy, ErrorCode, Presence, Sender,
};

use super::{AgentRecord, ChannelAddress, Status};
use super::{
    CUSTOMER_ENDED, ChatRequest, ContactKey, Effects, Emit, Intake, Router, SignedInCustomer,
    StartChat,
};
use super::{Errand, Inbound, Outbound};
use crate::config::Config;

const CONFIG: &str = r#"
    wrap_up_reasons = ["Resolved", "Follow-up"]
    idle_reasons = ["Lunch"]
    [server]
    presence_grace_seconds = 60
    [[queues]]
    id = "general"
    name = "General"
    [[queues]]
    id = "billing"
    name = "Billing"
    escalation = true
    [workstreams.chat]
    offer_timeout_seconds = 20
    [agents]
    default_capacity = 2
    [[widgets]]
    id = "site"
    queue = "general"
"#;

fn agent(id: &str) -> AgentRecord {
    AgentRecord {
        id: AgentId::from(id),
        email: format!("{id}@example.com"),
        name: id.to_uppercase(),
        password_hash: String::new(),
        queues: vec!["general".into()],
        capacity: None,
        presence: Presence::Offline,
        presence_since: 0,
        role: Default::default(),
    }
}

/// A router with the given agents connected and Available, in that order of idleness.
fn router(agents: &[&str]) -> Router {
    router_with("", agents)
}

/// [`router`] with `extra` appended to the configuration.
fn router_with(extra: &str, agents: &[&str]) -> Router {
    let config = Arc::new(Config::parse(&format!("{CONFIG}\n{extra}")).unwrap());
    let mut router = Router::new(
        config,
        agents.iter().map(|id| agent(id)).collect(),
        Vec::new(),
        Vec::new(),
        0,
    );
    for (i, id) in agents.iter().enumerate() {
        let id = AgentId::from(*id);
        let mut fx = Effects::default();
        router.agent_connected(&id, true, i as u64, &mut fx);
        router
            .set_presence(&id, PresenceRequest::Available, i as u64, &mut fx)
            .unwrap();
    }
    router
}

fn start(router: &mut Router, id: &str, now: u64) -> Effects {
    let mut fx = Effects::default();
    start_from(router, id, None, now, &mut fx).unwrap();
    fx
}

/// A chat started on the site's widget from the address `client`.
fn start_from(
    router: &mut Router,
    id: &str,
    client: Option<&str>,
    now: u64,
    fx: &mut Effects,
) -> Result<(), switchboard_protocol::ErrorBody> {
    let customer = Customer {
        name: "Zoë".into(),
        email: None,
        phone: None,
    };
    router.start_chat(
        ConversationId::from(id),
        "token",
        "hash".into(),
        ChatRequest {
            widget: "site",
            customer,
            first_message: "Hello",
            context: Vec::new(),
            contact: None,
            customer_id: None,
            proactive: false,
            client: client.map(|address| address.parse().unwrap()),
            language: None,
        },
        now,
        fx,
    )
}

fn offers(fx: &Effects) -> Vec<(String, String)> {
    fx.emits
        .iter()
        .filter_map(|emit| match emit {
            Emit::Agent(agent, AgentEvent::Offer { offer }) => {
                Some((agent.0.clone(), offer.conversation.0.clone()))
            }
            _ => None,
        })
        .collect()
}

fn agent_events(fx: &Effects, id: &str) -> Vec<AgentEvent> {
    fx.emits
        .iter()
        .filter_map(|emit| match emit {
            Emit::Agent(agent, event) if agent.0 == id => Some(event.clone()),
            _ => None,
        })
        .collect()
}

/// `agent` accepts conversation `conversation`: the snapshot they get.
fn accepted(
    router: &mut Router,
    agent: &str,
    conversation: &str,
    now: u64,
) -> switchboard_protocol::agent::ConversationSnapshot {
    let mut fx = Effects::default();
    router
        .accept(&agent.into(), &id(conversation), now, &mut fx)
        .unwrap();
    match agent_events(&fx, agent).pop() {
        Some(AgentEvent::Snapshot { conversation }) => conversation,
        other => panic!("a snapshot, not {other:?}"),
    }
}

fn customer_events(fx: &Effects) -> Vec<CustomerEvent> {
    fx.emits
        .iter()
        .filter_map(|emit| match emit {
            Emit::Customer(_, event) => Some(event.clone()),
            _ => None,
        })
        .collect()
}

fn id(text: &str) -> ConversationId {
    ConversationId::from(text)
}
