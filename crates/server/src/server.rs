//! Running the server: open the store, create the demo agents, start the hub, serve HTTP until
//! told to stop, then close every connection and let the hub finish what it has.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use switchboard_protocol::{AgentId, Presence};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::app::App;
use crate::config::{Backend, Config, LimitsSection};
use crate::http::accept::Accepting;
use crate::hub::Hub;
use crate::store::{
    AgentRecord, Journaled, PostgresStore, SqliteStore, Store, StoreError, describe_postgres,
};
use crate::ws::Liveness;
use crate::{auth, election};

/// Why the server stopped other than by being asked to.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("serving HTTP: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Settings(#[from] crate::settings::NotApplied),
}

/// Serves `config` on `listener` until `shutdown` completes.
pub async fn serve(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    match config.store.backend() {
        Backend::Embedded => {
            let store = open_embedded(&config).await?;
            serve_with(config, store, listener, shutdown, false, None).await
        }
        Backend::Postgres(url) => {
            let store = PostgresStore::connect(&url).await?;
            tracing::info!(database = %describe_postgres(&url), "storing in PostgreSQL");
            // What the admin API changed is applied again whenever this node starts serving; an
            // overlay that does not fit the file stops the server here, at once.
            let mut config = crate::settings::overlaid(config, &store).await?;
            let node = config
                .server
                .node
                .clone()
                .unwrap_or_else(election::host_name);
            let accepting = accepting(&config.limits, Liveness::of(&config));
            let mut shutdown = Box::pin(shutdown);
            let routing = election::follow_until_routing(
                &mut config,
                &store,
                &node,
                listener,
                accepting,
                &mut shutdown,
            )
            .await?;
            let Some((listener, announced)) = routing else {
                return Ok(());
            };
            let relay = Some(store.clone());
            serve_with(config, store, listener, shutdown, announced, relay).await
        }
    }
}

/// The embedded database under the data directory, with its journal in front.
pub async fn open_embedded(config: &Config) -> Result<Journaled<SqliteStore>, StoreError> {
    let durability = config.store.durability;
    let database = SqliteStore::open_with(&config.database_path(), durability).await?;
    Journaled::open_with(database, &config.journal_path(), durability).await
}

/// Serves on `store`; `announced`: the node has said where it listens already (following);
/// `relay`: other nodes forward their clients' requests through this database (and tell of
/// settings they changed).
async fn serve_with<S: Store>(
    config: Config,
    store: S,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    announced: bool,
    relay: Option<PostgresStore>,
) -> Result<(), ServeError> {
    let config = crate::settings::overlaid(config, &store).await?;
    create_demo_agents(&config, &store).await?;
    for widget in config
        .widgets
        .iter()
        .filter(|w| w.allowed_origins.is_empty())
    {
        tracing::warn!(
            widget = widget.id,
            "the widget has no allowed_origins: any web page may embed it"
        );
    }
    let spooled = crate::files::upload::spool_dir(&config.server.data_dir);
    match crate::files::upload::clear_spool(&spooled) {
        Ok(0) => {}
        Ok(cleared) => tracing::info!(cleared, "deleted uploads a stop cut short"),
        Err(error) => tracing::warn!(%error, "uploads a stop cut short could not be deleted"),
    }
    let config = Arc::new(config);
    let (hub, hub_task) = Hub::start(config.clone(), store.clone()).await?;
    if let Some(database) = &relay {
        crate::hub::relay::start(database.clone(), &hub);
        database.index_search_beside_routing();
    }
    let (stop, stopping) = watch::channel(false);
    // The hub ends when the server stops, or when the store fails for good: then the server
    // stops too, and the process exits non-zero for its service manager to restart it.
    let (hub_ended, mut hub_result) = watch::channel(None::<Result<(), StoreError>>);
    tokio::spawn(async move {
        let result = hub_task
            .await
            .unwrap_or_else(|panic| Err(StoreError::Stopped(format!("the hub panicked: {panic}"))));
        let _ = hub_ended.send(Some(result));
    });
    let address = listener.local_addr()?;
    let admin_token = crate::admin::publish(&config.server.data_dir, address)?;
    if let Some(metrics) = config.server.metrics_listen {
        let metrics = TcpListener::bind(metrics).await?;
        tracing::info!(address = %metrics.local_addr()?, "metrics listening");
        crate::http::metrics::serve_private(metrics);
    }
    let accepting = accepting(&config.limits, Liveness::of(&config));
    let signer = crate::hub::file_signer(&store).await?;
    let source = config.source.clone();
    let app = App::new(config, store.clone(), hub, stopping, &admin_token, signer);
    if let Some(path) = source {
        crate::reload::on_hangup(&app, path);
    }
    if let Some(database) = &relay {
        crate::settings::on_settings_changed(&app, database.clone());
    }
    if !announced {
        crate::http::announce(address);
    }
    App::forget_idle_clients(&app);
    let router = crate::http::router(app);
    tracing::info!(
        %address,
        max_connections = accepting.max_connections,
        "listening"
    );
    let fatal = std::sync::Mutex::new(None::<StoreError>);
    let mut hub_watch = hub_result.clone();
    crate::http::accept::serve(listener, router, accepting, async {
        let failure = tokio::select! {
            () = shutdown => None,
            failure = store.failed() => Some(failure),
            ended = hub_watch.wait_for(Option::is_some) => Some(match ended.ok().and_then(|r| r.clone()) {
                Some(Err(failure)) => failure,
                _ => StoreError::Stopped("the hub stopped".into()),
            }),
        };
        match &failure {
            Some(failure) => tracing::error!(%failure, "the store failed for good: stopping"),
            None => tracing::info!("shutting down: closing connections"),
        }
        *fatal.lock().expect("never poisoned") = failure;
        let _ = stop.send(true);
    })
    .await;
    // The router (and every handle to the hub) is gone once connections have closed; the hub
    // then ends after the requests already queued. Every step it took is committed.
    let ended = hub_result
        .wait_for(Option::is_some)
        .await
        .ok()
        .and_then(|result| result.clone())
        .unwrap_or(Ok(()));
    if let Some(failure) = fatal.lock().expect("never poisoned").take() {
        return Err(failure.into());
    }
    ended?;
    // Not needed for durability (a start applies what the journal holds), but it leaves the
    // database complete for the admin commands.
    store.caught_up().await?;
    tracing::info!("stopped");
    Ok(())
}

/// How connections are accepted: at most the configured number, or as many as the open-files
/// limit leaves room for beside the server's own files (database, journal, outgoing calls).
fn accepting(limits: &LimitsSection, liveness: Liveness) -> Accepting {
    const OWN_FILES: u64 = 128;
    let open_files = rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(1024, |(soft, _)| soft);
    let room = open_files.saturating_sub(OWN_FILES).max(open_files / 2);
    let max_connections = limits
        .max_connections
        .unwrap_or(usize::try_from(room).unwrap_or(usize::MAX));
    if max_connections as u64 > room {
        tracing::warn!(
            max_connections,
            open_files,
            "limits.max_connections is more than the open-files limit leaves room for"
        );
    }
    Accepting {
        max_connections,
        header_timeout: Duration::from_secs(limits.header_timeout_seconds.into()),
        silence: liveness.silence_limit(),
        shutdown_deadline: Duration::from_secs(limits.shutdown_seconds.into()),
    }
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
            role: demo.role,
        };
        match store.insert_agent(&record).await {
            // Another server on the same database created it meanwhile.
            Err(StoreError::Constraint(_)) => continue,
            inserted => inserted?,
        }
        tracing::info!(email = %demo.email, "created demo agent");
    }
    Ok(())
}
