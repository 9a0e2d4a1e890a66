//! What the admin API changed of the configuration — queues added or changed, the wrap-up and
//! idle reasons, the desktop profile —: stored (not written into the file), and applied over the file's configuration
//! at start, after every `SIGHUP`, and at once when it changes. The result is validated whole, as
//! the file is.

use serde::{Deserialize, Serialize};

use super::{Config, ConfigProblem, DesktopSection, QueueConfig};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overlay {
    /// Queues added, or the file's changed (by id).
    #[serde(default)]
    pub queues: Vec<QueueConfig>,
    #[serde(default)]
    pub wrap_up_reasons: Option<Vec<String>>,
    #[serde(default)]
    pub idle_reasons: Option<Vec<String>>,
    #[serde(default)]
    pub desktop: Option<DesktopSection>,
}

impl Config {
    /// This configuration with `overlay` applied, validated whole.
    pub fn with_overlay(&self, overlay: &Overlay) -> Result<Config, ConfigProblem> {
        let mut config = self.clone();
        for queue in &overlay.queues {
            match config.queues.iter_mut().find(|known| known.id == queue.id) {
                Some(known) => *known = queue.clone(),
                None => config.queues.push(queue.clone()),
            }
        }
        if let Some(reasons) = &overlay.wrap_up_reasons {
            config.wrap_up_reasons = reasons.clone();
        }
        if let Some(reasons) = &overlay.idle_reasons {
            config.idle_reasons = reasons.clone();
        }
        if let Some(desktop) = &overlay.desktop {
            config.desktop = desktop.clone();
        }
        config.validate()?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> Config {
        Config::parse(
            "wrap_up_reasons = [\"Resolved\"]\nidle_reasons = [\"Lunch\"]\n\
             [[queues]]\nid = \"general\"\nname = \"General\"\n",
        )
        .unwrap()
    }

    #[test]
    fn an_overlay_adds_and_changes_queues_and_replaces_reasons_checked_as_the_file_is() {
        let billing = QueueConfig {
            id: "billing".into(),
            name: "Billing".into(),
            escalation: false,
            service_target_seconds: 30,
        };
        let renamed = QueueConfig {
            name: "General enquiries".into(),
            ..file().queues[0].clone()
        };
        let overlay = Overlay {
            queues: vec![billing.clone(), renamed.clone()],
            wrap_up_reasons: Some(vec!["Resolved".into(), "Sold".into()]),
            idle_reasons: None,
            desktop: None,
        };
        let config = file().with_overlay(&overlay).unwrap();
        assert_eq!(config.queues, [renamed, billing]);
        assert_eq!(config.wrap_up_reasons, ["Resolved", "Sold"]);
        assert_eq!(config.idle_reasons, ["Lunch"]);
        let nothing = Overlay {
            idle_reasons: Some(vec![]),
            ..Overlay::default()
        };
        assert_eq!(
            file().with_overlay(&nothing).unwrap_err().key,
            "idle_reasons"
        );
    }
}
