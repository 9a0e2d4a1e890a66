//! What the edges ask of the hub: every request is a typed method on [`HubHandle`], so that no
//! edge builds a [`Request`] or a reply channel by hand.

use std::net::IpAddr;
use std::sync::Arc;

use switchboard_protocol::agent::{AgentCommand, AgentSummary, Role};
use switchboard_protocol::customer::{CustomerCommand, Resume};
use switchboard_protocol::{
    AgentId, Attachment, Channel, CommandId, ConversationId, ErrorBody, ErrorCode, QueueId, Seq,
};

use tokio::sync::{mpsc, oneshot};

use super::connection::FrameSender;
use super::forwarded::Forwarded;
use super::remote::Remote;
use crate::channels::courier::{Report, ReportTo};
use crate::config::{Config, ConfigProblem};
use crate::routing::{Inbound, Receipt, Typist};
use switchboard_protocol::template::Template;

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
        /// What the message's file ids stand for, read by the edge.
        files: Vec<Attachment>,
        /// The desktop's address, for the audit log.
        origin: IpAddr,
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
        /// What the message's file ids stand for, read by the edge.
        files: Vec<Attachment>,
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
    /// An agent's desktop has the customer's messages of a conversation up to `message`.
    AgentReceipt {
        agent: AgentId,
        conversation: ConversationId,
        message: u64,
    },
    /// A chat widget received (and, `seen`, showed) its conversation up to `message`.
    ChatReceipt {
        conversation: ConversationId,
        message: u64,
        seen: bool,
    },
    /// Someone is typing, or stopped.
    Typing {
        typist: Typist,
        typing: bool,
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
    /// The agent's sessions ended (signed out, new password, new role, account removed): their
    /// open connection is closed with `error`, and routing lets them go at once. `done` once
    /// committed.
    SignOut {
        agent: AgentId,
        error: ErrorBody,
        /// The account's new role, when that is why.
        role: Option<Role>,
        done: oneshot::Sender<()>,
    },
    /// The configuration file was read again; `done` says whether routing took it.
    Reconfigure {
        config: Arc<Config>,
        done: oneshot::Sender<Result<(), ConfigProblem>>,
    },
    /// The templates added through the admin API are now these.
    Templates {
        added: Vec<Template>,
    },
    /// An administrator changed an agent's account: its name, queues and capacity apply at once.
    AccountChanged {
        record: crate::routing::AgentRecord,
    },
    /// An administrator ends a conversation; `done` gets what that did, once committed.
    EndConversation {
        conversation: ConversationId,
        done: oneshot::Sender<Result<crate::routing::Ending, ErrorBody>>,
    },
    /// An administrator removes a queue; `done` gets how many conversations ended and how many
    /// were interrupted, once committed.
    RemoveQueue {
        queue: QueueId,
        done: oneshot::Sender<Result<(usize, usize), ErrorBody>>,
    },
}

/// A cheap handle to send requests to the hub: this node's, or, on a node that does not route,
/// the routing node's (through [`Remote`]).
#[derive(Clone, Debug)]
pub struct HubHandle {
    to: To,
}

#[derive(Clone, Debug)]
enum To {
    Local(mpsc::Sender<Request>),
    Remote(Arc<Remote>),
}

/// What an edge is told when the hub has stopped (the server is stopping) before answering.
pub(super) fn stopping() -> ErrorBody {
    ErrorBody::new(
        ErrorCode::Unavailable,
        "The server is stopping or cannot store anything now; try again in a moment.",
    )
}

impl HubHandle {
    pub(super) fn new(requests: mpsc::Sender<Request>) -> HubHandle {
        HubHandle {
            to: To::Local(requests),
        }
    }

    /// The hub of the node that routes, reached through `remote`.
    pub fn remote(remote: Arc<Remote>) -> HubHandle {
        HubHandle {
            to: To::Remote(remote),
        }
    }

    /// Why requests cannot be taken now, if they cannot (checked on every command: nothing
    /// allocated while they can).
    pub fn problem(&self) -> Option<String> {
        match &self.to {
            To::Local(requests) if !requests.is_closed() => None,
            To::Remote(remote) if remote.is_following() => None,
            _ => self.role().err(),
        }
    }

    /// What this node does with requests — routes them, or forwards them to the node that
    /// routes — or why it cannot now.
    pub fn role(&self) -> Result<String, String> {
        match &self.to {
            To::Local(requests) if requests.is_closed() => Err("The hub has stopped.".into()),
            To::Local(_) => Ok("routing".into()),
            To::Remote(remote) => match remote.following() {
                Ok(leader) => Ok(format!("forwarding to node {leader}, which routes")),
                Err(reason) => Err(format!(
                    "This node is changing the node it forwards to: {reason}."
                )),
            },
        }
    }

    async fn send(&self, request: Request) {
        if let To::Local(requests) = &self.to {
            // The hub only stops when the server does; a request sent then has nobody to answer it.
            let _ = requests.send(request).await;
        }
    }

    /// Sends the request `ask` makes with a reply channel; `None` if the hub stopped first.
    async fn ask<T>(&self, ask: impl FnOnce(oneshot::Sender<T>) -> Request) -> Option<T> {
        let (done, answer) = oneshot::channel();
        self.send(ask(done)).await;
        answer.await.ok()
    }

    /// Asks this node's hub (`local`) or the routing node's (`forwarded`, numbered by the
    /// answer it awaits); `None` if the hub stopped, or the routing node could not be followed,
    /// first.
    pub(super) async fn ask_either<T: serde::de::DeserializeOwned>(
        &self,
        local: impl FnOnce(oneshot::Sender<T>) -> Request,
        forwarded: impl FnOnce(u64) -> Forwarded,
    ) -> Option<T> {
        match &self.to {
            To::Local(_) => self.ask(local).await,
            To::Remote(remote) => remote.ask(forwarded).await,
        }
    }

    /// Sends this node's hub `local`, or forwards `forwarded` to the routing node's.
    pub(super) async fn send_either(&self, local: Request, forwarded: impl FnOnce() -> Forwarded) {
        match &self.to {
            To::Local(_) => self.send(local).await,
            To::Remote(remote) => remote.send(forwarded()).await,
        }
    }

    /// An agent's desktop said hello on `connection`: it gets what followed `last_seq`.
    pub async fn attach_agent(
        &self,
        agent: AgentId,
        last_seq: Option<Seq>,
        frames: FrameSender,
        connection: u64,
    ) {
        if let To::Remote(remote) = &self.to {
            remote.connect(connection, frames);
            let forwarded = Forwarded::AgentAttach {
                agent,
                last_seq,
                connection,
            };
            return remote.send(forwarded).await;
        }
        self.send(Request::AgentAttach {
            agent,
            last_seq,
            frames,
            connection,
        })
        .await;
    }

    pub async fn detach_agent(&self, agent: AgentId, connection: u64) {
        if let To::Remote(remote) = &self.to {
            remote.disconnect(connection);
        }
        let forwarded = || Forwarded::AgentDetach {
            agent: agent.clone(),
            connection,
        };
        let local = Request::AgentDetach {
            agent: agent.clone(),
            connection,
        };
        self.send_either(local, forwarded).await;
    }

    pub async fn ack_agent(&self, agent: AgentId, seq: Seq) {
        let forwarded = || Forwarded::AgentAck {
            agent: agent.clone(),
            seq,
        };
        let local = Request::AgentAck {
            agent: agent.clone(),
            seq,
        };
        self.send_either(local, forwarded).await;
    }

    /// Runs an agent's command (with `files`, the attachments its file ids stand for); its
    /// reply reaches the agent's connection.
    pub async fn agent_command(
        &self,
        agent: AgentId,
        id: CommandId,
        command: AgentCommand,
        files: Vec<Attachment>,
        origin: IpAddr,
    ) {
        match &self.to {
            To::Local(_) => {
                self.send(Request::AgentCommand {
                    agent,
                    id,
                    command,
                    files,
                    origin,
                })
                .await;
            }
            To::Remote(remote) => {
                remote
                    .send(Forwarded::AgentCommand {
                        agent,
                        id,
                        command,
                        files,
                        origin,
                    })
                    .await;
            }
        }
    }

    /// The widget resumes after a reload; says which conversation, if the token is known.
    pub async fn attach_customer(
        &self,
        resume: Resume,
        frames: FrameSender,
        connection: u64,
    ) -> Option<ConversationId> {
        if let To::Remote(remote) = &self.to {
            remote.connect(connection, frames);
            let answer = remote
                .ask(|answer| Forwarded::CustomerAttach {
                    resume,
                    connection,
                    answer,
                })
                .await;
            // Not followed any more: the connection closes meanwhile, and its client resumes.
            let Some(answer) = answer else {
                return std::future::pending().await;
            };
            return answer;
        }
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
        if let To::Remote(remote) = &self.to {
            remote.disconnect(connection);
        }
        let forwarded = || Forwarded::CustomerDetach {
            conversation: conversation.clone(),
            connection,
        };
        let local = Request::CustomerDetach {
            conversation: conversation.clone(),
            connection,
        };
        self.send_either(local, forwarded).await;
    }

    pub async fn ack_customer(&self, conversation: ConversationId, seq: Seq) {
        let forwarded = || Forwarded::CustomerAck {
            conversation: conversation.clone(),
            seq,
        };
        let local = Request::CustomerAck {
            conversation: conversation.clone(),
            seq,
        };
        self.send_either(local, forwarded).await;
    }

    /// Runs a customer's command, with the attachments its file ids stand for (`conversation`
    /// is `None` until the chat has started); says which conversation the connection is in
    /// afterwards. The reply reaches the connection.
    pub async fn customer_command(
        &self,
        conversation: Option<ConversationId>,
        id: CommandId,
        (command, files): (CustomerCommand, Vec<Attachment>),
        frames: FrameSender,
        connection: u64,
        client: IpAddr,
    ) -> Option<ConversationId> {
        if let To::Remote(remote) = &self.to {
            remote.connect(connection, frames);
            let answer = remote
                .ask(|answer| Forwarded::CustomerCommand {
                    conversation,
                    id,
                    command,
                    files,
                    connection,
                    client,
                    answer,
                })
                .await;
            // Not followed any more: the connection closes meanwhile, and its client resumes.
            let Some(answer) = answer else {
                return std::future::pending().await;
            };
            return answer;
        }
        self.ask(|done| Request::CustomerCommand {
            conversation,
            id,
            command,
            files,
            frames,
            connection,
            client,
            done,
        })
        .await
        .flatten()
    }

    /// A chat widget received (and, `seen`, showed) its conversation up to `message`.
    pub async fn chat_receipt(&self, conversation: ConversationId, message: u64, seen: bool) {
        let forwarded = || Forwarded::ChatReceipt {
            conversation: conversation.clone(),
            message,
            seen,
        };
        let local = Request::ChatReceipt {
            conversation: conversation.clone(),
            message,
            seen,
        };
        self.send_either(local, forwarded).await;
    }

    /// An agent's desktop has the customer's messages of a conversation up to `message`.
    pub async fn agent_receipt(&self, agent: AgentId, conversation: ConversationId, message: u64) {
        let forwarded = || Forwarded::AgentReceipt {
            agent: agent.clone(),
            conversation: conversation.clone(),
            message,
        };
        let local = Request::AgentReceipt {
            agent: agent.clone(),
            conversation: conversation.clone(),
            message,
        };
        self.send_either(local, forwarded).await;
    }

    /// Someone is typing, or stopped: dropped rather than waited for when the hub is busy.
    pub async fn typing(&self, typist: Typist, typing: bool) {
        match &self.to {
            To::Local(requests) => {
                let _ = requests.try_send(Request::Typing { typist, typing });
            }
            To::Remote(remote) => remote.send(Forwarded::Typing { typist, typing }).await,
        }
    }

    pub async fn agent(&self, agent: AgentId) -> Option<AgentSummary> {
        let local = |done| Request::Agent {
            agent: agent.clone(),
            done,
        };
        let forwarded = |answer| Forwarded::Agent {
            agent: agent.clone(),
            answer,
        };
        self.ask_either(local, forwarded).await.flatten()
    }

    /// Stores a customer's SMS or Messenger message; says which conversation it went to.
    pub async fn inbound(&self, inbound: Inbound) -> Result<ConversationId, ErrorBody> {
        let local = |done| Request::Inbound {
            inbound: inbound.clone(),
            done,
        };
        let forwarded = |answer| Forwarded::Inbound {
            inbound: inbound.clone(),
            answer,
        };
        self.ask_either(local, forwarded)
            .await
            .unwrap_or_else(|| Err(stopping()))
    }

    pub async fn receipt(&self, channel: Channel, receipt: Receipt) {
        let forwarded = || Forwarded::Receipt {
            channel,
            receipt: receipt.clone(),
        };
        let local = Request::Receipt {
            channel,
            receipt: receipt.clone(),
        };
        self.send_either(local, forwarded).await;
    }

    /// A supervisor assigns a waiting conversation to an agent; answered once committed.
    pub async fn assign(
        &self,
        conversation: ConversationId,
        agent: AgentId,
    ) -> Result<(), ErrorBody> {
        let local = |done| Request::Assign {
            conversation: conversation.clone(),
            agent: agent.clone(),
            done,
        };
        let forwarded = |answer| Forwarded::Assign {
            conversation: conversation.clone(),
            agent: agent.clone(),
            answer,
        };
        self.ask_either(local, forwarded)
            .await
            .unwrap_or_else(|| Err(stopping()))
    }

    /// Ends the agent's presence with their sessions: their connection closes with `error`
    /// (the code says why), their offer and live conversations go to others; with `role`, the
    /// account's new role holds from their next sign-in. Returns once committed.
    pub async fn sign_out(&self, agent: AgentId, error: ErrorBody, role: Option<Role>) {
        let local = |done| Request::SignOut {
            agent: agent.clone(),
            error: error.clone(),
            role,
            done,
        };
        let forwarded = |answer| Forwarded::SignOut {
            agent: agent.clone(),
            error: error.clone(),
            role,
            answer,
        };
        self.ask_either(local, forwarded).await;
    }

    /// The configuration file was read again: this node's hub runs on `config` from now on, or says
    /// why it cannot (a node that forwards has no routing to change: it only has its edges').
    pub async fn reconfigure(&self, config: Arc<Config>) -> Result<(), ConfigProblem> {
        match &self.to {
            To::Local(_) => self
                .ask(|done| Request::Reconfigure { config, done })
                .await
                .unwrap_or(Ok(())),
            To::Remote(_) => Ok(()),
        }
    }

    /// The templates added through the admin API are now `added`: desktops get the new profile.
    pub async fn templates_changed(&self, added: Vec<Template>) {
        let forwarded = || Forwarded::Templates {
            added: added.clone(),
        };
        let local = Request::Templates {
            added: added.clone(),
        };
        self.send_either(local, forwarded).await;
    }

    /// An administrator removes a queue; answered, once committed, with how many conversations
    /// ended and how many were interrupted.
    pub async fn remove_queue(&self, queue: QueueId) -> Result<(usize, usize), ErrorBody> {
        let local = |done| Request::RemoveQueue {
            queue: queue.clone(),
            done,
        };
        let forwarded = |answer| Forwarded::RemoveQueue {
            queue: queue.clone(),
            answer,
        };
        self.ask_either(local, forwarded)
            .await
            .unwrap_or_else(|| Err(stopping()))
    }

    /// The courier's way back to the hub, which it does not keep running.
    pub(super) fn for_courier(&self) -> CourierReports {
        match &self.to {
            To::Local(requests) => CourierReports(requests.downgrade()),
            To::Remote(_) => unreachable!("the courier runs on the routing node"),
        }
    }

    /// The channel requests reach this node's hub by, for the relay.
    pub(super) fn local(&self) -> Option<&mpsc::Sender<Request>> {
        match &self.to {
            To::Local(requests) => Some(requests),
            To::Remote(_) => None,
        }
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
