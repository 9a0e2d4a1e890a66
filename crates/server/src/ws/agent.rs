//! `GET /api/v1/agent/ws`: an agent desktop's connection.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use switchboard_protocol::agent::{AgentClientFrame, AgentCommand, AgentServerFrame, Outcome};
use switchboard_protocol::{AgentId, ErrorBody, ErrorCode, Millis};

use super::{
    Liveness, check_version, error_frame, next_readable_by, not_taking_commands, spawn_writer,
};
use crate::app::{App, ClientAddress};
use crate::files::Uploader;
use crate::hub;
use crate::routing::Typist;
use crate::store::Store;
use crate::{auth, clock};

pub async fn upgrade<S: Store>(
    State(app): State<Arc<App<S>>>,
    ClientAddress(origin): ClientAddress,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let agent = match auth::bearer(&headers) {
        Some(token) => {
            app.store
                .session_agent(&auth::hash_token(token), clock::now())
                .await
        }
        None => Ok(None),
    };
    match agent {
        Ok(Some((agent, expires_at))) => super::configure(ws)
            .on_upgrade(move |socket| serve(app, agent, origin, expires_at, socket)),
        Ok(None) => (
            StatusCode::UNAUTHORIZED,
            "sign in first: the bearer token is missing, wrong or expired",
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "session lookup failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn serve<S: Store>(
    app: Arc<App<S>>,
    agent: AgentId,
    origin: IpAddr,
    expires_at: Millis,
    socket: WebSocket,
) {
    let (sink, mut stream) = socket.split();
    let (frames, outgoing) = hub::connection();
    let liveness = Liveness::of(&app.config());
    let mut writer = spawn_writer(sink, outgoing, app.shutdown.clone(), liveness);
    let connection = app.next_connection();
    let mut greeted = false;
    let refuse = |error: ErrorBody| {
        let _ = frames.try_send(error_frame(&error));
    };
    tracing::info!(agent = %agent, connection, "agent connected");
    // The connection is over when the client ends it, or when its writer stops (the server
    // stops, the hub ends the connection, or it fell behind).
    let reading = async {
        while let Some(frame) =
            next_readable_by::<AgentClientFrame>(greeted, &mut stream, &frames, liveness).await
        {
            match (greeted, frame) {
                (false, AgentClientFrame::Hello { protocol, last_seq }) => {
                    if let Err(error) = check_version(protocol) {
                        refuse(error);
                        continue;
                    }
                    greeted = true;
                    app.hub
                        .attach_agent(agent.clone(), last_seq, frames.clone(), connection)
                        .await;
                }
                (false, _) => refuse(ErrorBody::new(ErrorCode::OutOfOrder, "Say hello first.")),
                (true, AgentClientFrame::Hello { .. }) => {
                    refuse(ErrorBody::new(
                        ErrorCode::OutOfOrder,
                        "Hello was already said on this connection.",
                    ));
                }
                (true, AgentClientFrame::Ack { seq }) => {
                    app.hub.ack_agent(agent.clone(), seq).await
                }
                (
                    true,
                    AgentClientFrame::Receipt {
                        conversation,
                        message,
                    },
                ) => {
                    app.hub
                        .agent_receipt(agent.clone(), conversation, message)
                        .await;
                }
                (
                    true,
                    AgentClientFrame::Typing {
                        conversation,
                        typing,
                    },
                ) => {
                    let typist = Typist::Agent {
                        agent: agent.clone(),
                        conversation,
                    };
                    app.hub.typing(typist, typing).await;
                }
                (true, AgentClientFrame::Command { id, command }) => {
                    if let Some(error) = not_taking_commands(&app) {
                        let outcome = Outcome::Error { error };
                        let reply = AgentServerFrame::Reply { id, outcome };
                        let _ = frames
                            .try_send(serde_json::to_string(&reply).expect("frames serialize"));
                        continue;
                    }
                    let files = match &command {
                        AgentCommand::SendMessage {
                            conversation,
                            files,
                            ..
                        } if !files.is_empty() => {
                            let uploader = Uploader::Agent(agent.clone());
                            let sent = Some(conversation);
                            super::files::attachments(&app.store, sent, &uploader, files).await
                        }
                        _ => Ok(Vec::new()),
                    };
                    match files {
                        Ok(files) => {
                            app.hub
                                .agent_command(agent.clone(), id, command, files, origin)
                                .await
                        }
                        Err(error) => {
                            let outcome = Outcome::Error { error };
                            let reply = AgentServerFrame::Reply { id, outcome };
                            let _ = frames
                                .try_send(serde_json::to_string(&reply).expect("frames serialize"));
                        }
                    }
                }
            }
            if *app.shutdown.borrow() {
                break;
            }
        }
    };
    // A session that expires while its socket is open ends there too.
    let expiry = tokio::time::sleep(Duration::from_millis(
        expires_at.saturating_sub(clock::now()),
    ));
    let writer_ended = tokio::select! {
        () = reading => false,
        _ = &mut writer => true,
        () = expiry => {
            frames.close_with(error_frame(&ErrorBody::new(
                ErrorCode::SessionExpired,
                "Your session has expired; sign in again.",
            )));
            false
        }
    };
    if greeted {
        app.hub.detach_agent(agent.clone(), connection).await;
    }
    drop(frames);
    if !writer_ended {
        let _ = writer.await;
    }
    tracing::info!(agent = %agent, connection, "agent disconnected");
}
