//! Each scenario SPEC §2 names, produced by the real server, reaching the desk core as the
//! notification it calls for: toasts for escalations, by an agent or by the bot, which still
//! open the session when taken.

mod support;

use support::{Customer, Server, available, config, eventually, next_notification};
use switchboard_desk::{Answer, Author, NotificationKind};
use switchboard_protocol::agent::{InteractionState, Scenario};
use switchboard_testkit::channels::Provider;

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
    let alert = next_notification(&mut ann_updates).await;
    ann.answer(&alert.conversation, Answer::Accept)
        .await
        .unwrap();
    let id = alert.conversation;
    eventually(&ann, "the session", |s| {
        s.conversations.iter().any(|c| c.id == id)
    })
    .await;
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
