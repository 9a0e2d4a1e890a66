//! Queues and reasons changed through the admin API: validated as the file is, applied at once
//! (desktops get the new profile, routing the new queue), stored — not written into the file —
//! and kept across a restart and a `SIGHUP`.

mod support;

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use support::{AdminApi, Customer, Server, accepted_chat, config};
use switchboard_protocol::agent::{AgentCommand, Outcome, TransferTarget};
use switchboard_protocol::customer::CustomerOutcome;
use switchboard_testkit::{CUSTOMER_KEY, customer_token};

/// A refusal, as `call` returns it: `400`, naming `key`.
fn refused_naming((status, refused): (u16, Value), key: &str) {
    assert_eq!(status, 400, "{refused}");
    assert!(
        refused["detail"].as_str().unwrap().contains(key),
        "{refused}"
    );
}

async fn reasons(admin: &AdminApi<'_>) -> Value {
    admin
        .call(Method::GET, "/api/v1/admin/reasons", None)
        .await
        .1
}

#[tokio::test]
async fn queues_and_reasons_apply_at_once_and_outlive_a_restart_and_a_hangup() {
    let mut server = Server::start(&config(30, 60));
    let admin = AdminApi::new(&server);
    let file_text = std::fs::read_to_string(server.config_file()).unwrap();
    let (mut ann, _zoe, chat) = accepted_chat(&server).await;

    // Checked whole, as the file is: nothing changes.
    let none = json!({ "wrap_up": [], "idle": ["Lunch"] });
    let answer = admin
        .call(Method::PUT, "/api/v1/admin/reasons", Some(none))
        .await;
    refused_naming(answer, "wrap_up_reasons");
    assert_eq!(
        reasons(&admin).await["wrap_up"],
        json!(["Resolved", "Follow-up needed"])
    );

    let new = json!({ "wrap_up": ["Resolved", "Sold"], "idle": ["Lunch", "Training"] });
    let (status, saved) = admin
        .call(Method::PUT, "/api/v1/admin/reasons", Some(new.clone()))
        .await;
    assert_eq!(status, 200, "{saved}");
    let profile = ann.next_profile().await;
    assert_eq!(profile.wrap_up_reasons, ["Resolved", "Sold"], "at once");

    let endless = json!({ "alert_seconds": 45, "toast_seconds": 0 });
    let answer = admin
        .call(Method::PUT, "/api/v1/admin/profile", Some(endless))
        .await;
    refused_naming(answer, "desktop.toast_seconds");
    let lighter = json!({
        "masking": true, "theme": "light", "alert_seconds": 45, "toast_seconds": 5,
        "customer_returned": "alert",
    });
    let (status, saved) = admin
        .call(Method::PUT, "/api/v1/admin/profile", Some(lighter.clone()))
        .await;
    assert_eq!(status, 200, "{saved}");
    let profile = ann.next_profile().await;
    assert_eq!(
        (
            profile.alert_seconds,
            profile.toast_seconds,
            profile.customer_returned_alert
        ),
        (45, 5, true),
        "at once"
    );

    let billing = json!({ "name": "Billing", "service_target_seconds": 30 });
    let (status, saved) = admin
        .call(Method::PUT, "/api/v1/admin/queues/billing", Some(billing))
        .await;
    assert_eq!(status, 200, "{saved}");
    let (status, refused) = admin
        .call(
            Method::PUT,
            "/api/v1/admin/queues/empty",
            Some(json!({ "name": "x", "service_target_seconds": 0 })),
        )
        .await;
    assert_eq!(status, 400, "{refused}");
    // PostgreSQL refuses a NUL in text: such a name was saved, and its audit entry was lost.
    let unprintable = json!({ "name": "Bill\u{0}ing" });
    let answer = admin
        .call(Method::PUT, "/api/v1/admin/queues/nul", Some(unprintable))
        .await;
    refused_naming(answer, "queues[2].name");
    let escape = json!({ "wrap_up": ["Resolved\u{1b}[2J"], "idle": ["Lunch"] });
    let answer = admin
        .call(Method::PUT, "/api/v1/admin/reasons", Some(escape))
        .await;
    refused_naming(answer, "wrap_up_reasons[0]");
    let transfer = AgentCommand::Transfer {
        conversation: chat,
        to: TransferTarget::Queue {
            queue: "billing".into(),
        },
        note: None,
    };
    let moved = ann.command(transfer).await;
    assert!(
        matches!(moved, Outcome::Ok { .. }),
        "routing knows Billing: {moved:?}"
    );
    let (_, queues) = admin.call(Method::GET, "/api/v1/admin/queues", None).await;
    let ids: Vec<&str> = queues
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|q| q["id"].as_str())
        .collect();
    assert_eq!(ids, ["general", "billing"]);
    assert_eq!(
        std::fs::read_to_string(server.config_file()).unwrap(),
        file_text,
        "the file is left as it was"
    );

    server.restart();
    let admin = AdminApi::new(&server);
    assert_eq!(reasons(&admin).await, new);
    let (_, profile) = admin.call(Method::GET, "/api/v1/admin/profile", None).await;
    assert_eq!(profile, lighter);
    // The file gains a queue and is read again: both the file's change and the API's hold.
    let sales = "[[queues]]\nid = \"sales\"\nname = \"Sales\"\n[workstreams.chat]";
    let changed = file_text.replace("[workstreams.chat]", sales);
    std::fs::write(server.config_file(), changed).unwrap();
    server.hang_up();
    let mut ids = Vec::new();
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let (_, queues) = admin.call(Method::GET, "/api/v1/admin/queues", None).await;
        ids = queues
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["id"].clone())
            .collect();
        if ids.len() == 3 {
            break;
        }
    }
    assert_eq!(ids, [json!("general"), json!("sales"), json!("billing")]);
    assert_eq!(
        reasons(&admin).await,
        new,
        "the file read again, the changes kept"
    );

    let (_, log) = admin.call(Method::GET, "/api/v1/admin/audit", None).await;
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(
        actions.contains(&"reasons_changed")
            && actions.contains(&"queue_saved")
            && actions.contains(&"profile_changed"),
        "{actions:?}"
    );
}

async fn widget_status(server: &Server, widget: &str) -> u16 {
    let url = server.url(&format!("/api/v1/widgets/{widget}"));
    reqwest::get(url).await.unwrap().status().as_u16()
}

#[tokio::test]
async fn widgets_are_added_changed_and_removed_at_once_without_showing_their_key() {
    let mut server = Server::start(&config(30, 60));
    let admin = AdminApi::new(&server);
    let (_, widgets) = admin.call(Method::GET, "/api/v1/admin/widgets", None).await;
    assert_eq!(widgets[0]["id"], "website");
    assert_eq!(widgets[0]["customer_key_set"], false);
    let save_account = |body| admin.call(Method::PUT, "/api/v1/admin/widgets/account", Some(body));

    // A persistent widget needs its key: refused whole, nothing changes.
    let keyless = json!({ "queue": "general", "mode": "persistent" });
    refused_naming(save_account(keyless).await, "customer_key");
    let elsewhere = json!({ "id": "other", "queue": "general" });
    let (status, refused) = save_account(elsewhere).await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(widget_status(&server, "account").await, 404);
    let answer = admin
        .call(
            Method::PUT,
            "/api/v1/admin/widgets/acc%00ount",
            Some(json!({ "queue": "general" })),
        )
        .await;
    refused_naming(answer, "widgets[1].id");

    let persistent = json!({
        "queue": "general", "mode": "persistent", "customer_key": CUSTOMER_KEY,
        "allowed_origins": ["https://shop.example.com"],
    });
    let (status, saved) = save_account(persistent).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(
        (saved["id"].as_str(), saved.get("customer_key")),
        (Some("account"), None)
    );
    assert_eq!(saved["customer_key_set"], true);
    assert_eq!(widget_status(&server, "account").await, 200, "at once");
    let token = customer_token(CUSTOMER_KEY, "customer-1", "Zoë", 3600);
    let mut zoe = Customer::connect(&server, None).await;
    assert_eq!(
        zoe.start_signed_in(&token, "Hello").await,
        CustomerOutcome::Ok,
        "routing knows the widget and its key"
    );

    // Left out, the key stays.
    let with_survey = json!({ "queue": "general", "mode": "persistent", "survey": true });
    let (status, saved) = save_account(with_survey).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(
        (
            saved["survey"].as_bool(),
            saved["customer_key_set"].as_bool()
        ),
        (Some(true), Some(true))
    );

    let (status, _) = admin
        .call(Method::DELETE, "/api/v1/admin/widgets/website", None)
        .await;
    assert_eq!(status, 204);
    assert_eq!(widget_status(&server, "website").await, 404, "at once");
    let (status, refused) = admin
        .call(Method::DELETE, "/api/v1/admin/widgets/website", None)
        .await;
    assert_eq!(status, 404, "{refused}");

    server.restart();
    let admin = AdminApi::new(&server);
    let (_, widgets) = admin.call(Method::GET, "/api/v1/admin/widgets", None).await;
    assert_eq!(widgets.as_array().unwrap().len(), 1, "{widgets}");
    assert_eq!(widgets[0]["id"], "account");
    assert!(!widgets.to_string().contains(CUSTOMER_KEY), "{widgets}");
    assert_eq!(widget_status(&server, "website").await, 404);
    let mut zoe = Customer::connect(&server, None).await;
    assert_eq!(zoe.resume_signed_in(&token).await, CustomerOutcome::Ok);

    let (_, log) = admin.call(Method::GET, "/api/v1/admin/audit", None).await;
    let log = log.to_string();
    assert!(
        log.contains("widget_saved") && log.contains("widget_removed"),
        "{log}"
    );
    assert!(!log.contains(CUSTOMER_KEY));
}
