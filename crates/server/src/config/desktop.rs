//! The `[desktop]` section: the profile every agent desktop receives — masking, theme, how long
//! alerts and toasts stay, how a returning customer is announced.

use serde::Deserialize;
use switchboard_protocol::agent::Theme;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DesktopSection {
    pub masking: bool,
    pub theme: Theme,
    pub alert_seconds: u32,
    pub toast_seconds: u32,
    /// How a persistent-chat customer's return is announced.
    pub customer_returned: NotificationChoice,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationChoice {
    Alert,
    Toast,
}

impl Default for DesktopSection {
    fn default() -> Self {
        DesktopSection {
            masking: true,
            theme: Theme::Dark,
            alert_seconds: 30,
            toast_seconds: 8,
            customer_returned: NotificationChoice::Toast,
        }
    }
}
