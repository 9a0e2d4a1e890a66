//! Facebook Messenger: the webhook's verification handshake, its signed notifications (messages,
//! deliveries, reads), and replies through the Send API.

use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use super::{DeliveryError, courier};
use crate::config::FacebookConfig;
use crate::routing::{ChannelAddress, Outbound};

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

/// The Send API calls a reply takes: its text, then each of its files (Messenger carries text
/// and an attachment in separate messages).
pub fn parts(message: &Outbound) -> usize {
    usize::from(!message.text.is_empty()) + message.files.len()
}

/// Sends part `part` of an agent's reply (of [`parts`]) through the Send API: a standard reply
/// within 24 hours of the customer's last message, after that one tagged as a human agent's.
/// A file goes as an attachment the platform fetches from its link in `links`.
pub async fn send(
    http: &reqwest::Client,
    facebook: &FacebookConfig,
    message: &Outbound,
    links: &[String],
    part: usize,
) -> Result<(), DeliveryError> {
    let file = part.checked_sub(usize::from(!message.text.is_empty()));
    let content = match file {
        None => json!({ "text": message.text }),
        Some(index) => {
            let kind = attachment_type(&message.files[index].content_type);
            json!({ "attachment": { "type": kind, "payload": { "url": links[index], "is_reusable": false } } })
        }
    };
    let mut body = json!({
        "recipient": { "id": message.address.customer },
        "messaging_type": "RESPONSE",
        "message": content,
    });
    if message.human_agent {
        body["messaging_type"] = json!("MESSAGE_TAG");
        body["tag"] = json!("HUMAN_AGENT");
    }
    post_as_page(http, facebook, &message.address.ours, &body).await
}

/// Messenger's kind of attachment for a file of `content_type`.
fn attachment_type(content_type: &str) -> &'static str {
    match content_type.split('/').next() {
        Some("image") => "image",
        Some("audio") => "audio",
        Some("video") => "video",
        _ => "file",
    }
}

/// Shows the customer that the page is typing (`typing_on`), or not any more (`typing_off`).
pub async fn sender_action(
    http: &reqwest::Client,
    facebook: &FacebookConfig,
    address: &ChannelAddress,
    typing: bool,
) -> Result<(), DeliveryError> {
    let action = if typing { "typing_on" } else { "typing_off" };
    let body = json!({ "recipient": { "id": address.customer }, "sender_action": action });
    post_as_page(http, facebook, &address.ours, &body).await
}

/// Posts `body` to the Send API as page `page`, with its token.
async fn post_as_page(
    http: &reqwest::Client,
    facebook: &FacebookConfig,
    page: &str,
    body: &serde_json::Value,
) -> Result<(), DeliveryError> {
    let page = facebook.page(page).ok_or(DeliveryError {
        reason: format!("page {page} is no longer configured"),
        transient: false,
    })?;
    let request = http
        .post(format!(
            "{}/me/messages",
            facebook.graph_base.trim_end_matches('/')
        ))
        // The token in a header, never in a URL that proxies and error messages repeat.
        .bearer_auth(&page.access_token)
        .json(body);
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
