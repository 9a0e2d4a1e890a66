//! PostgreSQL restarted under a running server: while it is down, what was taken waits (nothing
//! is delivered before it is stored) and what comes next is refused with `unavailable`, `/readyz`
//! says so, and afterwards every message arrives exactly once, in order.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use support::{Agent, Server, accepted_chat, config};
use switchboard_protocol::ErrorCode;
use switchboard_protocol::agent::{AgentCommand, AgentEvent, Outcome};
use switchboard_testkit::postgres::Cluster;

// The server starts (blocking a thread) while the test's tasks run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_postgres_is_down_new_work_is_refused_and_nothing_is_lost() {
    let cluster = Cluster::own();
    let url = cluster.database();
    let server = Server::start_exactly(
        &format!("{}\n[store]\nurl = \"{url}\"\n", config(30, 60)),
        None,
    );
    let (mut ann, zoe, _) = accepted_chat(&server).await;
    let stop = Arc::new(AtomicBool::new(false));
    let sender = support::keep_writing(zoe, Duration::from_millis(50), stop.clone());
    let mut bo = Agent::sign_in(&server, "bo@example.com").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let cluster = Arc::new(cluster);
    let stopping = cluster.clone();
    tokio::task::spawn_blocking(move || stopping.stop())
        .await
        .unwrap();
    // Once the server has seen it down (a commit failed, or its probe), /readyz says so and new
    // work is refused at once.
    while support::readiness(&server).await.0 != 503 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    match bo.command(AgentCommand::ListQueues).await {
        Outcome::Error { error } => assert_eq!(error.code, ErrorCode::Unavailable, "{error:?}"),
        outcome => panic!("taken while PostgreSQL was down: {outcome:?}"),
    }
    let starting = cluster.clone();
    tokio::task::spawn_blocking(move || starting.start_again())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    let (sent, refused) = sender.await.unwrap();
    assert!(sent > 5, "{sent} messages");
    println!("{refused} messages refused while PostgreSQL was down, and sent again");
    assert!(
        matches!(
            bo.command(AgentCommand::ListQueues).await,
            Outcome::Ok { .. }
        ),
        "work is taken again"
    );
    // `Agent` fails on a gap or a repeat.
    for n in 1..=sent {
        let expected = format!("message {n}");
        ann.expect(|e| matches!(e, AgentEvent::Message { message } if message.text == expected))
            .await;
    }
    assert_eq!(support::readiness(&server).await.0, 200, "ready again");
}
