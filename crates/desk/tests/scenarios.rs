//! Each scenario SPEC §2 names, produced by the real server, reaching the desk core as the
//! notification it calls for: toasts for an assignment, escalations (by an agent or by the bot),
//! a returning persistent-chat customer and an accepted invitation, which open the session.

mod support;

use support::{
    Customer, Server, accept_next, admin_token, available, config, eventually, next_notification,
};
use switchboard_desk::{Answer, Author, NotificationKind, Origin};
use switchboard_protocol::agent::{InteractionState, PresenceRequest, Scenario};
use switchboard_protocol::customer::{CustomerCommand, CustomerEvent, CustomerOutcome};
use switchboard_testkit::channels::Provider;
use switchboard_testkit::{CUSTOMER_KEY, customer_token, persistent_widget, start_chat};

/// The test server, with an escalation queue served by Sue.
fn with_supervisors() -> String {
    format!(
        r#"{}
[[queues]]
id = "supervisors"
name = "Supervisors"
escalation = true
[[demo_agents]]
email = "sue@example.com"
name = "Sue"
password = "{}"
queues = ["supervisors"]
"#,
        config(30, 60),
        support::PASSWORD
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn an_escalated_conversation_reaches_the_escalation_queue_as_a_toast_with_the_reason() {
    let server = Server::start(&with_supervisors());
    let ann = server.desk("ann@example.com").await;
    let sue = server.desk("sue@example.com").await;
    let mut ann_updates = ann.updates();
    let mut sue_updates = sue.updates();
    available(&ann).await;
    available(&sue).await;

    let _zoe = Customer::start(&server, "Zoë", "I want my money back").await;
    let id = accept_next(&ann, &mut ann_updates).await;
    let queues = ann.queues("").await.unwrap();
    let supervisors = queues
        .iter()
        .find(|q| q.escalation)
        .expect("an escalation queue");
    assert!(
        !queues
            .iter()
            .find(|q| q.id.0 == "general")
            .unwrap()
            .escalation
    );
    ann.escalate(&id, &supervisors.id, "Refund above my limit")
        .await
        .unwrap();

    let toast = next_notification(&mut sue_updates).await;
    assert_eq!(toast.scenario, Scenario::Escalated);
    assert!(matches!(toast.kind, NotificationKind::Toast { .. }));
    assert_eq!(toast.comment, "Refund above my limit");
    assert_eq!(toast.queue.as_deref(), Some("Supervisors"));
    assert!(toast.answerable);
    eventually(&ann, "Ann's part transferred", |s| {
        s.conversations
            .iter()
            .any(|c| c.id == id && matches!(c.state, InteractionState::Transferred { .. }))
    })
    .await;
    sue.answer(&id, Answer::Accept).await.unwrap();
    eventually(&sue, "Sue's session", |s| {
        s.conversations.iter().any(|c| c.id == id)
    })
    .await;
    let view = sue.conversation(&id).unwrap();
    assert!(
        view.bubbles
            .iter()
            .any(|b| b.text
                == "Ann escalated the conversation to Supervisors: Refund above my limit")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bot_hand_over_reaches_the_desk_as_a_toast_with_the_bot_transcript_in_the_session() {
    let bot = Provider::start().await;
    bot.script(&[(
        200,
        serde_json::json!([
            { "recipient_id": "x", "text": "I cannot change card 4111 1111 1111 1111 myself." },
            { "recipient_id": "x", "custom": { "handoff": { "reason": "Card change" } } }
        ]),
    )]);
    let server = Server::start(&config(30, 60).replace(
        "[workstreams.chat]\n",
        &format!("[workstreams.chat]\nbot = \"{}\"\n", bot.url),
    ));
    let ann = server.desk("ann@example.com").await;
    let mut updates = ann.updates();
    available(&ann).await;
    let _zoe = Customer::start(&server, "Zoë", "Please change my card").await;

    let toast = next_notification(&mut updates).await;
    assert_eq!(toast.scenario, Scenario::EscalatedFromBot);
    assert!(matches!(toast.kind, NotificationKind::Toast { .. }));
    assert_eq!(toast.comment, "Card change");
    let id = toast.conversation.clone();
    ann.open(&id).await.unwrap();
    eventually(&ann, "the session", |s| {
        s.conversations.iter().any(|c| c.id == id)
    })
    .await;
    let view = ann.conversation(&id).unwrap();
    let bot_lines: Vec<(&Author, &str)> = view
        .bubbles
        .iter()
        .filter(|b| matches!(b.author, Author::Bot { .. }))
        .map(|b| (&b.author, b.text.as_str()))
        .collect();
    assert_eq!(
        bot_lines,
        [(
            &Author::Bot {
                name: "Assistant".into()
            },
            "I cannot change card **** **** **** 1111 myself."
        )]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_returning_persistent_customer_comes_back_to_their_agent_as_a_toast() {
    let server = Server::start(&(config(30, 60) + &persistent_widget()));
    let ann = server.desk("ann@example.com").await;
    let mut updates = ann.updates();
    available(&ann).await;
    let mut zoe = Customer::connect(&server, None).await;
    let token = customer_token(CUSTOMER_KEY, "customer-1", "Zoë Nováková", 3600);
    zoe.start_signed_in(&token, "Where is my order?").await;
    let id = accept_next(&ann, &mut updates).await;
    assert!(ann.conversation(&id).unwrap().actions.park);
    ann.park(&id).await.unwrap();
    eventually(&ann, "the conversation off the list", |s| {
        s.conversations.iter().all(|c| c.id != id)
    })
    .await;

    zoe.say("It did not arrive").await;
    let toast = next_notification(&mut updates).await;
    assert_eq!(toast.scenario, Scenario::CustomerReturned);
    assert!(matches!(toast.kind, NotificationKind::Toast { .. }));
    assert_eq!(toast.conversation, id);
    assert_eq!(toast.customer_name, "Zoë Nováková");
    // Selecting the toast takes the conversation back, history and all.
    ann.open(&id).await.unwrap();
    eventually(&ann, "the session back", |s| {
        s.conversations.iter().any(|c| c.id == id)
    })
    .await;
    let texts: Vec<String> = ann
        .conversation(&id)
        .unwrap()
        .bubbles
        .iter()
        .map(|b| b.text.clone())
        .collect();
    assert_eq!(
        texts,
        [
            "Where is my order?",
            "Ann moved the conversation to waiting",
            "It did not arrive"
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_accepted_invitation_reaches_the_desk_as_proactive_with_its_page_details() {
    let config = config(30, 60).replace(
        "id = \"website\"\nqueue = \"general\"\n",
        "id = \"website\"\nqueue = \"general\"\nproactive = true\n",
    );
    let server = Server::start(&config);
    let ann = server.desk("ann@example.com").await;
    let mut updates = ann.updates();
    available(&ann).await;
    let mut zoe = Customer::connect(&server, None).await;
    let page = [
        ("Page URL", "https://shop.example.com/pricing"),
        ("Time on page", "42 s"),
    ];
    let mut invited = start_chat("website", "Zoë", None, "Which plan has SSO?", &page);
    if let CustomerCommand::StartChat { proactive, .. } = &mut invited {
        *proactive = true;
    }
    assert_eq!(zoe.command(invited).await, CustomerOutcome::Ok);

    let toast = next_notification(&mut updates).await;
    assert_eq!(toast.scenario, Scenario::ProactiveAccepted);
    assert!(matches!(toast.kind, NotificationKind::Toast { .. }));
    assert!(toast.proactive);
    ann.open(&toast.conversation).await.unwrap();
    eventually(&ann, "the session", |s| {
        s.conversations.iter().any(|c| c.id == toast.conversation)
    })
    .await;
    let view = ann.conversation(&toast.conversation).unwrap();
    assert!(view.proactive);
    assert_eq!(view.details.origin, Origin::Proactive);
    let details: Vec<(&str, &str)> = view
        .details
        .variables
        .iter()
        .map(|d| (d.name.as_str(), d.value.as_str()))
        .collect();
    assert_eq!(
        details,
        [
            ("Page URL", "https://shop.example.com/pricing"),
            ("Time on page", "42 s")
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_conversation_a_supervisor_assigns_is_the_agents_at_once_announced_by_a_toast() {
    let server = Server::start(&config(30, 60));
    let ann = server.desk("ann@example.com").await;
    let mut updates = ann.updates();
    available(&ann).await;
    // At lunch: nothing is offered to Ann.
    ann.set_presence(PresenceRequest::Idle {
        reason: "Lunch".into(),
    })
    .await
    .unwrap();
    let mut zoe = Customer::start(&server, "Zoë", "Please have Ann call me").await;
    let CustomerEvent::Started { conversation, .. } = zoe
        .expect(|e| matches!(e, CustomerEvent::Started { .. }))
        .await
    else {
        unreachable!()
    };
    let token = admin_token(&server).await;
    let assign = |agent: &str| {
        reqwest::Client::new()
            .post(format!(
                "{}/api/v1/admin/conversations/{conversation}/assign",
                server.url()
            ))
            .bearer_auth(&token)
            .json(&serde_json::json!({ "agent": agent }))
            .send()
    };
    assert_eq!(assign("nobody@example.com").await.unwrap().status(), 404);
    assert_eq!(assign("ann@example.com").await.unwrap().status(), 200);

    let toast = next_notification(&mut updates).await;
    assert_eq!(toast.scenario, Scenario::Assigned);
    assert!(matches!(toast.kind, NotificationKind::Toast { .. }));
    assert_eq!(toast.conversation, conversation);
    assert_eq!(toast.customer_name, "Zoë");
    eventually(&ann, "the assigned session", |s| {
        s.conversations.iter().any(|c| c.id == conversation)
    })
    .await;
    zoe.expect(|e| matches!(e, CustomerEvent::AgentJoined { .. }))
        .await;
    // Held now: it cannot be assigned again.
    assert_eq!(assign("ann@example.com").await.unwrap().status(), 409);
}
