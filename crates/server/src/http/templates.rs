//! The message templates admin API, with the admin token (see [`crate::admin`]):
//!
//! - `GET /api/v1/admin/templates` — the configuration file's templates and those added here;
//! - `PUT /api/v1/admin/templates/{shortcut}` — adds or replaces one (`name`, `text`, optional
//!   `translations` and `queues`), checked as the configuration's are;
//! - `DELETE /api/v1/admin/templates/{shortcut}`.
//!
//! A change takes effect at once (every connected desktop gets the new profile) and survives
//! restarts. The configuration file's templates are changed in the file: a request for one of
//! their shortcuts gets `409`. A refused request changes nothing.

use std::collections::BTreeMap;
use std::sync::Arc;

use aide::axum::ApiRouter;
use aide::axum::routing::{get_with, put_with};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_protocol::template::Template;
use switchboard_protocol::{ErrorCode, QueueId};

use super::{Refusal, audit, authorize, refuse};
use crate::app::{App, ClientAddress};
use crate::config;
use crate::store::{AuditAction, Scope, Store, StoreError};

pub(super) fn routes<S: Store>() -> ApiRouter<Arc<App<S>>> {
    ApiRouter::new()
        .api_route(
            "/api/v1/admin/templates",
            get_with(list::<S>, |op| {
                op.tag("templates")
                    .summary("The configuration file's templates and those added here")
                    .description("Needs a read-only key or wider.")
            }),
        )
        .api_route(
            "/api/v1/admin/templates/{shortcut}",
            put_with(save::<S>, |op| {
                op.tag("templates")
                    .summary("Add or replace a template")
                    .description(
                        "Checked as the configuration's are; every connected desktop gets it at \
                         once. A configured template's shortcut is refused (409). Needs a full key.",
                    )
            })
            .delete_with(remove::<S>, |op| {
                op.tag("templates")
                    .summary("Delete a template added here")
                    .description("Needs a full key.")
            }),
        )
}

#[derive(Debug, Deserialize, JsonSchema)]
struct ShortcutPath {
    /// Typed after `/` in the composer.
    shortcut: String,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Templates {
    /// From the configuration file: changed there.
    configured: Vec<Template>,
    /// Added through this API.
    added: Vec<Template>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Saved {
    saved: String,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Removed {
    removed: String,
}

/// A template as a request writes it: its shortcut is the path's.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct TemplateBody {
    name: String,
    text: String,
    #[serde(default)]
    translations: BTreeMap<String, String>,
    #[serde(default)]
    queues: Vec<QueueId>,
}

fn unavailable(error: StoreError) -> Refusal {
    tracing::error!(%error, "a templates request failed");
    refuse(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Unavailable,
        "The templates could not be stored or read; nothing was changed.",
    )
}

fn configured<S: Store>(app: &App<S>, shortcut: &str) -> Result<(), Refusal> {
    if app
        .config()
        .templates
        .iter()
        .any(|t| t.shortcut.eq_ignore_ascii_case(shortcut))
    {
        let message = format!(
            "The template /{shortcut} is defined in the configuration file: change it there."
        );
        return Err(refuse(
            StatusCode::CONFLICT,
            ErrorCode::InvalidState,
            &message,
        ));
    }
    Ok(())
}

async fn list<S: Store>(
    State(app): State<Arc<App<S>>>,
    headers: HeaderMap,
) -> Result<Json<Templates>, Refusal> {
    authorize(&app, &headers, Scope::ReadOnly).await?;
    let added = app.store.templates().await.map_err(unavailable)?;
    Ok(Json(Templates {
        configured: app.config().templates.clone(),
        added,
    }))
}

async fn save<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(ShortcutPath { shortcut }): Path<ShortcutPath>,
    ClientAddress(origin): ClientAddress,
    headers: HeaderMap,
    body: Result<Json<TemplateBody>, JsonRejection>,
) -> Result<Json<Saved>, Refusal> {
    let caller = authorize(&app, &headers, Scope::Full).await?;
    let Json(body) = body.map_err(|rejection| {
        let message = format!(
            "The body must be {{\"name\", \"text\", \"translations\"?, \"queues\"?}}: {rejection}"
        );
        refuse(StatusCode::BAD_REQUEST, ErrorCode::InvalidInput, &message)
    })?;
    configured(&app, &shortcut)?;
    let template = Template {
        name: body.name,
        shortcut,
        text: body.text,
        translations: body.translations,
        queues: body.queues,
    };
    // Checked as the configuration's are, beside every other template (shortcuts stay unique).
    let mut all: Vec<Template> = app.config().templates.clone();
    let added = app.store.templates().await.map_err(unavailable)?;
    all.extend(
        added
            .into_iter()
            .filter(|t| t.shortcut != template.shortcut),
    );
    all.push(template.clone());
    let at = format!("templates[{}].", all.len() - 1);
    config::check_templates(&all, |queue| app.config().queue(queue).is_some()).map_err(
        |problem| {
            let key = problem.key.strip_prefix(&at).unwrap_or(&problem.key);
            let message = format!("{key}: {}", problem.problem);
            refuse(StatusCode::BAD_REQUEST, ErrorCode::InvalidInput, &message)
        },
    )?;
    app.store
        .save_template(&template)
        .await
        .map_err(unavailable)?;
    let action = AuditAction::TemplateSaved;
    audit::record(
        &app,
        &caller,
        origin,
        action,
        &template.shortcut,
        &template.name,
    )
    .await;
    announce(&app).await?;
    Ok(Json(Saved {
        saved: template.shortcut,
    }))
}

async fn remove<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(ShortcutPath { shortcut }): Path<ShortcutPath>,
    ClientAddress(origin): ClientAddress,
    headers: HeaderMap,
) -> Result<Json<Removed>, Refusal> {
    let caller = authorize(&app, &headers, Scope::Full).await?;
    configured(&app, &shortcut)?;
    if !app
        .store
        .delete_template(&shortcut)
        .await
        .map_err(unavailable)?
    {
        let message = format!("No template /{shortcut} was added.");
        return Err(refuse(StatusCode::NOT_FOUND, ErrorCode::NotFound, &message));
    }
    audit::record(
        &app,
        &caller,
        origin,
        AuditAction::TemplateDeleted,
        &shortcut,
        "",
    )
    .await;
    announce(&app).await?;
    Ok(Json(Removed { removed: shortcut }))
}

/// Every desktop gets the templates as they now are.
async fn announce<S: Store>(app: &App<S>) -> Result<(), Refusal> {
    let added = app.store.templates().await.map_err(unavailable)?;
    app.hub.templates_changed(added).await;
    Ok(())
}
