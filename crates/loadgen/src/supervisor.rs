//! A supervisor watching the live view while agents change their presence: how long an agent's
//! change takes to reach the supervisor's view, measured on the load generator's one clock, and
//! how much the view's pushes weigh.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::Message;

use crate::clients::{Socket, micros, next_text};

/// How many agents change their presence, each every [`CHANGE_EVERY`], spread over it.
pub(crate) const CHANGING_AGENTS: usize = 20;
pub(crate) const CHANGE_EVERY: Duration = Duration::from_secs(2);

/// The agents' changes on their way to the supervisor's view.
#[derive(Default)]
pub(crate) struct Changes {
    /// Changes are made while this holds (the steady phase).
    pub(crate) active: AtomicBool,
    /// Per agent's e-mail: the presence asked for, and when.
    pending: Mutex<HashMap<String, (&'static str, u64)>>,
    /// From asking to the view showing it, in microseconds.
    pub(crate) delays: Mutex<Vec<u64>>,
    /// What the supervisor's connection received of the view, in bytes, and in how many pushes.
    pub(crate) pushed_bytes: AtomicU64,
    pub(crate) pushes: AtomicU64,
}

impl Changes {
    /// The presence `email` asks for next (alternately Idle and Available), noted as sent now.
    pub(crate) async fn next(&self, email: &str, start: Instant, idle: bool) -> Value {
        let (state, presence) = if idle {
            ("idle", json!({ "state": "idle", "reason": "Lunch" }))
        } else {
            ("available", json!({ "state": "available" }))
        };
        self.pending
            .lock()
            .await
            .insert(email.to_owned(), (state, micros(start)));
        json!({ "type": "set_presence", "presence": presence })
    }

    /// A push of the view: every agent shown with the presence they asked for is a change
    /// delivered.
    async fn seen(&self, update: &Value, start: Instant) {
        let now = micros(start);
        let mut pending = self.pending.lock().await;
        for agent in update["agents"].as_array().into_iter().flatten() {
            let email = agent["agent"]["email"].as_str().unwrap_or_default();
            let state = agent["presence"]["state"].as_str().unwrap_or_default();
            if pending.get(email).is_some_and(|(asked, _)| *asked == state) {
                let (_, sent) = pending.remove(email).expect("checked");
                self.delays.lock().await.push(now.saturating_sub(sent));
            }
        }
    }
}

/// The supervisor's desktop: watches the live view and notes every agent's change it shows.
pub(crate) async fn run_supervisor(socket: Socket, start: Instant, changes: Arc<Changes>) {
    let (mut sink, mut stream) = socket.split();
    let watch = json!({ "type": "command", "id": "watch", "command": { "type": "watch_live", "watch": true } });
    sink.send(Message::text(watch.to_string())).await.unwrap();
    while let Some(text) = next_text(&mut stream).await {
        let frame: Value = serde_json::from_str(&text).unwrap();
        match frame["type"].as_str() {
            Some("live") => {
                changes
                    .pushed_bytes
                    .fetch_add(text.len() as u64, Ordering::Relaxed);
                changes.pushes.fetch_add(1, Ordering::Relaxed);
                changes.seen(&frame["update"], start).await;
            }
            Some("reply") if frame["outcome"]["status"] == "error" => {
                panic!("the supervisor was refused the live view: {frame}")
            }
            Some("event") => {
                let ack = json!({ "type": "ack", "seq": frame["seq"] });
                sink.send(Message::text(ack.to_string())).await.unwrap();
            }
            _ => {}
        }
    }
}
