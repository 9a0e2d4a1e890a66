//! A supervisor's reports through [`Desk`]: the activity the server counted from what happened
//! (the server refuses an agent), and the same saved as CSV. Figures and the administrator's
//! wrap-up reasons only: nothing in a report names a customer.

use std::path::{Path, PathBuf};

use switchboard_protocol::agent::{AgentCommand, CommandResult};
use switchboard_protocol::reports::{ActivityReport, ReportQuery};

use crate::desk::{Desk, DeskError};
use crate::files::save_in;

impl Desk {
    /// The activity `query` asks for.
    pub async fn report(&self, query: ReportQuery) -> Result<ActivityReport, DeskError> {
        match self.command(AgentCommand::Report { query }).await? {
            CommandResult::Report { report } => Ok(report),
            other => {
                tracing::warn!(?other, "a report was answered with something else");
                Err(DeskError::Transfer)
            }
        }
    }

    /// Saves the activity `query` asks for as CSV in `dir` (the Downloads folder), under a name
    /// that says which days it covers; the file written.
    pub async fn export_report(
        &self,
        query: ReportQuery,
        dir: &Path,
    ) -> Result<PathBuf, DeskError> {
        let name = format!("activity {} – {}.csv", query.from, query.to);
        let report = self.report(query).await?;
        save_in(dir, name, report.csv().into_bytes()).await
    }
}
