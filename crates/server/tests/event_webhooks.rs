//! Event webhooks: what happens reaches each configured endpoint as signed JSON — checked by the
//! Standard Webhooks project's own library — every event once (by its id), in order per
//! conversation, across an endpoint that refuses some requests and a server killed while
//! delivering. A failing endpoint holds back no one.

mod support;

use std::time::Duration;

use serde_json::Value;
use support::{AdminApi, Agent, Customer, Server, accept_offer, accepted_chat, config};
use switchboard_protocol::ConversationId;
use switchboard_protocol::agent::{AgentCommand, Outcome};
use switchboard_testkit::event_receiver::{EventReceiver, SECRET};

fn endpoint(name: &str, url: &str, events: Option<&str>) -> String {
    let events = events.map_or_else(String::new, |kinds| format!("events = [{kinds}]\n"));
    format!(
        "[[event_webhooks]]\nname = \"{name}\"\nurl = \"{url}\"\nsecret = \"{SECRET}\"\n{events}"
    )
}

/// The events the receiver has once `done` holds of them (waiting up to a minute).
async fn received(receiver: &EventReceiver, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    for _ in 0..600 {
        let (events, _) = receiver.events();
        if done(&events) {
            return events;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "the endpoint lacks events; it has {:#?}",
        receiver.events().0
    )
}

fn of(events: &[Value], chat: &ConversationId) -> Vec<Value> {
    events
        .iter()
        .filter(|event| event["data"]["conversation"] == chat.0.as_str())
        .cloned()
        .collect()
}

fn ended(chats: &[ConversationId]) -> impl Fn(&[Value]) -> bool + '_ {
    move |events| {
        chats.iter().all(|chat| {
            of(events, chat)
                .iter()
                .any(|event| event["type"] == "conversation.ended")
        })
    }
}

async fn end(ann: &mut Agent, chat: &ConversationId) {
    let end = AgentCommand::End {
        conversation: chat.clone(),
        wrap_up: "Resolved".into(),
    };
    assert!(matches!(ann.command(end).await, Outcome::Ok { .. }));
}

#[tokio::test]
async fn every_event_arrives_signed_once_and_in_order_per_conversation_across_a_kill() {
    let receiver = EventReceiver::start(4);
    let text = format!("{}{}", config(30, 60), endpoint("crm", &receiver.url, None));
    let mut server = Server::start(&text);
    let mut ann = support::available_agent(&server, "ann@example.com").await;
    let mut chats = Vec::new();
    let mut customers = Vec::new();
    for name in ["Zoë", "Yan", "Xia"] {
        customers.push(Customer::start(&server, name, "Hello").await);
        chats.push(accept_offer(&mut ann).await.id);
    }
    for round in 1..=3 {
        for customer in &mut customers {
            customer.say(&format!("before {round}")).await;
        }
    }
    customers[0].say("my card is 4111 1111 1111 1111").await;
    // Killed while the endpoint is still receiving: it refuses every fourth request, and each
    // refusal waits a second for its retry.
    received(&receiver, |events| events.len() >= 4).await;
    let delivered_before = receiver.events().0.len();
    server.kill_and_restart();

    let mut ann = Agent::connect(&server, &ann.token, Some(ann.last_seq)).await;
    for (customer, chat) in customers.iter_mut().zip(&chats) {
        let token = customer.token.clone().expect("a resume token");
        *customer = Customer::connect(&server, Some((&token, customer.last_seq))).await;
        customer.say("after").await;
        end(&mut ann, chat).await;
    }
    let events = received(&receiver, ended(&chats)).await;
    assert!(
        delivered_before < events.len(),
        "the kill came before the last delivery"
    );
    assert_eq!(
        receiver.refusals(),
        Vec::<String>::new(),
        "every signature verifies"
    );

    let ann_email = "ann@example.com";
    let presence = events
        .iter()
        .find(|event| event["type"] == "agent.presence_changed")
        .expect("Ann became available");
    assert_eq!(presence["data"]["agent"]["email"], ann_email);
    assert_eq!(presence["data"]["presence"]["state"], "available");
    for (i, chat) in chats.iter().enumerate() {
        let events = of(&events, chat);
        let kinds: Vec<&str> = events
            .iter()
            .filter_map(|event| event["type"].as_str())
            .filter(|kind| kind.starts_with("conversation."))
            .collect();
        assert_eq!(
            kinds,
            [
                "conversation.started",
                "conversation.offered",
                "conversation.accepted",
                "conversation.ended"
            ],
            "{chat}"
        );
        let said: Vec<&str> = events
            .iter()
            .filter(|event| event["type"] == "message.created")
            .filter(|event| event["data"]["message"]["from"]["kind"] == "customer")
            .filter_map(|event| event["data"]["message"]["text"].as_str())
            .collect();
        let mut expected = vec!["Hello", "before 1", "before 2", "before 3"];
        if i == 0 {
            assert!(said[4].starts_with("my card is"), "{said:?}");
            assert!(!said[4].contains("4111 1111 1111 1111"), "masked: {said:?}");
            expected.push(said[4]);
        }
        expected.push("after");
        assert_eq!(said, expected, "{chat}");
        // The endpoint saw them in the order they happened.
        let times: Vec<&str> = events
            .iter()
            .filter_map(|event| event["timestamp"].as_str())
            .collect();
        assert!(times.is_sorted(), "{chat}: {events:#?}");
        let end = events.last().unwrap();
        assert_eq!(end["type"], "conversation.ended");
        assert_eq!(end["data"]["wrap_up"], "Resolved");
        assert_eq!(end["data"]["agent"]["email"], ann_email);
        assert_eq!(
            events[0]["data"]["customer"]["name"],
            ["Zoë", "Yan", "Xia"][i]
        );
    }
    let serialized = serde_json::to_string(&events).unwrap();
    assert!(!serialized.contains("4111 1111 1111 1111"));
}

#[tokio::test]
async fn an_endpoint_gets_only_the_types_it_asks_for_and_a_failing_one_holds_back_no_one() {
    let receiver = EventReceiver::start(0);
    let closed = format!("http://127.0.0.1:{}/gone", switchboard_testkit::free_port());
    let text = format!(
        "{}{}{}",
        config(30, 60),
        endpoint("down", &closed, None),
        endpoint("crm", &receiver.url, Some("\"conversation.ended\"")),
    );
    let server = Server::start(&text);
    let (mut ann, mut zoe, chat) = accepted_chat(&server).await;
    zoe.say("Still there?").await;
    end(&mut ann, &chat).await;
    let events = received(&receiver, ended(std::slice::from_ref(&chat))).await;
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0]["type"], "conversation.ended");
    assert_eq!(events[0]["id"], format!("{chat}.f3"));

    // The endpoint that cannot be reached is retried, and counted. Counts follow the tries
    // (the one delivered is counted once its answer is in), so they are waited for (up to 10 s).
    let admin = AdminApi::new(&server);
    let mut tries = 0;
    let (failures, delivered) = loop {
        let metrics = reqwest::Client::new()
            .get(server.url("/metrics"))
            .bearer_auth(admin.token())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let families = switchboard_testkit::openmetrics::parse(&metrics).unwrap();
        let count = |family: &str, endpoint: &str| {
            switchboard_testkit::openmetrics::sample(
                &families,
                family,
                &format!("{family}_total"),
                &[("endpoint", endpoint)],
            )
        };
        let failures = count("switchboard_webhook_failures", "down");
        let delivered = count("switchboard_webhook_deliveries", "crm");
        tries += 1;
        if (failures.is_some() && delivered.is_some()) || tries == 100 {
            break (failures, delivered);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        failures.is_some_and(|failures| failures >= 1.0),
        "{failures:?}"
    );
    assert_eq!(delivered, Some(1.0));
}

#[tokio::test]
async fn endpoints_read_again_on_sighup_start_and_stop_receiving_at_once() {
    let (crm, ops) = (EventReceiver::start(0), EventReceiver::start(0));
    let file = config(30, 60);
    let server = Server::start(&format!("{file}{}", endpoint("crm", &crm.url, None)));
    let mut ann = support::available_agent(&server, "ann@example.com").await;
    let _zoe = Customer::start(&server, "Zoë", "Hello").await;
    let before = accept_offer(&mut ann).await.id;
    received(&crm, |events| !of(events, &before).is_empty()).await;

    // crm leaves, ops comes: no restart.
    std::fs::write(
        server.config_file(),
        format!("{file}{}", endpoint("ops", &ops.url, None)),
    )
    .unwrap();
    server.hang_up();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let _yan = Customer::start(&server, "Yan", "Hello").await;
    let after = accept_offer(&mut ann).await.id;
    end(&mut ann, &after).await;
    let seen = received(&ops, ended(std::slice::from_ref(&after))).await;
    assert_eq!(of(&seen, &after)[0]["type"], "conversation.started");
    assert!(of(&seen, &before).is_empty(), "ops starts from its coming");
    assert!(
        of(&crm.events().0, &after).is_empty(),
        "crm gets nothing after it left"
    );
}
