//! `POST /api/v1/agent/login`: an agent's e-mail and password for a session token.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use switchboard_protocol::ErrorCode;
use switchboard_protocol::agent::AgentSummary;
use switchboard_protocol::login::{LoginRequest, LoginResponse};

use super::{Refusal, refuse};
use crate::app::App;
use crate::store::Store;
use crate::{auth, clock};

pub(super) async fn login<S: Store>(
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

static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

static DECOY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| auth::hash_password("decoy"));
