//! The administration commands, run as an administrator runs them.

mod support;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use support::{Server, config};

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

    let list = admin(&server, &["agent", "list"], "");
    assert!(
        text(&list).contains("dana@example.com\tDana Wójcik\tgeneral\tcapacity 3"),
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
