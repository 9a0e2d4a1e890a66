//! PostgreSQL restarted under a running server: steps wait while it is down (nothing delivered
//! before it is stored), `/readyz` says so, and afterwards every message arrives exactly once, in
//! order.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use support::{Server, accepted_chat, config};
use switchboard_protocol::agent::AgentEvent;
use switchboard_testkit::postgres::Cluster;

// The server starts (blocking a thread) while the test's tasks run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_restart_delays_storage_and_loses_nothing() {
    let cluster = Cluster::own();
    let url = cluster.database();
    let server = Server::start_exactly(
        &format!("{}\n[store]\nurl = \"{url}\"\n", config(30, 60)),
        None,
    );
    let (mut ann, mut zoe, _) = accepted_chat(&server).await;
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = stop.clone();
    let sender = tokio::spawn(async move {
        let mut sent = 0;
        while !stopped.load(Ordering::Relaxed) {
            sent += 1;
            zoe.say(&format!("message {sent}")).await;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        sent
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    // The probe runs every 2 s: watch for it while PostgreSQL is down.
    let watching = tokio::spawn({
        let address = server.url("/readyz");
        async move {
            let mut seen_unready = false;
            for _ in 0..60 {
                let status = reqwest::get(&address).await.map(|r| r.status().as_u16());
                seen_unready |= status.is_ok_and(|s| s == 503);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            seen_unready
        }
    });
    // Kept until the end of the test: dropped, the cluster stops.
    let _cluster = tokio::task::spawn_blocking(move || {
        cluster.restart();
        cluster
    })
    .await
    .unwrap();
    let seen_unready = watching.await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    let sent = sender.await.unwrap();
    assert!(sent > 5, "{sent} messages");
    // `Agent` fails on a gap or a repeat.
    for n in 1..=sent {
        let expected = format!("message {n}");
        ann.expect(|e| matches!(e, AgentEvent::Message { message } if message.text == expected))
            .await;
    }
    assert!(seen_unready, "/readyz said PostgreSQL was down");
    assert_eq!(support::readiness(&server).await.0, 200, "ready again");
}
