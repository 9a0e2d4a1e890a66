//! Files sent with messages, in PostgreSQL: written directly, as in the embedded store.

use super::PostgresStore;
use crate::store::files::file_store;

file_store!(PostgresStore, |sql: &str| sql.to_owned());
