//! The `[server]`, `[contacts]` and `[privacy]` sections: where the server listens and keeps its
//! data, how long sessions and the grace period last; the default region of national phone
//! numbers; whether payment data is stored.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;

use crate::phone::Region;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSection {
    pub listen: SocketAddr,
    /// Where the database lives; relative paths are relative to the configuration file.
    pub data_dir: PathBuf,
    pub session_hours: u32,
    /// How long an agent who lost the connection keeps presence and conversations.
    pub presence_grace_seconds: u32,
    /// Serve a sample shop page with the widget at `/demo`.
    pub demo: bool,
    /// How often every WebSocket is pinged; one that stays silent through two pings (its client
    /// gone without closing) is closed.
    pub ping_seconds: u32,
    /// The name this server goes by among several sharing one PostgreSQL database (`serve
    /// --node`); the host's name by default.
    pub node: Option<String>,
    /// A second address serving only `/metrics`, without the admin token: for a Prometheus on a
    /// private network. Without it, `/metrics` is on the main listener, with the admin token.
    pub metrics_listen: Option<SocketAddr>,
    /// Threads serving connections and routing; every core but one by default (see
    /// [`ServerSection::worker_threads`]).
    pub worker_threads: Option<usize>,
}

impl ServerSection {
    /// Threads serving connections and routing: as configured, or every core but one, which is
    /// left to the database, the journal's syncs and password hashing (their own threads). On two
    /// cores that is one: measured at the documented load, one worker used about ten points of a
    /// core less than two, at the same latency, since tasks no longer wake each other across
    /// threads.
    pub fn worker_threads(&self) -> usize {
        self.worker_threads.unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map_or(1, |cores| cores.get().saturating_sub(1))
                .max(1)
        })
    }
}

impl Default for ServerSection {
    fn default() -> Self {
        ServerSection {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("data"),
            session_hours: 12,
            presence_grace_seconds: 60,
            demo: false,
            ping_seconds: 20,
            node: None,
            metrics_listen: None,
            worker_threads: None,
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ContactsSection {
    /// The country whose national phone numbers contacts and SMS senders may use without a
    /// country code (ISO 3166 alpha-2, e.g. "CZ"); without it, numbers need their +code.
    #[serde(deserialize_with = "region")]
    pub default_region: Option<Region>,
}

fn region<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Region>, D::Error> {
    let code = String::deserialize(deserializer)?;
    code.to_uppercase().parse().map(Some).map_err(|_| {
        serde::de::Error::custom(format!(
            "“{code}” is not a two-letter country code such as CZ"
        ))
    })
}

/// The `[privacy]` section.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrivacySection {
    /// Keep card numbers, IBANs and social security numbers as customers write them. Off: they
    /// are masked as a message is accepted, before the journal, the database or a log sees them.
    pub store_payment_data: bool,
}
