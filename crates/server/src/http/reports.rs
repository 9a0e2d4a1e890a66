//! The reports API, with the admin token (see [`crate::admin`]), for other tools:
//!
//! - `GET /api/v1/reports/activity?from=2026-12-01&to=2026-12-04[&by=day|hour][&queue=…]
//!   [&agent=<e-mail>][&channel=chat|sms|facebook]` — the activity of the days `from` to `to`
//!   (inclusive, in `[reports] time_zone`) as JSON;
//! - `GET /api/v1/reports/activity.csv?…` — the same as CSV, a row per period and the total.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use jiff::civil::Date;
use serde::Deserialize;
use switchboard_protocol::reports::{ActivityReport, ActivityRow, ReportPeriod};
use switchboard_protocol::{Channel, ErrorCode, QueueId};

use super::{Refusal, admin_only, refuse};
use crate::app::App;
use crate::reports::{Filter, Span};
use crate::store::{Store, StoreError};

pub(super) fn routes<S: Store>() -> Router<Arc<App<S>>> {
    Router::new()
        .route("/api/v1/reports/activity", get(activity_json::<S>))
        .route("/api/v1/reports/activity.csv", get(activity_csv::<S>))
}

#[derive(Debug, Deserialize)]
struct ActivityQuery {
    from: String,
    to: String,
    #[serde(default)]
    by: ReportPeriod,
    queue: Option<String>,
    /// The agent's e-mail address.
    agent: Option<String>,
    channel: Option<Channel>,
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
    admin_only(app, headers)?;
    let Query(query) = query.map_err(|rejection| {
        bad_request(&format!(
            "Give from=YYYY-MM-DD&to=YYYY-MM-DD, and optionally by=day|hour, queue, agent (an \
             e-mail address), channel=chat|sms|facebook: {rejection}"
        ))
    })?;
    let date = |name: &str, text: &str| {
        text.parse::<Date>()
            .map_err(|_| bad_request(&format!("{name}={text:?} is not a day (YYYY-MM-DD).")))
    };
    let (first, last) = (date("from", &query.from)?, date("to", &query.to)?);
    let span = Span::new(first, last, query.by, app.config.reports.zone())
        .map_err(|problem| bad_request(&format!("Nothing to report: {problem}.")))?;
    let queue = query.queue.map(QueueId);
    if let Some(queue) = &queue
        && app.config.queue(queue).is_none()
    {
        return Err(bad_request(&format!("No queue {:?}.", queue.0)));
    }
    let agent = match &query.agent {
        Some(email) => {
            let account = app.store.agent_by_email(email).await.map_err(unavailable)?;
            Some(
                account
                    .ok_or_else(|| bad_request(&format!("No agent {email}.")))?
                    .id,
            )
        }
        None => None,
    };
    let filter = Filter {
        queue,
        agent,
        channel: query.channel,
    };
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
    let csv = csv(&report);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"activity.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}

/// The report as CSV: a header, a row per period, then the total; durations in seconds.
fn csv(report: &ActivityReport) -> String {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let header = [
        "period",
        "offered",
        "accepted",
        "rejected",
        "rona",
        "abandoned",
        "transferred",
        "escalated",
        "ended",
        "average_speed_of_answer_seconds",
        "average_handle_time_seconds",
        "wrap_ups",
    ];
    writer.write_record(header).expect("writing to memory");
    for row in report.rows.iter().chain([&report.total]) {
        writer.write_record(record(row)).expect("writing to memory");
    }
    String::from_utf8(writer.into_inner().expect("written to memory")).expect("CSV of UTF-8")
}

fn record(row: &ActivityRow) -> Vec<String> {
    let seconds =
        |millis: Option<u64>| millis.map_or(String::new(), |m| format!("{:.1}", m as f64 / 1000.0));
    let wrap_ups: Vec<String> = row
        .wrap_ups
        .iter()
        .map(|(reason, count)| format!("{reason}: {count}"))
        .collect();
    vec![
        row.label.clone(),
        row.offered.to_string(),
        row.accepted.to_string(),
        row.rejected.to_string(),
        row.rona.to_string(),
        row.abandoned.to_string(),
        row.transferred.to_string(),
        row.escalated.to_string(),
        row.ended.to_string(),
        seconds(row.average_speed_of_answer),
        seconds(row.average_handle_time),
        wrap_ups.join("; "),
    ]
}
