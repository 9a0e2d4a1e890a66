//! The configuration file read again on `SIGHUP`, without dropping a connection: validated whole
//! (the usual `file: key: problem` on any error, and nothing changes), checked against what
//! routing holds, with what the admin API changed of it applied over it, then applied — routing
//! first (new queues, timeouts, reasons, templates, the desktop profile, sent to connected
//! desktops at once; the event webhooks' endpoints), then every handler (widgets, privacy). What
//! is bound at start (addresses, data directory, store, rate limits, SMS and Messenger
//! credentials, the reports' time zone) is named in the log as waiting for a restart.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::signal::unix::{SignalKind, signal};

use crate::app::App;
use crate::config::{Config, ConfigError};
use crate::settings::take;
use crate::store::{Store, settings};

/// Reads `path` again on every `SIGHUP` while the server runs. It holds no handle that would keep
/// the hub alive: the server stops as if it were not there.
pub fn on_hangup<S: Store>(app: &Arc<App<S>>, path: PathBuf) {
    let app = Arc::downgrade(app);
    tokio::spawn(async move {
        let Ok(mut hangups) = signal(SignalKind::hangup()) else {
            tracing::warn!("SIGHUP cannot be received: the configuration is read at start only");
            return;
        };
        while hangups.recv().await.is_some() {
            let Some(app) = app.upgrade() else { return };
            reload(&app, &path).await;
        }
    });
}

async fn reload<S: Store>(app: &App<S>, path: &std::path::Path) {
    let _one_at_a_time = app.reconfiguring.lock().await;
    let overlay = match settings::overlay(&app.store).await {
        Ok(overlay) => overlay,
        Err(error) => {
            tracing::error!(%error, "the configuration was not reloaded: the settings changed through the admin API could not be read");
            return;
        }
    };
    let overlaid = Config::load(path).and_then(|config| {
        config
            .with_overlay(&overlay)
            .map_err(|problem| ConfigError {
                file: path.to_owned(),
                problem,
            })
    });
    let config = match overlaid {
        Ok(config) => config,
        Err(error) => {
            tracing::error!(%error, "the configuration was not reloaded");
            return;
        }
    };
    let waiting = restart_only(&app.config(), &config);
    if let Err(problem) = take(app, config).await {
        let error = ConfigError {
            file: path.to_owned(),
            problem,
        };
        tracing::error!(%error, "the configuration was not reloaded");
        return;
    }
    for key in &waiting {
        tracing::warn!(
            key,
            "changed in the file: it takes effect at the next restart"
        );
    }
    tracing::info!(file = %path.display(), "configuration reloaded");
}

/// The settings bound at start that differ between `running` and `read`.
fn restart_only(running: &Config, read: &Config) -> Vec<&'static str> {
    let differs =
        |a: &dyn std::fmt::Debug, b: &dyn std::fmt::Debug| format!("{a:?}") != format!("{b:?}");
    [
        (
            "server.listen",
            differs(&running.server.listen, &read.server.listen),
        ),
        (
            "server.data_dir",
            differs(&running.server.data_dir, &read.server.data_dir),
        ),
        (
            "server.node",
            differs(&running.server.node, &read.server.node),
        ),
        (
            "server.metrics_listen",
            differs(&running.server.metrics_listen, &read.server.metrics_listen),
        ),
        (
            "server.ping_seconds",
            differs(&running.server.ping_seconds, &read.server.ping_seconds),
        ),
        (
            "server.worker_threads",
            differs(&running.server.worker_threads, &read.server.worker_threads),
        ),
        ("store", differs(&running.store, &read.store)),
        ("limits", differs(&running.limits, &read.limits)),
        ("sms", differs(&running.sms, &read.sms)),
        ("facebook", differs(&running.facebook, &read.facebook)),
        (
            "reports.time_zone",
            differs(&running.reports, &read.reports),
        ),
    ]
    .into_iter()
    .filter_map(|(key, changed)| changed.then_some(key))
    .collect()
}
