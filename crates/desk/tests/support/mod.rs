//! A real server in this process, on loopback with real SQLite, that a test can kill (its
//! runtime dropped mid-flight, nothing shut down gracefully) and start again on the same address;
//! and helpers to wait for what a desk shows.

#![allow(dead_code, unreachable_pub, unused_imports)]

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use switchboard_desk::{Desk, ProcessSecrets, Update};
use switchboard_server::config::Config;
use switchboard_testkit::ServerAddress;
pub use switchboard_testkit::{Customer, PASSWORD, PATIENCE, config};
use tokio::sync::broadcast;

pub struct Server {
    pub address: String,
    pub dir: tempfile::TempDir,
    runtime: Option<tokio::runtime::Runtime>,
}

impl ServerAddress for Server {
    fn address(&self) -> &str {
        &self.address
    }
}

impl Server {
    pub fn start(config_text: &str) -> Server {
        Server::start_on(config_text, free_address())
    }

    /// A server on `address`, which may have been handed out before the server existed.
    pub fn start_on(config_text: &str, address: SocketAddr) -> Server {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.toml"), config_text).unwrap();
        let runtime = Server::run(dir.path(), address);
        Server {
            address: address.to_string(),
            dir,
            runtime: Some(runtime),
        }
    }

    fn run(dir: &std::path::Path, address: SocketAddr) -> tokio::runtime::Runtime {
        let config = Config::load(&dir.join("config.toml")).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let (ready, listening) = std::sync::mpsc::channel();
        runtime.spawn(async move {
            // The previous run's socket may take a moment to be released.
            let listener = loop {
                match tokio::net::TcpListener::bind(address).await {
                    Ok(listener) => break listener,
                    Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                }
            };
            ready.send(()).unwrap();
            switchboard_server::server::serve(config, listener, std::future::pending())
                .await
                .unwrap();
        });
        listening.recv_timeout(PATIENCE).unwrap();
        runtime
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Drops the server's runtime with everything in flight: its connections end at once.
    pub fn kill(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            // A runtime cannot be dropped from inside another one.
            std::thread::spawn(move || drop(runtime)).join().unwrap();
        }
    }

    /// Drops the server's runtime with everything in flight, then starts it again on its data.
    pub fn kill_and_restart(&mut self) {
        let runtime = self.runtime.take().unwrap();
        // A runtime cannot be dropped from inside another one.
        std::thread::spawn(move || drop(runtime)).join().unwrap();
        self.runtime = Some(Server::run(self.dir.path(), self.address.parse().unwrap()));
    }

    /// A desk signed in as `email` (keeping its token in memory).
    pub async fn desk(&self, email: &str) -> Desk {
        Desk::sign_in(
            &self.url(),
            email,
            PASSWORD,
            Arc::new(ProcessSecrets::default()),
        )
        .await
        .unwrap()
    }
}

/// A loopback address nothing listens on yet.
pub fn free_address() -> SocketAddr {
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    free.local_addr().unwrap()
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            std::thread::spawn(move || drop(runtime)).join().unwrap();
        }
    }
}

/// Waits until the desk says it is reconnecting.
pub async fn reconnecting(updates: &mut broadcast::Receiver<Update>) {
    next_update(updates, |u| {
        matches!(
            u,
            Update::Connection {
                connection: switchboard_desk::ConnectionState::Reconnecting { .. }
            }
        )
        .then_some(())
    })
    .await;
}

/// The next update matching `wanted`, within the test's patience.
pub async fn next_update<T>(
    updates: &mut broadcast::Receiver<Update>,
    mut wanted: impl FnMut(&Update) -> Option<T>,
) -> T {
    let search = async {
        loop {
            match updates.recv().await {
                Ok(update) => {
                    if let Some(found) = wanted(&update) {
                        return found;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => panic!("the desk stopped"),
            }
        }
    };
    tokio::time::timeout(PATIENCE, search)
        .await
        .expect("the expected update in time")
}

/// Waits until `check` holds for the desk's snapshot.
pub async fn eventually(
    desk: &Desk,
    what: &str,
    check: impl Fn(&switchboard_desk::DeskSnapshot) -> bool,
) {
    wait_for(what, || {
        let holds = check(&desk.snapshot());
        async move { holds }
    })
    .await;
}

pub async fn wait_for<F: Future<Output = bool>>(what: &str, mut check: impl FnMut() -> F) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "waited too long for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The desk, once it has its profile, Available.
pub async fn available(desk: &Desk) {
    eventually(desk, "the profile", |s| {
        !s.profile.wrap_up_reasons.is_empty()
    })
    .await;
    desk.set_presence(switchboard_protocol::agent::PresenceRequest::Available)
        .await
        .unwrap();
    eventually(desk, "Available", |s| {
        s.presence == switchboard_protocol::Presence::Available
    })
    .await;
}

/// The admin token the running server published in its data directory.
pub async fn admin_token(server: &Server) -> String {
    let access_file = server.dir.path().join("data/admin.json");
    wait_for("the admin access file", || {
        let exists = access_file.exists();
        async move { exists }
    })
    .await;
    let access = std::fs::read_to_string(&access_file).unwrap();
    let access: serde_json::Value = serde_json::from_str(&access).unwrap();
    access["token"].as_str().unwrap().to_owned()
}

/// Creates a contact through the admin API.
pub async fn create_contact(server: &Server, contact: serde_json::Value) {
    let created = reqwest::Client::new()
        .post(format!("{}/api/v1/admin/contacts", server.url()))
        .bearer_auth(admin_token(server).await)
        .json(&contact)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
}

/// The next notification the desk raises.
pub async fn next_notification(
    updates: &mut broadcast::Receiver<Update>,
) -> switchboard_desk::Notification {
    next_update(updates, |u| match u {
        Update::Notify { notification } => Some(notification.clone()),
        _ => None,
    })
    .await
}

/// Accepts the desk's next notification and waits for the session it opens.
pub async fn accept_next(
    desk: &Desk,
    updates: &mut broadcast::Receiver<Update>,
) -> switchboard_protocol::ConversationId {
    let alert = next_notification(updates).await;
    accept(desk, &alert.conversation).await;
    alert.conversation
}

/// Accepts the offer of `conversation` and waits for the session it opens.
pub async fn accept(desk: &Desk, conversation: &switchboard_protocol::ConversationId) {
    desk.answer(conversation, switchboard_desk::Answer::Accept)
        .await
        .unwrap();
    eventually(desk, "the session", |s| {
        s.conversations.iter().any(|c| &c.id == conversation)
    })
    .await;
}
