//! The `[facebook]` section: the Messenger webhook's verify token and app secret, the Graph API,
//! and the pages customers write to with the queue of each.

use serde::Deserialize;
use switchboard_protocol::QueueId;

use super::ConfigProblem;

/// The `[facebook]` section of the configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FacebookConfig {
    /// What the verification handshake must present: chosen when subscribing the webhook.
    pub verify_token: String,
    /// The app secret that signs every notification.
    pub app_secret: String,
    /// The Graph API, with its version.
    #[serde(default = "default_graph_base")]
    pub graph_base: String,
    pub pages: Vec<FacebookPage>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FacebookPage {
    pub id: String,
    /// The page access token the Send API needs.
    pub access_token: String,
    pub queue: QueueId,
}

fn default_graph_base() -> String {
    "https://graph.facebook.com/v21.0".to_owned()
}

impl FacebookConfig {
    pub fn validate(&self, queue_exists: impl Fn(&QueueId) -> bool) -> Result<(), ConfigProblem> {
        let fail = |key: &str, problem: String| {
            Err(ConfigProblem::new(format!("facebook.{key}"), problem))
        };
        if !(self.graph_base.starts_with("https://") || self.graph_base.starts_with("http://")) {
            return fail(
                "graph_base",
                format!("“{}” is not an http(s) URL", self.graph_base),
            );
        }
        for (key, value) in [
            ("verify_token", &self.verify_token),
            ("app_secret", &self.app_secret),
        ] {
            if value.trim().is_empty() {
                return fail(key, "must not be empty".into());
            }
        }
        if self.pages.is_empty() {
            return fail("pages", "at least one page is needed".into());
        }
        for (i, page) in self.pages.iter().enumerate() {
            if page.id.trim().is_empty() || page.access_token.trim().is_empty() {
                return fail(
                    &format!("pages[{i}]"),
                    "the page id and access token are needed".into(),
                );
            }
            if !queue_exists(&page.queue) {
                return fail(
                    &format!("pages[{i}].queue"),
                    format!("no queue {:?}", page.queue.0),
                );
            }
        }
        Ok(())
    }

    pub fn page(&self, id: &str) -> Option<&FacebookPage> {
        self.pages.iter().find(|page| page.id == id)
    }
}
