//! `/webhooks/facebook`: Messenger's verification handshake (`GET`) and its signed
//! notifications (`POST`: messages, deliveries, reads), the signature checked over the raw body
//! before anything is read.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use switchboard_protocol::{Attachment, Channel, Millis};

use super::refusal_response;
use crate::app::App;
use crate::channels::facebook::is_signed;
use crate::config::FacebookConfig;
use crate::routing::{ChannelAddress, ContactKey, Inbound, Receipt};
use crate::store::Store;

pub const WEBHOOK_PATH: &str = "/webhooks/facebook";

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
    let Some(facebook) = &app.config().facebook else {
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
    /// Read one by one: an item this server cannot read is skipped, not the whole batch (which
    /// Messenger would send again and again).
    #[serde(default)]
    messaging: Vec<serde_json::Value>,
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
    let Some(facebook) = &app.config().facebook else {
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
            return refusal_response(refusal);
        }
    }
    for receipt in receipts {
        app.hub.receipt(Channel::Facebook, receipt).await;
    }
    StatusCode::OK.into_response()
}

/// The messages and receipts of a notification, or what is wrong with it: all of it is read
/// before any of it is stored. An item that cannot be used (unreadable, for a page this server
/// does not serve, a message it would refuse) is logged and skipped; the others go on.
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
    for item in notification
        .entry
        .into_iter()
        .flat_map(|entry| entry.messaging)
    {
        let messaging: Messaging = match serde_json::from_value(item) {
            Ok(messaging) => messaging,
            Err(error) => {
                tracing::warn!(%error, "skipped an unreadable item of a Messenger notification");
                continue;
            }
        };
        let echo = messaging.message.as_ref().is_some_and(|m| m.is_echo);
        // An echo is sent by the page: the customer is its recipient.
        let (customer, page_id) = if echo {
            (messaging.recipient.id, messaging.sender.id)
        } else {
            (messaging.sender.id, messaging.recipient.id)
        };
        let Some(page) = facebook.page(&page_id) else {
            tracing::warn!(page = %page_id, "skipped a Messenger item for a page not configured here");
            continue;
        };
        let address = ChannelAddress {
            customer,
            ours: page_id,
        };
        if let Some(message) = messaging.message.filter(|message| !message.is_echo) {
            let inbound = Inbound {
                channel: Channel::Facebook,
                provider_id: message.mid,
                address: address.clone(),
                queue: page.queue.clone(),
                text: message.text,
                attachments: attachments(message.attachments),
                customer_name: None,
            };
            match inbound.check() {
                Ok(()) => messages.push(inbound),
                Err(refused) => tracing::warn!(
                    mid = %inbound.provider_id,
                    code = ?refused.code,
                    "skipped a Messenger message this server refuses"
                ),
            }
        }
        if let Some(delivery) = messaging.delivery {
            receipts.push(Receipt::Delivered(address.clone(), delivery.watermark));
        }
        if let Some(read) = messaging.read {
            receipts.push(Receipt::Read(address, read.watermark));
        }
    }
    Ok((messages, receipts))
}

/// The files of a message, as links where Messenger keeps them.
fn attachments(attachments: Vec<MessageAttachment>) -> Vec<Attachment> {
    attachments
        .into_iter()
        .filter_map(|attachment| {
            Some(Attachment {
                url: attachment.payload?.url?,
                content_type: Some(attachment.kind),
                file: None,
            })
        })
        .collect()
}
