//! The window's TypeScript types are generated from the Rust types it receives and sends:
//! `ui/src/lib/contract.ts` is this test's output (with the protocol's limits), so the window and
//! the desk core cannot drift apart. `cargo xtask schema` writes it anew.

use switchboard_desk::{
    Actions, AdditionalDetails, AttachmentView, Author, Bubble, ConnectionState, ConversationView,
    CustomerSummary, DeskSnapshot, Detail, DismissReason, Notification, NotificationKind,
    OfflineReason, Origin, ParameterView, PastConversationView, ReceiptView, SearchResultView,
    TaskEntry, TemplateChoice, TranscriptView, Update,
};
use switchboard_protocol::agent::{
    AgentSummary, DesktopProfile, InteractionState, PresenceRequest, QueueSummary, Role, Scenario,
    Theme, TransferTarget,
};
use switchboard_protocol::live::{
    AgentFigures, LiveConversation, LiveStage, LiveUpdate, QueueFigures, Staffing,
};
use switchboard_protocol::reports::{ActivityReport, ActivityRow, ReportPeriod, ReportQuery};
use switchboard_protocol::template::Template;
use switchboard_protocol::{
    AgentId, Channel, ContactId, ConversationId, EndedBy, FileId, FileLimits, Presence, QueueId,
    typescript,
};
use ts_rs::TS;

fn contract() -> String {
    let cfg = typescript::config();
    let declarations = [
        // What the desk core sends the window.
        Update::decl(&cfg),
        DeskSnapshot::decl(&cfg),
        ConnectionState::decl(&cfg),
        OfflineReason::decl(&cfg),
        Notification::decl(&cfg),
        NotificationKind::decl(&cfg),
        DismissReason::decl(&cfg),
        TaskEntry::decl(&cfg),
        ConversationView::decl(&cfg),
        Bubble::decl(&cfg),
        Author::decl(&cfg),
        AttachmentView::decl(&cfg),
        Actions::decl(&cfg),
        ReceiptView::decl(&cfg),
        ParameterView::decl(&cfg),
        TemplateChoice::decl(&cfg),
        CustomerSummary::decl(&cfg),
        PastConversationView::decl(&cfg),
        SearchResultView::decl(&cfg),
        TranscriptView::decl(&cfg),
        AdditionalDetails::decl(&cfg),
        Detail::decl(&cfg),
        Origin::decl(&cfg),
        // The protocol's values within them, and what the window asks for.
        Presence::decl(&cfg),
        PresenceRequest::decl(&cfg),
        InteractionState::decl(&cfg),
        EndedBy::decl(&cfg),
        Scenario::decl(&cfg),
        Channel::decl(&cfg),
        Theme::decl(&cfg),
        DesktopProfile::decl(&cfg),
        Template::decl(&cfg),
        FileLimits::decl(&cfg),
        ReportQuery::decl(&cfg),
        ReportPeriod::decl(&cfg),
        ActivityReport::decl(&cfg),
        ActivityRow::decl(&cfg),
        LiveUpdate::decl(&cfg),
        QueueFigures::decl(&cfg),
        Staffing::decl(&cfg),
        AgentFigures::decl(&cfg),
        LiveConversation::decl(&cfg),
        LiveStage::decl(&cfg),
        AgentSummary::decl(&cfg),
        Role::decl(&cfg),
        QueueSummary::decl(&cfg),
        TransferTarget::decl(&cfg),
        AgentId::decl(&cfg),
        ConversationId::decl(&cfg),
        FileId::decl(&cfg),
        QueueId::decl(&cfg),
        ContactId::decl(&cfg),
    ];
    typescript::module(
        "the desk core's updates and views, and the protocol's values in them",
        &declarations,
    )
}

/// Resolved at run time: a build cache shared between clones reuses this test binary.
fn contract_path() -> std::path::PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo test sets it");
    std::path::Path::new(&manifest_dir).join("../../ui/src/lib/contract.ts")
}

#[test]
fn the_windows_types_are_generated_from_the_rust_ones() {
    let generated = contract();
    if std::env::var_os("SWITCHBOARD_WRITE_CONTRACT").is_some() {
        std::fs::write(contract_path(), &generated).unwrap();
    }
    let committed = std::fs::read_to_string(contract_path()).unwrap_or_default();
    assert!(
        committed == generated,
        "ui/src/lib/contract.ts is out of date: run `cargo xtask schema`"
    );
}
