//! `/metrics` as Prometheus scrapes it, parsed by the Prometheus project's own Python client:
//! refused without the admin token on the main listener, open on `[server] metrics_listen`, and
//! counting what a scripted run did. Every metric the Grafana dashboard in `docs/grafana/` names is
//! exported.

mod support;

use std::collections::BTreeSet;
use std::process::{Command, Stdio};

use serde_json::Value;
use support::{Agent, Customer, Server, accept_offer, available_agent};
use switchboard_protocol::Presence;
use switchboard_protocol::agent::{AgentCommand, AgentEvent, Outcome};
use switchboard_testkit::openmetrics::{self, sample};

fn parse(text: &str) -> Value {
    openmetrics::parse(text).unwrap_or_else(|problem| panic!("{problem}\n{text}"))
}

async fn scrape(url: &str, token: Option<&str>) -> (u16, String, String) {
    let mut request = reqwest::Client::new().get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, response.text().await.unwrap())
}

#[tokio::test]
async fn metrics_count_a_scripted_run_and_parse_as_prometheus_reads_them() {
    let port = switchboard_testkit::free_port();
    let config = support::config(1, 60).replace(
        "data_dir = \"data\"",
        &format!("data_dir = \"data\"\nmetrics_listen = \"127.0.0.1:{port}\""),
    );
    let server = Server::start(&config);
    // Ann lets Zoë's chat ring out (RONA), then takes it; they write each other.
    let mut ann = available_agent(&server, "ann@example.com").await;
    let mut zoe = Customer::start(&server, "Zoë", "Hello").await;
    ann.expect(|e| {
        matches!(
            e,
            AgentEvent::Presence {
                presence: Presence::Rona,
                ..
            }
        )
    })
    .await;
    let available = AgentCommand::SetPresence {
        presence: switchboard_protocol::agent::PresenceRequest::Available,
    };
    assert!(matches!(ann.command(available).await, Outcome::Ok { .. }));
    let chat = accept_offer(&mut ann).await.id;
    zoe.say("My parcel never came").await;
    let reply = AgentCommand::SendMessage {
        conversation: chat,
        text: "Let me look".into(),
        files: Vec::new(),
    };
    assert!(matches!(ann.command(reply).await, Outcome::Ok { .. }));
    let _bo = Agent::sign_in(&server, "bo@example.com").await;
    // The gauges are set every second.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;

    // The main listener wants the admin token; the metrics listener does not.
    let main = server.url("/metrics");
    assert_eq!(scrape(&main, None).await.0, 401);
    let token = support::AdminApi::new(&server).token().to_owned();
    let (status, kind, text) = scrape(&main, Some(&token)).await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("application/openmetrics-text"), "{kind}");
    let (status, _, private) = scrape(&format!("http://127.0.0.1:{port}/metrics"), None).await;
    assert_eq!(status, 200);
    let families = parse(&text);
    parse(&private);

    let value = |family: &str, name: &str, labels: &[(&str, &str)]| {
        sample(&families, family, name, labels)
            .unwrap_or_else(|| panic!("{name} {labels:?} is not in {text}"))
    };
    let messages = "switchboard_messages";
    let total = "switchboard_messages_total";
    assert_eq!(
        value(messages, total, &[("channel", "chat"), ("direction", "in")]),
        2.0
    );
    assert_eq!(
        value(
            messages,
            total,
            &[("channel", "chat"), ("direction", "out")]
        ),
        1.0
    );
    assert_eq!(
        value(
            "switchboard_ronas",
            "switchboard_ronas_total",
            &[("queue", "general")]
        ),
        1.0
    );
    let waited = "switchboard_waiting_seconds";
    assert_eq!(
        value(
            waited,
            "switchboard_waiting_seconds_count",
            &[("queue", "general")]
        ),
        1.0
    );
    let offered = "switchboard_offer_to_accept_seconds";
    assert_eq!(
        value(
            offered,
            "switchboard_offer_to_accept_seconds_count",
            &[("queue", "general")]
        ),
        1.0
    );
    assert_eq!(
        value(
            "switchboard_agents_connected",
            "switchboard_agents_connected",
            &[]
        ),
        2.0
    );
    assert_eq!(
        value(
            "switchboard_customers_connected",
            "switchboard_customers_connected",
            &[]
        ),
        1.0
    );
    assert_eq!(
        value(
            "switchboard_agents",
            "switchboard_agents",
            &[("presence", "available")]
        ),
        1.0
    );
    let open = [("queue", "general"), ("state", "held")];
    assert_eq!(
        value(
            "switchboard_conversations",
            "switchboard_conversations",
            &open
        ),
        1.0
    );
    assert!(
        value(
            "switchboard_commit_seconds",
            "switchboard_commit_seconds_count",
            &[]
        ) > 0.0
    );
    assert_eq!(
        value(
            "switchboard_build_info",
            "switchboard_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))]
        ),
        1.0
    );
    // Label values are bounded: no conversation, customer or agent id in any of them.
    for family in families.as_object().unwrap().values() {
        for sample in family["samples"].as_array().unwrap() {
            for key in sample[1].as_object().unwrap().keys() {
                assert!(
                    [
                        "queue",
                        "state",
                        "presence",
                        "channel",
                        "direction",
                        "limit",
                        "version",
                        "le"
                    ]
                    .contains(&key.as_str()),
                    "an unbounded label {key} in {sample}"
                );
            }
        }
    }

    // Every metric the dashboard draws is exported.
    let dashboard: Value =
        serde_json::from_str(include_str!("../../../docs/grafana/switchboard.json")).unwrap();
    let mut named = BTreeSet::new();
    for panel in dashboard["panels"].as_array().unwrap() {
        for target in panel["targets"].as_array().unwrap() {
            let expr = target["expr"].as_str().unwrap();
            for (start, _) in expr.match_indices("switchboard_") {
                let name: String = expr[start..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                named.insert(name);
            }
        }
    }
    let exported: BTreeSet<String> = families
        .as_object()
        .unwrap()
        .values()
        .flat_map(|family| family["samples"].as_array().unwrap().iter())
        .map(|sample| sample[0].as_str().unwrap().to_owned())
        .collect();
    let families_named: BTreeSet<&String> = families.as_object().unwrap().keys().collect();
    for name in &named {
        assert!(
            exported.contains(name) || families_named.contains(name),
            "the dashboard names {name}, which is not exported"
        );
    }
    assert!(named.len() >= 15, "{named:?}");
}

#[test]
fn logs_are_one_json_object_a_line_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, support::config(30, 60)).unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_switchboard-server"))
        .args(["--log-format", "json", "serve", "--config"])
        .arg(&config)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Started: it says where it listens on standard output.
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(server.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    assert!(line.starts_with("listening on "), "{line}");
    server.kill().unwrap();
    let output = server.wait_with_output().unwrap();
    let logs = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = logs.lines().collect();
    assert!(!lines.is_empty());
    for line in lines {
        let entry: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(
            entry["level"].is_string() && entry["fields"]["message"].is_string(),
            "{entry}"
        );
    }
}
