//! An embedded deployment moved to PostgreSQL goes on there: accounts and sessions, contacts,
//! open conversations with their threads, unread events and sequence numbers.

mod support;

use support::{Agent, Customer, Server, accepted_chat, config};
use switchboard_protocol::Sender;
use switchboard_protocol::agent::{AgentCommand, AgentEvent, CommandResult, Outcome, Role};
use switchboard_protocol::customer::CustomerEvent;
use switchboard_testkit::postgres;

fn customer_text(event: &AgentEvent) -> Option<String> {
    match event {
        AgentEvent::Message { message } if matches!(message.from, Sender::Customer { .. }) => {
            Some(message.text.clone())
        }
        _ => None,
    }
}

fn migrate(from: &std::path::Path, to: &str) -> (bool, String) {
    support::run_command(&[
        "migrate".as_ref(),
        "--from".as_ref(),
        from.as_ref(),
        "--to".as_ref(),
        to.as_ref(),
    ])
}

// The server starts (blocking a thread) while the test's tasks run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_embedded_deployment_moves_to_postgres_and_goes_on_there() {
    let config = config(30, 60);
    let mut embedded = Server::start_exactly(&config, None);
    let (imported, printed) = support::import(&embedded, "name,email\nZoë Weiss,zoe@example.com\n");
    assert!(imported, "{printed}");
    let embedded_config = embedded.dir.path().join("config.toml");
    let (promoted, printed) = support::run_command(&[
        "agent".as_ref(),
        "set-role".as_ref(),
        "--email".as_ref(),
        "bo@example.com".as_ref(),
        "--role".as_ref(),
        "supervisor".as_ref(),
        "--config".as_ref(),
        embedded_config.as_ref(),
    ]);
    assert!(promoted, "{printed}");
    let (made, printed) = support::run_command(&[
        "apikey".as_ref(),
        "create".as_ref(),
        "--name".as_ref(),
        "grafana".as_ref(),
        "--scope".as_ref(),
        "read-only".as_ref(),
        "--config".as_ref(),
        embedded_config.as_ref(),
    ]);
    assert!(made, "{printed}");
    let api_key = printed.lines().next().unwrap().to_owned();
    let template =
        serde_json::json!({ "name": "Thanks", "text": "Thank you, <customer.first_name>!" });
    let (status, _) = support::AdminApi::new(&embedded)
        .call(
            reqwest::Method::PUT,
            "/api/v1/admin/templates/thanks",
            Some(template),
        )
        .await;
    assert_eq!(status, 200);
    let reasons = serde_json::json!({ "wrap_up": ["Resolved", "Sold"], "idle": ["Lunch"] });
    let (status, _) = support::AdminApi::new(&embedded)
        .call(
            reqwest::Method::PUT,
            "/api/v1/admin/reasons",
            Some(reasons.clone()),
        )
        .await;
    assert_eq!(status, 200);
    let (mut ann, mut zoe, conversation) = accepted_chat(&embedded).await;
    let token = ann.token.clone();
    // A picture, kept in the embedded database in chunks.
    let picture: Vec<u8> = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"
        .iter()
        .copied()
        .chain((0..300_000).map(|n| (n % 251) as u8))
        .collect();
    let file = zoe.upload(&embedded, "receipt.png", &picture).await;
    zoe.say("first").await;
    ann.expect(|e| customer_text(e).as_deref() == Some("first"))
        .await;
    let seen = ann.last_seq;
    // Unread by the desktop: still in the outbox when the server stops.
    zoe.say("unread").await;
    let customer_token = zoe.token.clone().unwrap();
    let customer_seq = zoe.last_seq;
    assert!(embedded.terminate_within(std::time::Duration::from_secs(10)));
    let data = embedded.dir.path().join("data");

    let (url, database) = postgres::database();
    // The test cluster trusts loopback: the password is only there to be kept out of sight.
    let url = url.replace("switchboard@", "switchboard:hunter2@");
    let (moved, printed) = migrate(&data, &url);
    assert!(moved, "{printed}");
    for part in [
        "2 agents",
        "1 contacts",
        "1 conversations with 3 messages and 2 facts for the reports",
        "1 added templates, 6 audit log entries, 1 API keys, 1 settings changed through the \
         admin API, 1 files",
    ] {
        assert!(printed.contains(part), "{part:?} in {printed}");
    }
    assert!(!printed.contains("hunter2"), "{printed}");

    // Never over what a database already holds.
    let (again, printed) = migrate(&data, &url);
    assert!(!again);
    assert!(printed.contains("already holds"), "{printed}");
    assert_eq!(
        postgres::execute(&database, "SELECT count(*) FROM agents"),
        "2\n"
    );
    let (nowhere, printed) = migrate(&embedded.dir.path().join("nothing"), &url);
    assert!(!nowhere);
    assert!(printed.contains("no embedded database"), "{printed}");

    let on_postgres = format!("{config}\n[store]\nurl = \"{url}\"\n");
    let server = Server::start_exactly(&on_postgres, Some(database.clone()));
    // The desktop's session goes on, and what it had not read arrives.
    let mut ann = Agent::connect(&server, &token, Some(seen)).await;
    ann.expect(|e| customer_text(e).as_deref() == Some("unread"))
        .await;
    let mut zoe = Customer::connect(&server, Some((&customer_token, customer_seq))).await;
    let reply = AgentCommand::SendMessage {
        conversation: conversation.clone(),
        text: "Moved".into(),
        files: Vec::new(),
    };
    assert!(matches!(ann.command(reply).await, Outcome::Ok { .. }));
    zoe.expect(|e| matches!(e, CustomerEvent::Message { message } if message.text == "Moved"))
        .await;
    let (_, moved_reasons) = support::AdminApi::new(&server)
        .call(reqwest::Method::GET, "/api/v1/admin/reasons", None)
        .await;
    assert_eq!(
        moved_reasons, reasons,
        "what the admin API changed moved too"
    );
    let mut fresh = Agent::connect(&server, &token, None).await;
    let snapshot = fresh.next_snapshot().await;
    let texts: Vec<&str> = snapshot.history.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["Hello", "first", "unread", "Moved"]);
    assert_eq!(
        postgres::execute(&database, "SELECT name FROM contacts"),
        "Zoë Weiss\n"
    );
    // The picture reads the same from PostgreSQL, through a link the moved key signs.
    let link = AgentCommand::FileLink {
        conversation: conversation.clone(),
        file: file.id.clone(),
    };
    let Outcome::Ok {
        result: CommandResult::Link { link },
    } = fresh.command(link).await
    else {
        panic!("a link to the moved file")
    };
    let read = reqwest::get(server.url(&link.url)).await.unwrap();
    assert_eq!(read.status(), 200);
    assert_eq!(read.bytes().await.unwrap().to_vec(), picture);
    // The API key goes on working.
    let audit = reqwest::Client::new()
        .get(server.url("/api/v1/admin/audit"))
        .bearer_auth(&api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(audit.status(), 200);
    let bo = server.login("bo@example.com").await;
    assert_eq!(
        bo.agent.role,
        Role::Supervisor,
        "roles move with the agents"
    );
}
