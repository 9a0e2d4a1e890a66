//! The `[store]` section: which database keeps the server's records, and what a stored step
//! survives.

use serde::Deserialize;

use super::ConfigProblem;

/// The `[store]` section.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoreSection {
    /// `postgres://…` for PostgreSQL; left out (or `sqlite:`), the embedded database in
    /// `[server] data_dir`.
    pub url: Option<String>,
    /// The embedded database's: PostgreSQL's durability is its own (`synchronous_commit`).
    pub durability: Durability,
}

/// What a step survives once the server has delivered its events.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Durability {
    /// A power cut or a kernel crash: each group of steps is synced to the disk (`fdatasync`)
    /// before anything of it is delivered, and the database before journal segments go.
    #[default]
    Power,
    /// A killed process: steps are written to the journal file before delivery, and the
    /// operating system writes them to the disk in its own time.
    Process,
}

/// Where the records are kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    /// SQLite under the data directory, with its journal.
    Embedded,
    /// The PostgreSQL database at this URL.
    Postgres(String),
}

impl StoreSection {
    pub fn backend(&self) -> Backend {
        match &self.url {
            Some(url) if is_postgres(url) => Backend::Postgres(url.clone()),
            _ => Backend::Embedded,
        }
    }

    pub(super) fn validate(&self) -> Result<(), ConfigProblem> {
        let Some(url) = &self.url else {
            return Ok(());
        };
        if is_postgres(url) {
            return url::Url::parse(url).map(drop).map_err(|e| {
                ConfigProblem::new("store.url", format!("not a PostgreSQL URL: {e}"))
            });
        }
        if let Some(path) = url.strip_prefix("sqlite:") {
            if path.trim_start_matches('/').is_empty() {
                return Ok(());
            }
            return Err(ConfigProblem::new(
                "store.url",
                "the embedded database lives in [server] data_dir: write `sqlite:` without a path, or leave `url` out",
            ));
        }
        Err(ConfigProblem::new(
            "store.url",
            "must start with postgres:// (PostgreSQL) or sqlite: (the embedded database)",
        ))
    }
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(url: &str) -> StoreSection {
        StoreSection {
            url: Some(url.into()),
            ..StoreSection::default()
        }
    }

    #[test]
    fn the_url_chooses_the_database_and_anything_else_is_refused() {
        assert_eq!(StoreSection::default().backend(), Backend::Embedded);
        for embedded in ["sqlite:", "sqlite://"] {
            assert_eq!(section(embedded).validate(), Ok(()));
            assert_eq!(section(embedded).backend(), Backend::Embedded);
        }
        let postgres = "postgres://switchboard:secret@db.internal:5432/switchboard";
        assert_eq!(section(postgres).validate(), Ok(()));
        assert_eq!(
            section(postgres).backend(),
            Backend::Postgres(postgres.into())
        );
        for (wrong, problem) in [
            ("sqlite:///var/lib/x.db", "data_dir"),
            ("mysql://db/x", "must start with postgres://"),
            ("postgres://[broken", "not a PostgreSQL URL"),
        ] {
            let refused = section(wrong).validate().unwrap_err();
            assert_eq!(refused.key, "store.url");
            assert!(refused.problem.contains(problem), "{wrong}: {refused}");
        }
    }
}
