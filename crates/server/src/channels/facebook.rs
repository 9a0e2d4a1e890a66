//! Facebook Messenger: the webhook's verification handshake, its signed notifications (messages,
//! deliveries, reads), and replies through the Send API.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::json;
use sha2::Sha256;
use switchboard_protocol::{Attachment, Channel, Millis, QueueId};

use super::{DeliveryError, Inbound, Outbound, Receipt, courier};
use crate::app::App;
use crate::contacts::ContactKey;
use crate::store::{ChannelAddress, Store};

pub const WEBHOOK_PATH: &str = "/webhooks/facebook";

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
    /// An error is `(key, problem)`.
    pub fn validate(
        &self,
        queue_exists: impl Fn(&QueueId) -> bool,
    ) -> Result<(), (String, String)> {
        let fail = |key: &str, problem: String| Err((format!("facebook.{key}"), problem));
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

    pub(super) fn page(&self, id: &str) -> Option<&FacebookPage> {
        self.pages.iter().find(|page| page.id == id)
    }
}

fn not_configured() -> Response {
    (
        StatusCode::NOT_FOUND,
        "Messenger is not configured on this server.",
    )
        .into_response()
}

/// The handshake's query: `hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`.
#[derive(Debug, Deserialize)]
pub struct Handshake {
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    challenge: Option<String>,
}

/// `GET /webhooks/facebook`: answers the challenge when the verify token is right.
pub async fn verify<S: Store>(
    State(app): State<Arc<App<S>>>,
    Query(handshake): Query<Handshake>,
) -> Response {
    let Some(facebook) = &app.config.facebook else {
        return not_configured();
    };
    match handshake {
        Handshake {
            mode: Some(mode),
            verify_token: Some(token),
            challenge: Some(challenge),
        } if mode == "subscribe" && token == facebook.verify_token => challenge.into_response(),
        _ => (
            StatusCode::FORBIDDEN,
            "The verify token is missing or wrong.",
        )
            .into_response(),
    }
}

/// A webhook notification, as far as it is read: other fields come and go.
#[derive(Debug, Deserialize)]
struct Notification {
    object: String,
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
struct Entry {
    #[serde(default)]
    messaging: Vec<Messaging>,
}

#[derive(Debug, Deserialize)]
struct Messaging {
    sender: Party,
    recipient: Party,
    message: Option<Message>,
    delivery: Option<Watermark>,
    read: Option<Watermark>,
}

#[derive(Debug, Deserialize)]
struct Party {
    id: String,
}

#[derive(Debug, Deserialize)]
struct Message {
    mid: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    attachments: Vec<MessageAttachment>,
    /// The page's own messages come back as echoes.
    #[serde(default)]
    is_echo: bool,
}

#[derive(Debug, Deserialize)]
struct MessageAttachment {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    payload: Option<AttachmentPayload>,
}

#[derive(Debug, Deserialize)]
struct AttachmentPayload {
    url: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Watermark {
    watermark: Millis,
}

/// `POST /webhooks/facebook`: checks the signature over the bytes received, reads the whole
/// batch, then stores its messages and receipts; answered once they are stored. Redelivered
/// messages are recognised by their `mid`.
pub async fn webhook<S: Store>(
    State(app): State<Arc<App<S>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(facebook) = &app.config.facebook else {
        return not_configured();
    };
    let signature = headers
        .get("x-hub-signature-256")
        .and_then(|value| value.to_str().ok());
    if !signature.is_some_and(|signature| is_signed(&facebook.app_secret, &body, signature)) {
        tracing::warn!("a Messenger webhook call with a missing or wrong signature was refused");
        return (
            StatusCode::FORBIDDEN,
            "The X-Hub-Signature-256 header is missing or does not match the body.",
        )
            .into_response();
    }
    let (mut messages, receipts) = match read_notification(facebook, &body) {
        Ok(read) => read,
        Err(problem) => return (StatusCode::BAD_REQUEST, problem).into_response(),
    };
    for inbound in &mut messages {
        let contact = ContactKey::FacebookId(inbound.address.customer.clone());
        // A contact's name comes first: their profile is only asked for when no contact has it.
        if matches!(app.store.contact_by(&contact).await, Ok(None)) {
            inbound.customer_name = app.facebook_names.name(facebook, &inbound.address).await;
        }
    }
    for inbound in messages {
        if let Err(refusal) = app.hub.inbound(inbound).await {
            return courier::refusal_response(refusal);
        }
    }
    for receipt in receipts {
        app.hub.receipt(Channel::Facebook, receipt).await;
    }
    StatusCode::OK.into_response()
}

/// Whether `header` (`sha256=<hex>`) is the app secret's HMAC-SHA256 of `body`.
pub fn is_signed(app_secret: &str, body: &[u8], header: &str) -> bool {
    let Some(given) = header
        .strip_prefix("sha256=")
        .and_then(|hex| hex::decode(hex.trim()).ok())
    else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()).expect("any key length");
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

/// The messages and receipts of a notification, or what is wrong with it: all of it is read
/// before any of it is stored.
fn read_notification(
    facebook: &FacebookConfig,
    body: &[u8],
) -> Result<(Vec<Inbound>, Vec<Receipt>), String> {
    let notification: Notification = serde_json::from_slice(body)
        .map_err(|error| format!("The notification is not one this server reads: {error}."))?;
    if notification.object != "page" {
        return Err(format!(
            "Only page notifications are read; this one is for “{}”.",
            notification.object
        ));
    }
    let (mut messages, mut receipts) = (Vec::new(), Vec::new());
    for messaging in notification
        .entry
        .into_iter()
        .flat_map(|entry| entry.messaging)
    {
        let echo = messaging.message.as_ref().is_some_and(|m| m.is_echo);
        // An echo is sent by the page: the customer is its recipient.
        let (customer, page_id) = if echo {
            (messaging.recipient.id, messaging.sender.id)
        } else {
            (messaging.sender.id, messaging.recipient.id)
        };
        let page = facebook
            .page(&page_id)
            .ok_or_else(|| format!("Page {page_id} is not configured on this server."))?;
        let address = ChannelAddress {
            customer,
            ours: page_id,
        };
        if let Some(message) = messaging.message.filter(|message| !message.is_echo) {
            let attachments = message
                .attachments
                .into_iter()
                .filter_map(|attachment| {
                    Some(Attachment {
                        url: attachment.payload?.url?,
                        content_type: Some(attachment.kind),
                    })
                })
                .collect();
            messages.push(Inbound {
                channel: Channel::Facebook,
                provider_id: message.mid,
                address: address.clone(),
                queue: page.queue.clone(),
                text: message.text,
                attachments,
                customer_name: None,
            });
        }
        if let Some(delivery) = messaging.delivery {
            receipts.push(Receipt::Delivered(address.clone(), delivery.watermark));
        }
        if let Some(read) = messaging.read {
            receipts.push(Receipt::Read(address, read.watermark));
        }
    }
    if let Some(refused) = messages.iter().find_map(|message| message.check().err()) {
        return Err(refused.message);
    }
    Ok((messages, receipts))
}

/// Sends an agent's reply through the Send API: a standard reply within 24 hours of the
/// customer's last message, after that one tagged as a human agent's.
pub async fn send(
    http: &reqwest::Client,
    facebook: &FacebookConfig,
    message: &Outbound,
) -> Result<(), DeliveryError> {
    let page = facebook.page(&message.address.ours).ok_or(DeliveryError {
        reason: format!("page {} is no longer configured", message.address.ours),
        transient: false,
    })?;
    let mut body = json!({
        "recipient": { "id": message.address.customer },
        "messaging_type": "RESPONSE",
        "message": { "text": message.text },
    });
    if message.human_agent {
        body["messaging_type"] = json!("MESSAGE_TAG");
        body["tag"] = json!("HUMAN_AGENT");
    }
    let request = http
        .post(format!(
            "{}/me/messages",
            facebook.graph_base.trim_end_matches('/')
        ))
        .query(&[("access_token", &page.access_token)])
        .json(&body);
    courier::call_provider(request, "Messenger").await.map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_checked_over_the_exact_bytes() {
        let body = br#"{"object":"page","entry":[]}"#;
        let mut mac = Hmac::<Sha256>::new_from_slice(b"secret").unwrap();
        mac.update(body);
        let header = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        assert!(is_signed("secret", body, &header));
        assert!(!is_signed("other", body, &header));
        // The same JSON, spaced differently, is other bytes.
        assert!(!is_signed(
            "secret",
            br#"{"object": "page", "entry": []}"#,
            &header
        ));
        assert!(!is_signed(
            "secret",
            body,
            header.trim_start_matches("sha256=")
        ));
    }
}
