//! What the admin API changed of the configuration (`config::Overlay`, stored): applied over
//! the file's configuration whenever a node starts serving, and over the running configuration
//! whenever it changes — on the node that took the change at once, on the others when PostgreSQL
//! tells them (`SETTINGS_CHANGED`): the routing node's hub and every node's handlers.

use std::sync::Arc;
use std::time::Duration;

use crate::app::App;
use crate::config::{Config, ConfigProblem};
use crate::store::settings::{self, SETTINGS_CHANGED};
use crate::store::{PostgresStore, Store};

/// How often a watcher without news checks whether its server still runs.
const CHECK_EVERY: Duration = Duration::from_secs(5);

/// Why the settings as stored were not applied.
#[derive(Debug, thiserror::Error)]
pub enum NotApplied {
    #[error("the settings changed through the admin API could not be read: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("the settings changed through the admin API do not fit the configuration: {0}")]
    Problem(#[from] ConfigProblem),
}

/// `config` (the file's) with the settings as stored now applied over it.
pub async fn overlaid(config: Config, store: &impl Store) -> Result<Config, NotApplied> {
    let overlay = settings::overlay(store).await?;
    if overlay == Default::default() {
        return Ok(config);
    }
    Ok(config.with_overlay(&overlay)?)
}

/// Has routing check and take `config`, then every handler.
pub async fn take<S: Store>(app: &App<S>, config: Config) -> Result<(), ConfigProblem> {
    let config = Arc::new(config);
    app.hub.reconfigure(config.clone()).await?;
    app.reconfigure(config);
    Ok(())
}

/// Applies the settings as stored whenever PostgreSQL says another node (or this one) changed
/// them — and whenever listening starts again, as what was notified meanwhile is lost. It holds
/// no handle that would keep the server's handlers alive.
pub fn on_settings_changed<S: Store>(app: &Arc<App<S>>, database: PostgresStore) {
    let app = Arc::downgrade(app);
    tokio::spawn(async move {
        let mut listener = None;
        while app.strong_count() > 0 {
            // Listening (again), a notification, or the connection lost (`Ok(None)`: it is made
            // again at the next wait): either way a change may be there.
            let woken = match &mut listener {
                None => database
                    .listen(&[SETTINGS_CHANGED])
                    .await
                    .map(|started| listener = Some(started))
                    .map_err(|error| error.to_string()),
                Some(listening) => tokio::select! {
                    received = listening.try_recv() => {
                        received.map(drop).map_err(|error| error.to_string())
                    }
                    () = tokio::time::sleep(CHECK_EVERY) => continue,
                },
            };
            if let Err(error) = woken {
                tracing::warn!(%error, "listening for settings changed on other nodes failed");
                listener = None;
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            if let Some(app) = app.upgrade()
                && let Err(error) = apply_stored(&app).await
            {
                tracing::error!(%error, "settings changed on another node were not applied");
            }
        }
    });
}

/// Applies the settings as stored over the running configuration.
pub async fn apply_stored<S: Store>(app: &App<S>) -> Result<(), NotApplied> {
    let _one_at_a_time = app.reconfiguring.lock().await;
    let overlay = settings::overlay(&app.store).await?;
    let config = app.config().with_overlay(&overlay)?;
    Ok(take(app, config).await?)
}
