//! Files in conversations, through [`Desk`]: the agent's, uploaded for a message they are about to
//! send, and any stored file fetched to show or to save. The server signs a short-lived link for
//! each (over the WebSocket); the bytes travel over plain HTTP beside it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::{Method, StatusCode, Url};
use switchboard_protocol::agent::{AgentCommand, CommandResult};
use switchboard_protocol::{
    Attachment, ConversationId, ErrorBody, ErrorCode, FileId, FileLink, StoredFile,
};

use crate::desk::{Desk, DeskError};
use crate::signin::is_loopback;
use crate::views::AttachmentView;

/// A stored file's content, as the server recognised it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileContent {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The types a window may show inline: pictures its engine decodes itself, never markup.
const SHOWN_INLINE: [&str; 5] = [
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/bmp",
];

/// Whether a file of `content_type` is shown as a picture rather than offered to save.
pub(crate) fn shown_inline(content_type: &str) -> bool {
    SHOWN_INLINE.contains(&content_type)
}

/// A channel's picture larger than this is not fetched when the server sets no limit.
const CHANNEL_PICTURE_BYTES: u64 = 10 * 1024 * 1024;
const CHANNEL_PICTURE_PATIENCE: Duration = Duration::from_secs(30);

/// The address of a picture the channel keeps (an MMS picture, a Messenger image) when the core
/// may fetch it: said to be an image, at an https address (plain http only on this machine).
pub(crate) fn channel_picture_url(attachment: &Attachment) -> Option<Url> {
    let kind = attachment.content_type.as_deref()?;
    if attachment.file.is_some() || !(kind == "image" || shown_inline(kind)) {
        return None;
    }
    let url = Url::parse(&attachment.url).ok()?;
    let secure = url.scheme() == "https" || (url.scheme() == "http" && is_loopback(&url));
    secure.then_some(url)
}

impl Desk {
    /// Uploads a file the agent picked for their next message in `conversation`; its view (its
    /// id, masked name, type and size) is what the message then carries. Checked first: the
    /// conversation takes files and the file is within the server's limit.
    pub async fn upload_file(
        &self,
        conversation: &ConversationId,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<AttachmentView, DeskError> {
        self.check_file(conversation, name, bytes.len() as u64)?;
        let link = self
            .file_link(AgentCommand::Upload {
                conversation: conversation.clone(),
                name: name.to_owned(),
            })
            .await?;
        let response = self.follow(Method::POST, &link, bytes).await?;
        let stored: StoredFile = response.json().await.map_err(|error| {
            tracing::warn!(%error, "the upload's answer was not understood");
            DeskError::Transfer
        })?;
        let redactor = self.shared.model().redactor();
        Ok(AttachmentView::stored(&stored, &redactor))
    }

    /// Whether a file of `size` bytes may be sent in `conversation`: the window asks before it
    /// reads the file the agent picked, so that one too large is refused at once.
    pub fn check_file(
        &self,
        conversation: &ConversationId,
        name: &str,
        size: u64,
    ) -> Result<(), DeskError> {
        let model = self.shared.model();
        let takes_files = model
            .view(conversation)
            .is_some_and(|view| view.actions.attach);
        if !takes_files {
            return Err(DeskError::File(ErrorBody::new(
                ErrorCode::InvalidState,
                "Files cannot be sent to this customer: the server does not send files on their channel.",
            )));
        }
        check_size(name, size, model.profile().files.max_bytes)
    }

    /// A stored file of `conversation` (one the agent holds, joined, or took part in before).
    pub async fn file_content(
        &self,
        conversation: &ConversationId,
        file: &FileId,
    ) -> Result<FileContent, DeskError> {
        let link = self
            .file_link(AgentCommand::FileLink {
                conversation: conversation.clone(),
                file: file.clone(),
            })
            .await?;
        let response = self.follow(Method::GET, &link, Vec::new()).await?;
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("application/octet-stream")
            .to_owned();
        let bytes = response.bytes().await.map_err(|error| {
            tracing::info!(%error, "a file could not be read to its end");
            DeskError::Transfer
        })?;
        Ok(FileContent {
            content_type,
            bytes: bytes.to_vec(),
        })
    }

    /// Attachment `index` of message `message` in `conversation`, a picture the channel keeps,
    /// fetched from the channel's address: only a picture, within the size files may have. The
    /// address comes from the raw thread (the window sees it masked).
    pub async fn channel_picture(
        &self,
        conversation: &ConversationId,
        message: u64,
        index: usize,
    ) -> Result<FileContent, DeskError> {
        let (url, max_bytes) = {
            let model = self.shared.model();
            let (_, history) = model
                .held(conversation)
                .ok_or(DeskError::NoSuchConversation)?;
            let attachment = history
                .iter()
                .find(|sent| sent.id == message)
                .and_then(|sent| sent.attachments.get(index))
                .ok_or(DeskError::NoSuchConversation)?;
            let url = channel_picture_url(attachment).ok_or_else(|| {
                refused(
                    ErrorCode::InvalidInput,
                    "This attachment is not a picture the desktop shows.",
                )
            })?;
            let limit = model.profile().files.max_bytes;
            (
                url,
                if limit == 0 {
                    CHANNEL_PICTURE_BYTES
                } else {
                    limit
                },
            )
        };
        let mut response = reqwest::Client::new()
            .get(url)
            .timeout(CHANNEL_PICTURE_PATIENCE)
            .send()
            .await
            .map_err(|error| {
                tracing::info!(%error, "a channel's picture could not be fetched");
                DeskError::Transfer
            })?;
        let status = response.status();
        if !status.is_success() {
            return Err(refused(
                ErrorCode::Unavailable,
                &format!("The channel did not give the picture (it answered {status})."),
            ));
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .unwrap_or_default()
            .trim()
            .to_owned();
        if !shown_inline(&content_type) {
            return Err(refused(
                ErrorCode::FileTypeRefused,
                "The channel's file is not a picture the desktop shows.",
            ));
        }
        let too_large = || {
            refused(
                ErrorCode::FileTooLarge,
                "The channel's picture is too large to show.",
            )
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|_| DeskError::Transfer)? {
            if (bytes.len() + chunk.len()) as u64 > max_bytes {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(FileContent {
            content_type,
            bytes,
        })
    }

    /// Saves a stored file into `dir` under `name` (made safe, and masked as the window shows
    /// it), never over a file already there; the path it was saved at.
    pub async fn save_file(
        &self,
        conversation: &ConversationId,
        file: &FileId,
        name: &str,
        dir: &Path,
    ) -> Result<PathBuf, DeskError> {
        let content = self.file_content(conversation, file).await?;
        let name = self.shared.model().redactor().owned(&safe_file_name(name));
        save_in(dir, name, content.bytes).await
    }

    async fn file_link(&self, command: AgentCommand) -> Result<FileLink, DeskError> {
        match self.command(command).await? {
            CommandResult::Link { link } => Ok(link),
            other => {
                tracing::warn!(?other, "a file link was answered with something else");
                Err(DeskError::Transfer)
            }
        }
    }

    /// Sends `body` to a signed link at the first of the deployment's addresses that answers:
    /// any node serves any file.
    async fn follow(
        &self,
        method: Method,
        link: &FileLink,
        body: Vec<u8>,
    ) -> Result<reqwest::Response, DeskError> {
        // The link is a path from the server's root; joined to an address it keeps that
        // address's own path, as every other request does.
        let path = link.url.trim_start_matches('/');
        for server in self.session.addresses() {
            let Ok(url) = server.join(path) else {
                return Err(DeskError::Transfer);
            };
            let request = reqwest::Client::new()
                .request(method.clone(), url)
                .body(body.clone());
            let response = match request.send().await {
                Ok(response) => response,
                Err(error) => {
                    tracing::info!(%error, %server, "a file could not be sent or fetched here");
                    continue;
                }
            };
            if response.status() == StatusCode::SERVICE_UNAVAILABLE {
                continue;
            }
            if response.status().is_success() {
                return Ok(response);
            }
            let status = response.status();
            let refusal = response.json::<ErrorBody>().await.unwrap_or_else(|_| {
                ErrorBody::new(
                    ErrorCode::Internal,
                    format!("The server answered {status} for the file."),
                )
            });
            return Err(DeskError::File(refusal));
        }
        Err(DeskError::Transfer)
    }
}

fn refused(code: ErrorCode, message: &str) -> DeskError {
    DeskError::File(ErrorBody::new(code, message))
}

/// Refuses an empty file, or one past `max_bytes` (0: the server did not say; it checks).
fn check_size(name: &str, size: u64, max_bytes: u64) -> Result<(), DeskError> {
    if size == 0 {
        return Err(DeskError::File(ErrorBody::new(
            ErrorCode::InvalidInput,
            format!("“{name}” is empty."),
        )));
    }
    if max_bytes > 0 && size > max_bytes {
        return Err(DeskError::File(ErrorBody::new(
            ErrorCode::FileTooLarge,
            format!(
                "“{name}” is {}; files up to {} can be sent.",
                readable_size(size),
                readable_size(max_bytes)
            ),
        )));
    }
    Ok(())
}

/// A size as people read it: `850 B`, `47 KB`, `10.0 MB`.
fn readable_size(bytes: u64) -> String {
    const KB: u64 = 1024;
    match bytes {
        0..KB => format!("{bytes} B"),
        KB..1_048_576 => format!("{} KB", (bytes + KB / 2) / KB),
        _ => format!("{:.1} MB", bytes as f64 / 1_048_576.0),
    }
}

/// `name` as a file name of its own: its last path part, without control characters or a
/// leading dot (a name that hides itself), and never empty.
fn safe_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .map(|c| if c.is_control() { '_' } else { c })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() {
        "file".to_owned()
    } else {
        cleaned.to_owned()
    }
}

/// Writes `bytes` to a new file in `dir` named `name` (see [`save_new`]), off the async threads.
pub(crate) async fn save_in(
    dir: &Path,
    name: String,
    bytes: Vec<u8>,
) -> Result<PathBuf, DeskError> {
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || save_new(&dir, &name, &bytes))
        .await
        .map_err(|_| DeskError::Transfer)?
        .map_err(|error| DeskError::Save(error.to_string()))
}

/// Writes `bytes` to a new file in `dir` named `name`, or `name (2)`, `name (3)`… when taken.
fn save_new(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    use std::io::Write;
    let (stem, extension) = match name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() => (stem, format!(".{extension}")),
        _ => (name, String::new()),
    };
    std::fs::create_dir_all(dir)?;
    for n in 1.. {
        let candidate = if n == 1 {
            dir.join(name)
        } else {
            dir.join(format!("{stem} ({n}){extension}"))
        };
        match std::fs::File::create_new(&candidate) {
            Ok(mut file) => {
                file.write_all(bytes)?;
                return Ok(candidate);
            }
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(error) => return Err(error),
        }
    }
    unreachable!("some name is free")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_the_server_cannot_leave_the_folder_or_hide() {
        assert_eq!(safe_file_name("invoice.pdf"), "invoice.pdf");
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("C:\\Users\\x\\report.txt"), "report.txt");
        assert_eq!(safe_file_name(".bashrc"), "bashrc");
        assert_eq!(safe_file_name("a\nb\u{7}.txt"), "a_b_.txt");
        assert_eq!(safe_file_name(".."), "file");
        assert_eq!(safe_file_name(""), "file");
    }

    #[test]
    fn a_saved_file_never_replaces_one_already_there() {
        let dir = tempfile::tempdir().unwrap();
        let first = save_new(dir.path(), "invoice.pdf", b"one").unwrap();
        let second = save_new(dir.path(), "invoice.pdf", b"two").unwrap();
        let third = save_new(dir.path(), "README", b"three").unwrap();
        let fourth = save_new(dir.path(), "README", b"four").unwrap();
        assert_eq!(first, dir.path().join("invoice.pdf"));
        assert_eq!(second, dir.path().join("invoice (2).pdf"));
        assert_eq!(fourth, dir.path().join("README (2)"));
        assert_eq!(std::fs::read(&first).unwrap(), b"one");
        assert_eq!(std::fs::read(&second).unwrap(), b"two");
        assert_eq!(std::fs::read(&third).unwrap(), b"three");
    }

    #[test]
    fn sizes_are_checked_before_anything_is_read_or_sent() {
        assert!(check_size("a.png", 10, 10).is_ok());
        assert!(check_size("a.png", 10, 0).is_ok());
        let Err(DeskError::File(too_large)) = check_size("a.png", 11 * 1_048_576, 10 * 1_048_576)
        else {
            panic!("refused");
        };
        assert_eq!(too_large.code, ErrorCode::FileTooLarge);
        assert_eq!(
            too_large.message,
            "“a.png” is 11.0 MB; files up to 10.0 MB can be sent."
        );
        let Err(DeskError::File(empty)) = check_size("a.png", 0, 10) else {
            panic!("refused");
        };
        assert_eq!(empty.code, ErrorCode::InvalidInput);
        assert_eq!(readable_size(850), "850 B");
        assert_eq!(readable_size(48_000), "47 KB");
    }
}
