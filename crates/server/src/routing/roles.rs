//! What each role may do: the server checks every supervisor command against the role of whoever
//! sent it, here, so that an agent's client asking for one is refused (`forbidden`) and nothing
//! changes.

use switchboard_protocol::agent::Role;
use switchboard_protocol::{AgentId, ErrorCode};

use super::{Result, Router, error};

/// Whose ended conversations someone may search and read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Readable {
    /// Those the agent took part in (held, joined or wrote in).
    TheirOwn(AgentId),
    /// Everyone's: a supervisor's.
    Everyone,
}

impl Router {
    /// The role `agent` signed in with; an unknown agent has none of a supervisor's powers.
    pub fn role(&self, agent: &AgentId) -> Role {
        self.agents
            .get(agent)
            .map_or(Role::Agent, |agent| agent.summary.role)
    }

    /// An account's role changed (`agent set-role`): it holds from the agent's next command.
    pub fn set_role(&mut self, agent: &AgentId, role: Role) {
        if let Some(agent) = self.agents.get_mut(agent) {
            agent.summary.role = role;
        }
    }

    /// Whose ended conversations `agent`'s search looks through: their own, or with `everyone`
    /// (a supervisor's search) everyone's.
    pub fn search_scope(&self, agent: &AgentId, everyone: bool) -> Result<Readable> {
        if !everyone {
            return Ok(Readable::TheirOwn(agent.clone()));
        }
        self.check_supervises(agent, "search everyone's conversations")?;
        Ok(Readable::Everyone)
    }

    /// Whose ended conversations `agent` may open, with their files: a supervisor any.
    pub fn readable(&self, agent: &AgentId) -> Readable {
        if self.role(agent).supervises() {
            Readable::Everyone
        } else {
            Readable::TheirOwn(agent.clone())
        }
    }

    /// A supervisor's reports: refused to an agent.
    pub fn check_may_see_reports(&self, agent: &AgentId) -> Result {
        self.check_supervises(agent, "see the reports")
    }

    /// Refuses `what` unless `agent` is a supervisor or an administrator.
    pub(super) fn check_supervises(&self, agent: &AgentId, what: &str) -> Result {
        if self.role(agent).supervises() {
            Ok(())
        } else {
            Err(error(
                ErrorCode::Forbidden,
                format!("Only supervisors can {what}."),
            ))
        }
    }
}
