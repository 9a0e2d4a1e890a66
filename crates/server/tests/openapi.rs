//! The admin API as its OpenAPI document describes it: the running server serves the committed
//! document, an OpenAPI validator accepts it, and a property-based run of Schemathesis against
//! the server — every operation, schema-valid and invalid input, with the admin token — finds
//! no server error, no answer the document does not describe, and no invalid input accepted.

mod support;

use std::process::Command;

use support::{AdminApi, Server, config};

fn committed() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    std::fs::read_to_string(path).unwrap()
}

#[tokio::test]
async fn the_served_document_is_valid_and_the_server_answers_as_it_says() {
    let server = Server::start(&config(30, 60));
    let url = server.url("/api/v1/openapi.json");
    let served = reqwest::get(&url).await.unwrap().text().await.unwrap();
    assert!(served == committed(), "the server serves docs/openapi.json");

    let python = switchboard_testkit::python();
    let validated = Command::new(&python)
        .args(["-c", "import json, sys\nfrom openapi_spec_validator import validate\nvalidate(json.load(sys.stdin))"])
        .stdin(std::fs::File::open(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json")).unwrap())
        .output()
        .unwrap();
    assert!(
        validated.status.success(),
        "{}",
        String::from_utf8_lossy(&validated.stderr)
    );

    // Schemathesis keeps its examples beside where it runs: somewhere of its own.
    let scratch = tempfile::tempdir().unwrap();
    let admin = AdminApi::new(&server);
    let fuzzed = Command::new(&python)
        .current_dir(scratch.path())
        .args(["-m", "schemathesis.cli", "run", &url])
        .args([
            "--header",
            &format!("Authorization: Bearer {}", admin.token()),
        ])
        // Every check but one: a request the schema allows may still be refused for what the
        // schema cannot say (an empty name, an unknown queue).
        .args([
            "--checks",
            "all",
            "--exclude-checks",
            "positive_data_acceptance",
        ])
        // One worker: the property-testing library's source introspection is not thread-safe.
        .args(["--max-examples", "40", "--seed", "1", "--workers", "1"])
        .args(["--no-color"])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&fuzzed.stdout);
    assert!(
        fuzzed.status.success(),
        "{report}\n{}",
        String::from_utf8_lossy(&fuzzed.stderr)
    );
    assert!(report.contains("passed"), "{report}");
}
