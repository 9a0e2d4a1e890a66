//! SMS and Messenger as the server meets them: webhook calls signed as the providers sign them
//! (SMS signatures by the provider's official Python library), and a stand-in for the providers'
//! APIs on loopback that records every call the server makes and answers as scripted, and
//! serves the Messenger profiles it is given.

use std::collections::{HashMap, VecDeque};
use std::process::Command;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

/// The public address the test server's SMS webhook is configured with: what is signed.
pub const SMS_WEBHOOK_URL: &str = "https://switchboard.example.com/webhooks/sms/twilio";
pub const SMS_ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
pub const SMS_TOKEN: &str = "sms-auth-token";
/// The number customers text.
pub const SMS_NUMBER: &str = "+420700800900";
pub const FACEBOOK_SECRET: &str = "facebook-app-secret";
pub const FACEBOOK_VERIFY_TOKEN: &str = "facebook-verify-token";
pub const FACEBOOK_PAGE: &str = "1122334455";
pub const FACEBOOK_PAGE_TOKEN: &str = "page-access-token";

/// The `[sms]` and `[facebook]` sections of a test server whose providers are at `provider`.
pub fn channels_config(provider: &str) -> String {
    format!(
        r#"
[sms]
webhook_url = "{SMS_WEBHOOK_URL}"
account_sid = "{SMS_ACCOUNT}"
auth_token = "{SMS_TOKEN}"
api_base = "{provider}"
[[sms.numbers]]
number = "{SMS_NUMBER}"
queue = "general"
[facebook]
verify_token = "{FACEBOOK_VERIFY_TOKEN}"
app_secret = "{FACEBOOK_SECRET}"
graph_base = "{provider}/v21.0"
[[facebook.pages]]
id = "{FACEBOOK_PAGE}"
access_token = "{FACEBOOK_PAGE_TOKEN}"
queue = "general"
"#
    )
}

/// The SMS provider's signature of a webhook call, computed by its official library.
pub fn twilio_signature(token: &str, url: &str, params: &[(&str, &str)]) -> String {
    let script = "import json, sys\n\
        from twilio.request_validator import RequestValidator\n\
        token, url, params = json.load(sys.stdin)\n\
        print(RequestValidator(token).compute_signature(url, params))";
    let params: serde_json::Map<String, Value> = params
        .iter()
        .map(|(name, value)| (name.to_string(), json!(value)))
        .collect();
    let mut child = Command::new(crate::python())
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e}; run `cargo xtask setup`",
                crate::python().display()
            )
        });
    let input = json!([token, url, params]).to_string();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "the twilio library could not sign; run `cargo xtask setup`"
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// An SMS as the provider posts it: the usual fields, `extra` ones, signed. Returns the status
/// and body of the server's answer.
pub async fn post_sms(
    server: &str,
    sid: &str,
    from: &str,
    body: &str,
    extra: &[(&str, &str)],
) -> (u16, String) {
    let mut params = vec![
        ("MessageSid", sid),
        ("SmsMessageSid", sid),
        ("AccountSid", SMS_ACCOUNT),
        ("From", from),
        ("To", SMS_NUMBER),
        ("Body", body),
        ("NumSegments", "1"),
        ("SmsStatus", "received"),
        ("ApiVersion", "2010-04-01"),
        ("FromCountry", "CZ"),
    ];
    params.extend_from_slice(extra);
    if !params.iter().any(|(name, _)| *name == "NumMedia") {
        params.push(("NumMedia", "0"));
    }
    let signature = twilio_signature(SMS_TOKEN, SMS_WEBHOOK_URL, &params);
    post_signed_sms(server, &params, &signature).await
}

/// Posts webhook `params` with the given signature header.
pub async fn post_signed_sms(
    server: &str,
    params: &[(&str, &str)],
    signature: &str,
) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(format!("http://{server}/webhooks/sms/twilio"))
        .header("X-Twilio-Signature", signature)
        .form(params)
        .send()
        .await
        .unwrap();
    (
        response.status().as_u16(),
        response.text().await.unwrap_or_default(),
    )
}

/// `sha256=<hex>`: the Messenger signature of `body`.
pub fn facebook_signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// A Messenger notification carrying one text message from `psid` to the test page.
pub fn facebook_message(psid: &str, mid: &str, text: &str, timestamp: u64) -> Value {
    json!({
        "object": "page",
        "entry": [{
            "id": FACEBOOK_PAGE,
            "time": timestamp,
            "messaging": [{
                "sender": { "id": psid },
                "recipient": { "id": FACEBOOK_PAGE },
                "timestamp": timestamp,
                "message": { "mid": mid, "text": text }
            }]
        }]
    })
}

/// Posts a Messenger notification, signed over exactly the bytes sent.
pub async fn post_facebook(server: &str, body: &[u8]) -> (u16, String) {
    let signature = facebook_signature(FACEBOOK_SECRET, body);
    post_facebook_signed(server, body, &signature).await
}

pub async fn post_facebook_signed(server: &str, body: &[u8], signature: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(format!("http://{server}/webhooks/facebook"))
        .header("X-Hub-Signature-256", signature)
        .header("Content-Type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    (
        response.status().as_u16(),
        response.text().await.unwrap_or_default(),
    )
}

/// One call the server made to a provider's API.
#[derive(Clone, Debug)]
pub struct ProviderCall {
    pub method: Method,
    pub path: String,
    pub query: Option<String>,
    pub authorization: Option<String>,
    pub body: Bytes,
}

impl ProviderCall {
    /// The body's form fields.
    pub fn form(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(&self.body).into_owned().collect()
    }

    pub fn field(&self, name: &str) -> Option<String> {
        self.form()
            .into_iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

#[derive(Default)]
struct Recorded {
    calls: Vec<ProviderCall>,
    answers: VecDeque<(u16, Value)>,
    /// Messenger profiles by customer id, and each read of one (`GET /<version>/<id>`).
    profiles: HashMap<String, Value>,
    profile_reads: Vec<ProviderCall>,
}

/// The providers' APIs on a loopback port: every call is recorded and answered with the next
/// scripted answer, or as the provider accepts a message.
#[derive(Clone)]
pub struct Provider {
    pub url: String,
    recorded: Arc<Mutex<Recorded>>,
}

impl Provider {
    pub async fn start() -> Provider {
        let recorded = Arc::new(Mutex::new(Recorded::default()));
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(recorded.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Provider { url, recorded }
    }

    /// Answers the next calls with these, in order.
    pub fn script(&self, answers: &[(u16, Value)]) {
        self.recorded
            .lock()
            .unwrap()
            .answers
            .extend(answers.iter().cloned());
    }

    /// The calls that sent something (profile reads are apart).
    pub fn calls(&self) -> Vec<ProviderCall> {
        self.recorded.lock().unwrap().calls.clone()
    }

    /// Gives the Messenger customer `psid` a profile with these names.
    pub fn profile(&self, psid: &str, first_name: &str, last_name: &str) {
        self.recorded.lock().unwrap().profiles.insert(
            psid.to_owned(),
            json!({ "first_name": first_name, "last_name": last_name, "id": psid }),
        );
    }

    pub fn profile_reads(&self) -> Vec<ProviderCall> {
        self.recorded.lock().unwrap().profile_reads.clone()
    }

    /// Waits until at least `count` calls were made; returns them all.
    pub async fn wait_for_calls(
        &self,
        count: usize,
        patience: std::time::Duration,
    ) -> Vec<ProviderCall> {
        let deadline = tokio::time::Instant::now() + patience;
        loop {
            let calls = self.calls();
            if calls.len() >= count {
                return calls;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "expected {count} provider calls, got {calls:#?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

async fn answer(
    State(recorded): State<Arc<Mutex<Recorded>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let mut recorded = recorded.lock().unwrap();
    let call = ProviderCall {
        method,
        path: uri.path().to_owned(),
        query: uri.query().map(str::to_owned),
        authorization: headers
            .get("authorization")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned),
        body,
    };
    if call.method == Method::GET {
        // The Graph API's user profile; an unknown customer is refused as Graph refuses.
        let psid = call.path.rsplit('/').next().unwrap_or_default().to_owned();
        recorded.profile_reads.push(call);
        return match recorded.profiles.get(&psid) {
            Some(profile) => (StatusCode::OK, axum::Json(profile.clone())),
            None => (
                StatusCode::BAD_REQUEST,
                axum::Json(
                    json!({ "error": { "message": "Unsupported get request.", "code": 100 } }),
                ),
            ),
        };
    }
    recorded.calls.push(call);
    let (status, body) = recorded.answers.pop_front().unwrap_or_else(|| {
        let n = recorded.calls.len();
        (201, json!({ "sid": format!("SM{n:032}"), "status": "queued", "message_id": format!("m_{n}") }))
    });
    (StatusCode::from_u16(status).unwrap(), axum::Json(body))
}

/// A provider's media store on a loopback port: every path answers `bytes` as `content_type`,
/// as an MMS picture's address does. Its base URL.
pub async fn media_store(content_type: &'static str, bytes: &'static [u8]) -> String {
    let app = axum::Router::new().fallback(move || async move {
        ([(axum::http::header::CONTENT_TYPE, content_type)], bytes)
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}
