//! `POST /api/v1/agent/login`: e-mail and password for a session token.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Millis;
use crate::agent::AgentSummary;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// The answer to a successful login; `401` with an [`crate::ErrorBody`] otherwise.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct LoginResponse {
    /// The bearer token for `GET /api/v1/agent/ws`. Keep it secret (the desktop keeps it in the
    /// OS keyring).
    pub token: String,
    pub expires_at: Millis,
    pub agent: AgentSummary,
}
