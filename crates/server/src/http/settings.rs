//! The configuration's queues and reasons through the admin API. A change is validated whole
//! with the file's configuration (as the file is), checked against what routing holds, stored —
//! not written into the file — and applied at once (connected desktops get the new profile); it
//! survives restarts and `SIGHUP`, which apply it over the file again. A refused change changes
//! nothing.
//!
//! - `GET /api/v1/admin/queues`, `PUT /api/v1/admin/queues/{queue}` — a queue added or changed;
//! - `GET | PUT /api/v1/admin/reasons` — the wrap-up and idle reasons;
//! - `GET | PUT /api/v1/admin/profile` — the desktop profile (masking, theme, alert and toast
//!   times, how a returning customer is announced).

use std::sync::Arc;

use aide::axum::ApiRouter;
use aide::axum::routing::{get_with, put_with};
use aide::transform::TransformOperation;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_protocol::ErrorCode;

use super::{Caller, Refusal, audit, authorize, refuse};
use crate::app::{App, ClientAddress};
use crate::config::{DesktopSection, Overlay, QueueConfig};
use crate::store::{AuditAction, Scope, Store, StoreError, settings};

fn described<'a>(op: TransformOperation<'a>, summary: &str, scope: &str) -> TransformOperation<'a> {
    op.tag("configuration").summary(summary).description(scope)
}

const APPLIED: &str = "Validated with the configuration file's settings, stored, and applied at \
                       once: connected desktops get the new profile. Needs a full key.";

pub(super) fn routes<S: Store>() -> ApiRouter<Arc<App<S>>> {
    ApiRouter::new()
        .api_route(
            "/api/v1/admin/queues",
            get_with(queues::<S>, |op| {
                described(op, "The queues", "Needs a read-only key or wider.")
            }),
        )
        .api_route(
            "/api/v1/admin/queues/{queue}",
            put_with(save_queue::<S>, |op| {
                described(op, "Add or change a queue", APPLIED)
            }),
        )
        .api_route(
            "/api/v1/admin/reasons",
            get_with(reasons::<S>, |op| {
                described(
                    op,
                    "The wrap-up and idle reasons",
                    "Needs a read-only key or wider.",
                )
            })
            .put_with(save_reasons::<S>, |op| {
                described(op, "Replace the wrap-up and idle reasons", APPLIED)
            }),
        )
        .api_route(
            "/api/v1/admin/profile",
            get_with(profile::<S>, |op| {
                described(op, "The desktop profile", "Needs a read-only key or wider.")
            })
            .put_with(save_profile::<S>, |op| {
                described(op, "Replace the desktop profile", APPLIED)
            }),
        )
}

#[derive(Debug, Deserialize, JsonSchema)]
struct QueuePath {
    /// The queue's id.
    queue: String,
}

/// A queue as a request writes it: its id is the path's.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct QueueBody {
    name: String,
    /// Agents may escalate conversations to it.
    #[serde(default)]
    escalation: bool,
    /// Answered within this many seconds counts as answered in time (20 when left out).
    service_target_seconds: Option<u32>,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Reasons {
    wrap_up: Vec<String>,
    idle: Vec<String>,
}

async fn queues<S: Store>(
    State(app): State<Arc<App<S>>>,
    headers: HeaderMap,
) -> Result<Json<Vec<QueueConfig>>, Refusal> {
    authorize(&app, &headers, Scope::ReadOnly).await?;
    Ok(Json(app.config().queues.clone()))
}

async fn reasons<S: Store>(
    State(app): State<Arc<App<S>>>,
    headers: HeaderMap,
) -> Result<Json<Reasons>, Refusal> {
    authorize(&app, &headers, Scope::ReadOnly).await?;
    let config = app.config();
    Ok(Json(Reasons {
        wrap_up: config.wrap_up_reasons.clone(),
        idle: config.idle_reasons.clone(),
    }))
}

async fn save_queue<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(QueuePath { queue }): Path<QueuePath>,
    ClientAddress(origin): ClientAddress,
    headers: HeaderMap,
    body: Result<Json<QueueBody>, JsonRejection>,
) -> Result<Json<QueueConfig>, Refusal> {
    let caller = authorize(&app, &headers, Scope::Full).await?;
    let Json(body) = body.map_err(|rejection| {
        let message = format!(
            "The body must be {{\"name\", \"escalation\"?, \"service_target_seconds\"?}}: {rejection}"
        );
        refuse(StatusCode::BAD_REQUEST, ErrorCode::InvalidInput, &message)
    })?;
    let saved = QueueConfig {
        id: queue.as_str().into(),
        name: body.name.trim().to_owned(),
        escalation: body.escalation,
        service_target_seconds: body.service_target_seconds.unwrap_or(20),
    };
    let mut overlay = settings::overlay(&app.store).await.map_err(unavailable)?;
    overlay.queues.retain(|known| known.id != saved.id);
    overlay.queues.push(saved.clone());
    let change = Change {
        action: AuditAction::QueueSaved,
        subject: queue,
        detail: saved.name.clone(),
    };
    apply(&app, &caller, origin, overlay, change).await?;
    Ok(Json(saved))
}

async fn save_reasons<S: Store>(
    State(app): State<Arc<App<S>>>,
    ClientAddress(origin): ClientAddress,
    headers: HeaderMap,
    body: Result<Json<Reasons>, JsonRejection>,
) -> Result<Json<Reasons>, Refusal> {
    let caller = authorize(&app, &headers, Scope::Full).await?;
    let Json(reasons) = body.map_err(|rejection| {
        let message =
            format!("The body must be {{\"wrap_up\": [..], \"idle\": [..]}}: {rejection}");
        refuse(StatusCode::BAD_REQUEST, ErrorCode::InvalidInput, &message)
    })?;
    let mut overlay = settings::overlay(&app.store).await.map_err(unavailable)?;
    overlay.wrap_up_reasons = Some(reasons.wrap_up.clone());
    overlay.idle_reasons = Some(reasons.idle.clone());
    let change = Change {
        action: AuditAction::ReasonsChanged,
        subject: "reasons".into(),
        detail: format!(
            "wrap-up: {}; idle: {}",
            reasons.wrap_up.join(", "),
            reasons.idle.join(", ")
        ),
    };
    apply(&app, &caller, origin, overlay, change).await?;
    Ok(Json(reasons))
}

async fn profile<S: Store>(
    State(app): State<Arc<App<S>>>,
    headers: HeaderMap,
) -> Result<Json<DesktopSection>, Refusal> {
    authorize(&app, &headers, Scope::ReadOnly).await?;
    Ok(Json(app.config().desktop.clone()))
}

async fn save_profile<S: Store>(
    State(app): State<Arc<App<S>>>,
    ClientAddress(origin): ClientAddress,
    headers: HeaderMap,
    body: Result<Json<DesktopSection>, JsonRejection>,
) -> Result<Json<DesktopSection>, Refusal> {
    let caller = authorize(&app, &headers, Scope::Full).await?;
    let Json(desktop) = body.map_err(|rejection| {
        let message = format!(
            "The body must be {{\"masking\", \"theme\", \"alert_seconds\", \"toast_seconds\", \"customer_returned\"}} (each optional): {rejection}"
        );
        refuse(StatusCode::BAD_REQUEST, ErrorCode::InvalidInput, &message)
    })?;
    let mut overlay = settings::overlay(&app.store).await.map_err(unavailable)?;
    overlay.desktop = Some(desktop.clone());
    let change = Change {
        action: AuditAction::ProfileChanged,
        subject: "desktop profile".into(),
        detail: format!(
            "masking {}, alerts {} s, toasts {} s",
            if desktop.masking { "on" } else { "off" },
            desktop.alert_seconds,
            desktop.toast_seconds
        ),
    };
    apply(&app, &caller, origin, overlay, change).await?;
    Ok(Json(desktop))
}

/// What the audit log says of a change.
struct Change {
    action: AuditAction,
    subject: String,
    detail: String,
}

/// Validates the configuration with `overlay`, has routing check and take it, then stores it and
/// gives it to every handler.
async fn apply<S: Store>(
    app: &App<S>,
    caller: &Caller,
    origin: std::net::IpAddr,
    overlay: Overlay,
    change: Change,
) -> Result<(), Refusal> {
    let config = app.config().with_overlay(&overlay).map_err(|problem| {
        let message = problem.to_string();
        refuse(StatusCode::BAD_REQUEST, ErrorCode::InvalidInput, &message)
    })?;
    let config = Arc::new(config);
    app.hub
        .reconfigure(config.clone())
        .await
        .map_err(|problem| {
            refuse(
                StatusCode::CONFLICT,
                ErrorCode::InvalidState,
                &problem.to_string(),
            )
        })?;
    settings::save_overlay(&app.store, &overlay)
        .await
        .map_err(unavailable)?;
    app.reconfigure(config);
    audit::record(
        app,
        caller,
        origin,
        change.action,
        change.subject,
        change.detail,
    )
    .await;
    Ok(())
}

fn unavailable(error: StoreError) -> Refusal {
    tracing::error!(%error, "the stored settings could not be read or written");
    refuse(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Unavailable,
        "The settings could not be read or stored; try again.",
    )
}
