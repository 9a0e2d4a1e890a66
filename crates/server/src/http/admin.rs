//! The admin API's queues and conversations: removing a queue; reading and ending a
//! conversation, and a supervisor assigning a waiting one to an agent.

use std::sync::Arc;

use aide::axum::ApiRouter;
use aide::axum::routing::{get_with, post_with};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_protocol::agent::Customer;
use switchboard_protocol::rules::HISTORY_PAGE;
use switchboard_protocol::{
    AgentId, Channel, ChatMessage, ConversationId, ErrorCode, Millis, QueueId,
};

use super::{Refusal, audit, authorize, refuse, status_of};
use crate::app::{App, ClientAddress};
use crate::routing::{Ending, Status};
use crate::store::{AuditAction, Scope, Store, StoreError};

pub(super) fn routes<S: Store>() -> ApiRouter<Arc<App<S>>> {
    ApiRouter::new()
        .api_route(
            "/api/v1/admin/queues/{queue}/remove",
            post_with(remove_queue::<S>, |op| {
                op.tag("queues").summary("Remove a queue").description(
                    "Ends the queue's waiting conversations, interrupts those held, and serves \
                     the queue no more. Needs a full key.",
                )
            }),
        )
        .api_route(
            "/api/v1/admin/conversations/{conversation}",
            get_with(read::<S>, |op| {
                op.tag("conversations")
                    .summary("A conversation, open or ended, with its latest messages")
                    .description(
                        "Its messages as stored: masked as agents see them. Needs a read-only \
                         key or wider.",
                    )
            }),
        )
        .api_route(
            "/api/v1/admin/conversations/{conversation}/end",
            post_with(end::<S>, |op| {
                op.tag("conversations").summary("End a conversation").description(
                    "One waiting ends at once; one held is interrupted — its agents see why and \
                     end it with a wrap-up reason. The customer is told it ended. Needs a full \
                     key.",
                )
            }),
        )
        .api_route(
            "/api/v1/admin/conversations/{conversation}/assign",
            post_with(assign::<S>, |op| {
                op.tag("conversations")
                    .summary("Give a waiting conversation to a signed-in agent")
                    .description("Needs a full key.")
            }),
        )
}

#[derive(Debug, Deserialize, JsonSchema)]
pub(super) struct QueuePath {
    /// The queue's id.
    queue: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct QueueRemoved {
    /// Waiting conversations ended.
    ended: usize,
    /// Held conversations interrupted.
    interrupted: usize,
}

/// `POST /api/v1/admin/queues/{queue}/remove` with the admin token: ends the queue's waiting
/// conversations, interrupts those held, and serves the queue no more.
async fn remove_queue<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(QueuePath { queue }): Path<QueuePath>,
    ClientAddress(origin): ClientAddress,
    headers: HeaderMap,
) -> Result<Json<QueueRemoved>, Refusal> {
    let caller = authorize(&app, &headers, Scope::Full).await?;
    match app.hub.remove_queue(QueueId(queue.clone())).await {
        Ok((ended, interrupted)) => {
            let detail = format!("{ended} waiting ended, {interrupted} interrupted");
            audit::record(
                &app,
                &caller,
                origin,
                AuditAction::QueueRemoved,
                queue,
                detail,
            )
            .await;
            Ok(Json(QueueRemoved { ended, interrupted }))
        }
        Err(error) => Err(Refusal::new(status_of(&error), error)),
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
pub(super) struct Assignment {
    /// The agent's e-mail address.
    agent: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub(super) struct ConversationPath {
    /// The conversation's id.
    conversation: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct Assigned {
    assigned: bool,
}

/// `POST /api/v1/admin/conversations/{id}/assign` with `{"agent": "<e-mail>"}`: a supervisor
/// gives a waiting conversation to a signed-in agent.
async fn assign<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(ConversationPath { conversation }): Path<ConversationPath>,
    ClientAddress(origin): ClientAddress,
    headers: HeaderMap,
    body: Result<Json<Assignment>, JsonRejection>,
) -> Result<Json<Assigned>, Refusal> {
    let caller = authorize(&app, &headers, Scope::Full).await?;
    let Json(assignment) = body.map_err(|rejection| {
        let message = format!("The body must be {{\"agent\": \"<e-mail>\"}}: {rejection}");
        refuse(StatusCode::BAD_REQUEST, ErrorCode::InvalidInput, &message)
    })?;
    let unknown = || {
        let message = format!("No agent has the e-mail address {}.", assignment.agent);
        refuse(StatusCode::NOT_FOUND, ErrorCode::NotFound, &message)
    };
    let agent = app
        .store
        .agent_by_email(&assignment.agent)
        .await
        .map_err(|_| {
            refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                "The agents could not be read.",
            )
        })?
        .ok_or_else(unknown)?;
    match app
        .hub
        .assign(ConversationId(conversation.clone()), agent.id)
        .await
    {
        Ok(()) => {
            let detail = format!("to {}", agent.email);
            let action = AuditAction::ConversationAssigned;
            audit::record(&app, &caller, origin, action, conversation, detail).await;
            Ok(Json(Assigned { assigned: true }))
        }
        Err(error) => Err(Refusal::new(status_of(&error), error)),
    }
}

/// A conversation as the admin API shows it.
#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct ConversationView {
    id: ConversationId,
    open: bool,
    /// `waiting`, `held`, `parked`, `wrap_up` or `closed`.
    state: &'static str,
    channel: Channel,
    queue: QueueId,
    customer: Customer,
    /// Who holds it (or is to wrap it up).
    agent: Option<AgentId>,
    started_at: Millis,
    /// The latest messages, oldest first.
    messages: Vec<ChatMessage>,
}

async fn read<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(ConversationPath { conversation }): Path<ConversationPath>,
    headers: HeaderMap,
) -> Result<Json<ConversationView>, Refusal> {
    authorize(&app, &headers, Scope::ReadOnly).await?;
    let unavailable = |error: StoreError| {
        tracing::error!(%error, %conversation, "a conversation could not be read");
        refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            "The conversation cannot be read now; try again.",
        )
    };
    let id = ConversationId(conversation.clone());
    let Some(record) = app.store.conversation(&id).await.map_err(unavailable)? else {
        let message = format!("No conversation {conversation}.");
        return Err(refuse(StatusCode::NOT_FOUND, ErrorCode::NotFound, &message));
    };
    let messages = app
        .store
        .messages_before(&id, record.next_message, HISTORY_PAGE);
    let messages = messages.await.map_err(unavailable)?;
    let (state, agent) = match &record.status {
        Status::Waiting { .. } => ("waiting", None),
        Status::Held { agent, .. } => ("held", Some(agent.clone())),
        Status::Parked { agent, .. } => ("parked", Some(agent.clone())),
        Status::WrapUp { agent, .. } => ("wrap_up", Some(agent.clone())),
        Status::Closed { .. } => ("closed", None),
    };
    Ok(Json(ConversationView {
        id,
        open: record.is_open(),
        state,
        channel: record.channel,
        queue: record.queue,
        customer: record.customer,
        agent,
        started_at: record.started_at,
        messages,
    }))
}

#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct Ended {
    ended: Ending,
}

async fn end<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(ConversationPath { conversation }): Path<ConversationPath>,
    ClientAddress(origin): ClientAddress,
    headers: HeaderMap,
) -> Result<Json<Ended>, Refusal> {
    let caller = authorize(&app, &headers, Scope::Full).await?;
    let id = ConversationId(conversation.clone());
    let ended = app.hub.end_conversation(id).await;
    let ended = ended.map_err(|error| Refusal::new(status_of(&error), error))?;
    let detail = serde_json::to_value(ended).expect("serializes");
    let detail = detail.as_str().unwrap_or_default().replace('_', " ");
    let action = AuditAction::ConversationEnded;
    audit::record(&app, &caller, origin, action, conversation, detail).await;
    Ok(Json(Ended { ended }))
}
