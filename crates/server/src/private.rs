//! The data directory holds conversations, contacts and secrets: it and every file the server
//! creates in it are its owner's alone (`0700` and `0600`), whatever the process's umask.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

/// Creates `path` and its missing parents, each readable by its owner only.
pub fn create_dir(path: &Path) -> std::io::Result<()> {
    DirBuilder::new().recursive(true).mode(0o700).create(path)
}

/// Creates (or truncates) the file at `path`, readable by its owner only.
pub fn create_file(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}

/// Writes `contents` to a new file at `path`, readable by its owner only.
pub fn write(path: &Path, contents: impl AsRef<[u8]>) -> std::io::Result<()> {
    create_file(path)?.write_all(contents.as_ref())
}

/// Creates the file at `path` if it is missing, readable by its owner only; leaves an existing
/// file as it is. SQLite gives its log files the permissions of the database file.
pub fn touch(path: &Path) -> std::io::Result<()> {
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Err(error) if error.kind() != std::io::ErrorKind::AlreadyExists => Err(error),
        _ => Ok(()),
    }
}
