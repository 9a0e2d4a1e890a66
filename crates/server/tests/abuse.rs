//! The public edge against an attacker, on the real binary over loopback: half-sent requests,
//! more sockets than the server takes, clients that stop reading, floods.

mod support;

use std::time::{Duration, Instant};

use support::proxy::Proxy;
use support::{Agent, Customer, Server};
use switchboard_protocol::ErrorCode;
use switchboard_protocol::agent::{AgentCommand, AgentEvent, Outcome, PresenceRequest};
use switchboard_protocol::customer::CustomerEvent;
use switchboard_protocol::customer::{CustomerCommand, CustomerOutcome};
use switchboard_testkit::{config_with_limits, postgres};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Reads until the server closes the connection; says how long that took, or `None` if it was
/// still open after `patience`.
async fn closed_within(stream: &mut TcpStream, patience: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buffer = [0u8; 1024];
    tokio::time::timeout(patience, async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return started.elapsed(),
                Ok(_) => {}
            }
        }
    })
    .await
    .ok()
}

#[tokio::test]
async fn a_half_sent_request_is_closed_after_the_header_timeout() {
    let server = Server::start(&config_with_limits(30, 60, "header_timeout_seconds = 1"));
    let mut stream = TcpStream::connect(&server.address).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: switchboard\r\nX-Slow: ")
        .await
        .unwrap();
    let closed = closed_within(&mut stream, Duration::from_secs(5)).await;
    assert!(
        closed.is_some_and(|after| after >= Duration::from_millis(900)),
        "closed after {closed:?}"
    );
    // A connection that sends nothing at all goes the same way.
    let mut silent = TcpStream::connect(&server.address).await.unwrap();
    assert!(
        closed_within(&mut silent, Duration::from_secs(5))
            .await
            .is_some()
    );
}

/// `GET path` on a connection of its own; the status line and the body.
async fn get(address: &str, path: &str) -> (String, String) {
    let mut stream = TcpStream::connect(address).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: switchboard\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    tokio::time::timeout(Duration::from_secs(2), stream.read_to_string(&mut response))
        .await
        .expect("an answer at once")
        .unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_owned(), body.to_owned())
}

#[tokio::test]
async fn past_the_connection_cap_new_connections_are_told_busy_and_health_checks_still_answer() {
    let server = Server::start(&config_with_limits(30, 60, "max_connections = 20"));
    let mut idle = Vec::new();
    for _ in 0..30 {
        idle.push(TcpStream::connect(&server.address).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(200)).await;

    let (status, body) = get(&server.address, "/healthz").await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(body, "ok");
    let (status, body) = get(&server.address, "/api/v1/widgets/website").await;
    assert_eq!(status, "HTTP/1.1 503 Service Unavailable");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["code"], "busy");

    // Once the idle sockets are gone, the server serves again.
    drop(idle);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, _) = get(&server.address, "/api/v1/widgets/website").await;
    assert_eq!(status, "HTTP/1.1 200 OK");
}

#[tokio::test]
async fn a_customer_that_stops_reading_does_not_hold_a_graceful_shutdown() {
    let mut server = Server::start(&config_with_limits(30, 60, "shutdown_seconds = 2"));
    // Says hello, then never reads nor writes again: its socket is open, its client gone quiet.
    let customer = Customer::connect(&server, None).await;
    assert!(
        server.terminate_within(Duration::from_secs(8)),
        "the server still runs 8 s after SIGTERM"
    );
    drop(customer);
}

/// The code of a refused customer command.
fn refused_code(outcome: &CustomerOutcome) -> Option<ErrorCode> {
    match outcome {
        CustomerOutcome::Error { error } => Some(error.code),
        _ => None,
    }
}

#[tokio::test]
async fn chats_started_from_one_address_past_the_rate_are_refused() {
    let server = Server::start(&config_with_limits(
        30,
        60,
        "chats_per_address_per_minute = 5\nwaiting_per_address = 100",
    ));
    let mut outcomes = Vec::new();
    let mut customers = Vec::new();
    for n in 0..12 {
        let mut customer = Customer::connect(&server, None).await;
        let start =
            switchboard_testkit::start_chat("website", &format!("Flood {n}"), None, "hi", &[]);
        outcomes.push(customer.command(start).await);
        customers.push(customer);
    }
    let accepted = outcomes
        .iter()
        .filter(|o| **o == CustomerOutcome::Ok)
        .count();
    assert_eq!(accepted, 5, "{outcomes:?}");
    assert!(
        outcomes[5..]
            .iter()
            .all(|o| refused_code(o) == Some(ErrorCode::RateLimited))
    );
    let CustomerOutcome::Error { error } = &outcomes[11] else {
        unreachable!()
    };
    assert!(error.message.contains("try again in"), "{}", error.message);

    // A refused customer has no chat: there is nothing to write in.
    let refused = customers.last_mut().unwrap();
    let message = refused
        .command(CustomerCommand::SendMessage {
            text: "hello?".into(),
            files: Vec::new(),
        })
        .await;
    assert!(refused_code(&message).is_some(), "{message:?}");
}

#[tokio::test]
async fn wrong_passwords_for_one_account_are_throttled_while_a_colleague_signs_in_at_once() {
    let server = Server::start(&config_with_limits(
        30,
        60,
        "logins_per_address_per_minute = 1000",
    ));
    let client = reqwest::Client::new();
    let attempt = |email: &'static str, password: &'static str| {
        let client = client.clone();
        let url = server.url("/api/v1/agent/login");
        async move {
            client
                .post(url)
                .json(&serde_json::json!({ "email": email, "password": password }))
                .send()
                .await
                .unwrap()
        }
    };
    let flood: Vec<_> = (0..50)
        .map(|_| tokio::spawn(attempt("ann@example.com", "not-the-password")))
        .collect();
    let started = Instant::now();
    let colleague = attempt("bo@example.com", support::PASSWORD).await;
    let colleague_took = started.elapsed();
    assert_eq!(colleague.status(), 200);
    assert!(
        colleague_took < Duration::from_secs(2),
        "{colleague_took:?}"
    );

    let mut statuses = Vec::new();
    for response in flood {
        let response = response.await.unwrap();
        let status = response.status().as_u16();
        if status == 429 {
            let retry_after: u64 = response.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!(retry_after >= 1);
            let body: serde_json::Value = response.json().await.unwrap();
            assert_eq!(body["code"], "rate_limited");
        }
        statuses.push(status);
    }
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert_eq!(throttled + checked, 50, "{statuses:?}");
    assert!(throttled >= 40, "{statuses:?}");
    // The right password is throttled too until the wait is over: guessing gains nothing.
    assert_eq!(
        attempt("ann@example.com", support::PASSWORD).await.status(),
        429
    );
}

#[tokio::test]
async fn sign_ins_are_limited_per_client_address_as_a_trusted_proxy_names_it() {
    let login = |server: &Server, forwarded_for: &'static str| {
        let request = reqwest::Client::new()
            .post(server.url("/api/v1/agent/login"))
            .header("x-forwarded-for", forwarded_for)
            .json(&serde_json::json!({ "email": "bo@example.com", "password": support::PASSWORD }));
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let proxied = Server::start(&config_with_limits(
        30,
        60,
        "logins_per_address_per_minute = 2\ntrusted_proxies = [\"127.0.0.1\"]",
    ));
    assert_eq!(login(&proxied, "198.51.100.1").await, 200);
    assert_eq!(login(&proxied, "198.51.100.1").await, 200);
    assert_eq!(login(&proxied, "198.51.100.1").await, 429);
    assert_eq!(login(&proxied, "198.51.100.2").await, 200);

    // Without a trusted proxy, what a client writes in the header is not believed.
    let direct = Server::start(&config_with_limits(
        30,
        60,
        "logins_per_address_per_minute = 2",
    ));
    assert_eq!(login(&direct, "198.51.100.1").await, 200);
    assert_eq!(login(&direct, "198.51.100.2").await, 200);
    assert_eq!(login(&direct, "198.51.100.3").await, 429);
}

#[tokio::test]
async fn webhook_calls_past_the_rate_are_answered_429() {
    let server = Server::start(&config_with_limits(
        30,
        60,
        "webhooks_per_address_per_second = 3",
    ));
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let response = client
            .get(server.url("/webhooks/facebook?hub.mode=subscribe"))
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    // Messenger is not configured: the calls let through are told so.
    assert_eq!(statuses[..3], [404, 404, 404]);
    assert!(statuses[3..].contains(&429), "{statuses:?}");
}

#[tokio::test]
async fn chats_past_the_waiting_limit_are_refused_and_abandoned_ones_end_without_rona() {
    let server = Server::start(&config_with_limits(
        30,
        60,
        "chats_per_address_per_minute = 1000\nwaiting_per_address = 3\nabandoned_after_seconds = 1",
    ));
    // Ann is Available before the flood: one of its chats is offered to her whatever the pace of
    // the machine, and she sees it withdrawn once its customer is gone.
    let mut ann = support::available_agent(&server, "ann@example.com").await;
    let mut outcomes = Vec::new();
    for n in 0..10 {
        let mut customer = Customer::connect(&server, None).await;
        let start =
            switchboard_testkit::start_chat("website", &format!("Flood {n}"), None, "hi", &[]);
        outcomes.push(customer.command(start).await);
        // The flood's sockets close: its chats are abandoned.
        customer.close().await;
    }
    assert!(
        outcomes[..3].iter().all(|o| *o == CustomerOutcome::Ok),
        "{outcomes:?}"
    );
    assert!(
        outcomes[3..]
            .iter()
            .all(|o| refused_code(o) == Some(ErrorCode::Busy)),
        "{outcomes:?}"
    );

    // Ann stays Available through the withdrawals; a real customer is then offered to her. Each
    // chat is abandoned at its own deadline, so another may be offered, and withdrawn, before Zoë's.
    let mut outstanding = std::collections::HashSet::new();
    let mut zoe = None;
    let zoe_offer = loop {
        match ann
            .expect(|e| {
                matches!(
                    e,
                    AgentEvent::Offer { .. } | AgentEvent::OfferWithdrawn { .. }
                )
            })
            .await
        {
            AgentEvent::Offer { offer } if offer.customer_name == "Zoë" => break offer,
            AgentEvent::Offer { offer } => {
                assert!(offer.customer_name.starts_with("Flood"), "{offer:?}");
                outstanding.insert(offer.conversation);
            }
            AgentEvent::OfferWithdrawn {
                conversation,
                reason,
            } => {
                assert_eq!(
                    reason,
                    switchboard_protocol::agent::WithdrawReason::CustomerLeft
                );
                assert!(outstanding.remove(&conversation), "{conversation:?}");
                if zoe.is_none() {
                    // The flood's other chats are abandoned by now: the address may chat again.
                    tokio::time::sleep(Duration::from_millis(1500)).await;
                    zoe = Some(Customer::start(&server, "Zoë", "Is anyone there?").await);
                }
            }
            _ => unreachable!(),
        }
    };
    assert!(outstanding.is_empty(), "{outstanding:?}");
    let mut zoe = zoe.expect("Zoë waited behind the flood");
    assert_eq!(zoe_offer.customer_name, "Zoë");
    // Offered at all, Ann was not sent to RONA by the abandoned chats.
    zoe.say("Hello?").await;
}

#[tokio::test]
async fn a_widget_refuses_pages_it_does_not_allow() {
    // The test configuration's widget allows the shop's pages only.
    let server = Server::start(&support::config(30, 60));
    let settings = |origin: &'static str| {
        let request = reqwest::Client::new()
            .get(server.url("/api/v1/widgets/website"))
            .header("origin", origin);
        async move { request.send().await.unwrap() }
    };
    let refused = settings("https://evil.example.net").await;
    assert_eq!(refused.status(), 403);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "forbidden_origin");
    let allowed = settings("https://shop.example.com").await;
    assert_eq!(allowed.status(), 200);
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://shop.example.com"
    );

    let socket = |origin: &'static str| {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut request = format!("ws://{}/api/v1/customer/ws", server.address)
            .into_client_request()
            .unwrap();
        request
            .headers_mut()
            .insert("Origin", origin.parse().unwrap());
        tokio_tungstenite::connect_async(request)
    };
    match socket("https://evil.example.net").await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 403);
        }
        other => panic!("{:?}", other.map(|_| ())),
    }
    assert!(socket("https://shop.example.com").await.is_ok());
}

#[tokio::test]
async fn an_agent_client_of_any_kind_never_receives_a_card_number_in_clear() {
    let server = Server::start(&support::config(30, 60));
    let mut ann = support::available_agent(&server, "ann@example.com").await;
    let mut zoe = Customer::connect(&server, None).await;
    let start = switchboard_testkit::start_chat(
        "website",
        "Zoë 4111 1111 1111 1111",
        None,
        "My card is 4111 1111 1111 1111",
        &[("Card on file", "4111111111111111")],
    );
    assert_eq!(zoe.command(start).await, CustomerOutcome::Ok);
    let in_clear = |seen: &str| seen.contains("1111 1111") || seen.contains("4111111111111111");

    let (offer, snapshot) = support::offer_accepted(&mut ann).await;
    assert!(!in_clear(&format!("{offer:?}")), "{offer:?}");
    assert!(!in_clear(&format!("{snapshot:?}")), "{snapshot:?}");
    assert!(
        offer.comment.contains("1111"),
        "masked, not dropped: {}",
        offer.comment
    );
    zoe.say("Or the other one, 5500 0000 0000 0004").await;
    let message = ann
        .expect(|e| matches!(e, AgentEvent::Message { .. }))
        .await;
    assert!(
        !format!("{message:?}").contains("5500 0000 0000 0004"),
        "{message:?}"
    );

    // A desktop starting afresh gets the whole history again: masked too.
    let token = ann.token.clone();
    ann.close().await;
    let mut again = Agent::connect(&server, &token, None).await;
    let snapshot = again
        .expect(|e| matches!(e, AgentEvent::Snapshot { .. }))
        .await;
    let seen = format!("{snapshot:?}");
    assert!(
        !in_clear(&seen) && !seen.contains("5500 0000 0000 0004"),
        "{seen}"
    );
}

#[tokio::test]
async fn card_numbers_are_masked_as_they_are_accepted_unless_the_operator_keeps_them() {
    const CARD: &str = "4111 1111 1111 1111";
    let mut server = Server::start(&support::config(30, 60));
    let settings: serde_json::Value = reqwest::get(server.url("/api/v1/widgets/website"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(settings["hides_payment_data"], true);
    let (mut ann, mut zoe, _) = support::accepted_chat(&server).await;
    zoe.say(&format!("Charge {CARD}, please")).await;
    let echoed = zoe
        .expect(|e| matches!(e, CustomerEvent::Message { message } if message.text.starts_with("Charge")))
        .await;
    let CustomerEvent::Message { message } = echoed else {
        unreachable!()
    };
    assert!(
        !message.text.contains(CARD) && message.text.ends_with("1111, please"),
        "{}",
        message.text
    );
    ann.expect(|e| matches!(e, AgentEvent::Message { .. }))
        .await;
    assert!(server.terminate_within(Duration::from_secs(10)));
    assert!(!server.stored_anywhere(CARD), "the card is stored in clear");
    assert!(!server.stored_anywhere("4111111111111111"));

    let keeping = support::config(30, 60) + "[privacy]\nstore_payment_data = true\n";
    let mut server = Server::start(&keeping);
    let (_ann, mut zoe, _) = support::accepted_chat(&server).await;
    zoe.say(&format!("Charge {CARD}, please")).await;
    zoe.expect(|e| matches!(e, CustomerEvent::Message { message } if message.text.contains(CARD)))
        .await;
    assert!(server.terminate_within(Duration::from_secs(10)));
    assert!(server.stored_anywhere(CARD));
}

/// The server on a database that can be put out of its reach: with PostgreSQL, through a
/// forwarder the test can cut.
async fn server_with_reachable_database() -> (Server, Option<Proxy>) {
    let config = support::config(30, 60);
    if !postgres::selected() {
        return (Server::start(&config), None);
    }
    let (_, database) = postgres::database();
    let proxy = Proxy::start(postgres::port()).await;
    let url = format!("postgres://switchboard@127.0.0.1:{}/{database}", proxy.port);
    let config = format!("{config}\n[store]\nurl = \"{url}\"\n");
    (Server::start_exactly(&config, Some(database)), Some(proxy))
}

// The forwarder runs on the test's runtime while the server starts (which blocks a thread).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_out_of_reach_for_a_while_delays_storage_but_loses_nothing() {
    use sqlx::Connection;
    let (server, proxy) = server_with_reachable_database().await;
    let (mut ann, zoe, _) = support::accepted_chat(&server).await;
    let mut bo = Agent::sign_in(&server, "bo@example.com").await;
    assert_eq!(support::readiness(&server).await.0, 200);

    // Embedded: another program (a contact import, a backup tool) takes the database's write
    // lock; the journal goes on accepting steps. PostgreSQL: the network to it fails; steps wait.
    let mut lock = None;
    match &proxy {
        Some(proxy) => proxy.cut(),
        None => {
            let database = server.dir.path().join("data/switchboard.db");
            let url = format!("sqlite://{}", database.display());
            let mut other = sqlx::SqliteConnection::connect(&url).await.unwrap();
            sqlx::query("BEGIN IMMEDIATE")
                .execute(&mut other)
                .await
                .unwrap();
            lock = Some(other);
        }
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sender = support::keep_writing(zoe, Duration::from_millis(100), stop.clone());
    // Until the store has been seen failing, and at least 10 s with SQLite: the journal applies
    // every 5 s, and SQLite gives up on the lock after its busy timeout (5 s).
    let least = if proxy.is_some() { 2 } else { 10 };
    let out_until = Instant::now() + Duration::from_secs(least);
    let give_up = Instant::now() + Duration::from_secs(20);
    let mut seen_unready = false;
    while Instant::now() < out_until || (!seen_unready && Instant::now() < give_up) {
        seen_unready |= support::readiness(&server).await.0 == 503;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // New work is refused at once while PostgreSQL is out of reach (what was taken waits); the
    // journal takes it while SQLite is locked.
    let presence = bo
        .command(AgentCommand::SetPresence {
            presence: PresenceRequest::Available,
        })
        .await;
    match (&proxy, presence) {
        (Some(_), Outcome::Error { error }) => assert_eq!(error.code, ErrorCode::Unavailable),
        (None, Outcome::Ok { .. }) => {}
        (_, outcome) => panic!("{outcome:?}"),
    }
    match (&proxy, lock) {
        (Some(proxy), _) => proxy.mend(),
        (None, Some(mut other)) => {
            sqlx::query("COMMIT").execute(&mut other).await.unwrap();
            other.close().await.unwrap();
        }
        (None, None) => unreachable!(),
    }
    assert!(
        seen_unready,
        "/readyz said the store was failing while it was out of reach"
    );
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (sent, _) = sender.await.unwrap();

    // Every message reached Ann once, in order (`Agent` fails on a gap or a repeat).
    for n in 1..=sent {
        let expected = format!("message {n}");
        ann.expect(|e| matches!(e, AgentEvent::Message { message } if message.text == expected))
            .await;
    }
    // The store catches up, the server is ready again, and new work is stored.
    let mut ready = false;
    for _ in 0..100 {
        if support::readiness(&server).await.0 == 200 {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "ready again once the lock is gone");
    let login = server.login("bo@example.com").await;
    assert!(!login.token.is_empty());
}
