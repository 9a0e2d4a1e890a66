//! The `[[widgets]]` sections: each chat widget's queue, mode (live or persistent, with the key
//! the site signs customers with) and proactive invitations with their rules.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_protocol::QueueId;

use super::Mode;

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WidgetConfig {
    /// How pages name the widget (a change through the admin API takes it from the path).
    #[serde(default)]
    pub id: String,
    /// The queue its chats go to.
    pub queue: QueueId,
    /// Whether the widget may invite visitors to chat (off by default).
    #[serde(default)]
    pub proactive: bool,
    /// The invitation the widget shows by itself, and when; without it, only the page's own
    /// `startProactiveChat` invites.
    #[serde(default)]
    pub invitation: Option<InvitationRules>,
    /// Live or persistent; the chat workstream's mode when not given.
    #[serde(default)]
    pub mode: Option<Mode>,
    /// The secret the site's back end signs customer tokens with (HS256): a persistent chat is
    /// only for customers the site has signed in. The admin API never shows it (only
    /// `customer_key_set`); a change that leaves it out keeps the widget's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_key: Option<String>,
    /// When set, customer tokens must name it in `aud` (a site signing tokens for several
    /// services keeps them apart).
    #[serde(default)]
    pub customer_token_audience: Option<String>,
    /// The pages (origins: `https://shop.example.com`) that may embed the widget; browsers on
    /// any other page are refused. Empty: any page (a warning is logged at start).
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// Whether the widget asks "How did we do?" (1–5 stars and a comment) when a chat ends.
    #[serde(default)]
    pub survey: bool,
}

impl WidgetConfig {
    /// Whether a browser on `origin` may use the widget. A request without an `Origin` header
    /// does not come from a web page.
    pub fn allows_origin(&self, origin: Option<&str>) -> bool {
        match origin {
            None => true,
            Some(origin) => {
                self.allowed_origins.is_empty()
                    || self
                        .allowed_origins
                        .iter()
                        .any(|allowed| allowed.eq_ignore_ascii_case(origin.trim_end_matches('/')))
            }
        }
    }
}

/// Checks an `allowed_origins` entry: a scheme and a host, with no path.
pub(super) fn check_origin(origin: &str) -> Result<(), String> {
    let parsed = url::Url::parse(origin)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some());
    match parsed {
        Some(url) if url.path() == "/" && !origin.ends_with('/') && url.query().is_none() => Ok(()),
        _ => Err(format!(
            "“{origin}” is not an origin such as https://shop.example.com (a scheme and a host, no path)"
        )),
    }
}

/// When the widget invites by itself.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationRules {
    /// What the invitation says.
    pub message: String,
    /// Seconds on the page before it shows.
    #[serde(default = "default_after_seconds")]
    pub after_seconds: u32,
    /// Only on pages whose address contains this.
    #[serde(default)]
    pub url_contains: Option<String>,
    #[serde(default)]
    pub audience: Audience,
    /// `"HH:MM-HH:MM"`, UTC: only then.
    #[serde(default)]
    pub business_hours: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    #[default]
    All,
    /// Visitors the widget has not seen before.
    New,
    Returning,
}

fn default_after_seconds() -> u32 {
    30
}

/// Minutes since midnight of `"HH:MM"`.
fn minutes(text: &str) -> Option<u32> {
    let (hours, minutes) = text.trim().split_once(':')?;
    let (hours, minutes): (u32, u32) = (hours.parse().ok()?, minutes.parse().ok()?);
    (hours < 24 && minutes < 60).then_some(hours * 60 + minutes)
}

impl InvitationRules {
    pub fn validate(&self) -> Result<(), String> {
        if self.message.trim().is_empty() || self.message.chars().count() > 200 {
            return Err("the invitation's message needs 1 to 200 characters".into());
        }
        if !(1..=3600).contains(&self.after_seconds) {
            return Err("after_seconds must be between 1 and 3600".into());
        }
        if let Some(hours) = &self.business_hours
            && self.hours().is_none()
        {
            return Err(format!(
                "business_hours “{hours}” is not of the form 09:00-17:00"
            ));
        }
        Ok(())
    }

    fn hours(&self) -> Option<(u32, u32)> {
        let (from, to) = self.business_hours.as_deref()?.split_once('-')?;
        Some((minutes(from)?, minutes(to)?))
    }

    /// Whether `minute_of_day` (UTC) is within business hours; always, without any.
    pub fn open_at(&self, minute_of_day: u32) -> bool {
        match self.hours() {
            None => true,
            Some((from, to)) if from <= to => (from..to).contains(&minute_of_day),
            // Hours across midnight, such as 22:00-06:00.
            Some((from, to)) => minute_of_day >= from || minute_of_day < to,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(hours: Option<&str>) -> InvitationRules {
        InvitationRules {
            message: "Questions?".into(),
            after_seconds: 30,
            url_contains: None,
            audience: Audience::All,
            business_hours: hours.map(str::to_owned),
        }
    }

    #[test]
    fn business_hours_include_their_start_and_exclude_their_end() {
        let day = rules(Some("09:00-17:00"));
        assert!(day.validate().is_ok());
        assert!(!day.open_at(8 * 60 + 59));
        assert!(day.open_at(9 * 60));
        assert!(!day.open_at(17 * 60));
        let night = rules(Some("22:00-06:00"));
        assert!(night.open_at(23 * 60) && night.open_at(60) && !night.open_at(12 * 60));
        assert!(rules(None).open_at(0));
        assert!(rules(Some("9-17")).validate().is_err());
        assert!(rules(Some("25:00-26:00")).validate().is_err());
    }
}
