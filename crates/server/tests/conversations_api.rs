//! Conversations through the admin API: read as agents see them (masked), ended by an
//! administrator — one waiting at once, one held interrupted for its agent to wrap up.

mod support;

use reqwest::Method;
use serde_json::json;
use support::{AdminApi, Customer, Server, accept_offer, available_agent, config};
use switchboard_protocol::EndedBy;
use switchboard_protocol::agent::{AgentCommand, AgentEvent, InteractionState, Outcome};
use switchboard_protocol::customer::CustomerEvent;

#[tokio::test]
async fn a_conversation_is_read_masked_and_ended_waiting_or_held() {
    let server = Server::start(&config(30, 60));
    let admin = AdminApi::new(&server);

    // No one is available: Yan waits, and an administrator ends it.
    let mut yan = Customer::start(&server, "Yan", "Anyone there?").await;
    let CustomerEvent::Started { conversation, .. } = yan
        .expect(|e| matches!(e, CustomerEvent::Started { .. }))
        .await
    else {
        unreachable!()
    };
    let waiting = conversation.0;
    let path = |id: &str| format!("/api/v1/admin/conversations/{id}");
    let (status, read) = admin.call(Method::GET, &path(&waiting), None).await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(
        (read["state"].clone(), read["open"].clone()),
        (json!("waiting"), json!(true))
    );
    let (status, ended) = admin
        .call(Method::POST, &format!("{}/end", path(&waiting)), None)
        .await;
    assert_eq!(
        (status, ended["ended"].clone()),
        (200, json!("ended")),
        "{ended}"
    );
    yan.expect(|e| {
        *e == CustomerEvent::Ended {
            by: EndedBy::System,
        }
    })
    .await;

    // Ann holds Zoë's chat; the administrator reads it — masked — and ends it.
    let mut ann = available_agent(&server, "ann@example.com").await;
    let mut zoe = Customer::start(&server, "Zoë", "Hello").await;
    let chat = accept_offer(&mut ann).await.id;
    zoe.say("my card is 4111 1111 1111 1111").await;
    ann.expect(|e| matches!(e, AgentEvent::Message { .. }))
        .await;
    let (status, read) = admin.call(Method::GET, &path(&chat.0), None).await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(read["state"], "held");
    assert_eq!(read["customer"]["name"], "Zoë");
    let texts: Vec<&str> = read["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|message| message["text"].as_str())
        .collect();
    assert!(texts.contains(&"Hello"), "{texts:?}");
    assert!(!read.to_string().contains("4111 1111 1111 1111"), "{read}");

    let (status, ended) = admin
        .call(Method::POST, &format!("{}/end", path(&chat.0)), None)
        .await;
    assert_eq!(
        (status, ended["ended"].clone()),
        (200, json!("interrupted"))
    );
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
        *e == CustomerEvent::Ended {
            by: EndedBy::System,
        }
    })
    .await;
    let wrap_up = AgentCommand::End {
        conversation: chat.clone(),
        wrap_up: "Resolved".into(),
    };
    assert!(matches!(ann.command(wrap_up).await, Outcome::Ok { .. }));
    let (_, read) = admin.call(Method::GET, &path(&chat.0), None).await;
    assert_eq!(
        (read["state"].clone(), read["open"].clone()),
        (json!("closed"), json!(false))
    );

    let (status, again) = admin
        .call(Method::POST, &format!("{}/end", path(&chat.0)), None)
        .await;
    assert_eq!((status, again["code"].clone()), (404, json!("not_found")));
    let (status, _) = admin.call(Method::GET, &path("nowhere"), None).await;
    assert_eq!(status, 404);
    let (_, log) = admin.call(Method::GET, "/api/v1/admin/audit", None).await;
    let ends = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["action"] == "conversation_ended")
        .count();
    assert_eq!(ends, 2);
}
