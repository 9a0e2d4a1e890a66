//! Files the server serves from inside its binary: the chat widget and the demo page.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::app::App;

/// The widget, compiled from `/widget` by the build script.
const WIDGET: &str = include_str!(concat!(env!("OUT_DIR"), "/widget.js"));

/// A sample shop page that embeds the widget, served at `/demo` when `server.demo` is on.
const DEMO_PAGE: &str = include_str!("../examples/demo.html");

pub async fn widget() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        WIDGET,
    )
        .into_response()
}

pub async fn demo<S>(State(app): State<Arc<App<S>>>) -> Response {
    if app.config().server.demo {
        Html(DEMO_PAGE).into_response()
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}
