//! A supervisor's reports on the desk: the server's figures, and the same saved as CSV; an
//! agent's desk is refused them.

mod support;

use support::{Customer, Server, available, config, eventually};
use switchboard_desk::{Answer, CommandError, DeskError};
use switchboard_protocol::ErrorCode;
use switchboard_testkit::{since_yesterday, supervisor};

#[tokio::test(flavor = "multi_thread")]
async fn a_supervisors_desk_shows_the_activity_and_saves_it_as_csv() {
    let sue = supervisor("sue@example.com", "Sue");
    let server = Server::start(&format!("{}{sue}", config(30, 60)));
    let ann = server.desk("ann@example.com").await;
    available(&ann).await;
    let _zoe = Customer::start(&server, "Zoë", "Hello").await;
    eventually(&ann, "an alert", |s| !s.alerts.is_empty()).await;
    let id = ann.snapshot().alerts[0].conversation.clone();
    ann.answer(&id, Answer::Accept).await.unwrap();
    ann.end(&id, "Resolved").await.unwrap();

    let query = since_yesterday();
    match ann.report(query.clone()).await {
        Err(DeskError::Command(CommandError::Refused(error))) => {
            assert_eq!(error.code, ErrorCode::Forbidden)
        }
        other => panic!("refused as forbidden, not {other:?}"),
    }

    let sue = server.desk("sue@example.com").await;
    let report = sue.report(query.clone()).await.unwrap();
    assert_eq!(
        (
            report.total.offered,
            report.total.accepted,
            report.total.ended
        ),
        (1, 1, 1)
    );
    let downloads = tempfile::tempdir().unwrap();
    let saved = sue
        .export_report(query.clone(), downloads.path())
        .await
        .unwrap();
    assert_eq!(
        saved.file_name().unwrap().to_string_lossy(),
        format!("activity {} – {}.csv", query.from, query.to)
    );
    let csv = std::fs::read_to_string(&saved).unwrap();
    assert!(csv.starts_with("period,offered,accepted,"), "{csv}");
    assert!(csv.contains(",1,1,0,0,0,0,0,1,"), "{csv}");
    // Saved again, it never replaces the first.
    let again = sue.export_report(query, downloads.path()).await.unwrap();
    assert_ne!(again, saved);
}
