//! Many agents racing for many conversations: none held by two agents, none lost.

mod support;

use std::collections::HashSet;
use std::sync::Arc;

use support::{Agent, Customer, PASSWORD, Server};
use switchboard_protocol::agent::{AgentCommand, AgentEvent, Outcome, PresenceRequest};
use switchboard_protocol::customer::CustomerEvent;
use switchboard_protocol::{ConversationId, EndedBy};
use tokio::sync::Mutex;

const AGENTS: usize = 100;
const CONVERSATIONS: usize = 1000;
/// Customers chatting at the same time.
const CONCURRENT_CUSTOMERS: usize = 100;

fn config() -> String {
    let mut config = support::config(30, 60);
    for n in 0..AGENTS {
        config.push_str(&format!(
            "[[demo_agents]]\nemail = \"agent{n}@example.com\"\nname = \"Agent {n}\"\npassword = \"{PASSWORD}\"\nqueues = [\"general\"]\n"
        ));
    }
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_agents_race_for_a_thousand_conversations() {
    let server = Arc::new(Server::start(&config()));
    let accepted: Arc<Mutex<Vec<ConversationId>>> = Arc::default();
    let (done_tx, done_rx) = tokio::sync::watch::channel(false);

    let mut agents = Vec::new();
    for n in 0..AGENTS {
        let server = server.clone();
        let accepted = accepted.clone();
        let mut done = done_rx.clone();
        agents.push(tokio::spawn(async move {
            let mut agent = Agent::sign_in(&server, &format!("agent{n}@example.com")).await;
            let available = agent
                .command(AgentCommand::SetPresence {
                    presence: PresenceRequest::Available,
                })
                .await;
            assert!(matches!(available, Outcome::Ok { .. }));
            loop {
                let offer = tokio::select! {
                    event = agent.expect(|e| matches!(e, AgentEvent::Offer { .. })) => event,
                    _ = done.wait_for(|done| *done) => return,
                };
                let AgentEvent::Offer { offer } = offer else {
                    unreachable!()
                };
                let id = offer.conversation;
                // Every tenth offer is rejected: it must reach someone else, never be lost.
                if n % 10 == 0 && rand::random_bool(0.5) {
                    let rejected = agent
                        .command(AgentCommand::Reject { conversation: id })
                        .await;
                    assert!(matches!(rejected, Outcome::Ok { .. }), "{rejected:?}");
                    continue;
                }
                let outcome = agent
                    .command(AgentCommand::Accept {
                        conversation: id.clone(),
                    })
                    .await;
                assert!(
                    matches!(outcome, Outcome::Ok { .. }),
                    "an offer made is an offer that can be accepted: {outcome:?}"
                );
                accepted.lock().await.push(id.clone());
                let end = AgentCommand::End {
                    conversation: id,
                    wrap_up: "Resolved".into(),
                };
                assert!(matches!(agent.command(end).await, Outcome::Ok { .. }));
            }
        }));
    }

    let customers_started = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut customers = Vec::new();
    for _ in 0..CONCURRENT_CUSTOMERS {
        let server = server.clone();
        let started = customers_started.clone();
        customers.push(tokio::spawn(async move {
            let mut served = Vec::new();
            while started.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < CONVERSATIONS {
                let mut customer = Customer::start(&server, "Customer", "Hello").await;
                let CustomerEvent::Started { conversation, .. } = customer
                    .expect(|e| matches!(e, CustomerEvent::Started { .. }))
                    .await
                else {
                    unreachable!()
                };
                customer
                    .expect(|e| matches!(e, CustomerEvent::AgentJoined { .. }))
                    .await;
                customer
                    .expect(|e| matches!(e, CustomerEvent::Ended { by: EndedBy::Agent }))
                    .await;
                customer.close().await;
                served.push(conversation);
            }
            served
        }));
    }
    let mut served = Vec::new();
    for customer in customers {
        served.extend(customer.await.unwrap());
    }
    done_tx.send(true).unwrap();
    for agent in agents {
        agent.await.unwrap();
    }

    let accepted = accepted.lock().await;
    let unique: HashSet<&ConversationId> = accepted.iter().collect();
    assert_eq!(served.len(), CONVERSATIONS, "every customer was served");
    assert_eq!(
        unique.len(),
        accepted.len(),
        "no conversation was accepted by two agents"
    );
    assert_eq!(
        unique,
        served.iter().collect(),
        "the conversations served are exactly those accepted"
    );
}
