//! A desk given the addresses of a deployment's several nodes signs in at the first that answers
//! and, when the routing node dies, reconnects and goes on.

mod support;

use std::sync::Arc;

use support::{Customer, PASSWORD, Server, accept_next, available, config, eventually};
use switchboard_desk::{ConnectionState, Desk, ProcessSecrets};
use switchboard_protocol::ConversationId;
use switchboard_testkit::balancer::Balancer;
use switchboard_testkit::{ServerAddress, postgres};

/// The test configuration for node `name` storing in the PostgreSQL database at `url`, with
/// `[server]` settings `more` (a line each).
fn node(url: &str, name: &str, more: &str) -> String {
    format!("{}\n[store]\nurl = \"{url}\"\n", config(30, 60)).replace(
        "[server]\n",
        &format!("[server]\nnode = \"{name}\"\n{more}"),
    )
}

/// Whether `server` says it routes.
async fn routes(server: &Server) -> bool {
    match reqwest::get(format!("{}/readyz", server.url())).await {
        Ok(response) => response.text().await.unwrap_or_default() == "ready: routing",
        Err(_) => false,
    }
}

/// Ann, signed in at `addresses` and Available.
async fn ann_at(addresses: &str) -> Desk {
    let ann = Desk::sign_in(
        addresses,
        "ann@example.com",
        PASSWORD,
        Arc::new(ProcessSecrets::default()),
    )
    .await
    .unwrap();
    available(&ann).await;
    ann
}

#[tokio::test(flavor = "multi_thread")]
async fn a_desk_given_several_nodes_follows_the_one_that_routes() {
    let (url, _) = postgres::database();
    let mut a = Server::start(&node(&url, "a", ""));
    support::wait_for("node a routes", || routes(&a)).await;
    let b = Server::start(&node(&url, "b", ""));
    // A node that does not route first: the desk signs in there, and follows it to the next.
    let ann = ann_at(&format!("{}, {}", b.url(), a.url())).await;

    let mut updates = ann.updates();
    a.kill();
    support::reconnecting(&mut updates).await;
    eventually(&ann, "connected to node b", |s| {
        s.connection == ConnectionState::Connected
    })
    .await;
    support::wait_for("node b routes", || routes(&b)).await;
    let _zoe = Customer::start(&b, "Zoë", "Hello").await;
    accept_next(&ann, &mut updates).await;
}

/// The chat widget in Chromium, driven by `widget/scripts/browser-customer.mjs`.
struct BrowserCustomer {
    child: std::process::Child,
    input: std::process::ChildStdin,
    output: std::io::Lines<std::io::BufReader<std::process::ChildStdout>>,
}

impl BrowserCustomer {
    /// Opens `base`'s demo page and starts a chat as `name` with `message`.
    fn start(base: &str, name: &str, message: &str) -> BrowserCustomer {
        use std::io::BufRead;
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../widget/scripts/browser-customer.mjs"
        );
        let mut child = std::process::Command::new("node")
            .args([script, base, name, message])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("node runs (cargo xtask setup installs the widget's packages)");
        let input = child.stdin.take().unwrap();
        let output = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let mut customer = BrowserCustomer {
            child,
            input,
            output,
        };
        customer.answer("ready");
        customer
    }

    /// Asks the page to `request` and waits (off the async threads) for `expected`.
    async fn ask(&mut self, request: String, expected: String) {
        use std::io::Write;
        writeln!(self.input, "{request}").unwrap();
        tokio::task::block_in_place(|| self.answer(&expected));
    }

    fn answer(&mut self, expected: &str) {
        let line = self.output.next().expect("the browser answers").unwrap();
        assert_eq!(line, expected);
    }

    async fn sees(&mut self, text: &str) {
        self.ask(format!("see {text}"), format!("seen {text}"))
            .await;
    }

    async fn says(&mut self, text: &str) {
        self.ask(format!("say {text}"), format!("said {text}"))
            .await;
    }
}

impl Drop for BrowserCustomer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether the conversation's thread at the desk shows `text`.
fn desk_shows(desk: &Desk, conversation: &ConversationId, text: &str) -> bool {
    desk.conversation(conversation)
        .is_some_and(|view| view.bubbles.iter().any(|bubble| bubble.text == text))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_widget_in_a_browser_and_a_desk_behind_nginx_keep_their_chat_when_the_routing_node_dies()
{
    let (url, _) = postgres::database();
    // The demo page (served by the nodes, through nginx) embeds the widget.
    let node = |name: &str| {
        node(&url, name, "demo = true\n")
            .replace("allowed_origins = [\"https://shop.example.com\"]\n", "")
    };
    let mut a = Server::start(&node("a"));
    support::wait_for("node a routes", || routes(&a)).await;
    let b = Server::start(&node("b"));
    let c = Server::start(&node("c"));
    let balancer = Balancer::start(&[&b.address, &c.address, &a.address]);
    let base = format!("http://{}", balancer.address());

    let ann = ann_at(&base).await;
    let mut updates = ann.updates();
    let mut zoe = tokio::task::block_in_place(|| {
        BrowserCustomer::start(&base, "Zoë", "Hello from the browser")
    });
    let conversation = accept_next(&ann, &mut updates).await;
    ann.send_message(&conversation, "Hello Zoë").await.unwrap();
    zoe.sees("Hello Zoë").await;
    zoe.says("Before the fail-over").await;
    eventually(&ann, "Zoë's first message", |_| {
        desk_shows(&ann, &conversation, "Before the fail-over")
    })
    .await;

    a.kill();
    // Written while the widget reconnects: it waits, and is sent once.
    zoe.says("After the fail-over").await;
    eventually(&ann, "Zoë's message after the fail-over", |_| {
        desk_shows(&ann, &conversation, "After the fail-over")
    })
    .await;
    support::wait_for("a node routes again", || async {
        routes(&b).await || routes(&c).await
    })
    .await;
    eventually(&ann, "connected again", |s| {
        s.connection == ConnectionState::Connected
    })
    .await;
    ann.send_message(&conversation, "Still with you")
        .await
        .unwrap();
    zoe.sees("Still with you").await;
    // Where the widget's browser tests leave theirs, to look at.
    let screenshots = std::env::var("CARGO_TARGET_DIR")
        .map_or_else(
            |_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../target").into(),
            std::path::PathBuf::from,
        )
        .join("screenshots");
    std::fs::create_dir_all(&screenshots).unwrap();
    let screenshot = screenshots.join("widget-after-failover.png");
    zoe.ask(
        format!("screenshot {}", screenshot.display()),
        "saved".into(),
    )
    .await;
    let thread: Vec<String> = ann
        .conversation(&conversation)
        .unwrap()
        .bubbles
        .iter()
        .map(|bubble| bubble.text.clone())
        .collect();
    let count = |text: &str| thread.iter().filter(|t| *t == text).count();
    assert_eq!(count("After the fail-over"), 1, "{thread:?}");
    assert_eq!(count("Before the fail-over"), 1, "{thread:?}");
}
