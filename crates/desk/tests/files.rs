//! Files both ways through the desk core, against a real server: the customer's picture arrives
//! as an attachment the desk fetches and saves; the agent uploads one and sends it; a file too
//! large or of a type the server does not take is refused in words, and nothing is sent.

mod support;

use support::{Customer, Server, accept_next, available, config, next_update};
use switchboard_desk::{Author, DeskError, Update};
use switchboard_protocol::customer::CustomerEvent;
use switchboard_protocol::{ErrorCode, FileId, Sender};

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

#[tokio::test(flavor = "multi_thread")]
async fn a_picture_from_the_customer_is_shown_and_saved_and_a_pdf_goes_back() {
    let server = Server::start(&format!(
        "{}\n[attachments]\nmax_bytes = 65536\n",
        config(30, 60)
    ));
    let ann = server.desk("ann@example.com").await;
    let mut updates = ann.updates();
    available(&ann).await;
    let mut zoe = Customer::start(&server, "Zoë Nováková", "My screen shows this").await;
    let conversation = accept_next(&ann, &mut updates).await;
    let view = ann.conversation(&conversation).unwrap();
    assert!(view.actions.attach, "a web chat takes files");
    assert_eq!(ann.snapshot().profile.files.max_bytes, 65536);

    // The customer's picture, named with a card number, reaches the desk masked and fetchable.
    let picture = zoe
        .upload(&server, "card 4111 1111 1111 1111.png", PNG)
        .await;
    zoe.send_files("", vec![picture.id.clone()]).await;
    let bubble = next_update(&mut updates, |u| match u {
        Update::Bubble { bubble, .. } if matches!(bubble.author, Author::Customer { .. }) => {
            (!bubble.attachments.is_empty()).then(|| bubble.clone())
        }
        _ => None,
    })
    .await;
    let attachment = &bubble.attachments[0];
    assert_eq!(attachment.file.as_ref(), Some(&picture.id));
    assert_eq!(attachment.kind.as_deref(), Some("image/png"));
    assert_eq!(
        attachment.name.as_deref(),
        Some("card **** **** **** 1111.png")
    );
    assert!(attachment.picture, "a picture is shown in the thread");
    let content = ann.file_content(&conversation, &picture.id).await.unwrap();
    assert_eq!(
        (content.content_type.as_str(), content.bytes.as_slice()),
        ("image/png", PNG)
    );

    // Saved twice into the same folder: two files, neither replacing the other.
    let downloads = tempfile::tempdir().unwrap();
    let name = attachment.name.as_deref().unwrap();
    let first = ann
        .save_file(&conversation, &picture.id, name, downloads.path())
        .await
        .unwrap();
    let second = ann
        .save_file(&conversation, &picture.id, name, downloads.path())
        .await
        .unwrap();
    assert_eq!(first, downloads.path().join("card **** **** **** 1111.png"));
    assert_eq!(
        second,
        downloads.path().join("card **** **** **** 1111 (2).png")
    );
    assert_eq!(std::fs::read(&second).unwrap(), PNG);

    // A file nobody uploaded into this conversation is not read.
    let stranger = ann
        .file_content(
            &conversation,
            &FileId("f0000000000000000000000000000000".into()),
        )
        .await;
    assert!(
        matches!(stranger, Err(DeskError::Command(_))),
        "{stranger:?}"
    );

    // The agent sends a PDF back, with no text.
    let receipt = ann
        .upload_file(&conversation, "receipt.pdf", PDF.to_vec())
        .await
        .unwrap();
    assert_eq!(
        (receipt.kind.as_deref(), receipt.size, receipt.picture),
        (Some("application/pdf"), Some(PDF.len() as u64), false)
    );
    let id = receipt.file.clone().unwrap();
    ann.send_message_with_files(&conversation, "", vec![id.clone()])
        .await
        .unwrap();
    let CustomerEvent::Message { message } = zoe
        .expect(|e| matches!(e, CustomerEvent::Message { message } if matches!(message.from, Sender::Agent { .. })))
        .await
    else {
        unreachable!()
    };
    let sent = message.attachments[0].file.as_ref().unwrap();
    assert_eq!((sent.id.clone(), sent.name.as_str()), (id, "receipt.pdf"));

    // Refused before anything is read: too large for the server's limit.
    let too_large = ann.check_file(&conversation, "video.mp4", 65537);
    assert!(
        matches!(&too_large, Err(DeskError::File(e)) if e.code == ErrorCode::FileTooLarge),
        "{too_large:?}"
    );
    // Refused by the server, which reads the type from the content: a program called .png.
    let program = ann
        .upload_file(
            &conversation,
            "cat.png",
            b"\x7fELF\x02\x01\x01\0".repeat(64),
        )
        .await;
    assert!(
        matches!(&program, Err(DeskError::File(e)) if e.code == ErrorCode::FileTypeRefused),
        "{program:?}"
    );
    // More files than a message carries: nothing is sent.
    let many = vec![receipt.file.unwrap(); 6];
    let refused = ann.send_message_with_files(&conversation, "", many).await;
    assert!(matches!(refused, Err(DeskError::Draft(_))), "{refused:?}");
}
