//! The configuration's queues and reasons through the admin API. A change is validated whole
//! with the file's configuration (as the file is), checked against what routing holds, stored —
//! not written into the file — and applied at once (connected desktops get the new profile); it
//! survives restarts and `SIGHUP`, which apply it over the file again. A refused change changes
//! nothing.
//!
//! - `GET /api/v1/admin/queues`, `PUT /api/v1/admin/queues/{queue}` — a queue added or changed;
//! - `GET | PUT /api/v1/admin/reasons` — the wrap-up and idle reasons;
//! - `GET | PUT /api/v1/admin/profile` — the desktop profile (masking, theme, alert and toast
//!   times, how a returning customer is announced);
//! - `GET /api/v1/admin/widgets`, `PUT | DELETE /api/v1/admin/widgets/{widget}` — the chat
//!   widgets (a persistent widget's customer key is never shown).

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
use crate::config::{DesktopSection, Overlay, QueueConfig, WidgetConfig};
use crate::store::{AuditAction, Scope, Store, StoreError, settings};

fn described<'a>(op: TransformOperation<'a>, summary: &str, scope: &str) -> TransformOperation<'a> {
    op.tag("configuration").summary(summary).description(scope)
}

const APPLIED: &str = "Validated with the configuration file's settings, stored, and applied at \
                       once: connected desktops get the new profile. Needs a full key.";
const READ: &str = "Needs a read-only key or wider.";

pub(super) fn routes<S: Store>() -> ApiRouter<Arc<App<S>>> {
    ApiRouter::new()
        .api_route(
            "/api/v1/admin/queues",
            get_with(queues::<S>, |op| described(op, "The queues", READ)),
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
                described(op, "The wrap-up and idle reasons", READ)
            })
            .put_with(save_reasons::<S>, |op| {
                described(op, "Replace the wrap-up and idle reasons", APPLIED)
            }),
        )
        .api_route(
            "/api/v1/admin/profile",
            get_with(profile::<S>, |op| {
                described(op, "The desktop profile", READ)
            })
            .put_with(save_profile::<S>, |op| {
                described(op, "Replace the desktop profile", APPLIED)
            }),
        )
        .api_route(
            "/api/v1/admin/widgets",
            get_with(widgets::<S>, |op| described(op, "The chat widgets", READ)),
        )
        .api_route(
            "/api/v1/admin/widgets/{widget}",
            put_with(save_widget::<S>, |op| {
                described(
                    op,
                    "Add or change a chat widget",
                    "Left out, a persistent widget's customer key stays as it was. Validated with \
                     the configuration file's settings, stored, and applied at once. Needs a full \
                     key.",
                )
            })
            .delete_with(remove_widget::<S>, |op| {
                described(
                    op,
                    "Remove a chat widget",
                    "Pages embedding it can no longer start chats; its conversations stay. Needs \
                     a full key.",
                )
                .response_with::<204, (), _>(|response| response.description("Removed."))
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

#[derive(Debug, Deserialize, JsonSchema)]
struct WidgetPath {
    /// The widget's id.
    widget: String,
}

/// A chat widget as the admin API shows it: its settings without the customer key.
#[derive(Debug, Serialize, JsonSchema)]
struct WidgetView {
    #[serde(flatten)]
    widget: WidgetConfig,
    /// Whether the widget has a customer key (a secret: never shown).
    customer_key_set: bool,
}

impl WidgetView {
    fn of(widget: &WidgetConfig) -> WidgetView {
        WidgetView {
            customer_key_set: widget.customer_key.is_some(),
            widget: WidgetConfig {
                customer_key: None,
                ..widget.clone()
            },
        }
    }
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
    let change = Change {
        action: AuditAction::QueueSaved,
        subject: queue,
        detail: saved.name.clone(),
    };
    apply(&app, &caller, origin, change, |overlay| {
        overlay.queues.retain(|known| known.id != saved.id);
        overlay.queues.push(saved.clone());
    })
    .await?;
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
    let change = Change {
        action: AuditAction::ReasonsChanged,
        subject: "reasons".into(),
        detail: format!(
            "wrap-up: {}; idle: {}",
            reasons.wrap_up.join(", "),
            reasons.idle.join(", ")
        ),
    };
    apply(&app, &caller, origin, change, |overlay| {
        overlay.wrap_up_reasons = Some(reasons.wrap_up.clone());
        overlay.idle_reasons = Some(reasons.idle.clone());
    })
    .await?;
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
    apply(&app, &caller, origin, change, |overlay| {
        overlay.desktop = Some(desktop.clone());
    })
    .await?;
    Ok(Json(desktop))
}

async fn widgets<S: Store>(
    State(app): State<Arc<App<S>>>,
    headers: HeaderMap,
) -> Result<Json<Vec<WidgetView>>, Refusal> {
    authorize(&app, &headers, Scope::ReadOnly).await?;
    Ok(Json(
        app.config().widgets.iter().map(WidgetView::of).collect(),
    ))
}

async fn save_widget<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(WidgetPath { widget: id }): Path<WidgetPath>,
    ClientAddress(origin): ClientAddress,
    headers: HeaderMap,
    body: Result<Json<WidgetConfig>, JsonRejection>,
) -> Result<Json<WidgetView>, Refusal> {
    let caller = authorize(&app, &headers, Scope::Full).await?;
    let Json(mut widget) = body.map_err(|rejection| {
        let message = format!("The body must be a widget ({{\"queue\", …}}): {rejection}");
        refuse(StatusCode::BAD_REQUEST, ErrorCode::InvalidInput, &message)
    })?;
    if !widget.id.is_empty() && widget.id != id {
        let message = format!(
            "The body names the widget “{}”, the path “{id}”.",
            widget.id
        );
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidInput,
            &message,
        ));
    }
    widget.id = id.clone();
    if widget.customer_key.is_none() {
        widget.customer_key = app
            .config()
            .widget(&id)
            .and_then(|known| known.customer_key.clone());
    }
    let change = Change {
        action: AuditAction::WidgetSaved,
        detail: format!(
            "queue {}{}{}",
            widget.queue,
            if app.config().is_persistent(&widget) {
                ", persistent"
            } else {
                ""
            },
            if widget.proactive { ", proactive" } else { "" },
        ),
        subject: id.clone(),
    };
    apply(&app, &caller, origin, change, |overlay| {
        overlay.removed_widgets.retain(|removed| *removed != id);
        overlay.widgets.retain(|known| known.id != id);
        overlay.widgets.push(widget.clone());
    })
    .await?;
    Ok(Json(WidgetView::of(&widget)))
}

async fn remove_widget<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(WidgetPath { widget: id }): Path<WidgetPath>,
    ClientAddress(origin): ClientAddress,
    headers: HeaderMap,
) -> Result<StatusCode, Refusal> {
    let caller = authorize(&app, &headers, Scope::Full).await?;
    if app.config().widget(&id).is_none() {
        return Err(refuse(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "No such widget.",
        ));
    }
    let change = Change {
        action: AuditAction::WidgetRemoved,
        subject: id.clone(),
        detail: String::new(),
    };
    apply(&app, &caller, origin, change, |overlay| {
        overlay.widgets.retain(|known| known.id != id);
        overlay.removed_widgets.retain(|removed| *removed != id);
        overlay.removed_widgets.push(id.clone());
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What the audit log says of a change.
struct Change {
    action: AuditAction,
    subject: String,
    detail: String,
}

/// How many times a change is tried on the settings as stored anew when another change (on
/// this node or another) was stored first.
const ATTEMPTS: usize = 5;

/// Applies `edit` to the stored overlay and validates the configuration with it, then stores it
/// — unless another change came first: then it starts again from that one — and applies the
/// settings as stored (other nodes do when PostgreSQL tells them).
async fn apply<S: Store>(
    app: &App<S>,
    caller: &Caller,
    origin: std::net::IpAddr,
    change: Change,
    edit: impl Fn(&mut Overlay),
) -> Result<(), Refusal> {
    for _ in 0..ATTEMPTS {
        let stored = settings::stored_overlay(&app.store)
            .await
            .map_err(unavailable)?;
        let mut overlay = stored.overlay.clone();
        edit(&mut overlay);
        // Routing checks only that no served queue goes, which an overlay cannot do.
        app.config().with_overlay(&overlay).map_err(|problem| {
            let message = problem.to_string();
            refuse(StatusCode::BAD_REQUEST, ErrorCode::InvalidInput, &message)
        })?;
        if !settings::replace_overlay(&app.store, &stored, &overlay)
            .await
            .map_err(unavailable)?
        {
            continue;
        }
        let Change {
            action,
            subject,
            detail,
        } = change;
        audit::record(app, caller, origin, action, subject, detail).await;
        return crate::settings::apply_stored(app).await.map_err(|error| {
            tracing::error!(%error, "a change stored through the admin API was not applied");
            refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Unavailable,
                "The change is stored, but not applied yet: it will be at the next change, \
                 SIGHUP or restart.",
            )
        });
    }
    Err(refuse(
        StatusCode::CONFLICT,
        ErrorCode::InvalidState,
        "The settings kept changing meanwhile; try again.",
    ))
}

fn unavailable(error: StoreError) -> Refusal {
    tracing::error!(%error, "the stored settings could not be read or written");
    refuse(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Unavailable,
        "The settings could not be read or stored; try again.",
    )
}
