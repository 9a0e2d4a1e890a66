//! The admin API's queues and conversations: removing a queue, and a supervisor assigning a
//! waiting conversation to an agent.

use std::sync::Arc;

use aide::axum::ApiRouter;
use aide::axum::routing::post_with;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_protocol::{ConversationId, ErrorCode, QueueId};

use super::{Refusal, audit, authorize, refuse, status_of};
use crate::app::{App, ClientAddress};
use crate::store::{AuditAction, Scope, Store};

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
