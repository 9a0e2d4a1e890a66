//! A short run of the load generator against the server built with the tests: every message is
//! delivered, and `/metrics`, scraped at the end of the run and parsed by the Prometheus
//! project's own client, counts at least what the clients exchanged.

use std::path::Path;
use std::process::Command;

/// The number before `after` in `line`.
fn number_before(line: &str, after: &str) -> u64 {
    let (before, _) = line
        .split_once(after)
        .unwrap_or_else(|| panic!("{after:?} in {line:?}"));
    before
        .split_whitespace()
        .last()
        .and_then(|word| word.parse().ok())
        .unwrap_or_else(|| panic!("a number before {after:?} in {line:?}"))
}

#[test]
fn a_short_run_delivers_everything_and_the_scraped_metrics_count_it() {
    let loadgen = Path::new(env!("CARGO_BIN_EXE_switchboard-loadgen"));
    let server = loadgen.with_file_name("switchboard-server");
    assert!(
        server.exists(),
        "{} is built with the workspace's tests (cargo test --workspace)",
        server.display()
    );
    let conversations = 8;
    let run = Command::new(loadgen)
        .arg("--server")
        .arg(&server)
        .args([
            "--relay",
            "none",
            "--durability",
            "process",
            "--agents",
            "4",
        ])
        .args(["--conversations", &conversations.to_string()])
        .args(["--rate", "2", "--seconds", "3", "--event-webhooks"])
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{printed}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let line = |starts: &str| {
        printed
            .lines()
            .find(|line| line.trim_start().starts_with(starts))
            .unwrap_or_else(|| panic!("a line {starts:?} in\n{printed}"))
    };
    let exchanged = line("messages:");
    let delivered = number_before(exchanged, "of");
    let sent = number_before(exchanged, "sent delivered");
    assert!(sent > 0 && delivered == sent, "{exchanged}");
    let scraped = line("metrics:");
    assert!(number_before(scraped, "families parsed") > 0, "{scraped}");
    let (counted_in, counted_out) = (
        number_before(scraped, "messages in"),
        number_before(scraped, "out"),
    );
    // The server counts the conversations' first messages too.
    assert!(
        counted_in + counted_out >= sent + conversations,
        "{scraped}\n{exchanged}"
    );
    let events = line("event webhooks:");
    assert!(number_before(events, "events received") > 0, "{events}");
}
