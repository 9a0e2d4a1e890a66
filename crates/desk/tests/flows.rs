//! The desk core against a real server on loopback with real SQLite: what an agent does all day.

mod support;

use std::sync::Arc;
use std::time::Duration;

use support::{Customer, PASSWORD, Server, available, config, eventually, next_update};
use switchboard_desk::{
    Answer, Author, Bubble, CommandError, ConnectionState, Desk, DeskError, DismissReason,
    NotificationKind, OfflineReason, PresenceError, ProcessSecrets, ReceiptView, SecretStore,
    SignInError, Update,
};
use switchboard_protocol::agent::{InteractionState, PresenceRequest, Scenario, TransferTarget};
use switchboard_protocol::customer::CustomerEvent;
use switchboard_protocol::rules::MAX_MESSAGE_CHARS;
use switchboard_protocol::{ErrorCode, Presence, Sender};

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_alert_accept_chat_and_end_with_a_wrap_up() {
    let server = Server::start(&config(30, 60));
    let ann = server.desk("ann@example.com").await;
    let mut updates = ann.updates();
    available(&ann).await;
    assert_eq!(ann.connection(), ConnectionState::Connected);
    assert_eq!(
        ann.set_presence(PresenceRequest::Available).await,
        Err(DeskError::Presence(PresenceError::Unchanged("Available")))
    );

    let mut zoe = Customer::start(&server, "Zoë Nováková", "Hello").await;
    let alert = next_update(&mut updates, |u| match u {
        Update::Notify { notification } => Some(notification.clone()),
        _ => None,
    })
    .await;
    assert_eq!(alert.scenario, Scenario::IncomingChat);
    assert!(matches!(alert.kind, NotificationKind::Alert { expires_at } if expires_at > 0));
    assert_eq!(
        (alert.customer_name.as_str(), alert.comment.as_str()),
        ("Zoë Nováková", "Hello")
    );
    assert_eq!(alert.queue.as_deref(), Some("General enquiries"));
    assert!(alert.answerable);

    ann.answer(&alert.conversation, Answer::Accept)
        .await
        .unwrap();
    let dismissed = next_update(&mut updates, |u| match u {
        Update::Dismiss { id, reason } => Some((id.clone(), *reason)),
        _ => None,
    })
    .await;
    assert_eq!(dismissed, (alert.id.clone(), DismissReason::Accepted));
    let id = alert.conversation.clone();
    let view = ann.conversation(&id).expect("a session opens on accept");
    assert_eq!(view.title, "Zoë Nováková");
    assert_eq!(view.initials, "ZN");
    assert!(view.accepted_at.is_some());
    assert!(view.actions.transfer && view.actions.end);
    assert_eq!(
        view.details.variables,
        [switchboard_desk::Detail {
            name: "page".into(),
            value: "/pricing".into()
        }]
    );

    ann.send_message(&id, "Hi Zoë, how can I help?")
        .await
        .unwrap();
    zoe.expect(
        |e| matches!(e, CustomerEvent::Message { message } if message.text.starts_with("Hi Zoë")),
    )
    .await;
    zoe.say("My card is 4111 1111 1111 1111").await;
    let bubble = next_update(&mut updates, |u| match u {
        Update::Bubble { bubble, .. } if matches!(bubble.author, Author::Customer { .. }) => {
            Some(bubble.clone())
        }
        _ => None,
    })
    .await;
    assert_eq!(bubble.text, "My card is **** **** **** 1111");
    let task = &ann.snapshot().tasks[0];
    assert_eq!(
        (task.unread, task.preview.as_str()),
        (1, "My card is **** **** **** 1111")
    );
    ann.mark_read(&id);
    assert_eq!(ann.snapshot().tasks[0].unread, 0);

    let refused = ann.send_message(&id, "Use <b>this</b>").await;
    assert!(matches!(refused, Err(DeskError::Draft(e)) if e.code == ErrorCode::ReservedCharacters));
    let too_long = ann.send_message(&id, &"x".repeat(1001)).await;
    assert!(matches!(too_long, Err(DeskError::Draft(e)) if e.code == ErrorCode::MessageTooLong));
    assert_eq!(
        ann.end(&id, "Because").await,
        Err(DeskError::UnknownWrapUp("Because".into()))
    );
    assert_eq!(ann.wrap_up_reasons("res"), ["Resolved"]);
    ann.end(&id, "Resolved").await.unwrap();
    eventually(&ann, "the task gone", |s| s.tasks.is_empty()).await;
    zoe.expect(|e| matches!(e, CustomerEvent::Ended { .. }))
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unanswered_alert_expires_into_rona_until_the_agent_chooses_available() {
    let server = Server::start(&config(1, 60));
    let ann = server.desk("ann@example.com").await;
    let mut updates = ann.updates();
    available(&ann).await;
    let _zoe = Customer::start(&server, "Zoë", "Hello").await;
    let alert = next_update(&mut updates, |u| match u {
        Update::Notify { notification } => Some(notification.clone()),
        _ => None,
    })
    .await;
    let expired = next_update(&mut updates, |u| match u {
        Update::Dismiss { id, reason } => Some((id.clone(), *reason)),
        _ => None,
    })
    .await;
    assert_eq!(expired, (alert.id, DismissReason::Expired));
    eventually(&ann, "RONA", |s| s.presence == Presence::Rona).await;
    assert!(ann.snapshot().alerts.is_empty());

    // Nothing new while in RONA, however long it lasts: the same request waits for her.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(ann.snapshot().alerts.is_empty());
    assert_eq!(ann.snapshot().presence, Presence::Rona);

    ann.set_presence(PresenceRequest::Available).await.unwrap();
    let again = next_update(&mut updates, |u| match u {
        Update::Notify { notification } => Some(notification.clone()),
        _ => None,
    })
    .await;
    assert_eq!(again.conversation, alert.conversation);
    ann.answer_oldest(Answer::Reject).await.unwrap();
    eventually(&ann, "the alert gone", |s| s.alerts.is_empty()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn conference_then_transfer_between_two_desks() {
    let server = Server::start(&config(30, 60));
    let ann = server.desk("ann@example.com").await;
    let bo = server.desk("bo@example.com").await;
    let mut ann_updates = ann.updates();
    available(&ann).await;
    let mut zoe = Customer::start(&server, "Zoë", "Hello").await;
    let alert = next_update(&mut ann_updates, |u| match u {
        Update::Notify { notification } => Some(notification.clone()),
        _ => None,
    })
    .await;
    let id = alert.conversation;
    ann.answer(&id, Answer::Accept).await.unwrap();
    eventually(&ann, "the session", |s| s.conversations.len() == 1).await;

    let mut bo_updates = bo.updates();
    available(&bo).await;
    let agents = ann.available_agents("bo").await.unwrap();
    assert_eq!(agents.len(), 1);
    assert_eq!(ann.available_agents("nobody").await.unwrap(), []);
    let queues = ann.queues("gen").await.unwrap();
    assert_eq!(queues[0].name, "General enquiries");

    ann.invite(&id, &agents[0].id).await.unwrap();
    eventually(&ann, "Conference requested", |s| {
        matches!(
            s.conversations[0].state,
            InteractionState::ConferenceRequested { .. }
        )
    })
    .await;
    let invitation = next_update(&mut bo_updates, |u| match u {
        Update::Notify { notification } => Some(notification.clone()),
        _ => None,
    })
    .await;
    assert_eq!(invitation.scenario, Scenario::Conference);
    assert!(matches!(invitation.kind, NotificationKind::Toast { .. }));
    bo.answer(&id, Answer::Accept).await.unwrap();
    eventually(&ann, "Conference", |s| {
        matches!(
            s.conversations[0].state,
            InteractionState::Conference { .. }
        )
    })
    .await;
    let joined = ann.conversation(&id).unwrap();
    assert!(
        joined
            .bubbles
            .iter()
            .any(|b| b.author == Author::System && b.text == "Bo joined the conversation"),
        "{:?}",
        joined.bubbles
    );
    // A note reaches both agents, marked as a note, and never the customer.
    ann.send_note(&id, "Refund approved by billing")
        .await
        .unwrap();
    let is_note = |b: &Bubble, mine: bool| {
        b.text == "Refund approved by billing"
            && b.author
                == Author::Note {
                    name: "Ann".into(),
                    mine,
                }
    };
    eventually(&bo, "Ann's note", |s| {
        s.conversations[0].bubbles.iter().any(|b| is_note(b, false))
    })
    .await;
    eventually(&ann, "her note", |s| {
        s.conversations[0].bubbles.iter().any(|b| is_note(b, true))
    })
    .await;
    ann.send_message(&id, "Your refund is on its way")
        .await
        .unwrap();
    let first_from_agents = zoe
        .expect(|e| matches!(e, CustomerEvent::Message { message } if !matches!(message.from, Sender::Customer { .. })))
        .await;
    assert!(
        matches!(&first_from_agents, CustomerEvent::Message { message } if message.text == "Your refund is on its way"),
        "the first the customer gets from the agents is the reply, not the note: {first_from_agents:?}"
    );
    bo.exit_conference(&id, "Resolved").await.unwrap();
    eventually(&ann, "back to Active", |s| {
        s.conversations[0].state == InteractionState::Active
    })
    .await;
    eventually(&bo, "Bo's task gone", |s| s.tasks.is_empty()).await;

    let too_long = "x".repeat(MAX_MESSAGE_CHARS + 1);
    let target = TransferTarget::Agent {
        agent: agents[0].id.clone(),
    };
    let refused = ann.transfer(&id, target.clone(), &too_long).await;
    assert!(matches!(refused, Err(DeskError::Draft(_))), "{refused:?}");
    ann.transfer(&id, target, "Wants the invoice resent")
        .await
        .unwrap();
    let transfer = next_update(&mut bo_updates, |u| match u {
        Update::Notify { notification } if notification.scenario == Scenario::Transferred => {
            Some(notification.clone())
        }
        _ => None,
    })
    .await;
    assert_eq!(transfer.comment, "Wants the invoice resent");
    bo.answer(&transfer.conversation, Answer::Accept)
        .await
        .unwrap();
    eventually(&bo, "Bo holds it", |s| s.conversations.len() == 1).await;
    eventually(&ann, "Ann wraps up", |s| {
        s.conversations
            .iter()
            .all(|c| matches!(c.state, InteractionState::Transferred { .. }) || c.actions.end)
    })
    .await;
    if ann.snapshot().tasks.len() == 1 {
        ann.end(&id, "Resolved").await.unwrap();
    }
    eventually(&ann, "Ann's task gone", |s| s.tasks.is_empty()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_server_comes_back_with_every_message_present_once() {
    let mut server = Server::start(&config(30, 60));
    let ann = server.desk("ann@example.com").await;
    let mut updates = ann.updates();
    available(&ann).await;
    let mut zoe = Customer::start(&server, "Zoë", "Hello").await;
    let alert = next_update(&mut updates, |u| match u {
        Update::Notify { notification } => Some(notification.clone()),
        _ => None,
    })
    .await;
    let id = alert.conversation;
    ann.answer(&id, Answer::Accept).await.unwrap();
    for n in 1..=5 {
        zoe.say(&format!("before {n}")).await;
    }
    let token = zoe.token.clone().unwrap();
    let seen = zoe.last_seq;
    server.kill_and_restart();
    support::reconnecting(&mut updates).await;
    let mut zoe = Customer::connect(&server, Some((&token, seen))).await;
    for n in 1..=5 {
        zoe.say(&format!("after {n}")).await;
    }
    let expected: Vec<String> = std::iter::once("Hello".to_owned())
        .chain((1..=5).map(|n| format!("before {n}")))
        .chain((1..=5).map(|n| format!("after {n}")))
        .collect();
    eventually(&ann, "every message once, in order", |s| {
        s.connection == ConnectionState::Connected
            && s.conversations.first().is_some_and(|c| {
                let customer: Vec<&str> = c
                    .bubbles
                    .iter()
                    .filter(|b| matches!(b.author, Author::Customer { .. }))
                    .map(|b| b.text.as_str())
                    .collect();
                customer == expected
            })
    })
    .await;
    assert_eq!(ann.snapshot().presence, Presence::Available);
}

#[tokio::test(flavor = "multi_thread")]
async fn commands_wait_through_a_short_outage_and_sign_out_forgets_the_token() {
    let mut server = Server::start(&config(30, 60));
    let secrets = Arc::new(ProcessSecrets::default());
    let ann = Desk::sign_in(&server.url(), "ann@example.com", PASSWORD, secrets.clone())
        .await
        .unwrap();
    let account = ann.session_account();
    assert!(secrets.load(&account).unwrap().is_some());
    available(&ann).await;
    server.kill_and_restart();
    // Sent whatever the connection's state: queued, then carried out once connected again.
    ann.set_presence(PresenceRequest::Idle {
        reason: "Lunch".into(),
    })
    .await
    .unwrap();
    eventually(&ann, "Idle", |s| {
        s.presence
            == Presence::Idle {
                reason: "Lunch".into(),
            }
    })
    .await;
    ann.sign_out().await.unwrap();
    assert_eq!(secrets.load(&account).unwrap(), None);
    eventually(&ann, "signed out", |s| {
        matches!(s.connection, ConnectionState::Offline { .. })
    })
    .await;
    assert_eq!(
        ann.set_presence(PresenceRequest::Available).await,
        Err(DeskError::Command(CommandError::SignedOut))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn signing_in_at_start_waits_for_a_server_that_comes_up_later() {
    let address = support::free_address();
    let url = format!("http://{address}");
    let starting = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        Server::start_on(&config(30, 60), address)
    });
    let mut waits = 0;
    let signing_in = Desk::sign_in_at_start(
        &url,
        "ann@example.com",
        PASSWORD,
        Arc::new(ProcessSecrets::default()),
        support::PATIENCE,
        || waits += 1,
    );
    let ann = signing_in.await.expect("signed in once the server is up");
    let _server = starting.join().unwrap();
    assert!(waits > 0, "it waited for the server");
    assert_eq!(ann.agent().email, "ann@example.com");
    available(&ann).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn signing_in_at_start_gives_up_on_an_unreachable_server_or_at_once_on_a_refusal() {
    let nowhere = format!("http://{}", support::free_address());
    let secrets: Arc<ProcessSecrets> = Arc::default();
    let gave_up = Desk::sign_in_at_start(
        &nowhere,
        "ann@example.com",
        PASSWORD,
        secrets.clone(),
        Duration::from_millis(600),
        || {},
    )
    .await;
    assert!(matches!(gave_up, Err(SignInError::Unreachable)));

    let server = Server::start(&config(30, 60));
    let mut waits = 0;
    let refused = Desk::sign_in_at_start(
        &server.url(),
        "ann@example.com",
        "not the password",
        secrets,
        support::PATIENCE,
        || waits += 1,
    )
    .await;
    assert!(matches!(refused, Err(SignInError::WrongCredentials)));
    assert_eq!(waits, 0, "a refusal is an answer, not a reason to wait");

    // Guessing on: the server makes the account wait, and the window is told for how long.
    let mut outcomes = Vec::new();
    for _ in 0..6 {
        let url = switchboard_desk::server_urls(&server.url()).unwrap();
        outcomes.push(switchboard_desk::sign_in(&url, "ann@example.com", "guess").await);
    }
    let Some(Err(throttled)) = outcomes.last() else {
        panic!("{outcomes:?}")
    };
    assert_eq!(throttled.code(), "throttled", "{throttled}");
    assert!(matches!(throttled, SignInError::Throttled(seconds) if *seconds >= 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn opening_a_notification_accepts_the_offer_it_is_about_and_nothing_more() {
    let server = Server::start(&config(30, 60));
    let ann = server.desk("ann@example.com").await;
    let mut updates = ann.updates();
    available(&ann).await;
    let _zoe = Customer::start(&server, "Zoë", "Hello").await;
    let offer = next_update(&mut updates, |u| match u {
        Update::Notify { notification } => Some(notification.conversation.clone()),
        _ => None,
    })
    .await;

    ann.open(&offer).await.unwrap();
    eventually(&ann, "the conversation held", |s| {
        s.conversations.iter().any(|c| c.id == offer)
    })
    .await;
    // Opening again (a held conversation, no offer waiting) changes nothing.
    ann.open(&offer).await.unwrap();
    assert!(ann.snapshot().alerts.is_empty());
    assert!(ann.conversation(&offer).is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_known_contact_brings_notes_and_recent_conversations_masked_to_the_summary() {
    let server = Server::start(&format!(
        "{}\n[contacts]\ndefault_region = \"CZ\"\n",
        config(30, 60)
    ));
    support::create_contact(
        &server,
        serde_json::json!({
            "name": "Zoë Nováková",
            "email": "zoe@example.com",
            "mobile_phone": "601 234 567",
            "notes": "Paid with 4111 1111 1111 1111 last time",
        }),
    )
    .await;
    let ann = server.desk("ann@example.com").await;
    let mut updates = ann.updates();
    available(&ann).await;

    let accept_next = |updates: &mut tokio::sync::broadcast::Receiver<Update>| {
        let updates = updates.resubscribe();
        let ann = ann.clone();
        async move {
            let mut updates = updates;
            let alert = next_update(&mut updates, |u| match u {
                Update::Notify { notification } => Some(notification.clone()),
                _ => None,
            })
            .await;
            ann.answer(&alert.conversation, Answer::Accept)
                .await
                .unwrap();
            eventually(&ann, "the session", |s| {
                s.conversations.iter().any(|c| c.id == alert.conversation)
            })
            .await;
            ann.conversation(&alert.conversation).unwrap()
        }
    };
    let mut zoe = Customer::connect(&server, None).await;
    let first = accept_next(&mut updates);
    zoe.start_chat_from(
        "Zoe",
        Some("zoe@example.com"),
        "My card 4111 1111 1111 1111 was charged twice",
    )
    .await;
    let view = first.await;
    let summary = &view.summary;
    assert!(summary.known_contact);
    assert_eq!(
        summary.name, "Zoë Nováková",
        "the contact's name, not the one typed"
    );
    assert_eq!(
        summary.notes.as_deref(),
        Some("Paid with **** **** **** 1111 last time")
    );
    assert!(
        summary
            .phone
            .as_deref()
            .is_some_and(|p| !p.contains("601234")),
        "{summary:?}"
    );
    assert!(summary.recent.is_empty());
    ann.end(&view.id, "Resolved").await.unwrap();

    let mut again = Customer::connect(&server, None).await;
    let second = accept_next(&mut updates);
    again
        .start_chat_from("Zoë", Some("zoe@example.com"), "Hello again")
        .await;
    let view = second.await;
    let recent = &view.summary.recent;
    assert_eq!(recent.len(), 1, "{recent:?}");
    assert_eq!(
        recent[0].comment,
        "My card **** **** **** 1111 was charged twice"
    );
    assert_eq!(recent[0].wrap_up.as_deref(), Some("Resolved"));
    assert_eq!(recent[0].queue, "General enquiries");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_session_ended_on_the_server_takes_the_desk_offline_and_signing_out_ends_it_there() {
    let server = Server::start(&config(30, 60));
    let ann = server.desk("ann@example.com").await;
    available(&ann).await;
    let admin = support::admin_token(&server).await;
    let signed_out = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/admin/agents/{}/sign-out",
            server.url(),
            ann.agent().id
        ))
        .bearer_auth(admin)
        .json(&serde_json::json!({ "reason": "signed_out" }))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), 200);
    eventually(&ann, "the desk is offline, its session ended", |desk| {
        desk.connection
            == ConnectionState::Offline {
                reason: OfflineReason::SessionRevoked,
            }
    })
    .await;

    // The desktop's Sign out ends the session on the server before forgetting the token.
    let secrets = Arc::new(ProcessSecrets::default());
    let bo = Desk::sign_in(&server.url(), "bo@example.com", PASSWORD, secrets.clone())
        .await
        .unwrap();
    let account = switchboard_desk::account(
        &switchboard_desk::server_url(&server.url()).unwrap(),
        "bo@example.com",
    );
    let token = secrets.load(&account).unwrap().expect("the token is kept");
    bo.sign_out().await.unwrap();
    assert_eq!(secrets.load(&account).unwrap(), None);
    let logout = reqwest::Client::new()
        .post(format!("{}/api/v1/agent/logout", server.url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 401, "the session was already ended");
}

#[tokio::test(flavor = "multi_thread")]
async fn typing_shows_both_ways_until_the_message_arrives_then_seen_under_the_reply() {
    let server = Server::start(&config(30, 60));
    let ann = server.desk("ann@example.com").await;
    let mut updates = ann.updates();
    available(&ann).await;
    let mut zoe = Customer::start(&server, "Zoë", "Hello").await;
    let offer = next_update(&mut updates, |u| match u {
        Update::Notify { notification } => Some(notification.conversation.clone()),
        _ => None,
    })
    .await;
    ann.answer(&offer, Answer::Accept).await.unwrap();
    eventually(&ann, "the conversation held", |s| s.tasks.len() == 1).await;

    let typing_of = |u: &Update| match u {
        Update::Typing {
            conversation,
            until,
        } if *conversation == offer => Some(*until),
        _ => None,
    };
    zoe.send_typing(true).await;
    let until = next_update(&mut updates, typing_of).await;
    assert!(until.is_some_and(|until| until > switchboard_desk::now()));
    assert_eq!(ann.snapshot().tasks[0].typing_until, until);
    zoe.say("Are you there?").await;
    let stopped = next_update(&mut updates, typing_of).await;
    assert_eq!(stopped, None, "what she typed has arrived");
    // The desktop has her first message (with the conversation) and this one: she is told.
    zoe.expect(|e| *e == CustomerEvent::Received { up_to: 2 })
        .await;

    // The agent's draft: said once however fast they type, and stopped when it is sent.
    ann.drafted(&offer, false);
    ann.drafted(&offer, false);
    assert_eq!(zoe.expect_typing().await, ("Ann".to_owned(), true));
    ann.send_message(&offer, "Yes, here").await.unwrap();
    assert_eq!(zoe.expect_typing().await, ("Ann".to_owned(), false));
    let CustomerEvent::Message { message: reply } = zoe
        .expect(|e| matches!(e, CustomerEvent::Message { message } if message.text == "Yes, here"))
        .await
    else {
        unreachable!()
    };

    // Her widget showed it: "Seen" under Ann's reply.
    zoe.send_receipt(reply.id, true).await;
    let seen = Some(ReceiptView {
        message: reply.id,
        seen: true,
    });
    eventually(&ann, "Seen under the reply", |s| {
        s.conversations[0].receipt == seen
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_template_is_found_inserted_and_sent_with_what_only_the_server_may_fill() {
    let templates = "
[[templates]]
name = \"Greeting\"
shortcut = \"hi\"
text = \"Hello <customer.first_name>, I will confirm to <customer.email>.\"
translations = { cs = \"Dobrý den <customer.first_name>, potvrdím na <customer.email>.\" }
";
    let server = Server::start(&format!("{}{templates}", config(30, 60)));
    let ann = server.desk("ann@example.com").await;
    let mut updates = ann.updates();
    available(&ann).await;
    let mut zoe = Customer::connect(&server, None).await;
    zoe.start_chat_from("Zoë Nováková", Some("zoe.novakova@example.com"), "Hello")
        .await;
    let offer = next_update(&mut updates, |u| match u {
        Update::Notify { notification } => Some(notification.conversation.clone()),
        _ => None,
    })
    .await;
    ann.answer(&offer, Answer::Accept).await.unwrap();
    eventually(&ann, "the conversation held", |s| {
        s.conversations.len() == 1
    })
    .await;

    let found = ann.templates(&offer, "GREET");
    assert_eq!(found.len(), 1, "{found:?}");
    let inserted = ann.insert_template(&offer, "hi").unwrap();
    assert_eq!(
        inserted, "Hello Zoë, I will confirm to <customer.email>.",
        "the e-mail address is the server's to fill"
    );
    ann.send_message(&offer, &inserted).await.unwrap();
    zoe.expect(|e| matches!(e, CustomerEvent::Message { message } if message.text == "Hello Zoë, I will confirm to zoe.novakova@example.com."))
        .await;
    eventually(&ann, "the reply, masked", |s| {
        s.conversations[0]
            .bubbles
            .iter()
            .any(|b| b.text.starts_with("Hello Zoë") && !b.text.contains("zoe.novakova@"))
    })
    .await;
}
