//! Running the server: open the store, create the demo agents, start the hub, serve HTTP until
//! told to stop, then close every connection and let the hub finish what it has.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use axum::serve::ListenerExt;
use switchboard_protocol::{AgentId, Presence};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::app::App;
use crate::auth;
use crate::config::Config;
use crate::hub::Hub;
use crate::store::{AgentRecord, Journaled, SqliteStore, Store, StoreError};

/// Why the server stopped other than by being asked to.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("serving HTTP: {0}")]
    Io(#[from] std::io::Error),
}

/// Serves `config` on `listener` until `shutdown` completes.
pub async fn serve(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let database = SqliteStore::open(&config.database_path()).await?;
    let store = Journaled::open(database, &config.journal_path()).await?;
    create_demo_agents(&config, &store).await?;
    let config = Arc::new(config);
    let (hub, hub_task) = Hub::start(config.clone(), store.clone()).await?;
    let (stop, stopping) = watch::channel(false);
    let address = listener.local_addr()?;
    let admin_token = crate::admin::publish(&config.server.data_dir, address)?;
    let app = App::new(config, store.clone(), hub, stopping, &admin_token);
    // Scripts and tests wait for this line: it comes once the server is ready to serve.
    println!("listening on http://{address}");
    let router = crate::http::router(app);
    tracing::info!(address = %listener.local_addr()?, "listening");
    // Chat frames are small and latency matters: without TCP_NODELAY, a frame written right after
    // another waits for the peer's delayed acknowledgement (up to 40 ms).
    let listener = listener.tap_io(|stream| {
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY");
        }
    });
    let served = axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down: closing connections");
            let _ = stop.send(true);
        })
        .await;
    // The router (and every handle to the hub) is gone once connections have closed; the hub
    // then ends after the requests already queued. Every step it took is committed.
    let stored = hub_task.await.unwrap_or(Ok(()));
    served?;
    stored?;
    // Not needed for durability (a start applies what the journal holds), but it leaves the
    // database complete for the admin commands.
    store.caught_up().await?;
    tracing::info!("stopped");
    Ok(())
}

/// Creates the configuration's demo agents that do not exist yet.
async fn create_demo_agents(config: &Config, store: &impl Store) -> Result<(), StoreError> {
    // Hashing is deliberately slow (tens of milliseconds): demo agents sharing a password share
    // its hash, so that a demonstration with hundreds of them starts at once. Demo accounts only;
    // real ones are created one by one, each with its own salt.
    let mut hashes: HashMap<&str, String> = HashMap::new();
    for demo in &config.demo_agents {
        if store.agent_by_email(&demo.email).await?.is_some() {
            continue;
        }
        let password_hash = hashes
            .entry(&demo.password)
            .or_insert_with(|| auth::hash_password(&demo.password))
            .clone();
        let record = AgentRecord {
            id: AgentId(auth::random_id()),
            email: demo.email.clone(),
            name: demo.name.clone(),
            password_hash,
            queues: demo.queues.clone(),
            capacity: None,
            presence: Presence::Offline,
            presence_since: crate::clock::now(),
        };
        store.insert_agent(&record).await?;
        tracing::info!(email = %demo.email, "created demo agent");
    }
    Ok(())
}
