//! The published schema is the one the types generate, and frames round-trip as documented.

use switchboard_protocol::agent::{AgentClientFrame, AgentCommand, PresenceRequest};
use switchboard_protocol::schema;

/// Resolved at run time: a build cache shared between clones reuses this test binary.
fn schema_path() -> std::path::PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo test sets it");
    std::path::Path::new(&manifest_dir).join("../../docs/protocol.schema.json")
}

#[test]
fn published_schema_matches_the_types() {
    let generated = schema::document_text();
    if std::env::var_os("SWITCHBOARD_WRITE_SCHEMA").is_some() {
        std::fs::write(schema_path(), &generated).unwrap();
    }
    let published = std::fs::read_to_string(schema_path()).unwrap_or_default();
    assert!(
        published == generated,
        "docs/protocol.schema.json is out of date: run `cargo xtask schema`"
    );
}

#[test]
fn frames_use_the_documented_json_shape() {
    let frame: AgentClientFrame = serde_json::from_str(
        r#"{"type":"command","id":"c-1","command":{"type":"set_presence","presence":{"state":"idle","reason":"Lunch"}}}"#,
    )
    .unwrap();
    assert_eq!(
        frame,
        AgentClientFrame::Command {
            id: "c-1".into(),
            command: AgentCommand::SetPresence {
                presence: PresenceRequest::Idle {
                    reason: "Lunch".into()
                }
            },
        }
    );
    let hello: AgentClientFrame = serde_json::from_str(r#"{"type":"hello","protocol":1}"#).unwrap();
    assert_eq!(
        hello,
        AgentClientFrame::Hello {
            protocol: 1,
            last_seq: None
        }
    );
    assert!(serde_json::from_str::<AgentClientFrame>(r#"{"type":"set_presence"}"#).is_err());
}
