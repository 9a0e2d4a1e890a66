//! The agent desktop's core, with no window: everything the desktop does except drawing and
//! talking to the operating system, so that it is tested on its own and the shell stays thin.
//!
//! - [`Desk`] (`desk.rs`): the handle the shell calls — sign in, presence, answer offers, chat,
//!   transfer, conference, end — and the stream of [`Update`]s it shows; `writing.rs`: what the
//!   agent writes (messages, notes, the draft's typing, templates); `files.rs`: files uploaded
//!   for a message, and stored files fetched to show or save;
//! - `signin.rs`: server address checks and the login request; `secrets.rs`: where the token
//!   lives ([`SecretStore`], backed by the OS keyring in the shell);
//! - `connection.rs`: the WebSocket session — resume, acknowledgements, commands by id,
//!   reconnection with backoff (`backoff.rs`);
//! - `model.rs`: [`Model`], the state built from the server's events and the updates each makes;
//! - `presence.rs`: which presence changes the agent may ask for;
//! - `notification.rs`: alerts and toasts as values; `views.rs`: task list, interaction pane,
//!   Customer summary, Additional details; `composer.rs`, `pickers.rs`: the composer's rules and
//!   the searchable lists; `templates.rs`: message templates found and inserted; `typing.rs`: when the customer is told the agent is typing;
//! - `search.rs`: the agent's ended conversations found, and their transcripts to read;
//! - `reports.rs`: a supervisor's activity reports, and the same saved as CSV; `live.rs`: the
//!   live view they watch, and their actions on others' work;
//! - `indicator.rs`: what the system tray shows ([`Indicator`]);
//! - `redact.rs`: masking per the profile, applied before anything leaves the core.

mod backoff;
mod composer;
mod connection;
mod desk;
mod files;
mod indicator;
mod live;
mod model;
mod notification;
mod pickers;
mod presence;
mod redact;
mod reports;
mod search;
mod secrets;
mod signin;
mod templates;
mod typing;
mod views;
mod writing;

pub use composer::{ComposerCheck, check_draft};
pub use connection::{CommandError, ConnectionState, OfflineReason};
pub use desk::{Answer, Desk, DeskError, SERVER_PATIENCE, now};
pub use files::FileContent;
pub use indicator::Indicator;
pub use model::{DeskSnapshot, Model, Update};
pub use notification::{DismissReason, Notification, NotificationKind};
pub use pickers::{filter, matches};
pub use presence::{PresenceError, check_request};
pub use redact::Redactor;
pub use search::{SearchResultView, TranscriptView};
pub use secrets::{ProcessSecrets, SecretError, SecretStore};
pub use signin::{Session, SignInError, account, server_url, server_urls, sign_in};
pub use templates::{ParameterView, TemplateChoice};
pub use views::{
    Actions, AdditionalDetails, AttachmentView, Author, Bubble, ConversationView, CustomerSummary,
    Detail, Origin, PastConversationView, ReceiptView, TaskEntry, initials,
};
