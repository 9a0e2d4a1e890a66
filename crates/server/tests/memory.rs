//! Memory that follows what is open: routing keeps the latest page of each thread and earlier
//! pages are read from the store; a closed conversation's streams are forgotten, and a customer
//! coming back to it is answered from the store.

mod support;

use support::{Agent, Customer, Server, accepted_chat, config};
use switchboard_protocol::agent::{AgentCommand, AgentEvent, CommandResult, Outcome};
use switchboard_protocol::customer::{CustomerCommand, CustomerEvent, CustomerOutcome};
use switchboard_protocol::rules::HISTORY_PAGE;
use switchboard_protocol::{ChatMessage, ConversationId, ErrorCode};
use switchboard_testkit::{CUSTOMER_KEY, customer_token, persistent_widget};

fn ok(outcome: Outcome) {
    assert!(matches!(outcome, Outcome::Ok { .. }), "{outcome:?}");
}

async fn earlier(agent: &mut Agent, conversation: &ConversationId, before: u64) -> Outcome {
    agent
        .command(AgentCommand::History {
            conversation: conversation.clone(),
            before,
        })
        .await
}

fn page(outcome: Outcome) -> Vec<ChatMessage> {
    match outcome {
        Outcome::Ok {
            result: CommandResult::Messages { messages },
        } => messages,
        other => panic!("a page of messages, not {other:?}"),
    }
}

#[tokio::test]
async fn a_long_thread_comes_in_pages_the_latest_first_masked() {
    let server = Server::start(&config(30, 60));
    let (mut ann, mut zoe, conversation) = accepted_chat(&server).await;
    zoe.say("My card is 4111 1111 1111 1111").await;
    for n in 0..HISTORY_PAGE + 10 {
        zoe.say(&format!("line {n}")).await;
    }
    let last = format!("line {}", HISTORY_PAGE + 9);
    ann.expect(|e| matches!(e, AgentEvent::Message { message } if message.text == last))
        .await;

    // A desktop starting afresh gets the latest page; the first message's id says more exist.
    let mut desktop = Agent::connect(&server, &ann.token, None).await;
    let snapshot = desktop.next_snapshot().await;
    assert_eq!(snapshot.history.len(), HISTORY_PAGE);
    assert_eq!(snapshot.history.last().unwrap().text, last);
    let first = snapshot.history[0].id;
    assert!(first > 1);

    let before = page(earlier(&mut desktop, &conversation, first).await);
    let ids: Vec<u64> = before.iter().map(|m| m.id).collect();
    assert_eq!(
        ids,
        (1..first).collect::<Vec<_>>(),
        "every earlier message, oldest first"
    );
    assert_eq!(before[0].text, "Hello");
    assert!(
        before.iter().all(|m| !m.text.contains("4111 1111")),
        "masked like everything an agent is sent: {before:?}"
    );
    assert!(page(earlier(&mut desktop, &conversation, 1).await).is_empty());

    // Only those who take part read it.
    let mut bo = Agent::sign_in(&server, "bo@example.com").await;
    let Outcome::Error { error } = earlier(&mut bo, &conversation, first).await else {
        panic!("an agent outside the conversation reads nothing")
    };
    assert_eq!(error.code, ErrorCode::InvalidState);
}

#[tokio::test]
async fn a_customer_back_after_the_conversation_closed_gets_what_they_missed() {
    let server = Server::start(&config(30, 60));
    let (mut ann, mut zoe, conversation) = accepted_chat(&server).await;
    zoe.expect(|e| matches!(e, CustomerEvent::AgentJoined { .. }))
        .await;
    let (token, seen) = (zoe.token.clone().unwrap(), zoe.last_seq);
    drop(zoe);
    ok(ann
        .command(AgentCommand::SendMessage {
            conversation: conversation.clone(),
            text: "Goodbye".into(),
            files: Vec::new(),
        })
        .await);
    // Ending with a reason closes it at once: the server keeps nothing of it in memory.
    ok(ann
        .command(AgentCommand::End {
            conversation: conversation.clone(),
            wrap_up: "Resolved".into(),
        })
        .await);
    let mut zoe = Customer::connect(&server, Some((&token, seen))).await;
    zoe.expect(|e| matches!(e, CustomerEvent::Message { message } if message.text == "Goodbye"))
        .await;
    zoe.expect(|e| matches!(e, CustomerEvent::Ended { .. }))
        .await;
}

#[tokio::test]
async fn a_persistent_customer_on_another_device_gets_the_latest_page_and_earlier_ones_when_asked()
{
    let server = Server::start(&(config(30, 60) + &persistent_widget()));
    let token = customer_token(CUSTOMER_KEY, "customer-1", "Zoë", 3600);
    let mut laptop = Customer::connect(&server, None).await;
    assert_eq!(
        laptop.start_signed_in(&token, "Hello").await,
        CustomerOutcome::Ok
    );
    for n in 0..HISTORY_PAGE {
        laptop.say(&format!("line {n}")).await;
    }
    let mut phone = Customer::connect(&server, None).await;
    assert_eq!(phone.resume_signed_in(&token).await, CustomerOutcome::Ok);
    let CustomerEvent::History { messages } = phone
        .expect(|e| matches!(e, CustomerEvent::History { .. }))
        .await
    else {
        unreachable!()
    };
    assert_eq!(
        messages.len(),
        HISTORY_PAGE,
        "the latest page, not the whole thread"
    );
    let first = messages[0].id;
    assert_eq!(first, 2);
    let earlier = phone
        .command(CustomerCommand::History { before: first })
        .await;
    let CustomerOutcome::Page { messages } = earlier else {
        panic!("a page, not {earlier:?}")
    };
    assert_eq!(
        messages.iter().map(|m| m.text.as_str()).collect::<Vec<_>>(),
        ["Hello"]
    );
    // A connection in no conversation reads nothing.
    let mut stranger = Customer::connect(&server, None).await;
    let CustomerOutcome::Error { error } = stranger
        .command(CustomerCommand::History { before: 10 })
        .await
    else {
        panic!()
    };
    assert_eq!(error.code, ErrorCode::InvalidState);
}
