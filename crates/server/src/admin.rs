//! Administering a running server from its own machine. At start the server writes where it
//! listens and a fresh secret to `admin.json` in its data directory, readable by its owner only;
//! commands such as `switchboard-server queue remove` read it to call the admin endpoints. Whoever
//! can read the data directory can read the database anyway.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::auth;

#[derive(Debug, Serialize, Deserialize)]
pub struct AdminAccess {
    /// `host:port` the server listens on.
    pub address: String,
    pub token: String,
}

fn path(data_dir: &Path) -> PathBuf {
    data_dir.join("admin.json")
}

/// Writes a fresh admin access file for a server listening on `address`; returns its token.
pub fn publish(data_dir: &Path, address: SocketAddr) -> std::io::Result<String> {
    let access = AdminAccess {
        address: address.to_string(),
        token: auth::random_token(),
    };
    std::fs::create_dir_all(data_dir)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path(data_dir))?;
    file.write_all(
        serde_json::to_string(&access)
            .expect("serializes")
            .as_bytes(),
    )?;
    Ok(access.token)
}

/// The access file of the server whose data directory is `data_dir`.
pub fn read(data_dir: &Path) -> Result<AdminAccess, String> {
    let file = path(data_dir);
    let text = std::fs::read_to_string(&file).map_err(|e| {
        format!(
            "{}: {e} (is the server running with this configuration?)",
            file.display()
        )
    })?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))
}
