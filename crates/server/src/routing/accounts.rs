//! An agent's account changed by an administrator while the server runs: their name, the queues
//! they serve and how many conversations they hold at once take effect at once — a queue added
//! or more room may bring an offer now. What they hold already stays theirs.

use switchboard_protocol::Millis;

use super::{AgentRecord, Effects, Router};

impl Router {
    pub fn account_changed(&mut self, record: AgentRecord, now: Millis, fx: &mut Effects) {
        let default_capacity = self.config.agents.default_capacity;
        let Some(agent) = self.agents.get_mut(&record.id) else {
            self.add_agent(record, now);
            return;
        };
        agent.summary.name = record.name;
        agent.summary.email = record.email;
        agent.queues = record.queues;
        agent.capacity = record.capacity.unwrap_or(default_capacity) as usize;
        self.dispatch(now, fx);
    }
}
