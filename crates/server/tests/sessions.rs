//! Agent sessions against the real binary: revoked by the administrator (a new password, a new
//! role, a removal, a sign-out), ended by the desktop, or expired, a session's socket closes
//! within a second with the reason, and its token opens nothing any more.

mod support;

use std::time::Duration;

use support::{Agent, Server};
use switchboard_protocol::agent::{AgentCommand, AgentEvent, Outcome, Role};
use switchboard_protocol::{ErrorBody, ErrorCode};

/// Runs `switchboard-server agent <args>` against the server's configuration, with `stdin`.
fn agent_command(server: &Server, args: &[&str], stdin: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_switchboard-server"))
        .arg("agent")
        .args(args)
        .arg("--config")
        .arg(server.dir.path().join("config.toml"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{text}");
    text
}

/// The agent's socket is closed within a second, with an error frame saying why.
async fn revoked_within_a_second(agent: &mut Agent) -> ErrorBody {
    let error = tokio::time::timeout(Duration::from_secs(1), agent.next_error())
        .await
        .expect("the server ends the session within a second");
    assert_eq!(error.code, ErrorCode::SessionRevoked, "{error:?}");
    assert!(agent.closed_by_server().await);
    error
}

async fn ws_status(server: &Server, token: &str) -> u16 {
    match tokio_tungstenite::connect_async(support::agent_socket(server, token)).await {
        Ok(_) => 101,
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => response.status().as_u16(),
        Err(error) => panic!("{error}"),
    }
}

#[tokio::test]
async fn a_new_password_or_a_removal_closes_the_agents_socket_and_ends_their_work() {
    let server = Server::start(&support::config(30, 60));
    let (mut ann, _zoe, _conversation) = support::accepted_chat(&server).await;
    let mut bo = support::available_agent(&server, "bo@example.com").await;

    let printed = agent_command(
        &server,
        &["set-password", "--email", "ann@example.com"],
        "a-new-password\n",
    );
    assert!(printed.contains("signed out"), "{printed}");
    let error = revoked_within_a_second(&mut ann).await;
    assert!(error.message.contains("password"), "{}", error.message);
    assert_eq!(ws_status(&server, &ann.token).await, 401);
    // Her conversation goes back to the queue at once, and Bo is offered it.
    bo.expect(|e| matches!(e, AgentEvent::Offer { .. })).await;

    agent_command(&server, &["remove", "--email", "bo@example.com"], "");
    let error = revoked_within_a_second(&mut bo).await;
    assert!(error.message.contains("removed"), "{}", error.message);
    let login = reqwest::Client::new()
        .post(server.url("/api/v1/agent/login"))
        .json(&serde_json::json!({ "email": "bo@example.com", "password": support::PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 401);
}

/// Whether `agent` may search everyone's conversations: refused with `forbidden` unless the
/// server counts them a supervisor.
async fn may_search_everyone(agent: &mut Agent) -> bool {
    let search = AgentCommand::Search {
        query: "parcel".into(),
        everyone: true,
    };
    match agent.command(search).await {
        Outcome::Ok { .. } => true,
        Outcome::Error { error } if error.code == ErrorCode::Forbidden => false,
        other => panic!("found or forbidden, not {other:?}"),
    }
}

#[tokio::test]
async fn a_new_role_signs_the_desktop_out_and_holds_from_the_next_sign_in() {
    let server = Server::start(&support::config(30, 60));
    let mut bo = Agent::sign_in(&server, "bo@example.com").await;
    assert!(!may_search_everyone(&mut bo).await);

    let printed = agent_command(
        &server,
        &[
            "set-role",
            "--email",
            "bo@example.com",
            "--role",
            "supervisor",
        ],
        "",
    );
    assert!(printed.contains("now supervisor"), "{printed}");
    let error = revoked_within_a_second(&mut bo).await;
    assert!(error.message.contains("supervisor"), "{}", error.message);
    assert_eq!(ws_status(&server, &bo.token).await, 401);
    let mut bo = Agent::sign_in(&server, "bo@example.com").await;
    assert_eq!(bo.role, Role::Supervisor);
    assert!(may_search_everyone(&mut bo).await);

    // Back to agent: the powers go with the role, at once on the running server.
    agent_command(
        &server,
        &["set-role", "--email", "bo@example.com", "--role", "agent"],
        "",
    );
    revoked_within_a_second(&mut bo).await;
    let mut bo = Agent::sign_in(&server, "bo@example.com").await;
    assert_eq!(bo.role, Role::Agent);
    assert!(!may_search_everyone(&mut bo).await);
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let server = Server::start(&support::config(30, 60));
    let mut ann = support::available_agent(&server, "ann@example.com").await;
    let other_desktop = server.login("ann@example.com").await;

    agent_command(&server, &["sign-out", "--email", "ann@example.com"], "");
    revoked_within_a_second(&mut ann).await;
    assert_eq!(ws_status(&server, &ann.token).await, 401);
    assert_eq!(ws_status(&server, &other_desktop.token).await, 401);

    // The desktop's own sign-out ends its session.
    let mut ann = support::available_agent(&server, "ann@example.com").await;
    let logout = |token: String| {
        let request = reqwest::Client::new()
            .post(server.url("/api/v1/agent/logout"))
            .bearer_auth(token);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(logout(ann.token.clone()).await, 204);
    revoked_within_a_second(&mut ann).await;
    assert_eq!(ws_status(&server, &ann.token).await, 401);
    assert_eq!(logout(ann.token.clone()).await, 401);
}

#[tokio::test]
async fn a_session_that_expires_closes_its_open_socket() {
    let server = Server::start(&support::config(30, 60));
    let login = server.login("ann@example.com").await;
    // The shortest configurable session is an hour: this one is made to end in two seconds, in
    // the database the server reads it from when the socket opens.
    let soon = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
        + 2_000;
    server
        .execute_sql(&format!("UPDATE sessions SET expires_at = {soon}"))
        .await;

    let mut ann = Agent::connect(&server, &login.token, None).await;
    let error = tokio::time::timeout(Duration::from_secs(4), ann.next_error())
        .await
        .expect("the socket is closed when the session ends");
    assert_eq!(error.code, ErrorCode::SessionExpired, "{error:?}");
    assert!(ann.closed_by_server().await);
    assert_eq!(ws_status(&server, &login.token).await, 401);
}
