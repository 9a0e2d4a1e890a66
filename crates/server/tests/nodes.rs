//! Several server nodes on one PostgreSQL database: one routes, the others stand by; when the
//! routing node dies another takes over, and a node that has been replaced commits nothing.

mod support;

use std::time::{Duration, Instant};

use support::balancer::Balancer;
use support::{Agent, Customer, Server, accepted_chat, config, readiness};
use switchboard_protocol::ConversationId;
use switchboard_protocol::agent::{AgentCommand, AgentEvent, Outcome};
use switchboard_protocol::customer::{CustomerCommand, CustomerEvent};
use switchboard_testkit::ServerAddress;
use switchboard_testkit::postgres;

/// Two nodes of one configuration storing in one new database; `a` routes.
async fn two_nodes() -> (Server, Server, String) {
    let (url, database) = postgres::database();
    let config = format!("{}\n[store]\nurl = \"{url}\"\n", config(30, 60));
    let a = Server::start_node(&config, Some(database.clone()), Some("a"));
    assert_eq!(readiness(&a).await, (200, "ready: routing".into()));
    let b = Server::start_node(&config, Some(database.clone()), Some("b"));
    (a, b, database)
}

/// Ann has accepted Zoë's chat at `server`, and read her "before".
async fn chatting(server: &impl ServerAddress) -> (Agent, Customer, ConversationId) {
    let (mut ann, mut zoe, conversation) = accepted_chat(server).await;
    zoe.say("before").await;
    ann.expect(|e| matches!(e, AgentEvent::Message { message } if message.text == "before"))
        .await;
    (ann, zoe, conversation)
}

/// How long after `since` `server` says it is ready (it routes).
async fn ready_after(server: &impl ServerAddress, since: Instant) -> Duration {
    while readiness(server).await.0 != 200 {
        assert!(
            since.elapsed() < switchboard_testkit::PATIENCE,
            "no node took over"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    since.elapsed()
}

/// Ann's desktop and Zoë's widget resume at `server` from where they stood, and the conversation
/// goes on both ways.
async fn resume_and_go_on(
    server: &impl ServerAddress,
    (token, seen): (&str, u64),
    customer: (&str, u64),
    conversation: ConversationId,
) {
    let mut ann = Agent::connect(server, token, Some(seen)).await;
    let mut zoe = Customer::connect(server, Some(customer)).await;
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

    let (ann, zoe, conversation) = chatting(&a).await;
    let (token, seen) = (ann.token.clone(), ann.last_seq);
    let customer = (zoe.token.clone().unwrap(), zoe.last_seq);

    a.kill();
    let took_over = ready_after(&b, Instant::now()).await;
    println!(
        "node b routes {} ms after node a was killed",
        took_over.as_millis()
    );
    assert!(took_over < Duration::from_secs(5), "{took_over:?}");

    // The desktop and the widget resume on the new routing node, by sequence number.
    resume_and_go_on(&b, (&token, seen), (&customer.0, customer.1), conversation).await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_behind_a_load_balancer_reach_whichever_node_routes() {
    let (mut a, b, _) = two_nodes().await;
    // The node standing by first: nginx passes on from its 503s.
    let balancer = Balancer::start(&[&b.address, &a.address]);
    let (mut ann, zoe, conversation) = chatting(&balancer).await;
    let (token, seen) = (ann.token.clone(), ann.last_seq);
    let customer = (zoe.token.clone().unwrap(), zoe.last_seq);

    a.kill();
    assert!(
        ann.closed_by_server().await,
        "the routing node's sockets end with it"
    );
    // The same address, once a node routes again.
    ready_after(&balancer, Instant::now()).await;
    resume_and_go_on(
        &balancer,
        (&token, seen),
        (&customer.0, customer.1),
        conversation,
    )
    .await;
    drop(b);
}
