//! Several server nodes on one PostgreSQL database: one routes (its hub decides), the others
//! follow it — they serve their own clients, agents and customers, webhooks and the admin API,
//! and forward what needs routing to the routing node's hub (`hub::remote`). A node routes once
//! no other node's lease runs (`store::leadership`); while another routes, it follows that one
//! until the routing node changes, then campaigns again.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::app::App;
use crate::config::Config;
use crate::http::accept::{self, Accepting};
use crate::hub::{HubHandle, Remote};
use crate::store::leadership::{CAMPAIGN_EVERY, Leader};
use crate::store::{PostgresStore, StoreError};

/// The name a node goes by when the configuration gives none: the host's.
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|name| name.trim().to_owned())
        .ok()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "switchboard".into())
}

/// Follows whichever node routes until `node` routes: then returns the listener to route on, and
/// whether the node has said where it listens already. `None`: `shutdown` came first. `config`
/// ends as the last configuration served (`SIGHUP` may have changed it).
pub async fn follow_until_routing(
    config: &mut Config,
    store: &PostgresStore,
    node: &str,
    listener: TcpListener,
    accepting: Accepting,
    shutdown: &mut (impl Future<Output = ()> + Unpin),
) -> Result<Option<(TcpListener, bool)>, std::io::Error> {
    let address = listener.local_addr()?;
    let mut announced = false;
    let listener = listener.into_std()?;
    let mut serving_config = Arc::new(config.clone());
    loop {
        let campaign = async {
            match store.campaign(node, &address.to_string()).await? {
                Some(term) => Ok(Err(term)),
                None => store.leader().await.map(Ok),
            }
        };
        let leader = tokio::select! {
            outcome = campaign => outcome,
            () = &mut *shutdown => return Ok(None),
        };
        let leader = match leader {
            Err(error) => {
                // PostgreSQL out of reach: no node can take over meanwhile.
                tracing::warn!(%error, "campaigning failed: trying again");
                None
            }
            Ok(Err(term)) => {
                tracing::info!(node, term, "this node routes");
                *config = (*serving_config).clone();
                return Ok(Some((TcpListener::from_std(listener)?, announced)));
            }
            // The routing node's lease ran out between the two questions.
            Ok(Ok(leader)) => leader,
        };
        let Some(leader) = leader else {
            tokio::select! {
                () = tokio::time::sleep(CAMPAIGN_EVERY) => continue,
                () = &mut *shutdown => return Ok(None),
            }
        };
        if !announced {
            crate::http::announce(address);
            announced = true;
        }
        let serving = TcpListener::from_std(listener.try_clone()?)?;
        let following = Following {
            config: &mut serving_config,
            store,
            node,
            leader: &leader,
            address,
        };
        match following.serve(serving, accepting, &mut *shutdown).await {
            Ok(true) => return Ok(None),
            Ok(false) => {}
            Err(error) => {
                tracing::warn!(%error, routing = leader.node, "following failed: trying again");
                tokio::time::sleep(CAMPAIGN_EVERY).await;
            }
        }
    }
}

/// What following one routing node takes.
struct Following<'a> {
    /// What the node serves with; what it served with in the end.
    config: &'a mut Arc<Config>,
    store: &'a PostgresStore,
    node: &'a str,
    leader: &'a Leader,
    address: SocketAddr,
}

impl Following<'_> {
    /// Serves this node's clients through the routing node until it is not followed any more
    /// (its connections close, and their clients resume, through whichever node routes next);
    /// `true` if `shutdown` came first.
    async fn serve(
        self,
        listener: TcpListener,
        accepting: Accepting,
        shutdown: &mut (impl Future<Output = ()> + Unpin),
    ) -> Result<bool, StoreError> {
        let remote = Remote::follow(self.store.clone(), self.node, self.leader).await?;
        tracing::info!(
            node = self.node,
            routing = self.leader.node,
            term = self.leader.term,
            "following the routing node"
        );
        let config = crate::settings::overlaid((**self.config).clone(), self.store)
            .await
            .map_err(|e| StoreError::Failed(e.to_string()))?;
        let admin_token = crate::admin::publish(&config.server.data_dir, self.address)
            .map_err(|e| StoreError::Failed(format!("publishing the admin access: {e}")))?;
        let (stop, stopping) = watch::channel(false);
        let hub = HubHandle::remote(remote.clone());
        let signer = crate::hub::file_signer(self.store).await?;
        let source = config.source.clone();
        let app = App::new(
            Arc::new(config),
            self.store.clone(),
            hub,
            stopping,
            &admin_token,
            signer,
        );
        if let Some(path) = source {
            crate::reload::on_hangup(&app, path);
        }
        crate::settings::on_settings_changed(&app, self.store.clone());
        App::forget_idle_clients(&app);
        let serving = app.clone();
        let mut asked = false;
        accept::serve(listener, crate::http::router(app), accepting, async {
            tokio::select! {
                () = &mut *shutdown => asked = true,
                reason = remote.stopped() => {
                    tracing::info!(reason, "closing this node's connections: they resume");
                }
            }
            let _ = stop.send(true);
        })
        .await;
        *self.config = serving.config();
        drop(serving);
        // What waits for an answer that will not come gives up now.
        drop(remote);
        Ok(asked)
    }
}
