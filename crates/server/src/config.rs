//! The server's configuration: one TOML file, validated at start. Every error names the file,
//! the key and the problem.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use switchboard_protocol::agent::{DesktopProfile, Theme};
use switchboard_protocol::{Channel, QueueId};

use crate::channels::facebook::FacebookConfig;
use crate::channels::twilio::SmsConfig;

/// A configuration that could not be used.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {key}: {problem}")]
pub struct ConfigError {
    pub file: PathBuf,
    /// The key at fault, as a path (`queues[1].id`); `(file)` when the file itself is at fault.
    pub key: String,
    pub problem: String,
}

/// The configuration, as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub server: ServerSection,
    pub queues: Vec<QueueConfig>,
    #[serde(default)]
    pub workstreams: Workstreams,
    #[serde(default)]
    pub agents: AgentDefaults,
    pub wrap_up_reasons: Vec<String>,
    pub idle_reasons: Vec<String>,
    #[serde(default)]
    pub desktop: DesktopSection,
    #[serde(default)]
    pub widgets: Vec<WidgetConfig>,
    #[serde(default)]
    pub contacts: ContactsSection,
    /// SMS through a Twilio-compatible provider; off without the section.
    #[serde(default)]
    pub sms: Option<SmsConfig>,
    /// Facebook Messenger; off without the section.
    #[serde(default)]
    pub facebook: Option<FacebookConfig>,
    /// Agents created on first start if absent. For demonstrations only: the passwords are in
    /// the file.
    #[serde(default)]
    pub demo_agents: Vec<DemoAgent>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSection {
    pub listen: SocketAddr,
    /// Where the database lives; relative paths are relative to the configuration file.
    pub data_dir: PathBuf,
    pub session_hours: u32,
    /// How long an agent who lost the connection keeps presence and conversations.
    pub presence_grace_seconds: u32,
    /// Serve a sample shop page with the widget at `/demo`.
    pub demo: bool,
}

impl Default for ServerSection {
    fn default() -> Self {
        ServerSection {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("data"),
            session_hours: 12,
            presence_grace_seconds: 60,
            demo: false,
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ContactsSection {
    /// The country whose national phone numbers contacts and SMS senders may use without a
    /// country code (ISO 3166 alpha-2, e.g. "CZ"); without it, numbers need their +code.
    #[serde(deserialize_with = "region")]
    pub default_region: Option<crate::contacts::Region>,
}

fn region<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<crate::contacts::Region>, D::Error> {
    let code = String::deserialize(deserializer)?;
    code.to_uppercase().parse().map(Some).map_err(|_| {
        serde::de::Error::custom(format!(
            "“{code}” is not a two-letter country code such as CZ"
        ))
    })
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueConfig {
    pub id: QueueId,
    pub name: String,
    /// Agents may escalate conversations to it (supervisors, specialists).
    #[serde(default)]
    pub escalation: bool,
}

/// How each channel's conversations are handled.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Workstreams {
    pub chat: Workstream,
    pub sms: Workstream,
    pub facebook: Workstream,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Workstream {
    pub mode: Mode,
    /// A persistent conversation whose customer writes again goes back to the agent who moved
    /// it to waiting, whatever their load.
    pub keep_same_agent: bool,
    /// When that agent is offline: wait for them, or go to the queue.
    pub if_agent_offline: IfAgentOffline,
    pub offer_timeout_seconds: u32,
    /// A bot that answers new conversations before any agent: its REST channel's base URL
    /// (`POST {bot}/webhooks/rest/webhook`).
    pub bot: Option<String>,
}

impl Default for Workstream {
    fn default() -> Self {
        Workstream {
            mode: Mode::Live,
            keep_same_agent: true,
            if_agent_offline: IfAgentOffline::Queue,
            offer_timeout_seconds: 30,
            bot: None,
        }
    }
}

impl Workstream {
    pub fn offer_timeout(&self) -> Duration {
        Duration::from_secs(self.offer_timeout_seconds.into())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Live,
    Persistent,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IfAgentOffline {
    Wait,
    Queue,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AgentDefaults {
    /// Concurrent conversations an agent holds unless their account says otherwise.
    pub default_capacity: u32,
}

impl Default for AgentDefaults {
    fn default() -> Self {
        AgentDefaults {
            default_capacity: 3,
        }
    }
}

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

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WidgetConfig {
    pub id: String,
    /// The queue its chats go to.
    pub queue: QueueId,
    /// Whether the widget may invite visitors to chat (off by default).
    #[serde(default)]
    pub proactive: bool,
    /// The invitation the widget shows by itself, and when; without it, only the page's own
    /// `startProactiveChat` invites.
    #[serde(default)]
    pub invitation: Option<crate::proactive::InvitationRules>,
    /// Live or persistent; the chat workstream's mode when not given.
    #[serde(default)]
    pub mode: Option<Mode>,
    /// The secret the site's back end signs customer tokens with (HS256): a persistent chat is
    /// only for customers the site has signed in.
    #[serde(default)]
    pub customer_key: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoAgent {
    pub email: String,
    pub name: String,
    pub password: String,
    pub queues: Vec<QueueId>,
}

impl Config {
    /// Reads and validates the configuration at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let error = |key: &str, problem: String| ConfigError {
            file: path.to_owned(),
            key: key.to_owned(),
            problem,
        };
        let text = std::fs::read_to_string(path).map_err(|e| error("(file)", e.to_string()))?;
        let mut config = Config::parse(&text).map_err(|(key, problem)| error(&key, problem))?;
        if config.server.data_dir.is_relative() {
            let base = path.parent().unwrap_or(Path::new("."));
            config.server.data_dir = base.join(&config.server.data_dir);
        }
        Ok(config)
    }

    /// Parses and validates configuration text; an error is `(key, problem)`.
    pub fn parse(text: &str) -> Result<Config, (String, String)> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let key = e.span().map_or("(file)".to_owned(), |span| {
                let line = text[..span.start].lines().count().max(1);
                format!("line {line}")
            });
            (key, e.message().to_owned())
        })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), (String, String)> {
        let fail = |key: String, problem: &str| Err((key, problem.to_owned()));
        if self.queues.is_empty() {
            return fail("queues".into(), "at least one queue is needed");
        }
        let mut ids = HashSet::new();
        for (i, queue) in self.queues.iter().enumerate() {
            if queue.id.0.trim().is_empty() {
                return fail(format!("queues[{i}].id"), "must not be empty");
            }
            if !ids.insert(&queue.id) {
                return fail(
                    format!("queues[{i}].id"),
                    &format!("duplicate queue id {:?}", queue.id.0),
                );
            }
        }
        for (name, workstream) in [
            ("chat", &self.workstreams.chat),
            ("sms", &self.workstreams.sms),
            ("facebook", &self.workstreams.facebook),
        ] {
            if !(1..=3600).contains(&workstream.offer_timeout_seconds) {
                return fail(
                    format!("workstreams.{name}.offer_timeout_seconds"),
                    "must be between 1 and 3600 seconds",
                );
            }
            if let Some(bot) = &workstream.bot
                && !(bot.starts_with("http://") || bot.starts_with("https://"))
            {
                return fail(
                    format!("workstreams.{name}.bot"),
                    &format!("“{bot}” is not an http(s) URL"),
                );
            }
        }
        if self.agents.default_capacity == 0 {
            return fail("agents.default_capacity".into(), "must be at least 1");
        }
        for (key, list) in [
            ("wrap_up_reasons", &self.wrap_up_reasons),
            ("idle_reasons", &self.idle_reasons),
        ] {
            if list.is_empty() {
                return fail(key.into(), "at least one reason is needed");
            }
            if let Some(i) = list.iter().position(|reason| reason.trim().is_empty()) {
                return fail(format!("{key}[{i}]"), "must not be empty");
            }
        }
        if self.server.session_hours == 0 {
            return fail("server.session_hours".into(), "must be at least 1");
        }
        for (i, widget) in self.widgets.iter().enumerate() {
            if !ids.contains(&widget.queue) {
                return fail(
                    format!("widgets[{i}].queue"),
                    &format!("no queue {:?}", widget.queue.0),
                );
            }
            if let Some(invitation) = &widget.invitation {
                invitation
                    .validate()
                    .map_err(|problem| (format!("widgets[{i}].invitation"), problem))?;
            }
            if self.is_persistent(widget)
                && widget
                    .customer_key
                    .as_ref()
                    .is_none_or(|key| key.len() < 32)
            {
                return fail(
                    format!("widgets[{i}].customer_key"),
                    "a persistent chat needs the key (32 characters or more) the site signs customer tokens with",
                );
            }
        }
        if let Some(sms) = &self.sms {
            sms.validate(|queue| ids.contains(queue))?;
        }
        if let Some(facebook) = &self.facebook {
            facebook.validate(|queue| ids.contains(queue))?;
        }
        for (i, agent) in self.demo_agents.iter().enumerate() {
            if let Some(queue) = agent.queues.iter().find(|queue| !ids.contains(queue)) {
                return fail(
                    format!("demo_agents[{i}].queues"),
                    &format!("no queue {:?}", queue.0),
                );
            }
        }
        Ok(())
    }

    /// How conversations of `channel` are handled.
    pub fn workstream(&self, channel: Channel) -> &Workstream {
        match channel {
            Channel::Chat => &self.workstreams.chat,
            Channel::Sms => &self.workstreams.sms,
            Channel::Facebook => &self.workstreams.facebook,
        }
    }

    pub fn queue(&self, id: &QueueId) -> Option<&QueueConfig> {
        self.queues.iter().find(|queue| &queue.id == id)
    }

    /// Whether a widget's chats are persistent.
    pub fn is_persistent(&self, widget: &WidgetConfig) -> bool {
        widget.mode.unwrap_or(self.workstreams.chat.mode) == Mode::Persistent
    }

    pub fn widget(&self, id: &str) -> Option<&WidgetConfig> {
        self.widgets.iter().find(|widget| widget.id == id)
    }

    /// The profile every desktop receives.
    pub fn desktop_profile(&self) -> DesktopProfile {
        DesktopProfile {
            masking: self.desktop.masking,
            theme: self.desktop.theme,
            alert_seconds: self.desktop.alert_seconds,
            toast_seconds: self.desktop.toast_seconds,
            customer_returned_alert: self.desktop.customer_returned == NotificationChoice::Alert,
            wrap_up_reasons: self.wrap_up_reasons.clone(),
            idle_reasons: self.idle_reasons.clone(),
        }
    }

    pub fn database_path(&self) -> PathBuf {
        self.server.data_dir.join("switchboard.db")
    }

    /// Where steps are journaled before they reach the database.
    pub fn journal_path(&self) -> PathBuf {
        self.server.data_dir.join("journal")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
        wrap_up_reasons = ["Resolved"]
        idle_reasons = ["Lunch"]
        [[queues]]
        id = "general"
        name = "General"
    "#;

    #[test]
    fn minimal_config_takes_the_documented_defaults() {
        let config = Config::parse(MINIMAL).unwrap();
        assert_eq!(config.workstreams.chat.offer_timeout_seconds, 30);
        assert_eq!(config.agents.default_capacity, 3);
        assert_eq!(config.server.presence_grace_seconds, 60);
        assert!(config.desktop.masking);
    }

    #[test]
    fn errors_name_the_key_and_the_problem() {
        let duplicate = format!("{MINIMAL}\n[[queues]]\nid = \"general\"\nname = \"Again\"\n");
        assert_eq!(
            Config::parse(&duplicate).unwrap_err(),
            (
                "queues[1].id".to_owned(),
                "duplicate queue id \"general\"".to_owned()
            )
        );
        let widget = format!("{MINIMAL}\n[[widgets]]\nid = \"site\"\nqueue = \"nope\"\n");
        assert_eq!(Config::parse(&widget).unwrap_err().0, "widgets[0].queue");
        let timeout = format!("{MINIMAL}\n[workstreams.chat]\noffer_timeout_seconds = 0\n");
        assert_eq!(
            Config::parse(&timeout).unwrap_err().0,
            "workstreams.chat.offer_timeout_seconds"
        );
        let (key, problem) = Config::parse(&format!("{MINIMAL}\ncolour = \"red\"\n")).unwrap_err();
        assert!(key.starts_with("line "), "{key}");
        assert!(problem.contains("unknown field"), "{problem}");
        let region = format!("{MINIMAL}\n[contacts]\ndefault_region = \"XX\"\n");
        let (key, problem) = Config::parse(&region).unwrap_err();
        assert!(key.starts_with("line "), "{key}");
        assert!(
            problem.contains("“XX” is not a two-letter country code"),
            "{problem}"
        );
    }

    #[test]
    fn channel_and_widget_settings_are_checked() {
        let key = |text: &str| Config::parse(&format!("{MINIMAL}\n{text}")).unwrap_err();
        let sms = |number: &str, queue: &str| {
            format!(
                "[sms]\nwebhook_url = \"https://cc.example.com/webhooks/sms/twilio\"\naccount_sid = \"AC1\"\nauth_token = \"t\"\n[[sms.numbers]]\nnumber = \"{number}\"\nqueue = \"{queue}\"\n"
            )
        };
        assert!(Config::parse(&format!("{MINIMAL}\n{}", sms("+420700800900", "general"))).is_ok());
        let (at, problem) = key(&sms("700 800 900", "general"));
        assert_eq!(at, "sms.numbers[0].number");
        assert!(problem.contains("E.164"), "{problem}");
        assert_eq!(key(&sms("+420700800900", "nope")).0, "sms.numbers[0].queue");
        let persistent =
            "[[widgets]]\nid = \"account\"\nqueue = \"general\"\nmode = \"persistent\"\n";
        let (at, problem) = key(persistent);
        assert_eq!(at, "widgets[0].customer_key");
        assert!(problem.contains("32 characters"), "{problem}");
        let bot = "[workstreams.chat]\nbot = \"localhost:5005\"\n";
        assert_eq!(key(bot).0, "workstreams.chat.bot");
    }

    #[test]
    fn the_demo_configuration_is_valid() {
        let demo = include_str!("../examples/demo.toml");
        let config = Config::parse(demo).unwrap();
        assert_eq!(config.contacts.default_region, Some("CZ".parse().unwrap()));
        // Every channel and mode is there to try.
        assert!(config.widgets.iter().any(|w| config.is_persistent(w)));
        assert!(config.widgets.iter().any(|w| w.proactive));
        assert!(config.queues.iter().any(|q| q.escalation));
        assert!(config.sms.is_some_and(|sms| !sms.numbers.is_empty()));
        assert!(config.facebook.is_some_and(|fb| !fb.pages.is_empty()));
    }
}
