//! What the edges ask of the hub: every request is a typed method on [`HubHandle`], so that no
//! edge builds a [`Request`] or a reply channel by hand.

use std::net::IpAddr;
use switchboard_protocol::agent::{AgentCommand, AgentSummary};
use switchboard_protocol::customer::{CustomerCommand, Resume};
use switchboard_protocol::{
    AgentId, Channel, CommandId, ConversationId, ErrorBody, ErrorCode, QueueId, Seq,
};

use tokio::sync::{mpsc, oneshot};

use super::connection::FrameSender;
use crate::channels::courier::{Report, ReportTo};
use crate::routing::{Inbound, Receipt};

/// A request, as the hub's task receives it.
#[derive(Debug)]
pub(super) enum Request {
    AgentAttach {
        agent: AgentId,
        last_seq: Option<Seq>,
        frames: FrameSender,
        connection: u64,
    },
    AgentDetach {
        agent: AgentId,
        connection: u64,
    },
    AgentAck {
        agent: AgentId,
        seq: Seq,
    },
    AgentCommand {
        agent: AgentId,
        id: CommandId,
        command: AgentCommand,
    },
    /// The widget resumes after a reload; `done` says which conversation, if the token is known.
    CustomerAttach {
        token: String,
        last_seq: Seq,
        /// A persistent conversation's customer token, which its resume must present.
        customer_token: Option<String>,
        frames: FrameSender,
        connection: u64,
        done: oneshot::Sender<Option<ConversationId>>,
    },
    CustomerDetach {
        conversation: ConversationId,
        connection: u64,
    },
    CustomerAck {
        conversation: ConversationId,
        seq: Seq,
    },
    /// `conversation` is `None` until the chat has started; `done` reports the conversation.
    CustomerCommand {
        conversation: Option<ConversationId>,
        id: CommandId,
        command: CustomerCommand,
        frames: FrameSender,
        connection: u64,
        /// The customer's address, for the limits on waiting chats.
        client: IpAddr,
        done: oneshot::Sender<Option<ConversationId>>,
    },
    Agent {
        agent: AgentId,
        done: oneshot::Sender<Option<AgentSummary>>,
    },
    /// A customer's SMS or Messenger message; `done` gets its conversation once it is stored.
    Inbound {
        inbound: Inbound,
        done: oneshot::Sender<Result<ConversationId, ErrorBody>>,
    },
    Receipt {
        channel: Channel,
        receipt: Receipt,
    },
    /// What became of an errand of the courier's.
    Courier(Report),
    /// A supervisor assigns a waiting conversation to an agent; `done` gets the outcome once
    /// committed.
    Assign {
        conversation: ConversationId,
        agent: AgentId,
        done: oneshot::Sender<Result<(), ErrorBody>>,
    },
    /// The agent's sessions ended (signed out, new password, account removed): their open
    /// connection is closed with `error`, and routing lets them go at once. `done` once
    /// committed.
    SignOut {
        agent: AgentId,
        error: ErrorBody,
        done: oneshot::Sender<()>,
    },
    /// An administrator removes a queue; `done` gets how many conversations ended and how many
    /// were interrupted, once committed.
    RemoveQueue {
        queue: QueueId,
        done: oneshot::Sender<Result<(usize, usize), ErrorBody>>,
    },
}

/// A cheap handle to send requests to the hub.
#[derive(Clone, Debug)]
pub struct HubHandle {
    requests: mpsc::Sender<Request>,
}

/// What an edge is told when the hub has stopped (the server is stopping) before answering.
fn stopping() -> ErrorBody {
    ErrorBody::new(
        ErrorCode::Unavailable,
        "The server is stopping or cannot store anything now; try again in a moment.",
    )
}

impl HubHandle {
    pub(super) fn new(requests: mpsc::Sender<Request>) -> HubHandle {
        HubHandle { requests }
    }

    /// Whether the hub is still taking requests.
    pub fn is_running(&self) -> bool {
        !self.requests.is_closed()
    }

    async fn send(&self, request: Request) {
        // The hub only stops when the server does; a request sent then has nobody to answer it.
        let _ = self.requests.send(request).await;
    }

    /// Sends the request `ask` makes with a reply channel; `None` if the hub stopped first.
    async fn ask<T>(&self, ask: impl FnOnce(oneshot::Sender<T>) -> Request) -> Option<T> {
        let (done, answer) = oneshot::channel();
        self.send(ask(done)).await;
        answer.await.ok()
    }

    /// An agent's desktop said hello on `connection`: it gets what followed `last_seq`.
    pub async fn attach_agent(
        &self,
        agent: AgentId,
        last_seq: Option<Seq>,
        frames: FrameSender,
        connection: u64,
    ) {
        self.send(Request::AgentAttach {
            agent,
            last_seq,
            frames,
            connection,
        })
        .await;
    }

    pub async fn detach_agent(&self, agent: AgentId, connection: u64) {
        self.send(Request::AgentDetach { agent, connection }).await;
    }

    pub async fn ack_agent(&self, agent: AgentId, seq: Seq) {
        self.send(Request::AgentAck { agent, seq }).await;
    }

    /// Runs an agent's command; its reply reaches the agent's connection.
    pub async fn agent_command(&self, agent: AgentId, id: CommandId, command: AgentCommand) {
        self.send(Request::AgentCommand { agent, id, command })
            .await;
    }

    /// The widget resumes after a reload; says which conversation, if the token is known.
    pub async fn attach_customer(
        &self,
        resume: Resume,
        frames: FrameSender,
        connection: u64,
    ) -> Option<ConversationId> {
        self.ask(|done| Request::CustomerAttach {
            token: resume.token,
            last_seq: resume.last_seq,
            customer_token: resume.customer_token,
            frames,
            connection,
            done,
        })
        .await
        .flatten()
    }

    pub async fn detach_customer(&self, conversation: ConversationId, connection: u64) {
        self.send(Request::CustomerDetach {
            conversation,
            connection,
        })
        .await;
    }

    pub async fn ack_customer(&self, conversation: ConversationId, seq: Seq) {
        self.send(Request::CustomerAck { conversation, seq }).await;
    }

    /// Runs a customer's command (`conversation` is `None` until the chat has started); says
    /// which conversation the connection is in afterwards. The reply reaches the connection.
    pub async fn customer_command(
        &self,
        conversation: Option<ConversationId>,
        id: CommandId,
        command: CustomerCommand,
        frames: FrameSender,
        connection: u64,
        client: IpAddr,
    ) -> Option<ConversationId> {
        self.ask(|done| Request::CustomerCommand {
            conversation,
            id,
            command,
            frames,
            connection,
            client,
            done,
        })
        .await
        .flatten()
    }

    pub async fn agent(&self, agent: AgentId) -> Option<AgentSummary> {
        self.ask(|done| Request::Agent { agent, done })
            .await
            .flatten()
    }

    /// Stores a customer's SMS or Messenger message; says which conversation it went to.
    pub async fn inbound(&self, inbound: Inbound) -> Result<ConversationId, ErrorBody> {
        self.ask(|done| Request::Inbound { inbound, done })
            .await
            .unwrap_or_else(|| Err(stopping()))
    }

    pub async fn receipt(&self, channel: Channel, receipt: Receipt) {
        self.send(Request::Receipt { channel, receipt }).await;
    }

    /// A supervisor assigns a waiting conversation to an agent; answered once committed.
    pub async fn assign(
        &self,
        conversation: ConversationId,
        agent: AgentId,
    ) -> Result<(), ErrorBody> {
        self.ask(|done| Request::Assign {
            conversation,
            agent,
            done,
        })
        .await
        .unwrap_or_else(|| Err(stopping()))
    }

    /// Ends the agent's presence with their sessions: their connection closes with `error`
    /// (the code says why), their offer and live conversations go to others. Returns once
    /// committed.
    pub async fn sign_out(&self, agent: AgentId, error: ErrorBody) {
        self.ask(|done| Request::SignOut { agent, error, done })
            .await;
    }

    /// An administrator removes a queue; answered, once committed, with how many conversations
    /// ended and how many were interrupted.
    pub async fn remove_queue(&self, queue: QueueId) -> Result<(usize, usize), ErrorBody> {
        self.ask(|done| Request::RemoveQueue { queue, done })
            .await
            .unwrap_or_else(|| Err(stopping()))
    }

    /// The courier's way back to the hub, which it does not keep running.
    pub(super) fn for_courier(&self) -> CourierReports {
        CourierReports(self.requests.downgrade())
    }
}

/// Where the courier reports what became of its errands.
#[derive(Clone, Debug)]
pub(super) struct CourierReports(mpsc::WeakSender<Request>);

impl ReportTo for CourierReports {
    async fn report(&self, report: Report) {
        // Without a hub the server is stopping: the errand stays in the outbox for the next start.
        if let Some(hub) = self.0.upgrade() {
            let _ = hub.send(Request::Courier(report)).await;
        }
    }
}
