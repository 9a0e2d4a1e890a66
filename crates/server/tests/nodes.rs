//! Several server nodes on one PostgreSQL database: one routes, the others serve their clients
//! through it; when the routing node dies another takes over, when another node dies its
//! clients go on elsewhere, and a node that has been replaced commits nothing. Settings changed
//! through any node apply on every node.

mod support;

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
use support::{AdminApi, Agent, Customer, Server, accepted_chat, config, readiness};
use switchboard_protocol::ConversationId;
use switchboard_protocol::agent::{AgentCommand, AgentEvent, Outcome};
use switchboard_protocol::customer::{CustomerCommand, CustomerEvent, CustomerOutcome};
use switchboard_testkit::ServerAddress;
use switchboard_testkit::balancer::Balancer;
use switchboard_testkit::postgres;

/// Nodes of one configuration storing in one new database, started in turn: the first routes,
/// the others forward to it.
async fn nodes<const N: usize>(names: [&str; N]) -> ([Server; N], String) {
    let (url, database) = postgres::database();
    let config = format!("{}\n[store]\nurl = \"{url}\"\n", config(30, 60));
    let mut started = Vec::new();
    for name in names {
        let node = Server::start_node(&config, Some(database.clone()), Some(name));
        let expected = match started.is_empty() {
            true => "ready: routing".to_owned(),
            false => format!("ready: forwarding to node {}, which routes", names[0]),
        };
        assert_eq!(readiness(&node).await, (200, expected));
        started.push(node);
    }
    let Ok(nodes) = started.try_into() else {
        unreachable!()
    };
    (nodes, database)
}

/// Ann has accepted Zoë's chat, Ann at `ann_at` and Zoë at `zoe_at`, and read her "before".
async fn chatting(
    ann_at: &impl ServerAddress,
    zoe_at: &impl ServerAddress,
) -> (Agent, Customer, ConversationId) {
    let mut ann = support::available_agent(ann_at, "ann@example.com").await;
    let mut zoe = Customer::start(zoe_at, "Zoë", "Hello").await;
    let conversation = support::accept_offer(&mut ann).await.id;
    zoe.say("before").await;
    ann.expect(|e| matches!(e, AgentEvent::Message { message } if message.text == "before"))
        .await;
    (ann, zoe, conversation)
}

/// How long after `since` `server` says it routes.
async fn routes_after(server: &impl ServerAddress, since: Instant) -> Duration {
    while readiness(server).await != (200, "ready: routing".into()) {
        assert!(
            since.elapsed() < switchboard_testkit::PATIENCE,
            "no node took over"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    since.elapsed()
}

/// Ann's desktop (at `ann_at`) and Zoë's widget (at `zoe_at`) resume from where they stood,
/// and the conversation goes on both ways.
async fn resume_and_go_on(
    (ann_at, token, seen): (&impl ServerAddress, &str, u64),
    (zoe_at, customer, customer_seen): (&impl ServerAddress, &str, u64),
    conversation: ConversationId,
) {
    let mut ann = Agent::connect(ann_at, token, Some(seen)).await;
    let mut zoe = Customer::connect(zoe_at, Some((customer, customer_seen))).await;
    zoe.say("after").await;
    ann.expect(|e| matches!(e, AgentEvent::Message { message } if message.text == "after"))
        .await;
    let reply = AgentCommand::SendMessage {
        conversation,
        text: "Still here".into(),
        files: Vec::new(),
    };
    assert!(matches!(ann.command(reply).await, Outcome::Ok { .. }));
    zoe.expect(|e| matches!(e, CustomerEvent::Message { message } if message.text == "Still here"))
        .await;
}

// Servers start (blocking a thread) while the test's tasks run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_node_serves_and_a_conversation_crosses_them() {
    let ([a, b, c], database) = nodes(["a", "b", "c"]).await;
    // Ann at b, Bo at c, Zoë at a: a conference, then a transfer, across the three.
    support::handover::conference_then_transfer(&b, &c, &a).await;

    // The routing node gives back the room of the requests it took, without waiting for
    // autovacuum (which would count as `autovacuum_count`).
    let started = Instant::now();
    let reclaimed = "SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'forwarded'";
    while postgres::execute(&database, reclaimed).trim() == "0" {
        assert!(
            started.elapsed() < switchboard_testkit::PATIENCE,
            "the room of forwarded requests is never given back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The admin command, run on a node that does not route, acts through the one that does:
    // Ann's desktop at another node is signed out.
    let mut ann = Agent::sign_in(&c, "ann@example.com").await;
    let (signed_out, printed) = support::run_command(&[
        "agent".as_ref(),
        "sign-out".as_ref(),
        "--email".as_ref(),
        "ann@example.com".as_ref(),
        "--config".as_ref(),
        b.dir.path().join("config.toml").as_os_str(),
    ]);
    assert!(signed_out, "{printed}");
    assert!(printed.contains("their desktop is signed out"), "{printed}");
    assert!(
        ann.closed_by_server().await,
        "Ann's desktop at c is signed out"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_routing_node_dies_another_takes_over_and_clients_resume_there() {
    let ([mut a, b], _) = nodes(["a", "b"]).await;
    let (mut ann, zoe, conversation) = chatting(&b, &a).await;
    let (token, seen) = (ann.token.clone(), ann.last_seq);
    let customer = (zoe.token.clone().unwrap(), zoe.last_seq);

    a.kill();
    let took_over = routes_after(&b, Instant::now()).await;
    println!(
        "node b routes {} ms after node a was killed",
        took_over.as_millis()
    );
    assert!(took_over < Duration::from_secs(5), "{took_over:?}");
    assert!(
        ann.closed_by_server().await,
        "node b closed the connections it served through node a"
    );

    // The desktop and the widget resume on the new routing node, by sequence number.
    resume_and_go_on(
        (&b, &token, seen),
        (&b, &customer.0, customer.1),
        conversation,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_a_node_that_does_not_route_dies_its_clients_resume_on_another() {
    let ([a, b, mut c], _) = nodes(["a", "b", "c"]).await;
    let (mut ann, zoe, conversation) = chatting(&b, &c).await;
    let customer = (zoe.token.clone().unwrap(), zoe.last_seq);

    c.kill();
    // While Zoë is away, Ann writes: it waits in the outbox.
    let away = AgentCommand::SendMessage {
        conversation: conversation.clone(),
        text: "Are you there?".into(),
        files: Vec::new(),
    };
    assert!(matches!(ann.command(away).await, Outcome::Ok { .. }));
    let mut zoe = Customer::connect(&a, Some((&customer.0, customer.1))).await;
    zoe.expect(
        |e| matches!(e, CustomerEvent::Message { message } if message.text == "Are you there?"),
    )
    .await;
    zoe.say("Yes").await;
    ann.expect(|e| matches!(e, AgentEvent::Message { message } if message.text == "Yes"))
        .await;
    assert_eq!(readiness(&a).await, (200, "ready: routing".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_that_has_been_replaced_commits_nothing_and_stops() {
    let ([mut a, _b], database) = nodes(["a", "b"]).await;
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
            files: Vec::new(),
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
async fn clients_behind_a_load_balancer_go_on_when_the_routing_node_dies() {
    let ([mut a, b], _) = nodes(["a", "b"]).await;
    let balancer = Balancer::start(&[&b.address, &a.address]);
    let (mut ann, zoe, conversation) = chatting(&balancer, &balancer).await;
    let (token, seen) = (ann.token.clone(), ann.last_seq);
    let customer = (zoe.token.clone().unwrap(), zoe.last_seq);

    a.kill();
    assert!(ann.closed_by_server().await, "the desktop's socket ends");
    // The same address, once a node routes again.
    routes_after(&b, Instant::now()).await;
    resume_and_go_on(
        (&balancer, &token, seen),
        (&balancer, &customer.0, customer.1),
        conversation,
    )
    .await;
}

/// Asks `server` for `path` until `done` holds for its answer.
async fn until(admin: &AdminApi<'_>, path: &str, done: impl Fn(&Value) -> bool) -> Value {
    let since = Instant::now();
    loop {
        let (_, answer) = admin.call(Method::GET, path, None).await;
        if done(&answer) {
            return answer;
        }
        assert!(
            since.elapsed() < switchboard_testkit::PATIENCE,
            "{path}: {answer}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn ids(list: &Value) -> Vec<&str> {
    let list = list.as_array().map(Vec::as_slice).unwrap_or_default();
    list.iter().filter_map(|item| item["id"].as_str()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_changed_on_any_node_apply_on_every_node_and_outlive_the_routing_node() {
    let ([mut a, b, c], _) = nodes(["a", "b", "c"]).await;
    let (at_a, at_b, at_c) = (AdminApi::new(&a), AdminApi::new(&b), AdminApi::new(&c));
    let mut ann = Agent::sign_in(&a, "ann@example.com").await;
    ann.expect(|e| matches!(e, AgentEvent::Profile { .. }))
        .await;

    // Changed at b, the profile reaches Ann's desktop at a, the routing node, at once.
    let profile =
        json!({ "masking": true, "theme": "light", "alert_seconds": 45, "toast_seconds": 5 });
    let (status, saved) = at_b
        .call(Method::PUT, "/api/v1/admin/profile", Some(profile))
        .await;
    assert_eq!(status, 200, "{saved}");
    let profile = ann.next_profile().await;
    assert_eq!((profile.alert_seconds, profile.toast_seconds), (45, 5));

    // Queues added at b and at c at the same time: none is lost.
    let (to_b, to_c) = (&at_b, &at_c);
    let added = (1..=8).map(|n| async move {
        let at = if n % 2 == 0 { to_b } else { to_c };
        let body = json!({ "name": format!("Queue {n}") });
        let path = format!("/api/v1/admin/queues/q{n}");
        at.call(Method::PUT, &path, Some(body)).await
    });
    for (status, saved) in futures_util::future::join_all(added).await {
        assert_eq!(status, 200, "{saved}");
    }
    let shop = json!({ "queue": "q1" });
    let (status, saved) = at_c
        .call(Method::PUT, "/api/v1/admin/widgets/shop", Some(shop))
        .await;
    assert_eq!(status, 200, "{saved}");
    // Every node's handlers take them.
    for admin in [&at_a, &at_b, &at_c] {
        let queues = until(admin, "/api/v1/admin/queues", |q| ids(q).len() == 9).await;
        assert_eq!(ids(&queues)[0], "general");
        until(admin, "/api/v1/admin/widgets", |w| {
            ids(w) == ["website", "shop"]
        })
        .await;
    }

    // A node that does not route reads its file again on SIGHUP (and keeps serving).
    let file = std::fs::read_to_string(c.config_file()).unwrap();
    let sales = "[[queues]]\nid = \"sales\"\nname = \"Sales\"\n[workstreams.chat]";
    std::fs::write(c.config_file(), file.replace("[workstreams.chat]", sales)).unwrap();
    c.hang_up();
    until(&at_c, "/api/v1/admin/queues", |q| ids(q).contains(&"sales")).await;

    // The routing node dies: the node routing next has every change, and c keeps its file's.
    a.kill();
    routes_after(&b, Instant::now()).await;
    let following_b = (200, "ready: forwarding to node b, which routes".to_owned());
    while readiness(&c).await != following_b {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The node's admin token is the one it had: its operator's scripts go on.
    until(&at_c, "/api/v1/admin/queues", |q| {
        ids(q).contains(&"sales") && ids(q).contains(&"q8")
    })
    .await;
    let mut visitor = Customer::connect(&c, None).await;
    let start = CustomerCommand::StartChat {
        widget: "shop".into(),
        name: "Zoë".into(),
        email: None,
        message: "Hello".into(),
        context: Default::default(),
        customer_token: None,
        proactive: false,
        language: None,
    };
    assert_eq!(
        visitor.command(start).await,
        CustomerOutcome::Ok,
        "b routes the widget's chats"
    );
}
