//! The channels' webhooks, an edge of the server like `http` and `ws`: each provider's calls are
//! checked (signature first), read into routing's [`Inbound`](crate::routing::Inbound) messages
//! and receipts, and handed to the hub; the provider hears back once the message is stored.

pub mod facebook;
pub mod twilio;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use switchboard_protocol::{ErrorBody, ErrorCode};

fn plain(status: StatusCode, message: &str) -> Response {
    (status, message.to_owned()).into_response()
}

/// The HTTP answer to a webhook whose message the hub refused: the provider retries only what
/// failed on the server's side.
fn refusal_response(refusal: ErrorBody) -> Response {
    let status = match refusal.code {
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_REQUEST,
    };
    (status, refusal.message).into_response()
}
