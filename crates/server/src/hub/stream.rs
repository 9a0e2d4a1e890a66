//! The outbox's streams, by name: each has its own sequence numbers, acknowledgements and stored
//! replies. The names are stored, so they never change.

use std::fmt;

use switchboard_protocol::{AgentId, Channel, ConversationId};

const OUTBOUND_PREFIX: &str = "outbound:";
const AGENT_PREFIX: &str = "agent:";

#[derive(Clone, Copy, Debug)]
pub(super) enum Stream<'a> {
    /// An agent's events, across their connections.
    Agent(&'a AgentId),
    /// A conversation's events for its customer.
    Customer(&'a ConversationId),
    /// A conversation's errands for the courier.
    Outbound(&'a ConversationId),
    /// The replies to `start_chat`: the conversation each start created.
    Start,
    /// The provider's message ids of one SMS or Messenger customer, remembered like command ids.
    Inbound { channel: Channel, customer: &'a str },
}

impl Stream<'_> {
    /// Whether a stored stream name is a conversation's errands.
    pub(super) fn is_outbound(name: &str) -> bool {
        name.starts_with(OUTBOUND_PREFIX)
    }

    /// Whether a stream name is an agent's.
    pub(super) fn is_agent(name: &str) -> bool {
        name.starts_with(AGENT_PREFIX)
    }
}

impl fmt::Display for Stream<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stream::Agent(agent) => write!(f, "{AGENT_PREFIX}{agent}"),
            Stream::Customer(conversation) => write!(f, "customer:{conversation}"),
            Stream::Outbound(conversation) => write!(f, "{OUTBOUND_PREFIX}{conversation}"),
            Stream::Start => f.write_str("start"),
            Stream::Inbound { channel, customer } => {
                write!(f, "inbound:{}:{customer}", channel.as_str())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_stream_names_stay_as_they_were() {
        let agent = AgentId::from("a1");
        let conversation = ConversationId::from("c1");
        let names = [
            (Stream::Agent(&agent), "agent:a1"),
            (Stream::Customer(&conversation), "customer:c1"),
            (Stream::Outbound(&conversation), "outbound:c1"),
            (Stream::Start, "start"),
            (
                Stream::Inbound {
                    channel: Channel::Sms,
                    customer: "+420601123456",
                },
                "inbound:sms:+420601123456",
            ),
            (
                Stream::Inbound {
                    channel: Channel::Facebook,
                    customer: "psid",
                },
                "inbound:facebook:psid",
            ),
        ];
        for (stream, name) in names {
            assert_eq!(stream.to_string(), name);
        }
        assert!(Stream::is_outbound(
            &Stream::Outbound(&conversation).to_string()
        ));
        assert!(!Stream::is_outbound(
            &Stream::Customer(&conversation).to_string()
        ));
    }
}
