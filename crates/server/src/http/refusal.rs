//! Refusals: an HTTP status with the protocol's `{code, message}` body, and the admin token check
//! every admin endpoint starts with.

use axum::Json;
use axum::http::{HeaderMap, StatusCode};
use switchboard_protocol::{ErrorBody, ErrorCode};

use crate::app::App;
use crate::auth;

pub(crate) type Refusal = (StatusCode, Json<ErrorBody>);

pub(crate) fn refuse(status: StatusCode, code: ErrorCode, message: &str) -> Refusal {
    (status, Json(ErrorBody::new(code, message)))
}

/// Admin endpoints need the admin token as a bearer token.
pub(crate) fn admin_only<S>(app: &App<S>, headers: &HeaderMap) -> Result<(), Refusal> {
    let token = auth::bearer(headers);
    if token.is_none_or(|token| auth::hash_token(token) != app.admin_token_hash) {
        return Err(refuse(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            "The admin token is missing or wrong.",
        ));
    }
    Ok(())
}

/// The HTTP status of a refusal from routing: the hub stopping is the server being unavailable.
pub(crate) fn status_of(error: &ErrorBody) -> StatusCode {
    match error.code {
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Internal | ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::CONFLICT,
    }
}
