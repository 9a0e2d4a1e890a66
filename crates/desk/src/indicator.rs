//! What the system tray shows, kept from the update stream: the agent's presence and how many
//! alerts wait for an answer. The tray and the window read the same updates, so they agree.

use std::collections::BTreeSet;

use switchboard_protocol::Presence;

use crate::model::{DeskSnapshot, Update};
use crate::notification::NotificationKind;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indicator {
    presence: Presence,
    /// Notification ids of the alerts on screen.
    alerts: BTreeSet<String>,
}

impl Indicator {
    pub fn new(snapshot: &DeskSnapshot) -> Indicator {
        Indicator {
            presence: snapshot.presence.clone(),
            alerts: snapshot
                .alerts
                .iter()
                .filter(|n| matches!(n.kind, NotificationKind::Alert { .. }))
                .map(|n| n.id.clone())
                .collect(),
        }
    }

    /// Signed out: offline, nothing pending.
    pub fn offline() -> Indicator {
        Indicator {
            presence: Presence::Offline,
            alerts: BTreeSet::new(),
        }
    }

    /// Applies one update; whether what the tray shows changed.
    pub fn apply(&mut self, update: &Update) -> bool {
        match update {
            Update::Presence { presence } if *presence != self.presence => {
                self.presence = presence.clone();
                true
            }
            Update::Notify { notification }
                if matches!(notification.kind, NotificationKind::Alert { .. }) =>
            {
                self.alerts.insert(notification.id.clone())
            }
            Update::Dismiss { id, .. } => self.alerts.remove(id),
            _ => false,
        }
    }

    pub fn presence(&self) -> &Presence {
        &self.presence
    }

    pub fn pending_alerts(&self) -> usize {
        self.alerts.len()
    }
}

#[cfg(test)]
mod tests {
    use switchboard_protocol::ConversationId;
    use switchboard_protocol::agent::{Scenario, Theme};

    use super::*;
    use crate::notification::{DismissReason, Notification};

    fn notification(id: &str, kind: NotificationKind) -> Update {
        Update::Notify {
            notification: Notification {
                id: id.into(),
                conversation: ConversationId::from("c"),
                kind,
                scenario: Scenario::IncomingChat,
                channel: None,
                customer_name: String::new(),
                comment: String::new(),
                queue: None,
                waiting_since: None,
                answerable: true,
                proactive: false,
                theme: Theme::Light,
            },
        }
    }

    #[test]
    fn alerts_mark_the_tray_until_dismissed_and_toasts_do_not() {
        let mut indicator = Indicator::offline();
        assert!(indicator.apply(&notification(
            "offer:a",
            NotificationKind::Alert { expires_at: 9 }
        )));
        assert!(!indicator.apply(&notification(
            "offer:a",
            NotificationKind::Alert { expires_at: 9 }
        )));
        assert!(!indicator.apply(&notification(
            "notice:b",
            NotificationKind::Toast { closes_at: 9 }
        )));
        assert_eq!(indicator.pending_alerts(), 1);
        assert!(indicator.apply(&Update::Dismiss {
            id: "offer:a".into(),
            reason: DismissReason::Expired,
        }));
        assert_eq!(indicator.pending_alerts(), 0);
        assert!(!indicator.apply(&Update::Dismiss {
            id: "offer:a".into(),
            reason: DismissReason::Expired,
        }));
    }

    #[test]
    fn presence_changes_are_reported_once() {
        let mut indicator = Indicator::offline();
        assert!(indicator.apply(&Update::Presence {
            presence: Presence::Rona
        }));
        assert!(!indicator.apply(&Update::Presence {
            presence: Presence::Rona
        }));
        assert_eq!(indicator.presence(), &Presence::Rona);
    }
}
