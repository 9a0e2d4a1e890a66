//! Several server nodes on one PostgreSQL database: one routes, the others stand by. Until this
//! node wins the election (`store::leadership`), it serves only what a node standing by serves
//! (`http::standby`: alive, not ready, clients refused with 503) and tries to take over every
//! [`CAMPAIGN_EVERY`]; once it routes, its store renews the lease, and losing it stops the server.

use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};

use crate::http::accept::{self, Accepting};
use crate::http::{self, standby};
use crate::store::leadership::CAMPAIGN_EVERY;
use crate::store::{PostgresStore, StoreError};

/// The name a node goes by when the configuration gives none: the host's.
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|name| name.trim().to_owned())
        .ok()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "switchboard".into())
}

/// Returns once `node` routes, with the listener it serves on and whether it stood by first
/// (and announced where it listens); stands by until then.
pub async fn stand_by(
    store: &PostgresStore,
    node: &str,
    listener: TcpListener,
    accepting: Accepting,
) -> Result<(TcpListener, bool), std::io::Error> {
    let local = listener.local_addr()?;
    let address = local.to_string();
    let campaign = async || store.campaign(node, &address).await.map_err(io_error);
    if campaign().await?.is_some() {
        tracing::info!(node, "this node routes");
        return Ok((listener, false));
    }
    // The same socket, accepted from by the standby's server until the node routes.
    let listener = listener.into_std()?;
    let standby_listener = TcpListener::from_std(listener.try_clone()?)?;
    let listener = TcpListener::from_std(listener)?;
    let (leader, seen) = watch::channel(store.leader().await.map_err(io_error)?);
    if let Some(routing) = &*leader.borrow() {
        tracing::info!(node, routing = routing.node, "standing by");
    }
    http::announce(local);
    let routes = Notify::new();
    let serving = accept::serve(
        standby_listener,
        standby::router(node.to_owned(), seen),
        accepting,
        routes.notified(),
    );
    let campaigning = async {
        loop {
            tokio::time::sleep(CAMPAIGN_EVERY).await;
            match campaign().await {
                Ok(Some(term)) => {
                    tracing::info!(node, term, "this node routes now");
                    routes.notify_one();
                    return Ok(());
                }
                Ok(None) => {
                    if let Ok(now) = store.leader().await {
                        leader.send_replace(now);
                    }
                }
                // PostgreSQL out of reach: no node can take over meanwhile.
                Err(error) => tracing::warn!(%error, "campaigning failed: trying again"),
            }
        }
    };
    let ((), elected) = tokio::join!(serving, campaigning);
    elected.map(|()| (listener, true))
}

fn io_error(error: StoreError) -> std::io::Error {
    std::io::Error::other(error)
}
