//! Administering a running server from its own machine. At start the server writes where it
//! listens and a secret (fresh for each process) to `admin.json` in its data directory, readable
//! by its owner only; commands such as `switchboard-server queue remove` read it to call the
//! admin endpoints. Whoever can read the data directory can read the database anyway.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::{auth, private};

#[derive(Debug, Serialize, Deserialize)]
pub struct AdminAccess {
    /// `host:port` the server listens on.
    pub address: String,
    pub token: String,
}

fn path(data_dir: &Path) -> PathBuf {
    data_dir.join("admin.json")
}

/// Writes the admin access file for a server listening on `address`; returns its token.
pub fn publish(data_dir: &Path, address: SocketAddr) -> std::io::Result<String> {
    let access = AdminAccess {
        address: address.to_string(),
        token: process_token(),
    };
    private::create_dir(data_dir)?;
    private::write(
        &path(data_dir),
        serde_json::to_string(&access).expect("serializes"),
    )?;
    Ok(access.token)
}

/// The admin token of this process, for its whole life: a node that goes from following one
/// routing node to following another, or to routing, keeps the token its operator holds.
fn process_token() -> String {
    static TOKEN: OnceLock<String> = OnceLock::new();
    TOKEN.get_or_init(auth::random_token).clone()
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
