//! The `[reports]` section: the time zone the reports' days and hours are counted in.

use jiff::tz::TimeZone;
use serde::Deserialize;

use super::ConfigProblem;

/// The `[reports]` section.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReportsSection {
    /// An IANA time zone name, such as `Europe/Prague`.
    pub time_zone: String,
}

impl Default for ReportsSection {
    fn default() -> Self {
        ReportsSection {
            time_zone: "UTC".into(),
        }
    }
}

impl ReportsSection {
    /// The time zone (checked when the configuration was read).
    pub fn zone(&self) -> TimeZone {
        TimeZone::get(&self.time_zone).unwrap_or(TimeZone::UTC)
    }

    pub(super) fn validate(&self) -> Result<(), ConfigProblem> {
        match TimeZone::get(&self.time_zone) {
            Ok(_) => Ok(()),
            Err(_) => Err(ConfigProblem::new(
                "reports.time_zone",
                format!(
                    "no time zone {:?}: an IANA name such as \"Europe/Prague\"",
                    self.time_zone
                ),
            )),
        }
    }
}
