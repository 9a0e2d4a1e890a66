//! The reports API, with the admin token (see [`crate::admin`]), for other tools:
//!
//! - `GET /api/v1/reports/activity?from=2026-12-01&to=2026-12-04[&by=day|hour][&queue=…]
//!   [&agent=<e-mail>][&channel=chat|sms|facebook]` — the activity of the days `from` to `to`
//!   (inclusive, in `[reports] time_zone`) as JSON;
//! - `GET /api/v1/reports/activity.csv?…` — the same as CSV, a row per period and the total.

use std::sync::Arc;

use aide::axum::ApiRouter;
use aide::axum::routing::get_with;
use aide::transform::TransformOperation;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::Deserialize;
use switchboard_protocol::reports::{ActivityReport, ReportQuery};
use switchboard_protocol::{ErrorCode, QueueId};

use super::{Refusal, authorize, refuse};
use crate::app::App;
use crate::reports::read_query;
use crate::store::{Scope, Store, StoreError};

fn described<'a>(op: TransformOperation<'a>, summary: &str) -> TransformOperation<'a> {
    op.tag("reports").summary(summary).description(
        "From `from` to `to` (days, `YYYY-MM-DD`, in the reports' time zone) by day or by hour, \
         optionally for one queue, agent (an e-mail address) or channel. Needs a read-only key \
         or wider.",
    )
}

pub(super) fn routes<S: Store>() -> ApiRouter<Arc<App<S>>> {
    ApiRouter::new()
        .api_route(
            "/api/v1/reports/activity",
            get_with(activity_json::<S>, |op| {
                described(op, "The activity of a span")
            }),
        )
        .api_route(
            "/api/v1/reports/activity.csv",
            get_with(activity_csv::<S>, |op| {
                described(op, "The activity of a span, as CSV").response_with::<200, String, _>(
                    |response| response.description("text/csv: one row per day or hour"),
                )
            }),
        )
}

#[derive(Debug, Deserialize, JsonSchema)]
struct ActivityQuery {
    #[serde(flatten)]
    query: ReportQuery,
    /// The agent's e-mail address (the query's `agent` is their id).
    #[serde(rename = "agent")]
    email: Option<String>,
}

fn bad_request(message: &str) -> Refusal {
    refuse(StatusCode::BAD_REQUEST, ErrorCode::InvalidInput, message)
}

fn unavailable(error: StoreError) -> Refusal {
    tracing::error!(%error, "a report could not be read");
    refuse(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Unavailable,
        "The recorded activity cannot be read now; try again in a moment.",
    )
}

/// The report the query asks for, or why there is none.
async fn activity<S: Store>(
    app: &App<S>,
    headers: &HeaderMap,
    query: Result<Query<ActivityQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<ActivityReport, Refusal> {
    authorize(app, headers, Scope::ReadOnly).await?;
    let Query(ActivityQuery { mut query, email }) = query.map_err(|rejection| {
        bad_request(&format!(
            "Give from=YYYY-MM-DD&to=YYYY-MM-DD, and optionally by=day|hour, queue, agent (an \
             e-mail address), channel=chat|sms|facebook: {rejection}"
        ))
    })?;
    if let Some(email) = email {
        let account = app
            .store
            .agent_by_email(&email)
            .await
            .map_err(unavailable)?;
        query.agent = Some(
            account
                .ok_or_else(|| bad_request(&format!("No agent {email}.")))?
                .id,
        );
    }
    let known = |queue: &QueueId| app.config().queue(queue).is_some();
    let (span, filter) = read_query(&query, app.config().reports.zone(), known)
        .map_err(|problem| bad_request(&problem))?;
    let (from, to) = span.bounds();
    let facts = app.store.facts(from, to).await.map_err(unavailable)?;
    Ok(span.activity(&filter, &facts))
}

async fn activity_json<S: Store>(
    State(app): State<Arc<App<S>>>,
    headers: HeaderMap,
    query: Result<Query<ActivityQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ActivityReport>, Refusal> {
    activity(&app, &headers, query).await.map(Json)
}

async fn activity_csv<S: Store>(
    State(app): State<Arc<App<S>>>,
    headers: HeaderMap,
    query: Result<Query<ActivityQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Refusal> {
    let report = activity(&app, &headers, query).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"activity.csv\"",
            ),
        ],
        report.csv(),
    )
        .into_response())
}
