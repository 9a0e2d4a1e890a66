//! Files through their signed links (the hub gives them out to who may use them):
//!
//! - `POST /api/v1/uploads?…` — the file's bytes as the body; `201` with the stored file
//!   (`StoredFile`), whose id a message then carries. Refused: a link that is wrong or expired
//!   (`403`), a file too large (`413`, as soon as the declared or received size passes the
//!   limit), empty (`400`) or of a type not taken (`415`) — nothing is kept of a refused one;
//! - `GET /api/v1/files/{id}?…` — the file, streamed, as the type its content was recognised as,
//!   never as a page: `nosniff`, a sandboxing content security policy, and anything but an image
//!   downloaded rather than shown.
//!
//! Both answer any origin: the link is the permission, and the widget runs on other sites.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::stream;
use serde::Deserialize;
use switchboard_protocol::{ErrorCode, FileId, Millis, StoredFile};
use tokio::io::AsyncReadExt;

use super::{Refusal, refuse};
use crate::app::App;
use crate::files::upload::{SpoolError, Spooled, spool, spool_dir};
use crate::files::{Signer, UploadGrant};
use crate::store::files::CHUNK_BYTES;
use crate::store::{FileRecord, Store, StoreError};
use crate::{auth, clock, private};

pub(super) fn routes<S: Store>() -> Router<Arc<App<S>>> {
    Router::new()
        .route("/api/v1/uploads", post(upload::<S>))
        .route("/api/v1/files/{id}", get(download::<S>))
}

#[derive(Debug, Deserialize)]
struct UploadQuery {
    conversation: String,
    uploader: String,
    name: String,
    expires: Millis,
    signature: String,
}

#[derive(Debug, Deserialize)]
struct ReadQuery {
    expires: Millis,
    signature: String,
}

fn any_origin(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

fn bad_link() -> Refusal {
    refuse(
        StatusCode::FORBIDDEN,
        ErrorCode::Unauthorized,
        "The link is wrong or has expired; ask for a new one.",
    )
}

fn failed(error: StoreError) -> Refusal {
    tracing::error!(%error, "a file could not be stored or read");
    refuse(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Unavailable,
        "The file cannot be stored or read now; try again in a moment.",
    )
}

fn spool_refusal(error: SpoolError) -> Refusal {
    let (status, code) = match &error {
        SpoolError::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::FileTooLarge),
        SpoolError::TypeRefused { .. } => (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::FileTypeRefused,
        ),
        SpoolError::Empty | SpoolError::Body(_) => {
            (StatusCode::BAD_REQUEST, ErrorCode::InvalidInput)
        }
        SpoolError::Io(_) => return failed(StoreError::Failed(error.to_string())),
    };
    refuse(status, code, &error.to_string())
}

async fn upload<S: Store>(
    State(app): State<Arc<App<S>>>,
    Query(query): Query<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    any_origin(match receive(&app, query, &headers, body).await {
        Ok(file) => (StatusCode::CREATED, Json(file)).into_response(),
        Err(refusal) => refusal.into_response(),
    })
}

async fn receive<S: Store>(
    app: &App<S>,
    query: UploadQuery,
    headers: &HeaderMap,
    body: Body,
) -> Result<StoredFile, Refusal> {
    let grant = grant(&app.signer, &query).ok_or_else(bad_link)?;
    let config = app.config();
    let limits = &config.attachments;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|length| length.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limits.max_bytes) {
        return Err(spool_refusal(SpoolError::TooLarge {
            max: limits.max_bytes,
        }));
    }
    let spool_dir = spool_dir(&config.server.data_dir);
    private::create_dir(&spool_dir).map_err(|e| failed(e.into()))?;
    let spooled = spool(body, &spool_dir, limits)
        .await
        .map_err(spool_refusal)?;
    store(app, grant, spooled).await.map_err(failed)
}

fn grant(signer: &Signer, query: &UploadQuery) -> Option<UploadGrant> {
    signer.upload_grant(
        &query.conversation,
        &query.uploader,
        &query.name,
        query.expires,
        &query.signature,
        clock::now(),
    )
}

/// Keeps a received file: its content in the attachments directory (by its SHA-256, once for
/// every copy) or in the store, then its record. The temporary file goes when `spooled` does.
async fn store<S: Store>(
    app: &App<S>,
    grant: UploadGrant,
    spooled: Spooled,
) -> Result<StoredFile, StoreError> {
    let config = app.config();
    let dir = config.attachments.dir.as_deref();
    let record = FileRecord {
        conversation: grant.conversation,
        uploader: grant.uploader.as_stored(),
        file: StoredFile {
            id: FileId(auth::random_id()),
            name: grant.name,
            content_type: spooled.content_type.to_owned(),
            size: spooled.size,
            sha256: spooled.sha256.clone(),
        },
        in_dir: dir.is_some(),
    };
    match dir {
        Some(dir) => {
            private::create_dir(dir)?;
            let kept = dir.join(&spooled.sha256);
            if !kept.exists() {
                spooled
                    .file
                    .persist(&kept)
                    .map_err(|e| StoreError::from(e.error))?;
            }
            app.store.put_file(&record, &kept).await?;
        }
        None => app.store.put_file(&record, spooled.file.path()).await?,
    }
    Ok(record.file)
}

async fn download<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(id): Path<String>,
    Query(query): Query<ReadQuery>,
) -> Response {
    let file = FileId(id);
    let allowed = app
        .signer
        .may_read(&file, query.expires, &query.signature, clock::now());
    let answer = if allowed {
        send(&app, file).await
    } else {
        Err(bad_link())
    };
    any_origin(answer.unwrap_or_else(IntoResponse::into_response))
}

async fn send<S: Store>(app: &App<S>, id: FileId) -> Result<Response, Refusal> {
    let Some(record) = app.store.file(&id).await.map_err(failed)? else {
        return Err(refuse(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "There is no such file.",
        ));
    };
    let body = match &app.config().attachments.dir {
        Some(dir) if record.in_dir => {
            let file = tokio::fs::File::open(dir.join(&record.file.sha256))
                .await
                .map_err(|e| failed(e.into()))?;
            Body::from_stream(read_in_chunks(file))
        }
        _ => Body::from_stream(chunks(app.store.clone(), id)),
    };
    let file = &record.file;
    let disposition = if file.content_type.starts_with("image/") {
        "inline"
    } else {
        "attachment"
    };
    let name: String = url::form_urlencoded::byte_serialize(file.name.as_bytes()).collect();
    let headers = [
        (header::CONTENT_TYPE, file.content_type.clone()),
        (header::CONTENT_LENGTH, file.size.to_string()),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; sandbox".into(),
        ),
        (
            header::CONTENT_DISPOSITION,
            format!("{disposition}; filename*=UTF-8''{name}"),
        ),
        (header::CACHE_CONTROL, "private, max-age=300".into()),
    ];
    Ok((headers, body).into_response())
}

/// A file in the attachments directory, read a chunk at a time as the client takes it.
fn read_in_chunks(
    file: tokio::fs::File,
) -> impl futures_util::Stream<Item = std::io::Result<Vec<u8>>> {
    stream::try_unfold(file, |mut file| async move {
        let mut chunk = vec![0; CHUNK_BYTES];
        let read = file.read(&mut chunk).await?;
        chunk.truncate(read);
        Ok((read > 0).then_some((chunk, file)))
    })
}

/// A file's stored chunks, read one at a time as the client takes them.
fn chunks<S: Store>(
    store: S,
    id: FileId,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, StoreError>> {
    stream::try_unfold(0_i64, move |n| {
        let (store, id) = (store.clone(), id.clone());
        async move { Ok(store.file_chunk(&id, n).await?.map(|chunk| (chunk, n + 1))) }
    })
}
