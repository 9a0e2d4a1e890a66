//! Contacts at the server's edges: the CSV import command, the admin API, and a live chat
//! matched by e-mail whose agent sees the contact and their recent conversations.

mod support;

use serde_json::{Value, json};
use support::{AdminApi, Agent, Customer, Server, accept_offer, config, import};
use switchboard_protocol::agent::{
    AgentCommand, AgentEvent, ContactCard, Outcome, PresenceRequest,
};

fn contacts_config() -> String {
    format!("{}\n[contacts]\ndefault_region = \"cz\"\n", config(30, 60))
}

/// The contacts whose name matches `search`, by name.
async fn names(api: &AdminApi<'_>, search: &str) -> Vec<String> {
    let (status, found) = api
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/admin/contacts?search={search}"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    found
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_csv_import_names_every_bad_row_and_imports_nothing_unless_all_is_well() {
    let server = Server::start(&contacts_config());
    let api = AdminApi::new(&server);

    let (ok, text) = import(
        &server,
        "name,email,mobile_phone,notes\nZoë Nováková,zoe@example.com,601 234 567,VIP\n,no-name@example.com,,\nBo,bo@,12,\nCy,ZOE@example.com,,\n",
    );
    assert!(!ok, "{text}");
    assert!(text.contains("nothing imported"), "{text}");
    for expected in [
        "row 3: the name",
        "row 4: “bo@” is not an e-mail address",
        "row 4: “12”",
        "row 5: email “zoe@example.com” is also on row 2",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    assert!(
        names(&api, "").await.is_empty(),
        "a bad file imports nothing"
    );

    let (ok, text) = import(
        &server,
        "name,email,mobile_phone,notes,external_id\nZoë Nováková,Zoe@Example.com,601 234 567,\"VIP, prefers SMS\",crm-17\nBo Svensson,,+46 70 123 45 67,,\n",
    );
    assert!(ok, "{text}");
    assert!(text.contains("imported 2 contacts"), "{text}");
    let (_, found) = api
        .call(
            reqwest::Method::GET,
            "/api/v1/admin/contacts?search=zo",
            None,
        )
        .await;
    let zoe = &found[0];
    assert_eq!(zoe["email"], "zoe@example.com");
    assert_eq!(zoe["mobile_phone"], "+420601234567");
    assert_eq!(zoe["notes"], "VIP, prefers SMS");
    assert_eq!(zoe["external_id"], "crm-17");

    // A row that takes a key an existing contact has: named, and nothing of the file imported.
    let (ok, text) = import(
        &server,
        "name,mobile_phone\nNew Person,+46 70 000 00 01\nAlso Zoë,00420 601 234 567\n",
    );
    assert!(!ok, "{text}");
    assert!(
        text.contains("row 3: mobile_phone “+420601234567” belongs to contact"),
        "{text}"
    );
    assert_eq!(names(&api, "").await, ["Bo Svensson", "Zoë Nováková"]);
}

#[tokio::test]
async fn the_admin_api_creates_finds_changes_and_deletes_contacts() {
    let server = Server::start(&contacts_config());
    let api = AdminApi::new(&server);
    use reqwest::Method;

    let anonymous = reqwest::Client::new()
        .get(server.url("/api/v1/admin/contacts"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);

    let (status, created) = api
        .call(
            Method::POST,
            "/api/v1/admin/contacts",
            Some(
                json!({ "name": "Zoë", "email": "zoe@example.com", "mobile_phone": "601 234 567" }),
            ),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["mobile_phone"], "+420601234567");
    let id = created["id"].as_str().unwrap().to_owned();

    let (status, refused) = api
        .call(
            Method::POST,
            "/api/v1/admin/contacts",
            Some(json!({ "name": "", "email": "nope", "mobile_phone": "x" })),
        )
        .await;
    assert_eq!(status, 400);
    let message = refused["message"].as_str().unwrap();
    assert!(
        message.contains("name") && message.contains("“nope”") && message.contains("“x”"),
        "{message}"
    );
    let (status, _) = api
        .call(
            Method::POST,
            "/api/v1/admin/contacts",
            Some(json!({ "name": "Z", "colour": "blue" })),
        )
        .await;
    assert_eq!(status, 400, "unknown fields are refused");
    let (status, conflict) = api
        .call(
            Method::POST,
            "/api/v1/admin/contacts",
            Some(json!({ "name": "Other", "email": "ZOE@example.com" })),
        )
        .await;
    assert_eq!(status, 409);
    assert!(
        conflict["message"].as_str().unwrap().contains(&id),
        "{conflict}"
    );
    assert_eq!(
        names(&api, "").await,
        ["Zoë"],
        "refused requests change nothing"
    );

    let (status, shown) = api
        .call(Method::GET, &format!("/api/v1/admin/contacts/{id}"), None)
        .await;
    assert_eq!((status, shown["name"].as_str()), (200, Some("Zoë")));
    let (status, changed) = api
        .call(
            Method::PUT,
            &format!("/api/v1/admin/contacts/{id}"),
            Some(json!({ "name": "Zoë Nováková", "notes": "Prefers SMS" })),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(
        changed["email"],
        Value::Null,
        "a replacement drops what it does not give"
    );
    assert_eq!(names(&api, "nov").await, ["Zoë Nováková"]);
    let (status, _) = api
        .call(
            Method::PUT,
            "/api/v1/admin/contacts/nobody",
            Some(json!({ "name": "X" })),
        )
        .await;
    assert_eq!(status, 404);

    let (status, _) = api
        .call(
            Method::DELETE,
            &format!("/api/v1/admin/contacts/{id}"),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = api
        .call(Method::GET, &format!("/api/v1/admin/contacts/{id}"), None)
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_chat_from_a_known_e_mail_shows_the_contact_and_their_recent_conversations() {
    let mut server = Server::start(&contacts_config());
    let (ok, text) = import(
        &server,
        "name,email,notes\nZoë Nováková,zoe@example.com,Prefers mornings\n",
    );
    assert!(ok, "{text}");
    let mut ann = Agent::sign_in(&server, "ann@example.com").await;
    let available = ann
        .command(AgentCommand::SetPresence {
            presence: PresenceRequest::Available,
        })
        .await;
    assert!(matches!(available, Outcome::Ok { .. }));

    let mut first = Customer::connect(&server, None).await;
    first
        .start_chat_from("Zoë", Some("ZOE@example.com"), "My parcel is late")
        .await;
    let snapshot = accept_offer(&mut ann).await;
    let first_id = snapshot.id.clone();
    let card: ContactCard = *snapshot
        .contact
        .expect("matched by e-mail, whatever its case");
    assert_eq!(card.name, "Zoë Nováková");
    assert_eq!(card.notes.as_deref(), Some("Prefers mornings"));
    assert!(card.recent.is_empty());
    let ended = ann
        .command(AgentCommand::End {
            conversation: first_id.clone(),
            wrap_up: "Resolved".into(),
        })
        .await;
    assert!(matches!(ended, Outcome::Ok { .. }), "{ended:?}");

    // Someone who gives no e-mail, or an unknown one, is nobody's contact.
    let mut stranger = Customer::connect(&server, None).await;
    stranger
        .start_chat_from("Mo", Some("mo@example.com"), "Hi")
        .await;
    assert_eq!(accept_offer(&mut ann).await.contact, None);

    let mut again = Customer::connect(&server, None).await;
    again
        .start_chat_from("Zoë N.", Some("zoe@example.com"), "Me again")
        .await;
    let snapshot = accept_offer(&mut ann).await;
    let card = snapshot.contact.expect("matched again");
    assert_eq!(card.recent.len(), 1, "{card:?}");
    let past = &card.recent[0];
    assert_eq!(past.id, first_id);
    assert_eq!(past.comment, "My parcel is late");
    assert_eq!(past.wrap_up.as_deref(), Some("Resolved"));
    assert_eq!(past.queue.name, "General enquiries");
    assert!(past.ended_at >= past.started_at);

    // After a crash the open conversation still knows its contact.
    server.kill_and_restart();
    let mut ann = Agent::sign_in(&server, "ann@example.com").await;
    let restored = loop {
        let AgentEvent::Snapshot { conversation } = ann
            .expect(|e| matches!(e, AgentEvent::Snapshot { .. }))
            .await
        else {
            unreachable!()
        };
        if conversation.id == snapshot.id {
            break conversation;
        }
    };
    assert_eq!(
        restored.contact.map(|c| c.name),
        Some("Zoë Nováková".to_owned())
    );
}
