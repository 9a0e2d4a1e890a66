//! The configuration file read again on `SIGHUP`: what changed applies at once (a new queue, new
//! wrap-up reasons sent to the connected desktop as its new profile, a new widget) without
//! dropping a connection; a file with a mistake, or one that drops a served queue, changes
//! nothing.

mod support;

use std::time::Duration;

use support::{Agent, Server, config};
use switchboard_protocol::agent::{AgentCommand, AgentEvent, CommandResult, Outcome};

async fn queue_ids(agent: &mut Agent) -> Vec<String> {
    let Outcome::Ok {
        result: CommandResult::Queues { queues },
    } = agent.command(AgentCommand::ListQueues).await
    else {
        panic!("the queues")
    };
    queues.into_iter().map(|queue| queue.id.0).collect()
}

async fn widget_status(server: &Server, widget: &str) -> u16 {
    let url = server.url(&format!("/api/v1/widgets/{widget}"));
    reqwest::get(url).await.unwrap().status().as_u16()
}

/// Writes `text` as the server's configuration, sends `SIGHUP`, and gives the server a moment.
async fn reload(server: &Server, text: &str) {
    std::fs::write(server.config_file(), text).unwrap();
    server.hang_up();
    tokio::time::sleep(Duration::from_millis(500)).await;
}

#[tokio::test]
async fn sighup_applies_a_good_file_at_once_and_refuses_a_bad_one_whole() {
    let server = Server::start(&config(30, 60));
    let original = std::fs::read_to_string(server.config_file()).unwrap();
    let mut ann = Agent::sign_in(&server, "ann@example.com").await;
    ann.expect(|e| matches!(e, AgentEvent::Profile { .. }))
        .await;
    assert_eq!(queue_ids(&mut ann).await, ["general"]);
    assert_eq!(widget_status(&server, "account").await, 404);

    // A mistake anywhere (a second queue "general"): nothing of the file applies.
    let duplicate = format!(
        "{original}\n[[queues]]\nid = \"billing\"\nname = \"Billing\"\n[[queues]]\nid = \"general\"\nname = \"Again\"\n"
    );
    reload(&server, &duplicate).await;
    assert_eq!(queue_ids(&mut ann).await, ["general"]);
    // Dropping a queue that is served is refused: it leaves with `queue remove` first.
    let without_general = original
        .replace(
            "[[queues]]\nid = \"general\"\nname = \"General enquiries\"\n",
            "[[queues]]\nid = \"billing\"\nname = \"Billing\"\n",
        )
        .replace("queues = [\"general\"]", "queues = [\"billing\"]")
        .replace("queue = \"general\"", "queue = \"billing\"");
    assert_ne!(without_general, original);
    reload(&server, &without_general).await;
    assert_eq!(queue_ids(&mut ann).await, ["general"]);

    // A good file: a new queue, a new wrap-up reason, a new widget — at once, on the same
    // connection.
    let good = format!(
        "{}\n[[queues]]\nid = \"billing\"\nname = \"Billing\"\n[[widgets]]\nid = \"account\"\nqueue = \"billing\"\n",
        original.replace(
            "wrap_up_reasons = [\"Resolved\", \"Follow-up needed\"]",
            "wrap_up_reasons = [\"Resolved\", \"Follow-up needed\", \"Spam\"]"
        )
    );
    reload(&server, &good).await;
    let profile = ann.next_profile().await;
    assert_eq!(
        profile.wrap_up_reasons,
        ["Resolved", "Follow-up needed", "Spam"]
    );
    assert_eq!(queue_ids(&mut ann).await, ["general", "billing"]);
    assert_eq!(widget_status(&server, "account").await, 200);
    assert!(ann.errors.is_empty(), "{:?}", ann.errors);
}
