//! The `[desktop]` section: the profile every agent desktop receives — masking, theme, how long
//! alerts and toasts stay, how a returning customer is announced.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_protocol::agent::Theme;

use super::ConfigProblem;

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DesktopSection {
    /// Card numbers and other payment data masked on the desktops.
    pub masking: bool,
    pub theme: Theme,
    /// How long an offer's alert rings (1 to 3600).
    pub alert_seconds: u32,
    /// How long a toast stays (1 to 3600).
    pub toast_seconds: u32,
    /// How a persistent-chat customer's return is announced.
    pub customer_returned: NotificationChoice,
}

impl DesktopSection {
    pub(super) fn validate(&self) -> Result<(), ConfigProblem> {
        for (key, seconds) in [
            ("alert_seconds", self.alert_seconds),
            ("toast_seconds", self.toast_seconds),
        ] {
            if !(1..=3600).contains(&seconds) {
                let key = format!("desktop.{key}");
                return Err(ConfigProblem::new(
                    key,
                    "must be between 1 and 3600 seconds",
                ));
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
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
