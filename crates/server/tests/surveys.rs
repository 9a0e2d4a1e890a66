//! The satisfaction survey: once a chat has ended, its customer rates it once (1–5 stars and a
//! comment) when the widget asks; the answer is stored with the conversation, shown to its agent
//! and counted in the reports. A widget that does not ask takes no rating.

mod support;

use reqwest::Method;
use support::{AdminApi, Agent, Customer, Server, accepted_chat, config};
use switchboard_protocol::agent::{AgentCommand, CommandResult, Outcome};
use switchboard_protocol::customer::{CustomerCommand, CustomerOutcome};
use switchboard_protocol::{ConversationId, ErrorCode};

fn rate(rating: u8, comment: &str) -> CustomerCommand {
    CustomerCommand::Rate {
        rating,
        comment: comment.into(),
    }
}

fn refused(outcome: CustomerOutcome) -> ErrorCode {
    match outcome {
        CustomerOutcome::Error { error } => error.code,
        other => panic!("refused, not {other:?}"),
    }
}

async fn end(ann: &mut Agent, chat: ConversationId) {
    let end = AgentCommand::End {
        conversation: chat,
        wrap_up: "Resolved".into(),
    };
    assert!(matches!(ann.command(end).await, Outcome::Ok { .. }));
}

fn asking() -> String {
    let origins = "allowed_origins = [\"https://shop.example.com\"]";
    config(30, 60).replace(origins, &format!("{origins}\nsurvey = true"))
}

#[tokio::test]
async fn an_ended_chat_is_rated_once_and_the_rating_reaches_its_agent_and_the_reports() {
    let server = Server::start(&asking());
    let (mut ann, mut zoe, chat) = accepted_chat(&server).await;
    assert_eq!(
        refused(zoe.command(rate(5, "")).await),
        ErrorCode::InvalidState,
        "still open"
    );
    end(&mut ann, chat.clone()).await;

    assert_eq!(
        refused(zoe.command(rate(0, "")).await),
        ErrorCode::InvalidInput
    );
    assert_eq!(
        refused(zoe.command(rate(6, "")).await),
        ErrorCode::InvalidInput
    );
    let long = "a".repeat(501);
    assert_eq!(
        refused(zoe.command(rate(4, &long)).await),
        ErrorCode::InvalidInput
    );
    let comment = "Quick and kind. My card 4111 1111 1111 1111 works now";
    assert_eq!(zoe.command(rate(4, comment)).await, CustomerOutcome::Ok);
    assert_eq!(
        refused(zoe.command(rate(1, "changed my mind")).await),
        ErrorCode::InvalidState,
        "once"
    );

    // Ann finds it rated, the comment masked as everything else.
    let search = AgentCommand::Search {
        query: "zoe".into(),
        everyone: false,
    };
    let Outcome::Ok {
        result: CommandResult::Found { results },
    } = ann.command(search).await
    else {
        panic!("found")
    };
    let survey = results[0].conversation.survey.clone().expect("rated");
    assert_eq!(survey.rating, 4);
    assert!(
        survey.comment.starts_with("Quick and kind."),
        "{}",
        survey.comment
    );
    assert!(!survey.comment.contains("4111 1111"), "{}", survey.comment);

    let query = switchboard_testkit::since_yesterday();
    let path = format!(
        "/api/v1/reports/activity?from={}&to={}",
        query.from, query.to
    );
    let (status, report) = AdminApi::new(&server).call(Method::GET, &path, None).await;
    assert_eq!(status, 200);
    assert_eq!(report["total"]["surveys"], 1);
    assert_eq!(report["total"]["average_rating"], 4.0);
    let agent = format!("{path}&agent=ann@example.com");
    let (_, hers) = AdminApi::new(&server).call(Method::GET, &agent, None).await;
    assert_eq!(
        hers["total"]["surveys"], 1,
        "counted for the agent who had it"
    );
}

#[tokio::test]
async fn a_widget_that_does_not_ask_takes_no_rating() {
    let server = Server::start(&config(30, 60));
    let widget = reqwest::get(server.url("/api/v1/widgets/website"))
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(widget["survey"], false);
    let (mut ann, mut zoe, chat) = accepted_chat(&server).await;
    end(&mut ann, chat).await;
    assert_eq!(
        refused(zoe.command(rate(5, "")).await),
        ErrorCode::InvalidState
    );
    // Nor before a chat starts.
    let mut max = Customer::connect(&server, None).await;
    assert_eq!(
        refused(max.command(rate(5, "")).await),
        ErrorCode::InvalidState
    );
}

#[tokio::test]
async fn a_customer_who_ended_the_chat_rates_it_while_the_agent_wraps_up() {
    let server = Server::start(&asking());
    let (mut ann, mut zoe, chat) = accepted_chat(&server).await;
    assert_eq!(zoe.command(CustomerCommand::End).await, CustomerOutcome::Ok);
    assert_eq!(zoe.command(rate(2, "Slow")).await, CustomerOutcome::Ok);
    end(&mut ann, chat).await;
    assert_eq!(
        refused(zoe.command(rate(5, "")).await),
        ErrorCode::InvalidState,
        "once"
    );
    let query = switchboard_testkit::since_yesterday();
    let path = format!(
        "/api/v1/reports/activity?from={}&to={}",
        query.from, query.to
    );
    let (_, report) = AdminApi::new(&server).call(Method::GET, &path, None).await;
    assert_eq!(report["total"]["surveys"], 1);
    assert_eq!(report["total"]["average_rating"], 2.0);
}

const QUESTION: &str = "How did we do? Reply with a number from 1 (poor) to 5 (excellent).";
const KAREL: &str = "+420601234567";

/// Survey figures of today's report: how many answered, and their average.
async fn surveyed(server: &Server) -> (u64, Option<f64>) {
    let query = switchboard_testkit::since_yesterday();
    let path = format!(
        "/api/v1/reports/activity?from={}&to={}",
        query.from, query.to
    );
    let (status, report) = AdminApi::new(server).call(Method::GET, &path, None).await;
    assert_eq!(status, 200, "{report}");
    let total = &report["total"];
    (
        total["surveys"].as_u64().unwrap(),
        total["average_rating"].as_f64(),
    )
}

/// Karel's SMS, offered to Ann, accepted and ended by her: he is asked the question by SMS.
async fn ended_sms(
    server: &Server,
    provider: &switchboard_testkit::channels::Provider,
    ann: &mut Agent,
    sid: &str,
    asked: usize,
) {
    use switchboard_testkit::channels::post_sms;
    let (status, answer) = post_sms(&server.address, sid, KAREL, "Where is my parcel?", &[]).await;
    assert_eq!(status, 200, "{answer}");
    let chat = support::accept_offer(ann).await.id;
    end(ann, chat).await;
    let calls = provider
        .wait_for_calls(asked, switchboard_testkit::PATIENCE)
        .await;
    let questions = calls
        .iter()
        .filter(|call| call.field("Body").as_deref() == Some(QUESTION))
        .count();
    assert_eq!(questions, asked, "{calls:#?}");
}

#[tokio::test]
async fn an_sms_customer_is_asked_by_sms_and_answers_with_a_number_once() {
    use switchboard_testkit::channels::{Provider, channels_config, post_sms};
    let provider = Provider::start().await;
    let channels = channels_config(&provider.url).replace(
        "[[sms.numbers]]",
        &format!("survey = \"{QUESTION}\"\n[[sms.numbers]]"),
    );
    let server = Server::start(&format!("{}{channels}", config(30, 60)));
    let mut ann = support::available_agent(&server, "ann@example.com").await;
    ended_sms(&server, &provider, &mut ann, "SM1", 1).await;

    // " 4 " answers it — redelivered, counted once — and starts no conversation.
    for _delivery in 0..2 {
        let (status, answer) = post_sms(&server.address, "SM2", KAREL, " 4 ", &[]).await;
        assert_eq!(status, 200, "{answer}");
    }
    assert_eq!(surveyed(&server).await, (1, Some(4.0)));
    // Answered already: a number now is a new conversation's first message.
    post_sms(&server.address, "SM3", KAREL, "5", &[]).await;
    let (offer, chat) = support::offer_accepted(&mut ann).await;
    assert_eq!(offer.comment, "5", "not taken as a second answer");
    end(&mut ann, chat.id).await;

    // Anything but a number from 1 to 5 is not an answer: it starts a conversation, and the
    // question is not answered later.
    provider
        .wait_for_calls(2, switchboard_testkit::PATIENCE)
        .await;
    post_sms(&server.address, "SM4", KAREL, "Thanks, bye", &[]).await;
    let (offer, _) = support::offer_accepted(&mut ann).await;
    assert_eq!(offer.comment, "Thanks, bye");
    post_sms(&server.address, "SM5", KAREL, "3", &[]).await;
    assert_eq!(surveyed(&server).await, (1, Some(4.0)));
}

#[tokio::test]
async fn without_a_survey_question_no_sms_is_sent_when_a_conversation_ends() {
    use switchboard_testkit::channels::{Provider, channels_config, post_sms};
    let provider = Provider::start().await;
    let server = Server::start(&format!(
        "{}{}",
        config(30, 60),
        channels_config(&provider.url)
    ));
    let mut ann = support::available_agent(&server, "ann@example.com").await;
    post_sms(&server.address, "SM1", KAREL, "Where is my parcel?", &[]).await;
    let chat = support::accept_offer(&mut ann).await.id;
    end(&mut ann, chat).await;
    // A number afterwards is a new conversation's first message.
    post_sms(&server.address, "SM2", KAREL, "4", &[]).await;
    let (offer, _) = support::offer_accepted(&mut ann).await;
    assert_eq!(offer.comment, "4");
    assert!(provider.calls().is_empty(), "{:#?}", provider.calls());
    assert_eq!(surveyed(&server).await, (0, None));
}
