//! SMS and Messenger customers reaching the desk core through the real server: each arrives as
//! the alert its channel calls for, and the session opens with its Customer summary and
//! Additional details, masked.

mod support;

use support::{Server, accept, available, config, create_contact, next_notification};
use switchboard_desk::{DeskError, NotificationKind, Origin};
use switchboard_protocol::agent::Scenario;
use switchboard_protocol::{Channel, ErrorCode};
use switchboard_testkit::channels::{
    Provider, channels_config, facebook_message, media_store, post_facebook, post_sms,
};

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

#[tokio::test(flavor = "multi_thread")]
async fn an_sms_from_a_known_mobile_and_a_messenger_message_arrive_as_alerts_with_their_summaries()
{
    let provider = Provider::start().await;
    let server = Server::start(&format!(
        "{}\n[contacts]\ndefault_region = \"CZ\"\n{}",
        config(30, 60),
        channels_config(&provider.url)
    ));
    create_contact(
        &server,
        serde_json::json!({
            "name": "Zoë Nováková",
            "mobile_phone": "601 234 567",
            "notes": "Prefers SMS",
        }),
    )
    .await;
    let ann = server.desk("ann@example.com").await;
    let mut updates = ann.updates();
    available(&ann).await;

    let text = "Was 4111 1111 1111 1111 charged?";
    // With a picture of the receipt, which the channel keeps: the desk fetches it to show.
    let media = media_store("image/png", PNG).await;
    let picture = format!("{media}/receipt.png");
    let mms = [
        ("NumMedia", "1"),
        ("MediaUrl0", picture.as_str()),
        ("MediaContentType0", "image/png"),
    ];
    let (status, answer) = post_sms(&server.address, "SM1", "+420601234567", text, &mms).await;
    assert_eq!(status, 200, "{answer}");
    let alert = next_notification(&mut updates).await;
    assert_eq!(alert.scenario, Scenario::IncomingSms);
    assert_eq!(alert.channel, Some(Channel::Sms));
    assert!(matches!(alert.kind, NotificationKind::Alert { .. }));
    assert_eq!(alert.customer_name, "Zoë Nováková");
    assert_eq!(alert.comment, "Was **** **** **** 1111 charged?");
    accept(&ann, &alert.conversation).await;
    let view = ann.conversation(&alert.conversation).unwrap();
    assert!(view.summary.known_contact);
    assert_eq!(view.summary.name, "Zoë Nováková");
    assert_eq!(view.summary.notes.as_deref(), Some("Prefers SMS"));
    assert!(view.summary.phone.is_some());
    assert_eq!(view.details.channel, Channel::Sms);
    assert_eq!(view.details.origin, Origin::Inbound);
    let first = &view.bubbles[0];
    assert!(first.attachments[0].picture && first.attachments[0].file.is_none());
    let shown = ann
        .channel_picture(&alert.conversation, first.id, 0)
        .await
        .unwrap();
    assert_eq!(
        (shown.content_type.as_str(), shown.bytes.as_slice()),
        ("image/png", PNG)
    );
    let missing = ann.channel_picture(&alert.conversation, first.id, 1).await;
    assert_eq!(missing.unwrap_err(), DeskError::NoSuchConversation);

    // This server sends no files by SMS: the composer offers none, and the core refuses one.
    assert!(view.actions.send && !view.actions.attach);
    let refused = ann
        .upload_file(
            &alert.conversation,
            "photo.png",
            b"\x89PNG\r\n\x1a\n".to_vec(),
        )
        .await;
    assert!(
        matches!(&refused, Err(DeskError::File(e)) if e.code == ErrorCode::InvalidState),
        "{refused:?}"
    );
    ann.send_message(&alert.conversation, "Only once, yes.")
        .await
        .unwrap();
    let calls = provider
        .wait_for_calls(1, switchboard_testkit::PATIENCE)
        .await;
    assert_eq!(calls[0].field("Body").as_deref(), Some("Only once, yes."));

    let body = facebook_message("psid-77", "m_1", "Hello from Messenger", 1);
    let (status, answer) = post_facebook(&server.address, body.to_string().as_bytes()).await;
    assert_eq!(status, 200, "{answer}");
    let alert = next_notification(&mut updates).await;
    assert_eq!(alert.scenario, Scenario::IncomingFacebook);
    assert_eq!(alert.channel, Some(Channel::Facebook));
    assert!(matches!(alert.kind, NotificationKind::Alert { .. }));
    assert_eq!(alert.comment, "Hello from Messenger");
    accept(&ann, &alert.conversation).await;
    let view = ann.conversation(&alert.conversation).unwrap();
    assert!(!view.summary.known_contact);
    assert_eq!(view.details.channel, Channel::Facebook);
}
