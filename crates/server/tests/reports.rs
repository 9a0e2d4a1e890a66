//! Reports from the recorded facts, through the API other tools use (JSON and CSV, the same
//! after a kill and restart, refused without the admin token or with a bad span) and through a
//! supervisor's desktop connection (refused to an agent's).

mod support;

use reqwest::Method;
use serde_json::Value;
use support::{AdminApi, Agent, Customer, Server, accepted_chat, config};
use switchboard_protocol::ErrorCode;
use switchboard_protocol::agent::{AgentCommand, AgentEvent, CommandResult, Outcome};
use switchboard_protocol::customer::{CustomerCommand, CustomerOutcome};
use switchboard_protocol::reports::ReportQuery;

/// Yesterday and today, as the API's query.
fn span() -> String {
    let query = switchboard_testkit::since_yesterday();
    format!("from={}&to={}", query.from, query.to)
}

async fn total(admin: &AdminApi<'_>, filters: &str) -> Value {
    let path = format!("/api/v1/reports/activity?{}{filters}", span());
    let (status, report) = admin.call(Method::GET, &path, None).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["time_zone"], "UTC");
    report["total"].clone()
}

#[tokio::test]
async fn what_happened_is_reported_from_the_recorded_facts_and_survives_a_restart() {
    let mut server = Server::start(&config(30, 60));
    // Ann takes Zoë's chat and ends it; she rejects Max's, and Max leaves while waiting.
    let (mut ann, _zoe, zoe_chat) = accepted_chat(&server).await;
    let end = AgentCommand::End {
        conversation: zoe_chat,
        wrap_up: "Resolved".into(),
    };
    assert!(matches!(ann.command(end).await, Outcome::Ok { .. }));
    let mut max = Customer::start(&server, "Max", "Anyone there?").await;
    let offer = ann
        .expect(|event| matches!(event, AgentEvent::Offer { .. }))
        .await;
    let AgentEvent::Offer { offer } = offer else {
        unreachable!()
    };
    let reject = AgentCommand::Reject {
        conversation: offer.conversation,
    };
    assert!(matches!(ann.command(reject).await, Outcome::Ok { .. }));
    assert_eq!(max.command(CustomerCommand::End).await, CustomerOutcome::Ok);

    let admin = AdminApi::new(&server);
    let day = total(&admin, "").await;
    for (figure, expected) in [
        ("offered", 2),
        ("accepted", 1),
        ("rejected", 1),
        ("rona", 0),
        ("abandoned", 1),
        ("ended", 1),
    ] {
        assert_eq!(day[figure], expected, "{figure} in {day}");
    }
    assert_eq!(day["wrap_ups"]["Resolved"], 1);
    assert!(day["average_speed_of_answer"].is_u64(), "{day}");
    assert!(day["average_handle_time"].is_u64(), "{day}");
    // An agent's own figures; another agent's are empty.
    let ann_total = total(&admin, "&agent=ann@example.com").await;
    assert_eq!(
        (ann_total["offered"].clone(), ann_total["abandoned"].clone()),
        (2.into(), 0.into())
    );
    assert_eq!(total(&admin, "&agent=bo@example.com").await["offered"], 0);
    assert_eq!(total(&admin, "&channel=sms").await["offered"], 0);

    // As CSV: a header, a row per day and the total.
    let csv = reqwest::Client::new()
        .get(server.url(&format!("/api/v1/reports/activity.csv?{}", span())))
        .bearer_auth(admin_token(&server))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = csv.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines[0].starts_with("period,offered,accepted,rejected,rona,abandoned"));
    assert!(lines[3].contains(",2,1,1,0,1,0,0,1,"), "{csv}");
    assert!(lines[3].ends_with("Resolved: 1"), "{csv}");

    // The facts are stored with the steps: a kill and restart reports the same.
    drop((ann, max));
    server.kill_and_restart();
    let admin = AdminApi::new(&server);
    assert_eq!(total(&admin, "").await, day);
}

fn admin_token(server: &Server) -> String {
    let access = std::fs::read_to_string(server.dir.path().join("data/admin.json")).unwrap();
    let access: Value = serde_json::from_str(&access).unwrap();
    access["token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_report_is_refused_without_the_admin_token_or_with_a_bad_span() {
    let server = Server::start(&config(30, 60));
    let anonymous =
        reqwest::get(server.url("/api/v1/reports/activity?from=2026-12-01&to=2026-12-02"))
            .await
            .unwrap();
    assert_eq!(anonymous.status(), 401);
    let admin = AdminApi::new(&server);
    for (query, says) in [
        ("from=2026-12-01", "from=YYYY-MM-DD&to=YYYY-MM-DD"),
        ("from=2026-13-01&to=2026-12-02", "is not a day"),
        ("from=2026-12-04&to=2026-12-01", "comes before"),
        ("from=2025-01-01&to=2026-12-01", "at most 366 days"),
        ("from=2026-10-01&to=2026-12-01&by=hour", "at most 31 days"),
        ("from=2026-12-01&to=2026-12-02&queue=nowhere", "No queue"),
        (
            "from=2026-12-01&to=2026-12-02&agent=nobody@example.com",
            "No agent",
        ),
    ] {
        let (status, error) = admin
            .call(
                Method::GET,
                &format!("/api/v1/reports/activity?{query}"),
                None,
            )
            .await;
        assert_eq!(status, 400, "{query}: {error}");
        assert_eq!(error["code"], "invalid_input");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains(says), "{query}: {message}");
    }
}

#[tokio::test]
async fn a_supervisors_desktop_gets_the_report_and_an_agents_is_refused() {
    let sue = switchboard_testkit::supervisor("sue@example.com", "Sue");
    let server = Server::start(&format!("{}{sue}", config(30, 60)));
    let (mut ann, _zoe, chat) = accepted_chat(&server).await;
    let end = AgentCommand::End {
        conversation: chat,
        wrap_up: "Resolved".into(),
    };
    assert!(matches!(ann.command(end).await, Outcome::Ok { .. }));
    let query = switchboard_testkit::since_yesterday();
    let ask = |query: ReportQuery| AgentCommand::Report { query };
    match ann.command(ask(query.clone())).await {
        Outcome::Error { error } => assert_eq!(error.code, ErrorCode::Forbidden),
        other => panic!("forbidden, not {other:?}"),
    }
    let mut sue = Agent::sign_in(&server, "sue@example.com").await;
    let Outcome::Ok {
        result: CommandResult::Report { report },
    } = sue.command(ask(query.clone())).await
    else {
        panic!("a report")
    };
    assert_eq!(report.rows.len(), 2);
    assert_eq!(
        (
            report.total.offered,
            report.total.accepted,
            report.total.ended
        ),
        (1, 1, 1)
    );
    assert_eq!(report.total.wrap_ups["Resolved"], 1);
    // Her own figures: nothing was offered to her.
    let hers = ReportQuery {
        agent: Some(server.login("sue@example.com").await.agent.id),
        ..query.clone()
    };
    let Outcome::Ok {
        result: CommandResult::Report { report },
    } = sue.command(ask(hers)).await
    else {
        panic!("a report")
    };
    assert_eq!(report.total.offered, 0);
    let bad = ReportQuery {
        to: "someday".into(),
        ..query
    };
    match sue.command(ask(bad)).await {
        Outcome::Error { error } => {
            assert_eq!(error.code, ErrorCode::InvalidInput);
            assert!(error.message.contains("is not a day"), "{}", error.message);
        }
        other => panic!("refused, not {other:?}"),
    }
}
