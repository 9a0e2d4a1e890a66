//! Accounts changed by an administrator while the server runs, told to the hub that routes.

use super::forwarded::Forwarded;
use super::request::{HubHandle, Request};
use crate::routing::AgentRecord;

impl HubHandle {
    /// `record`'s name, queues and capacity apply at once (its role, at the next sign-in).
    pub async fn account_changed(&self, record: &AgentRecord) {
        let local = Request::AccountChanged {
            record: record.clone(),
        };
        let forwarded = || Forwarded::AccountChanged {
            agent: record.id.clone(),
            email: record.email.clone(),
            name: record.name.clone(),
            queues: record.queues.clone(),
            capacity: record.capacity,
            role: record.role,
        };
        self.send_either(local, forwarded).await;
    }
}
