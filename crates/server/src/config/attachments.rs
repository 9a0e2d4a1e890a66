//! The `[attachments]` section: which files customers and agents may send, how large, and where
//! they are kept.

use std::path::PathBuf;

use serde::Deserialize;

use super::ConfigProblem;

/// The types a file can be recognised as from its content, and so the only ones `types` may
/// name. Markup (HTML, SVG) is not among them: nothing sent is ever rendered as a page.
pub const RECOGNISED_TYPES: [&str; 11] = [
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/bmp",
    "application/pdf",
    "text/plain",
    "audio/mpeg",
    "audio/ogg",
    "video/mp4",
    "application/zip",
];

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AttachmentsSection {
    /// The largest file taken, in bytes.
    pub max_bytes: u64,
    /// The types taken, as read from a file's content (among [`RECOGNISED_TYPES`]).
    pub types: Vec<String>,
    /// Keep files' contents in this directory (by their SHA-256) instead of the database;
    /// relative paths are relative to the configuration file.
    pub dir: Option<PathBuf>,
    /// The address the SMS and Messenger providers reach this server at
    /// (`https://cc.example.com`): they fetch the files agents send from there, through links
    /// that expire. Without it, agents send files in web chats only.
    pub public_url: Option<String>,
}

impl Default for AttachmentsSection {
    fn default() -> Self {
        AttachmentsSection {
            max_bytes: 10 * 1024 * 1024,
            types: [
                "image/png",
                "image/jpeg",
                "image/gif",
                "image/webp",
                "application/pdf",
                "text/plain",
            ]
            .map(str::to_owned)
            .to_vec(),
            dir: None,
            public_url: None,
        }
    }
}

impl AttachmentsSection {
    pub(super) fn validate(&self) -> Result<(), ConfigProblem> {
        if let Some(url) = &self.public_url {
            let parsed = url::Url::parse(url).ok().filter(|parsed| {
                matches!(parsed.scheme(), "https" | "http")
                    && parsed.host().is_some()
                    && parsed.query().is_none()
            });
            if parsed.is_none() {
                return Err(ConfigProblem::new(
                    "attachments.public_url",
                    format!("“{url}” is not an http(s) address such as https://cc.example.com"),
                ));
            }
        }
        if self.max_bytes == 0 {
            return Err(ConfigProblem::new(
                "attachments.max_bytes",
                "must be at least 1 byte",
            ));
        }
        for (i, kind) in self.types.iter().enumerate() {
            if !RECOGNISED_TYPES.contains(&kind.as_str()) {
                return Err(ConfigProblem::new(
                    format!("attachments.types[{i}]"),
                    format!(
                        "“{kind}” cannot be recognised from a file's content; the types that can: {}",
                        RECOGNISED_TYPES.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    pub fn takes(&self, content_type: &str) -> bool {
        self.types.iter().any(|kind| kind == content_type)
    }

    /// The address of a file's `link` (a path from the server's root) as a provider fetches it.
    pub fn public_link(&self, link: &str) -> Option<String> {
        let base = self.public_url.as_deref()?;
        Some(format!("{}{link}", base.trim_end_matches('/')))
    }
}
