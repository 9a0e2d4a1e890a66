//! A supervisor's commands: the live view, and their actions on others' work. Each hands its
//! arguments to the desk core; the server checks the role.

use switchboard_protocol::agent::PresenceRequest;
use switchboard_protocol::live::LiveUpdate;
use switchboard_protocol::{AgentId, ConversationId, QueueId};
use tauri::State;

use crate::commands::{Outcome, signed_in};
use crate::shell::Shell;

/// Starts or stops watching the live view: the view as known so far; pushes follow as updates.
#[tauri::command]
pub(crate) async fn watch_live(shell: State<'_, Shell>, watch: bool) -> Outcome<LiveUpdate> {
    Ok(signed_in(&shell)?.watch_live(watch).await?)
}

#[tauri::command]
pub(crate) async fn monitor(shell: State<'_, Shell>, conversation: ConversationId) -> Outcome {
    Ok(signed_in(&shell)?.monitor(&conversation).await?)
}

#[tauri::command]
pub(crate) async fn stop_monitoring(
    shell: State<'_, Shell>,
    conversation: ConversationId,
) -> Outcome {
    Ok(signed_in(&shell)?.stop_monitoring(&conversation).await?)
}

#[tauri::command]
pub(crate) async fn barge(shell: State<'_, Shell>, conversation: ConversationId) -> Outcome {
    Ok(signed_in(&shell)?.barge(&conversation).await?)
}

#[tauri::command]
pub(crate) async fn set_agent_presence(
    shell: State<'_, Shell>,
    agent: AgentId,
    presence: PresenceRequest,
    reason: String,
) -> Outcome {
    Ok(signed_in(&shell)?
        .set_agent_presence(&agent, presence, &reason)
        .await?)
}

#[tauri::command]
pub(crate) async fn sign_out_agent(
    shell: State<'_, Shell>,
    agent: AgentId,
    reason: String,
) -> Outcome {
    Ok(signed_in(&shell)?.sign_out_agent(&agent, &reason).await?)
}

#[tauri::command]
pub(crate) async fn assign(
    shell: State<'_, Shell>,
    conversation: ConversationId,
    agent: AgentId,
) -> Outcome {
    Ok(signed_in(&shell)?.assign(&conversation, &agent).await?)
}

#[tauri::command]
pub(crate) async fn move_to_queue(
    shell: State<'_, Shell>,
    conversation: ConversationId,
    queue: QueueId,
) -> Outcome {
    Ok(signed_in(&shell)?
        .move_to_queue(&conversation, &queue)
        .await?)
}
