//! The audit log over HTTP, with the admin token: what the admin API's handlers record of what
//! they did, and `GET /api/v1/admin/audit?limit=…&before=…` to read it, newest first.

use std::net::IpAddr;
use std::sync::Arc;

use aide::axum::ApiRouter;
use aide::axum::routing::get_with;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_protocol::ErrorCode;

use super::{Caller, Refusal, authorize, refuse};
use crate::app::App;
use crate::clock;
use crate::store::{AuditAction, AuditEntry, Scope, Store};

pub(super) fn routes<S: Store>() -> ApiRouter<Arc<App<S>>> {
    ApiRouter::new().api_route(
        "/api/v1/admin/audit",
        get_with(read::<S>, |op| {
            op.tag("audit")
                .summary("The audit log, newest first, a page at a time")
                .description("Needs a read-only key or wider.")
        }),
    )
}

/// Records that the admin API did `action` to `subject`, asked from `origin`. The action is
/// done: a failure to record it is logged for the operator, not turned into a refusal.
pub(super) async fn record<S: Store>(
    app: &App<S>,
    caller: &Caller,
    origin: IpAddr,
    action: AuditAction,
    subject: impl Into<String>,
    detail: impl Into<String>,
) {
    let entry = AuditEntry {
        at: clock::now(),
        actor: caller.to_string(),
        action,
        subject: subject.into(),
        detail: detail.into(),
        origin: origin.to_string(),
    };
    if let Err(error) = app.store.audit(&entry).await {
        tracing::error!(%error, action = %entry.action, subject = %entry.subject, "an action could not be recorded in the audit log");
    }
}

const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 1000;

#[derive(Debug, Deserialize, JsonSchema)]
struct ReadQuery {
    /// At most this many (1 to 1000; 100 when left out).
    limit: Option<u32>,
    /// Entries before this number (the `id` of the last one read), for the next page.
    before: Option<i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Numbered {
    id: i64,
    #[serde(flatten)]
    entry: AuditEntry,
}

async fn read<S: Store>(
    State(app): State<Arc<App<S>>>,
    headers: HeaderMap,
    Query(query): Query<ReadQuery>,
) -> Result<Json<Vec<Numbered>>, Refusal> {
    authorize(&app, &headers, Scope::ReadOnly).await?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let entries = app
        .store
        .audit_log(query.before, limit)
        .await
        .map_err(|error| {
            tracing::error!(%error, "the audit log could not be read");
            refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Unavailable,
                "The audit log cannot be read now; try again in a moment.",
            )
        })?;
    Ok(Json(
        entries
            .into_iter()
            .map(|(id, entry)| Numbered { id, entry })
            .collect(),
    ))
}
