//! Customer tokens for persistent chat: the site's back end signs a JWT (HS256, with the widget's
//! `customer_key`) naming the signed-in customer in `sub`, with an expiry; the widget passes it
//! on. Nothing else proves who a persistent-chat customer is.

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use switchboard_protocol::{ErrorBody, ErrorCode};

use crate::routing::SignedInCustomer;

/// The customer a token names, or why it does not count. With an `audience`, the token's `aud`
/// must name it.
pub fn verify(
    key: &str,
    audience: Option<&str>,
    token: Option<&str>,
) -> Result<SignedInCustomer, ErrorBody> {
    let refuse = |message: &str| Err(ErrorBody::new(ErrorCode::Unauthorized, message));
    let Some(token) = token.filter(|token| !token.trim().is_empty()) else {
        return refuse("This chat is for signed-in customers: sign in on the site first.");
    };
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 30;
    match audience {
        Some(audience) => {
            validation.set_required_spec_claims(&["exp", "sub", "aud"]);
            validation.set_audience(&[audience]);
        }
        None => {
            validation.set_required_spec_claims(&["exp", "sub"]);
            validation.validate_aud = false;
        }
    }
    match jsonwebtoken::decode::<SignedInCustomer>(
        token,
        &DecodingKey::from_secret(key.as_bytes()),
        &validation,
    ) {
        Ok(data) if !data.claims.id.trim().is_empty() => Ok(data.claims),
        Ok(_) => refuse("The sign-in token names no customer."),
        Err(error) => match error.kind() {
            ErrorKind::ExpiredSignature => {
                refuse("Your sign-in has expired: reload the page to sign in again.")
            }
            ErrorKind::InvalidSignature | ErrorKind::InvalidAlgorithm => {
                refuse("The sign-in token was not signed by this site.")
            }
            ErrorKind::InvalidAudience | ErrorKind::MissingRequiredClaim(_)
                if audience.is_some() =>
            {
                refuse("The sign-in token is not for this chat.")
            }
            _ => refuse("The sign-in token could not be read."),
        },
    }
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::{EncodingKey, Header, encode};
    use serde_json::json;

    use super::*;

    const KEY: &str = "a-key-of-at-least-thirty-two-characters";

    fn token(key: &str, claims: serde_json::Value, algorithm: Algorithm) -> String {
        encode(
            &Header::new(algorithm),
            &claims,
            &EncodingKey::from_secret(key.as_bytes()),
        )
        .unwrap()
    }

    #[test]
    fn only_an_unexpired_token_signed_with_the_widget_key_names_a_customer() {
        let later = crate::clock::now() / 1000 + 3600;
        let good = token(
            KEY,
            json!({ "sub": "c-42", "name": "Zoë", "exp": later }),
            Algorithm::HS256,
        );
        assert_eq!(
            verify(KEY, None, Some(&good)).unwrap(),
            SignedInCustomer {
                id: "c-42".into(),
                name: Some("Zoë".into()),
                email: None
            }
        );
        let message = |token: Option<&str>| verify(KEY, None, token).unwrap_err().message;
        assert!(message(None).contains("signed-in customers"));
        let forged = token(
            "another-key-of-thirty-two-characters!",
            json!({ "sub": "c-42", "exp": later }),
            Algorithm::HS256,
        );
        assert!(message(Some(&forged)).contains("not signed by this site"));
        let expired = token(
            KEY,
            json!({ "sub": "c-42", "exp": 1_000 }),
            Algorithm::HS256,
        );
        assert!(message(Some(&expired)).contains("expired"));
        let forever = token(KEY, json!({ "sub": "c-42" }), Algorithm::HS256);
        assert!(message(Some(&forever)).contains("could not be read"));
        let other_algorithm = token(
            KEY,
            json!({ "sub": "c-42", "exp": later }),
            Algorithm::HS512,
        );
        assert!(message(Some(&other_algorithm)).contains("not signed by this site"));
        // An unsigned token ("alg": "none").
        let unsigned = format!(
            "{}.{}.",
            b64(r#"{"alg":"none","typ":"JWT"}"#),
            b64(&json!({ "sub": "c-42", "exp": later }).to_string())
        );
        assert!(verify(KEY, None, Some(&unsigned)).is_err());
    }

    fn b64(text: &str) -> String {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
    }
}
