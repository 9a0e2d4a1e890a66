//! `[[event_webhooks]]`: the endpoints that receive signed events of what happens — each with
//! its name, address, signing secret and the event types it wants.

use base64::Engine;
use serde::Deserialize;

use super::ConfigProblem;

/// Every event type an endpoint may receive.
pub const EVENT_TYPES: &[&str] = &[
    "conversation.started",
    "conversation.offered",
    "conversation.accepted",
    "conversation.rejected",
    "conversation.offer_expired",
    "conversation.abandoned",
    "conversation.transferred",
    "conversation.escalated",
    "conversation.ended",
    "conversation.wrapped_up",
    "message.created",
    "survey.answered",
    "agent.presence_changed",
];

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventWebhook {
    /// Names the endpoint in logs and metrics, and keeps its place in the event stream: renaming
    /// an endpoint starts it afresh from the next event.
    pub name: String,
    pub url: String,
    /// `whsec_` and 24 to 64 random bytes in base64, as Standard Webhooks libraries take it.
    pub secret: String,
    /// The event types it receives; every type when left out.
    #[serde(default)]
    pub events: Option<Vec<String>>,
}

impl EventWebhook {
    pub fn wants(&self, event_type: &str) -> bool {
        self.events
            .as_ref()
            .is_none_or(|wanted| wanted.iter().any(|kind| kind == event_type))
    }

    /// The key the secret stands for.
    pub fn key(&self) -> Vec<u8> {
        signing_key(&self.secret).expect("validated")
    }
}

fn signing_key(secret: &str) -> Option<Vec<u8>> {
    let encoded = secret.strip_prefix("whsec_")?;
    let key = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    (24..=64).contains(&key.len()).then_some(key)
}

pub(super) fn validate(endpoints: &[EventWebhook]) -> Result<(), ConfigProblem> {
    let mut names = std::collections::HashSet::new();
    for (i, endpoint) in endpoints.iter().enumerate() {
        let fail = |key: &str, problem: String| {
            Err(ConfigProblem::new(
                format!("event_webhooks[{i}].{key}"),
                problem,
            ))
        };
        let fine = |c: char| c.is_ascii_alphanumeric() || "-_.".contains(c);
        if endpoint.name.is_empty() || endpoint.name.len() > 64 || !endpoint.name.chars().all(fine)
        {
            return fail("name", "1 to 64 letters, digits, '-', '_' or '.'".into());
        }
        if !names.insert(&endpoint.name) {
            return fail("name", format!("duplicate endpoint {:?}", endpoint.name));
        }
        if url::Url::parse(&endpoint.url)
            .ok()
            .is_none_or(|url| !matches!(url.scheme(), "http" | "https") || !url.has_host())
        {
            return fail("url", format!("“{}” is not an http(s) URL", endpoint.url));
        }
        if signing_key(&endpoint.secret).is_none() {
            return fail(
                "secret",
                "must be whsec_ and 24 to 64 random bytes in base64 (whsec_$(openssl rand -base64 32))"
                    .into(),
            );
        }
        for (j, kind) in endpoint.events.iter().flatten().enumerate() {
            if !EVENT_TYPES.contains(&kind.as_str()) {
                return fail(
                    &format!("events[{j}]"),
                    format!("“{kind}” is not an event type: {}", EVENT_TYPES.join(", ")),
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(secret: &str, events: Option<Vec<&str>>) -> EventWebhook {
        EventWebhook {
            name: "crm".into(),
            url: "https://crm.example.com/hooks".into(),
            secret: secret.into(),
            events: events.map(|kinds| kinds.into_iter().map(String::from).collect()),
        }
    }

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    #[test]
    fn an_endpoint_needs_a_standard_secret_an_address_and_known_events() {
        assert_eq!(validate(&[endpoint(SECRET, None)]), Ok(()));
        let problem = |endpoint| validate(&[endpoint]).unwrap_err().key;
        assert_eq!(
            problem(endpoint("hunter2", None)),
            "event_webhooks[0].secret"
        );
        assert_eq!(
            problem(endpoint("whsec_c2hvcnQ=", None)),
            "event_webhooks[0].secret"
        );
        assert_eq!(
            problem(endpoint(
                SECRET,
                Some(vec!["message.created", "message.sent"])
            )),
            "event_webhooks[0].events[1]"
        );
        let mut no_address = endpoint(SECRET, None);
        no_address.url = "crm.example.com/hooks".into();
        assert_eq!(problem(no_address), "event_webhooks[0].url");
        let twice = validate(&[endpoint(SECRET, None), endpoint(SECRET, None)]);
        assert_eq!(twice.unwrap_err().key, "event_webhooks[1].name");
    }

    #[test]
    fn an_endpoint_receives_the_types_it_names_or_all() {
        assert!(endpoint(SECRET, None).wants("agent.presence_changed"));
        let only = endpoint(SECRET, Some(vec!["conversation.ended"]));
        assert!(only.wants("conversation.ended"));
        assert!(!only.wants("message.created"));
    }
}
