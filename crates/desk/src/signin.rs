//! Signing in: server address (or the addresses of a deployment's several nodes), e-mail and
//! password for a session token.

use std::net::IpAddr;

use reqwest::{StatusCode, Url};
use switchboard_protocol::Millis;
use switchboard_protocol::agent::AgentSummary;
use switchboard_protocol::login::{LoginRequest, LoginResponse};

/// A signed-in agent on a server.
#[derive(Clone, Debug)]
pub struct Session {
    /// The address the agent gave first: it names the session.
    pub server: Url,
    /// The deployment's other nodes, tried in turn when one cannot be reached or answers 503.
    pub fallbacks: Vec<Url>,
    pub token: String,
    pub agent: AgentSummary,
    pub expires_at: Millis,
}

impl Session {
    /// The name the token is kept under in the [`crate::SecretStore`].
    pub fn account(&self) -> String {
        account(&self.server, &self.agent.email)
    }

    /// Every address of the deployment, the first one first.
    pub(crate) fn addresses(&self) -> Vec<&Url> {
        std::iter::once(&self.server)
            .chain(&self.fallbacks)
            .collect()
    }
}

/// The agent WebSocket of the server at `server`.
pub(crate) fn socket_url(server: &Url) -> Url {
    let mut url = server.join("api/v1/agent/ws").expect("a valid path");
    let scheme = if server.scheme() == "https" {
        "wss"
    } else {
        "ws"
    };
    url.set_scheme(scheme)
        .expect("ws and wss are valid schemes");
    url
}

/// The secret-store account of `email` on `server`.
pub fn account(server: &Url, email: &str) -> String {
    format!("{}|{}", server.as_str(), email.trim().to_lowercase())
}

/// Why signing in failed, in words for the person signing in.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("“{0}” is not a server address. Use the form https://switchboard.example.com.")]
    InvalidAddress(String),
    #[error(
        "The connection to {0} would not be encrypted. Use an https:// address (plain http is only for this computer)."
    )]
    Unencrypted(String),
    #[error("The server could not be reached. Check the address and your network connection.")]
    Unreachable,
    #[error("The e-mail address or password is not correct.")]
    WrongCredentials,
    #[error("Too many sign-in attempts. Try again in {0} seconds.")]
    Throttled(u64),
    #[error("The server could not sign you in (error {0}). Try again in a moment.")]
    Server(u16),
}

impl SignInError {
    /// A stable name for the failure, for a window that words it in the agent's language.
    pub fn code(&self) -> &'static str {
        match self {
            SignInError::InvalidAddress(_) => "invalid_address",
            SignInError::Unencrypted(_) => "unencrypted",
            SignInError::Unreachable => "unreachable",
            SignInError::WrongCredentials => "wrong_credentials",
            SignInError::Throttled(_) => "throttled",
            SignInError::Server(_) => "server",
        }
    }
}

/// Parses what the agent typed as the server address. Plain HTTP is accepted only for a server
/// on this machine: anywhere else the password and the customers' data would cross unencrypted.
pub fn server_url(text: &str) -> Result<Url, SignInError> {
    let trimmed = text.trim();
    let mut url = Url::parse(trimmed)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some())
        .ok_or_else(|| SignInError::InvalidAddress(trimmed.to_owned()))?;
    if url.scheme() == "http" && !is_loopback(&url) {
        return Err(SignInError::Unencrypted(trimmed.to_owned()));
    }
    // A base ending in `/` keeps its path when API paths are joined to it.
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// Parses what the agent typed: one server address, or the addresses of one deployment's several
/// nodes, separated by commas or spaces.
pub fn server_urls(text: &str) -> Result<Vec<Url>, SignInError> {
    let urls = text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|part| !part.is_empty())
        .map(server_url)
        .collect::<Result<Vec<Url>, SignInError>>()?;
    if urls.is_empty() {
        return Err(SignInError::InvalidAddress(text.trim().to_owned()));
    }
    Ok(urls)
}

pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost",
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Signs in with e-mail and password at the first of `servers` that answers: one that cannot be
/// reached, or answers 503 (it cannot take work now), passes to the next.
pub async fn sign_in(servers: &[Url], email: &str, password: &str) -> Result<Session, SignInError> {
    let mut failure = SignInError::Unreachable;
    for server in servers {
        match sign_in_at(server, email, password).await {
            Ok(session) => {
                return Ok(Session {
                    server: servers[0].clone(),
                    fallbacks: servers[1..].to_vec(),
                    ..session
                });
            }
            Err(SignInError::Unreachable) => {}
            Err(SignInError::Server(503)) => failure = SignInError::Server(503),
            Err(other) => return Err(other),
        }
    }
    Err(failure)
}

async fn sign_in_at(server: &Url, email: &str, password: &str) -> Result<Session, SignInError> {
    let response = reqwest::Client::new()
        .post(server.join("api/v1/agent/login").expect("a valid path"))
        .json(&LoginRequest {
            email: email.trim().to_owned(),
            password: password.to_owned(),
        })
        .send()
        .await
        .map_err(|error| {
            tracing::info!(%error, "sign-in request failed");
            SignInError::Unreachable
        })?;
    match response.status() {
        StatusCode::OK => {}
        StatusCode::UNAUTHORIZED => return Err(SignInError::WrongCredentials),
        StatusCode::TOO_MANY_REQUESTS => {
            let seconds = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|value| value.to_str().ok()?.parse().ok())
                .unwrap_or(60);
            return Err(SignInError::Throttled(seconds));
        }
        status => return Err(SignInError::Server(status.as_u16())),
    }
    let login: LoginResponse = response.json().await.map_err(|error| {
        tracing::warn!(%error, "the sign-in answer was not understood");
        SignInError::Server(StatusCode::OK.as_u16())
    })?;
    Ok(Session {
        server: server.clone(),
        fallbacks: Vec::new(),
        token: login.token,
        agent: login.agent,
        expires_at: login.expires_at,
    })
}

/// Ends the session on the server (`POST /api/v1/agent/logout`), at the first of its addresses
/// that takes it.
pub(crate) async fn sign_out(session: &Session) -> Result<(), reqwest::Error> {
    let mut failure = None;
    for server in session.addresses() {
        let ended = reqwest::Client::new()
            .post(server.join("api/v1/agent/logout").expect("a valid path"))
            .bearer_auth(&session.token)
            .timeout(std::time::Duration::from_secs(5))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status);
        match ended {
            Ok(_) => return Ok(()),
            Err(error) => failure = Some(error),
        }
    }
    Err(failure.expect("a session has an address"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_before_anything_is_sent() {
        assert_eq!(
            server_url(" https://cc.example.com ").unwrap().as_str(),
            "https://cc.example.com/"
        );
        assert_eq!(
            server_url("https://example.com/switchboard")
                .unwrap()
                .as_str(),
            "https://example.com/switchboard/"
        );
        assert!(server_url("http://127.0.0.1:8080").is_ok());
        assert!(server_url("http://localhost:8080").is_ok());
        assert!(server_url("http://[::1]:8080").is_ok());
        assert!(matches!(
            server_url("http://cc.example.com"),
            Err(SignInError::Unencrypted(_))
        ));
        for bad in ["", "cc.example.com", "ftp://cc.example.com", "https://"] {
            assert!(
                matches!(server_url(bad), Err(SignInError::InvalidAddress(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn several_nodes_are_given_in_one_field_and_each_is_checked() {
        let urls =
            server_urls(" https://a.example.com, https://b.example.com https://c.example.com/cc ")
                .unwrap();
        let urls: Vec<&str> = urls.iter().map(Url::as_str).collect();
        assert_eq!(
            urls,
            [
                "https://a.example.com/",
                "https://b.example.com/",
                "https://c.example.com/cc/"
            ]
        );
        assert!(matches!(
            server_urls("https://a.example.com, http://b.example.com"),
            Err(SignInError::Unencrypted(_))
        ));
        assert!(matches!(
            server_urls(" , "),
            Err(SignInError::InvalidAddress(_))
        ));
    }

    #[test]
    fn the_socket_follows_the_scheme_and_the_path() {
        let socket = |server: &str| socket_url(&server_url(server).unwrap());
        assert_eq!(
            socket("https://example.com/cc").as_str(),
            "wss://example.com/cc/api/v1/agent/ws"
        );
        assert_eq!(
            socket("http://127.0.0.1:9").as_str(),
            "ws://127.0.0.1:9/api/v1/agent/ws"
        );
    }
}
