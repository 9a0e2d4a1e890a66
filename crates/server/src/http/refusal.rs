//! Refusals: an HTTP status with the protocol's `{code, message}`, as RFC 9457 problem details,
//! and the admin token or API key check every admin endpoint starts with.

use axum::Json;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use switchboard_protocol::{ErrorBody, ErrorCode};

use crate::app::App;
use crate::auth;
use crate::store::{Scope, Store};

/// A request refused: answered `application/problem+json` (RFC 9457) — `type` a URN naming the
/// code, `title` the code in words, `status`, `detail` the message — with the protocol's `code`
/// and `message` beside them, as the WebSocket's errors carry them.
#[derive(Debug)]
pub(crate) struct Refusal {
    status: StatusCode,
    error: ErrorBody,
}

impl Refusal {
    pub(crate) fn new(status: StatusCode, error: ErrorBody) -> Refusal {
        Refusal { status, error }
    }
}

/// A refusal as the body says it: RFC 9457 problem details, with the protocol's code and message.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub(crate) struct Problem {
    /// `urn:switchboard:problem:<code>`.
    #[serde(rename = "type")]
    kind: String,
    /// The code in words.
    title: String,
    status: u16,
    /// What was wrong, for people.
    detail: String,
    code: ErrorCode,
    /// The same as `detail`, as the WebSocket's errors carry it.
    message: String,
}

/// Problem details' content type.
pub(crate) const PROBLEM: &str = "application/problem+json";

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let code = serde_json::to_value(self.error.code).expect("codes serialize");
        let code = code.as_str().unwrap_or("error");
        let mut title = code.replace('_', " ");
        title[..1].make_ascii_uppercase();
        let problem = Problem {
            kind: format!("urn:switchboard:problem:{code}"),
            title,
            status: self.status.as_u16(),
            detail: self.error.message.clone(),
            code: self.error.code,
            message: self.error.message,
        };
        let content_type = [(header::CONTENT_TYPE, PROBLEM)];
        (self.status, content_type, Json(problem)).into_response()
    }
}

pub(crate) fn refuse(status: StatusCode, code: ErrorCode, message: &str) -> Refusal {
    Refusal::new(status, ErrorBody::new(code, message))
}

/// Who calls the admin API: the deployment's admin token (the local command line's), or a named
/// API key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Caller {
    AdminToken,
    Key(String),
}

impl std::fmt::Display for Caller {
    /// As the audit log names them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Caller::AdminToken => f.write_str("admin API"),
            Caller::Key(name) => write!(f, "API key {name}"),
        }
    }
}

/// Admin endpoints need the admin token, or an API key whose scope allows `needed`, as a bearer
/// token: who called, or the refusal (`401` for no such token, `403` for a scope too narrow).
pub(crate) async fn authorize<S: Store>(
    app: &App<S>,
    headers: &HeaderMap,
    needed: Scope,
) -> Result<Caller, Refusal> {
    let unknown = || {
        refuse(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            "The admin token or API key is missing, wrong or revoked.",
        )
    };
    let hash = auth::hash_token(auth::bearer(headers).ok_or_else(unknown)?);
    if hash == app.admin_token_hash {
        return Ok(Caller::AdminToken);
    }
    let key = app.store.live_api_key(&hash).await.map_err(|error| {
        tracing::error!(%error, "reading API keys failed");
        refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            "The API keys cannot be read now; try again.",
        )
    })?;
    let key = key.ok_or_else(unknown)?;
    if !key.scope.allows(needed) {
        let message = format!(
            "The API key {} is {}; this needs a {needed} key.",
            key.name, key.scope
        );
        return Err(refuse(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            &message,
        ));
    }
    Ok(Caller::Key(key.name))
}

/// The HTTP status of a refusal from routing: the hub stopping is the server being unavailable.
pub(crate) fn status_of(error: &ErrorBody) -> StatusCode {
    match error.code {
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Internal | ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::CONFLICT,
    }
}
