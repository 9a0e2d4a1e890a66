//! `GET /api/v1/widgets/{id}`: what a widget fetches at start (its proactive settings).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use switchboard_protocol::ErrorCode;

use super::refuse;
use crate::app::App;
use crate::clock;
use crate::guard::page_origin;
use crate::proactive::WidgetSettings;

pub(super) async fn settings<S>(
    State(app): State<Arc<App<S>>>,
    Path(widget): Path<String>,
    headers: HeaderMap,
) -> Response {
    let config = app.config();
    let Some(widget) = config.widget(&widget) else {
        return (StatusCode::NOT_FOUND, "No such widget.").into_response();
    };
    let origin = page_origin(&headers);
    if !widget.allows_origin(origin) {
        return refuse(
            StatusCode::FORBIDDEN,
            ErrorCode::ForbiddenOrigin,
            "This widget is not allowed on this page.",
        )
        .into_response();
    }
    // Fetched by the pages the widget is embedded in.
    let allowed = origin.unwrap_or("*").to_owned();
    (
        [
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, allowed),
            (header::VARY, "Origin".to_owned()),
        ],
        Json(WidgetSettings::of(widget, &config.privacy, clock::now())),
    )
        .into_response()
}
