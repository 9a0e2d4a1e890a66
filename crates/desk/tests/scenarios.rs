//! Each scenario SPEC §2 names, produced by the real server, reaching the desk core as the
//! notification it calls for: toasts for escalations (and the other hand-overs), which still open
//! the session when taken.

mod support;

use support::{Customer, Server, available, config, eventually, next_notification};
use switchboard_desk::{Answer, NotificationKind};
use switchboard_protocol::agent::{InteractionState, Scenario};

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
