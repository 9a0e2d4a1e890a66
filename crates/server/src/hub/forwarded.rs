//! What nodes say to each other (`hub::remote` on a node that does not route, `hub::relay` on
//! the one that does): the requests a node forwards for its clients, in JSON, and what the
//! routing node sends back — a connection's frame, the end of a connection, the answer to a
//! request — as one line of text.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use switchboard_protocol::agent::{AgentCommand, Role};
use switchboard_protocol::customer::{CustomerCommand, Resume};
use switchboard_protocol::{
    AgentId, Attachment, Channel, CommandId, ConversationId, ErrorBody, QueueId, Seq,
};

use crate::routing::{Inbound, Receipt, Typist};
use switchboard_protocol::template::Template;

/// A request for the hub from another node's client or edge. `connection` is the forwarding
/// node's number for its client's connection; `answer`, its number for the answer it awaits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(super) enum Forwarded {
    AgentAttach {
        agent: AgentId,
        last_seq: Option<Seq>,
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
        #[serde(default)]
        files: Vec<Attachment>,
        /// The desktop's address, for the audit log.
        origin: IpAddr,
    },
    CustomerAttach {
        resume: Resume,
        connection: u64,
        answer: u64,
    },
    CustomerDetach {
        conversation: ConversationId,
        connection: u64,
    },
    CustomerAck {
        conversation: ConversationId,
        seq: Seq,
    },
    CustomerCommand {
        conversation: Option<ConversationId>,
        id: CommandId,
        command: CustomerCommand,
        #[serde(default)]
        files: Vec<Attachment>,
        connection: u64,
        client: IpAddr,
        answer: u64,
    },
    Agent {
        agent: AgentId,
        answer: u64,
    },
    Inbound {
        inbound: Inbound,
        answer: u64,
    },
    Receipt {
        channel: Channel,
        receipt: Receipt,
    },
    AgentReceipt {
        agent: AgentId,
        conversation: ConversationId,
        message: u64,
    },
    ChatReceipt {
        conversation: ConversationId,
        message: u64,
        seen: bool,
    },
    Typing {
        typist: Typist,
        typing: bool,
    },
    Templates {
        added: Vec<Template>,
    },
    Assign {
        conversation: ConversationId,
        agent: AgentId,
        answer: u64,
    },
    SignOut {
        agent: AgentId,
        error: ErrorBody,
        role: Option<Role>,
        answer: u64,
    },
    RemoveQueue {
        queue: QueueId,
        answer: u64,
    },
    EndConversation {
        conversation: ConversationId,
        answer: u64,
    },
    AccountChanged {
        agent: AgentId,
        email: String,
        name: String,
        queues: Vec<QueueId>,
        capacity: Option<u32>,
        role: Role,
    },
}

/// What the routing node sends a node for its clients.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum ToNode {
    /// A frame for a connection.
    Frame { connection: u64, frame: String },
    /// The connection must close, after `last_word` if there is one.
    End {
        connection: u64,
        last_word: Option<String>,
    },
    /// The answer (JSON) to a request.
    Answer { answer: u64, value: String },
}

impl ToNode {
    /// `{serial} {kind} {number} {text}`, one line (the text is compact JSON: no raw line
    /// breaks); the serial keeps two equal payloads from being merged into one notification
    /// (PostgreSQL does that within a transaction).
    pub(super) fn encode(&self, serial: u64) -> String {
        match self {
            ToNode::Frame { connection, frame } => format!("{serial} F {connection} {frame}"),
            ToNode::End {
                connection,
                last_word: Some(frame),
            } => format!("{serial} E {connection} {frame}"),
            ToNode::End {
                connection,
                last_word: None,
            } => format!("{serial} E {connection} "),
            ToNode::Answer { answer, value } => format!("{serial} A {answer} {value}"),
        }
    }

    pub(super) fn decode(payload: &str) -> Option<ToNode> {
        let mut parts = payload.splitn(4, ' ');
        let _serial = parts.next()?;
        let kind = parts.next()?;
        let number: u64 = parts.next()?.parse().ok()?;
        let text = parts.next()?.to_owned();
        Some(match kind {
            "F" => ToNode::Frame {
                connection: number,
                frame: text,
            },
            "E" => ToNode::End {
                connection: number,
                last_word: (!text.is_empty()).then_some(text),
            },
            "A" => ToNode::Answer {
                answer: number,
                value: text,
            },
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_routing_node_sends_reads_back_the_same() {
        let sent = [
            ToNode::Frame {
                connection: 7,
                frame: r#"{"type":"event","seq":3,"event":{"text":"a b"}}"#.into(),
            },
            ToNode::End {
                connection: 8,
                last_word: Some(r#"{"type":"error"}"#.into()),
            },
            ToNode::End {
                connection: 9,
                last_word: None,
            },
            ToNode::Answer {
                answer: 4,
                value: "null".into(),
            },
        ];
        for (serial, message) in sent.into_iter().enumerate() {
            assert_eq!(
                ToNode::decode(&message.encode(serial as u64)),
                Some(message)
            );
        }
        assert_eq!(ToNode::decode("1 X 2 y"), None);
        assert_eq!(ToNode::decode("1 F x y"), None);
    }
}
