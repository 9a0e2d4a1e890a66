//! A desk given the addresses of a deployment's several nodes signs in at the first that answers
//! and, when the routing node dies, reconnects and goes on.

mod support;

use std::sync::Arc;

use support::{Customer, PASSWORD, Server, accept_next, available, config, eventually};
use switchboard_desk::{ConnectionState, Desk, ProcessSecrets};
use switchboard_testkit::postgres;

#[tokio::test(flavor = "multi_thread")]
async fn a_desk_given_several_nodes_follows_the_one_that_routes() {
    let (url, _) = postgres::database();
    let node = |name: &str| {
        format!("{}\n[store]\nurl = \"{url}\"\n", config(30, 60))
            .replace("[server]\n", &format!("[server]\nnode = \"{name}\"\n"))
    };
    let mut a = Server::start(&node("a"));
    let ready = |server: &Server| {
        let url = format!("{}/readyz", server.url());
        async move { reqwest::get(url).await.is_ok_and(|r| r.status() == 200) }
    };
    support::wait_for("node a routes", || ready(&a)).await;
    let b = Server::start(&node("b"));
    // A node that does not route first: the desk signs in there, and follows it to the next.
    let addresses = format!("{}, {}", b.url(), a.url());
    let ann = Desk::sign_in(
        &addresses,
        "ann@example.com",
        PASSWORD,
        Arc::new(ProcessSecrets::default()),
    )
    .await
    .unwrap();
    available(&ann).await;

    let mut updates = ann.updates();
    a.kill();
    support::reconnecting(&mut updates).await;
    eventually(&ann, "connected to node b", |s| {
        s.connection == ConnectionState::Connected
    })
    .await;
    assert!(ready(&b).await, "node b routes");
    let _zoe = Customer::start(&b, "Zoë", "Hello").await;
    accept_next(&ann, &mut updates).await;
}
