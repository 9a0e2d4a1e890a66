//! Named API keys for the admin API, each with a scope (read-only, contacts, full), created and
//! revoked with `switchboard-server apikey`. Only a key's hash is stored; a revoked key stays listed
//! with when it was revoked, and its name is not given again.

use std::future::Future;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use switchboard_protocol::Millis;

use super::{Journaled, SqliteStore, Store, StoreResult};

/// What a key may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Read: reports, the audit log, contacts, templates, metrics.
    ReadOnly,
    /// Read, and change contacts.
    Contacts,
    /// Everything the admin API does.
    Full,
}

impl Scope {
    /// Whether a key of this scope may do what needs `needed`.
    pub fn allows(self, needed: Scope) -> bool {
        match self {
            Scope::Full => true,
            Scope::Contacts => needed != Scope::Full,
            Scope::ReadOnly => needed == Scope::ReadOnly,
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Scope::ReadOnly => "read-only",
            Scope::Contacts => "contacts",
            Scope::Full => "full",
        })
    }
}

impl FromStr for Scope {
    type Err = String;

    fn from_str(text: &str) -> Result<Scope, String> {
        match text {
            "read-only" => Ok(Scope::ReadOnly),
            "contacts" => Ok(Scope::Contacts),
            "full" => Ok(Scope::Full),
            other => Err(format!(
                "“{other}” is not a scope: read-only, contacts or full"
            )),
        }
    }
}

/// A key as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiKey {
    pub name: String,
    pub scope: Scope,
    pub key_hash: String,
    pub created_at: Millis,
    pub revoked_at: Option<Millis>,
}

/// Makes a key called `name` with `scope`: the key itself, shown once (only its hash is kept),
/// or why not.
pub async fn create(
    store: &impl ApiKeyStore,
    name: &str,
    scope: Scope,
    now: Millis,
) -> Result<String, String> {
    let name = name.trim();
    let fine = |c: char| c.is_ascii_alphanumeric() || "-_.".contains(c);
    if name.is_empty() || name.len() > 64 || !name.chars().all(fine) {
        return Err(format!(
            "“{name}” is not a key's name: 1 to 64 letters, digits, '-', '_' or '.'"
        ));
    }
    let secret = format!("sbk_{}", crate::auth::random_token());
    let key = ApiKey {
        name: name.to_owned(),
        scope,
        key_hash: crate::auth::hash_token(&secret),
        created_at: now,
        revoked_at: None,
    };
    match store.add_api_key(&key).await {
        Ok(true) => Ok(secret),
        Ok(false) => Err(format!(
            "there is a key called {name} already (revoked ones keep their names)"
        )),
        Err(error) => Err(error.to_string()),
    }
}

pub trait ApiKeyStore {
    /// Adds a key; `false` if its name is taken (by a key live or revoked).
    fn add_api_key(&self, key: &ApiKey) -> impl Future<Output = StoreResult<bool>> + Send;
    /// Revokes the live key `name` at `at`; `false` if there is none.
    fn revoke_api_key(
        &self,
        name: &str,
        at: Millis,
    ) -> impl Future<Output = StoreResult<bool>> + Send;
    /// Every key, by name.
    fn api_keys(&self) -> impl Future<Output = StoreResult<Vec<ApiKey>>> + Send;
    /// The live key whose hash is `key_hash`.
    fn live_api_key(
        &self,
        key_hash: &str,
    ) -> impl Future<Output = StoreResult<Option<ApiKey>>> + Send;
}

pub(super) type Row = (String, String, String, i64, Option<i64>);

pub(super) fn key((name, scope, key_hash, created_at, revoked_at): Row) -> StoreResult<ApiKey> {
    Ok(ApiKey {
        name,
        scope: scope.parse().map_err(super::StoreError::Corrupt)?,
        key_hash,
        created_at: created_at as Millis,
        revoked_at: revoked_at.map(|at| at as Millis),
    })
}

/// `ApiKeyStore` in the store's SQL dialect: the statements with their parameters in the order
/// the methods bind them.
macro_rules! api_key_store {
    ($store:ty, insert: $insert:literal, revoke: $revoke:literal, all: $all:literal, live: $live:literal) => {
        impl $crate::store::api_keys::ApiKeyStore for $store {
            async fn add_api_key(
                &self,
                key: &$crate::store::api_keys::ApiKey,
            ) -> $crate::store::StoreResult<bool> {
                let added = sqlx::query($insert)
                    .bind(&key.name)
                    .bind(key.scope.to_string())
                    .bind(&key.key_hash)
                    .bind(key.created_at as i64)
                    .execute(self.pool())
                    .await?;
                Ok(added.rows_affected() == 1)
            }

            async fn revoke_api_key(
                &self,
                name: &str,
                at: switchboard_protocol::Millis,
            ) -> $crate::store::StoreResult<bool> {
                let revoked = sqlx::query($revoke)
                    .bind(at as i64)
                    .bind(name)
                    .execute(self.pool())
                    .await?;
                Ok(revoked.rows_affected() == 1)
            }

            async fn api_keys(
                &self,
            ) -> $crate::store::StoreResult<Vec<$crate::store::api_keys::ApiKey>> {
                let rows = sqlx::query_as($all).fetch_all(self.pool()).await?;
                rows.into_iter().map($crate::store::api_keys::key).collect()
            }

            async fn live_api_key(
                &self,
                key_hash: &str,
            ) -> $crate::store::StoreResult<Option<$crate::store::api_keys::ApiKey>> {
                let row = sqlx::query_as($live)
                    .bind(key_hash)
                    .fetch_optional(self.pool())
                    .await?;
                row.map($crate::store::api_keys::key).transpose()
            }
        }
    };
}
pub(super) use api_key_store;

api_key_store!(
    SqliteStore,
    insert: "INSERT INTO api_keys (name, scope, key_hash, created_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT DO NOTHING",
    revoke: "UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
    all: "SELECT name, scope, key_hash, created_at, revoked_at FROM api_keys ORDER BY name",
    live: "SELECT name, scope, key_hash, created_at, revoked_at FROM api_keys \
           WHERE key_hash = ? AND revoked_at IS NULL"
);

impl<S: Store> ApiKeyStore for Journaled<S> {
    async fn add_api_key(&self, key: &ApiKey) -> StoreResult<bool> {
        self.inner().add_api_key(key).await
    }

    async fn revoke_api_key(&self, name: &str, at: Millis) -> StoreResult<bool> {
        self.inner().revoke_api_key(name, at).await
    }

    async fn api_keys(&self) -> StoreResult<Vec<ApiKey>> {
        self.inner().api_keys().await
    }

    async fn live_api_key(&self, key_hash: &str) -> StoreResult<Option<ApiKey>> {
        self.inner().live_api_key(key_hash).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scope_allows_what_it_names_and_less() {
        use Scope::*;
        let allowed = |key: Scope| [ReadOnly, Contacts, Full].map(|needed| key.allows(needed));
        assert_eq!(allowed(ReadOnly), [true, false, false]);
        assert_eq!(allowed(Contacts), [true, true, false]);
        assert_eq!(allowed(Full), [true, true, true]);
        for scope in [ReadOnly, Contacts, Full] {
            assert_eq!(scope.to_string().parse::<Scope>(), Ok(scope));
        }
        assert!(
            "admin"
                .parse::<Scope>()
                .unwrap_err()
                .contains("read-only, contacts or full")
        );
    }
}
