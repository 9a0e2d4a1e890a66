//! The audit log: every administrative and supervisory action, with who did it, what, when and
//! from where. Appended to directly (it is not routing state), never changed: the product has no
//! way to edit or delete an entry, and the database refuses it (triggers, see the migrations).

use std::future::Future;

use serde::{Deserialize, Serialize};
use switchboard_protocol::Millis;

use super::{Journaled, SqliteStore, Store, StoreResult};

/// What was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    AgentAdded,
    /// An agent's name, queues or capacity changed (the detail says to what).
    AgentChanged,
    AgentRemoved,
    PasswordSet,
    RoleChanged,
    /// An agent's sessions were ended by someone else (the detail says why).
    SignedOut,
    QueueRemoved,
    /// A queue added or changed through the admin API.
    QueueSaved,
    /// The wrap-up and idle reasons replaced through the admin API.
    ReasonsChanged,
    /// The desktop profile replaced through the admin API (the detail says whether it masks).
    ProfileChanged,
    /// A chat widget added or changed through the admin API.
    WidgetSaved,
    /// A chat widget removed through the admin API.
    WidgetRemoved,
    ConversationAssigned,
    /// An administrator ended a conversation (the detail says whether it was held).
    ConversationEnded,
    ContactsImported,
    ContactCreated,
    ContactChanged,
    ContactDeleted,
    TemplateSaved,
    TemplateDeleted,
    ApiKeyCreated,
    ApiKeyRevoked,
    /// A supervisor started monitoring a conversation.
    Monitored,
    /// A supervisor whispered to a monitored conversation's agents (a note).
    Whispered,
    /// A supervisor joined a conversation.
    BargedIn,
    /// A supervisor set an agent's presence (the detail says to what, and why).
    PresenceChanged,
    /// A supervisor moved a waiting conversation to another queue.
    ConversationMoved,
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = serde_json::to_value(self).expect("actions serialize");
        f.write_str(name.as_str().expect("actions are names"))
    }
}

/// One action, as the log keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AuditEntry {
    pub at: Millis,
    /// Who: `admin API`, `command line (user)`, a supervisor's e-mail address.
    pub actor: String,
    pub action: AuditAction,
    /// What it was done to: an agent's e-mail, a queue, a conversation, a contact, a template.
    pub subject: String,
    /// Anything else that says what was done (a new role, a reason, a count).
    pub detail: String,
    /// From where: the client's address, or `this machine` for the command line.
    pub origin: String,
}

pub trait AuditStore {
    /// Appends an entry.
    fn audit(&self, entry: &AuditEntry) -> impl Future<Output = StoreResult<()>> + Send;
    /// The latest `limit` entries before entry number `before` (all, when `None`), newest
    /// first, each with its number.
    fn audit_log(
        &self,
        before: Option<i64>,
        limit: u32,
    ) -> impl Future<Output = StoreResult<Vec<(i64, AuditEntry)>>> + Send;
}

/// `AuditStore` in the store's SQL dialect: `$insert` binds the entry's fields in order, `$select`
/// the number to read before and the limit.
macro_rules! audit_store {
    ($store:ty, insert: $insert:literal, select: $select:literal) => {
        impl $crate::store::audit::AuditStore for $store {
            async fn audit(
                &self,
                entry: &$crate::store::audit::AuditEntry,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query($insert)
                    .bind(entry.at as i64)
                    .bind(&entry.actor)
                    .bind(entry.action.to_string())
                    .bind(&entry.subject)
                    .bind(&entry.detail)
                    .bind(&entry.origin)
                    .execute(self.pool())
                    .await?;
                Ok(())
            }

            async fn audit_log(
                &self,
                before: Option<i64>,
                limit: u32,
            ) -> $crate::store::StoreResult<Vec<(i64, $crate::store::audit::AuditEntry)>> {
                let rows: Vec<(i64, i64, String, String, String, String, String)> =
                    sqlx::query_as($select)
                        .bind(before.unwrap_or(i64::MAX))
                        .bind(i64::from(limit))
                        .fetch_all(self.pool())
                        .await?;
                rows.into_iter()
                    .map(|(id, at, actor, action, subject, detail, origin)| {
                        let action = serde_json::from_value(serde_json::Value::String(action))?;
                        let entry = $crate::store::audit::AuditEntry {
                            at: at as switchboard_protocol::Millis,
                            actor,
                            action,
                            subject,
                            detail,
                            origin,
                        };
                        Ok((id, entry))
                    })
                    .collect()
            }
        }
    };
}
pub(super) use audit_store;

audit_store!(
    SqliteStore,
    insert: "INSERT INTO audit (at, actor, action, subject, detail, origin) VALUES (?, ?, ?, ?, ?, ?)",
    select: "SELECT id, at, actor, action, subject, detail, origin FROM audit WHERE id < ? \
             ORDER BY id DESC LIMIT ?"
);

impl<S: Store> AuditStore for Journaled<S> {
    async fn audit(&self, entry: &AuditEntry) -> StoreResult<()> {
        self.inner().audit(entry).await
    }

    async fn audit_log(
        &self,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<(i64, AuditEntry)>> {
        self.inner().audit_log(before, limit).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::PostgresStore;

    fn entry(n: u64) -> AuditEntry {
        AuditEntry {
            at: n,
            actor: "admin API".into(),
            action: AuditAction::RoleChanged,
            subject: format!("agent{n}@example.com"),
            detail: "agent → supervisor".into(),
            origin: "192.0.2.7".into(),
        }
    }

    /// Entries are read back newest first, a page at a time; the database refuses every
    /// statement of `changes` (run through `pool`), and the log stays as written.
    async fn kept_as_written<'p>(
        store: &impl AuditStore,
        changes: &[&'static str],
        pool: impl sqlx::Executor<'p> + Copy,
    ) {
        for n in 1..=3 {
            store.audit(&entry(n)).await.unwrap();
        }
        let log = store.audit_log(None, 2).await.unwrap();
        assert_eq!(log.iter().map(|(_, e)| e.at).collect::<Vec<_>>(), [3, 2]);
        assert_eq!(log[0].1, entry(3));
        let older = store.audit_log(Some(log[1].0), 10).await.unwrap();
        assert_eq!(older.iter().map(|(_, e)| e.at).collect::<Vec<_>>(), [1]);
        for change in changes {
            let Err(error) = sqlx::raw_sql(change).execute(pool).await else {
                panic!("{change}: done");
            };
            assert!(
                error
                    .to_string()
                    .contains("the audit log cannot be changed"),
                "{change}: {error}"
            );
        }
        let kept = store.audit_log(None, 10).await.unwrap();
        let kept: Vec<AuditEntry> = kept.into_iter().map(|(_, entry)| entry).collect();
        assert_eq!(kept, [entry(3), entry(2), entry(1)]);
    }

    const CHANGES: [&str; 2] = [
        "UPDATE audit SET actor = 'someone else'",
        "DELETE FROM audit",
    ];

    #[tokio::test]
    async fn the_embedded_audit_log_is_kept_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("switchboard.db"))
            .await
            .unwrap();
        kept_as_written(&store, &CHANGES, store.pool()).await;
    }

    #[tokio::test]
    async fn the_audit_log_on_postgres_is_kept_as_written() {
        let (url, _) = switchboard_testkit::postgres::database();
        let store = PostgresStore::connect(&url).await.unwrap();
        let changes = [CHANGES[0], CHANGES[1], "TRUNCATE audit"];
        kept_as_written(&store, &changes, store.pool()).await;
    }
}
