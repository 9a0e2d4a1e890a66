//! The core alone, without a server: how long a received event frame takes to become a
//! notification value, and how much memory the desk keeps per open conversation with a
//! 200-message history. Prints figures; asserts nothing.

use std::alloc::System;
use std::time::Instant;

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

use switchboard_desk::{Model, Update};
use switchboard_protocol::agent::{
    AgentEvent, AgentServerFrame, AgentSummary, ConversationSnapshot, Customer, InteractionState,
    NamedContextValue, Offer, QueueSummary, Scenario,
};
use switchboard_protocol::{AgentId, Channel, ChatMessage, ContextValue, ConversationId, Sender};

/// Counts allocations, so the model's share can be read off before and after.
#[global_allocator]
static ALLOCATOR: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const NOW: u64 = 1_800_000_000_000;
const LATENCY_SAMPLES: usize = 20_000;
const HISTORY: usize = 200;
const OPEN_CONVERSATIONS: usize = 50;

fn agent() -> AgentSummary {
    AgentSummary {
        id: AgentId::from("ann"),
        name: "Ann Agent".into(),
        email: "ann@example.com".into(),
        role: Default::default(),
    }
}

fn queue() -> QueueSummary {
    QueueSummary {
        id: "general".into(),
        name: "General enquiries".into(),
        escalation: false,
    }
}

fn offer_frame(n: usize) -> String {
    let event = AgentEvent::Offer {
        offer: Offer {
            conversation: ConversationId(format!("offer-{n}")),
            channel: Channel::Chat,
            scenario: Scenario::IncomingChat,
            customer_name: "Zoë Novák".into(),
            comment: format!("Hi, my card 4111 1111 1111 1111 was charged twice (order {n})"),
            queue: queue(),
            waiting_since: NOW - 4_000,
            expires_at: NOW + 30_000,
            proactive: false,
            context: Vec::new(),
        },
    };
    serde_json::to_string(&AgentServerFrame::Event {
        seq: n as u64 + 1,
        event,
    })
    .unwrap()
}

/// A conversation as the server sends it on accept: 200 messages of typical chat length,
/// alternating customer and agent, some carrying data the masker hides.
fn snapshot(n: usize) -> AgentEvent {
    let id = ConversationId(format!("conversation-{n}"));
    let history = (0..HISTORY)
        .map(|i| ChatMessage {
            id: i as u64 + 1,
            conversation: id.clone(),
            from: if i % 2 == 0 {
                Sender::Customer {
                    name: "Zoë Novák".into(),
                }
            } else {
                Sender::Agent {
                    agent: AgentId::from("ann"),
                    name: "Ann Agent".into(),
                }
            },
            text: if i % 10 == 0 {
                format!("My IBAN is DE89 3704 0044 0532 0130 00 and my e-mail zoe{i}@example.com")
            } else {
                format!("Message {i}: thanks, could you check the delivery date for my order?")
            },
            sent_at: NOW + i as u64 * 1_000,
            attachments: Vec::new(),
        })
        .collect();
    AgentEvent::Snapshot {
        conversation: ConversationSnapshot {
            id,
            channel: Channel::Chat,
            queue: queue(),
            customer: Customer {
                name: "Zoë Novák".into(),
                email: Some("zoe@example.com".into()),
                phone: None,
            },
            state: InteractionState::Active,
            proactive: false,
            persistent: false,
            started_at: NOW,
            accepted_at: Some(NOW),
            history,
            context: vec![NamedContextValue {
                name: "Order".into(),
                value: ContextValue {
                    value: "A-1042".into(),
                    displayable: true,
                },
            }],
            contact: None,
            receipts: Default::default(),
            language: None,
        },
    }
}

fn notification_latency() {
    let mut model = Model::new(agent());
    let frames: Vec<String> = (0..LATENCY_SAMPLES).map(offer_frame).collect();
    let mut nanos = Vec::with_capacity(LATENCY_SAMPLES);
    for frame in &frames {
        let started = Instant::now();
        let AgentServerFrame::Event { event, .. } = serde_json::from_str(frame).unwrap() else {
            unreachable!("offer frames are events")
        };
        let updates = model.apply(event, NOW);
        let notified = updates
            .iter()
            .any(|update| matches!(update, Update::Notify { .. }));
        nanos.push(started.elapsed().as_nanos() as u64);
        assert!(notified, "an offer makes an alert");
    }
    nanos.sort_unstable();
    let at = |q: f64| nanos[((nanos.len() - 1) as f64 * q) as usize] as f64 / 1000.0;
    println!(
        "event frame received → alert value ready (parse, apply, mask): p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs ({LATENCY_SAMPLES} samples)",
        at(0.5),
        at(0.99),
        at(1.0)
    );
}

fn memory_per_conversation() {
    // Counted from before the events exist: what they hand over to the model stays counted,
    // what the model drops is subtracted.
    let region = Region::new(ALLOCATOR);
    let events: Vec<AgentEvent> = (0..OPEN_CONVERSATIONS).map(snapshot).collect();
    let mut model = Model::new(agent());
    for event in events {
        // The updates go to the window and are dropped; what stays is the model.
        drop(model.apply(event, NOW));
    }
    let change = region.change();
    let kept = change.bytes_allocated as isize - change.bytes_deallocated as isize
        + change.bytes_reallocated;
    let view = serde_json::to_vec(&model.snapshot(NOW)).unwrap();
    println!(
        "memory kept by the core per open conversation with {HISTORY} messages: {:.1} KiB ({OPEN_CONVERSATIONS} conversations, {:.1} MiB in all; the window's snapshot of them is {:.1} MiB of JSON)",
        kept as f64 / OPEN_CONVERSATIONS as f64 / 1024.0,
        kept as f64 / 1024.0 / 1024.0,
        view.len() as f64 / 1024.0 / 1024.0
    );
}

fn main() {
    notification_latency();
    memory_per_conversation();
}
