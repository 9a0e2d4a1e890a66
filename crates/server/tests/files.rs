//! Files both ways: a customer uploads through a link the server gives them, the type read from
//! the content; the agent reads the files through short-lived links only for conversations they
//! may see, and sends one back. Nothing refused is kept; nothing is served as a page.

mod support;

use sha2::{Digest, Sha256};
use support::{Agent, Customer, Server, accept_offer, accepted_chat, available_agent, config};
use switchboard_protocol::agent::{AgentCommand, AgentEvent, CommandResult, Outcome};
use switchboard_protocol::customer::{CustomerCommand, CustomerEvent, CustomerOutcome};
use switchboard_protocol::{ChatMessage, ConversationId, ErrorCode, FileId, FileLink, StoredFile};
use switchboard_testkit::PATIENCE;
use switchboard_testkit::channels::{
    Provider, channels_config, facebook_message, post_facebook, post_sms,
};

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn customer_link(
    customer: &mut Customer,
    command: CustomerCommand,
) -> Result<FileLink, ErrorCode> {
    match customer.command(command).await {
        CustomerOutcome::Link { link } => Ok(link),
        CustomerOutcome::Error { error } => Err(error.code),
        other => panic!("a link or an error, not {other:?}"),
    }
}

async fn agent_link(agent: &mut Agent, command: AgentCommand) -> Result<FileLink, ErrorCode> {
    match agent.command(command).await {
        Outcome::Ok {
            result: CommandResult::Link { link },
        } => Ok(link),
        Outcome::Error { error } => Err(error.code),
        other => panic!("a link or an error, not {other:?}"),
    }
}

/// POSTs `bytes` to an upload link: the status, and the stored file when it was taken.
async fn upload(server: &Server, link: &FileLink, bytes: &[u8]) -> (u16, Option<StoredFile>) {
    let response = reqwest::Client::new()
        .post(server.url(&link.url))
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body = response.text().await.unwrap();
    (status, serde_json::from_str(&body).ok())
}

async fn customer_upload(
    server: &Server,
    zoe: &mut Customer,
    name: &str,
    bytes: &[u8],
) -> StoredFile {
    zoe.upload(server, name, bytes).await
}

/// GETs a read link: the status, the headers that matter, and the bytes.
async fn fetch(server: &Server, link: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let response = reqwest::get(server.url(link)).await.unwrap();
    let (status, headers) = (response.status().as_u16(), response.headers().clone());
    (status, headers, response.bytes().await.unwrap().to_vec())
}

fn file_link(conversation: &ConversationId, file: &StoredFile) -> AgentCommand {
    AgentCommand::FileLink {
        conversation: conversation.clone(),
        file: file.id.clone(),
    }
}

async fn next_message(agent: &mut Agent) -> ChatMessage {
    match agent
        .expect(|e| matches!(e, AgentEvent::Message { .. }))
        .await
    {
        AgentEvent::Message { message } => message,
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn a_customer_sends_an_image_and_a_pdf_and_the_agent_reads_them_and_sends_one_back() {
    let server = Server::start(&config(30, 60));
    let (mut ann, mut zoe, conversation) = accepted_chat(&server).await;

    let image = customer_upload(
        &server,
        &mut zoe,
        "../photo of 4111 1111 1111 1111.png",
        PNG,
    )
    .await;
    assert_eq!(image.content_type, "image/png");
    assert_eq!(image.size, PNG.len() as u64);
    assert_eq!(image.sha256, hex::encode(Sha256::digest(PNG)));
    assert!(
        !image.name.contains('/') && !image.name.contains("1111 1111"),
        "{}",
        image.name
    );
    // Named like a picture, read as the PDF it is.
    let pdf = customer_upload(&server, &mut zoe, "invoice.png", PDF).await;
    assert_eq!(pdf.content_type, "application/pdf");

    let sent = zoe
        .command(CustomerCommand::SendMessage {
            text: String::new(),
            files: vec![image.id.clone(), pdf.id.clone()],
        })
        .await;
    assert_eq!(sent, CustomerOutcome::Ok);
    let message = next_message(&mut ann).await;
    let files: Vec<&StoredFile> = message
        .attachments
        .iter()
        .filter_map(|a| a.file.as_ref())
        .collect();
    assert_eq!(files, [&image, &pdf]);

    // The agent reads them through links; an image is shown, anything else downloaded, and
    // nothing is ever taken for a page.
    let link = agent_link(&mut ann, file_link(&conversation, &image))
        .await
        .unwrap();
    let (status, headers, bytes) = fetch(&server, &link.url).await;
    assert_eq!((status, bytes.as_slice()), (200, PNG));
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    let link = agent_link(&mut ann, file_link(&conversation, &pdf))
        .await
        .unwrap();
    let (status, headers, bytes) = fetch(&server, &link.url).await;
    assert_eq!((status, bytes.as_slice()), (200, PDF));
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    // A link altered, or for another file, reads nothing.
    let forged = link.url.replace(pdf.id.0.as_str(), image.id.0.as_str());
    assert_eq!(fetch(&server, &forged).await.0, 403);
    let tampered = format!("{}0", link.url);
    assert_eq!(fetch(&server, &tampered).await.0, 403);

    // Another agent, who has nothing to do with the conversation, gets no link.
    let mut bo = available_agent(&server, "bo@example.com").await;
    assert_eq!(
        agent_link(&mut bo, file_link(&conversation, &image)).await,
        Err(ErrorCode::NotFound)
    );

    // An executable called a picture (this test's own program) is refused.
    let link = customer_link(
        &mut zoe,
        CustomerCommand::Upload {
            name: "cat.png".into(),
        },
    )
    .await
    .unwrap();
    let program = std::fs::read(std::env::current_exe().unwrap()).unwrap();
    assert_eq!(upload(&server, &link, &program[..256 * 1024]).await.0, 415);

    // The agent sends a file back; the customer reads it.
    let link = agent_link(
        &mut ann,
        AgentCommand::Upload {
            conversation: conversation.clone(),
            name: "label.pdf".into(),
        },
    )
    .await
    .unwrap();
    let (status, label) = upload(&server, &link, PDF).await;
    assert_eq!(status, 201);
    let label = label.unwrap();
    let sent = ann
        .command(AgentCommand::SendMessage {
            conversation: conversation.clone(),
            text: "Here is your return label".into(),
            files: vec![label.id.clone()],
        })
        .await;
    assert!(matches!(sent, Outcome::Ok { .. }), "{sent:?}");
    let CustomerEvent::Message { message } = zoe
        .expect(|e| matches!(e, CustomerEvent::Message { message } if !message.attachments.is_empty() && message.from.reaches_customer() && message.text.starts_with("Here")))
        .await
    else {
        unreachable!()
    };
    assert_eq!(message.attachments[0].file.as_ref(), Some(&label));
    let link = customer_link(
        &mut zoe,
        CustomerCommand::FileLink {
            file: label.id.clone(),
        },
    )
    .await
    .unwrap();
    assert_eq!(fetch(&server, &link.url).await.2, PDF);
}

#[tokio::test]
async fn a_file_goes_only_into_the_conversation_and_by_the_sender_it_was_uploaded_for() {
    let server = Server::start(&config(30, 60));
    let (mut ann, mut zoe, conversation) = accepted_chat(&server).await;
    let mut max = Customer::start(&server, "Max", "Hello too").await;
    let theirs = customer_upload(&server, &mut max, "max.png", PNG).await;
    // Zoë cannot send, nor read, Max's file.
    let refused = zoe
        .command(CustomerCommand::SendMessage {
            text: "look".into(),
            files: vec![theirs.id.clone()],
        })
        .await;
    assert!(
        matches!(&refused, CustomerOutcome::Error { error } if error.code == ErrorCode::NotFound),
        "{refused:?}"
    );
    assert_eq!(
        customer_link(
            &mut zoe,
            CustomerCommand::FileLink {
                file: theirs.id.clone()
            }
        )
        .await,
        Err(ErrorCode::NotFound)
    );
    // Nor can the agent pass Zoë's file off as their own.
    let hers = customer_upload(&server, &mut zoe, "zoe.png", PNG).await;
    let refused = ann
        .command(AgentCommand::SendMessage {
            conversation: conversation.clone(),
            text: String::new(),
            files: vec![hers.id.clone()],
        })
        .await;
    assert!(
        matches!(&refused, Outcome::Error { error } if error.code == ErrorCode::NotFound),
        "{refused:?}"
    );
    // An id nobody uploaded.
    let refused = zoe
        .command(CustomerCommand::SendMessage {
            text: String::new(),
            files: vec![FileId("nothing".into())],
        })
        .await;
    assert!(
        matches!(refused, CustomerOutcome::Error { .. }),
        "{refused:?}"
    );
    // A message with neither text nor files is still empty.
    let refused = zoe
        .command(CustomerCommand::SendMessage {
            text: " ".into(),
            files: Vec::new(),
        })
        .await;
    assert!(
        matches!(&refused, CustomerOutcome::Error { error } if error.code == ErrorCode::EmptyMessage),
        "{refused:?}"
    );
}

#[tokio::test]
async fn files_kept_in_a_directory_once_by_content_and_refused_past_the_size_or_empty() {
    let mut config = config(30, 60);
    config.push_str(
        "[attachments]\nmax_bytes = 1000\ndir = \"attachments\"\ntypes = [\"text/plain\"]\n",
    );
    let mut server = Server::start(&config);
    let (mut ann, mut zoe, conversation) = accepted_chat(&server).await;
    let text = "Order 1234, žluťoučký kůň\n".repeat(20);
    let first = customer_upload(&server, &mut zoe, "notes.txt", text.as_bytes()).await;
    let again = customer_upload(&server, &mut zoe, "notes again.txt", text.as_bytes()).await;
    assert_eq!(first.content_type, "text/plain");
    assert_ne!(first.id, again.id);
    let kept: Vec<_> = std::fs::read_dir(server.dir.path().join("attachments"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        kept,
        std::slice::from_ref(&first.sha256),
        "one copy, named by its content"
    );

    let link = agent_link(&mut ann, file_link(&conversation, &again))
        .await
        .unwrap();
    assert_eq!(fetch(&server, &link.url).await.2, text.as_bytes());

    for (bytes, status) in [
        (vec![b'a'; 1001], 413),
        (Vec::new(), 400),
        (PNG.to_vec(), 415), // taken by default, not by this server
    ] {
        let link = customer_link(&mut zoe, CustomerCommand::Upload { name: "x".into() })
            .await
            .unwrap();
        assert_eq!(upload(&server, &link, &bytes).await.0, status);
    }
    assert_eq!(
        std::fs::read_dir(server.dir.path().join("attachments"))
            .unwrap()
            .count(),
        1
    );
    let spooled = std::fs::read_dir(server.dir.path().join("data/uploads"))
        .unwrap()
        .count();
    assert_eq!(spooled, 0, "refused uploads leave nothing behind");

    // An upload a crash cut short leaves its temporary file: the next start deletes it.
    let crashed = server.dir.path().join("data/uploads/.tmpCUT");
    std::fs::write(&crashed, b"half a file").unwrap();
    server.kill_and_restart();
    assert!(!crashed.exists(), "a start clears what a crash left");
}

/// Uploads `bytes` as `agent` into `conversation`: the stored file.
async fn agent_upload(
    server: &Server,
    agent: &mut Agent,
    conversation: &ConversationId,
    name: &str,
    bytes: &[u8],
) -> StoredFile {
    let upload_link = AgentCommand::Upload {
        conversation: conversation.clone(),
        name: name.into(),
    };
    let link = agent_link(agent, upload_link).await.unwrap();
    let (status, file) = upload(server, &link, bytes).await;
    assert_eq!(status, 201);
    file.unwrap()
}

async fn send_with(agent: &mut Agent, conversation: &ConversationId, text: &str, file: StoredFile) {
    let sent = agent
        .command(AgentCommand::SendMessage {
            conversation: conversation.clone(),
            text: text.into(),
            files: vec![file.id],
        })
        .await;
    assert!(matches!(sent, Outcome::Ok { .. }), "{sent:?}");
}

#[tokio::test]
async fn an_agents_files_reach_sms_customers_as_mms_and_messenger_customers_as_attachments() {
    const PUBLIC: &str = "https://files.example.com/cc";
    let provider = Provider::start().await;
    let server = Server::start(&format!(
        "{}\n{}\n[attachments]\npublic_url = \"{PUBLIC}/\"\n",
        config(30, 60),
        channels_config(&provider.url)
    ));
    let mut ann = available_agent(&server, "ann@example.com").await;
    // Fetched as a provider does: from the public address, which a proxy passes to the server.
    let server = &server;
    let fetched = |url: &str| {
        let path = url.strip_prefix(PUBLIC).expect("a public link").to_owned();
        async move { fetch(server, &path).await }
    };

    // SMS: one call, the file as MMS media beside the text.
    let (status, answer) = post_sms(&server.address, "SM1", "+420601234567", "Label?", &[]).await;
    assert_eq!(status, 200, "{answer}");
    let sms = accept_offer(&mut ann).await.id;
    let label = agent_upload(server, &mut ann, &sms, "label.pdf", PDF).await;
    send_with(&mut ann, &sms, "Your label", label).await;
    let calls = provider.wait_for_calls(1, PATIENCE).await;
    assert_eq!(calls[0].field("Body").as_deref(), Some("Your label"));
    let media: Vec<String> = calls[0]
        .form()
        .into_iter()
        .filter(|(name, _)| name == "MediaUrl")
        .map(|(_, url)| url)
        .collect();
    assert_eq!(media.len(), 1, "{media:?}");
    let (status, _, bytes) = fetched(&media[0]).await;
    assert_eq!((status, bytes.as_slice()), (200, PDF));

    // Messenger: the text and the picture are calls of their own. The platform is busy when the
    // picture goes: the picture is sent again, the text is not.
    let body = facebook_message("psid-zoe", "m_1", "A photo of it?", 1);
    assert_eq!(
        post_facebook(&server.address, body.to_string().as_bytes())
            .await
            .0,
        200
    );
    let messenger = accept_offer(&mut ann).await.id;
    let photo = agent_upload(server, &mut ann, &messenger, "photo.png", PNG).await;
    provider.script(&[
        (200, serde_json::json!({ "message_id": "m_text" })),
        (503, serde_json::json!({ "error": { "message": "busy" } })),
    ]);
    send_with(&mut ann, &messenger, "Here it is", photo).await;
    let calls = provider.wait_for_calls(4, PATIENCE).await;
    let sent: Vec<serde_json::Value> = calls[1..]
        .iter()
        .map(|call| call.json()["message"].clone())
        .collect();
    assert_eq!(sent[0], serde_json::json!({ "text": "Here it is" }));
    for attachment in &sent[1..] {
        assert_eq!(attachment["attachment"]["type"], "image", "{attachment}");
    }
    assert_eq!(
        sent.iter()
            .filter(|message| message.get("text").is_some())
            .count(),
        1
    );
    let url = sent[2]["attachment"]["payload"]["url"].as_str().unwrap();
    let (status, headers, bytes) = fetched(url).await;
    assert_eq!((status, bytes.as_slice()), (200, PNG));
    assert_eq!(headers[reqwest::header::CONTENT_TYPE], "image/png");
}
