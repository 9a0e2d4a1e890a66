//! Where the message templates added through the admin API are kept. Like contacts they are not
//! routing state: written directly, not through the journal, and read at start.

use std::future::Future;

use switchboard_protocol::template::Template;

use super::{Journaled, SqliteStore, Store, StoreError, StoreResult};

pub trait TemplateStore {
    /// The added templates, by shortcut.
    fn templates(&self) -> impl Future<Output = StoreResult<Vec<Template>>> + Send;
    /// Adds the template, or replaces the one with its shortcut.
    fn save_template(&self, template: &Template) -> impl Future<Output = StoreResult<()>> + Send;
    /// Removes the template with `shortcut`; says whether there was one.
    fn delete_template(&self, shortcut: &str) -> impl Future<Output = StoreResult<bool>> + Send;
}

/// Templates as rows: (shortcut, JSON body).
pub(super) fn parse_templates(rows: Vec<(String, String)>) -> StoreResult<Vec<Template>> {
    rows.into_iter()
        .map(|(shortcut, body)| {
            serde_json::from_str(&body).map_err(|error| {
                StoreError::from(error).context(format_args!("the stored template {shortcut}"))
            })
        })
        .collect()
}

pub(super) fn body(template: &Template) -> String {
    serde_json::to_string(template).expect("templates serialize")
}

/// The store's `TemplateStore` in its SQL dialect: the same statements, with its placeholders.
macro_rules! template_store {
    ($store:ty, upsert: $upsert:literal, delete: $delete:literal) => {
        impl $crate::store::TemplateStore for $store {
            async fn templates(
                &self,
            ) -> $crate::store::StoreResult<Vec<switchboard_protocol::template::Template>> {
                use sqlx::Row;
                let rows = sqlx::query("SELECT shortcut, body FROM templates ORDER BY shortcut")
                    .fetch_all(self.pool())
                    .await?;
                $crate::store::templates::parse_templates(
                    rows.iter().map(|row| (row.get(0), row.get(1))).collect(),
                )
            }

            async fn save_template(
                &self,
                template: &switchboard_protocol::template::Template,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query($upsert)
                    .bind(&template.shortcut)
                    .bind($crate::store::templates::body(template))
                    .execute(self.pool())
                    .await?;
                Ok(())
            }

            async fn delete_template(&self, shortcut: &str) -> $crate::store::StoreResult<bool> {
                let done = sqlx::query($delete)
                    .bind(shortcut)
                    .execute(self.pool())
                    .await?;
                Ok(done.rows_affected() > 0)
            }
        }
    };
}
pub(super) use template_store;

template_store!(
    SqliteStore,
    upsert: "INSERT INTO templates (shortcut, body) VALUES (?, ?) \
             ON CONFLICT (shortcut) DO UPDATE SET body = excluded.body",
    delete: "DELETE FROM templates WHERE shortcut = ?"
);

impl<S: Store> TemplateStore for Journaled<S> {
    async fn templates(&self) -> StoreResult<Vec<Template>> {
        self.inner().templates().await
    }

    async fn save_template(&self, template: &Template) -> StoreResult<()> {
        self.inner().save_template(template).await
    }

    async fn delete_template(&self, shortcut: &str) -> StoreResult<bool> {
        self.inner().delete_template(shortcut).await
    }
}
