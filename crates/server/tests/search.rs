//! Search: an agent finds the ended conversations they took part in, by their customer or their
//! messages' words, masked, and reads one's transcript; nobody else's, and nothing still open. A
//! supervisor finds and reads everyone's; an agent asking for that is refused.

mod support;

use support::{Agent, Customer, Server, accept_offer, accepted_chat, config};
use switchboard_protocol::agent::{AgentCommand, CommandResult, Outcome, Role, SearchResult};
use switchboard_protocol::rules::MAX_SEARCH_CHARS;
use switchboard_protocol::{ChatMessage, ConversationId, ErrorCode};
use switchboard_testkit::supervisor;

fn ok(outcome: Outcome) {
    assert!(matches!(outcome, Outcome::Ok { .. }), "{outcome:?}");
}

async fn search(agent: &mut Agent, query: &str) -> Result<Vec<SearchResult>, ErrorCode> {
    search_among(agent, query, false).await
}

/// A search through everyone's ended conversations: a supervisor's.
async fn search_everyone(agent: &mut Agent, query: &str) -> Result<Vec<SearchResult>, ErrorCode> {
    search_among(agent, query, true).await
}

async fn search_among(
    agent: &mut Agent,
    query: &str,
    everyone: bool,
) -> Result<Vec<SearchResult>, ErrorCode> {
    match agent
        .command(AgentCommand::Search {
            query: query.into(),
            everyone,
        })
        .await
    {
        Outcome::Ok {
            result: CommandResult::Found { results },
        } => Ok(results),
        Outcome::Error { error } => Err(error.code),
        other => panic!("found or an error, not {other:?}"),
    }
}

async fn transcript(
    agent: &mut Agent,
    conversation: &ConversationId,
) -> Result<Vec<ChatMessage>, ErrorCode> {
    match agent
        .command(AgentCommand::Transcript {
            conversation: conversation.clone(),
        })
        .await
    {
        Outcome::Ok {
            result: CommandResult::Messages { messages },
        } => Ok(messages),
        Outcome::Error { error } => Err(error.code),
        other => panic!("messages or an error, not {other:?}"),
    }
}

fn found(results: &[SearchResult]) -> Vec<&ConversationId> {
    results.iter().map(|r| &r.conversation.id).collect()
}

#[tokio::test]
async fn an_agent_finds_their_ended_conversations_by_customer_or_words_and_reads_them_masked() {
    let mut server = Server::start(&config(30, 60));
    let (mut ann, mut zoe, parcel) = accepted_chat(&server).await;
    zoe.say("My parcel never arrived; call me on +420 777 123 456")
        .await;
    for command in [
        AgentCommand::SendMessage {
            conversation: parcel.clone(),
            text: "I will send the parcel again".into(),
            files: Vec::new(),
        },
        AgentCommand::SendNote {
            conversation: parcel.clone(),
            text: "Courier lost it twice".into(),
        },
        AgentCommand::End {
            conversation: parcel.clone(),
            wrap_up: "Resolved".into(),
        },
    ] {
        ok(ann.command(command).await);
    }
    // Still open: not a past conversation yet.
    let _max = Customer::start(&server, "Max", "A parcel invoice question").await;
    let open = accept_offer(&mut ann).await.id;

    let results = search(&mut ann, "PARCEL").await.unwrap();
    assert_eq!(
        found(&results),
        [&parcel],
        "the ended one only: {results:?}"
    );
    let result = &results[0];
    assert_eq!(result.customer.name, "Zoë");
    assert_eq!(result.conversation.wrap_up.as_deref(), Some("Resolved"));
    assert_eq!(
        result.excerpt, "I will send the parcel again",
        "the latest match"
    );
    // By the customer's name, accents and case aside, and by a word's beginning; notes count.
    assert_eq!(found(&search(&mut ann, "zoe").await.unwrap()), [&parcel]);
    assert_eq!(
        found(&search(&mut ann, "cour twi").await.unwrap()),
        [&parcel]
    );
    // Every word must be in one text.
    assert!(search(&mut ann, "parcel courier").await.unwrap().is_empty());
    // Masked like everything an agent is sent.
    let results = search(&mut ann, "arrived").await.unwrap();
    assert_eq!(found(&results), [&parcel]);
    assert!(
        !results[0].excerpt.contains("777 123"),
        "{:?}",
        results[0].excerpt
    );
    // Bad queries are refused, with nothing searched.
    assert_eq!(search(&mut ann, " *- ").await, Err(ErrorCode::InvalidInput));
    let long = "a".repeat(MAX_SEARCH_CHARS + 1);
    assert_eq!(search(&mut ann, &long).await, Err(ErrorCode::InvalidInput));

    // The transcript to read, masked, notes included.
    let thread = transcript(&mut ann, &parcel).await.unwrap();
    let texts: Vec<&str> = thread.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts[0], "Hello");
    assert!(texts.contains(&"Courier lost it twice"), "{texts:?}");
    assert!(
        texts.iter().all(|text| !text.contains("4111 1111")),
        "{texts:?}"
    );
    assert_eq!(transcript(&mut ann, &open).await, Err(ErrorCode::NotFound));

    // Another agent finds and reads none of Ann's.
    let mut bo = Agent::sign_in(&server, "bo@example.com").await;
    assert!(search(&mut bo, "parcel").await.unwrap().is_empty());
    assert_eq!(transcript(&mut bo, &parcel).await, Err(ErrorCode::NotFound));

    // The index is stored: after a kill, the same search finds the same conversation.
    drop((ann, bo, zoe));
    server.kill_and_restart();
    let mut ann = Agent::sign_in(&server, "ann@example.com").await;
    assert_eq!(found(&search(&mut ann, "parcel").await.unwrap()), [&parcel]);
}

#[tokio::test]
async fn a_supervisor_searches_and_reads_everyones_ended_conversations_and_an_agent_may_not() {
    let sue = supervisor("sue@example.com", "Sue");
    let server = Server::start(&format!("{}{sue}", config(30, 60)));
    let (mut ann, mut zoe, parcel) = accepted_chat(&server).await;
    zoe.say("My parcel never arrived; call me on +420 777 123 456")
        .await;
    ok(ann
        .command(AgentCommand::End {
            conversation: parcel.clone(),
            wrap_up: "Resolved".into(),
        })
        .await);

    // An agent's client asking for everyone's is refused, and sees nothing of Ann's.
    let mut bo = Agent::sign_in(&server, "bo@example.com").await;
    assert_eq!(bo.role, Role::Agent);
    assert_eq!(
        search_everyone(&mut bo, "parcel").await,
        Err(ErrorCode::Forbidden)
    );
    assert!(search(&mut bo, "parcel").await.unwrap().is_empty());
    assert_eq!(transcript(&mut bo, &parcel).await, Err(ErrorCode::NotFound));

    // The server tells the supervisor's desktop her role, at sign-in and on the socket.
    assert_eq!(
        server.login("sue@example.com").await.agent.role,
        Role::Supervisor
    );
    let mut sue = Agent::sign_in(&server, "sue@example.com").await;
    assert_eq!(sue.role, Role::Supervisor);
    // Her own search finds none (she took part in none); everyone's finds Ann's, masked.
    assert!(search(&mut sue, "parcel").await.unwrap().is_empty());
    let results = search_everyone(&mut sue, "parcel arrived").await.unwrap();
    assert_eq!(found(&results), [&parcel]);
    assert!(
        !results[0].excerpt.contains("777 123"),
        "{:?}",
        results[0].excerpt
    );
    let thread = transcript(&mut sue, &parcel).await.unwrap();
    assert!(
        thread
            .iter()
            .any(|m| m.text.starts_with("My parcel never arrived")),
        "{thread:?}"
    );
    assert!(thread.iter().all(|m| !m.text.contains("777 123")));
}
