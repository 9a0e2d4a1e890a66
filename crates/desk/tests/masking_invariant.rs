//! With masking on, nothing the core emits — updates, snapshots, notifications, log lines —
//! contains anything the masker would still find, whatever sensitive data customers type (or
//! name the files they send, or agents paste into notes, or templates fill in).
//! Conversations full of generated cards, IBANs, SSNs, e-mail addresses and phone numbers go
//! through a real server into a real desk.

mod support;

#[path = "../../mask/support/generate.rs"]
mod generate;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use generate::{any_planted, words};
use proptest::prelude::*;
use serde_json::Value;
use support::{Customer, Server, config, eventually, next_update};
use switchboard_desk::{Answer, Desk, Update};
use switchboard_mask::{KindSet, Masker};
use switchboard_protocol::agent::PresenceRequest;
use switchboard_protocol::customer::CustomerOutcome;
use switchboard_testkit::start_chat;

/// Log lines the core writes, kept for inspection.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct World {
    runtime: tokio::runtime::Runtime,
    server: Server,
    desk: Desk,
    logs: Logs,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let logs = Logs::default();
        let writer = logs.clone();
        tracing_subscriber::fmt()
            .with_env_filter("switchboard_desk=trace")
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .init();
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let server = Server::start(&config(30, 60));
        let desk = runtime.block_on(async {
            let desk = server.desk("ann@example.com").await;
            eventually(&desk, "the profile", |s| s.profile.masking).await;
            desk.set_presence(PresenceRequest::Available).await.unwrap();
            desk
        });
        World {
            runtime,
            server,
            desk,
            logs,
        }
    })
}

/// Text with sensitive values planted among ordinary words.
fn sensitive_text() -> impl Strategy<Value = String> {
    proptest::collection::vec((words(), any_planted()), 1..4).prop_map(|parts| {
        parts
            .into_iter()
            .map(|(words, planted)| format!("{words} {}", planted.text))
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// A customer's display name: ordinary, or their phone number or e-mail address.
fn display_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Z][a-zé]{2,8} [A-Z][a-zá]{2,8}",
        generate::phone().prop_map(|p| p.text),
        generate::email().prop_map(|p| p.text),
    ]
}

/// Every string in `value` a person could be shown, leaving out identifiers and the agent's own
/// account (not customer data).
fn shown_strings<'a>(value: &'a Value, key: &str, found: &mut Vec<&'a str>) {
    match value {
        Value::String(text) if !matches!(key, "id" | "conversation" | "agent" | "agents") => {
            found.push(text);
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| shown_strings(item, key, found)),
        Value::Object(fields) if key != "agent" => {
            for (name, field) in fields {
                shown_strings(field, name, found);
            }
        }
        _ => {}
    }
}

/// The first shown string the masker would still find something in.
fn unmasked(value: &Value) -> Option<String> {
    let masker = Masker::new(KindSet::ALL);
    let mut strings = Vec::new();
    shown_strings(value, "", &mut strings);
    strings
        .into_iter()
        .find(|text| !masker.find(text).is_empty())
        .map(str::to_owned)
}

/// Has a customer chat with the desk; returns everything the desk showed meanwhile, as JSON.
async fn one_conversation(
    world: &World,
    name: String,
    first: String,
    said: Vec<String>,
    context: String,
    noted: String,
    filed: String,
) -> Vec<Value> {
    let desk = &world.desk;
    let mut updates = desk.updates();
    let mut customer = Customer::connect(&world.server, None).await;
    let start = start_chat("website", &name, None, &first, &[("note", &context)]);
    let started = customer.command(start).await;
    assert_eq!(started, CustomerOutcome::Ok);
    let mut seen = Vec::new();
    let alert = next_update(&mut updates, |u| {
        seen.push(u.clone());
        match u {
            Update::Notify { notification } => Some(notification.conversation.clone()),
            _ => None,
        }
    })
    .await;
    desk.answer(&alert, Answer::Accept).await.unwrap();
    for text in &said {
        customer.say(text).await;
    }
    // A file whose name is sensitive: its name reaches the desk with the message.
    let file = customer
        .upload(&world.server, &filed, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
        .await;
    customer.send_files("", vec![file.id]).await;
    // An agent's note is masked for every agent as a customer's words are, and so is a
    // template's sensitive parameters, which the server fills with the customer's own data.
    desk.send_note(&alert, &noted).await.unwrap();
    desk.send_message(&alert, "For <customer.name>: <context.note>")
        .await
        .unwrap();
    let expected = said.len() + 3;
    let mut bubbles = 0;
    next_update(&mut updates, |u| {
        seen.push(u.clone());
        if matches!(u, Update::Bubble { .. }) {
            bubbles += 1;
        }
        (bubbles == expected).then_some(())
    })
    .await;
    let mut shown: Vec<Value> = seen
        .iter()
        .map(|update| serde_json::to_value(update).unwrap())
        .collect();
    shown.push(serde_json::to_value(desk.snapshot()).unwrap());
    // Ended before anything is checked, so that a failing case leaves the desk free for the next.
    desk.end(&alert, "Resolved").await.unwrap();
    eventually(desk, "the conversation ended", |s| s.tasks.is_empty()).await;
    shown
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        max_shrink_iters: 64,
        ..ProptestConfig::default()
    })]

    #[test]
    fn nothing_unmasked_leaves_the_core(
        name in display_name(),
        first in sensitive_text(),
        said in proptest::collection::vec(sensitive_text(), 1..4),
        context in sensitive_text(),
        noted in sensitive_text(),
        filed in sensitive_text(),
    ) {
        let world = world();
        let shown = world
            .runtime
            .block_on(one_conversation(world, name, first, said, context, noted, filed));
        for value in &shown {
            prop_assert_eq!(unmasked(value), None, "in {}", value);
        }
        let logs = String::from_utf8(world.logs.0.lock().unwrap().clone()).unwrap();
        let masker = Masker::new(KindSet::ALL);
        for line in logs.lines() {
            prop_assert!(masker.find(line).is_empty(), "a log line shows {line:?}");
        }
    }
}
