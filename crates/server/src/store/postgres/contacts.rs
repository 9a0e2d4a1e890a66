//! Contacts in PostgreSQL: written directly, as in the embedded store.

use switchboard_protocol::ContactId;

use super::{PostgresStore, failed};
use crate::contacts::{ContactRecord, KeyTaken};
use crate::routing::ContactKey;
use crate::store::rows::{CONTACT_COLUMNS, ContactRow, contact, containing, parse};
use crate::store::{ContactStore, ConversationRecord, StoreResult};

impl ContactStore for PostgresStore {
    async fn contact(&self, id: &ContactId) -> StoreResult<Option<ContactRecord>> {
        let row = sqlx::query_as::<_, ContactRow>(&format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts WHERE id = $1"
        ))
        .bind(&id.0)
        .fetch_optional(self.pool())
        .await
        .map_err(failed)?;
        Ok(row.map(contact))
    }

    async fn contact_by(&self, key: &ContactKey) -> StoreResult<Option<ContactRecord>> {
        let sql = format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts WHERE {} = $1",
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
             WHERE name ILIKE $1 OR email ILIKE $1 OR mobile_phone ILIKE $1 OR external_id ILIKE $1
             ORDER BY lower(name), id LIMIT $2"
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
                    "SELECT id FROM contacts WHERE {} = $1 AND id <> $2",
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
                "INSERT INTO contacts ({CONTACT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email,
                 mobile_phone = excluded.mobile_phone, notes = excluded.notes,
                 external_id = excluded.external_id, facebook_id = excluded.facebook_id"
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
        let deleted = sqlx::query("DELETE FROM contacts WHERE id = $1")
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
        let records: Vec<String> = sqlx::query_scalar(
            "SELECT record FROM conversations WHERE contact_id = $1 AND NOT open
             ORDER BY started DESC LIMIT $2",
        )
        .bind(&contact.0)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await
        .map_err(failed)?;
        records.iter().map(|record| parse(record)).collect()
    }
}
