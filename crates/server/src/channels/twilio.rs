//! SMS through a Twilio-compatible provider: the inbound webhook with its signature, and
//! sending replies through the provider's Messages API.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::{DeliveryError, courier};
use crate::config::SmsConfig;
use crate::routing::Outbound;

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

/// Sends an agent's reply through the Messages API; with files (fetched by the provider from
/// `media`), as MMS.
pub async fn send(
    http: &reqwest::Client,
    sms: &SmsConfig,
    message: &Outbound,
    media: &[String],
) -> Result<(), DeliveryError> {
    let url = format!(
        "{}/2010-04-01/Accounts/{}/Messages.json",
        sms.api_base.trim_end_matches('/'),
        sms.account_sid
    );
    let mut form = vec![
        ("To", message.address.customer.as_str()),
        ("From", message.address.ours.as_str()),
    ];
    // A message of files only has no body.
    if !message.text.is_empty() {
        form.push(("Body", message.text.as_str()));
    }
    form.extend(media.iter().map(|url| ("MediaUrl", url.as_str())));
    let request = http
        .post(url)
        .basic_auth(&sms.account_sid, Some(&sms.auth_token))
        .form(&form);
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
