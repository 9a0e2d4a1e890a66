//! What the agent is told (SPEC §2), as values the shell only has to display: an **alert** for an
//! incoming chat, SMS or Facebook request (Accept / Reject, counting down to the server's expiry),
//! a **toast** for everything else (assignment, transfer, escalation, a returning customer, an
//! accepted proactive invitation, a conference). Text is masked before it gets here.

use serde::Serialize;
use switchboard_protocol::agent::{Offer, Scenario, Theme};
use switchboard_protocol::{Channel, ConversationId, Millis};
use ts_rs::TS;

use crate::redact::Redactor;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NotificationKind {
    /// Stays until answered, withdrawn or expired at `expires_at`.
    Alert { expires_at: Millis },
    /// Closes by itself at `closes_at`; selecting it opens the conversation.
    Toast { closes_at: Millis },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Notification {
    /// Stable for the life of what it is about: a later notification with the same id replaces it.
    pub id: String,
    pub conversation: ConversationId,
    pub kind: NotificationKind,
    pub scenario: Scenario,
    pub channel: Option<Channel>,
    pub customer_name: String,
    /// The first message, or the reason given.
    pub comment: String,
    pub queue: Option<String>,
    /// When the customer started waiting, for a wait time that keeps counting.
    pub waiting_since: Option<Millis>,
    /// Whether Accept / Reject apply (an offer is waiting for an answer).
    pub answerable: bool,
    pub proactive: bool,
    pub theme: Theme,
}

/// Why a notification went away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DismissReason {
    Accepted,
    Rejected,
    /// Nobody answered in time: the server took the request back (and set RONA).
    Expired,
    /// The customer left or the request was taken back for another reason.
    Withdrawn,
}

pub(crate) fn offer_id(conversation: &ConversationId) -> String {
    format!("offer:{conversation}")
}

/// Settings from the desktop profile that shape notifications.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    pub theme: Theme,
    pub toast_millis: Millis,
    pub redactor: Redactor,
    /// The profile makes a persistent-chat customer's return an alert rather than a toast.
    pub customer_returned_alert: bool,
}

impl Style {
    /// Whether a scenario raises an alert (an answer is needed now) rather than a toast.
    pub(crate) fn is_alert(&self, scenario: Scenario) -> bool {
        match scenario {
            Scenario::IncomingChat | Scenario::IncomingSms | Scenario::IncomingFacebook => true,
            Scenario::CustomerReturned => self.customer_returned_alert,
            _ => false,
        }
    }

    pub(crate) fn for_offer(&self, offer: &Offer, now: Millis) -> Notification {
        let kind = if self.is_alert(offer.scenario) {
            NotificationKind::Alert {
                expires_at: offer.expires_at,
            }
        } else {
            // A toast about an offer (a transfer, say) lasts no longer than the offer.
            NotificationKind::Toast {
                closes_at: (now + self.toast_millis).min(offer.expires_at),
            }
        };
        Notification {
            id: offer_id(&offer.conversation),
            conversation: offer.conversation.clone(),
            kind,
            scenario: offer.scenario,
            channel: Some(offer.channel),
            customer_name: self.redactor.owned(&offer.customer_name),
            comment: self.redactor.owned(&offer.comment),
            queue: Some(offer.queue.name.clone()),
            waiting_since: Some(offer.waiting_since),
            answerable: true,
            proactive: offer.proactive,
            theme: self.theme,
        }
    }

    /// A toast about a conversation the agent already knows (`customer_name` unmasked).
    pub(crate) fn toast(
        &self,
        conversation: &ConversationId,
        scenario: Scenario,
        customer_name: &str,
        text: &str,
        now: Millis,
    ) -> Notification {
        Notification {
            id: format!("notice:{conversation}:{now}"),
            conversation: conversation.clone(),
            kind: NotificationKind::Toast {
                closes_at: now + self.toast_millis,
            },
            scenario,
            channel: None,
            customer_name: self.redactor.owned(customer_name),
            comment: self.redactor.owned(text),
            queue: None,
            waiting_since: None,
            answerable: false,
            proactive: false,
            theme: self.theme,
        }
    }
}

#[cfg(test)]
mod tests {
    use switchboard_protocol::agent::QueueSummary;

    use super::*;

    const NOW: Millis = 1_000_000;
    const ALL_SCENARIOS: [Scenario; 10] = [
        Scenario::IncomingChat,
        Scenario::IncomingSms,
        Scenario::IncomingFacebook,
        Scenario::Assigned,
        Scenario::Transferred,
        Scenario::Escalated,
        Scenario::EscalatedFromBot,
        Scenario::CustomerReturned,
        Scenario::ProactiveAccepted,
        Scenario::Conference,
    ];

    fn style(theme: Theme) -> Style {
        Style {
            theme,
            toast_millis: 8_000,
            redactor: Redactor::new(true),
            customer_returned_alert: false,
        }
    }

    fn offer(scenario: Scenario, expires_in: Millis) -> Offer {
        Offer {
            conversation: ConversationId::from("c-1"),
            channel: Channel::Sms,
            scenario,
            customer_name: "+420 601 123 456".into(),
            comment: "card 4111 1111 1111 1111 please".into(),
            queue: QueueSummary {
                id: "general".into(),
                name: "General enquiries".into(),
                escalation: false,
            },
            waiting_since: NOW - 5_000,
            expires_at: NOW + expires_in,
            proactive: scenario == Scenario::ProactiveAccepted,
            context: Vec::new(),
        }
    }

    #[test]
    fn a_returning_customer_alerts_when_the_profile_says_so() {
        let returned = offer(Scenario::CustomerReturned, 30_000);
        let toast = style(Theme::Dark).for_offer(&returned, NOW);
        assert!(matches!(toast.kind, NotificationKind::Toast { .. }));
        let alerting = Style {
            customer_returned_alert: true,
            ..style(Theme::Dark)
        };
        let alert = alerting.for_offer(&returned, NOW);
        assert_eq!(
            alert.kind,
            NotificationKind::Alert {
                expires_at: NOW + 30_000
            }
        );
    }

    #[test]
    fn incoming_requests_alert_until_expiry_and_every_other_scenario_toasts() {
        for scenario in ALL_SCENARIOS {
            let notification = style(Theme::Dark).for_offer(&offer(scenario, 30_000), NOW);
            let expected = match scenario {
                Scenario::IncomingChat | Scenario::IncomingSms | Scenario::IncomingFacebook => {
                    NotificationKind::Alert {
                        expires_at: NOW + 30_000,
                    }
                }
                _ => NotificationKind::Toast {
                    closes_at: NOW + 8_000,
                },
            };
            assert_eq!(notification.kind, expected, "{scenario:?}");
            assert_eq!(notification.scenario, scenario);
            assert!(notification.answerable, "an offer can be answered");
            assert_eq!(notification.theme, Theme::Dark, "the profile's theme");
            assert_eq!(notification.waiting_since, Some(NOW - 5_000));
            assert_eq!(notification.queue.as_deref(), Some("General enquiries"));
            assert_eq!(
                notification.proactive,
                scenario == Scenario::ProactiveAccepted
            );
        }
    }

    #[test]
    fn a_toast_about_an_offer_lasts_no_longer_than_the_offer() {
        let notification = style(Theme::Light).for_offer(&offer(Scenario::Transferred, 3_000), NOW);
        assert_eq!(
            notification.kind,
            NotificationKind::Toast {
                closes_at: NOW + 3_000
            }
        );
    }

    #[test]
    fn offer_text_is_masked_including_a_name_that_is_a_phone_number() {
        let notification =
            style(Theme::Light).for_offer(&offer(Scenario::IncomingSms, 30_000), NOW);
        assert!(
            !notification.comment.contains("4111"),
            "{}",
            notification.comment
        );
        assert!(notification.comment.ends_with("please"));
        assert!(
            !notification.customer_name.contains("601 123"),
            "{}",
            notification.customer_name
        );
    }

    #[test]
    fn notices_are_masked_toasts_for_every_scenario_that_cannot_be_answered() {
        for scenario in ALL_SCENARIOS {
            let notification = style(Theme::Light).toast(
                &ConversationId::from("c-2"),
                scenario,
                "Zoë",
                "Transferred by Bo: card 4111 1111 1111 1111",
                NOW,
            );
            assert_eq!(
                notification.kind,
                NotificationKind::Toast {
                    closes_at: NOW + 8_000
                }
            );
            assert_eq!(notification.scenario, scenario);
            assert!(!notification.answerable);
            assert!(!notification.comment.contains("1111 1111"));
            assert_eq!(notification.customer_name, "Zoë");
        }
    }
}
