//! [`Desk`]: the agent desktop without its window. The shell calls these methods from every
//! surface (window, OS notification, tray, keyboard) and shows the [`Update`]s it is sent.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use switchboard_protocol::agent::{
    AgentCommand, AgentEvent, AgentSummary, CommandResult, PresenceRequest, QueueSummary,
    TransferTarget,
};
use switchboard_protocol::live::LiveUpdate;
use switchboard_protocol::{AgentId, ConversationId, ErrorBody, Millis, QueueId, Seq};
use tokio::sync::broadcast;

use crate::backoff::Backoff;
use crate::connection::{CommandError, ConnectionState, Link, Sink};
use crate::model::{DeskSnapshot, Model, Update};
use crate::pickers;
use crate::presence::{PresenceError, check_request};
use crate::secrets::{SecretError, SecretStore};
use crate::signin::{self, Session, SignInError};
use crate::typing::TypingThrottle;
use crate::views::ConversationView;
use crate::writing::check_sendable;

/// Why an action was not carried out, in words for the agent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeskError {
    #[error(transparent)]
    Presence(#[from] PresenceError),
    /// The draft breaks the composer's rules; nothing was sent.
    #[error("{0}")]
    Draft(ErrorBody),
    /// The search has no word to look for, or too many characters; nothing was asked.
    #[error("{0}")]
    Query(ErrorBody),
    #[error("“{0}” is not one of the wrap-up reasons your administrator set up.")]
    UnknownWrapUp(String),
    #[error("There is no request or conversation like that any more.")]
    NoSuchConversation,
    #[error(transparent)]
    Command(#[from] CommandError),
    /// A file was refused (by the server, or before it was sent), saying why.
    #[error("{0}")]
    File(ErrorBody),
    #[error("The file could not be sent or fetched: the server could not be reached. Try again.")]
    Transfer,
    #[error("The file could not be saved: {0}")]
    Save(String),
}

impl DeskError {
    /// A stable name for the failure, for a window that words it in the agent's language: the
    /// server not answering in time reads differently from the server refusing.
    pub fn code(&self) -> &'static str {
        match self {
            DeskError::Presence(_) => "presence",
            DeskError::Draft(_) => "draft",
            DeskError::Query(_) => "query",
            DeskError::UnknownWrapUp(_) => "unknown_wrap_up",
            DeskError::NoSuchConversation => "no_such_conversation",
            DeskError::Command(CommandError::Refused(_)) => "refused",
            DeskError::Command(CommandError::NoAnswer(_)) => "no_answer",
            DeskError::Command(CommandError::SignedOut) => "signed_out",
            DeskError::File(_) => "file",
            DeskError::Transfer => "transfer",
            DeskError::Save(_) => "save",
        }
    }
}

/// Accept or reject: the one path every surface answers an offer through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Accept,
    Reject,
}

/// How long signing in at start waits for a server that cannot be reached, by default: long
/// enough for a server started at the same time to come up, short enough for a mistyped address
/// to reach the agent as an error.
pub const SERVER_PATIENCE: Duration = Duration::from_secs(120);
const SERVER_RETRY_FIRST: Duration = Duration::from_millis(250);
const SERVER_RETRY_CAP: Duration = Duration::from_secs(5);

/// Updates a window may fall behind by before it should redraw from [`Desk::snapshot`].
const UPDATE_BACKLOG: usize = 1024;

#[derive(Debug)]
pub(crate) struct Shared {
    model: Mutex<Model>,
    updates: broadcast::Sender<Update>,
    typing: Mutex<TypingThrottle>,
}

impl Shared {
    fn publish(&self, updates: Vec<Update>) {
        for update in updates {
            // No receiver yet is fine: a window draws from the snapshot when it opens.
            let _ = self.updates.send(update);
        }
    }

    pub(crate) fn model(&self) -> std::sync::MutexGuard<'_, Model> {
        self.model
            .lock()
            .expect("the model is never left half-changed")
    }

    pub(crate) fn typing(&self) -> std::sync::MutexGuard<'_, TypingThrottle> {
        self.typing.lock().expect("never left half-changed")
    }
}

impl Sink for Shared {
    fn last_seq(&self) -> Option<Seq> {
        self.model().last_seq
    }

    fn start_after(&self, seq: Seq) {
        self.model().last_seq = Some(seq);
    }

    fn event(&self, seq: Seq, event: AgentEvent) {
        let updates = {
            let mut model = self.model();
            model.last_seq = Some(seq);
            model.apply(event, now())
        };
        self.publish(updates);
    }

    fn connection(&self, state: ConnectionState) {
        let updates = self.model().set_connection(state);
        self.publish(updates);
    }

    fn typing(&self, conversation: ConversationId, typing: bool) {
        let updates = self.model().customer_typing(&conversation, typing, now());
        self.publish(updates);
    }

    fn live(&self, update: LiveUpdate) {
        let updates = self.model().apply_live(update);
        self.publish(updates);
    }

    fn watching_live(&self) -> bool {
        self.model().live.watching
    }
}

/// Milliseconds since the Unix epoch, as the server counts.
pub fn now() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as Millis)
}

/// A signed-in agent desktop. Cheap to clone; every clone is the same desktop.
#[derive(Debug, Clone)]
pub struct Desk {
    pub(crate) shared: Arc<Shared>,
    pub(crate) link: Arc<Link>,
    pub(crate) session: Arc<Session>,
    secrets: Arc<dyn SecretStore>,
}

impl std::fmt::Debug for dyn SecretStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretStore")
    }
}

impl Desk {
    /// Signs in, keeps the token in `secrets`, and connects.
    pub async fn sign_in(
        server: &str,
        email: &str,
        password: &str,
        secrets: Arc<dyn SecretStore>,
    ) -> Result<Desk, SignInError> {
        let servers = signin::server_urls(server)?;
        let session = signin::sign_in(&servers, email, password).await?;
        // The OS keyring may block on an unlock prompt for as long as the agent takes: off the
        // async workers. Awaited all the same, so that a sign-out cannot come before it.
        let (store, account, token) = (secrets.clone(), session.account(), session.token.clone());
        let saved = tokio::task::spawn_blocking(move || store.save(&account, &token)).await;
        if let Err(error) = saved.unwrap_or_else(|failed| Err(SecretError(failed.to_string()))) {
            // Signed in all the same; the agent will sign in again next time.
            tracing::warn!(%error, "the session could not be remembered");
        }
        Ok(Desk::start(session, secrets))
    }

    /// Signs in as the app starts, perhaps before its server: while the server cannot be reached
    /// it tries again with backoff (telling `waiting` before each new try) for up to
    /// `patience`; any other failure, or the server still unreachable then, is the answer.
    pub async fn sign_in_at_start(
        server: &str,
        email: &str,
        password: &str,
        secrets: Arc<dyn SecretStore>,
        patience: Duration,
        mut waiting: impl FnMut(),
    ) -> Result<Desk, SignInError> {
        let deadline = tokio::time::Instant::now() + patience;
        let mut backoff = Backoff::new(SERVER_RETRY_FIRST, SERVER_RETRY_CAP);
        loop {
            match Desk::sign_in(server, email, password, secrets.clone()).await {
                Err(SignInError::Unreachable) if tokio::time::Instant::now() < deadline => {
                    waiting();
                    let pause = backoff.next_delay();
                    tokio::time::sleep_until(deadline.min(tokio::time::Instant::now() + pause))
                        .await;
                }
                signed_in => return signed_in,
            }
        }
    }

    /// Connects with the token remembered for `email` on `server`, if there is one. A token the
    /// server no longer accepts shows as [`crate::OfflineReason::SessionExpired`].
    pub fn restore(
        server: &str,
        agent: AgentSummary,
        secrets: Arc<dyn SecretStore>,
    ) -> Result<Option<Desk>, SecretError> {
        let Ok(mut servers) = signin::server_urls(server) else {
            return Ok(None);
        };
        let server = servers.remove(0);
        let Some(token) = secrets.load(&signin::account(&server, &agent.email))? else {
            return Ok(None);
        };
        let session = Session {
            server,
            fallbacks: servers,
            token,
            agent,
            expires_at: 0,
        };
        Ok(Some(Desk::start(session, secrets)))
    }

    /// Connects with a session already signed in.
    pub fn start(session: Session, secrets: Arc<dyn SecretStore>) -> Desk {
        let (updates, _) = broadcast::channel(UPDATE_BACKLOG);
        let shared = Arc::new(Shared {
            model: Mutex::new(Model::new(session.agent.clone())),
            updates,
            typing: Mutex::default(),
        });
        let link = Link::start(session.clone(), shared.clone());
        Desk {
            shared,
            link: Arc::new(link),
            session: Arc::new(session),
            secrets,
        }
    }

    pub fn agent(&self) -> &AgentSummary {
        &self.session.agent
    }

    /// The name the session token is kept under in the secret store.
    pub fn session_account(&self) -> String {
        self.session.account()
    }

    /// Every change from now on. A receiver that lags redraws from [`Desk::snapshot`].
    pub fn updates(&self) -> broadcast::Receiver<Update> {
        self.shared.updates.subscribe()
    }

    /// Everything the window shows, masked.
    pub fn snapshot(&self) -> DeskSnapshot {
        self.shared.model().snapshot(now())
    }

    pub fn conversation(&self, id: &ConversationId) -> Option<ConversationView> {
        self.shared.model().view(id)
    }

    pub fn connection(&self) -> ConnectionState {
        self.shared.model().connection.clone()
    }

    pub(crate) async fn command(&self, command: AgentCommand) -> Result<CommandResult, DeskError> {
        Ok(self.link.command(command).await?)
    }

    /// Asks for a presence; RONA cannot be asked for, and leaving it is this call.
    pub async fn set_presence(&self, presence: PresenceRequest) -> Result<(), DeskError> {
        {
            let model = self.shared.model();
            check_request(&model.presence, &presence, &model.profile().idle_reasons)?;
        }
        self.command(AgentCommand::SetPresence { presence }).await?;
        Ok(())
    }

    /// Accepts or rejects an offered conversation.
    pub async fn answer(
        &self,
        conversation: &ConversationId,
        answer: Answer,
    ) -> Result<(), DeskError> {
        if !self.shared.model().is_offered(conversation) {
            return Err(DeskError::NoSuchConversation);
        }
        let conversation = conversation.clone();
        let command = match answer {
            Answer::Accept => AgentCommand::Accept { conversation },
            Answer::Reject => AgentCommand::Reject { conversation },
        };
        self.command(command).await?;
        Ok(())
    }

    /// Opens a conversation from a notification (a toast or an OS notification selected): an
    /// offer still waiting for this agent — a transfer, say — is accepted first.
    pub async fn open(&self, conversation: &ConversationId) -> Result<(), DeskError> {
        if self.shared.model().is_offered(conversation) {
            self.answer(conversation, Answer::Accept).await?;
        }
        Ok(())
    }

    /// Answers the oldest offer waiting (the keyboard's accept and reject).
    pub async fn answer_oldest(&self, answer: Answer) -> Result<ConversationId, DeskError> {
        let oldest = self
            .shared
            .model()
            .pending_offers(now())
            .into_iter()
            .next()
            .map(|notification| notification.conversation)
            .ok_or(DeskError::NoSuchConversation)?;
        self.answer(&oldest, answer).await?;
        Ok(oldest)
    }

    pub(crate) fn held(&self, conversation: &ConversationId) -> Result<(), DeskError> {
        if self.shared.model().holds(conversation) {
            Ok(())
        } else {
            Err(DeskError::NoSuchConversation)
        }
    }

    fn check_wrap_up(&self, wrap_up: &str) -> Result<(), DeskError> {
        let model = self.shared.model();
        if model
            .profile()
            .wrap_up_reasons
            .iter()
            .any(|known| known == wrap_up)
        {
            Ok(())
        } else {
            Err(DeskError::UnknownWrapUp(wrap_up.to_owned()))
        }
    }

    /// Ends the conversation (or wraps it up once the customer ended it).
    pub async fn end(&self, conversation: &ConversationId, wrap_up: &str) -> Result<(), DeskError> {
        self.held(conversation)?;
        self.check_wrap_up(wrap_up)?;
        self.command(AgentCommand::End {
            conversation: conversation.clone(),
            wrap_up: wrap_up.to_owned(),
        })
        .await?;
        Ok(())
    }

    /// Transfers the conversation, with a note for whoever takes it when `note` has any text.
    pub async fn transfer(
        &self,
        conversation: &ConversationId,
        to: TransferTarget,
        note: &str,
    ) -> Result<(), DeskError> {
        self.held(conversation)?;
        let note = (!note.trim().is_empty()).then(|| note.to_owned());
        if let Some(note) = &note {
            check_sendable(note)?;
        }
        self.command(AgentCommand::Transfer {
            conversation: conversation.clone(),
            to,
            note,
        })
        .await?;
        Ok(())
    }

    /// Moves a persistent conversation to waiting: it leaves the task list, and comes back when
    /// the customer writes again.
    pub async fn park(&self, conversation: &ConversationId) -> Result<(), DeskError> {
        self.held(conversation)?;
        self.command(AgentCommand::Park {
            conversation: conversation.clone(),
        })
        .await?;
        Ok(())
    }

    /// Hands the conversation to an escalation queue, with the reason the next agent sees.
    pub async fn escalate(
        &self,
        conversation: &ConversationId,
        queue: &QueueId,
        reason: &str,
    ) -> Result<(), DeskError> {
        self.held(conversation)?;
        self.command(AgentCommand::Escalate {
            conversation: conversation.clone(),
            queue: queue.clone(),
            reason: reason.to_owned(),
        })
        .await?;
        Ok(())
    }

    pub async fn invite(
        &self,
        conversation: &ConversationId,
        agent: &AgentId,
    ) -> Result<(), DeskError> {
        self.held(conversation)?;
        self.command(AgentCommand::ConferenceInvite {
            conversation: conversation.clone(),
            agent: agent.clone(),
        })
        .await?;
        Ok(())
    }

    pub async fn exit_conference(
        &self,
        conversation: &ConversationId,
        wrap_up: &str,
    ) -> Result<(), DeskError> {
        self.held(conversation)?;
        self.check_wrap_up(wrap_up)?;
        self.command(AgentCommand::ConferenceExit {
            conversation: conversation.clone(),
            wrap_up: wrap_up.to_owned(),
        })
        .await?;
        Ok(())
    }

    /// Queues to transfer to whose name matches `search` (the picker's list, reloaded).
    pub async fn queues(&self, search: &str) -> Result<Vec<QueueSummary>, DeskError> {
        let CommandResult::Queues { queues } = self.command(AgentCommand::ListQueues).await? else {
            return Ok(Vec::new());
        };
        Ok(pickers::filter(&queues, search, |queue| &queue.name)
            .into_iter()
            .cloned()
            .collect())
    }

    /// Other agents available now whose name or e-mail matches `search`.
    pub async fn available_agents(&self, search: &str) -> Result<Vec<AgentSummary>, DeskError> {
        let CommandResult::Agents { agents } =
            self.command(AgentCommand::ListAvailableAgents).await?
        else {
            return Ok(Vec::new());
        };
        let me = &self.session.agent.id;
        Ok(agents
            .into_iter()
            .filter(|agent| &agent.id != me)
            .filter(|agent| {
                pickers::matches(&agent.name, search) || pickers::matches(&agent.email, search)
            })
            .collect())
    }

    /// The configured wrap-up reasons matching `search`.
    pub fn wrap_up_reasons(&self, search: &str) -> Vec<String> {
        let model = self.shared.model();
        pickers::filter(&model.profile().wrap_up_reasons, search, String::as_str)
            .into_iter()
            .cloned()
            .collect()
    }

    /// Loads the page of the conversation's thread before what the desktop has (the pane's
    /// "Show earlier messages"); nothing when it has the beginning.
    pub async fn show_earlier(&self, conversation: &ConversationId) -> Result<(), DeskError> {
        let Some(before) = self.shared.model().earlier_than(conversation) else {
            return Ok(());
        };
        let result = self
            .command(AgentCommand::History {
                conversation: conversation.clone(),
                before,
            })
            .await?;
        if let CommandResult::Messages { messages } = result {
            let updates = self.shared.model().earlier_loaded(conversation, messages);
            self.shared.publish(updates);
        }
        Ok(())
    }

    /// The agent has looked at the conversation.
    pub fn mark_read(&self, conversation: &ConversationId) {
        let updates = self.shared.model().mark_read(conversation);
        self.shared.publish(updates);
    }

    /// Goes Offline, ends the session on the server, disconnects and forgets the token.
    pub async fn sign_out(&self) -> Result<(), SecretError> {
        let offline = self.shared.model().presence != switchboard_protocol::Presence::Offline;
        if offline
            && let Err(error) = self
                .command(AgentCommand::SetPresence {
                    presence: PresenceRequest::Offline,
                })
                .await
        {
            tracing::info!(%error, "could not say Offline before signing out");
        }
        if let Err(error) = signin::sign_out(&self.session).await {
            // The token is forgotten here all the same; unused, it expires on the server.
            tracing::info!(%error, "could not end the session on the server");
        }
        self.link.stop();
        self.secrets.delete(&self.session.account())
    }
}
