//! What a storage failure was: whether trying the same again may succeed (the database was busy
//! or locked, the connection was lost) or not (a constraint refused it, the data is corrupt, the
//! disk is full, the store has stopped).

/// A storage failure. The step that hit it was not applied.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// Another writer holds the database, or the pool had no connection free in time.
    #[error("storage busy: {0}")]
    Busy(String),
    /// The connection to the database was lost, or could not be made.
    #[error("storage connection lost: {0}")]
    ConnectionLost(String),
    /// A constraint refused the write (a key another record holds).
    #[error("storage refused the write: {0}")]
    Constraint(String),
    /// What is stored is not what was written: a damaged file, a record that cannot be read.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The disk is full.
    #[error("storage is full: {0}")]
    DiskFull(String),
    /// The store, or the task writing to it, has stopped.
    #[error("storage stopped: {0}")]
    Stopped(String),
    /// Anything else the database or the file system reported.
    #[error("storage failed: {0}")]
    Failed(String),
}

impl StoreError {
    /// Whether trying the same again later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Busy(_) | StoreError::ConnectionLost(_))
    }

    /// The same failure, its message prefixed with where it happened.
    pub fn context(self, context: impl std::fmt::Display) -> StoreError {
        let prefixed = |message: String| format!("{context}: {message}");
        match self {
            StoreError::Busy(m) => StoreError::Busy(prefixed(m)),
            StoreError::ConnectionLost(m) => StoreError::ConnectionLost(prefixed(m)),
            StoreError::Constraint(m) => StoreError::Constraint(prefixed(m)),
            StoreError::Corrupt(m) => StoreError::Corrupt(prefixed(m)),
            StoreError::DiskFull(m) => StoreError::DiskFull(prefixed(m)),
            StoreError::Stopped(m) => StoreError::Stopped(prefixed(m)),
            StoreError::Failed(m) => StoreError::Failed(prefixed(m)),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> StoreError {
        let message = error.to_string();
        match &error {
            sqlx::Error::Database(database) => database_error(database.as_ref(), message),
            sqlx::Error::PoolTimedOut => StoreError::Busy(message),
            sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => StoreError::Stopped(message),
            sqlx::Error::Io(io) => StoreError::from(std::io::Error::new(io.kind(), message)),
            sqlx::Error::Tls(_) | sqlx::Error::Protocol(_) => StoreError::ConnectionLost(message),
            sqlx::Error::Decode(_) | sqlx::Error::ColumnDecode { .. } => {
                StoreError::Corrupt(message)
            }
            _ => StoreError::Failed(message),
        }
    }
}

/// A database's own error, by its code: SQLite's result codes, PostgreSQL's SQLSTATE classes.
fn database_error(database: &dyn sqlx::error::DatabaseError, message: String) -> StoreError {
    use sqlx::error::ErrorKind;
    if !matches!(database.kind(), ErrorKind::Other) {
        // Unique, foreign key, not-null and check violations.
        return StoreError::Constraint(message);
    }
    let code = database.code().unwrap_or_default();
    if let Ok(extended) = code.parse::<u32>() {
        // SQLite: the primary result code is the low byte of the extended one.
        return match extended & 0xff {
            5 | 6 => StoreError::Busy(message),
            11 | 26 => StoreError::Corrupt(message),
            13 => StoreError::DiskFull(message),
            19 => StoreError::Constraint(message),
            _ => StoreError::Failed(message),
        };
    }
    match code.as_ref() {
        "40001" | "40P01" | "55P03" | "57P03" => StoreError::Busy(message),
        "53100" => StoreError::DiskFull(message),
        "XX001" | "XX002" => StoreError::Corrupt(message),
        class if class.starts_with("08") || class.starts_with("57P") => {
            StoreError::ConnectionLost(message)
        }
        _ => StoreError::Failed(message),
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(error: sqlx::migrate::MigrateError) -> StoreError {
        match error {
            sqlx::migrate::MigrateError::Execute(error) => StoreError::from(error),
            other => StoreError::Failed(other.to_string()),
        }
    }
}

impl From<std::io::Error> for StoreError {
    fn from(error: std::io::Error) -> StoreError {
        match error.kind() {
            std::io::ErrorKind::StorageFull => StoreError::DiskFull(error.to_string()),
            std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::BrokenPipe
            // The database's side closed the connection in the middle of an answer.
            | std::io::ErrorKind::UnexpectedEof
            | std::io::ErrorKind::TimedOut => StoreError::ConnectionLost(error.to_string()),
            _ => StoreError::Failed(error.to_string()),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    /// A stored record that no longer reads as what was written.
    fn from(error: serde_json::Error) -> StoreError {
        StoreError::Corrupt(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
    use sqlx::{Connection, SqliteConnection};

    use super::*;

    async fn connect(path: &std::path::Path) -> SqliteConnection {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .busy_timeout(std::time::Duration::ZERO);
        SqliteConnection::connect_with(&options).await.unwrap()
    }

    #[tokio::test]
    async fn real_database_failures_say_whether_to_try_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("test.db");
        let mut first = connect(&path).await;
        sqlx::query("CREATE TABLE t (k TEXT PRIMARY KEY)")
            .execute(&mut first)
            .await
            .unwrap();
        sqlx::query("INSERT INTO t VALUES ('a')")
            .execute(&mut first)
            .await
            .unwrap();
        let taken = sqlx::query("INSERT INTO t VALUES ('a')")
            .execute(&mut first)
            .await
            .unwrap_err();
        let taken = StoreError::from(taken);
        assert!(matches!(taken, StoreError::Constraint(_)), "{taken:?}");
        assert!(!taken.is_transient());

        // Another writer holds the database.
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut first)
            .await
            .unwrap();
        let mut second = connect(&path).await;
        let locked = sqlx::query("INSERT INTO t VALUES ('b')")
            .execute(&mut second)
            .await
            .unwrap_err();
        let locked = StoreError::from(locked);
        assert!(matches!(locked, StoreError::Busy(_)), "{locked:?}");
        assert!(locked.is_transient());

        // A file that is not a database.
        let garbage = dir.path().join("garbage.db");
        std::fs::write(&garbage, vec![7u8; 8192]).unwrap();
        let pool = SqlitePoolOptions::new()
            .connect_with(SqliteConnectOptions::new().filename(&garbage))
            .await
            .unwrap();
        let corrupt = sqlx::query("SELECT * FROM sqlite_master")
            .execute(&pool)
            .await
            .unwrap_err();
        let corrupt = StoreError::from(corrupt);
        assert!(matches!(corrupt, StoreError::Corrupt(_)), "{corrupt:?}");
        assert!(!corrupt.is_transient());
    }

    #[test]
    fn a_full_disk_is_not_worth_retrying_and_a_lost_connection_is() {
        let full = StoreError::from(std::io::Error::from(std::io::ErrorKind::StorageFull));
        assert!(matches!(full, StoreError::DiskFull(_)) && !full.is_transient());
        for lost in [
            std::io::ErrorKind::ConnectionReset,
            std::io::ErrorKind::UnexpectedEof,
        ] {
            assert!(StoreError::from(std::io::Error::from(lost)).is_transient());
        }
        let context = StoreError::Busy("locked".into()).context("journal");
        assert_eq!(context, StoreError::Busy("journal: locked".into()));
    }
}
