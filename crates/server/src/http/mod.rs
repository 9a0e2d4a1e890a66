//! The HTTP surface: health, agent login, the WebSocket endpoints, the channels' webhooks, the
//! widget's settings and the admin endpoints — each handler a few lines into the layers below.
//!
//! - `login.rs`: agent sign-in and sign-out; `widgets.rs`: what a widget fetches at start;
//! - `admin.rs`, `agents.rs`, `contacts.rs`: the admin API (queues and assignment; agents' accounts and sessions; contacts);
//! - `audit.rs`: what the admin API records of what it did, and the audit log to read;
//! - `reports.rs`: the activity reports, as JSON and CSV;
//! - `settings.rs`: queues and reasons changed through the admin API, stored and applied at once;
//! - `files.rs`: uploading and reading files through their signed links;
//! - `accept.rs`: connections accepted within a cap, with a header timeout and a bounded drain;
//! - `refusal.rs`: refusals as `{code, message}` with their HTTP status, and the admin token check;
//! - `openapi.rs`: the admin API's OpenAPI 3.1 document, generated from the handlers' types;

pub mod accept;
mod admin;
mod agents;
mod audit;
mod contacts;
mod files;
mod login;
pub mod metrics;
pub mod openapi;
mod refusal;
mod reports;
mod settings;
mod templates;
mod widgets;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

pub(crate) use refusal::{Caller, Refusal, authorize, refuse, status_of};

use crate::app::{App, ClientAddress};
use crate::store::Store;
use crate::webhooks::{facebook, twilio};
use crate::{assets, ws};
use axum::http::StatusCode;
use switchboard_protocol::ErrorCode;

/// Says where the server listens, on standard output: scripts and tests wait for this line. It
/// comes once the server answers HTTP (routing, or forwarding to the node that routes).
pub fn announce(address: std::net::SocketAddr) {
    println!("listening on http://{address}");
}

pub fn router<S: Store>(app: Arc<App<S>>) -> Router {
    let (admin_api, document) = openapi::described::<S>();
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready::<S>))
        .route("/widget.js", get(assets::widget))
        .route("/demo", get(assets::demo::<S>))
        .route("/api/v1/agent/login", post(login::login::<S>))
        .route("/api/v1/agent/logout", post(login::logout::<S>))
        .route("/api/v1/widgets/{widget}", get(widgets::settings::<S>))
        .route("/api/v1/agent/ws", get(ws::agent::upgrade::<S>))
        .route("/api/v1/customer/ws", get(ws::customer::upgrade::<S>))
        .merge(webhooks(app.clone()))
        .merge(admin_api)
        .route(
            "/api/v1/openapi.json",
            get(move || std::future::ready(openapi_json(&document))),
        )
        .merge(files::routes::<S>())
        .merge(metrics::routes::<S>())
        .with_state(app)
}

fn openapi_json(document: &Arc<str>) -> Response {
    let content_type = [(axum::http::header::CONTENT_TYPE, "application/json")];
    (content_type, document.to_string()).into_response()
}

/// `GET /readyz`: whether the store and the hub (this node's, or the routing node's it forwards
/// to) are working — for load balancers, which should send no one to a server that cannot store
/// what it is sent. Says what the node does. (`/healthz` says the process is alive.)
async fn ready<S: Store>(State(app): State<Arc<App<S>>>) -> Response {
    let role = match app.store.health() {
        Err(failure) => Err(format!("The store is failing: {failure}")),
        Ok(()) => app.hub.role(),
    };
    match role {
        Ok(role) => format!("ready: {role}").into_response(),
        Err(message) => refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            &message,
        )
        .into_response(),
    }
}

/// The providers' webhooks, each address within its rate.
fn webhooks<S: Store>(app: Arc<App<S>>) -> Router<Arc<App<S>>> {
    Router::new()
        .route(twilio::WEBHOOK_PATH, post(twilio::webhook::<S>))
        .route(
            facebook::WEBHOOK_PATH,
            get(facebook::verify::<S>).post(facebook::webhook::<S>),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            app,
            limit_webhooks::<S>,
        ))
}

async fn limit_webhooks<S: Store>(
    State(app): State<Arc<App<S>>>,
    ClientAddress(address): ClientAddress,
    request: Request,
    next: Next,
) -> Response {
    if let Err(throttled) = app.guard.webhook(address) {
        return throttled.into_response();
    }
    // The provider retries a 503 later: better than an answer that waits for the database.
    if let Some(error) = ws::not_taking_commands(&app) {
        return Refusal::new(StatusCode::SERVICE_UNAVAILABLE, error).into_response();
    }
    next.run(request).await
}
