//! `--event-webhooks`: an endpoint in this process takes every event the server delivers and
//! answers at once, as a well-behaved receiver does; the run counts them.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::StatusCode;

pub(crate) struct EventSink {
    pub(crate) url: String,
    pub(crate) received: Arc<AtomicU64>,
}

impl EventSink {
    pub(crate) async fn start() -> EventSink {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let url = format!("http://{}/events", listener.local_addr().unwrap());
        let received = Arc::new(AtomicU64::new(0));
        let counting = received.clone();
        let take = move || {
            counting.fetch_add(1, Ordering::Relaxed);
            async { StatusCode::NO_CONTENT }
        };
        let app = axum::Router::new().route("/events", axum::routing::post(take));
        tokio::spawn(async move { axum::serve(listener, app).await });
        EventSink { url, received }
    }

    /// The `[[event_webhooks]]` section naming this endpoint.
    pub(crate) fn section(&self) -> String {
        format!(
            "[[event_webhooks]]\nname = \"loadgen\"\nurl = \"{}\"\nsecret = \"{}\"\n",
            self.url,
            switchboard_testkit::event_receiver::SECRET
        )
    }
}
