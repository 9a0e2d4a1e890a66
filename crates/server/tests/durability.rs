//! Nothing is lost: across dropped connections, page reloads and a killed server.

mod support;

use rand::Rng;
use support::{Agent, Customer, Server, accepted_chat, config, whole_thread};
use switchboard_protocol::agent::{AgentCommand, AgentEvent, Outcome};
use switchboard_protocol::customer::{CustomerCommand, CustomerEvent};
use switchboard_protocol::{Presence, Sender};

fn customer_text(event: &AgentEvent) -> Option<String> {
    match event {
        AgentEvent::Message { message } if matches!(message.from, Sender::Customer { .. }) => {
            Some(message.text.clone())
        }
        _ => None,
    }
}

#[tokio::test]
async fn dropped_agent_connections_resume_with_every_message_exactly_once_in_order() {
    let server = Server::start(&config(30, 60));
    let (mut ann, mut zoe, _) = accepted_chat(&server).await;
    let token = ann.token.clone();
    let total = 120;
    let mut received = Vec::new();
    let mut sent = 0;
    let mut rng = rand::rng();
    while received.len() < total {
        // The customer writes a burst while the desktop may be gone.
        let burst = rng.random_range(1..6).min(total - sent);
        for _ in 0..burst {
            sent += 1;
            zoe.say(&format!("message {sent}")).await;
        }
        // Read part of what is pending, sometimes acknowledge, then drop the socket at a random
        // point and resume from the last sequence number applied. `Agent` fails the test on any
        // gap or repeat.
        let reads = rng.random_range(0..=sent - received.len());
        for _ in 0..reads {
            let event = ann.expect(|e| customer_text(e).is_some()).await;
            received.push(customer_text(&event).unwrap());
        }
        if rng.random_bool(0.5) {
            ann.ack().await;
        }
        let last_seq = ann.last_seq;
        ann.close().await;
        ann = Agent::connect(&server, &token, Some(last_seq)).await;
        if sent == total {
            while received.len() < total {
                let event = ann.expect(|e| customer_text(e).is_some()).await;
                received.push(customer_text(&event).unwrap());
            }
        }
    }
    let expected: Vec<String> = (1..=total).map(|n| format!("message {n}")).collect();
    assert_eq!(received, expected);
}

#[tokio::test]
async fn a_reloaded_widget_resumes_its_conversation() {
    let server = Server::start(&config(30, 60));
    let (mut ann, zoe, conversation) = accepted_chat(&server).await;
    let token = zoe.token.clone().expect("the widget got its resume token");
    let last_seq = zoe.last_seq;
    zoe.close().await;
    let reply = AgentCommand::SendMessage {
        conversation,
        text: "Are you still there?".into(),
        files: Vec::new(),
    };
    assert!(matches!(ann.command(reply).await, Outcome::Ok { .. }));
    let mut reloaded = Customer::connect(&server, Some((&token, last_seq))).await;
    reloaded.expect(|e| matches!(e, CustomerEvent::Message { message } if message.text == "Are you still there?")).await;
    reloaded.say("Yes!").await;
    ann.expect(|e| customer_text(e).as_deref() == Some("Yes!"))
        .await;
}

#[tokio::test]
async fn a_killed_server_restarts_with_conversations_presence_and_unread_messages() {
    let mut server = Server::start(&config(30, 60));
    let (mut ann, mut zoe, conversation) = accepted_chat(&server).await;
    let token = ann.token.clone();
    zoe.say("first").await;
    ann.expect(|e| customer_text(e).as_deref() == Some("first"))
        .await;
    let seen = ann.last_seq;
    // Unread by the desktop: sent while it is not reading.
    zoe.say("unread one").await;
    zoe.say("unread two").await;
    let customer_token = zoe.token.clone().unwrap();
    let customer_seq = zoe.last_seq;

    server.kill_and_restart();

    let mut ann = Agent::connect(&server, &token, Some(seen)).await;
    ann.expect(|e| customer_text(e).as_deref() == Some("unread one"))
        .await;
    ann.expect(|e| customer_text(e).as_deref() == Some("unread two"))
        .await;
    let mut zoe = Customer::connect(&server, Some((&customer_token, customer_seq))).await;
    let reply = AgentCommand::SendMessage {
        conversation: conversation.clone(),
        text: "Back online".into(),
        files: Vec::new(),
    };
    assert!(
        matches!(ann.command(reply).await, Outcome::Ok { .. }),
        "Ann still holds the conversation"
    );
    zoe.expect(
        |e| matches!(e, CustomerEvent::Message { message } if message.text == "Back online"),
    )
    .await;

    // A fresh desktop sees the whole thread, and the presence Ann had.
    let mut fresh = Agent::connect(&server, &token, None).await;
    let presence = fresh
        .expect(|e| matches!(e, AgentEvent::Presence { .. }))
        .await;
    assert!(matches!(
        presence,
        AgentEvent::Presence {
            presence: Presence::Available,
            ..
        }
    ));
    let snapshot = fresh.next_snapshot().await;
    let texts: Vec<&str> = snapshot.history.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        texts,
        ["Hello", "first", "unread one", "unread two", "Back online"]
    );
}

#[tokio::test]
async fn the_data_directory_and_its_files_are_the_owners_alone() {
    use std::os::unix::fs::PermissionsExt;
    let server = Server::start(&config(30, 60));
    let (_ann, mut zoe, _) = accepted_chat(&server).await;
    zoe.say("my card is in here somewhere").await;
    let data = server.dir.path().join("data");
    let mut pending = vec![data];
    let mut files = 0;
    while let Some(path) = pending.pop() {
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        if path.is_dir() {
            assert_eq!(mode, 0o700, "{}", path.display());
            pending.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else {
            assert_eq!(mode & 0o077, 0, "{} is {mode:o}", path.display());
            files += 1;
        }
    }
    // The database, its log and index, the journal's segment and the admin access file at least;
    // with PostgreSQL, the admin access file.
    let least = if server.postgres.is_some() { 1 } else { 5 };
    assert!(files >= least, "{files} files");
}

#[tokio::test]
async fn commands_retried_after_a_graceful_restart_are_answered_from_their_stored_replies() {
    let mut server = Server::start(&config(30, 60));
    let (mut ann, _zoe, conversation) = accepted_chat(&server).await;
    let total = 1_100;
    let id = |n: usize| format!("retry-{n:05}-{}", "x".repeat(n % 7));
    for n in 0..total {
        let sent = AgentCommand::SendMessage {
            conversation: conversation.clone(),
            text: format!("reply {n}"),
            files: Vec::new(),
        };
        let outcome = ann.command_with_id(&id(n), sent).await;
        assert!(matches!(outcome, Outcome::Ok { .. }), "{outcome:?}");
    }
    let token = ann.token.clone();
    ann.close().await;
    server.restart();

    // The desktop lost the last replies and sends those commands again, with their ids.
    let mut ann = Agent::connect(&server, &token, None).await;
    for n in total - 100..total {
        let again = AgentCommand::SendMessage {
            conversation: conversation.clone(),
            text: format!("reply {n}"),
            files: Vec::new(),
        };
        let outcome = ann.command_with_id(&id(n), again).await;
        assert!(matches!(outcome, Outcome::Ok { .. }), "{outcome:?}");
    }
    // And one from the very start of the day.
    let first = AgentCommand::SendMessage {
        conversation: conversation.clone(),
        text: "reply 0".into(),
        files: Vec::new(),
    };
    assert!(matches!(
        ann.command_with_id(&id(0), first).await,
        Outcome::Ok { .. }
    ));
    let token = ann.token.clone();
    ann.close().await;
    let mut fresh = Agent::connect(&server, &token, None).await;
    let AgentEvent::Snapshot { conversation } = fresh
        .expect(|e| matches!(e, AgentEvent::Snapshot { .. }))
        .await
    else {
        unreachable!()
    };
    let replies = whole_thread(&mut fresh, &conversation)
        .await
        .iter()
        .filter(|m| m.text.starts_with("reply "))
        .count();
    assert_eq!(replies, total, "no command was applied twice");
}

#[tokio::test]
async fn a_start_retried_after_resuming_its_conversation_gets_its_first_reply() {
    let server = Server::start(&config(30, 60));
    let mut zoe = Customer::connect(&server, None).await;
    let start_id = "start-retried-after-resume-0123456789";
    let start = || switchboard_testkit::start_chat("website", "Zoë", None, "Hello", &[]);
    assert_eq!(
        zoe.command_with_id(start_id, start()).await,
        switchboard_protocol::customer::CustomerOutcome::Ok
    );
    let token = zoe.token.clone().unwrap();
    let last_seq = zoe.last_seq;
    drop(zoe);
    // The widget resumed, then sends the start whose reply it never saw.
    let mut zoe = Customer::connect(&server, Some((&token, last_seq))).await;
    assert_eq!(
        zoe.command_with_id(start_id, start()).await,
        switchboard_protocol::customer::CustomerOutcome::Ok
    );
    // Still one conversation, with one first message.
    let mut ann = support::available_agent(&server, "ann@example.com").await;
    let snapshot = support::accept_offer(&mut ann).await;
    assert_eq!(snapshot.history.len(), 1, "{:?}", snapshot.history);
}

#[tokio::test]
async fn an_offer_pending_when_the_server_is_killed_is_withdrawn_after_the_restart() {
    let mut server = Server::start(&config(30, 60));
    let mut ann = support::available_agent(&server, "ann@example.com").await;
    let _zoe = Customer::start(&server, "Zoë", "Hello").await;
    let AgentEvent::Offer { offer } = ann.expect(|e| matches!(e, AgentEvent::Offer { .. })).await
    else {
        unreachable!()
    };
    let token = ann.token.clone();
    let last_seq = ann.last_seq;
    server.kill_and_restart();

    // Resuming, the desktop is told the offer it shows is gone — not by her doing — and the
    // conversation is offered again; accepting that works.
    let mut ann = Agent::connect(&server, &token, Some(last_seq)).await;
    let withdrawn = ann
        .expect(|e| matches!(e, AgentEvent::OfferWithdrawn { .. }))
        .await;
    assert_eq!(
        withdrawn,
        AgentEvent::OfferWithdrawn {
            conversation: offer.conversation.clone(),
            reason: switchboard_protocol::agent::WithdrawReason::Interrupted,
        }
    );
    let snapshot = support::accept_offer(&mut ann).await;
    assert_eq!(snapshot.id, offer.conversation);
}

#[tokio::test]
async fn a_store_that_fails_for_good_stops_the_server_with_a_non_zero_exit() {
    let mut server = Server::start(&config(30, 60));
    let (mut ann, mut zoe, _conversation) = accepted_chat(&server).await;
    // Something outside the server breaks its database for good: a tampered schema no retry can
    // mend (a transient failure, a lock, is retried; see abuse.rs).
    server.execute_sql("DROP TABLE messages").await;
    if server.postgres.is_none() {
        zoe.say("Are you still there?").await;
        // The step is journaled and delivered; applying it to the database fails, and the
        // server stops instead of running on with a store it cannot write.
        ann.expect(|e| {
            matches!(e, AgentEvent::Message { message } if message.text == "Are you still there?")
        })
        .await;
    } else {
        // PostgreSQL refuses the step's commit: nothing of it is delivered, and the server stops.
        let said = tokio::spawn(async move {
            zoe.command(CustomerCommand::SendMessage {
                text: "Are you still there?".into(),
                files: Vec::new(),
            })
            .await
        });
        assert!(said.await.is_err(), "the message is never acknowledged");
        assert!(ann.closed_by_server().await);
    }
    let status = server
        .exit_within(std::time::Duration::from_secs(10))
        .expect("the server stops by itself");
    assert!(!status.success(), "{status:?}");
}
