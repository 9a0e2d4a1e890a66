//! The window's commands: each hands its arguments to the desk core and returns what it says.

use serde::Serialize;
use switchboard_desk::{
    Answer, Desk, DeskError, DeskSnapshot, SearchResultView, SignInError, TemplateChoice,
    TranscriptView,
};
use switchboard_protocol::agent::{AgentSummary, PresenceRequest, QueueSummary, TransferTarget};
use switchboard_protocol::reports::{ActivityReport, ReportQuery};
use switchboard_protocol::{AgentId, ConversationId, FileId, QueueId};
use tauri::{AppHandle, State};

use crate::settings::{self, Settings};
use crate::shell::Shell;

/// A command that was not carried out: a code the window words in the agent's language, and
/// the core's own message.
#[derive(Debug, Serialize)]
pub(crate) struct Failure {
    code: &'static str,
    message: String,
}

impl From<SignInError> for Failure {
    fn from(error: SignInError) -> Failure {
        Failure {
            code: error.code(),
            message: error.to_string(),
        }
    }
}

impl From<DeskError> for Failure {
    fn from(error: DeskError) -> Failure {
        Failure {
            code: error.code(),
            message: error.to_string(),
        }
    }
}

impl Failure {
    /// The window asked for something that cannot be done as asked.
    pub(crate) fn invalid(message: &str) -> Failure {
        Failure {
            code: "invalid",
            message: message.to_owned(),
        }
    }
}

pub(crate) fn signed_in(shell: &Shell) -> Result<Desk, Failure> {
    shell.desk().ok_or(Failure {
        code: "signed_out",
        message: "You are signed out.".into(),
    })
}

pub(crate) type Outcome<T = ()> = Result<T, Failure>;

/// What the window starts from: the settings, and whether a session was resumed (its desk then
/// arrives as a snapshot event, in order with its updates).
#[derive(Debug, Serialize)]
pub(crate) struct Start {
    settings: Settings,
    /// Signed in, or signing in as the app started: the desk is on its way as a snapshot.
    signed_in: bool,
}

#[tauri::command]
pub(crate) fn start(app: AppHandle, shell: State<'_, Shell>) -> Start {
    // The window's code has loaded and listens: from here it draws its first screen.
    tracing::info!("the window started");
    shell.redraw();
    Start {
        settings: settings::load(&app),
        signed_in: shell.expects_desk(),
    }
}

#[tauri::command]
pub(crate) async fn sign_in(
    app: AppHandle,
    shell: State<'_, Shell>,
    server: String,
    email: String,
    password: String,
) -> Outcome {
    // The desk arrives as a snapshot event, in order with its updates.
    shell.sign_in(&app, &server, &email, &password).await?;
    Ok(())
}

#[tauri::command]
pub(crate) async fn sign_out(app: AppHandle, shell: State<'_, Shell>) -> Outcome {
    shell.sign_out(&app).await;
    Ok(())
}

#[tauri::command]
pub(crate) fn snapshot(shell: State<'_, Shell>) -> Outcome<DeskSnapshot> {
    Ok(signed_in(&shell)?.snapshot())
}

#[tauri::command]
pub(crate) async fn set_presence(shell: State<'_, Shell>, presence: PresenceRequest) -> Outcome {
    Ok(signed_in(&shell)?.set_presence(presence).await?)
}

fn answer_of(accept: bool) -> Answer {
    if accept {
        Answer::Accept
    } else {
        Answer::Reject
    }
}

#[tauri::command]
pub(crate) async fn answer(
    shell: State<'_, Shell>,
    conversation: ConversationId,
    accept: bool,
) -> Outcome {
    Ok(signed_in(&shell)?
        .answer(&conversation, answer_of(accept))
        .await?)
}

/// The keyboard's answer: to the alert waiting longest.
#[tauri::command]
pub(crate) async fn answer_current(
    shell: State<'_, Shell>,
    accept: bool,
) -> Outcome<ConversationId> {
    Ok(signed_in(&shell)?.answer_oldest(answer_of(accept)).await?)
}

/// A toast selected in the window: an offer it is about is accepted first.
#[tauri::command]
pub(crate) async fn open(shell: State<'_, Shell>, conversation: ConversationId) -> Outcome {
    Ok(signed_in(&shell)?.open(&conversation).await?)
}

#[tauri::command]
pub(crate) async fn send_message(
    shell: State<'_, Shell>,
    conversation: ConversationId,
    text: String,
    files: Vec<FileId>,
) -> Outcome {
    Ok(signed_in(&shell)?
        .send_message_with_files(&conversation, &text, files)
        .await?)
}

#[tauri::command]
pub(crate) async fn send_note(
    shell: State<'_, Shell>,
    conversation: ConversationId,
    text: String,
) -> Outcome {
    Ok(signed_in(&shell)?.send_note(&conversation, &text).await?)
}

/// The templates the conversation offers that match `search`.
#[tauri::command]
pub(crate) fn templates(
    shell: State<'_, Shell>,
    conversation: ConversationId,
    search: String,
) -> Outcome<Vec<TemplateChoice>> {
    Ok(signed_in(&shell)?.templates(&conversation, &search))
}

/// A template as the composer takes it.
#[tauri::command]
pub(crate) fn insert_template(
    shell: State<'_, Shell>,
    conversation: ConversationId,
    shortcut: String,
) -> Outcome<String> {
    Ok(signed_in(&shell)?.insert_template(&conversation, &shortcut)?)
}

/// The agent's draft changed: the core tells the customer they are typing, when it is time.
#[tauri::command]
pub(crate) fn drafted(
    shell: State<'_, Shell>,
    conversation: ConversationId,
    empty: bool,
) -> Outcome {
    signed_in(&shell)?.drafted(&conversation, empty);
    Ok(())
}

#[tauri::command]
pub(crate) async fn end(
    shell: State<'_, Shell>,
    conversation: ConversationId,
    wrap_up: String,
) -> Outcome {
    Ok(signed_in(&shell)?.end(&conversation, &wrap_up).await?)
}

#[tauri::command]
pub(crate) async fn exit_conference(
    shell: State<'_, Shell>,
    conversation: ConversationId,
    wrap_up: String,
) -> Outcome {
    Ok(signed_in(&shell)?
        .exit_conference(&conversation, &wrap_up)
        .await?)
}

#[tauri::command]
pub(crate) async fn transfer(
    shell: State<'_, Shell>,
    conversation: ConversationId,
    to: TransferTarget,
    note: String,
) -> Outcome {
    Ok(signed_in(&shell)?
        .transfer(&conversation, to, &note)
        .await?)
}

#[tauri::command]
pub(crate) async fn park(shell: State<'_, Shell>, conversation: ConversationId) -> Outcome {
    Ok(signed_in(&shell)?.park(&conversation).await?)
}

#[tauri::command]
pub(crate) async fn escalate(
    shell: State<'_, Shell>,
    conversation: ConversationId,
    queue: QueueId,
    reason: String,
) -> Outcome {
    Ok(signed_in(&shell)?
        .escalate(&conversation, &queue, &reason)
        .await?)
}

#[tauri::command]
pub(crate) async fn invite(
    shell: State<'_, Shell>,
    conversation: ConversationId,
    agent: AgentId,
) -> Outcome {
    Ok(signed_in(&shell)?.invite(&conversation, &agent).await?)
}

#[tauri::command]
pub(crate) async fn queues(shell: State<'_, Shell>, search: String) -> Outcome<Vec<QueueSummary>> {
    Ok(signed_in(&shell)?.queues(&search).await?)
}

#[tauri::command]
pub(crate) async fn available_agents(
    shell: State<'_, Shell>,
    search: String,
) -> Outcome<Vec<AgentSummary>> {
    Ok(signed_in(&shell)?.available_agents(&search).await?)
}

#[tauri::command]
pub(crate) fn wrap_up_reasons(shell: State<'_, Shell>, search: String) -> Outcome<Vec<String>> {
    Ok(signed_in(&shell)?.wrap_up_reasons(&search))
}

/// The agent's ended conversations matching `query` (with `everyone`, a supervisor's search).
#[tauri::command]
pub(crate) async fn search_conversations(
    shell: State<'_, Shell>,
    query: String,
    everyone: bool,
) -> Outcome<Vec<SearchResultView>> {
    Ok(signed_in(&shell)?.search(&query, everyone).await?)
}

/// A supervisor's activity report.
#[tauri::command]
pub(crate) async fn report(shell: State<'_, Shell>, query: ReportQuery) -> Outcome<ActivityReport> {
    Ok(signed_in(&shell)?.report(query).await?)
}

/// One of them, to read.
#[tauri::command]
pub(crate) async fn transcript(
    shell: State<'_, Shell>,
    conversation: ConversationId,
    customer: String,
) -> Outcome<TranscriptView> {
    Ok(signed_in(&shell)?
        .transcript(&conversation, &customer)
        .await?)
}

#[tauri::command]
pub(crate) async fn show_earlier(shell: State<'_, Shell>, conversation: ConversationId) -> Outcome {
    Ok(signed_in(&shell)?.show_earlier(&conversation).await?)
}

#[tauri::command]
pub(crate) fn mark_read(shell: State<'_, Shell>, conversation: ConversationId) -> Outcome {
    signed_in(&shell)?.mark_read(&conversation);
    Ok(())
}

#[tauri::command]
pub(crate) fn save_settings(app: AppHandle, shell: State<'_, Shell>, settings: Settings) {
    settings::save(&app, &settings);
    shell.set_language(&app, settings.language.as_deref());
}
