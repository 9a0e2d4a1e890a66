//! What every request handler shares.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use tokio::sync::watch;

use crate::channels::facebook_names::FacebookNames;
use crate::config::Config;
use crate::files::Signer;
use crate::guard::{Guard, client_address};
use crate::hub::HubHandle;

#[derive(Debug)]
pub struct App<S> {
    /// The configuration as last loaded: replaced whole when the file is read again (`SIGHUP`).
    config: RwLock<Arc<Config>>,
    /// Held while the configuration is replaced: each replacement applies the settings as stored
    /// when it runs, so the last one applied is the latest.
    pub reconfiguring: tokio::sync::Mutex<()>,
    pub store: S,
    pub hub: HubHandle,
    /// Turns true when the server shuts down: open WebSockets close.
    pub shutdown: watch::Receiver<bool>,
    /// Hash of the admin token (see [`crate::admin`]).
    pub admin_token_hash: String,
    pub facebook_names: FacebookNames,
    pub guard: Guard,
    /// Signs and checks the links to upload and read files.
    pub signer: Signer,
    connections: AtomicU64,
}

impl<S> App<S> {
    pub fn new(
        config: Arc<Config>,
        store: S,
        hub: HubHandle,
        shutdown: watch::Receiver<bool>,
        admin_token: &str,
        signer: Signer,
    ) -> Arc<App<S>> {
        let admin_token_hash = crate::auth::hash_token(admin_token);
        let guard = Guard::new(&config.limits);
        Arc::new(App {
            config: RwLock::new(config),
            reconfiguring: tokio::sync::Mutex::new(()),
            store,
            hub,
            shutdown,
            admin_token_hash,
            facebook_names: FacebookNames::default(),
            guard,
            signer,
            connections: AtomicU64::new(0),
        })
    }

    /// Every minute, the rate limits forget the clients that have not come lately; stops with the
    /// server (it holds no handle that would keep the hub alive).
    pub fn forget_idle_clients(app: &Arc<App<S>>)
    where
        S: Send + Sync + 'static,
    {
        let app = Arc::downgrade(app);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                every.tick().await;
                let Some(app) = app.upgrade() else { return };
                app.guard.forget_idle();
            }
        });
    }

    /// The configuration now.
    pub fn config(&self) -> Arc<Config> {
        self.config.read().expect("never poisoned").clone()
    }

    /// The configuration read again: what handlers read from now on.
    pub fn reconfigure(&self, config: Arc<Config>) {
        *self.config.write().expect("never poisoned") = config;
    }

    /// A number for a new connection, unique for the life of the process.
    pub fn next_connection(&self) -> u64 {
        self.connections.fetch_add(1, Ordering::Relaxed)
    }
}

/// The client a request comes from: its socket's address, or the one a trusted proxy names.
#[derive(Clone, Copy, Debug)]
pub struct ClientAddress(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<Arc<App<S>>> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App<S>>) -> Result<Self, Infallible> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)), |info| info.0);
        let forwarded_for = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok());
        Ok(ClientAddress(client_address(
            peer,
            forwarded_for,
            app.guard.trusted_proxies(),
        )))
    }
}
