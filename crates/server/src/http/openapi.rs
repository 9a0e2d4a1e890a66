//! The admin API, described: an OpenAPI 3.1 document generated from the handlers' types (their
//! extractors and answers, with the JSON Schemas the types derive), served at
//! `/api/v1/openapi.json` and committed as `docs/openapi.json`, which a test keeps equal to it.
//! Every refusal is RFC 9457 problem details — the handlers' own and the framework's (a path,
//! query or body that cannot be read; a method the path does not take).

use std::sync::Arc;

use aide::axum::ApiRouter;
use aide::generate::GenContext;
use aide::openapi::{
    MediaType, OpenApi, Operation, Response as ApiResponse, SchemaObject, SecurityScheme,
    StatusCode as ApiStatus,
};
use aide::{OperationInput, OperationOutput};
use axum::Router;
use axum::body::to_bytes;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use switchboard_protocol::ErrorCode;

use super::refusal::{PROBLEM, Problem};
use super::{Refusal, admin, agents, audit, contacts, refuse, reports, settings, templates};
use crate::app::{App, ClientAddress};
use crate::store::{SqliteStore, Store};

/// The described routes, and the document describing them.
pub(super) fn described<S: Store>() -> (Router<Arc<App<S>>>, Arc<str>) {
    let mut api = OpenApi::default();
    let router = ApiRouter::new()
        .merge(admin::routes::<S>())
        .merge(agents::routes::<S>())
        .merge(contacts::routes::<S>())
        .merge(templates::routes::<S>())
        .merge(audit::routes::<S>())
        .merge(reports::routes::<S>())
        .merge(settings::routes::<S>())
        .finish_api_with(&mut api, |doc| {
            doc.title("Switchboard admin API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(
                    "What an administrator does without touching code. Every call takes the \
                     deployment's admin token or an API key (`switchboard-server apikey create`) \
                     as a bearer token; a key's scope — read-only, contacts or full — says what \
                     it may call. Refusals are RFC 9457 problem details.",
                )
                .security_scheme(
                    "bearer",
                    SecurityScheme::Http {
                        scheme: "bearer".into(),
                        bearer_format: None,
                        description: Some("The admin token, or an API key".into()),
                        extensions: Default::default(),
                    },
                )
                .security_requirement("bearer")
        })
        .layer(axum::middleware::from_fn(framework_refusals));
    let mut document = serde_json::to_value(&api).expect("the document serializes");
    refusals_as_problems(&mut document);
    let text = serde_json::to_string_pretty(&document).expect("JSON serializes") + "\n";
    (router, text.into())
}

/// A body that cannot be read is refused as every other request is — `400` with problem
/// details, the document's default answer — not with the framework's plain-text statuses the
/// generator infers from the extractor.
fn refusals_as_problems(document: &mut serde_json::Value) {
    let operations = document["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(|item| item.as_object_mut())
        .flat_map(|item| item.values_mut());
    for operation in operations {
        if let Some(responses) = operation["responses"].as_object_mut() {
            responses.retain(|status, _| !["400", "415", "422"].contains(&status.as_str()));
        }
    }
}

/// The document, as `/api/v1/openapi.json` serves it.
pub fn document() -> String {
    described::<SqliteStore>().1.to_string()
}

/// A refusal the framework made before a handler ran — a path, query or body it could not read
/// (plain text), a method the path does not take (no body) — said as problem details too.
async fn framework_refusals(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|kind| kind.as_bytes().starts_with(PROBLEM.as_bytes()));
    if !status.is_client_error() || problem {
        return response;
    }
    let text = to_bytes(response.into_body(), 16 * 1024)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let (code, message) = match status {
        StatusCode::METHOD_NOT_ALLOWED => (
            ErrorCode::InvalidInput,
            "This path does not take that method.".to_owned(),
        ),
        StatusCode::NOT_FOUND => (ErrorCode::NotFound, "No such path.".to_owned()),
        _ if text.is_empty() => (ErrorCode::InvalidInput, "The request was refused.".into()),
        _ => (ErrorCode::InvalidInput, text.into_owned()),
    };
    refuse(status, code, &message).into_response()
}

impl OperationOutput for Refusal {
    type Inner = Problem;

    fn operation_response(ctx: &mut GenContext, _operation: &mut Operation) -> Option<ApiResponse> {
        let mut response = ApiResponse {
            description: "Refused: RFC 9457 problem details, with the protocol's error code".into(),
            ..Default::default()
        };
        let media = MediaType {
            schema: Some(SchemaObject {
                json_schema: ctx.schema.subschema_for::<Problem>(),
                example: None,
                external_docs: None,
            }),
            ..Default::default()
        };
        response.content.insert(PROBLEM.into(), media);
        Some(response)
    }

    fn inferred_responses(
        ctx: &mut GenContext,
        operation: &mut Operation,
    ) -> Vec<(Option<ApiStatus>, ApiResponse)> {
        Self::operation_response(ctx, operation)
            .map(|response| (None, response))
            .into_iter()
            .collect()
    }
}

/// The client's address is no input a caller gives.
impl OperationInput for ClientAddress {}

#[cfg(test)]
mod tests {
    /// The committed document: resolved at run time, as a build shared by clones runs it.
    fn committed() -> std::path::PathBuf {
        let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo test sets it");
        std::path::Path::new(&manifest_dir).join("../../docs/openapi.json")
    }

    #[test]
    fn the_committed_document_is_the_one_the_handlers_generate() {
        let generated = super::document();
        if std::env::var_os("SWITCHBOARD_WRITE_OPENAPI").is_some() {
            std::fs::write(committed(), &generated).unwrap();
        }
        let published = std::fs::read_to_string(committed()).unwrap_or_default();
        assert!(
            published == generated,
            "docs/openapi.json is out of date: run `cargo xtask schema`"
        );
    }
}
