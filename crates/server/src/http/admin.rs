//! The admin API's conversations, queues and agents, with the admin token: removing a queue, a
//! supervisor assigning a waiting conversation to an agent, and ending an agent's sessions.

use std::sync::Arc;

use aide::axum::ApiRouter;
use aide::axum::routing::post_with;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_protocol::{AgentId, ConversationId, ErrorBody, ErrorCode, QueueId};

use super::{Refusal, audit, authorize, refuse, status_of};
use crate::app::{App, ClientAddress};
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
            "/api/v1/admin/agents/{agent}/sign-out",
            post_with(sign_out::<S>, |op| {
                op.tag("agents")
                    .summary("End an agent's sessions")
                    .description(
                        "Their open desktop is closed at once with the reason. After a role \
                         change, the stored role holds from the next sign-in. Needs a full key.",
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

/// Why an agent's sessions end, as the admin commands say it.
#[derive(Clone, Copy, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(super) enum SignOutReason {
    SignedOut,
    PasswordChanged,
    RoleChanged,
    Removed,
}

impl SignOutReason {
    /// Why, as the audit log says it.
    fn words(self) -> &'static str {
        match self {
            SignOutReason::SignedOut => "signed out",
            SignOutReason::PasswordChanged => "password changed",
            SignOutReason::RoleChanged => "role changed",
            SignOutReason::Removed => "account removed",
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
pub(super) struct SignOut {
    reason: SignOutReason,
}

#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct SignedOut {
    signed_out: bool,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub(super) struct AgentPath {
    /// The agent's id.
    agent: String,
}

/// `POST /api/v1/admin/agents/{id}/sign-out` with `{"reason": "signed_out" | "password_changed"
/// | "role_changed" | "removed"}`: ends the agent's sessions; their open desktop is closed at
/// once with the reason. After a role change, the stored role holds from the next sign-in.
async fn sign_out<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(AgentPath { agent }): Path<AgentPath>,
    ClientAddress(origin): ClientAddress,
    headers: HeaderMap,
    body: Result<Json<SignOut>, JsonRejection>,
) -> Result<Json<SignedOut>, Refusal> {
    let caller = authorize(&app, &headers, Scope::Full).await?;
    let Json(SignOut { reason }) = body.map_err(|rejection| {
        let message = format!(
            "The body must be {{\"reason\": \"signed_out\" | \"password_changed\" | \"role_changed\" | \"removed\"}}: {rejection}"
        );
        refuse(StatusCode::BAD_REQUEST, ErrorCode::InvalidInput, &message)
    })?;
    let agent = AgentId(agent);
    let unavailable = |error: StoreError| {
        tracing::error!(%error, "ending sessions failed");
        refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            "The sessions could not be ended; try again.",
        )
    };
    app.store.end_sessions(&agent).await.map_err(unavailable)?;
    let accounts = app.store.agents().await.map_err(unavailable)?;
    let account = accounts.into_iter().find(|account| account.id == agent);
    let role = match reason {
        SignOutReason::RoleChanged => account.as_ref().map(|account| account.role),
        _ => None,
    };
    let subject = account.map_or_else(|| agent.0.clone(), |account| account.email);
    let detail = reason.words();
    audit::record(
        &app,
        &caller,
        origin,
        AuditAction::SignedOut,
        subject,
        detail,
    )
    .await;
    let message = match (reason, role) {
        (SignOutReason::SignedOut, _) => "An administrator signed you out.".to_owned(),
        (SignOutReason::PasswordChanged, _) => {
            "Your password was changed; sign in with the new one.".to_owned()
        }
        (SignOutReason::RoleChanged, Some(role)) => {
            format!("Your role is now {role}; sign in again.")
        }
        (SignOutReason::RoleChanged, None) | (SignOutReason::Removed, _) => {
            "Your account was removed.".to_owned()
        }
    };
    app.hub
        .sign_out(
            agent,
            ErrorBody::new(ErrorCode::SessionRevoked, message),
            role,
        )
        .await;
    Ok(Json(SignedOut { signed_out: true }))
}
