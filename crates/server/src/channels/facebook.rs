//! Facebook Messenger: the webhook's verification handshake, its signed notifications (messages,
//! deliveries, reads), and replies through the Send API.

use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use super::{DeliveryError, courier};
use crate::config::FacebookConfig;
use crate::routing::Outbound;

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
        // The token in a header, never in a URL that proxies and error messages repeat.
        .bearer_auth(&page.access_token)
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
