//! OS notifications over D-Bus (notify-rust). An alert carries Accept and Reject and stays until
//! the core dismisses it (answered, expired, withdrawn); a toast closes after the profile's time
//! and, when clicked, raises the window on its conversation. Title and body come masked from the
//! core. Without a notification daemon the in-app alert still works; the failure is logged once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use notify_rust::{Hint, NotificationHandle, Timeout, Urgency};
use switchboard_desk::{Notification, NotificationKind};
use switchboard_protocol::agent::{Scenario, Theme};

use crate::labels::Labels;

/// What the agent did in a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Choice {
    Accept,
    Reject,
    /// The notification body (or its "Open" action) was clicked.
    Open,
}

#[derive(Default)]
pub(crate) struct OsNotifications {
    shown: Mutex<HashMap<String, Arc<NotificationHandle>>>,
    failure_logged: AtomicBool,
    /// Whether the daemon reads the body as markup (asked once).
    body_markup: OnceLock<bool>,
}

/// The body as the daemon must get it: a daemon that reads markup would take a customer's
/// `<b>` or `&` for its own, so those are written as entities; to one that does not, as typed.
fn body_text(text: &str, markup: bool) -> std::borrow::Cow<'_, str> {
    if !markup || !text.contains(['&', '<', '>']) {
        return text.into();
    }
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .into()
}

impl std::fmt::Debug for OsNotifications {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OsNotifications").finish_non_exhaustive()
    }
}

fn title_key(scenario: Scenario) -> &'static str {
    match scenario {
        Scenario::IncomingChat => "alert.incoming_chat",
        Scenario::IncomingSms => "alert.incoming_sms",
        Scenario::IncomingFacebook => "alert.incoming_facebook",
        Scenario::Assigned => "toast.assigned",
        Scenario::Transferred => "toast.transferred",
        Scenario::Escalated => "toast.escalated",
        Scenario::EscalatedFromBot => "toast.escalated_from_bot",
        Scenario::CustomerReturned => "toast.customer_returned",
        Scenario::ProactiveAccepted => "toast.proactive_accepted",
        Scenario::Conference => "toast.conference",
    }
}

/// The notification as the daemon gets it: "Incoming chat — Zoë", the comment, queue and wait.
fn build(
    notification: &Notification,
    labels: &Labels,
    now: u64,
    markup: bool,
) -> notify_rust::Notification {
    let title = format!(
        "{} — {}",
        labels.get(title_key(notification.scenario), &[]),
        notification.customer_name
    );
    let mut body = notification.comment.clone();
    if let Some(queue) = &notification.queue {
        body.push('\n');
        body.push_str(&labels.get("alert.queue", &[("queue", queue)]));
    }
    if let Some(since) = notification.waiting_since {
        let seconds = now.saturating_sub(since) / 1000;
        let wait = format!("{}:{:02}", seconds / 60, seconds % 60);
        body.push('\n');
        body.push_str(&labels.get("alert.waiting", &[("time", &wait)]));
    }
    let mut os = notify_rust::Notification::new();
    os.appname("Switchboard")
        .summary(&title)
        .body(&body_text(&body, markup))
        .icon("org.switchboard.desktop")
        .hint(Hint::Category("im.received".into()))
        // The administrator's notification theme, for daemons that style by hint.
        .hint(Hint::Custom(
            "x-switchboard-theme".into(),
            match notification.theme {
                Theme::Dark => "dark",
                Theme::Light => "light",
            }
            .into(),
        ));
    match notification.kind {
        NotificationKind::Alert { .. } => {
            os.action("accept", &labels.get("alert.accept", &[]))
                .action("reject", &labels.get("alert.reject", &[]))
                .urgency(Urgency::Critical)
                .hint(Hint::Resident(true))
                // It stays until the core dismisses it: the server's expiry decides, not the daemon.
                .timeout(Timeout::Never);
        }
        NotificationKind::Toast { closes_at } => {
            let millis = closes_at
                .saturating_sub(now)
                .clamp(1000, u64::from(u32::MAX));
            os.action("default", &labels.get("notification.open", &[]))
                .urgency(Urgency::Normal)
                .timeout(Timeout::Milliseconds(millis as u32));
        }
    }
    os
}

impl OsNotifications {
    /// Shows `notification` and calls `on_choice` with what the agent does in it.
    pub(crate) async fn show(
        self: &Arc<Self>,
        notification: &Notification,
        labels: &Labels,
        now: u64,
        on_choice: impl FnOnce(Choice) + Send + 'static,
    ) {
        let markup = *self.body_markup.get_or_init(|| {
            notify_rust::get_capabilities()
                .is_ok_and(|capabilities| capabilities.iter().any(|c| c == "body-markup"))
        });
        let os = build(notification, labels, now, markup);
        let handle = match os.show_async().await {
            Ok(handle) => Arc::new(handle),
            Err(error) => {
                if !self.failure_logged.swap(true, Ordering::Relaxed) {
                    tracing::warn!(%error, "OS notifications are unavailable; alerts show in the window only");
                }
                return;
            }
        };
        tracing::debug!(id = handle.id(), notification = %notification.id, "OS notification shown");
        let replaced = self
            .shown
            .lock()
            .expect("not poisoned")
            .insert(notification.id.clone(), handle.clone());
        if let Some(old) = replaced {
            old.close_async().await;
        }
        let this = self.clone();
        let id = notification.id.clone();
        tauri::async_runtime::spawn(async move {
            let mut choice = None;
            handle
                .wait_for_action_async(|response| {
                    choice = match response {
                        notify_rust::NotificationResponse::Action(action) if action == "accept" => {
                            Some(Choice::Accept)
                        }
                        notify_rust::NotificationResponse::Action(action) if action == "reject" => {
                            Some(Choice::Reject)
                        }
                        notify_rust::NotificationResponse::Default => Some(Choice::Open),
                        notify_rust::NotificationResponse::Action(action)
                            if action == "default" =>
                        {
                            Some(Choice::Open)
                        }
                        _ => None,
                    }
                })
                .await;
            this.forget(&id, &handle);
            if let Some(choice) = choice {
                on_choice(choice);
                // An alert is resident: the daemon keeps it after a click until it is closed.
                handle.close_async().await;
            }
        });
    }

    /// Closes the notification about `id` if it is still shown.
    pub(crate) async fn close(&self, id: &str) {
        let handle = self.shown.lock().expect("not poisoned").remove(id);
        if let Some(handle) = handle {
            handle.close_async().await;
        }
    }

    fn forget(&self, id: &str, handle: &Arc<NotificationHandle>) {
        let mut shown = self.shown.lock().expect("not poisoned");
        if shown
            .get(id)
            .is_some_and(|current| Arc::ptr_eq(current, handle))
        {
            shown.remove(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customers_markup_characters_reach_a_markup_daemon_as_text() {
        assert_eq!(
            body_text("<b>50% off</b> & more", true),
            "&lt;b&gt;50% off&lt;/b&gt; &amp; more"
        );
        assert_eq!(body_text("Tom & Jerry", false), "Tom & Jerry");
        assert!(matches!(
            body_text("plain", true),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
