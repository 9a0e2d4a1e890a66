//! What the admin API changed of the configuration — queues added or changed, the wrap-up and
//! idle reasons, widgets added, changed or removed, the desktop profile —: stored (not written into the file), and applied over the file's configuration
//! at start, after every `SIGHUP`, and at once when it changes. The result is validated whole, as
//! the file is.

use serde::{Deserialize, Serialize};

use super::{Config, ConfigProblem, DesktopSection, QueueConfig, WidgetConfig};

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
    /// Widgets added, or the file's changed (by id).
    #[serde(default)]
    pub widgets: Vec<WidgetConfig>,
    /// The file's widgets removed (by id).
    #[serde(default)]
    pub removed_widgets: Vec<String>,
}

impl Config {
    /// This configuration with `overlay` applied, validated whole.
    pub fn with_overlay(&self, overlay: &Overlay) -> Result<Config, ConfigProblem> {
        let mut config = self.clone();
        upsert(&mut config.queues, &overlay.queues, |a, b| a.id == b.id);
        if let Some(reasons) = &overlay.wrap_up_reasons {
            config.wrap_up_reasons = reasons.clone();
        }
        if let Some(reasons) = &overlay.idle_reasons {
            config.idle_reasons = reasons.clone();
        }
        if let Some(desktop) = &overlay.desktop {
            config.desktop = desktop.clone();
        }
        config
            .widgets
            .retain(|widget| !overlay.removed_widgets.contains(&widget.id));
        upsert(&mut config.widgets, &overlay.widgets, |a, b| a.id == b.id);
        config.validate()?;
        Ok(config)
    }
}

/// `known` with each of `changed` in place of the one `same` as it, or added.
fn upsert<T: Clone>(known: &mut Vec<T>, changed: &[T], same: impl Fn(&T, &T) -> bool) {
    for item in changed {
        match known.iter_mut().find(|known| same(known, item)) {
            Some(known) => *known = item.clone(),
            None => known.push(item.clone()),
        }
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
            ..Overlay::default()
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

    #[test]
    fn an_overlay_adds_changes_and_removes_widgets_and_refuses_one_without_an_id() {
        let site = "[[widgets]]\nid = \"site\"\nqueue = \"general\"\n";
        let file = Config::parse(&format!(
            "wrap_up_reasons = [\"Resolved\"]\nidle_reasons = [\"Lunch\"]\n\
             [[queues]]\nid = \"general\"\nname = \"General\"\n{site}"
        ))
        .unwrap();
        let shop = WidgetConfig {
            id: "shop".into(),
            survey: true,
            ..file.widgets[0].clone()
        };
        let overlay = Overlay {
            widgets: vec![shop.clone()],
            removed_widgets: vec!["site".into()],
            ..Overlay::default()
        };
        assert_eq!(
            file.with_overlay(&overlay).unwrap().widgets,
            std::slice::from_ref(&shop)
        );
        let nameless = Overlay {
            widgets: vec![WidgetConfig {
                id: String::new(),
                ..shop
            }],
            ..Overlay::default()
        };
        assert_eq!(
            file.with_overlay(&nameless).unwrap_err().key,
            "widgets[1].id"
        );
    }
}
