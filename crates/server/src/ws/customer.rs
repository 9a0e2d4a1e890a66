//! `GET /api/v1/customer/ws`: a chat widget's connection.

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::State;
use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use switchboard_protocol::customer::{
    CustomerClientFrame, CustomerCommand, CustomerOutcome, CustomerServerFrame,
};
use switchboard_protocol::{CommandId, ConversationId, ErrorBody, ErrorCode, PROTOCOL_VERSION};

use super::{
    Liveness, check_version, error_frame, next_readable_by, not_taking_commands, spawn_writer,
};
use crate::app::{App, ClientAddress};
use crate::config::WidgetConfig;
use crate::files::Uploader;
use crate::guard::page_origin;
use crate::hub;
use crate::routing::Typist;
use crate::store::Store;

pub async fn upgrade<S: Store>(
    State(app): State<Arc<App<S>>>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let origin = page_origin(&headers).map(str::to_owned);
    let origin_allowed = |widget: &WidgetConfig| widget.allows_origin(origin.as_deref());
    if origin.is_some() && !app.config().widgets.iter().any(origin_allowed) {
        let refusal = ErrorBody::new(
            ErrorCode::ForbiddenOrigin,
            "The chat is not available on this page.",
        );
        return (StatusCode::FORBIDDEN, axum::Json(refusal)).into_response();
    }
    let client = Client { address, origin };
    super::configure(ws).on_upgrade(move |socket| serve(app, client, socket))
}

/// Where a widget's connection comes from.
struct Client {
    address: IpAddr,
    /// The page it runs on; `None` outside a browser.
    origin: Option<String>,
}

impl Client {
    /// Refuses a start or resume on a widget that does not allow this page.
    fn check_widget<S>(&self, app: &App<S>, command: &CustomerCommand) -> Result<(), ErrorBody> {
        let widget = match command {
            CustomerCommand::StartChat { widget, .. } | CustomerCommand::Resume { widget, .. } => {
                widget
            }
            _ => return Ok(()),
        };
        match app.config().widget(widget) {
            Some(config) if !config.allows_origin(self.origin.as_deref()) => Err(ErrorBody::new(
                ErrorCode::ForbiddenOrigin,
                "This chat is not available on this page.",
            )),
            _ => Ok(()),
        }
    }
}

async fn serve<S: Store>(app: Arc<App<S>>, client: Client, socket: WebSocket) {
    let address = client.address;
    let (sink, mut stream) = socket.split();
    let (frames, outgoing) = hub::connection();
    let liveness = Liveness::of(&app.config());
    let mut writer = spawn_writer(sink, outgoing, app.shutdown.clone(), liveness);
    let connection = app.next_connection();
    let mut greeted = false;
    let mut conversation: Option<ConversationId> = None;
    let refuse = |error: ErrorBody| {
        let _ = frames.try_send(error_frame(&error));
    };
    // The connection is over when the client ends it, or when its writer stops (the server
    // stops, the hub ends the connection, or it fell behind).
    let reading = async {
        while let Some(frame) =
            next_readable_by::<CustomerClientFrame>(greeted, &mut stream, &frames, liveness).await
        {
            match (greeted, frame) {
                (false, CustomerClientFrame::Hello { protocol, resume }) => {
                    if let Err(error) = check_version(protocol) {
                        refuse(error);
                        continue;
                    }
                    greeted = true;
                    let welcome = |resumed| {
                        serde_json::to_string(&CustomerServerFrame::Welcome {
                            protocol: PROTOCOL_VERSION,
                            resumed,
                        })
                        .expect("frames serialize")
                    };
                    let Some(resume) = resume else {
                        let _ = frames.try_send(welcome(false));
                        continue;
                    };
                    let _ = frames.try_send(welcome(true));
                    conversation = app
                        .hub
                        .attach_customer(resume, frames.clone(), connection)
                        .await;
                    if conversation.is_none() {
                        refuse(ErrorBody::new(
                            ErrorCode::NotFound,
                            "That conversation was not found; start a new chat.",
                        ));
                    }
                }
                (false, _) => refuse(ErrorBody::new(ErrorCode::OutOfOrder, "Say hello first.")),
                (true, CustomerClientFrame::Hello { .. }) => {
                    refuse(ErrorBody::new(
                        ErrorCode::OutOfOrder,
                        "Hello was already said on this connection.",
                    ));
                }
                (true, CustomerClientFrame::Ack { seq }) => match &conversation {
                    Some(conversation) => {
                        app.hub.ack_customer(conversation.clone(), seq).await;
                    }
                    None => refuse(ErrorBody::new(
                        ErrorCode::OutOfOrder,
                        "There is nothing to acknowledge yet.",
                    )),
                },
                (true, CustomerClientFrame::Receipt { message, seen }) => {
                    if let Some(conversation) = &conversation {
                        app.hub
                            .chat_receipt(conversation.clone(), message, seen)
                            .await;
                    }
                }
                (true, CustomerClientFrame::Typing { typing }) => {
                    // Before the chat starts there is nobody to tell.
                    if let Some(conversation) = &conversation {
                        let typist = Typist::Customer {
                            conversation: conversation.clone(),
                        };
                        app.hub.typing(typist, typing).await;
                    }
                }
                (true, CustomerClientFrame::Command { id, command }) => {
                    if let Some(error) = not_taking_commands(&app) {
                        let _ = frames.try_send(reply(id, CustomerOutcome::Error { error }));
                        continue;
                    }
                    if let Err(error) = client.check_widget(&app, &command) {
                        let _ = frames.try_send(reply(id, CustomerOutcome::Error { error }));
                        continue;
                    }
                    if let (None, CustomerCommand::StartChat { widget, .. }) =
                        (&conversation, &command)
                        && let Err(throttled) = app.guard.start_chat(address, widget)
                    {
                        let _ = frames.try_send(reply(
                            id,
                            CustomerOutcome::Error {
                                error: throttled.error(),
                            },
                        ));
                        continue;
                    }
                    let files = match &command {
                        CustomerCommand::SendMessage { files, .. } if !files.is_empty() => {
                            let sent = conversation.as_ref();
                            let uploader = &Uploader::Customer;
                            super::files::attachments(&app.store, sent, uploader, files).await
                        }
                        _ => Ok(Vec::new()),
                    };
                    let files = match files {
                        Ok(files) => files,
                        Err(error) => {
                            let _ = frames.try_send(reply(id, CustomerOutcome::Error { error }));
                            continue;
                        }
                    };
                    let current = app
                        .hub
                        .customer_command(
                            conversation.clone(),
                            id,
                            (command, files),
                            frames.clone(),
                            connection,
                            address,
                        )
                        .await;
                    if current.is_some() {
                        conversation = current;
                    }
                }
            }
            if *app.shutdown.borrow() {
                break;
            }
        }
    };
    let writer_ended = tokio::select! {
        () = reading => false,
        _ = &mut writer => true,
    };
    if let Some(conversation) = conversation {
        app.hub.detach_customer(conversation, connection).await;
    }
    drop(frames);
    if !writer_ended {
        let _ = writer.await;
    }
}

fn reply(id: CommandId, outcome: CustomerOutcome) -> String {
    serde_json::to_string(&CustomerServerFrame::Reply { id, outcome }).expect("frames serialize")
}
