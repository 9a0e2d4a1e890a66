//! SMS and Messenger at the server's edges: signed webhooks (SMS signatures computed by the
//! provider's official library), conversations matched to contacts, redeliveries stored once,
//! and agents' replies arriving at a stand-in for the providers' APIs, retried or reported.

mod support;

use std::time::Duration;

use base64::Engine;
use serde_json::json;
use support::{Agent, Server, accept_offer, available_agent, config, import, offer_accepted};
use switchboard_protocol::agent::{AgentCommand, AgentEvent, Outcome, Scenario};
use switchboard_protocol::{Channel, ChatMessage, ConversationId, Sender};
use switchboard_testkit::PATIENCE;
use switchboard_testkit::channels::*;

const ZOE_MOBILE: &str = "+420601234567";

async fn server_with_channels() -> (Server, Provider) {
    let provider = Provider::start().await;
    let config = format!(
        "{}\n[contacts]\ndefault_region = \"CZ\"\n{}",
        config(30, 60),
        channels_config(&provider.url)
    );
    (Server::start(&config), provider)
}

async fn send(agent: &mut Agent, conversation: &ConversationId, text: &str) {
    let sent = agent
        .command(AgentCommand::SendMessage {
            conversation: conversation.clone(),
            text: text.into(),
            files: Vec::new(),
        })
        .await;
    assert!(matches!(sent, Outcome::Ok { .. }), "{sent:?}");
}

async fn next_message(agent: &mut Agent) -> ChatMessage {
    let AgentEvent::Message { message } = agent
        .expect(|e| matches!(e, AgentEvent::Message { .. }))
        .await
    else {
        unreachable!()
    };
    message
}

/// The provider's calls carrying `body`.
fn calls_with(provider: &Provider, body: &str) -> Vec<ProviderCall> {
    provider
        .calls()
        .into_iter()
        .filter(|call| call.field("Body").as_deref() == Some(body))
        .collect()
}

#[tokio::test]
async fn an_sms_from_a_known_mobile_reaches_the_agent_once_and_replies_go_out_through_the_provider()
{
    let (server, provider) = server_with_channels().await;
    // The contact's number is written nationally: it is matched in E.164.
    let (ok, text) = import(&server, "name,mobile_phone\nZoë Nováková,601 234 567\n");
    assert!(ok, "{text}");
    let mut ann = available_agent(&server, "ann@example.com").await;

    // Unsigned, wrongly signed or altered calls are refused and store nothing.
    let params = [
        ("MessageSid", "SM-forged"),
        ("From", ZOE_MOBILE),
        ("To", SMS_NUMBER),
        ("Body", "Forged"),
    ];
    let (status, answer) = post_signed_sms(&server.address, &params, "").await;
    assert_eq!(status, 403, "{answer}");
    assert!(answer.contains("X-Twilio-Signature"), "{answer}");
    let signature = twilio_signature("another-token", SMS_WEBHOOK_URL, &params);
    assert_eq!(
        post_signed_sms(&server.address, &params, &signature)
            .await
            .0,
        403
    );
    let signature = twilio_signature(SMS_TOKEN, SMS_WEBHOOK_URL, &params);
    let mut altered = params;
    altered[3].1 = "Forged and altered";
    assert_eq!(
        post_signed_sms(&server.address, &altered, &signature)
            .await
            .0,
        403
    );
    // Signed, but to a number this server does not have.
    let mut elsewhere = params;
    elsewhere[2].1 = "+420777000111";
    let signature = twilio_signature(SMS_TOKEN, SMS_WEBHOOK_URL, &elsewhere);
    let (status, answer) = post_signed_sms(&server.address, &elsewhere, &signature).await;
    assert_eq!(
        (status, answer.contains("+420777000111")),
        (404, true),
        "{answer}"
    );

    let picture = [
        ("NumMedia", "1"),
        ("MediaUrl0", "https://media.example.com/parcel.jpg"),
        ("MediaContentType0", "image/jpeg"),
    ];
    // The provider retries what it thinks failed: the same MessageSid is stored once.
    for _delivery in 0..2 {
        let (status, answer) = post_sms(
            &server.address,
            "SM1",
            ZOE_MOBILE,
            "Where is my parcel?",
            &picture,
        )
        .await;
        assert_eq!(status, 200, "{answer}");
        assert!(answer.contains("<Response/>"), "{answer}");
    }

    let (offer, conversation) = offer_accepted(&mut ann).await;
    assert_eq!(offer.scenario, Scenario::IncomingSms);
    assert_eq!(offer.channel, Channel::Sms);
    assert_eq!(offer.customer_name, "Zoë Nováková");
    assert_eq!(offer.comment, "Where is my parcel?");
    let id = conversation.id.clone();
    // Masking is on: the agent gets the number masked from the server itself.
    let phone = conversation.customer.phone.clone().unwrap();
    assert_eq!(phone.len(), ZOE_MOBILE.len());
    assert!(phone.starts_with("****") && phone.ends_with(&ZOE_MOBILE[ZOE_MOBILE.len() - 4..]));
    assert_eq!(
        conversation.contact.map(|c| c.name).as_deref(),
        Some("Zoë Nováková")
    );
    assert_eq!(conversation.history.len(), 1, "{:?}", conversation.history);
    let attachment = &conversation.history[0].attachments[0];
    assert_eq!(attachment.url, "https://media.example.com/parcel.jpg");
    assert_eq!(attachment.content_type.as_deref(), Some("image/jpeg"));

    // The same number writes again: the same conversation.
    assert_eq!(
        post_sms(&server.address, "SM2", ZOE_MOBILE, "It was due Monday", &[])
            .await
            .0,
        200
    );
    let message = next_message(&mut ann).await;
    assert_eq!(
        (message.conversation.clone(), message.text.as_str()),
        (id.clone(), "It was due Monday")
    );

    // A reply goes out through the Messages API, from the number she wrote to.
    send(&mut ann, &id, "It arrives tomorrow.").await;
    let calls = provider.wait_for_calls(1, PATIENCE).await;
    let call = &calls[0];
    assert_eq!(call.method, "POST");
    assert_eq!(
        call.path,
        format!("/2010-04-01/Accounts/{SMS_ACCOUNT}/Messages.json")
    );
    let credentials =
        base64::engine::general_purpose::STANDARD.encode(format!("{SMS_ACCOUNT}:{SMS_TOKEN}"));
    assert_eq!(call.authorization, Some(format!("Basic {credentials}")));
    assert_eq!(call.field("To").as_deref(), Some(ZOE_MOBILE));
    assert_eq!(call.field("From").as_deref(), Some(SMS_NUMBER));
    assert_eq!(call.field("Body").as_deref(), Some("It arrives tomorrow."));
    assert_eq!(next_message(&mut ann).await.text, "It arrives tomorrow.");

    // A provider that fails for a moment gets the reply again.
    provider.script(&[(503, json!({ "message": "Service unavailable" }))]);
    send(&mut ann, &id, "Tracking number follows.").await;
    assert_eq!(
        next_message(&mut ann).await.text,
        "Tracking number follows."
    );
    provider.wait_for_calls(3, PATIENCE).await;
    assert_eq!(calls_with(&provider, "Tracking number follows.").len(), 2);

    // A provider that refuses for good: the agent reads why, in the thread.
    provider.script(&[(
        400,
        json!({ "code": 21610, "message": "Attempt to send to unsubscribed recipient" }),
    )]);
    send(&mut ann, &id, "Anything else?").await;
    assert_eq!(next_message(&mut ann).await.text, "Anything else?");
    let failure = next_message(&mut ann).await;
    assert_eq!(failure.from, Sender::System);
    assert!(
        failure
            .text
            .contains("Not delivered by SMS: “Anything else?”"),
        "{}",
        failure.text
    );
    assert!(
        failure.text.contains("unsubscribed recipient"),
        "{}",
        failure.text
    );
    assert_eq!(calls_with(&provider, "Anything else?").len(), 1);

    // Once the conversation ends, the next SMS starts a new one.
    let ended = ann
        .command(AgentCommand::End {
            conversation: id.clone(),
            wrap_up: "Resolved".into(),
        })
        .await;
    assert!(matches!(ended, Outcome::Ok { .. }), "{ended:?}");
    assert_eq!(
        post_sms(&server.address, "SM3", ZOE_MOBILE, "One more thing", &[])
            .await
            .0,
        200
    );
    let next = accept_offer(&mut ann).await;
    assert_ne!(next.id, id);
    assert_eq!(next.history.len(), 1);
    // The first conversation is now among her recent ones.
    assert_eq!(next.contact.unwrap().recent[0].id, id);
}

#[tokio::test]
async fn a_reply_the_provider_has_not_taken_is_delivered_after_a_crash() {
    let (mut server, provider) = server_with_channels().await;
    let mut ann = available_agent(&server, "ann@example.com").await;
    assert_eq!(
        post_sms(&server.address, "SM1", ZOE_MOBILE, "Hello?", &[])
            .await
            .0,
        200
    );
    let id = accept_offer(&mut ann).await.id;
    provider.script(&[(503, json!({})), (503, json!({})), (503, json!({}))]);
    send(&mut ann, &id, "Hello from the shop").await;
    provider.wait_for_calls(1, PATIENCE).await;
    server.kill_and_restart();
    let delivered = tokio::time::timeout(PATIENCE, async {
        loop {
            // Past the three refusals, the next call is accepted.
            if provider.calls().len() >= 4 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(delivered.is_ok(), "calls: {:#?}", provider.calls());
    assert!(calls_with(&provider, "Hello from the shop").len() >= 4);
}

/// Posts a customer's Messenger message, signed, and expects it taken.
async fn messenger_message(server: &Server, psid: &str, mid: &str, text: &str, timestamp: u64) {
    let body = facebook_message(psid, mid, text, timestamp).to_string();
    let (status, answer) = post_facebook(&server.address, body.as_bytes()).await;
    assert_eq!(status, 200, "{answer}");
}

#[tokio::test]
async fn a_messenger_customer_no_contact_knows_is_named_from_their_profile() {
    let (server, provider) = server_with_channels().await;
    provider.profile("psid-jan", "Jan", "Dvořák");
    let mut ann = available_agent(&server, "ann@example.com").await;

    messenger_message(&server, "psid-jan", "m_1", "Hello", 1).await;
    let (offer, conversation) = offer_accepted(&mut ann).await;
    assert_eq!(offer.customer_name, "Jan Dvořák");
    assert_eq!(conversation.customer.name, "Jan Dvořák");
    messenger_message(&server, "psid-jan", "m_2", "Are you there?", 2).await;
    let message = ann
        .expect(|e| matches!(e, AgentEvent::Message { .. }))
        .await;
    assert!(matches!(message, AgentEvent::Message { message } if message.text == "Are you there?"));

    // Asked once, of the page's profile API, with the page's token.
    let reads = provider.profile_reads();
    assert_eq!(reads.len(), 1, "{reads:#?}");
    assert_eq!(reads[0].path, "/v21.0/psid-jan");
    let query: Vec<(String, String)> =
        form_urlencoded::parse(reads[0].query.as_deref().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    assert!(query.contains(&("fields".into(), "first_name,last_name".into())));
    assert!(
        !query.iter().any(|(name, _)| name == "access_token"),
        "{query:?}"
    );
    let bearer = format!("Bearer {FACEBOOK_PAGE_TOKEN}");
    assert_eq!(reads[0].authorization.as_deref(), Some(bearer.as_str()));

    // A profile the page may not read is no reason to refuse the message.
    messenger_message(&server, "psid-private", "m_3", "Hi", 3).await;
    let (offer, _) = offer_accepted(&mut ann).await;
    assert_eq!(offer.customer_name, "Messenger customer");
}

#[tokio::test]
async fn messenger_verifies_its_webhook_and_stores_each_message_once() {
    let (server, provider) = server_with_channels().await;
    let http = reqwest::Client::new();
    let handshake = |token: &str| {
        http.get(server.url("/webhooks/facebook"))
            .query(&[
                ("hub.mode", "subscribe"),
                ("hub.verify_token", token),
                ("hub.challenge", "challenge-1158201444"),
            ])
            .send()
    };
    let verified = handshake(FACEBOOK_VERIFY_TOKEN).await.unwrap();
    assert_eq!(verified.status(), 200);
    assert_eq!(verified.text().await.unwrap(), "challenge-1158201444");
    assert_eq!(handshake("guess").await.unwrap().status(), 403);

    let (ok, text) = import(&server, "name,facebook_id\nZoë Nováková,psid-zoe\n");
    assert!(ok, "{text}");
    let mut ann = available_agent(&server, "ann@example.com").await;

    // Signed over other bytes (the same JSON re-serialised), or not at all: refused.
    let forged = facebook_message("psid-zoe", "m_forged", "Forged", 1);
    let body = serde_json::to_vec_pretty(&forged).unwrap();
    let signature = facebook_signature(FACEBOOK_SECRET, &serde_json::to_vec(&forged).unwrap());
    assert_eq!(
        post_facebook_signed(&server.address, &body, &signature)
            .await
            .0,
        403
    );
    assert_eq!(
        post_facebook_signed(&server.address, &body, "").await.0,
        403
    );
    // Signed, but not readable at all: refused with the reason.
    let (status, answer) = post_facebook(&server.address, b"{\"object\":\"page\",\"entry\":").await;
    assert_eq!(status, 400, "{answer}");
    // Two entries in one call: a message, and a delivery receipt.
    let mut batch = facebook_message("psid-zoe", "m_1", "Do you ship to Brno?", 1);
    batch["entry"].as_array_mut().unwrap().push(json!({
        "id": FACEBOOK_PAGE,
        "time": 2,
        "messaging": [{
            "sender": { "id": "psid-zoe" },
            "recipient": { "id": FACEBOOK_PAGE },
            "timestamp": 2,
            "delivery": { "mids": ["m_0"], "watermark": 2 }
        }]
    }));
    let body = serde_json::to_vec(&batch).unwrap();
    assert_eq!(post_facebook(&server.address, &body).await.0, 200);
    // A redelivery of the same message.
    assert_eq!(post_facebook(&server.address, &body).await.0, 200);

    let (offer, conversation) = offer_accepted(&mut ann).await;
    assert_eq!(offer.scenario, Scenario::IncomingFacebook);
    assert_eq!(offer.customer_name, "Zoë Nováková");
    // The contact's name: her profile is not asked for.
    assert!(provider.profile_reads().is_empty());
    assert_eq!(conversation.channel, Channel::Facebook);
    assert_eq!(conversation.history.len(), 1, "{:?}", conversation.history);
    assert!(conversation.contact.is_some());

    // The agent typing shows on Messenger as the page typing.
    ann.send_typing(&conversation.id, true).await;
    let calls = provider.wait_for_calls(1, PATIENCE).await;
    assert_eq!(
        calls[0].json(),
        json!({ "recipient": { "id": "psid-zoe" }, "sender_action": "typing_on" })
    );
    send(&mut ann, &conversation.id, "Yes, in two days.").await;
    let calls = provider.wait_for_calls(2, PATIENCE).await;
    let call = &calls[1];
    assert_eq!(call.method, "POST");
    assert_eq!(call.path, "/v21.0/me/messages");
    // The page's token travels in a header, never in the URL.
    assert_eq!(call.query, None);
    let bearer = format!("Bearer {FACEBOOK_PAGE_TOKEN}");
    assert_eq!(call.authorization.as_deref(), Some(bearer.as_str()));
    assert_eq!(
        call.json(),
        json!({
            "recipient": { "id": "psid-zoe" },
            "messaging_type": "RESPONSE",
            "message": { "text": "Yes, in two days." }
        })
    );

    // One item of a batch unreadable, one for another page, one message with nothing in it:
    // each is skipped, and the message beside them goes on.
    let mut mixed = facebook_message("psid-eva", "m_eva", "Is the shop open on Sunday?", 1);
    let items = mixed["entry"][0]["messaging"].as_array_mut().unwrap();
    items.insert(0, json!({}));
    items.insert(
        1,
        json!({
            "sender": { "id": "psid-eva" },
            "recipient": { "id": "another-page" },
            "message": { "mid": "m_other", "text": "Hello" }
        }),
    );
    items.insert(
        2,
        json!({
            "sender": { "id": "psid-eva" },
            "recipient": { "id": FACEBOOK_PAGE },
            "message": { "mid": "m_empty", "text": "  " }
        }),
    );
    let (status, answer) = post_facebook(&server.address, mixed.to_string().as_bytes()).await;
    assert_eq!(status, 200, "{answer}");
    let (_, eva) = offer_accepted(&mut ann).await;
    assert_eq!(eva.history.len(), 1, "{:?}", eva.history);
    assert_eq!(eva.history[0].text, "Is the shop open on Sunday?");
}
