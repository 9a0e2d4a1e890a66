//! The contacts admin API, with the admin token (see [`crate::admin`]):
//!
//! - `GET /api/v1/admin/contacts?search=…&limit=…` — contacts by name;
//! - `POST /api/v1/admin/contacts` — creates one (`201` with the record);
//! - `GET | PUT | DELETE /api/v1/admin/contacts/{id}`.
//!
//! Bad fields get `400` with every problem; a key (e-mail, mobile phone, external or Facebook id)
//! another contact has gets `409`; nothing is changed by a refused request.

use std::sync::Arc;

use aide::axum::ApiRouter;
use aide::axum::routing::get_with;
use aide::transform::TransformOperation;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use schemars::JsonSchema;
use serde::Deserialize;
use switchboard_protocol::{ContactId, ErrorBody, ErrorCode};

use super::{Refusal, audit, authorize, refuse};
use crate::app::{App, ClientAddress};
use crate::auth;
use crate::contacts::{ContactFields, ContactRecord, key_taken};
use crate::store::{AuditAction, Scope, Store, StoreError};

fn tagged<'a>(op: TransformOperation<'a>, summary: &str, scope: &str) -> TransformOperation<'a> {
    op.tag("contacts").summary(summary).description(scope)
}

pub(super) fn routes<S: Store>() -> ApiRouter<Arc<App<S>>> {
    const READ: &str = "Needs a read-only key or wider.";
    const WRITE: &str = "Needs a contacts key or wider.";
    ApiRouter::new()
        .api_route(
            "/api/v1/admin/contacts",
            get_with(list::<S>, |op| tagged(op, "Contacts by name", READ))
                .post_with(create::<S>, |op| {
                    tagged(op, "Create a contact", WRITE).response::<201, Json<ContactRecord>>()
                }),
        )
        .api_route(
            "/api/v1/admin/contacts/{id}",
            get_with(show::<S>, |op| tagged(op, "A contact", READ))
                .put_with(replace::<S>, |op| {
                    tagged(op, "Replace a contact's fields", WRITE)
                })
                .delete_with(remove::<S>, |op| {
                    tagged(op, "Delete a contact", WRITE).response::<204, ()>()
                }),
        )
}

const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 1000;

#[derive(Debug, Deserialize, JsonSchema)]
struct ListQuery {
    /// Part of the name; every contact when empty.
    #[serde(default)]
    search: String,
    /// At most this many (1 to 1000; 100 when left out).
    limit: Option<u32>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct ContactPath {
    /// The contact's id.
    id: String,
}

fn internal(error: StoreError) -> Refusal {
    tracing::error!(%error, "a contacts request failed");
    refuse(
        StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::Internal,
        "The server failed; nothing was changed.",
    )
}

fn not_found(id: &ContactId) -> Refusal {
    refuse(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        &format!("No contact {id}."),
    )
}

async fn list<S: Store>(
    State(app): State<Arc<App<S>>>,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Result<Json<Vec<ContactRecord>>, Refusal> {
    authorize(&app, &headers, Scope::ReadOnly).await?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let found = app.store.search_contacts(&query.search, limit).await;
    found.map(Json).map_err(internal)
}

async fn show<S: Store>(
    State(app): State<Arc<App<S>>>,
    headers: HeaderMap,
    Path(ContactPath { id }): Path<ContactPath>,
) -> Result<Json<ContactRecord>, Refusal> {
    authorize(&app, &headers, Scope::ReadOnly).await?;
    let id = ContactId(id);
    match app.store.contact(&id).await.map_err(internal)? {
        Some(contact) => Ok(Json(contact)),
        None => Err(not_found(&id)),
    }
}

async fn create<S: Store>(
    State(app): State<Arc<App<S>>>,
    ClientAddress(origin): ClientAddress,
    headers: HeaderMap,
    body: Result<Json<ContactFields>, JsonRejection>,
) -> Result<(StatusCode, Json<ContactRecord>), Refusal> {
    let caller = authorize(&app, &headers, Scope::Contacts).await?;
    let record = ContactRecord {
        id: ContactId(auth::random_id()),
        fields: validated(&app, body)?,
    };
    let record = save(&app, record).await?;
    let (id, name) = (record.id.0.clone(), record.fields.name.clone());
    audit::record(&app, &caller, origin, AuditAction::ContactCreated, id, name).await;
    Ok((StatusCode::CREATED, Json(record)))
}

async fn replace<S: Store>(
    State(app): State<Arc<App<S>>>,
    ClientAddress(origin): ClientAddress,
    headers: HeaderMap,
    Path(ContactPath { id }): Path<ContactPath>,
    body: Result<Json<ContactFields>, JsonRejection>,
) -> Result<Json<ContactRecord>, Refusal> {
    let caller = authorize(&app, &headers, Scope::Contacts).await?;
    let id = ContactId(id);
    let fields = validated(&app, body)?;
    if app.store.contact(&id).await.map_err(internal)?.is_none() {
        return Err(not_found(&id));
    }
    let record = save(&app, ContactRecord { id, fields }).await?;
    let (id, name) = (record.id.0.clone(), record.fields.name.clone());
    audit::record(&app, &caller, origin, AuditAction::ContactChanged, id, name).await;
    Ok(Json(record))
}

async fn remove<S: Store>(
    State(app): State<Arc<App<S>>>,
    ClientAddress(origin): ClientAddress,
    headers: HeaderMap,
    Path(ContactPath { id }): Path<ContactPath>,
) -> Result<StatusCode, Refusal> {
    let caller = authorize(&app, &headers, Scope::Contacts).await?;
    let id = ContactId(id);
    match app.store.delete_contact(&id).await.map_err(internal)? {
        true => {
            audit::record(&app, &caller, origin, AuditAction::ContactDeleted, id.0, "").await;
            Ok(StatusCode::NO_CONTENT)
        }
        false => Err(not_found(&id)),
    }
}

fn validated<S>(
    app: &App<S>,
    body: Result<Json<ContactFields>, JsonRejection>,
) -> Result<ContactFields, Refusal> {
    let Json(input) = body.map_err(|rejection| {
        refuse(
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedFrame,
            &format!(
                "Expected {{\"name\", \"email\", \"mobile_phone\", \"notes\", \"external_id\", \"facebook_id\"}}: {rejection}"
            ),
        )
    })?;
    input
        .validated(app.config().contacts.default_region)
        .map_err(|problems| {
            let body = ErrorBody::new(ErrorCode::InvalidInput, problems.join("; "));
            Refusal::new(StatusCode::BAD_REQUEST, body)
        })
}

async fn save<S: Store>(app: &App<S>, record: ContactRecord) -> Result<ContactRecord, Refusal> {
    let taken = app
        .store
        .save_contacts(std::slice::from_ref(&record))
        .await
        .map_err(internal)?;
    if !taken.is_empty() {
        let body = ErrorBody::new(ErrorCode::InvalidInput, key_taken(&taken));
        return Err(Refusal::new(StatusCode::CONFLICT, body));
    }
    Ok(record)
}
