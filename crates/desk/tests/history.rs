//! A long thread on the desk: the pane gets the latest page, earlier pages when asked.

mod support;

use support::{Customer, Server, available, config, eventually};
use switchboard_desk::{Answer, CommandError, DeskError};
use switchboard_protocol::ErrorCode;
use switchboard_protocol::rules::HISTORY_PAGE;
use switchboard_testkit::supervisor;

#[tokio::test(flavor = "multi_thread")]
async fn a_desktop_starting_on_a_long_thread_shows_the_latest_page_and_earlier_ones_when_asked() {
    let server = Server::start(&config(30, 60));
    let ann = server.desk("ann@example.com").await;
    available(&ann).await;
    let mut zoe = Customer::start(&server, "Zoë", "Hello").await;
    eventually(&ann, "an alert", |s| !s.alerts.is_empty()).await;
    let alert = ann.snapshot().alerts[0].clone();
    ann.answer(&alert.conversation, Answer::Accept)
        .await
        .unwrap();
    zoe.say("My card is 4111 1111 1111 1111").await;
    for n in 0..HISTORY_PAGE {
        zoe.say(&format!("line {n}")).await;
    }
    let id = alert.conversation.clone();
    let last = format!("line {}", HISTORY_PAGE - 1);
    eventually(&ann, "every line", |s| {
        s.conversations
            .iter()
            .any(|c| c.bubbles.last().is_some_and(|b| b.text == last))
    })
    .await;
    assert!(
        !ann.conversation(&id).unwrap().earlier,
        "it saw every message"
    );

    // Another desktop signed in as the same agent starts afresh from the server's latest page.
    let again = server.desk("ann@example.com").await;
    eventually(&again, "the conversation", |s| {
        s.conversations.iter().any(|c| c.id == id)
    })
    .await;
    let view = again.conversation(&id).unwrap();
    assert_eq!(view.bubbles.len(), HISTORY_PAGE);
    assert!(view.earlier);
    again.show_earlier(&id).await.unwrap();
    let view = again.conversation(&id).unwrap();
    assert!(!view.earlier, "the beginning is there");
    let texts: Vec<&str> = view.bubbles.iter().map(|b| b.text.as_str()).collect();
    assert_eq!(texts.len(), HISTORY_PAGE + 2);
    assert_eq!(
        texts[..3],
        ["Hello", "My card is **** **** **** 1111", "line 0"]
    );
    assert_eq!(texts.last(), Some(&last.as_str()));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_ended_conversation_is_found_and_read_with_its_notes_by_its_agent_or_a_supervisor() {
    let sue = supervisor("sue@example.com", "Sue");
    let server = Server::start(&format!("{}{sue}", config(30, 60)));
    let ann = server.desk("ann@example.com").await;
    available(&ann).await;
    let mut zoe = Customer::start(&server, "Zoë Nováková", "Hello").await;
    eventually(&ann, "an alert", |s| !s.alerts.is_empty()).await;
    let id = ann.snapshot().alerts[0].conversation.clone();
    ann.answer(&id, Answer::Accept).await.unwrap();
    zoe.say("Please call me on +420 777 123 456").await;
    eventually(&ann, "her message", |s| {
        s.conversations
            .iter()
            .any(|c| c.bubbles.iter().any(|b| b.text.contains("call me")))
    })
    .await;
    ann.send_note(&id, "Wants a call back").await.unwrap();
    ann.end(&id, "Resolved").await.unwrap();

    assert!(
        ann.search("*", false).await.is_err(),
        "no word: refused before asking"
    );
    let found = ann.search("zoe nova", false).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].conversation.id, id);
    assert_eq!(found[0].customer, "Zoë Nováková");
    let transcript = ann.transcript(&id, &found[0].customer).await.unwrap();
    let texts: Vec<&str> = transcript.bubbles.iter().map(|b| b.text.as_str()).collect();
    assert!(texts.contains(&"Wants a call back"), "{texts:?}");
    assert!(
        texts.iter().all(|text| !text.contains("777 123")),
        "masked: {texts:?}"
    );

    // An agent's desk may not search everyone's: the server refuses it.
    assert!(!ann.snapshot().supervises);
    match ann.search("zoe", true).await {
        Err(DeskError::Command(CommandError::Refused(error))) => {
            assert_eq!(error.code, ErrorCode::Forbidden)
        }
        other => panic!("refused as forbidden, not {other:?}"),
    }
    // A supervisor's desk finds and reads hers, masked, notes included.
    let sue = server.desk("sue@example.com").await;
    assert!(sue.snapshot().supervises);
    assert!(sue.search("zoe", false).await.unwrap().is_empty());
    let found = sue.search("call", true).await.unwrap();
    assert_eq!(found.len(), 1);
    assert!(
        !found[0].excerpt.contains("777 123"),
        "{}",
        found[0].excerpt
    );
    let transcript = sue.transcript(&id, &found[0].customer).await.unwrap();
    assert!(
        transcript
            .bubbles
            .iter()
            .any(|b| b.text == "Wants a call back"),
        "{:?}",
        transcript.bubbles
    );
}
