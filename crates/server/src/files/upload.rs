//! An upload as it streams in: written to a temporary file beside the data while its size, its
//! SHA-256 and its type are worked out, so that a 10 MB file costs a few kilobytes of memory and
//! a refused one leaves nothing behind.

use std::path::{Path, PathBuf};

use axum::body::Body;
use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::sniff::Sniffer;
use crate::config::AttachmentsSection;

/// Where uploads are received: `uploads` in the data directory.
pub fn spool_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("uploads")
}

/// Deletes what uploads cut short by a crash left in `dir` (a temporary file deletes itself
/// unless the process dies first); run at start, before any upload can be in flight. How many
/// were deleted.
pub fn clear_spool(dir: &Path) -> std::io::Result<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(error) => return Err(error),
    };
    let mut cleared = 0;
    for entry in entries {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::remove_file(entry.path())?;
            cleared += 1;
        }
    }
    Ok(cleared)
}

/// A file received whole and of a type taken, waiting in its temporary file to be stored.
#[derive(Debug)]
pub struct Spooled {
    pub file: tempfile::NamedTempFile,
    pub size: u64,
    pub sha256: String,
    pub content_type: &'static str,
}

#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    #[error("The file is larger than the {max} bytes this server takes.")]
    TooLarge { max: u64 },
    #[error("The file is empty.")]
    Empty,
    #[error("{}", refused(.found))]
    TypeRefused { found: Option<&'static str> },
    #[error("The upload broke off: {0}")]
    Body(axum::Error),
    #[error("The file could not be written: {0}")]
    Io(#[from] std::io::Error),
}

fn refused(found: &Option<&'static str>) -> String {
    match found {
        Some(kind) => format!("Files of this type ({kind}) are not taken."),
        None => "The file's content is of no type this server takes.".into(),
    }
}

/// Receives `body` into a new temporary file in `dir`, as `limits` allow.
pub async fn spool(
    body: Body,
    dir: &Path,
    limits: &AttachmentsSection,
) -> Result<Spooled, SpoolError> {
    let file = tempfile::NamedTempFile::new_in(dir)?;
    let mut writer = tokio::fs::File::from_std(file.reopen()?);
    let mut hash = Sha256::new();
    let mut sniffer = Sniffer::default();
    let mut size: u64 = 0;
    let mut chunks = body.into_data_stream();
    while let Some(chunk) = chunks.try_next().await.map_err(SpoolError::Body)? {
        size += chunk.len() as u64;
        if size > limits.max_bytes {
            return Err(SpoolError::TooLarge {
                max: limits.max_bytes,
            });
        }
        hash.update(&chunk);
        sniffer.feed(&chunk);
        writer.write_all(&chunk).await?;
    }
    writer.flush().await?;
    if size == 0 {
        return Err(SpoolError::Empty);
    }
    let content_type = sniffer.content_type();
    match content_type {
        Some(kind) if limits.takes(kind) => Ok(Spooled {
            file,
            size,
            sha256: hex::encode(hash.finalize()),
            content_type: kind,
        }),
        found => Err(SpoolError::TypeRefused { found }),
    }
}
