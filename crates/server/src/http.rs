//! The HTTP surface: health, agent login, the WebSocket endpoints, the channels' webhooks and
//! the admin endpoints.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::{HeaderMap, header};
use axum::routing::{get, post};
use axum::{Json, Router};
use switchboard_protocol::agent::AgentSummary;
use switchboard_protocol::login::{LoginRequest, LoginResponse};
use switchboard_protocol::{ConversationId, ErrorBody, ErrorCode, QueueId};

use crate::app::App;
use crate::channels::{facebook, twilio};
use crate::store::Store;
use crate::{assets, auth, clock, contacts, proactive, ws};

pub fn router<S: Store>(app: Arc<App<S>>) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/widget.js", get(assets::widget))
        .route("/demo", get(assets::demo::<S>))
        .route("/api/v1/agent/login", post(login::<S>))
        .route("/api/v1/widgets/{widget}", get(proactive::settings::<S>))
        .route("/api/v1/agent/ws", get(ws::agent::upgrade::<S>))
        .route("/api/v1/customer/ws", get(ws::customer::upgrade::<S>))
        .route(
            "/api/v1/admin/queues/{queue}/remove",
            post(remove_queue::<S>),
        )
        .route(
            "/api/v1/admin/conversations/{conversation}/assign",
            post(assign::<S>),
        )
        .route(twilio::WEBHOOK_PATH, post(twilio::webhook::<S>))
        .route(
            facebook::WEBHOOK_PATH,
            get(facebook::verify::<S>).post(facebook::webhook::<S>),
        )
        .merge(contacts::api::routes::<S>())
        .with_state(app)
}

pub(crate) type Refusal = (StatusCode, Json<ErrorBody>);

pub(crate) fn refuse(status: StatusCode, code: ErrorCode, message: &str) -> Refusal {
    (status, Json(ErrorBody::new(code, message)))
}

/// Admin endpoints need the admin token as a bearer token.
pub(crate) fn admin_only<S>(app: &App<S>, headers: &HeaderMap) -> Result<(), Refusal> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    if token.is_none_or(|token| auth::hash_token(token) != app.admin_token_hash) {
        return Err(refuse(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            "The admin token is missing or wrong.",
        ));
    }
    Ok(())
}

async fn login<S: Store>(
    State(app): State<Arc<App<S>>>,
    body: Result<Json<LoginRequest>, JsonRejection>,
) -> Result<Json<LoginResponse>, Refusal> {
    let Json(request) = body.map_err(|rejection| {
        refuse(
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedFrame,
            &format!("Expected {{\"email\", \"password\"}}: {rejection}"),
        )
    })?;
    let internal = |error: crate::store::StoreError| {
        tracing::error!(%error, "login failed");
        refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "The server could not sign you in; try again.",
        )
    };
    let wrong = || {
        refuse(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            "Wrong e-mail or password.",
        )
    };
    let agent = app
        .store
        .agent_by_email(&request.email)
        .await
        .map_err(internal)?;
    // Verify against a real hash even for unknown e-mails, so timing does not tell which exist.
    let hash = agent
        .as_ref()
        .map_or_else(|| DECOY_HASH.clone(), |agent| agent.password_hash.clone());
    let password = request.password;
    let matches = {
        // Each verification takes ~19 MiB and a core for a moment: a few at a time, so that a
        // flood of sign-ins cannot exhaust the machine.
        let _permit = HASHING
            .acquire()
            .await
            .expect("the semaphore is never closed");
        tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash))
            .await
            .unwrap_or(false)
    };
    let agent = agent.filter(|_| matches).ok_or_else(wrong)?;
    let token = auth::random_token();
    let expires_at = clock::now() + u64::from(app.config.server.session_hours) * 3_600_000;
    app.store
        .create_session(&auth::hash_token(&token), &agent.id, expires_at)
        .await
        .map_err(internal)?;
    let summary = AgentSummary {
        id: agent.id,
        name: agent.name,
        email: agent.email,
    };
    Ok(Json(LoginResponse {
        token,
        expires_at,
        agent: summary,
    }))
}

/// `POST /api/v1/admin/queues/{queue}/remove` with the admin token: ends the queue's waiting
/// conversations, interrupts those held, and serves the queue no more.
async fn remove_queue<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(queue): Path<String>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, Refusal> {
    admin_only(&app, &headers)?;
    match app.hub.remove_queue(QueueId(queue)).await {
        Ok((ended, interrupted)) => Ok(Json(
            serde_json::json!({ "ended": ended, "interrupted": interrupted }),
        )),
        Err(error) => Err((status_of(&error), Json(error))),
    }
}

/// The HTTP status of a refusal from routing: the hub stopping is the server being unavailable.
fn status_of(error: &ErrorBody) -> StatusCode {
    match error.code {
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Internal => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::CONFLICT,
    }
}

static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

static DECOY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| auth::hash_password("decoy"));

#[derive(Debug, serde::Deserialize)]
struct Assignment {
    /// The agent's e-mail address.
    agent: String,
}

/// `POST /api/v1/admin/conversations/{id}/assign` with `{"agent": "<e-mail>"}`: a supervisor
/// gives a waiting conversation to a signed-in agent.
async fn assign<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(conversation): Path<String>,
    headers: HeaderMap,
    body: Result<Json<Assignment>, JsonRejection>,
) -> Result<Json<serde_json::Value>, Refusal> {
    admin_only(&app, &headers)?;
    let Json(assignment) = body.map_err(|rejection| {
        let message = format!("The body must be {{\"agent\": \"<e-mail>\"}}: {rejection}");
        refuse(StatusCode::BAD_REQUEST, ErrorCode::InvalidInput, &message)
    })?;
    let unknown = || {
        let message = format!("No agent has the e-mail address {}.", assignment.agent);
        refuse(StatusCode::NOT_FOUND, ErrorCode::NotFound, &message)
    };
    let agent = app
        .store
        .agent_by_email(&assignment.agent)
        .await
        .map_err(|_| {
            refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                "The agents could not be read.",
            )
        })?
        .ok_or_else(unknown)?;
    match app.hub.assign(ConversationId(conversation), agent.id).await {
        Ok(()) => Ok(Json(serde_json::json!({ "assigned": true }))),
        Err(error) => Err((status_of(&error), Json(error))),
    }
}
