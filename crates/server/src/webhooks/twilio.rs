//! `POST /webhooks/sms/twilio`: a customer's SMS through a Twilio-compatible provider, its
//! signature checked over the full URL and every parameter before anything is read.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use switchboard_protocol::{Attachment, Channel};

use super::{plain, refusal_response};
use crate::app::App;
use crate::channels::twilio::is_signed;
use crate::config::SmsConfig;
use crate::phone::{Region, normalise_phone};
use crate::routing::{ChannelAddress, Inbound};
use crate::store::Store;

pub const WEBHOOK_PATH: &str = "/webhooks/sms/twilio";

/// The provider's answer that acknowledges a message without replying to it.
const EMPTY_TWIML: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Response/>"#;

/// Media a message may carry, as the provider numbers them.
const MAX_MEDIA: usize = 10;

/// `POST /webhooks/sms/twilio`: a customer's SMS. Answered once the message is stored, so that
/// the provider retries anything not acknowledged; a retry is recognised by its `MessageSid`.
pub async fn webhook<S: Store>(
    State(app): State<Arc<App<S>>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(sms) = &app.config().sms else {
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
    let inbound = match read_message(sms, &params, app.config().contacts.default_region) {
        Ok(inbound) => inbound,
        Err((status, problem)) => return plain(status, &problem),
    };
    match app.hub.inbound(inbound).await {
        Ok(_) => ([(header::CONTENT_TYPE, "text/xml")], EMPTY_TWIML).into_response(),
        Err(refusal) => refusal_response(refusal),
    }
}

/// The message a webhook call carries. Fields beyond those read here come and go: they are
/// signed, but not needed.
fn read_message(
    sms: &SmsConfig,
    params: &[(String, String)],
    region: Option<Region>,
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
                file: None,
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
