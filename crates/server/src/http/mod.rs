//! The HTTP surface: health, agent login, the WebSocket endpoints, the channels' webhooks, the
//! widget's settings and the admin endpoints — each handler a few lines into the layers below.
//!
//! - `login.rs`: agent sign-in and sign-out; `widgets.rs`: what a widget fetches at start;
//! - `admin.rs`, `contacts.rs`: the admin API (queues, assignment, ending an agent's sessions; contacts);
//! - `accept.rs`: connections accepted within a cap, with a header timeout and a bounded drain;
//! - `refusal.rs`: refusals as `{code, message}` with their HTTP status, and the admin token check;
//! - `standby.rs`: what a node serves while another node routes.

pub mod accept;
mod admin;
mod contacts;
mod login;
mod refusal;
pub mod standby;
mod widgets;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

pub(crate) use refusal::{Refusal, admin_only, refuse, status_of};

use crate::app::{App, ClientAddress};
use crate::store::Store;
use crate::webhooks::{facebook, twilio};
use crate::{assets, ws};
use axum::http::StatusCode;
use switchboard_protocol::ErrorCode;

/// Says where the server listens, on standard output: scripts and tests wait for this line. It
/// comes once the server answers HTTP (ready to serve, or standing by).
pub fn announce(address: std::net::SocketAddr) {
    println!("listening on http://{address}");
}

pub fn router<S: Store>(app: Arc<App<S>>) -> Router {
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
        .route(
            "/api/v1/admin/queues/{queue}/remove",
            post(admin::remove_queue::<S>),
        )
        .route(
            "/api/v1/admin/agents/{agent}/sign-out",
            post(admin::sign_out::<S>),
        )
        .route(
            "/api/v1/admin/conversations/{conversation}/assign",
            post(admin::assign::<S>),
        )
        .merge(webhooks(app.clone()))
        .merge(contacts::routes::<S>())
        .with_state(app)
}

/// `GET /readyz`: whether the hub and the store are working — for load balancers, which should
/// send no one to a server that cannot store what it is sent. (`/healthz` says the process is
/// alive.)
async fn ready<S: Store>(State(app): State<Arc<App<S>>>) -> Response {
    let problem = match app.store.health() {
        Err(failure) => Some(format!("The store is failing: {failure}")),
        Ok(()) if !app.hub.is_running() => Some("The hub has stopped.".to_owned()),
        Ok(()) => None,
    };
    match problem {
        // Of several nodes, only one is ready: the one that routes.
        None => "ready: routing".into_response(),
        Some(message) => refuse(
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
    match app.guard.webhook(address) {
        Ok(()) => next.run(request).await,
        Err(throttled) => throttled.into_response(),
    }
}
