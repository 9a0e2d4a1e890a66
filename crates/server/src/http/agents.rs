//! The agents admin API, as the command line's `agent …` does it:
//!
//! - `GET /api/v1/admin/agents` — every account (read-only key or wider);
//! - `POST /api/v1/admin/agents` — adds one (`201`);
//! - `PATCH /api/v1/admin/agents/{agent}` — its name, queues and capacity apply at once; a new
//!   role or password ends its sessions (the role holds from the next sign-in);
//! - `DELETE /api/v1/admin/agents/{agent}` — removes it and ends its sessions;
//! - `POST /api/v1/admin/agents/{agent}/sign-out` — ends its sessions, with the reason.
//!
//! Bad fields get `400` with every problem, an e-mail address another agent has `409`; a refused
//! request changes nothing. Each change is in the audit log.

use std::net::IpAddr;
use std::sync::Arc;

use aide::axum::ApiRouter;
use aide::axum::routing::{get_with, patch_with, post_with};
use aide::transform::TransformOperation;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_protocol::agent::Role;
use switchboard_protocol::{AgentId, ErrorBody, ErrorCode, Presence, QueueId};

use super::{Caller, Refusal, audit, authorize, refuse};
use crate::app::{App, ClientAddress};
use crate::config::AccountFields;
use crate::routing::AgentRecord;
use crate::store::{AuditAction, Scope, Store, StoreError};
use crate::{auth, clock};

fn described<'a>(op: TransformOperation<'a>, summary: &str, scope: &str) -> TransformOperation<'a> {
    op.tag("agents").summary(summary).description(scope)
}

const FULL: &str = "Needs a full key.";

pub(super) fn routes<S: Store>() -> ApiRouter<Arc<App<S>>> {
    ApiRouter::new()
        .api_route(
            "/api/v1/admin/agents",
            get_with(list::<S>, |op| {
                described(
                    op,
                    "Every agent's account",
                    "Needs a read-only key or wider.",
                )
            })
            .post_with(add::<S>, |op| {
                described(op, "Add an agent", FULL).response::<201, Json<Account>>()
            }),
        )
        .api_route(
            "/api/v1/admin/agents/{agent}",
            patch_with(change::<S>, |op| {
                described(
                    op,
                    "Change an agent's account",
                    "Name, queues and capacity apply at once; a new role or password ends the \
                     agent's sessions (the role holds from the next sign-in). Needs a full key.",
                )
            })
            .delete_with(remove::<S>, |op| {
                described(op, "Remove an agent and end their sessions", FULL).response::<204, ()>()
            }),
        )
        .api_route(
            "/api/v1/admin/agents/{agent}/sign-out",
            post_with(sign_out::<S>, |op| {
                described(
                    op,
                    "End an agent's sessions",
                    "Their open desktop is closed at once with the reason. Needs a full key.",
                )
            }),
        )
}

/// An agent's account, without its password.
#[derive(Debug, Serialize, JsonSchema)]
struct Account {
    id: AgentId,
    email: String,
    name: String,
    role: Role,
    queues: Vec<QueueId>,
    /// Conversations held at once.
    capacity: u32,
    /// Whether `capacity` is the configured default.
    default_capacity: bool,
    presence: Presence,
}

impl Account {
    fn of(record: AgentRecord, default_capacity: u32) -> Account {
        Account {
            id: record.id,
            email: record.email,
            name: record.name,
            role: record.role,
            queues: record.queues,
            capacity: record.capacity.unwrap_or(default_capacity),
            default_capacity: record.capacity.is_none(),
            presence: record.presence,
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct NewAccount {
    email: String,
    name: String,
    /// At least 8 characters.
    password: String,
    queues: Vec<QueueId>,
    /// Conversations held at once; the configured default when left out.
    capacity: Option<u32>,
    #[serde(default)]
    role: Role,
}

/// What changes; what is left out stays as it is.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct AccountChange {
    name: Option<String>,
    queues: Option<Vec<QueueId>>,
    capacity: Option<u32>,
    role: Option<Role>,
    /// At least 8 characters.
    password: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct AgentPath {
    /// The agent's id.
    agent: String,
}

fn unavailable(error: StoreError) -> Refusal {
    tracing::error!(%error, "an agents request failed");
    refuse(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Unavailable,
        "The agents could not be read or stored; nothing was changed.",
    )
}

fn body<T>(body: Result<Json<T>, JsonRejection>, shape: &str) -> Result<T, Refusal> {
    body.map(|Json(body)| body).map_err(|rejection| {
        let message = format!("The body must be {shape}: {rejection}");
        refuse(StatusCode::BAD_REQUEST, ErrorCode::InvalidInput, &message)
    })
}

/// Every problem with the fields given, as the configuration's checks say them.
/// `fields` checked as the command line checks them.
fn problems<S>(app: &App<S>, fields: AccountFields<'_>) -> Result<(), Refusal> {
    let problems = app.config().account_problems(fields);
    if problems.is_empty() {
        return Ok(());
    }
    let body = ErrorBody::new(ErrorCode::InvalidInput, problems.join("; "));
    Err(Refusal::new(StatusCode::BAD_REQUEST, body))
}

async fn account<S: Store>(app: &App<S>, id: &AgentId) -> Result<AgentRecord, Refusal> {
    let accounts = app.store.agents().await.map_err(unavailable)?;
    accounts
        .into_iter()
        .find(|account| &account.id == id)
        .ok_or_else(|| {
            refuse(
                StatusCode::NOT_FOUND,
                ErrorCode::NotFound,
                &format!("No agent {id}."),
            )
        })
}

async fn list<S: Store>(
    State(app): State<Arc<App<S>>>,
    headers: HeaderMap,
) -> Result<Json<Vec<Account>>, Refusal> {
    authorize(&app, &headers, Scope::ReadOnly).await?;
    let default_capacity = app.config().agents.default_capacity;
    let accounts = app.store.agents().await.map_err(unavailable)?;
    let accounts = accounts
        .into_iter()
        .map(|record| Account::of(record, default_capacity));
    Ok(Json(accounts.collect()))
}

async fn add<S: Store>(
    State(app): State<Arc<App<S>>>,
    ClientAddress(origin): ClientAddress,
    headers: HeaderMap,
    new: Result<Json<NewAccount>, JsonRejection>,
) -> Result<(StatusCode, Json<Account>), Refusal> {
    let caller = authorize(&app, &headers, Scope::Full).await?;
    let new = body(
        new,
        "{\"email\", \"name\", \"password\", \"queues\", \"capacity\"?, \"role\"?}",
    )?;
    let email = new.email.trim();
    let fields = AccountFields {
        name: Some(&new.name),
        queues: Some(&new.queues),
        capacity: new.capacity,
        password: Some(&new.password),
    };
    let mut checked = problems(&app, fields);
    if !email.contains('@') || email.len() > 254 || email.chars().any(char::is_control) {
        checked = Err(refuse(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidInput,
            &format!("email: “{email}” is not an e-mail address"),
        ));
    }
    checked?;
    let record = AgentRecord {
        id: AgentId(auth::random_id()),
        email: email.to_owned(),
        name: new.name.trim().to_owned(),
        password_hash: auth::hash_password(&new.password),
        queues: new.queues,
        capacity: new.capacity,
        presence: Presence::Offline,
        presence_since: clock::now(),
        role: new.role,
    };
    app.store
        .insert_agent(&record)
        .await
        .map_err(|error| match error {
            StoreError::Constraint(message) => {
                refuse(StatusCode::CONFLICT, ErrorCode::InvalidInput, &message)
            }
            other => unavailable(other),
        })?;
    let detail = format!("{}, queues {}", record.role, queue_list(&record.queues));
    let action = AuditAction::AgentAdded;
    audit::record(&app, &caller, origin, action, &record.email, detail).await;
    app.hub.account_changed(&record).await;
    let default_capacity = app.config().agents.default_capacity;
    Ok((
        StatusCode::CREATED,
        Json(Account::of(record, default_capacity)),
    ))
}

fn queue_list(queues: &[QueueId]) -> String {
    let names: Vec<&str> = queues.iter().map(|queue| queue.0.as_str()).collect();
    names.join(", ")
}

async fn change<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(AgentPath { agent }): Path<AgentPath>,
    ClientAddress(origin): ClientAddress,
    headers: HeaderMap,
    change: Result<Json<AccountChange>, JsonRejection>,
) -> Result<Json<Account>, Refusal> {
    let caller = authorize(&app, &headers, Scope::Full).await?;
    let change = body(
        change,
        "{\"name\"?, \"queues\"?, \"capacity\"?, \"role\"?, \"password\"?}",
    )?;
    let fields = AccountFields {
        name: change.name.as_deref(),
        queues: change.queues.as_deref(),
        capacity: change.capacity,
        password: change.password.as_deref(),
    };
    problems(&app, fields)?;
    let mut record = account(&app, &AgentId(agent)).await?;
    if change.name.is_some() || change.queues.is_some() || change.capacity.is_some() {
        record.name = change
            .name
            .map_or(record.name, |name| name.trim().to_owned());
        record.queues = change.queues.unwrap_or(record.queues);
        record.capacity = change.capacity.or(record.capacity);
        let stored =
            app.store
                .set_agent_work(&record.id, &record.name, &record.queues, record.capacity);
        stored.await.map_err(unavailable)?;
        let capacity = record
            .capacity
            .map_or_else(|| "default".to_owned(), |capacity| capacity.to_string());
        let detail = format!("queues {}, capacity {capacity}", queue_list(&record.queues));
        let action = AuditAction::AgentChanged;
        audit::record(&app, &caller, origin, action, &record.email, detail).await;
        app.hub.account_changed(&record).await;
    }
    if let Some(password) = &change.password {
        let hash = auth::hash_password(password);
        app.store
            .set_password(&record.id, &hash)
            .await
            .map_err(unavailable)?;
        let action = AuditAction::PasswordSet;
        audit::record(&app, &caller, origin, action, &record.email, "").await;
        end_sessions(
            &app,
            &caller,
            origin,
            &record.id,
            SignOutReason::PasswordChanged,
        )
        .await?;
    }
    if let Some(role) = change.role.filter(|role| *role != record.role) {
        app.store
            .set_role(&record.id, role)
            .await
            .map_err(unavailable)?;
        let detail = format!("{} → {role}", record.role);
        let action = AuditAction::RoleChanged;
        audit::record(&app, &caller, origin, action, &record.email, detail).await;
        record.role = role;
        end_sessions(
            &app,
            &caller,
            origin,
            &record.id,
            SignOutReason::RoleChanged,
        )
        .await?;
    }
    let default_capacity = app.config().agents.default_capacity;
    Ok(Json(Account::of(record, default_capacity)))
}

async fn remove<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(AgentPath { agent }): Path<AgentPath>,
    ClientAddress(origin): ClientAddress,
    headers: HeaderMap,
) -> Result<StatusCode, Refusal> {
    let caller = authorize(&app, &headers, Scope::Full).await?;
    let record = account(&app, &AgentId(agent)).await?;
    end_sessions(&app, &caller, origin, &record.id, SignOutReason::Removed).await?;
    app.store
        .remove_agent(&record.id)
        .await
        .map_err(unavailable)?;
    let action = AuditAction::AgentRemoved;
    audit::record(&app, &caller, origin, action, &record.email, "").await;
    Ok(StatusCode::NO_CONTENT)
}

/// Why an agent's sessions end, as the admin commands say it.
#[derive(Clone, Copy, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum SignOutReason {
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
struct SignOut {
    reason: SignOutReason,
}

#[derive(Debug, Serialize, JsonSchema)]
struct SignedOut {
    signed_out: bool,
}

/// `POST /api/v1/admin/agents/{id}/sign-out` with `{"reason": "signed_out" | "password_changed"
/// | "role_changed" | "removed"}`: ends the agent's sessions; their open desktop is closed at
/// once with the reason. After a role change, the stored role holds from the next sign-in.
async fn sign_out<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(AgentPath { agent }): Path<AgentPath>,
    ClientAddress(origin): ClientAddress,
    headers: HeaderMap,
    reason: Result<Json<SignOut>, JsonRejection>,
) -> Result<Json<SignedOut>, Refusal> {
    let caller = authorize(&app, &headers, Scope::Full).await?;
    let shape =
        "{\"reason\": \"signed_out\" | \"password_changed\" | \"role_changed\" | \"removed\"}";
    let SignOut { reason } = body(reason, shape)?;
    end_sessions(&app, &caller, origin, &AgentId(agent), reason).await?;
    Ok(Json(SignedOut { signed_out: true }))
}

/// Ends `agent`'s sessions for `reason`: their open desktop is closed at once with it, and the
/// audit log says who did it.
async fn end_sessions<S: Store>(
    app: &App<S>,
    caller: &Caller,
    origin: IpAddr,
    agent: &AgentId,
    reason: SignOutReason,
) -> Result<(), Refusal> {
    let unavailable = |error: StoreError| {
        tracing::error!(%error, "ending sessions failed");
        refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            "The sessions could not be ended; try again.",
        )
    };
    app.store.end_sessions(agent).await.map_err(unavailable)?;
    let accounts = app.store.agents().await.map_err(unavailable)?;
    let account = accounts.into_iter().find(|account| &account.id == agent);
    let role = match reason {
        SignOutReason::RoleChanged => account.as_ref().map(|account| account.role),
        _ => None,
    };
    let subject = account.map_or_else(|| agent.0.clone(), |account| account.email);
    let action = AuditAction::SignedOut;
    audit::record(app, caller, origin, action, subject, reason.words()).await;
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
    let error = ErrorBody::new(ErrorCode::SessionRevoked, message);
    app.hub.sign_out(agent.clone(), error, role).await;
    Ok(())
}
