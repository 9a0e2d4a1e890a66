//! SMS through a Twilio-compatible provider: the inbound webhook with its signature, and
//! sending replies through the provider's Messages API.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha1::Sha1;
use switchboard_protocol::{Attachment, Channel, QueueId};

use super::{DeliveryError, Inbound, Outbound, courier};
use crate::app::App;
use crate::contacts::normalise_phone;
use crate::store::{ChannelAddress, Store};

pub const WEBHOOK_PATH: &str = "/webhooks/sms/twilio";

/// The provider's answer that acknowledges a message without replying to it.
const EMPTY_TWIML: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Response/>"#;

/// Media a message may carry, as the provider numbers them.
const MAX_MEDIA: usize = 10;

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
    /// Checks what a provider would otherwise reject much later; an error is `(key, problem)`.
    pub fn validate(
        &self,
        queue_exists: impl Fn(&QueueId) -> bool,
    ) -> Result<(), (String, String)> {
        let fail = |key: &str, problem: String| Err((format!("sms.{key}"), problem));
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
        Ok(())
    }

    fn queue_for(&self, number: &str) -> Option<&QueueId> {
        self.numbers
            .iter()
            .find(|configured| configured.number == number)
            .map(|configured| &configured.queue)
    }
}

/// The provider's signature of a request: HMAC-SHA1 with the auth token over the URL followed
/// by every posted parameter's name and value, sorted by name, in base 64.
pub fn signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    BASE64.encode(signing_mac(auth_token, url, params).finalize().into_bytes())
}

fn signing_mac(auth_token: &str, url: &str, params: &[(String, String)]) -> Hmac<Sha1> {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut mac = Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()).expect("any key length");
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    mac
}

/// Whether `given` is the signature of this request. As the provider's own validator does, the
/// URL is also tried with its default port written out and left out, since proxies differ.
pub fn is_signed(auth_token: &str, url: &str, params: &[(String, String)], given: &str) -> bool {
    let Ok(given) = BASE64.decode(given.trim()) else {
        return false;
    };
    url_variants(url).iter().any(|url| {
        signing_mac(auth_token, url, params)
            .verify_slice(&given)
            .is_ok()
    })
}

/// `url`, and `url` with its default port added or removed.
fn url_variants(url: &str) -> Vec<String> {
    let mut variants = vec![url.to_owned()];
    let Some((scheme, rest)) = url.split_once("://") else {
        return variants;
    };
    let default_port = match scheme {
        "https" => "443",
        "http" => "80",
        _ => return variants,
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once(':') {
        Some((host, port)) if port == default_port => {
            variants.push(format!("{scheme}://{host}{tail}"));
        }
        Some(_) => {}
        None => variants.push(format!("{scheme}://{authority}:{default_port}{tail}")),
    }
    variants
}

/// `POST /webhooks/sms/twilio`: a customer's SMS. Answered once the message is stored, so that
/// the provider retries anything not acknowledged; a retry is recognised by its `MessageSid`.
pub async fn webhook<S: Store>(
    State(app): State<Arc<App<S>>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(sms) = &app.config.sms else {
        return plain(
            StatusCode::NOT_FOUND,
            "SMS is not configured on this server.",
        );
    };
    let params: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let url = match uri.query() {
        Some(query) => format!("{}?{query}", sms.webhook_url),
        None => sms.webhook_url.clone(),
    };
    let given = headers
        .get("x-twilio-signature")
        .and_then(|value| value.to_str().ok());
    if !given.is_some_and(|given| is_signed(&sms.auth_token, &url, &params, given)) {
        tracing::warn!(%url, "an SMS webhook call with a missing or wrong signature was refused");
        return plain(
            StatusCode::FORBIDDEN,
            "The X-Twilio-Signature header is missing or does not match this request.",
        );
    }
    let inbound = match read_message(sms, &params, app.config.contacts.default_region) {
        Ok(inbound) => inbound,
        Err((status, problem)) => return plain(status, &problem),
    };
    match app.hub.inbound(inbound).await {
        Ok(_) => ([(header::CONTENT_TYPE, "text/xml")], EMPTY_TWIML).into_response(),
        Err(refusal) => courier::refusal_response(refusal),
    }
}

/// The message a webhook call carries. Fields beyond those read here come and go: they are
/// signed, but not needed.
fn read_message(
    sms: &SmsConfig,
    params: &[(String, String)],
    region: Option<crate::contacts::Region>,
) -> Result<Inbound, (StatusCode, String)> {
    let field = |name: &str| {
        params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    };
    let required = |name: &str| {
        field(name).filter(|value| !value.is_empty()).ok_or((
            StatusCode::BAD_REQUEST,
            format!("The request has no {name} field."),
        ))
    };
    let provider_id = required("MessageSid").or_else(|_| required("SmsMessageSid"))?;
    let to = required("To")?;
    let from = required("From")?;
    let queue = sms.queue_for(&to).cloned().ok_or((
        StatusCode::NOT_FOUND,
        format!("{to} is not one of this server's SMS numbers."),
    ))?;
    // Short codes and alphanumeric senders are not phone numbers: they stay as sent.
    let from = normalise_phone(&from, region).unwrap_or(from);
    let media = field("NumMedia")
        .and_then(|count| count.parse::<usize>().ok())
        .unwrap_or(0)
        .min(MAX_MEDIA);
    let attachments = (0..media)
        .filter_map(|i| {
            Some(Attachment {
                url: field(&format!("MediaUrl{i}"))?,
                content_type: field(&format!("MediaContentType{i}")),
            })
        })
        .collect();
    Ok(Inbound {
        channel: Channel::Sms,
        provider_id,
        address: ChannelAddress {
            customer: from,
            ours: to,
        },
        queue,
        text: field("Body").unwrap_or_default(),
        attachments,
        // The number is the name until a contact gives a better one.
        customer_name: None,
    })
}

fn plain(status: StatusCode, message: &str) -> Response {
    (status, message.to_owned()).into_response()
}

/// Sends an agent's reply through the Messages API.
pub async fn send(
    http: &reqwest::Client,
    sms: &SmsConfig,
    message: &Outbound,
) -> Result<(), DeliveryError> {
    let url = format!(
        "{}/2010-04-01/Accounts/{}/Messages.json",
        sms.api_base.trim_end_matches('/'),
        sms.account_sid
    );
    let request = http
        .post(url)
        .basic_auth(&sms.account_sid, Some(&sms.auth_token))
        .form(&[
            ("To", message.address.customer.as_str()),
            ("From", message.address.ours.as_str()),
            ("Body", message.text.as_str()),
        ]);
    courier::call_provider(request, "the SMS provider")
        .await
        .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The provider's own documented example.
    #[test]
    fn the_signature_matches_the_providers_known_answer() {
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        let params = params(&[
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+14158675309"),
            ("Digits", "1234"),
            ("From", "+14158675309"),
            ("To", "+18005551212"),
        ]);
        let expected = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
        assert_eq!(signature("12345", url, &params), expected);
        assert!(is_signed("12345", url, &params, expected));
        let with_port = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
        assert!(is_signed("12345", with_port, &params, expected));
        assert!(!is_signed("54321", url, &params, expected));
        let mut changed = params.clone();
        changed[2].1 = "1235".into();
        assert!(!is_signed("12345", url, &changed, expected));
        assert!(!is_signed("12345", url, &params, "not base 64!"));
    }
}
