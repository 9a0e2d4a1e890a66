//! Proactive chat: a widget with the switch on may invite visitors, by its configured rules
//! (time on the page, page address, new or returning visitors, business hours) or when the page
//! asks. The widget fetches its settings from `GET /api/v1/widgets/{id}`; the server answers
//! whether it is within business hours now, so that every visitor's clock does not matter.

use serde::Serialize;
use switchboard_protocol::Millis;

use crate::config::{InvitationRules, PrivacySection, WidgetConfig};

/// What the widget needs to know, from `GET /api/v1/widgets/{id}`.
#[derive(Debug, Serialize)]
pub struct WidgetSettings {
    /// Present when the widget may invite.
    pub proactive: Option<ProactiveSettings>,
    /// Card and account numbers are masked as messages are accepted (`[privacy]
    /// store_payment_data` off): the widget tells the customer so.
    pub hides_payment_data: bool,
    /// Whether the widget asks the customer to rate a chat once it has ended.
    pub survey: bool,
}

#[derive(Debug, Serialize)]
pub struct ProactiveSettings {
    /// The widget's own invitation rules, if it has any.
    pub invitation: Option<InvitationRules>,
    /// Whether the rules' business hours include now.
    pub open_now: bool,
}

impl WidgetSettings {
    /// What `widget` is told at `now`: the server answers whether it is within business hours,
    /// so that no visitor's clock matters.
    pub fn of(widget: &WidgetConfig, privacy: &PrivacySection, now: Millis) -> WidgetSettings {
        let minute_of_day = ((now / 60_000) % (24 * 60)) as u32;
        let proactive = widget.proactive.then(|| ProactiveSettings {
            open_now: widget
                .invitation
                .as_ref()
                .is_none_or(|rules| rules.open_at(minute_of_day)),
            invitation: widget.invitation.clone(),
        });
        WidgetSettings {
            proactive,
            hides_payment_data: !privacy.store_payment_data,
            survey: widget.survey,
        }
    }
}
