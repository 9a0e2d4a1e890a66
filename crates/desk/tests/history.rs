//! A long thread on the desk: the pane gets the latest page, earlier pages when asked.

mod support;

use support::{Customer, Server, available, config, eventually};
use switchboard_desk::Answer;
use switchboard_protocol::rules::HISTORY_PAGE;

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
