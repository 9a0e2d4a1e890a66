//! The server's configuration: one TOML file, validated at start. Every error names the file,
//! the key and the problem.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use switchboard_protocol::FileLimits;
use switchboard_protocol::agent::{DesktopProfile, QueueSummary, Role};
use switchboard_protocol::template::Template;
use switchboard_protocol::{Channel, QueueId};

mod accounts;
mod attachments;
mod desktop;
mod event_webhooks;
mod facebook;
mod limits;
mod overlay;
mod reports;
mod server;
mod sms;
mod store;
mod templates;

pub use templates::validate as check_templates;
mod widgets;
mod workstreams;

pub use accounts::AccountFields;
pub use attachments::{AttachmentsSection, RECOGNISED_TYPES};
pub use desktop::{DesktopSection, NotificationChoice};
pub use event_webhooks::{EVENT_TYPES, EventWebhook};
pub use facebook::{FacebookConfig, FacebookPage};
pub use limits::LimitsSection;
pub use overlay::Overlay;
pub use reports::ReportsSection;
pub use server::{ContactsSection, PrivacySection, ServerSection};
pub use sms::{SmsConfig, SmsNumber};
pub use store::{Backend, Durability, StoreSection};
pub use widgets::{Audience, InvitationRules, WidgetConfig};
pub use workstreams::{IfAgentOffline, Mode, Workstream, Workstreams};

/// What is wrong in a configuration: the key at fault, as a path (`queues[1].id`; `line 3` where
/// the text itself could not be read; `(file)` when the file could not be), and the problem.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {problem}")]
pub struct ConfigProblem {
    pub key: String,
    pub problem: String,
}

impl ConfigProblem {
    pub fn new(key: impl Into<String>, problem: impl Into<String>) -> ConfigProblem {
        ConfigProblem {
            key: key.into(),
            problem: problem.into(),
        }
    }
}

/// A configuration file that could not be used, and why.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {problem}")]
pub struct ConfigError {
    pub file: PathBuf,
    pub problem: ConfigProblem,
}

/// The configuration, as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub server: ServerSection,
    #[serde(default)]
    pub limits: LimitsSection,
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
    #[serde(default)]
    pub privacy: PrivacySection,
    #[serde(default)]
    pub store: StoreSection,
    /// SMS through a Twilio-compatible provider; off without the section.
    #[serde(default)]
    pub sms: Option<SmsConfig>,
    /// Facebook Messenger; off without the section.
    #[serde(default)]
    pub facebook: Option<FacebookConfig>,
    /// Files customers and agents send.
    #[serde(default)]
    pub attachments: AttachmentsSection,
    /// Message templates agents insert in the composer.
    #[serde(default)]
    pub templates: Vec<Template>,
    #[serde(default)]
    pub reports: ReportsSection,
    /// Endpoints that receive signed events of what happens.
    #[serde(default)]
    pub event_webhooks: Vec<EventWebhook>,
    /// Agents created on first start if absent. For demonstrations only: the passwords are in
    /// the file.
    #[serde(default)]
    pub demo_agents: Vec<DemoAgent>,
    /// The file it was loaded from, if any: read again on `SIGHUP`.
    #[serde(skip)]
    pub source: Option<PathBuf>,
}

#[derive(Clone, Debug, PartialEq, Deserialize, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueConfig {
    pub id: QueueId,
    pub name: String,
    /// Agents may escalate conversations to it (supervisors, specialists).
    #[serde(default)]
    pub escalation: bool,
    /// The service-level target: a conversation answered within this many seconds counts as
    /// answered in time (the live view's service level).
    #[serde(default = "default_service_target")]
    pub service_target_seconds: u32,
}

/// Names, ids and reasons are read by people on their screens and in the audit log: a control
/// character (a NUL, an escape sequence) has no place in one, and PostgreSQL stores no NUL in text.
const CONTROL_CHARACTERS: &str = "must not contain control characters";

fn has_control_characters(text: &str) -> bool {
    text.chars().any(char::is_control)
}

fn default_service_target() -> u32 {
    20
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
#[serde(deny_unknown_fields)]
pub struct DemoAgent {
    pub email: String,
    pub name: String,
    pub password: String,
    pub queues: Vec<QueueId>,
    #[serde(default)]
    pub role: Role,
}

impl Config {
    /// Reads and validates the configuration at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let error = |problem| ConfigError {
            file: path.to_owned(),
            problem,
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| error(ConfigProblem::new("(file)", e.to_string())))?;
        let mut config = Config::parse(&text).map_err(error)?;
        let base = path.parent().unwrap_or(Path::new("."));
        if config.server.data_dir.is_relative() {
            config.server.data_dir = base.join(&config.server.data_dir);
        }
        if let Some(dir) = &mut config.attachments.dir
            && dir.is_relative()
        {
            *dir = base.join(&*dir);
        }
        config.source = Some(path.to_owned());
        Ok(config)
    }

    /// Parses and validates configuration text.
    pub fn parse(text: &str) -> Result<Config, ConfigProblem> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let key = e.span().map_or("(file)".to_owned(), |span| {
                let line = text[..span.start].lines().count().max(1);
                format!("line {line}")
            });
            ConfigProblem::new(key, e.message())
        })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigProblem> {
        let fail = |key: String, problem: &str| Err(ConfigProblem::new(key, problem));
        if self.queues.is_empty() {
            return fail("queues".into(), "at least one queue is needed");
        }
        let mut ids = HashSet::new();
        for (i, queue) in self.queues.iter().enumerate() {
            if queue.id.0.trim().is_empty() {
                return fail(format!("queues[{i}].id"), "must not be empty");
            }
            for (key, text) in [("id", &queue.id.0), ("name", &queue.name)] {
                if has_control_characters(text) {
                    return fail(format!("queues[{i}].{key}"), CONTROL_CHARACTERS);
                }
            }
            if !ids.insert(&queue.id) {
                return fail(
                    format!("queues[{i}].id"),
                    &format!("duplicate queue id {:?}", queue.id.0),
                );
            }
            if !(1..=3600).contains(&queue.service_target_seconds) {
                return fail(
                    format!("queues[{i}].service_target_seconds"),
                    "must be between 1 and 3600 seconds",
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
            if let Some(i) = list
                .iter()
                .position(|reason| has_control_characters(reason))
            {
                return fail(format!("{key}[{i}]"), CONTROL_CHARACTERS);
            }
        }
        if self.server.ping_seconds == 0 {
            return fail("server.ping_seconds".into(), "must be at least 1");
        }
        if self.server.worker_threads == Some(0) {
            return fail("server.worker_threads".into(), "must be at least 1");
        }
        self.limits.validate()?;
        self.desktop.validate()?;
        self.store.validate()?;
        self.attachments.validate()?;
        if self.server.session_hours == 0 {
            return fail("server.session_hours".into(), "must be at least 1");
        }
        let mut widget_ids = HashSet::new();
        for (i, widget) in self.widgets.iter().enumerate() {
            if widget.id.trim().is_empty() {
                return fail(format!("widgets[{i}].id"), "must not be empty");
            }
            if has_control_characters(&widget.id) {
                return fail(format!("widgets[{i}].id"), CONTROL_CHARACTERS);
            }
            if !widget_ids.insert(&widget.id) {
                return fail(
                    format!("widgets[{i}].id"),
                    &format!("duplicate widget id {:?}", widget.id),
                );
            }
            if !ids.contains(&widget.queue) {
                return fail(
                    format!("widgets[{i}].queue"),
                    &format!("no queue {:?}", widget.queue.0),
                );
            }
            for (j, origin) in widget.allowed_origins.iter().enumerate() {
                widgets::check_origin(origin).map_err(|problem| {
                    ConfigProblem::new(format!("widgets[{i}].allowed_origins[{j}]"), problem)
                })?;
            }
            if let Some(invitation) = &widget.invitation {
                invitation.validate().map_err(|problem| {
                    ConfigProblem::new(format!("widgets[{i}].invitation"), problem)
                })?;
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
        templates::validate(&self.templates, |queue| ids.contains(queue))?;
        self.reports.validate()?;
        event_webhooks::validate(&self.event_webhooks)?;
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

    /// A queue's service-level target in seconds (the default for one no longer configured).
    pub fn service_target_seconds(&self, id: &QueueId) -> u32 {
        self.queue(id)
            .map_or_else(default_service_target, |queue| queue.service_target_seconds)
    }

    /// A queue as agents see it; one no longer configured keeps its id as its name.
    pub fn queue_summary(&self, id: &QueueId) -> QueueSummary {
        let queue = self.queue(id);
        QueueSummary {
            id: id.clone(),
            name: queue.map_or_else(|| id.0.clone(), |queue| queue.name.clone()),
            escalation: queue.is_some_and(|queue| queue.escalation),
        }
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
            templates: self.templates.clone(),
            files: FileLimits {
                max_bytes: self.attachments.max_bytes,
                types: self.attachments.types.clone(),
                channels: self.file_channels(),
            },
        }
    }

    /// The channels agents' files reach customers on: web chats always; SMS (as MMS) and
    /// Messenger when their providers can fetch them (`[attachments] public_url`).
    pub fn file_channels(&self) -> Vec<Channel> {
        let public = self.attachments.public_url.is_some();
        let mut channels = vec![Channel::Chat];
        if public && self.sms.is_some() {
            channels.push(Channel::Sms);
        }
        if public && self.facebook.is_some() {
            channels.push(Channel::Facebook);
        }
        channels
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
        assert_eq!(config.store.durability, Durability::Power);
        assert!(!config.privacy.store_payment_data);
        let process = Config::parse(&format!("{MINIMAL}\n[store]\ndurability = \"process\"\n"));
        assert_eq!(process.unwrap().store.durability, Durability::Process);
        let wrong = Config::parse(&format!("{MINIMAL}\n[store]\ndurability = \"disk\"\n"));
        assert!(wrong.unwrap_err().problem.contains("unknown variant"));
    }

    #[test]
    fn worker_threads_leave_a_core_unless_configured_and_are_never_zero() {
        let cores = std::thread::available_parallelism().unwrap().get();
        let default = Config::parse(MINIMAL).unwrap().server.worker_threads();
        assert_eq!(default, (cores - 1).max(1));
        let three = Config::parse(&format!("{MINIMAL}\n[server]\nworker_threads = 3\n"));
        assert_eq!(three.unwrap().server.worker_threads(), 3);
        let none = Config::parse(&format!("{MINIMAL}\n[server]\nworker_threads = 0\n"));
        assert_eq!(none.unwrap_err().key, "server.worker_threads");
    }

    #[test]
    fn attachments_take_images_pdf_and_text_up_to_10_mb_and_only_types_read_from_content() {
        let config = Config::parse(MINIMAL).unwrap();
        assert_eq!(config.attachments.max_bytes, 10 * 1024 * 1024);
        assert!(config.attachments.takes("image/png") && config.attachments.takes("text/plain"));
        assert!(!config.attachments.takes("video/mp4"));
        let svg = format!("{MINIMAL}\n[attachments]\ntypes = [\"image/png\", \"image/svg+xml\"]\n");
        let ConfigProblem { key, problem } = Config::parse(&svg).unwrap_err();
        assert_eq!(key, "attachments.types[1]");
        assert!(problem.contains("cannot be recognised"), "{problem}");
        let empty = format!("{MINIMAL}\n[attachments]\nmax_bytes = 0\n");
        assert_eq!(
            Config::parse(&empty).unwrap_err().key,
            "attachments.max_bytes"
        );
        // Without a public address, agents' files reach web chats only.
        assert_eq!(config.file_channels(), [Channel::Chat]);
        let public =
            format!("{MINIMAL}\n[attachments]\npublic_url = \"https://cc.example.com/\"\n");
        let public = Config::parse(&public).unwrap();
        assert_eq!(
            public
                .attachments
                .public_link("/api/v1/files/f1?signature=s"),
            Some("https://cc.example.com/api/v1/files/f1?signature=s".into())
        );
        for wrong in [
            "cc.example.com",
            "ftp://cc.example.com",
            "https://cc.example.com/?a=1",
        ] {
            let text = format!("{MINIMAL}\n[attachments]\npublic_url = \"{wrong}\"\n");
            assert_eq!(
                Config::parse(&text).unwrap_err().key,
                "attachments.public_url"
            );
        }
    }

    #[test]
    fn errors_name_the_key_and_the_problem() {
        let duplicate = format!("{MINIMAL}\n[[queues]]\nid = \"general\"\nname = \"Again\"\n");
        assert_eq!(
            Config::parse(&duplicate).unwrap_err(),
            ConfigProblem::new("queues[1].id", "duplicate queue id \"general\"")
        );
        let widget = format!("{MINIMAL}\n[[widgets]]\nid = \"site\"\nqueue = \"nope\"\n");
        assert_eq!(Config::parse(&widget).unwrap_err().key, "widgets[0].queue");
        let timeout = format!("{MINIMAL}\n[workstreams.chat]\noffer_timeout_seconds = 0\n");
        assert_eq!(
            Config::parse(&timeout).unwrap_err().key,
            "workstreams.chat.offer_timeout_seconds"
        );
        assert_eq!(
            Config::parse(MINIMAL).unwrap().queues[0].service_target_seconds,
            20
        );
        let target = MINIMAL.replace(
            "name = \"General\"",
            "name = \"General\"\nservice_target_seconds = 0",
        );
        assert_eq!(
            Config::parse(&target).unwrap_err().key,
            "queues[0].service_target_seconds"
        );
        let ConfigProblem { key, problem } =
            Config::parse(&format!("{MINIMAL}\ncolour = \"red\"\n")).unwrap_err();
        assert!(key.starts_with("line "), "{key}");
        assert!(problem.contains("unknown field"), "{problem}");
        let region = format!("{MINIMAL}\n[contacts]\ndefault_region = \"XX\"\n");
        let ConfigProblem { key, problem } = Config::parse(&region).unwrap_err();
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
        let ConfigProblem { key: at, problem } = key(&sms("700 800 900", "general"));
        assert_eq!(at, "sms.numbers[0].number");
        assert!(problem.contains("E.164"), "{problem}");
        assert_eq!(
            key(&sms("+420700800900", "nope")).key,
            "sms.numbers[0].queue"
        );
        let survey = |question: &str| {
            sms("+420700800900", "general").replace(
                "[[sms.numbers]]",
                &format!("survey = \"{question}\"\n[[sms.numbers]]"),
            )
        };
        assert!(Config::parse(&format!("{MINIMAL}\n{}", survey("How did we do? 1-5"))).is_ok());
        assert_eq!(key(&survey(" ")).key, "sms.survey");
        assert_eq!(key(&survey(&"?".repeat(161))).key, "sms.survey");
        let persistent =
            "[[widgets]]\nid = \"account\"\nqueue = \"general\"\nmode = \"persistent\"\n";
        let ConfigProblem { key: at, problem } = key(persistent);
        assert_eq!(at, "widgets[0].customer_key");
        assert!(problem.contains("32 characters"), "{problem}");
        let bot = "[workstreams.chat]\nbot = \"localhost:5005\"\n";
        assert_eq!(key(bot).key, "workstreams.chat.bot");
        let origins = "[[widgets]]\nid = \"w\"\nqueue = \"general\"\nallowed_origins = [\"https://shop.example.com\", \"shop.example.com/page\"]\n";
        let ConfigProblem { key: at, problem } = key(origins);
        assert_eq!(at, "widgets[0].allowed_origins[1]");
        assert!(problem.contains("not an origin"), "{problem}");
    }

    #[test]
    fn templates_are_checked_in_every_language() {
        let template = |fields: &str| {
            Config::parse(&format!(
                "{MINIMAL}\n[[templates]]\nname = \"Greeting\"\n{fields}\n"
            ))
        };
        assert!(template("shortcut = \"hi\"\ntext = \"Hello <customer.first_name>\"").is_ok());
        let problem = |fields: &str| template(fields).unwrap_err();
        let unknown = problem("shortcut = \"hi\"\ntext = \"Hello <customer.shoe_size>\"");
        assert_eq!(unknown.key, "templates[0].text");
        assert!(
            unknown.problem.contains("<customer.shoe_size>"),
            "{}",
            unknown.problem
        );
        let translated =
            problem("shortcut = \"hi\"\ntext = \"Hello\"\ntranslations = { cs = \"Ahoj <b>\" }");
        assert_eq!(translated.key, "templates[0].translations.cs");
        assert_eq!(
            problem("shortcut = \"h i\"\ntext = \"Hello\"").key,
            "templates[0].shortcut"
        );
        assert_eq!(
            problem("shortcut = \"hi\"\ntext = \"Hello\"\nqueues = [\"nope\"]").key,
            "templates[0].queues"
        );
    }

    #[test]
    fn the_demo_configuration_is_valid() {
        let demo = include_str!("../../examples/demo.toml");
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
