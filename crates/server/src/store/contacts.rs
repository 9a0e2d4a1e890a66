//! Where contacts are kept. Contacts are not routing state: they are written directly, not
//! through the journal, and read when a conversation starts.

use std::future::Future;

use sqlx::Row;
use switchboard_protocol::ContactId;

use super::rows::{CONTACT_COLUMNS, ContactRow, contact, containing};
use super::{ConversationRecord, Journaled, SqliteStore, Store, StoreError, StoreResult};
use crate::contacts::{ContactRecord, KeyTaken};
use crate::routing::ContactKey;

pub trait ContactStore {
    fn contact(
        &self,
        id: &ContactId,
    ) -> impl Future<Output = StoreResult<Option<ContactRecord>>> + Send;
    fn contact_by(
        &self,
        key: &ContactKey,
    ) -> impl Future<Output = StoreResult<Option<ContactRecord>>> + Send;
    /// Contacts whose name, e-mail, phone or external id contains `search` (without case), by name.
    fn search_contacts(
        &self,
        search: &str,
        limit: u32,
    ) -> impl Future<Output = StoreResult<Vec<ContactRecord>>> + Send;
    /// Saves all of `contacts` (new ones inserted, known ids replaced) or, if any of them shares
    /// a key with another contact, none of them: the conflicts are returned.
    fn save_contacts(
        &self,
        contacts: &[ContactRecord],
    ) -> impl Future<Output = StoreResult<Vec<KeyTaken>>> + Send;
    fn delete_contact(&self, id: &ContactId) -> impl Future<Output = StoreResult<bool>> + Send;
    /// The contact's ended conversations, newest first.
    fn past_conversations(
        &self,
        contact: &ContactId,
        limit: u32,
    ) -> impl Future<Output = StoreResult<Vec<ConversationRecord>>> + Send;
}

fn failed(error: impl Into<StoreError>) -> StoreError {
    error.into()
}

impl ContactStore for SqliteStore {
    async fn contact(&self, id: &ContactId) -> StoreResult<Option<ContactRecord>> {
        let row = sqlx::query_as::<_, ContactRow>(&format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts WHERE id = ?"
        ))
        .bind(&id.0)
        .fetch_optional(self.pool())
        .await
        .map_err(failed)?;
        Ok(row.map(contact))
    }

    async fn contact_by(&self, key: &ContactKey) -> StoreResult<Option<ContactRecord>> {
        let sql = format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts WHERE {} = ?",
            key.column()
        );
        let row = sqlx::query_as::<_, ContactRow>(&sql)
            .bind(key.value())
            .fetch_optional(self.pool())
            .await
            .map_err(failed)?;
        Ok(row.map(contact))
    }

    async fn search_contacts(&self, search: &str, limit: u32) -> StoreResult<Vec<ContactRecord>> {
        let rows = sqlx::query_as::<_, ContactRow>(&format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts
             WHERE name LIKE ?1 ESCAPE '\\' OR email LIKE ?1 ESCAPE '\\'
                OR mobile_phone LIKE ?1 ESCAPE '\\' OR external_id LIKE ?1 ESCAPE '\\'
             ORDER BY name COLLATE NOCASE, id LIMIT ?2"
        ))
        .bind(containing(search))
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await
        .map_err(failed)?;
        Ok(rows.into_iter().map(contact).collect())
    }

    async fn save_contacts(&self, contacts: &[ContactRecord]) -> StoreResult<Vec<KeyTaken>> {
        let mut tx = self.pool().begin().await.map_err(failed)?;
        let mut taken = Vec::new();
        for (index, record) in contacts.iter().enumerate() {
            for key in record.fields.keys() {
                let sql = format!(
                    "SELECT id FROM contacts WHERE {} = ? AND id <> ?",
                    key.column()
                );
                let holder: Option<String> = sqlx::query_scalar(&sql)
                    .bind(key.value())
                    .bind(&record.id.0)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(failed)?;
                if let Some(holder) = holder {
                    taken.push(KeyTaken {
                        index,
                        key,
                        holder: ContactId(holder),
                    });
                }
            }
            if !taken.is_empty() {
                continue;
            }
            let fields = &record.fields;
            sqlx::query(&format!(
                "INSERT OR REPLACE INTO contacts ({CONTACT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"
            ))
            .bind(&record.id.0)
            .bind(&fields.name)
            .bind(&fields.email)
            .bind(&fields.mobile_phone)
            .bind(&fields.notes)
            .bind(&fields.external_id)
            .bind(&fields.facebook_id)
            .execute(&mut *tx)
            .await
            .map_err(failed)?;
        }
        if taken.is_empty() {
            tx.commit().await.map_err(failed)?;
        }
        // Dropped without a commit, the transaction rolls back.
        Ok(taken)
    }

    async fn delete_contact(&self, id: &ContactId) -> StoreResult<bool> {
        let deleted = sqlx::query("DELETE FROM contacts WHERE id = ?")
            .bind(&id.0)
            .execute(self.pool())
            .await
            .map_err(failed)?;
        Ok(deleted.rows_affected() > 0)
    }

    async fn past_conversations(
        &self,
        contact: &ContactId,
        limit: u32,
    ) -> StoreResult<Vec<ConversationRecord>> {
        let rows = sqlx::query(
            "SELECT record FROM conversations WHERE contact_id = ? AND open = 0
             ORDER BY rowid DESC LIMIT ?",
        )
        .bind(&contact.0)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await
        .map_err(failed)?;
        rows.iter()
            .map(|row| serde_json::from_str(row.get::<&str, _>("record")).map_err(failed))
            .collect()
    }
}

/// Contacts bypass the journal; a conversation ended a moment ago may not be among a contact's
/// past conversations yet, which the Customer summary can live with.
impl<S: Store> ContactStore for Journaled<S> {
    async fn contact(&self, id: &ContactId) -> StoreResult<Option<ContactRecord>> {
        self.inner().contact(id).await
    }

    async fn contact_by(&self, key: &ContactKey) -> StoreResult<Option<ContactRecord>> {
        self.inner().contact_by(key).await
    }

    async fn search_contacts(&self, search: &str, limit: u32) -> StoreResult<Vec<ContactRecord>> {
        self.inner().search_contacts(search, limit).await
    }

    async fn save_contacts(&self, contacts: &[ContactRecord]) -> StoreResult<Vec<KeyTaken>> {
        self.inner().save_contacts(contacts).await
    }

    async fn delete_contact(&self, id: &ContactId) -> StoreResult<bool> {
        self.inner().delete_contact(id).await
    }

    async fn past_conversations(
        &self,
        contact: &ContactId,
        limit: u32,
    ) -> StoreResult<Vec<ConversationRecord>> {
        // Conversations end through the journal: read them once it has reached the store.
        self.caught_up().await?;
        self.inner().past_conversations(contact, limit).await
    }
}
