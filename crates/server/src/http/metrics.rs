//! `GET /metrics`: every metric in the OpenMetrics text format, for Prometheus — with the admin
//! token on the main listener, or without one on `[server] metrics_listen`, an address meant to be
//! reachable only from the monitoring network.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Router, serve};
use tokio::net::TcpListener;

use super::{Refusal, authorize};
use crate::app::App;
use crate::metrics;
use crate::store::{Scope, Store};

pub(super) fn routes<S: Store>() -> Router<Arc<App<S>>> {
    Router::new().route("/metrics", get(with_token::<S>))
}

async fn with_token<S: Store>(
    State(app): State<Arc<App<S>>>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    authorize(&app, &headers, Scope::ReadOnly).await?;
    Ok(scrape())
}

fn scrape() -> Response {
    (
        [(header::CONTENT_TYPE, metrics::CONTENT_TYPE)],
        metrics::encode(),
    )
        .into_response()
}

/// Serves `/metrics` alone on `listener`, without a token, until the process ends.
pub fn serve_private(listener: TcpListener) {
    let router = Router::new().route("/metrics", get(|| async { scrape() }));
    tokio::spawn(async move {
        if let Err(error) = serve(listener, router).await {
            tracing::error!(%error, "the metrics listener stopped");
        }
    });
}
