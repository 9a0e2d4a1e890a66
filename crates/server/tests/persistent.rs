//! Persistent chat at the server's edges: only customers the site signed in may use it; they find
//! their history on every visit (the latest page; earlier pages on request, see `memory.rs`), across devices and restarts; only the agent ends it; an
//! agent moves it to waiting, and the customer's next message brings it back to that agent —
//! whatever their load — or to the queue when they are offline.

mod support;

use support::{Agent, Customer, Server, available_agent, config, offer_accepted};
use switchboard_protocol::agent::{AgentCommand, AgentEvent, Outcome, PresenceRequest, Scenario};
use switchboard_protocol::customer::{CustomerEvent, CustomerOutcome};
use switchboard_protocol::{ConversationId, ErrorCode, Sender};
use switchboard_testkit::{CUSTOMER_KEY, customer_token, persistent_widget};

/// Agents hold one conversation at a time; `account` is the persistent widget.
fn persistent_config(if_agent_offline: &str) -> String {
    config(30, 60)
        .replace("default_capacity = 3", "default_capacity = 1")
        .replace(
            "[workstreams.chat]\n",
            &format!("[workstreams.chat]\nif_agent_offline = \"{if_agent_offline}\"\n"),
        )
        + &persistent_widget()
}

const AVAILABLE: AgentCommand = AgentCommand::SetPresence {
    presence: PresenceRequest::Available,
};

fn zoe_token() -> String {
    customer_token(CUSTOMER_KEY, "customer-1", "Zoë Nováková", 3600)
}

async fn ok(agent: &mut Agent, command: AgentCommand) {
    let outcome = agent.command(command).await;
    assert!(matches!(outcome, Outcome::Ok { .. }), "{outcome:?}");
}

/// The events a customer gets until (and with) the first that `last` matches.
async fn events_until(
    customer: &mut Customer,
    last: impl Fn(&CustomerEvent) -> bool,
) -> Vec<CustomerEvent> {
    let mut seen = Vec::new();
    loop {
        let event = customer.expect(|_| true).await;
        let done = last(&event);
        seen.push(event);
        if done {
            return seen;
        }
    }
}

fn texts(messages: &[switchboard_protocol::ChatMessage]) -> Vec<&str> {
    messages.iter().map(|m| m.text.as_str()).collect()
}

#[tokio::test]
async fn a_persistent_chat_keeps_its_history_and_comes_back_to_its_agent_whatever_their_load() {
    let mut server = Server::start(&persistent_config("queue"));
    let mut ann = available_agent(&server, "ann@example.com").await;

    // Not signed in, signed in too long ago, or by someone else: refused, with the reason.
    let mut stranger = Customer::connect(&server, None).await;
    let refusals = [
        (String::new(), "signed-in customers"),
        (
            customer_token(CUSTOMER_KEY, "customer-1", "Zoë", -3600),
            "expired",
        ),
        (
            customer_token(
                "another-site-key-of-32-characters!!",
                "customer-1",
                "Zoë",
                3600,
            ),
            "not signed by this site",
        ),
    ];
    for (token, reason) in refusals {
        let CustomerOutcome::Error { error } = stranger.start_signed_in(&token, "Hello").await
        else {
            panic!("a chat started without a valid sign-in")
        };
        assert_eq!(error.code, ErrorCode::Unauthorized);
        assert!(error.message.contains(reason), "{}", error.message);
    }

    let mut zoe = Customer::connect(&server, None).await;
    assert_eq!(
        zoe.start_signed_in(&zoe_token(), "Where is my order?")
            .await,
        CustomerOutcome::Ok
    );
    let (offer, snapshot) = offer_accepted(&mut ann).await;
    assert_eq!(offer.scenario, Scenario::IncomingChat);
    assert_eq!(
        offer.comment, "Where is my order?",
        "the refused starts left nothing"
    );
    assert!(snapshot.persistent);
    assert_eq!(
        snapshot.customer.name, "Zoë Nováková",
        "the name the site signed"
    );
    let id = snapshot.id.clone();
    let before_agent =
        events_until(&mut zoe, |e| matches!(e, CustomerEvent::AgentJoined { .. })).await;
    assert!(matches!(
        before_agent[0],
        CustomerEvent::Started {
            persistent: true,
            ..
        }
    ));
    assert!(
        !before_agent
            .iter()
            .any(|e| matches!(e, CustomerEvent::Queued { .. })),
        "no queue position in a persistent chat: {before_agent:?}"
    );
    // Only the agent ends a persistent chat.
    let CustomerOutcome::Error { error } = zoe
        .command(switchboard_protocol::customer::CustomerCommand::End)
        .await
    else {
        panic!("the customer ended a persistent chat")
    };
    assert!(error.message.contains("stays open"), "{}", error.message);

    ok(
        &mut ann,
        AgentCommand::SendMessage {
            conversation: id.clone(),
            text: "It ships on Monday.".into(),
            files: Vec::new(),
        },
    )
    .await;
    ok(
        &mut ann,
        AgentCommand::SendNote {
            conversation: id.clone(),
            text: "Carrier says Monday; check again if she writes".into(),
        },
    )
    .await;
    ok(
        &mut ann,
        AgentCommand::Park {
            conversation: id.clone(),
        },
    )
    .await;
    ann.expect(|e| matches!(e, AgentEvent::Closed { conversation } if *conversation == id))
        .await;
    // Waiting frees Ann's only place: she takes a live chat.
    let _mo = Customer::start(&server, "Mo", "Hi").await;
    let (_, held) = offer_accepted(&mut ann).await;
    assert_eq!(held.customer.name, "Mo");

    // Days later, on another device, after the server went down hard.
    drop(zoe);
    server.kill_and_restart();
    let mut ann = Agent::sign_in(&server, "ann@example.com").await;
    ok(
        &mut ann,
        AgentCommand::SetPresence {
            presence: PresenceRequest::Available,
        },
    )
    .await;
    let mut phone = Customer::connect(&server, None).await;
    assert_eq!(
        phone.resume_signed_in(&zoe_token()).await,
        CustomerOutcome::Ok
    );
    let reopened = events_until(&mut phone, |e| matches!(e, CustomerEvent::History { .. })).await;
    assert!(
        matches!(&reopened[0], CustomerEvent::Started { conversation, persistent: true, .. } if *conversation == id)
    );
    let Some(CustomerEvent::History { messages }) = reopened.last() else {
        unreachable!()
    };
    assert_eq!(
        texts(messages),
        ["Where is my order?", "It ships on Monday."]
    );

    phone.say("It did not arrive").await;
    let (offer, snapshot) = offer_accepted(&mut ann).await;
    assert_eq!(
        offer.scenario,
        Scenario::CustomerReturned,
        "to Ann, though she is full"
    );
    assert_eq!(snapshot.id, id);
    assert_eq!(
        texts(&snapshot.history),
        [
            "Where is my order?",
            "It ships on Monday.",
            "Carrier says Monday; check again if she writes",
            "Ann moved the conversation to waiting",
            "It did not arrive"
        ]
    );
    assert!(matches!(snapshot.history[2].from, Sender::Note { .. }));
    assert!(matches!(snapshot.history[3].from, Sender::System));
    // A new visit without a sign-in finds nothing.
    let mut nobody = Customer::connect(&server, None).await;
    let CustomerOutcome::Error { error } = nobody
        .resume_signed_in(&customer_token(CUSTOMER_KEY, "customer-2", "Bo", 3600))
        .await
    else {
        panic!()
    };
    assert_eq!(error.code, ErrorCode::NotFound);
}

/// Ann moves Zoë's persistent chat to waiting and goes offline; Zoë writes again.
async fn returning_while_ann_is_offline(server: &Server) -> (Customer, ConversationId) {
    let mut ann = available_agent(server, "ann@example.com").await;
    let mut zoe = Customer::connect(server, None).await;
    assert_eq!(
        zoe.start_signed_in(&zoe_token(), "Hello").await,
        CustomerOutcome::Ok
    );
    let id = offer_accepted(&mut ann).await.1.id;
    ok(
        &mut ann,
        AgentCommand::Park {
            conversation: id.clone(),
        },
    )
    .await;
    ok(
        &mut ann,
        AgentCommand::SetPresence {
            presence: PresenceRequest::Offline,
        },
    )
    .await;
    zoe.say("Anyone?").await;
    (zoe, id)
}

#[tokio::test]
async fn a_customer_whose_agent_is_offline_goes_to_the_queue_or_waits_as_configured() {
    let server = Server::start(&persistent_config("queue"));
    let mut bo = Agent::sign_in(&server, "bo@example.com").await;
    let (_zoe, id) = returning_while_ann_is_offline(&server).await;
    ok(&mut bo, AVAILABLE).await;
    let (offer, _) = offer_accepted(&mut bo).await;
    assert_eq!(
        (offer.conversation, offer.scenario),
        (id, Scenario::CustomerReturned)
    );

    let server = Server::start(&persistent_config("wait"));
    let mut bo = Agent::sign_in(&server, "bo@example.com").await;
    let (_zoe, id) = returning_while_ann_is_offline(&server).await;
    // Bo is free, but Zoë waits for Ann: the first offer Bo gets is the next customer's.
    ok(&mut bo, AVAILABLE).await;
    let _mo = Customer::start(&server, "Mo", "Hi").await;
    let (offer, _) = offer_accepted(&mut bo).await;
    assert_eq!(
        offer.customer_name, "Mo",
        "Bo is not offered Zoë's conversation"
    );
    let mut ann = available_agent(&server, "ann@example.com").await;
    let (offer, _) = offer_accepted(&mut ann).await;
    assert_eq!(
        (offer.conversation, offer.scenario),
        (id, Scenario::CustomerReturned)
    );
}

#[tokio::test]
async fn a_refused_start_leaves_the_persistent_conversation_and_its_resume_token_as_they_were() {
    let server = Server::start(&persistent_config("queue"));
    let mut ann = available_agent(&server, "ann@example.com").await;
    let mut zoe = Customer::connect(&server, None).await;
    assert_eq!(
        zoe.start_signed_in(&zoe_token(), "Hello").await,
        CustomerOutcome::Ok
    );
    let id = offer_accepted(&mut ann).await.1.id;
    let (token, last_seq) = (zoe.token.clone().unwrap(), zoe.last_seq);
    drop(zoe);

    // On another device, a first message the rules refuse.
    let mut tablet = Customer::connect(&server, None).await;
    let CustomerOutcome::Error { error } = tablet
        .start_signed_in(&zoe_token(), &"a".repeat(1001))
        .await
    else {
        panic!("an oversized message was taken")
    };
    assert_eq!(error.code, ErrorCode::MessageTooLong);
    assert!(tablet.token.is_none(), "no new resume token was given");

    // The first device still resumes with the token it had, and nothing was added.
    let mut zoe =
        Customer::connect_signed_in(&server, Some((&token, last_seq)), Some(&zoe_token())).await;
    zoe.say("Still there?").await;
    let message = ann
        .expect(|e| matches!(e, AgentEvent::Message { .. }))
        .await;
    let AgentEvent::Message { message } = message else {
        unreachable!()
    };
    assert_eq!(
        (message.conversation, message.text.as_str()),
        (id, "Still there?")
    );
}

/// A second persistent widget, `portal`, signing its customers with its own key; `audience`, if
/// any, is the `aud` its tokens must name.
fn second_widget(audience: Option<&str>) -> String {
    let audience = audience.map_or(String::new(), |aud| {
        format!("customer_token_audience = \"{aud}\"\n")
    });
    format!(
        "\n[[widgets]]\nid = \"portal\"\nqueue = \"general\"\nmode = \"persistent\"\ncustomer_key = \"{PORTAL_KEY}\"\nallowed_origins = [\"https://portal.example.com\"]\n{audience}"
    )
}

const PORTAL_KEY: &str = "the-portal-signs-with-another-32-char-key";

/// A token for `portal`, naming `customer`, with these extra claims.
fn portal_token(customer: &str, extra: serde_json::Value) -> String {
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    let mut claims = serde_json::json!({ "sub": customer, "exp": exp });
    claims
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(PORTAL_KEY.as_bytes()),
    )
    .unwrap()
}

#[tokio::test]
async fn the_same_customer_id_under_another_widget_is_another_customer() {
    let server = Server::start(&(persistent_config("queue") + &second_widget(None)));
    let mut zoe = Customer::connect(&server, None).await;
    assert_eq!(
        zoe.start_signed_in(&zoe_token(), "My account question")
            .await,
        CustomerOutcome::Ok
    );
    // Someone the portal signed in with the same `sub` finds no conversation, and sees nothing.
    let mut other = Customer::connect(&server, None).await;
    let resumed = other
        .command(switchboard_protocol::customer::CustomerCommand::Resume {
            widget: "portal".into(),
            customer_token: portal_token("customer-1", serde_json::json!({})),
        })
        .await;
    let CustomerOutcome::Error { error } = resumed else {
        panic!("{resumed:?}")
    };
    assert_eq!(error.code, ErrorCode::NotFound);
}

#[tokio::test]
async fn resuming_a_persistent_chat_needs_the_customers_token_every_time() {
    let server = Server::start(&persistent_config("queue"));
    let mut zoe = Customer::connect(&server, None).await;
    assert_eq!(
        zoe.start_signed_in(&zoe_token(), "Hello").await,
        CustomerOutcome::Ok
    );
    let token = zoe.token.clone().unwrap();
    let last_seq = zoe.last_seq;
    drop(zoe);
    // The site signed the customer out: the browser's stored conversation token is not enough.
    let mut shared_browser = Customer::connect(&server, Some((&token, last_seq))).await;
    let refused = shared_browser.next_error().await;
    assert_eq!(refused.code, ErrorCode::NotFound);
    // Signed in again, the same browser goes on.
    let mut zoe =
        Customer::connect_signed_in(&server, Some((&token, last_seq)), Some(&zoe_token())).await;
    zoe.say("I am back").await;
}

#[tokio::test]
async fn a_widget_with_an_audience_takes_only_tokens_for_it() {
    let server = Server::start(&(config(30, 60) + &second_widget(Some("chat.example.com"))));
    let mut customer = Customer::connect(&server, None).await;
    let start = |token: String| switchboard_protocol::customer::CustomerCommand::StartChat {
        widget: "portal".into(),
        name: String::new(),
        email: None,
        message: "Hello".into(),
        context: Default::default(),
        customer_token: Some(token),
        proactive: false,
        language: None,
    };
    for refused in [
        portal_token("customer-9", serde_json::json!({})),
        portal_token(
            "customer-9",
            serde_json::json!({ "aud": "billing.example.com" }),
        ),
    ] {
        let outcome = customer.command(start(refused)).await;
        let CustomerOutcome::Error { error } = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(error.code, ErrorCode::Unauthorized);
    }
    let accepted = portal_token(
        "customer-9",
        serde_json::json!({ "aud": "chat.example.com", "name": "Zoë" }),
    );
    assert_eq!(customer.command(start(accepted)).await, CustomerOutcome::Ok);
}
