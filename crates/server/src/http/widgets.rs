//! `GET /api/v1/widgets/{id}`: what a widget fetches at start (its proactive settings).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::app::App;
use crate::clock;
use crate::proactive::WidgetSettings;

pub(super) async fn settings<S>(
    State(app): State<Arc<App<S>>>,
    Path(widget): Path<String>,
) -> Response {
    let Some(widget) = app.config.widget(&widget) else {
        return (StatusCode::NOT_FOUND, "No such widget.").into_response();
    };
    // Fetched by pages of any site the widget is embedded in.
    (
        [(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")],
        Json(WidgetSettings::of(widget, clock::now())),
    )
        .into_response()
}
