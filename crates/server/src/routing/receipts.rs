//! Receipts both ways. How far the customer's side got with the agents' messages: a chat
//! widget's receipts (by message) and Messenger's (by time) move the same marks forward, and the
//! agents taking part are told. How far the customer's messages got: an agent's desktop says it
//! has them, and the chat's customer is told.

use switchboard_protocol::agent::AgentEvent;
use switchboard_protocol::customer::CustomerEvent;
use switchboard_protocol::{AgentId, Channel, ConversationId, Millis};

use super::{Effects, Receipt, Router};

impl Router {
    /// Records how far the customer's device got, or the customer read, in their open
    /// conversation with that number or page.
    pub fn receipt(&mut self, channel: Channel, receipt: Receipt, fx: &mut Effects) {
        let (Receipt::Delivered(address, at) | Receipt::Read(address, at)) = &receipt;
        let Some(id) = self.open_with(channel, address) else {
            return;
        };
        let read = matches!(receipt, Receipt::Read(..));
        self.mark_receipt(&id, *at, read, fx);
    }

    /// The chat widget received the thread up to message `message` and, when `seen`, showed it
    /// to the customer in view.
    pub fn chat_receipt(
        &mut self,
        id: &ConversationId,
        message: u64,
        seen: bool,
        fx: &mut Effects,
    ) {
        let Some(at) = self.conversations.get(id).and_then(|conversation| {
            let shown = conversation.history.iter().find(|m| m.id == message);
            shown.map(|m| m.sent_at)
        }) else {
            return;
        };
        self.mark_receipt(id, at, seen, fx);
    }

    /// Moves the receipts forward to `at` (never back; what was read was received), and tells the
    /// agents taking part.
    fn mark_receipt(&mut self, id: &ConversationId, at: Millis, read: bool, fx: &mut Effects) {
        let record = &mut self.conversations.get_mut(id).expect("open").record;
        let receipts = &mut record.receipts;
        let mut moved = false;
        for (mark, applies) in [
            (&mut receipts.delivered_up_to, true),
            (&mut receipts.read_up_to, read),
        ] {
            if applies && mark.is_none_or(|mark| mark < at) {
                *mark = Some(at);
                moved = true;
            }
        }
        if !moved {
            return;
        }
        fx.touch(record);
        let receipts = record.receipts;
        for agent in self.participants(id) {
            let conversation = id.clone();
            fx.agent(
                &agent,
                AgentEvent::Receipts {
                    conversation,
                    receipts,
                },
            );
        }
    }

    /// An agent taking part has the customer's messages up to `message` on their desktop: the
    /// chat's customer is told, once per step forward.
    pub fn agent_receipt(
        &mut self,
        agent: &AgentId,
        id: &ConversationId,
        message: u64,
        fx: &mut Effects,
    ) {
        if !self.participants(id).contains(agent) {
            return;
        }
        let record = &mut self
            .conversations
            .get_mut(id)
            .expect("taken part in")
            .record;
        if message <= record.received_by_agents || message >= record.next_message {
            return;
        }
        record.received_by_agents = message;
        fx.touch(record);
        self.tell_customer(id, CustomerEvent::Received { up_to: message }, fx);
    }
}
