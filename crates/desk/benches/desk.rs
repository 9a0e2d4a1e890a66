//! How fast an incoming request becomes a notification value: from a customer starting a chat to
//! the desk's `Update::Notify`, through a real server on loopback (so the figure includes the
//! server's routing and the network hop). Prints percentiles; asserts nothing.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::Instant;

use support::{Customer, Server, config, next_update};
use switchboard_desk::{Answer, Update};
use switchboard_protocol::agent::PresenceRequest;

const SAMPLES: usize = 300;

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = Server::start(&config(30, 60));
    runtime.block_on(async {
        let desk = server.desk("ann@example.com").await;
        support::eventually(&desk, "the profile", |s| !s.profile.idle_reasons.is_empty()).await;
        desk.set_presence(PresenceRequest::Available).await.unwrap();
        let mut updates = desk.updates();
        let mut micros = Vec::with_capacity(SAMPLES);
        for n in 0..SAMPLES {
            let mut customer = Customer::connect(&server, None).await;
            let greeting = format!("Hello {n}");
            let started = Instant::now();
            let start = customer.start_chat("Zoë", &greeting);
            let (_, conversation) = tokio::join!(start, next_update(&mut updates, |u| match u {
                Update::Notify { notification } => Some(notification.conversation.clone()),
                _ => None,
            }));
            micros.push(started.elapsed().as_micros() as u64);
            // Rejected requests wait for another agent: the next one reaches this desk at once.
            desk.answer(&conversation, Answer::Reject).await.unwrap();
        }
        micros.sort_unstable();
        let at = |q: f64| micros[((micros.len() - 1) as f64 * q) as usize] as f64 / 1000.0;
        println!(
            "customer starts a chat → alert value ready at the desk: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({SAMPLES} samples)",
            at(0.5),
            at(0.99),
            at(1.0)
        );
    });
}
