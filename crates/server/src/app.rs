//! What every request handler shares.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::watch;

use crate::channels::facebook_names::FacebookNames;
use crate::config::Config;
use crate::hub::HubHandle;

#[derive(Debug)]
pub struct App<S> {
    pub config: Arc<Config>,
    pub store: S,
    pub hub: HubHandle,
    /// Turns true when the server shuts down: open WebSockets close.
    pub shutdown: watch::Receiver<bool>,
    /// Hash of the admin token (see [`crate::admin`]).
    pub admin_token_hash: String,
    pub facebook_names: FacebookNames,
    connections: AtomicU64,
}

impl<S> App<S> {
    pub fn new(
        config: Arc<Config>,
        store: S,
        hub: HubHandle,
        shutdown: watch::Receiver<bool>,
        admin_token: &str,
    ) -> Arc<App<S>> {
        let admin_token_hash = crate::auth::hash_token(admin_token);
        Arc::new(App {
            config,
            store,
            hub,
            shutdown,
            admin_token_hash,
            facebook_names: FacebookNames::default(),
            connections: AtomicU64::new(0),
        })
    }

    /// A number for a new connection, unique for the life of the process.
    pub fn next_connection(&self) -> u64 {
        self.connections.fetch_add(1, Ordering::Relaxed)
    }
}
