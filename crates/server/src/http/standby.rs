//! What a node standing by serves while another node routes: it is alive (`/healthz`) but not
//! ready (`/readyz` says which node routes), and it refuses everything else with 503, so that a
//! load balancer sends clients to the routing node and clients retry.

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use switchboard_protocol::ErrorCode;
use tokio::sync::watch;

use super::refuse;
use crate::store::leadership::Leader;

/// `leader`: the node routing now, as last seen.
pub fn router(node: String, leader: watch::Receiver<Option<Leader>>) -> Router {
    let standing_by = move || {
        let message = match &*leader.borrow() {
            Some(leader) => format!(
                "Node {node} stands by: node {} (at {}) routes.",
                leader.node, leader.address
            ),
            None => format!("Node {node} stands by: no node routes yet."),
        };
        async move { refusal(&message) }
    };
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .fallback(standing_by)
}

fn refusal(message: &str) -> Response {
    refuse(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Unavailable,
        message,
    )
    .into_response()
}
