//! The window's file commands: the bytes cross the IPC raw (never as JSON numbers), each command a
//! few lines into the desk core.

use std::path::PathBuf;

use switchboard_desk::AttachmentView;
use switchboard_protocol::reports::ReportQuery;
use switchboard_protocol::{ConversationId, FileId};
use tauri::ipc::{InvokeBody, Request, Response};
use tauri::{AppHandle, Manager, State};

use crate::commands::{Failure, Outcome, signed_in};
use crate::shell::Shell;

/// Whether a file the agent picked may be sent, asked before the window reads it.
#[tauri::command]
pub(crate) fn check_file(
    shell: State<'_, Shell>,
    conversation: ConversationId,
    name: String,
    size: u64,
) -> Outcome {
    Ok(signed_in(&shell)?.check_file(&conversation, &name, size)?)
}

/// Uploads the request's raw body; the conversation and the file's name come in headers
/// (percent-encoded, as headers carry ASCII only).
#[tauri::command]
pub(crate) async fn upload_file(
    shell: State<'_, Shell>,
    request: Request<'_>,
) -> Outcome<AttachmentView> {
    let header = |name: &str| {
        let value = request.headers().get(name)?.to_str().ok()?;
        Some(
            percent_encoding::percent_decode_str(value)
                .decode_utf8()
                .ok()?
                .into_owned(),
        )
    };
    let (Some(conversation), Some(name), InvokeBody::Raw(bytes)) = (
        header("x-conversation"),
        header("x-file-name"),
        request.body(),
    ) else {
        return Err(Failure::invalid(
            "An upload needs its conversation, name and bytes.",
        ));
    };
    Ok(signed_in(&shell)?
        .upload_file(&ConversationId(conversation), &name, bytes.clone())
        .await?)
}

/// A stored file's bytes, raw: the window shows a picture from them.
#[tauri::command]
pub(crate) async fn file_content(
    shell: State<'_, Shell>,
    conversation: ConversationId,
    file: FileId,
) -> Outcome<Response> {
    let content = signed_in(&shell)?
        .file_content(&conversation, &file)
        .await?;
    Ok(Response::new(content.bytes))
}

/// A picture the channel keeps (an MMS or Messenger picture), fetched by the core, raw.
#[tauri::command]
pub(crate) async fn channel_picture(
    shell: State<'_, Shell>,
    conversation: ConversationId,
    message: u64,
    index: usize,
) -> Outcome<Response> {
    let content = signed_in(&shell)?
        .channel_picture(&conversation, message, index)
        .await?;
    Ok(Response::new(content.bytes))
}

/// Saves a stored file into the agent's Downloads folder: where it was saved.
#[tauri::command]
pub(crate) async fn save_file(
    app: AppHandle,
    shell: State<'_, Shell>,
    conversation: ConversationId,
    file: FileId,
    name: String,
) -> Outcome<PathBuf> {
    Ok(signed_in(&shell)?
        .save_file(&conversation, &file, &name, &downloads(&app)?)
        .await?)
}

/// Saves a supervisor's report as CSV into the Downloads folder: where it was saved.
#[tauri::command]
pub(crate) async fn export_report(
    app: AppHandle,
    shell: State<'_, Shell>,
    query: ReportQuery,
) -> Outcome<PathBuf> {
    Ok(signed_in(&shell)?
        .export_report(query, &downloads(&app)?)
        .await?)
}

fn downloads(app: &AppHandle) -> Result<PathBuf, Failure> {
    app.path()
        .download_dir()
        .or_else(|_| app.path().home_dir())
        .map_err(|_| Failure::invalid("There is no Downloads folder to save the file in."))
}
