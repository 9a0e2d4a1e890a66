//! The `[sms]` section: the SMS provider's webhook address, credentials and API, and the numbers
//! customers write to with the queue of each.

use serde::Deserialize;
use switchboard_protocol::QueueId;

use super::ConfigProblem;
use crate::phone::normalise_phone;

/// The `[sms]` section of the configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsConfig {
    /// The webhook's address as the provider calls it (`https://…/webhooks/sms/twilio`): the
    /// provider signs it into every request.
    pub webhook_url: String,
    pub account_sid: String,
    pub auth_token: String,
    /// Where the Messages API is.
    #[serde(default = "default_api_base")]
    pub api_base: String,
    /// The numbers customers write to, each with the queue its conversations go to.
    pub numbers: Vec<SmsNumber>,
    /// A one-question satisfaction survey sent when an agent ends a conversation: the question,
    /// asking for a number from 1 to 5 in reply. None is sent when it is not set.
    #[serde(default)]
    pub survey: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsNumber {
    /// E.164, as the provider writes it: `+420…`.
    pub number: String,
    pub queue: QueueId,
}

fn default_api_base() -> String {
    "https://api.twilio.com".to_owned()
}

impl SmsConfig {
    /// Checks what a provider would otherwise reject much later.
    pub fn validate(&self, queue_exists: impl Fn(&QueueId) -> bool) -> Result<(), ConfigProblem> {
        let fail =
            |key: &str, problem: String| Err(ConfigProblem::new(format!("sms.{key}"), problem));
        for (key, value) in [
            ("webhook_url", &self.webhook_url),
            ("api_base", &self.api_base),
        ] {
            if !(value.starts_with("https://") || value.starts_with("http://")) {
                return fail(key, format!("“{value}” is not an http(s) URL"));
            }
        }
        if self.account_sid.trim().is_empty() || self.auth_token.trim().is_empty() {
            return fail(
                "auth_token",
                "the account SID and auth token are needed".into(),
            );
        }
        if self.numbers.is_empty() {
            return fail("numbers", "at least one number is needed".into());
        }
        for (i, number) in self.numbers.iter().enumerate() {
            if normalise_phone(&number.number, None).ok().as_deref() != Some(&number.number) {
                let problem = format!("“{}” is not a number in E.164 form (+420…)", number.number);
                return fail(&format!("numbers[{i}].number"), problem);
            }
            if !queue_exists(&number.queue) {
                return fail(
                    &format!("numbers[{i}].queue"),
                    format!("no queue {:?}", number.queue.0),
                );
            }
        }
        if let Some(question) = &self.survey {
            let length = question.trim().chars().count();
            if !(1..=MAX_SMS_SURVEY_CHARS).contains(&length) {
                let problem = format!("the question takes 1 to {MAX_SMS_SURVEY_CHARS} characters");
                return fail("survey", problem);
            }
        }
        Ok(())
    }
}

/// A survey question fits one SMS.
const MAX_SMS_SURVEY_CHARS: usize = 160;

impl SmsConfig {
    pub fn queue_for(&self, number: &str) -> Option<&QueueId> {
        self.numbers
            .iter()
            .find(|configured| configured.number == number)
            .map(|configured| &configured.queue)
    }
}
