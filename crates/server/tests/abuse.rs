//! The public edge against an attacker, on the real binary over loopback: half-sent requests,
//! more sockets than the server takes, clients that stop reading, floods.

mod support;

use std::time::{Duration, Instant};

use support::{Customer, Server};
use switchboard_testkit::config_with_limits;
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
