//! Whole conversations against the real server binary on loopback, with real SQLite.

mod support;

use support::{Agent, Customer, Server, ServerAddress, accepted_chat, config, next_json};
use switchboard_protocol::agent::{
    AgentCommand, AgentEvent, CommandResult, InteractionState, Outcome, PresenceRequest,
    WithdrawReason,
};
use switchboard_protocol::customer::CustomerEvent;
use switchboard_protocol::{EndedBy, ErrorCode, Presence, Sender};

fn ok(outcome: Outcome) {
    assert!(matches!(outcome, Outcome::Ok { .. }), "{outcome:?}");
}

fn refused(outcome: Outcome) -> ErrorCode {
    match outcome {
        Outcome::Error { error } => error.code,
        Outcome::Ok { .. } => panic!("the command should have been refused"),
    }
}

async fn available(agent: &mut Agent) {
    ok(agent
        .command(AgentCommand::SetPresence {
            presence: PresenceRequest::Available,
        })
        .await);
    agent
        .expect(|e| {
            matches!(
                e,
                AgentEvent::Presence {
                    presence: Presence::Available,
                    ..
                }
            )
        })
        .await;
}

#[tokio::test]
async fn wrong_password_is_refused_and_the_socket_needs_a_token() {
    let server = Server::start(&config(30, 60));
    let response = reqwest::Client::new()
        .post(server.url("/api/v1/agent/login"))
        .json(&serde_json::json!({ "email": "ann@example.com", "password": "nope" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "unauthorized");
    let unauthenticated =
        tokio_tungstenite::connect_async(format!("ws://{}/api/v1/agent/ws", server.address)).await;
    assert!(unauthenticated.is_err(), "no bearer token, no socket");
    assert_eq!(
        reqwest::get(server.url("/healthz"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "ok"
    );
}

#[tokio::test]
async fn offer_accept_chat_and_end_with_a_wrap_up_reason() {
    let server = Server::start(&config(30, 60));
    let mut ann = Agent::sign_in(&server, "ann@example.com").await;
    let profile = ann
        .expect(|e| matches!(e, AgentEvent::Profile { .. }))
        .await;
    let AgentEvent::Profile { profile } = profile else {
        unreachable!()
    };
    assert_eq!(profile.wrap_up_reasons, ["Resolved", "Follow-up needed"]);
    available(&mut ann).await;

    let mut zoe = Customer::start(&server, "Zoë Nováková", "Hi, where is my order?").await;
    let AgentEvent::Offer { offer } = ann.expect(|e| matches!(e, AgentEvent::Offer { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(offer.customer_name, "Zoë Nováková");
    assert_eq!(offer.comment, "Hi, where is my order?");
    assert_eq!(offer.queue.name, "General enquiries");
    assert!(offer.expires_at > offer.waiting_since);

    ok(ann
        .command(AgentCommand::Accept {
            conversation: offer.conversation.clone(),
        })
        .await);
    let AgentEvent::Snapshot { conversation } = ann
        .expect(|e| matches!(e, AgentEvent::Snapshot { .. }))
        .await
    else {
        unreachable!()
    };
    assert_eq!(conversation.history.len(), 1);
    assert_eq!(conversation.context[0].name, "page");
    zoe.expect(|e| matches!(e, CustomerEvent::AgentJoined { name } if name == "Ann"))
        .await;

    let id = offer.conversation.clone();
    ok(ann
        .command(AgentCommand::SendMessage {
            conversation: id.clone(),
            text: "Let me check.".into(),
            files: Vec::new(),
        })
        .await);
    zoe.expect(
        |e| matches!(e, CustomerEvent::Message { message } if message.text == "Let me check."),
    )
    .await;
    zoe.say("Thanks!").await;
    ann.expect(|e| matches!(e, AgentEvent::Message { message } if message.text == "Thanks!" && matches!(message.from, Sender::Customer { .. }))).await;

    let too_long = AgentCommand::SendMessage {
        conversation: id.clone(),
        text: "x".repeat(1001),
        files: Vec::new(),
    };
    assert_eq!(
        refused(ann.command(too_long).await),
        ErrorCode::MessageTooLong
    );
    let reserved = AgentCommand::SendMessage {
        conversation: id.clone(),
        text: "use <name>".into(),
        files: Vec::new(),
    };
    assert_eq!(
        refused(ann.command(reserved).await),
        ErrorCode::ReservedCharacters
    );

    let unknown = AgentCommand::End {
        conversation: id.clone(),
        wrap_up: "Whatever".into(),
    };
    assert_eq!(
        refused(ann.command(unknown).await),
        ErrorCode::UnknownReason
    );
    ok(ann
        .command(AgentCommand::End {
            conversation: id.clone(),
            wrap_up: "Resolved".into(),
        })
        .await);
    ann.expect(|e| matches!(e, AgentEvent::Closed { conversation } if conversation == &id))
        .await;
    zoe.expect(|e| matches!(e, CustomerEvent::Ended { by: EndedBy::Agent }))
        .await;

    let Outcome::Ok {
        result: CommandResult::Queues { queues },
    } = ann.command(AgentCommand::ListQueues).await
    else {
        panic!()
    };
    assert_eq!(queues.len(), 1);
}

#[tokio::test]
async fn customer_ends_and_the_agent_wraps_up() {
    let server = Server::start(&config(30, 60));
    let (mut ann, mut zoe, conversation) = accepted_chat(&server).await;
    ok_customer(
        zoe.command(switchboard_protocol::customer::CustomerCommand::End)
            .await,
    );
    ann.expect(|e| matches!(e, AgentEvent::Message { message } if message.text == "Customer ended the conversation")).await;
    ann.expect(|e| {
        matches!(
            e,
            AgentEvent::State {
                state: InteractionState::WrapUp {
                    ended_by: EndedBy::Customer
                },
                ..
            }
        )
    })
    .await;
    ok(ann
        .command(AgentCommand::End {
            conversation: conversation.clone(),
            wrap_up: "Resolved".into(),
        })
        .await);
}

#[tokio::test]
async fn waiting_customers_are_told_their_queue_position() {
    let server = Server::start(&config(30, 60));
    let mut first = Customer::start(&server, "First", "Hello").await;
    first
        .expect(|e| matches!(e, CustomerEvent::Queued { position: 1, .. }))
        .await;
    let mut second = Customer::start(&server, "Second", "Hello").await;
    second
        .expect(|e| matches!(e, CustomerEvent::Queued { position: 2, .. }))
        .await;
    let mut ann = Agent::sign_in(&server, "ann@example.com").await;
    available(&mut ann).await;
    ann.expect(|e| matches!(e, AgentEvent::Offer { offer } if offer.customer_name == "First"))
        .await;
    second
        .expect(|e| matches!(e, CustomerEvent::Queued { position: 1, .. }))
        .await;
}

fn ok_customer(outcome: switchboard_protocol::customer::CustomerOutcome) {
    assert_eq!(outcome, switchboard_protocol::customer::CustomerOutcome::Ok);
}

#[tokio::test]
async fn unanswered_offer_puts_the_agent_in_rona_until_they_choose_available() {
    let server = Server::start(&config(1, 60));
    let mut ann = Agent::sign_in(&server, "ann@example.com").await;
    available(&mut ann).await;
    let _zoe = Customer::start(&server, "Zoë", "Hello").await;
    let AgentEvent::Offer { offer } = ann.expect(|e| matches!(e, AgentEvent::Offer { .. })).await
    else {
        unreachable!()
    };
    ann.expect(|e| {
        matches!(
            e,
            AgentEvent::OfferWithdrawn {
                reason: WithdrawReason::Timeout,
                ..
            }
        )
    })
    .await;
    ann.expect(|e| {
        matches!(
            e,
            AgentEvent::Presence {
                presence: Presence::Rona,
                ..
            }
        )
    })
    .await;
    assert_eq!(
        refused(
            ann.command(AgentCommand::Accept {
                conversation: offer.conversation.clone()
            })
            .await
        ),
        ErrorCode::InvalidState
    );

    // Bo, Available, gets the re-offered request; Ann, in RONA, gets nothing new.
    let mut bo = Agent::sign_in(&server, "bo@example.com").await;
    available(&mut bo).await;
    let AgentEvent::Offer { offer: reoffered } =
        bo.expect(|e| matches!(e, AgentEvent::Offer { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(reoffered.conversation, offer.conversation);
    ok(bo
        .command(AgentCommand::Accept {
            conversation: reoffered.conversation,
        })
        .await);

    let _yann = Customer::start(&server, "Yann", "Bonjour").await;
    let AgentEvent::Offer { offer: next } =
        bo.expect(|e| matches!(e, AgentEvent::Offer { .. })).await
    else {
        unreachable!()
    };
    ok(bo
        .command(AgentCommand::Reject {
            conversation: next.conversation.clone(),
        })
        .await);
    available(&mut ann).await;
    let AgentEvent::Offer { offer: after_rona } =
        ann.expect(|e| matches!(e, AgentEvent::Offer { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(
        after_rona.conversation, next.conversation,
        "after a reject it goes to someone else"
    );
}

#[tokio::test]
async fn malformed_frames_get_errors_and_the_connection_stays_up() {
    let server = Server::start(&config(30, 60));
    let mut ann = Agent::sign_in(&server, "ann@example.com").await;
    ann.send_raw("{not json".into()).await;
    assert_eq!(ann.next_error().await.code, ErrorCode::MalformedFrame);
    ann.send_raw(r#"{"type":"command","id":"x","command":{"type":"launch_rockets"}}"#.into())
        .await;
    assert_eq!(ann.next_error().await.code, ErrorCode::MalformedFrame);
    ann.send_raw(r#"{"type":"hello","protocol":1}"#.into())
        .await;
    assert_eq!(ann.next_error().await.code, ErrorCode::OutOfOrder);
    available(&mut ann).await;
}

#[tokio::test]
async fn a_frame_over_the_limit_is_refused_before_it_is_read_and_closes_the_connection() {
    let server = Server::start(&config(30, 60));
    let mut ann = Agent::sign_in(&server, "ann@example.com").await;
    let limit = switchboard_protocol::rules::MAX_FRAME_BYTES;
    let padding = "x".repeat(limit);
    ann.send_raw(format!(r#"{{"type":"ack","seq":1,"pad":"{padding}"}}"#))
        .await;
    let refusal = ann.next_error().await;
    assert_eq!(refusal.code, ErrorCode::FrameTooLarge, "{refusal:?}");
    assert!(ann.closed_by_server().await);
    // The desktop signs in again and goes on.
    let mut ann = Agent::sign_in(&server, "ann@example.com").await;
    available(&mut ann).await;
}

#[tokio::test]
async fn a_socket_that_never_says_hello_is_closed() {
    use futures_util::StreamExt;
    let server = Server::start(&config(30, 60));
    let url = format!("ws://{}/api/v1/customer/ws", server.address());
    let (mut silent, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let started = std::time::Instant::now();
    let refusal = next_json(&mut silent).await.unwrap();
    assert_eq!(refusal["error"]["code"], "out_of_order", "{refusal}");
    assert!(next_json(&mut silent).await.is_none());
    assert!(silent.next().await.is_none_or(|end| end.is_err()));
    assert!(started.elapsed() >= std::time::Duration::from_secs(9));
}

#[tokio::test]
async fn a_retried_command_is_applied_once() {
    let server = Server::start(&config(30, 60));
    let (mut ann, mut zoe, conversation) = accepted_chat(&server).await;
    let send = AgentCommand::SendMessage {
        conversation: conversation.clone(),
        text: "Once".into(),
        files: Vec::new(),
    };
    let first = ann.command_with_id("same-id", send.clone()).await;
    // The desktop reconnects without having seen the reply, and sends the command again.
    let token = ann.token.clone();
    let last_seq = ann.last_seq;
    ann.close().await;
    let mut ann = Agent::connect(&server, &token, Some(last_seq)).await;
    let second = ann.command_with_id("same-id", send).await;
    assert_eq!(first, second);
    zoe.say("after").await;
    ann.expect(|e| matches!(e, AgentEvent::Message { message } if message.text == "after"))
        .await;
    let Some(AgentEvent::Snapshot { conversation }) = fresh_snapshot(&server, &token).await else {
        panic!()
    };
    let texts: Vec<&str> = conversation
        .history
        .iter()
        .map(|m| m.text.as_str())
        .collect();
    assert_eq!(texts, ["Hello", "Once", "after"]);
}

/// A fresh desktop start: the snapshot of the first held conversation.
async fn fresh_snapshot(server: &Server, token: &str) -> Option<AgentEvent> {
    let mut desktop = Agent::connect(server, token, None).await;
    Some(
        desktop
            .expect(|e| matches!(e, AgentEvent::Snapshot { .. }))
            .await,
    )
}

#[tokio::test]
async fn conference_then_transfer_between_two_desktops() {
    let server = Server::start(&config(30, 60));
    support::handover::conference_then_transfer(&server, &server, &server).await;
}

#[tokio::test]
async fn queue_remove_interrupts_the_running_servers_conversations() {
    let server = Server::start(&config(30, 60));
    let (mut ann, mut zoe, conversation) = accepted_chat(&server).await;

    let removed = std::process::Command::new(env!("CARGO_BIN_EXE_switchboard-server"))
        .args(["queue", "remove", "--queue", "general", "--config"])
        .arg(server.dir.path().join("config.toml"))
        .output()
        .unwrap();
    assert!(
        removed.status.success(),
        "{}",
        String::from_utf8_lossy(&removed.stderr)
    );
    assert!(String::from_utf8_lossy(&removed.stdout).contains("1 interrupted"));

    ann.expect(|e| {
        matches!(
            e,
            AgentEvent::State {
                state: InteractionState::Interrupted { .. },
                ..
            }
        )
    })
    .await;
    zoe.expect(|e| {
        matches!(
            e,
            CustomerEvent::Ended {
                by: EndedBy::System
            }
        )
    })
    .await;
    let send = AgentCommand::SendMessage {
        conversation: conversation.clone(),
        text: "Hello?".into(),
        files: Vec::new(),
    };
    assert_eq!(refused(ann.command(send).await), ErrorCode::InvalidState);
    ok(ann
        .command(AgentCommand::End {
            conversation,
            wrap_up: "Resolved".into(),
        })
        .await);

    let again = std::process::Command::new(env!("CARGO_BIN_EXE_switchboard-server"))
        .args(["queue", "remove", "--queue", "general", "--config"])
        .arg(server.dir.path().join("config.toml"))
        .output()
        .unwrap();
    assert!(
        !again.status.success(),
        "a removed queue cannot be removed again"
    );
}

#[tokio::test]
async fn a_client_silent_through_two_pings_is_closed_and_one_that_reads_stays() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let server =
        Server::start(&config(30, 60).replace("[server]\n", "[server]\nping_seconds = 1\n"));
    let url = format!("ws://{}/api/v1/customer/ws", server.address());
    let hello = Message::text(r#"{"type":"hello","protocol":1}"#);
    let (mut gone, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    let (mut reading, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    for socket in [&mut gone, &mut reading] {
        socket.send(hello.clone()).await.unwrap();
        assert_eq!(next_json(socket).await.unwrap()["type"], "welcome");
    }
    // `reading` reads for four seconds, answering the pings as every WebSocket client does;
    // `gone` is not read at all, as if its machine had vanished.
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(4);
    let mut pings = 0;
    while let Ok(Some(Ok(message))) = tokio::time::timeout_at(until, reading.next()).await {
        pings += usize::from(matches!(message, Message::Ping(_)));
    }
    assert!(pings >= 3, "{pings} pings in four seconds");
    reading
        .send(Message::text(r#"{"type":"ack","seq":1}"#))
        .await
        .unwrap();
    let refusal = next_json(&mut reading).await.unwrap();
    assert_eq!(refusal["error"]["code"], "out_of_order", "{refusal}");
    // What it would read now: the pings sent meanwhile, then the end of the connection.
    let rest = tokio::time::timeout(std::time::Duration::from_secs(1), next_json(&mut gone)).await;
    assert!(
        matches!(rest, Ok(None)),
        "the silent client is closed: {rest:?}"
    );
}

#[tokio::test]
async fn template_parameters_are_filled_by_the_server_and_the_agent_sees_them_masked() {
    let server = Server::start(&format!(
        "{}\n[[templates]]\nname = \"Confirm\"\nshortcut = \"mail\"\ntext = \"I will write to <customer.email>.\"\n",
        config(30, 60)
    ));
    let mut ann = Agent::sign_in(&server, "ann@example.com").await;
    let profile = ann.next_profile().await;
    assert_eq!(
        profile.templates[0].shortcut, "mail",
        "templates reach the desktop"
    );
    available(&mut ann).await;
    let mut zoe = Customer::connect(&server, None).await;
    zoe.start_chat_from("Zoë", Some("zoe.novakova@example.com"), "Hello")
        .await;
    let AgentEvent::Offer { offer } = ann.expect(|e| matches!(e, AgentEvent::Offer { .. })).await
    else {
        unreachable!()
    };
    let id = offer.conversation;
    ok(ann
        .command(AgentCommand::Accept {
            conversation: id.clone(),
        })
        .await);

    ok(ann
        .command(AgentCommand::SendMessage {
            conversation: id.clone(),
            text: "I will write to <customer.email>.".into(),
            files: Vec::new(),
        })
        .await);
    zoe.expect(|e| matches!(e, CustomerEvent::Message { message } if message.text == "I will write to zoe.novakova@example.com."))
        .await;
    let AgentEvent::Message { message } = ann
        .expect(|e| matches!(e, AgentEvent::Message { message } if message.text.starts_with("I will write")))
        .await
    else {
        unreachable!()
    };
    assert!(
        !message.text.contains("zoe.novakova@"),
        "the agent never sees the raw address: {}",
        message.text
    );
    let unfillable = ann
        .command(AgentCommand::SendMessage {
            conversation: id,
            text: "Call <customer.phone>".into(),
            files: Vec::new(),
        })
        .await;
    assert_eq!(refused(unfillable), ErrorCode::InvalidInput);
}
