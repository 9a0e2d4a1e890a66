//! The configuration read again while the server runs (`SIGHUP`): checked against what routing
//! holds, then applied — new queues served, timeouts, reasons, templates and the desktop profile
//! in force from the next step, connected desktops given the new profile at once.

use std::sync::Arc;

use switchboard_mask::{KindSet, Masker};

use super::{Effects, Router};
use crate::config::{Config, ConfigProblem};

impl Router {
    /// Whether `config` can replace the one routing runs on: every queue it serves stays (a queue
    /// leaves with `queue remove`, then from the file).
    pub fn check_reconfigure(&self, config: &Config) -> Result<(), ConfigProblem> {
        for queue in &self.config.queues {
            if !self.removed.contains(&queue.id) && config.queue(&queue.id).is_none() {
                return Err(ConfigProblem::new(
                    "queues",
                    format!(
                        "the queue \"{}\" is served: remove it with `switchboard-server queue \
                         remove` first, then from the file",
                        queue.id
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Runs on `config` from now on (checked with [`Router::check_reconfigure`]).
    pub fn reconfigure(&mut self, config: Arc<Config>, fx: &mut Effects) {
        let profile = self.profile();
        self.config = config;
        for queue in &self.config.queues {
            if !self.removed.contains(&queue.id) {
                self.queues.entry(queue.id.clone()).or_default();
            }
        }
        self.payment_masker =
            (!self.config.privacy.store_payment_data).then(|| Masker::new(KindSet::PAYMENT));
        if self.profile() != profile {
            self.tell_profile(fx);
        }
    }
}
