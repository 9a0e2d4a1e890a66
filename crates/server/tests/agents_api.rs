//! Agents managed through the admin API: added, changed and removed as the command line does it;
//! a changed queue or capacity routes at once and survives a restart; bad fields change nothing.

mod support;

use reqwest::Method;
use serde_json::{Value, json};
use support::{AdminApi, Agent, Customer, PASSWORD, Server, accept_offer, available_agent, config};

fn with_billing() -> String {
    config(30, 60).replace(
        "[workstreams.chat]",
        "[[queues]]\nid = \"billing\"\nname = \"Billing\"\n[workstreams.chat]",
    )
}

async fn accounts(admin: &AdminApi<'_>) -> Vec<Value> {
    let (status, listed) = admin.call(Method::GET, "/api/v1/admin/agents", None).await;
    assert_eq!(status, 200, "{listed}");
    listed.as_array().unwrap().clone()
}

async fn login_status(server: &Server, email: &str, password: &str) -> u16 {
    let login = json!({ "email": email, "password": password });
    let response = reqwest::Client::new()
        .post(server.url("/api/v1/agent/login"))
        .json(&login)
        .send()
        .await
        .unwrap();
    response.status().as_u16()
}

#[tokio::test]
async fn an_agent_added_changed_and_removed_through_the_api_routes_as_changed_at_once() {
    let mut server = Server::start(&with_billing());
    let admin = AdminApi::new(&server);
    let before = accounts(&admin).await.len();

    // Every problem at once, and nothing added.
    let bad = json!({
        "email": "cleo@example.com", "name": " ", "password": "short",
        "queues": ["nowhere"], "capacity": 0,
    });
    let (status, refused) = admin
        .call(Method::POST, "/api/v1/admin/agents", Some(bad))
        .await;
    assert_eq!(status, 400, "{refused}");
    let message = refused["detail"].as_str().unwrap();
    for says in [
        "name",
        "queues: no queue \"nowhere\"",
        "capacity",
        "password",
    ] {
        assert!(message.contains(says), "{says}: {message}");
    }
    let taken = json!({
        "email": "ANN@example.com", "name": "Ann again", "password": PASSWORD,
        "queues": ["general"],
    });
    let (status, _) = admin
        .call(Method::POST, "/api/v1/admin/agents", Some(taken))
        .await;
    assert_eq!(status, 409, "Ann has that address");
    // A byte no database column takes is bad input, not a server failure.
    let nul = json!({
        "email": "cleo@example.com", "name": "Cle\u{0}o", "password": PASSWORD,
        "queues": ["general"],
    });
    let (status, refused) = admin
        .call(Method::POST, "/api/v1/admin/agents", Some(nul))
        .await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(accounts(&admin).await.len(), before);

    let cleo = json!({
        "email": "cleo@example.com", "name": "Cleo", "password": PASSWORD,
        "queues": ["billing"], "capacity": 1,
    });
    let (status, added) = admin
        .call(Method::POST, "/api/v1/admin/agents", Some(cleo))
        .await;
    assert_eq!(status, 201, "{added}");
    assert_eq!(added["capacity"], 1);
    assert!(added.get("password").is_none() && added.get("password_hash").is_none());
    let id = added["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/admin/agents/{id}");

    // Cleo serves Billing: a chat for General waits.
    let mut cleo = available_agent(&server, "cleo@example.com").await;
    let _zoe = Customer::start(&server, "Zoë", "Hello").await;
    let general = json!({ "queues": ["billing", "general"] });
    let (status, changed) = admin.call(Method::PATCH, &path, Some(general)).await;
    assert_eq!(status, 200, "{changed}");
    let offered = accept_offer(&mut cleo).await;
    assert_eq!(offered.queue.id.0, "general", "offered at once");

    // Capacity 1, and she holds one: the next waits until she has room.
    let _yan = Customer::start(&server, "Yan", "Hi").await;
    let (status, _) = admin
        .call(Method::PATCH, &path, Some(json!({ "capacity": 2 })))
        .await;
    assert_eq!(status, 200);
    accept_offer(&mut cleo).await;

    // Stored: the same after a restart.
    server.restart();
    let admin = AdminApi::new(&server);
    let listed = accounts(&admin).await;
    let stored = listed
        .iter()
        .find(|account| account["id"] == id.as_str())
        .unwrap();
    assert_eq!(stored["queues"], json!(["billing", "general"]));
    assert_eq!(
        (
            stored["capacity"].clone(),
            stored["default_capacity"].clone()
        ),
        (json!(2), json!(false))
    );

    // A new role ends her sessions; a bad change changes nothing.
    let mut cleo = Agent::sign_in(&server, "cleo@example.com").await;
    let (status, _) = admin
        .call(
            Method::PATCH,
            &path,
            Some(json!({ "capacity": 0, "name": "Cleo B" })),
        )
        .await;
    assert_eq!(status, 400);
    let (status, _) = admin
        .call(Method::PATCH, &path, Some(json!({ "role": "supervisor" })))
        .await;
    assert_eq!(status, 200);
    assert!(cleo.closed_by_server().await, "signed out to take the role");
    let mut cleo = Agent::sign_in(&server, "cleo@example.com").await;
    assert_eq!(cleo.role, switchboard_protocol::agent::Role::Supervisor);
    let unchanged = accounts(&admin).await;
    let unchanged = unchanged
        .iter()
        .find(|account| account["id"] == id.as_str())
        .unwrap();
    assert_eq!(unchanged["name"], "Cleo");

    let (status, _) = admin.call(Method::DELETE, &path, None).await;
    assert_eq!(status, 204);
    assert!(cleo.closed_by_server().await);
    assert_eq!(
        login_status(&server, "cleo@example.com", PASSWORD).await,
        401
    );
    let (status, gone) = admin.call(Method::DELETE, &path, None).await;
    assert_eq!((status, gone["code"].clone()), (404, json!("not_found")));

    let (_, log) = admin.call(Method::GET, "/api/v1/admin/audit", None).await;
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["subject"] == "cleo@example.com")
        .filter_map(|entry| entry["action"].as_str())
        .collect();
    for action in [
        "agent_added",
        "agent_changed",
        "role_changed",
        "agent_removed",
    ] {
        assert!(actions.contains(&action), "{action}: {actions:?}");
    }
}
