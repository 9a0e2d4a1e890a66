//! Files customers and agents send with messages: received through signed upload links,
//! checked (size, and type read from content), stored with the conversation, and read back
//! through short-lived signed links.
//!
//! - `sniff.rs`: a file's type from its content;
//! - `upload.rs`: an upload streamed to a temporary file while it is checked;
//! - `links.rs`: the signed upload and read links.

pub mod links;
pub mod sniff;
pub mod upload;

pub use links::{Signer, UploadGrant, Uploader};

use switchboard_protocol::{ErrorBody, ErrorCode};

/// The refusal of a file id that is not one of the conversation's (or not the sender's).
pub fn no_such_file() -> ErrorBody {
    ErrorBody::new(
        ErrorCode::NotFound,
        "There is no such file in this conversation.",
    )
}

/// The refusal when a file's record cannot be read now.
pub fn unreadable(error: impl std::fmt::Display) -> ErrorBody {
    tracing::error!(%error, "could not read a file's record");
    ErrorBody::new(
        ErrorCode::Unavailable,
        "The file cannot be read now; try again in a moment.",
    )
}
