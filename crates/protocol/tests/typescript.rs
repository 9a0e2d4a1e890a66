//! The chat widget's protocol types are generated from the Rust ones: `widget/src/contract.ts`
//! is this test's output (with the limits), so the widget and the server cannot drift apart.
//! `cargo xtask schema` writes it anew.

use switchboard_protocol::customer::{
    CustomerClientFrame, CustomerCommand, CustomerEvent, CustomerOutcome, CustomerServerFrame,
    Resume,
};
use switchboard_protocol::{
    AgentId, Attachment, ChatMessage, CommandId, ContextValue, ConversationId, EndedBy, ErrorBody,
    ErrorCode, FileId, FileLink, Sender, StoredFile, typescript,
};
use ts_rs::TS;

fn contract() -> String {
    let cfg = typescript::config();
    let declarations = [
        CustomerClientFrame::decl(&cfg),
        Resume::decl(&cfg),
        CustomerCommand::decl(&cfg),
        CustomerServerFrame::decl(&cfg),
        CustomerOutcome::decl(&cfg),
        CustomerEvent::decl(&cfg),
        ChatMessage::decl(&cfg),
        Sender::decl(&cfg),
        Attachment::decl(&cfg),
        StoredFile::decl(&cfg),
        FileLink::decl(&cfg),
        FileId::decl(&cfg),
        ContextValue::decl(&cfg),
        EndedBy::decl(&cfg),
        ErrorBody::decl(&cfg),
        ErrorCode::decl(&cfg),
        ConversationId::decl(&cfg),
        AgentId::decl(&cfg),
        CommandId::decl(&cfg),
    ];
    typescript::namespace(
        "SwitchboardWidget",
        "the customer side of the protocol",
        &declarations,
    )
}

/// Resolved at run time: a build cache shared between clones reuses this test binary.
fn contract_path() -> std::path::PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo test sets it");
    std::path::Path::new(&manifest_dir).join("../../widget/src/contract.ts")
}

#[test]
fn the_widgets_types_are_generated_from_the_rust_ones() {
    let generated = contract();
    if std::env::var_os("SWITCHBOARD_WRITE_CONTRACT").is_some() {
        std::fs::write(contract_path(), &generated).unwrap();
    }
    let committed = std::fs::read_to_string(contract_path()).unwrap_or_default();
    assert!(
        committed == generated,
        "widget/src/contract.ts is out of date: run `cargo xtask schema`"
    );
}
