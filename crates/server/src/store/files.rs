//! Where files sent with messages are kept: their records, and their content in chunks (or, with
//! `[attachments] dir`, in that directory under their SHA-256). Not routing state: written
//! directly when an upload completes, not through the journal. Also the secret that signs the
//! links to them, shared by every node of one database.

use std::future::Future;
use std::io::Read;
use std::path::Path;

use switchboard_protocol::{ConversationId, FileId, StoredFile};

use super::{Journaled, SqliteStore, Store, StoreResult};

/// A file's content is stored and read in chunks of this size: never more of it in memory.
pub const CHUNK_BYTES: usize = 256 * 1024;

/// A stored file: what it is, whose conversation it belongs to, and who sent it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRecord {
    pub conversation: ConversationId,
    /// `customer` or `agent:<id>` ([`crate::files::Uploader`]).
    pub uploader: String,
    pub file: StoredFile,
    /// Its content is in the attachments directory rather than the database.
    pub in_dir: bool,
}

pub trait FileStore {
    /// Stores a file's record and, unless it is kept in a directory, its content read from
    /// `content` a chunk at a time.
    fn put_file(
        &self,
        record: &FileRecord,
        content: &Path,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    fn file(&self, id: &FileId) -> impl Future<Output = StoreResult<Option<FileRecord>>> + Send;
    /// Chunk `n` (from 0) of a file's stored content; `None` past its end.
    fn file_chunk(
        &self,
        id: &FileId,
        n: i64,
    ) -> impl Future<Output = StoreResult<Option<Vec<u8>>>> + Send;
    /// The secret called `name`, made from `new` the first time it is asked for (by any node).
    fn secret(&self, name: &str, new: &[u8]) -> impl Future<Output = StoreResult<Vec<u8>>> + Send;
}

/// Reads chunk after chunk of the file at `path` (a spooled upload: at most the configured size).
pub(super) fn chunks(
    path: &Path,
) -> std::io::Result<impl Iterator<Item = std::io::Result<Vec<u8>>>> {
    let mut file = std::fs::File::open(path)?;
    Ok(std::iter::from_fn(move || {
        let mut chunk = Vec::with_capacity(CHUNK_BYTES);
        match (&mut file).take(CHUNK_BYTES as u64).read_to_end(&mut chunk) {
            Ok(0) => None,
            Ok(_) => Some(Ok(chunk)),
            Err(error) => Some(Err(error)),
        }
    }))
}

/// A file's row as read: (id, conversation, uploader, name, type, size, sha256, in_dir).
pub(super) type FileRow = (String, String, String, String, String, i64, String, bool);

pub(super) fn record(row: FileRow) -> FileRecord {
    let (id, conversation, uploader, name, content_type, size, sha256, in_dir) = row;
    FileRecord {
        conversation: ConversationId(conversation),
        uploader,
        file: StoredFile {
            id: FileId(id),
            name,
            content_type,
            size: size as u64,
            sha256,
        },
        in_dir,
    }
}

/// `FileStore` for a store, its statements written once with `$n` placeholders and turned into
/// its dialect by `dialect`.
macro_rules! file_store {
    ($store:ty, $dialect:expr) => {
        impl $crate::store::FileStore for $store {
            async fn put_file(
                &self,
                record: &$crate::store::files::FileRecord,
                content: &std::path::Path,
            ) -> $crate::store::StoreResult<()> {
                let dialect = $dialect;
                let file = &record.file;
                let mut transaction = self.pool().begin().await?;
                sqlx::query(&dialect(
                    "INSERT INTO files (id, conversation_id, uploader, name, content_type, size, sha256, in_dir)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                ))
                .bind(&file.id.0)
                .bind(&record.conversation.0)
                .bind(&record.uploader)
                .bind(&file.name)
                .bind(&file.content_type)
                .bind(file.size as i64)
                .bind(&file.sha256)
                .bind(record.in_dir)
                .execute(&mut *transaction)
                .await?;
                if !record.in_dir {
                    let insert = dialect("INSERT INTO file_chunks (file_id, n, bytes) VALUES ($1, $2, $3)");
                    for (n, chunk) in $crate::store::files::chunks(content)?.enumerate() {
                        sqlx::query(&insert)
                            .bind(&file.id.0)
                            .bind(n as i64)
                            .bind(chunk?)
                            .execute(&mut *transaction)
                            .await?;
                    }
                }
                transaction.commit().await?;
                Ok(())
            }

            async fn file(
                &self,
                id: &switchboard_protocol::FileId,
            ) -> $crate::store::StoreResult<Option<$crate::store::files::FileRecord>> {
                let row: Option<$crate::store::files::FileRow> = sqlx::query_as(&($dialect)(
                    "SELECT id, conversation_id, uploader, name, content_type, size, sha256, in_dir
                     FROM files WHERE id = $1",
                ))
                .bind(&id.0)
                .fetch_optional(self.pool())
                .await?;
                Ok(row.map($crate::store::files::record))
            }

            async fn file_chunk(
                &self,
                id: &switchboard_protocol::FileId,
                n: i64,
            ) -> $crate::store::StoreResult<Option<Vec<u8>>> {
                Ok(sqlx::query_scalar(&($dialect)(
                    "SELECT bytes FROM file_chunks WHERE file_id = $1 AND n = $2",
                ))
                .bind(&id.0)
                .bind(n)
                .fetch_optional(self.pool())
                .await?)
            }

            async fn secret(&self, name: &str, new: &[u8]) -> $crate::store::StoreResult<Vec<u8>> {
                let dialect = $dialect;
                sqlx::query(&dialect(
                    "INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
                ))
                .bind(name)
                .bind(new)
                .execute(self.pool())
                .await?;
                Ok(sqlx::query_scalar(&dialect("SELECT value FROM secrets WHERE name = $1"))
                    .bind(name)
                    .fetch_one(self.pool())
                    .await?)
            }
        }
    };
}
pub(super) use file_store;

// SQLite numbers its parameters `?1`, `?2`.
file_store!(SqliteStore, |sql: &str| sql.replace('$', "?"));

impl<S: Store> FileStore for Journaled<S> {
    async fn put_file(&self, record: &FileRecord, content: &Path) -> StoreResult<()> {
        self.inner().put_file(record, content).await
    }

    async fn file(&self, id: &FileId) -> StoreResult<Option<FileRecord>> {
        self.inner().file(id).await
    }

    async fn file_chunk(&self, id: &FileId, n: i64) -> StoreResult<Option<Vec<u8>>> {
        self.inner().file_chunk(id, n).await
    }

    async fn secret(&self, name: &str, new: &[u8]) -> StoreResult<Vec<u8>> {
        self.inner().secret(name, new).await
    }
}
