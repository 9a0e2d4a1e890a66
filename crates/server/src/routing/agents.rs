//! The agents routing knows, and which of them can take an offer now, longest idle first: kept up
//! to date as agents change, so that choosing who gets a conversation does not look at every
//! agent (with thousands signed in, routing would slow with each one).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Deref;

use switchboard_protocol::{AgentId, Millis};

use super::Agent;

/// Agents by id. Every change goes through [`Agents::get_mut`] or [`Agents::insert`], which note
/// the agent, so that [`Agents::free`] follows.
#[derive(Debug, Default)]
pub(super) struct Agents {
    by_id: HashMap<AgentId, Agent>,
    /// Changed since the free ones were last brought up to date.
    touched: HashSet<AgentId>,
    /// Those who can take an offer, by how long they have been idle.
    free: BTreeSet<(Millis, AgentId)>,
    /// The rank each agent in `free` is filed under.
    ranks: HashMap<AgentId, Millis>,
}

impl Deref for Agents {
    type Target = HashMap<AgentId, Agent>;

    fn deref(&self) -> &Self::Target {
        &self.by_id
    }
}

impl Agents {
    pub(super) fn get_mut(&mut self, id: &AgentId) -> Option<&mut Agent> {
        let agent = self.by_id.get_mut(id)?;
        if !self.touched.contains(id) {
            self.touched.insert(id.clone());
        }
        Some(agent)
    }

    pub(super) fn insert(&mut self, id: AgentId, agent: Agent) {
        self.touched.insert(id.clone());
        self.by_id.insert(id, agent);
    }

    /// Brings the free agents up to date with every change since last time.
    pub(super) fn refresh(&mut self) {
        for id in self.touched.drain() {
            if let Some(rank) = self.ranks.remove(&id) {
                self.free.remove(&(rank, id.clone()));
            }
            if let Some(agent) = self.by_id.get(&id).filter(|a| a.can_take_offer()) {
                self.free.insert((agent.idle_since, id.clone()));
                self.ranks.insert(id, agent.idle_since);
            }
        }
    }

    /// The agents who could take an offer at the last [`Agents::refresh`], longest idle first.
    pub(super) fn free(&self) -> impl Iterator<Item = &AgentId> {
        self.free.iter().map(|(_, id)| id)
    }
}
