//! Several server nodes on one PostgreSQL database: one routes, the others stand by; when the
//! routing node dies another takes over, and a node that has been replaced commits nothing.

mod support;

use std::time::{Duration, Instant};

use support::{Agent, Customer, Server, accepted_chat, config};
use switchboard_protocol::agent::{AgentCommand, AgentEvent, Outcome};
use switchboard_protocol::customer::{CustomerCommand, CustomerEvent};
use switchboard_testkit::postgres;

async fn readiness(server: &Server) -> (u16, String) {
    let response = reqwest::get(server.url("/readyz")).await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Two nodes of one configuration storing in one new database; `a` routes.
async fn two_nodes() -> (Server, Server, String) {
    let (url, database) = postgres::database();
    let config = format!("{}\n[store]\nurl = \"{url}\"\n", config(30, 60));
    let a = Server::start_node(&config, Some(database.clone()), Some("a"));
    assert_eq!(readiness(&a).await, (200, "ready: routing".into()));
    let b = Server::start_node(&config, Some(database.clone()), Some("b"));
    (a, b, database)
}

// Servers start (blocking a thread) while the test's tasks run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_routing_node_dies_another_takes_over_and_clients_resume_there() {
    let (mut a, b, _) = two_nodes().await;
    let (status, message) = readiness(&b).await;
    assert_eq!(status, 503);
    assert!(message.contains("node a"), "{message}");
    let refused = reqwest::Client::new()
        .post(b.url("/api/v1/agent/login"))
        .json(&serde_json::json!({ "email": "ann@example.com", "password": support::PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 503, "a node standing by serves no one");

    let (mut ann, mut zoe, conversation) = accepted_chat(&a).await;
    zoe.say("before").await;
    ann.expect(|e| matches!(e, AgentEvent::Message { message } if message.text == "before"))
        .await;
    let (token, seen) = (ann.token.clone(), ann.last_seq);
    let customer = (zoe.token.clone().unwrap(), zoe.last_seq);

    a.kill();
    let killed = Instant::now();
    while readiness(&b).await.0 != 200 {
        assert!(
            killed.elapsed() < switchboard_testkit::PATIENCE,
            "node b never took over"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let took_over = killed.elapsed();
    println!(
        "node b routes {} ms after node a was killed",
        took_over.as_millis()
    );
    assert!(took_over < Duration::from_secs(5), "{took_over:?}");

    // The desktop and the widget resume on the new routing node, by sequence number.
    let mut ann = Agent::connect(&b, &token, Some(seen)).await;
    let mut zoe = Customer::connect(&b, Some((&customer.0, customer.1))).await;
    zoe.say("after").await;
    ann.expect(|e| matches!(e, AgentEvent::Message { message } if message.text == "after"))
        .await;
    let reply = AgentCommand::SendMessage {
        conversation,
        text: "Still here".into(),
    };
    assert!(matches!(ann.command(reply).await, Outcome::Ok { .. }));
    zoe.expect(|e| matches!(e, CustomerEvent::Message { message } if message.text == "Still here"))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_that_has_been_replaced_commits_nothing_and_stops() {
    let (mut a, _b, database) = two_nodes().await;
    let (mut ann, mut zoe, _) = accepted_chat(&a).await;
    // Another node takes over behind node a's back (as after a partition that outlasted its
    // lease): the term is no longer a's.
    postgres::execute(
        &database,
        "UPDATE leadership SET term = term + 1, node = 'c', expires_at = now() + interval '1 hour'",
    );
    let said = tokio::spawn(async move {
        zoe.command(CustomerCommand::SendMessage {
            text: "Hello?".into(),
        })
        .await
    });
    let status = a
        .exit_within(switchboard_testkit::PATIENCE)
        .expect("node a stops by itself");
    assert!(!status.success(), "{status:?}");
    assert!(said.await.is_err(), "the message is never acknowledged");
    assert!(ann.closed_by_server().await);
    assert_eq!(
        postgres::execute(&database, "SELECT count(*) FROM messages"),
        "1\n",
        "only the first message is stored"
    );
}
