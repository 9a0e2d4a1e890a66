//! The administration commands, run as an administrator runs them.

mod support;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use reqwest::Method;
use serde_json::json;
use support::{AdminApi, Agent, Server, config};
use switchboard_protocol::agent::AgentEvent;

fn admin(server: &Server, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_switchboard-server"))
        .args(args)
        .arg("--config")
        .arg(server.dir.path().join("config.toml"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command that needs no password may exit before reading it.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

async fn login_status(server: &Server, email: &str, password: &str) -> u16 {
    reqwest::Client::new()
        .post(server.url("/api/v1/agent/login"))
        .json(&serde_json::json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn agents_are_added_listed_given_a_new_password_and_removed() {
    let server = Server::start(&config(30, 60));
    let add = [
        "agent",
        "add",
        "--email",
        "dana@example.com",
        "--name",
        "Dana Wójcik",
        "--queues",
        "general",
    ];
    let added = admin(&server, &add, "first-password\n");
    assert!(added.status.success(), "{}", text(&added));
    assert_eq!(
        login_status(&server, "dana@example.com", "first-password").await,
        200,
        "the running server signs her in"
    );

    let again = admin(&server, &add, "first-password\n");
    assert!(!again.status.success());
    assert!(text(&again).contains("already exists"), "{}", text(&again));
    let short = admin(
        &server,
        &[
            "agent",
            "add",
            "--email",
            "x@example.com",
            "--name",
            "X",
            "--queues",
            "general",
        ],
        "short\n",
    );
    assert!(
        text(&short).contains("at least 8 characters"),
        "{}",
        text(&short)
    );
    let no_queue = admin(
        &server,
        &[
            "agent",
            "add",
            "--email",
            "y@example.com",
            "--name",
            "Y",
            "--queues",
            "nowhere",
        ],
        "long-enough\n",
    );
    assert!(
        text(&no_queue).contains("no queue \"nowhere\""),
        "{}",
        text(&no_queue)
    );

    let supervisor = admin(
        &server,
        &[
            "agent",
            "add",
            "--email",
            "eva@example.com",
            "--name",
            "Eva",
            "--queues",
            "general",
            "--role",
            "supervisor",
        ],
        "long-enough\n",
    );
    assert!(supervisor.status.success(), "{}", text(&supervisor));
    let no_role = admin(
        &server,
        &[
            "agent",
            "set-role",
            "--email",
            "eva@example.com",
            "--role",
            "boss",
        ],
        "",
    );
    assert!(!no_role.status.success());
    assert!(
        text(&no_role).contains("no role \"boss\""),
        "{}",
        text(&no_role)
    );

    let list = admin(&server, &["agent", "list"], "");
    assert!(
        text(&list).contains("dana@example.com\tDana Wójcik\tagent\tgeneral\tcapacity 3"),
        "{}",
        text(&list)
    );
    assert!(
        text(&list).contains("eva@example.com\tEva\tsupervisor\tgeneral"),
        "{}",
        text(&list)
    );

    let reset = admin(
        &server,
        &["agent", "set-password", "--email", "dana@example.com"],
        "second-password\n",
    );
    assert!(reset.status.success(), "{}", text(&reset));
    assert_eq!(
        login_status(&server, "dana@example.com", "first-password").await,
        401
    );
    assert_eq!(
        login_status(&server, "dana@example.com", "second-password").await,
        200
    );

    let removed = admin(
        &server,
        &["agent", "remove", "--email", "dana@example.com"],
        "",
    );
    assert!(removed.status.success(), "{}", text(&removed));
    assert_eq!(
        login_status(&server, "dana@example.com", "second-password").await,
        401
    );
}

#[test]
fn a_bad_configuration_is_refused_naming_the_file_key_and_problem() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.toml");
    std::fs::write(&path, "wrap_up_reasons = []\nidle_reasons = [\"Lunch\"]\n[[queues]]\nid = \"general\"\nname = \"General\"\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_switchboard-server"))
        .args(["serve", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(
        message.contains("broken.toml: wrap_up_reasons: at least one reason is needed"),
        "{message}"
    );
}

#[tokio::test]
async fn templates_added_through_the_api_reach_desktops_at_once_and_survive_a_restart() {
    let configured = "\n[[templates]]\nname = \"Greeting\"\nshortcut = \"hi\"\ntext = \"Hello\"\n";
    let mut server = Server::start(&(config(30, 60) + configured));
    let mut ann = Agent::sign_in(&server, "ann@example.com").await;
    let shortcuts = |event: &AgentEvent| match event {
        AgentEvent::Profile { profile } => Some(
            profile
                .templates
                .iter()
                .map(|t| t.shortcut.clone())
                .collect::<Vec<_>>(),
        ),
        _ => None,
    };
    let profile = ann.expect(|e| shortcuts(e).is_some()).await;
    assert_eq!(shortcuts(&profile).unwrap(), ["hi"]);

    let api = AdminApi::new(&server);
    let put = |body: serde_json::Value| {
        let api = &api;
        async move {
            api.call(
                reqwest::Method::PUT,
                "/api/v1/admin/templates/refund",
                Some(body),
            )
            .await
        }
    };
    let (status, refused) =
        put(json!({ "name": "Refund", "text": "Sent to <customer.shoe_size>" })).await;
    assert_eq!(status, 400);
    let message = refused["message"].as_str().unwrap();
    assert!(
        message.starts_with("text: ") && message.contains("<customer.shoe_size>"),
        "{message}"
    );
    let (status, _) = api
        .call(
            reqwest::Method::PUT,
            "/api/v1/admin/templates/hi",
            Some(json!({ "name": "Hi", "text": "Hi" })),
        )
        .await;
    assert_eq!(status, 409, "the file's templates are changed in the file");

    let (status, _) = put(json!({
        "name": "Refund",
        "text": "Your refund is on its way, <customer.first_name>.",
        "translations": { "cs": "Peníze jsou na cestě, <customer.first_name>." },
        "queues": ["general"],
    }))
    .await;
    assert_eq!(status, 200);
    let profile = ann
        .expect(|e| shortcuts(e).is_some_and(|s| s.len() == 2))
        .await;
    assert_eq!(shortcuts(&profile).unwrap(), ["hi", "refund"], "at once");
    let (_, listed) = api
        .call(reqwest::Method::GET, "/api/v1/admin/templates", None)
        .await;
    assert_eq!(
        listed["added"][0]["translations"]["cs"],
        "Peníze jsou na cestě, <customer.first_name>."
    );

    server.kill_and_restart();
    let mut ann = Agent::sign_in(&server, "ann@example.com").await;
    let profile = ann.expect(|e| shortcuts(e).is_some()).await;
    assert_eq!(
        shortcuts(&profile).unwrap(),
        ["hi", "refund"],
        "after a restart"
    );

    let api = AdminApi::new(&server);
    let remove = || {
        api.call(
            reqwest::Method::DELETE,
            "/api/v1/admin/templates/refund",
            None,
        )
    };
    assert_eq!(remove().await.0, 200);
    let profile = ann
        .expect(|e| shortcuts(e).is_some_and(|s| s.len() == 1))
        .await;
    assert_eq!(shortcuts(&profile).unwrap(), ["hi"]);
    assert_eq!(remove().await.0, 404, "removed already");
}

#[tokio::test]
async fn every_administrative_action_is_in_the_audit_log_with_who_and_from_where() {
    let server = Server::start(&config(30, 60));
    let dana = [
        "agent",
        "add",
        "--email",
        "dana@example.com",
        "--name",
        "Dana",
        "--queues",
        "general",
        "--role",
        "supervisor",
    ];
    for (args, stdin) in [
        (&dana[..], "first-password\n"),
        (
            &[
                "agent",
                "set-role",
                "--email",
                "dana@example.com",
                "--role",
                "agent",
            ][..],
            "",
        ),
        (
            &["agent", "set-password", "--email", "dana@example.com"][..],
            "second-password\n",
        ),
    ] {
        let done = admin(&server, args, stdin);
        assert!(done.status.success(), "{}", text(&done));
    }
    let (imported, printed) = support::import(&server, "name,email\nZoë Weiss,zoe@example.com\n");
    assert!(imported, "{printed}");
    let api = AdminApi::new(&server);
    let template = json!({ "name": "Thanks", "text": "Thank you!" });
    let (saved, _) = api
        .call(
            Method::PUT,
            "/api/v1/admin/templates/thanks",
            Some(template),
        )
        .await;
    assert_eq!(saved, 200);

    // Newest first: who, from where, what, to what, and the rest.
    let log = admin(&server, &["audit"], "");
    assert!(log.status.success(), "{}", text(&log));
    let log = String::from_utf8_lossy(&log.stdout).into_owned();
    let lines: Vec<Vec<&str>> = log
        .lines()
        .map(|line| line.split('\t').skip(1).collect())
        .collect();
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown user".into());
    let command_line = format!("command line ({user})");
    let expected: Vec<Vec<&str>> = vec![
        vec![
            "admin API",
            "127.0.0.1",
            "template_saved",
            "thanks",
            "Thanks",
        ],
        vec![
            &command_line,
            "this machine",
            "contacts_imported",
            "",
            "1 contact",
        ],
        vec![
            "admin API",
            "127.0.0.1",
            "signed_out",
            "dana@example.com",
            "password changed",
        ],
        vec![
            &command_line,
            "this machine",
            "password_set",
            "dana@example.com",
            "",
        ],
        vec![
            "admin API",
            "127.0.0.1",
            "signed_out",
            "dana@example.com",
            "role changed",
        ],
        vec![
            &command_line,
            "this machine",
            "role_changed",
            "dana@example.com",
            "supervisor → agent",
        ],
        vec![
            &command_line,
            "this machine",
            "agent_added",
            "dana@example.com",
            "supervisor, queues general",
        ],
    ];
    assert_eq!(lines.len(), expected.len(), "{log}");
    for (line, expected) in lines.iter().zip(&expected) {
        for (field, (got, wanted)) in line.iter().zip(expected).enumerate() {
            // The import names its file, wherever the test put it.
            if !(field == 3 && wanted.is_empty()) {
                assert_eq!(got, wanted, "{log}");
            }
        }
    }

    // The API reads the same, a page at a time.
    let (status, page) = api
        .call(Method::GET, "/api/v1/admin/audit?limit=2", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(page[0]["action"], "template_saved");
    assert_eq!(page[0]["origin"], "127.0.0.1");
    assert_eq!(page[1]["action"], "contacts_imported");
    let before = page[1]["id"].as_i64().unwrap();
    let (_, older) = api
        .call(
            Method::GET,
            &format!("/api/v1/admin/audit?before={before}&limit=1"),
            None,
        )
        .await;
    assert_eq!(older[0]["action"], "signed_out");
    assert_eq!(older[0]["detail"], "password changed");
    let anonymous = reqwest::get(server.url("/api/v1/admin/audit"))
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

/// Calls the admin API at `path` with `token` as the bearer; the status and the body.
async fn call_with(
    server: &Server,
    token: &str,
    method: Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let mut request = reqwest::Client::new()
        .request(method, server.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(serde_json::Value::Null);
    (status, body)
}

#[tokio::test]
async fn named_api_keys_are_scoped_stored_hashed_revoked_and_audited() {
    let server = Server::start(&config(30, 60));
    let create = |name: &str, scope: &str| {
        let made = admin(
            &server,
            &["apikey", "create", "--name", name, "--scope", scope],
            "",
        );
        assert!(made.status.success(), "{}", text(&made));
        String::from_utf8_lossy(&made.stdout).trim().to_owned()
    };
    let grafana = create("grafana", "read-only");
    let crm = create("crm", "contacts");
    assert!(
        grafana.starts_with("sbk_") && grafana != crm,
        "{grafana} {crm}"
    );
    for (args, says) in [
        (
            ["apikey", "create", "--name", "grafana", "--scope", "full"],
            "already",
        ),
        (
            ["apikey", "create", "--name", "two words", "--scope", "full"],
            "not a key's name",
        ),
        (
            ["apikey", "create", "--name", "ops", "--scope", "admin"],
            "read-only, contacts or full",
        ),
    ] {
        let refused = admin(&server, &args, "");
        assert!(!refused.status.success());
        assert!(text(&refused).contains(says), "{}", text(&refused));
    }
    assert!(
        !server.stored_anywhere(&grafana),
        "only the key's hash is stored"
    );

    // A read-only key reads, and changes nothing.
    let contact = json!({ "name": "Zoë Weiss", "email": "zoe@example.com" });
    let (status, _) = call_with(&server, &grafana, Method::GET, "/api/v1/admin/audit", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        call_with(&server, &grafana, Method::GET, "/metrics", None)
            .await
            .0,
        200
    );
    let (status, refusal) = call_with(
        &server,
        &grafana,
        Method::POST,
        "/api/v1/admin/contacts",
        Some(contact.clone()),
    )
    .await;
    assert_eq!(status, 403, "{refusal}");
    assert_eq!(refusal["code"], "forbidden");
    assert!(
        refusal["message"].as_str().unwrap().contains("read-only"),
        "{refusal}"
    );
    // Refusals are RFC 9457 problem details, the protocol's code and message beside them.
    assert_eq!(refusal["type"], "urn:switchboard:problem:forbidden");
    assert_eq!(
        (refusal["title"].clone(), refusal["status"].clone()),
        ("Forbidden".into(), 403.into())
    );
    assert_eq!(refusal["detail"], refusal["message"]);
    let anonymous = reqwest::get(server.url("/api/v1/admin/audit"))
        .await
        .unwrap();
    assert_eq!(
        anonymous.headers()["content-type"],
        "application/problem+json"
    );
    // A contacts key changes contacts, and nothing else.
    let path = "/api/v1/admin/contacts";
    let (status, _) = call_with(&server, &crm, Method::POST, path, Some(contact)).await;
    assert_eq!(status, 201);
    let remove = "/api/v1/admin/queues/general/remove";
    assert_eq!(
        call_with(&server, &crm, Method::POST, remove, None).await.0,
        403
    );
    assert_eq!(
        call_with(&server, "sbk_made_up", Method::GET, path, None)
            .await
            .0,
        401
    );

    // Revoked, a key is refused; it stays listed.
    let revoked = admin(&server, &["apikey", "revoke", "--name", "grafana"], "");
    assert!(revoked.status.success(), "{}", text(&revoked));
    assert!(
        !admin(&server, &["apikey", "revoke", "--name", "grafana"], "")
            .status
            .success()
    );
    let (status, _) = call_with(&server, &grafana, Method::GET, "/api/v1/admin/audit", None).await;
    assert_eq!(status, 401);
    let listed = admin(&server, &["apikey", "list"], "");
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 2, "{listed}");
    assert!(
        lines[0].starts_with("crm\tcontacts\tcreated ") && lines[0].ends_with('\t'),
        "{listed}"
    );
    assert!(
        lines[1].starts_with("grafana\tread-only\tcreated ") && lines[1].contains("\trevoked "),
        "{listed}"
    );

    // The log says who: the key by its name.
    let (_, log) = AdminApi::new(&server)
        .call(Method::GET, "/api/v1/admin/audit?limit=4", None)
        .await;
    let entries: Vec<(String, String, String)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let field = |name: &str| e[name].as_str().unwrap().to_owned();
            (field("actor"), field("action"), field("subject"))
        })
        .collect();
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown user".into());
    let command_line = format!("command line ({user})");
    assert_eq!(
        entries[0],
        (
            command_line.clone(),
            "api_key_revoked".into(),
            "grafana".into()
        )
    );
    assert_eq!(entries[1].0, "API key crm");
    assert_eq!(entries[1].1, "contact_created");
    assert_eq!(
        entries[2],
        (command_line, "api_key_created".into(), "crm".into())
    );
}
