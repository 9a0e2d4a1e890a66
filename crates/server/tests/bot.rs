//! Bot first: a workstream's bot answers new chats through its REST channel (a stand-in on
//! loopback), its replies reach the customer and the thread, and its hand-over — or its failure —
//! brings the conversation to an agent as an escalation from the bot, transcript included.

mod support;

use serde_json::json;
use support::{Customer, Server, available_agent, config, offer_accepted};
use switchboard_protocol::agent::Scenario;
use switchboard_protocol::customer::CustomerEvent;
use switchboard_protocol::{ChatMessage, Sender};
use switchboard_testkit::PATIENCE;
use switchboard_testkit::channels::Provider;

fn with_bot(bot: &str) -> String {
    config(30, 60).replace(
        "[workstreams.chat]\n",
        &format!("[workstreams.chat]\nbot = \"{bot}\"\n"),
    )
}

async fn bot_says(customer: &mut Customer) -> ChatMessage {
    let CustomerEvent::Message { message } = customer
        .expect(|e| matches!(e, CustomerEvent::Message { message } if matches!(message.from, Sender::Bot { .. })))
        .await
    else {
        unreachable!()
    };
    message
}

#[tokio::test]
async fn the_bot_answers_first_and_hands_over_to_an_agent_with_its_transcript() {
    let bot = Provider::start().await;
    bot.script(&[
        (200, json!([{ "recipient_id": "x", "text": "Hi, I am the assistant. What is it about?" }])),
        (
            200,
            json!([
                { "recipient_id": "x", "text": "Let me find a colleague." },
                { "recipient_id": "x", "custom": { "handoff": { "queue": "general", "reason": "Asked for a person" } } }
            ]),
        ),
    ]);
    let server = Server::start(&with_bot(&bot.url));
    let mut ann = available_agent(&server, "ann@example.com").await;
    let mut zoe = Customer::start(&server, "Zoë", "Hello").await;
    assert_eq!(
        bot_says(&mut zoe).await.text,
        "Hi, I am the assistant. What is it about?"
    );
    let calls = bot.wait_for_calls(1, PATIENCE).await;
    assert_eq!(calls[0].path, "/webhooks/rest/webhook");
    let conversation = calls[0].json()["sender"].as_str().unwrap().to_owned();
    assert_eq!(
        calls[0].json(),
        json!({ "sender": conversation, "message": "Hello" })
    );

    zoe.say("I want to talk to a person").await;
    assert_eq!(bot_says(&mut zoe).await.text, "Let me find a colleague.");
    let (offer, snapshot) = offer_accepted(&mut ann).await;
    assert_eq!(offer.scenario, Scenario::EscalatedFromBot);
    assert_eq!(offer.comment, "Asked for a person");
    assert_eq!(offer.conversation.0, conversation);
    let transcript: Vec<(&str, &str)> = snapshot
        .history
        .iter()
        .map(|m| {
            let who = match &m.from {
                Sender::Customer { .. } => "customer",
                Sender::Bot { .. } => "bot",
                Sender::Agent { .. } => "agent",
                Sender::System => "system",
                Sender::Note { .. } => "note",
            };
            (who, m.text.as_str())
        })
        .collect();
    assert_eq!(
        transcript,
        [
            ("customer", "Hello"),
            ("bot", "Hi, I am the assistant. What is it about?"),
            ("customer", "I want to talk to a person"),
            ("bot", "Let me find a colleague."),
            ("system", "Asked for a person"),
        ]
    );
    zoe.expect(|e| matches!(e, CustomerEvent::AgentJoined { .. }))
        .await;
}

#[tokio::test]
async fn a_failing_or_unreachable_bot_hands_over_at_once() {
    let bot = Provider::start().await;
    bot.script(&[(500, json!({ "error": "model not loaded" }))]);
    let server = Server::start(&with_bot(&bot.url));
    let mut ann = available_agent(&server, "ann@example.com").await;
    let _zoe = Customer::start(&server, "Zoë", "Hello").await;
    let (offer, _) = offer_accepted(&mut ann).await;
    assert_eq!(offer.scenario, Scenario::EscalatedFromBot);
    assert!(
        offer
            .comment
            .starts_with("The bot did not answer (The bot answered 500"),
        "{}",
        offer.comment
    );

    // Nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nowhere = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let server = Server::start(&with_bot(&nowhere));
    let mut ann = available_agent(&server, "ann@example.com").await;
    let _mo = Customer::start(&server, "Mo", "Anyone?").await;
    let (offer, _) = offer_accepted(&mut ann).await;
    assert_eq!(offer.scenario, Scenario::EscalatedFromBot);
    assert!(
        offer.comment.contains("could not be reached"),
        "{}",
        offer.comment
    );
}
