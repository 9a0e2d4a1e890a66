//! [`crate::store::audit::AuditStore`] on PostgreSQL.

use super::PostgresStore;
use crate::store::audit::audit_store;

audit_store!(
    PostgresStore,
    insert: "INSERT INTO audit (at, actor, action, subject, detail, origin) \
             VALUES ($1, $2, $3, $4, $5, $6)",
    select: "SELECT id, at, actor, action, subject, detail, origin FROM audit WHERE id < $1 \
             ORDER BY id DESC LIMIT $2"
);
