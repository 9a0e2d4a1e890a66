//! Messenger customers' names, from the Graph API's user profile: a customer no contact knows
//! would otherwise reach the agent as "Messenger customer". Asked once per customer and page,
//! briefly, since the webhook call waits; a name that cannot be had is no reason to refuse the
//! message.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use serde::Deserialize;

use crate::config::FacebookConfig;
use crate::routing::ChannelAddress;

const LOOKUP_TIMEOUT: Duration = Duration::from_secs(2);
/// Forgotten all at once past this many: a bound, not a cache policy worth more code.
const REMEMBERED: usize = 10_000;
const MAX_NAME_CHARS: usize = 100;

#[derive(Debug, Default)]
pub struct FacebookNames {
    http: reqwest::Client,
    /// Page-scoped customer ids are only unique within their page: keyed by both.
    known: Mutex<HashMap<(String, String), String>>,
}

#[derive(Debug, Deserialize)]
struct Profile {
    first_name: Option<String>,
    last_name: Option<String>,
}

impl FacebookNames {
    /// The customer's name as their profile gives it, if the page may read it.
    pub async fn name(
        &self,
        facebook: &FacebookConfig,
        address: &ChannelAddress,
    ) -> Option<String> {
        let key = (address.ours.clone(), address.customer.clone());
        if let Some(name) = self.known.lock().expect("not poisoned").get(&key) {
            return Some(name.clone());
        }
        let page = facebook.page(&address.ours)?;
        let asked = self
            .http
            .get(format!(
                "{}/{}",
                facebook.graph_base.trim_end_matches('/'),
                address.customer
            ))
            .query(&[("fields", "first_name,last_name")])
            // The token in a header, never in a URL that proxies and error messages repeat.
            .bearer_auth(&page.access_token)
            .timeout(LOOKUP_TIMEOUT)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status);
        let profile: Profile = match asked {
            Ok(response) => response.json().await.ok()?,
            Err(error) => {
                tracing::debug!(%error, customer = %address.customer, "a Messenger profile could not be read");
                return None;
            }
        };
        let name = [profile.first_name, profile.last_name]
            .into_iter()
            .flatten()
            .map(|part| part.trim().to_owned())
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if name.is_empty() {
            return None;
        }
        let name: String = name.chars().take(MAX_NAME_CHARS).collect();
        let mut known = self.known.lock().expect("not poisoned");
        if known.len() >= REMEMBERED {
            known.clear();
        }
        known.insert(key, name.clone());
        Some(name)
    }
}
