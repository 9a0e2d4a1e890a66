//! An agent's session: `POST /api/v1/agent/login` trades e-mail and password for a session
//! token; `POST /api/v1/agent/logout` ends it.

use std::net::IpAddr;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use switchboard_protocol::agent::AgentSummary;
use switchboard_protocol::login::{LoginRequest, LoginResponse};
use switchboard_protocol::{ErrorBody, ErrorCode};

use super::{Refusal, refuse};
use crate::app::{App, ClientAddress};
use crate::guard::Throttled;
use crate::store::Store;
use crate::{auth, clock};

pub(super) async fn login<S: Store>(
    State(app): State<Arc<App<S>>>,
    ClientAddress(address): ClientAddress,
    body: Result<Json<LoginRequest>, JsonRejection>,
) -> Response {
    match sign_in(&app, address, body).await {
        Ok(Ok(signed_in)) => signed_in.into_response(),
        Ok(Err(refusal)) => refusal.into_response(),
        Err(throttled) => throttled.into_response(),
    }
}

/// A sign-in: throttled before the password is even looked at, then checked.
async fn sign_in<S: Store>(
    app: &App<S>,
    address: IpAddr,
    body: Result<Json<LoginRequest>, JsonRejection>,
) -> Result<Result<Json<LoginResponse>, Refusal>, Throttled> {
    let request = match body {
        Ok(Json(request)) => request,
        Err(rejection) => {
            return Ok(Err(refuse(
                StatusCode::BAD_REQUEST,
                ErrorCode::MalformedFrame,
                &format!("Expected {{\"email\", \"password\"}}: {rejection}"),
            )));
        }
    };
    app.guard.login(address, &request.email)?;
    Ok(check_password(app, request).await)
}

async fn check_password<S: Store>(
    app: &App<S>,
    request: LoginRequest,
) -> Result<Json<LoginResponse>, Refusal> {
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
    app.guard.login_succeeded(&request.email);
    let token = auth::random_token();
    let expires_at = clock::now() + u64::from(app.config().server.session_hours) * 3_600_000;
    app.store
        .create_session(&auth::hash_token(&token), &agent.id, expires_at)
        .await
        .map_err(internal)?;
    let summary = AgentSummary {
        id: agent.id,
        name: agent.name,
        email: agent.email,
        role: agent.role,
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

/// `POST /api/v1/agent/logout` with the session token: ends the session; the agent's open
/// desktop is closed and routing lets them go, as after any sign-out.
pub(super) async fn logout<S: Store>(
    State(app): State<Arc<App<S>>>,
    headers: axum::http::HeaderMap,
) -> Result<StatusCode, Refusal> {
    let not_signed_in = || {
        refuse(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            "This session is not signed in.",
        )
    };
    let unavailable = |error: crate::store::StoreError| {
        tracing::error!(%error, "logout failed");
        refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            "The server could not sign you out; try again.",
        )
    };
    let hash = auth::hash_token(auth::bearer(&headers).ok_or_else(not_signed_in)?);
    let (agent, _) = app
        .store
        .session_agent(&hash, clock::now())
        .await
        .map_err(unavailable)?
        .ok_or_else(not_signed_in)?;
    app.store.end_session(&hash).await.map_err(unavailable)?;
    let signed_out = ErrorBody::new(ErrorCode::SessionRevoked, "You signed out.");
    app.hub.sign_out(agent, signed_out, None).await;
    Ok(StatusCode::NO_CONTENT)
}
