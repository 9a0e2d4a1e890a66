//! The desktop's state, built only from the server's events, and the updates each event makes
//! to what the window shows. Raw customer text stays in here; what leaves is masked.

use std::collections::BTreeMap;

use serde::Serialize;
use switchboard_protocol::agent::{
    AgentEvent, AgentSummary, ConversationSnapshot, DesktopProfile, InteractionState, Offer, Theme,
    WithdrawReason,
};
use switchboard_protocol::live::LiveUpdate;
use switchboard_protocol::rules::TYPING_SHOWN_MILLIS;
use switchboard_protocol::{
    ChatMessage, ConversationId, FileLimits, Millis, Presence, Sender, Seq,
};
use ts_rs::TS;

use crate::connection::ConnectionState;
use crate::live::LiveBoard;
use crate::notification::{DismissReason, Notification, Style, offer_id};
use crate::redact::Redactor;
use crate::templates;
use crate::views::{self, Bubble, ConversationView, TaskEntry};

/// One change to what the desktop shows.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
// Updates are made one at a time and handed on: boxing the pane would cost an allocation on every
// update to save a few hundred bytes in the window's short queue.
#[allow(clippy::large_enum_variant)]
pub enum Update {
    Connection {
        connection: ConnectionState,
    },
    Presence {
        presence: Presence,
    },
    Profile {
        profile: DesktopProfile,
    },
    Notify {
        notification: Notification,
    },
    Dismiss {
        id: String,
        reason: DismissReason,
    },
    /// A task list entry, new or changed.
    Task {
        task: TaskEntry,
    },
    TaskRemoved {
        conversation: ConversationId,
    },
    /// The whole interaction pane of a conversation, new or changed.
    Conversation {
        conversation: ConversationView,
    },
    /// A message added to a conversation's thread.
    Bubble {
        conversation: ConversationId,
        bubble: Bubble,
    },
    /// The customer is typing, shown until `until` unless refreshed; `None`: not any more.
    Typing {
        conversation: ConversationId,
        until: Option<Millis>,
    },
    /// A supervisor set this agent's presence (the presence update follows), and why.
    PresenceSetBy {
        supervisor: String,
        reason: String,
    },
    /// The live view a supervisor watches: whole, or what changed.
    Live {
        update: LiveUpdate,
    },
}

/// Everything the window shows, at once: what it draws first and after missing updates.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DeskSnapshot {
    pub agent: AgentSummary,
    /// Whether the signed-in person has a supervisor's powers, which the window then offers.
    pub supervises: bool,
    pub connection: ConnectionState,
    pub presence: Presence,
    pub profile: DesktopProfile,
    /// Alerts waiting for an answer, oldest first.
    pub alerts: Vec<Notification>,
    pub tasks: Vec<TaskEntry>,
    pub conversations: Vec<ConversationView>,
}

#[derive(Debug)]
struct Conversation {
    snapshot: ConversationSnapshot,
    /// The thread, raw; masked copies are made for each view.
    history: Vec<ChatMessage>,
    unread: u32,
    /// Until when the customer shows as typing.
    typing_until: Option<Millis>,
}

/// The desktop's state machine: server events in, updates out. Pure — no I/O, no clock — so it
/// can be replayed and measured on its own; [`crate::Desk`] drives it from the connection.
#[derive(Debug)]
pub struct Model {
    pub(crate) agent: AgentSummary,
    /// The last event applied; `None` before the first welcome.
    pub(crate) last_seq: Option<Seq>,
    pub(crate) connection: ConnectionState,
    pub(crate) presence: Presence,
    profile: DesktopProfile,
    redactor: Redactor,
    offers: BTreeMap<ConversationId, Offer>,
    conversations: BTreeMap<ConversationId, Conversation>,
    /// The live view, for a supervisor watching it.
    pub(crate) live: LiveBoard,
}

fn default_profile() -> DesktopProfile {
    // Until the server says otherwise, mask: showing too little is the safe mistake.
    DesktopProfile {
        masking: true,
        theme: Theme::Light,
        alert_seconds: 30,
        toast_seconds: 8,
        customer_returned_alert: false,
        wrap_up_reasons: Vec::new(),
        idle_reasons: Vec::new(),
        templates: Vec::new(),
        files: FileLimits::default(),
    }
}

impl Model {
    /// Masking as the profile asks, for what the core shows outside the model.
    pub(crate) fn redactor(&self) -> Redactor {
        self.redactor
    }

    pub fn new(agent: AgentSummary) -> Model {
        let profile = default_profile();
        Model {
            agent,
            last_seq: None,
            connection: ConnectionState::Connecting,
            presence: Presence::Offline,
            redactor: Redactor::new(profile.masking),
            profile,
            offers: BTreeMap::new(),
            conversations: BTreeMap::new(),
            live: LiveBoard::default(),
        }
    }

    pub(crate) fn profile(&self) -> &DesktopProfile {
        &self.profile
    }

    fn style(&self) -> Style {
        Style {
            theme: self.profile.theme,
            toast_millis: Millis::from(self.profile.toast_seconds) * 1000,
            redactor: self.redactor,
            customer_returned_alert: self.profile.customer_returned_alert,
        }
    }

    pub(crate) fn set_connection(&mut self, connection: ConnectionState) -> Vec<Update> {
        if self.connection == connection {
            return Vec::new();
        }
        self.connection = connection.clone();
        vec![Update::Connection { connection }]
    }

    /// Applies one event from the server; `now` dates toasts.
    pub fn apply(&mut self, event: AgentEvent, now: Millis) -> Vec<Update> {
        let mut updates = Vec::new();
        match event {
            AgentEvent::Presence { presence, .. } => {
                self.presence = presence.clone();
                updates.push(Update::Presence { presence });
            }
            AgentEvent::PresenceSetBy { supervisor, reason } => {
                updates.push(Update::PresenceSetBy { supervisor, reason });
            }
            AgentEvent::Profile { profile } => {
                let masking_changed = profile.masking != self.profile.masking;
                self.redactor = Redactor::new(profile.masking);
                self.profile = profile;
                updates.push(Update::Profile {
                    profile: self.profile.clone(),
                });
                if masking_changed {
                    // Everything shown so far is shown again under the new setting.
                    for offer in self.offers.values() {
                        updates.push(Update::Notify {
                            notification: self.style().for_offer(offer, now),
                        });
                    }
                    for id in self.conversations.keys() {
                        updates.extend(self.conversation_updates(id));
                    }
                }
            }
            AgentEvent::Offer { offer } => {
                updates.push(Update::Notify {
                    notification: self.style().for_offer(&offer, now),
                });
                self.offers.insert(offer.conversation.clone(), offer);
            }
            AgentEvent::OfferWithdrawn {
                conversation,
                reason,
            } => {
                if self.offers.remove(&conversation).is_some() {
                    let reason = match reason {
                        WithdrawReason::Timeout => DismissReason::Expired,
                        WithdrawReason::Rejected => DismissReason::Rejected,
                        WithdrawReason::CustomerLeft | WithdrawReason::Interrupted => {
                            DismissReason::Withdrawn
                        }
                    };
                    updates.push(Update::Dismiss {
                        id: offer_id(&conversation),
                        reason,
                    });
                }
            }
            AgentEvent::Snapshot { mut conversation } => {
                let id = conversation.id.clone();
                if self.offers.remove(&id).is_some() {
                    updates.push(Update::Dismiss {
                        id: offer_id(&id),
                        reason: DismissReason::Accepted,
                    });
                }
                let known = self.conversations.get(&id);
                let unread = known.map_or(0, |known| known.unread);
                // Earlier pages already loaded stay: the snapshot carries only the latest.
                let latest = std::mem::take(&mut conversation.history);
                let first = latest.first().map_or(u64::MAX, |m| m.id);
                let earlier = known.map_or(&[][..], |known| {
                    &known.history[..known.history.partition_point(|m| m.id < first)]
                });
                // Copied, not moved: a copy holds each text in exactly its length.
                let mut history = Vec::with_capacity(earlier.len() + latest.len());
                history.extend_from_slice(earlier);
                history.extend_from_slice(&latest);
                self.conversations.insert(
                    id.clone(),
                    Conversation {
                        snapshot: conversation,
                        history,
                        unread,
                        typing_until: None,
                    },
                );
                updates.extend(self.conversation_updates(&id));
            }
            AgentEvent::Message { message } => {
                let id = message.conversation.clone();
                if let Some(conversation) = self.conversations.get_mut(&id) {
                    if matches!(message.from, Sender::Customer { .. }) {
                        conversation.unread += 1;
                        // What they typed has arrived.
                        if conversation.typing_until.take().is_some() {
                            updates.push(Update::Typing {
                                conversation: id.clone(),
                                until: None,
                            });
                        }
                    }
                    conversation.history.push(message);
                    let bubble = self.last_bubble(&id);
                    updates.push(Update::Bubble {
                        conversation: id.clone(),
                        bubble,
                    });
                    updates.push(Update::Task {
                        task: self.task(&id),
                    });
                }
            }
            AgentEvent::State {
                conversation,
                state,
            } => {
                if let Some(known) = self.conversations.get_mut(&conversation) {
                    if let InteractionState::Interrupted { .. } = &state {
                        tracing::info!(%conversation, "conversation interrupted");
                    }
                    known.snapshot.state = state;
                    updates.extend(self.conversation_updates(&conversation));
                }
            }
            AgentEvent::Receipts {
                conversation,
                receipts,
            } => {
                if let Some(known) = self.conversations.get_mut(&conversation) {
                    known.snapshot.receipts = receipts;
                    if let Some(view) = self.view(&conversation) {
                        updates.push(Update::Conversation { conversation: view });
                    }
                }
            }
            AgentEvent::Notice {
                conversation,
                scenario,
                text,
            } => {
                let name = self
                    .conversations
                    .get(&conversation)
                    .map_or("", |known| known.snapshot.customer.name.as_str());
                updates.push(Update::Notify {
                    notification: self
                        .style()
                        .toast(&conversation, scenario, name, &text, now),
                });
            }
            AgentEvent::Closed { conversation } => {
                if self.conversations.remove(&conversation).is_some() {
                    updates.push(Update::TaskRemoved { conversation });
                }
            }
        }
        updates
    }

    /// A push of the live view.
    pub fn apply_live(&mut self, update: LiveUpdate) -> Vec<Update> {
        self.live.apply(update, &self.redactor)
    }

    /// The customer of a conversation on this desk is typing, or stopped.
    pub fn customer_typing(
        &mut self,
        id: &ConversationId,
        typing: bool,
        now: Millis,
    ) -> Vec<Update> {
        let Some(conversation) = self.conversations.get_mut(id) else {
            return Vec::new();
        };
        let until = typing.then_some(now + TYPING_SHOWN_MILLIS as Millis);
        conversation.typing_until = until;
        vec![Update::Typing {
            conversation: id.clone(),
            until,
        }]
    }

    fn conversation_updates(&self, id: &ConversationId) -> Vec<Update> {
        match self.view(id) {
            Some(view) => vec![
                Update::Task {
                    task: self.task(id),
                },
                Update::Conversation { conversation: view },
            ],
            None => Vec::new(),
        }
    }

    fn customer_initials(&self, conversation: &Conversation) -> String {
        views::initials(&self.redactor.text(&conversation.snapshot.customer.name))
    }

    fn last_bubble(&self, id: &ConversationId) -> Bubble {
        let conversation = &self.conversations[id];
        let message = conversation.history.last().expect("just pushed");
        views::bubble(
            message,
            &self.agent.id,
            &self.customer_initials(conversation),
            &self.redactor,
        )
    }

    pub(crate) fn task(&self, id: &ConversationId) -> TaskEntry {
        let conversation = &self.conversations[id];
        let snapshot = &conversation.snapshot;
        let last = conversation.history.last();
        TaskEntry {
            conversation: id.clone(),
            customer_name: self.redactor.owned(&snapshot.customer.name),
            channel: snapshot.channel,
            queue: snapshot.queue.name.clone(),
            preview: last.map_or_else(String::new, |message| {
                views::preview(&self.redactor.text(&message.text))
            }),
            // A desktop's task list holds its own agent's conversations.
            agent_name: self.agent.name.clone(),
            date: last.map_or(snapshot.started_at, |message| message.sent_at),
            proactive: snapshot.proactive,
            unread: conversation.unread,
            state: snapshot.state.clone(),
            typing_until: conversation.typing_until,
        }
    }

    pub(crate) fn view(&self, id: &ConversationId) -> Option<ConversationView> {
        let conversation = self.conversations.get(id)?;
        let snapshot = &conversation.snapshot;
        let initials = self.customer_initials(conversation);
        let interrupted = match &snapshot.state {
            InteractionState::Interrupted { reason } => Some(reason.clone()),
            _ => None,
        };
        Some(ConversationView {
            id: id.clone(),
            title: self.redactor.owned(&snapshot.customer.name),
            channel: snapshot.channel,
            queue: snapshot.queue.name.clone(),
            state: snapshot.state.clone(),
            accepted_at: snapshot.accepted_at,
            proactive: snapshot.proactive,
            bubbles: conversation
                .history
                .iter()
                .map(|message| views::bubble(message, &self.agent.id, &initials, &self.redactor))
                .collect(),
            earlier: conversation.history.first().is_some_and(|m| m.id > 1),
            summary: views::summary(snapshot, &self.redactor),
            details: views::details(snapshot, &self.redactor),
            interrupted,
            actions: views::actions(snapshot, &self.profile.files.channels),
            receipt: views::receipt(&conversation.history, &self.agent.id, &snapshot.receipts),
            parameters: templates::parameters(snapshot, &self.agent, &self.redactor),
            initials,
        })
    }

    /// Conversation `id` as the server last described it, with its thread (raw).
    pub(crate) fn held(
        &self,
        id: &ConversationId,
    ) -> Option<(&ConversationSnapshot, &[ChatMessage])> {
        let conversation = self.conversations.get(id)?;
        Some((&conversation.snapshot, &conversation.history))
    }

    pub(crate) fn agent(&self) -> &AgentSummary {
        &self.agent
    }

    /// The agent has seen the conversation's messages.
    /// The id of the earliest message the desktop has of a conversation, when the server has
    /// earlier ones.
    pub(crate) fn earlier_than(&self, id: &ConversationId) -> Option<u64> {
        let first = self.conversations.get(id)?.history.first()?.id;
        (first > 1).then_some(first)
    }

    /// An earlier page of a conversation's thread arrived: it goes before what the desktop has.
    pub(crate) fn earlier_loaded(
        &mut self,
        id: &ConversationId,
        page: Vec<ChatMessage>,
    ) -> Vec<Update> {
        let Some(conversation) = self.conversations.get_mut(id) else {
            return Vec::new();
        };
        let first = conversation.history.first().map_or(u64::MAX, |m| m.id);
        let earlier: Vec<ChatMessage> = page.into_iter().filter(|m| m.id < first).collect();
        if earlier.is_empty() {
            return Vec::new();
        }
        conversation.history.splice(0..0, earlier);
        self.conversation_updates(id)
    }

    pub(crate) fn mark_read(&mut self, id: &ConversationId) -> Vec<Update> {
        match self.conversations.get_mut(id) {
            Some(conversation) if conversation.unread > 0 => {
                conversation.unread = 0;
                vec![Update::Task {
                    task: self.task(id),
                }]
            }
            _ => Vec::new(),
        }
    }

    /// Alerts and toasts for offers waiting for an answer, oldest first.
    pub(crate) fn pending_offers(&self, now: Millis) -> Vec<Notification> {
        let mut offers: Vec<&Offer> = self.offers.values().collect();
        offers.sort_by_key(|offer| offer.waiting_since);
        offers
            .into_iter()
            .map(|offer| self.style().for_offer(offer, now))
            .collect()
    }

    pub(crate) fn is_offered(&self, id: &ConversationId) -> bool {
        self.offers.contains_key(id)
    }

    pub(crate) fn holds(&self, id: &ConversationId) -> bool {
        self.conversations.contains_key(id)
    }

    /// Everything the window shows, masked.
    pub fn snapshot(&self, now: Millis) -> DeskSnapshot {
        DeskSnapshot {
            agent: self.agent.clone(),
            supervises: self.agent.role.supervises(),
            connection: self.connection.clone(),
            presence: self.presence.clone(),
            profile: self.profile.clone(),
            alerts: self.pending_offers(now),
            tasks: self.conversations.keys().map(|id| self.task(id)).collect(),
            conversations: self
                .conversations
                .keys()
                .filter_map(|id| self.view(id))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use switchboard_protocol::agent::{Customer, InteractionState, QueueSummary};
    use switchboard_protocol::{AgentId, Channel};

    use super::*;

    fn message(id: u64) -> ChatMessage {
        ChatMessage {
            id,
            conversation: ConversationId::from("c1"),
            from: Sender::Customer {
                name: "Zoë".into()
            },
            text: format!("line {id}"),
            sent_at: id,
            attachments: Vec::new(),
        }
    }

    fn snapshot(ids: std::ops::RangeInclusive<u64>) -> AgentEvent {
        AgentEvent::Snapshot {
            conversation: ConversationSnapshot {
                id: ConversationId::from("c1"),
                channel: Channel::Chat,
                queue: QueueSummary {
                    id: "general".into(),
                    name: "General".into(),
                    escalation: false,
                },
                customer: Customer {
                    name: "Zoë".into(),
                    email: None,
                    phone: None,
                },
                state: InteractionState::Active,
                proactive: false,
                persistent: false,
                started_at: 0,
                accepted_at: Some(0),
                history: ids.map(message).collect(),
                context: Vec::new(),
                contact: None,
                receipts: Default::default(),
                language: None,
            },
        }
    }

    fn ids(model: &Model) -> Vec<u64> {
        model.conversations[&ConversationId::from("c1")]
            .history
            .iter()
            .map(|m| m.id)
            .collect()
    }

    #[test]
    fn earlier_pages_go_first_and_stay_through_a_new_snapshot() {
        let mut model = Model::new(AgentSummary {
            id: AgentId::from("ann"),
            name: "Ann".into(),
            email: "ann@example.com".into(),
            role: Default::default(),
        });
        let id = ConversationId::from("c1");
        model.apply(snapshot(51..=100), 0);
        assert_eq!(model.earlier_than(&id), Some(51));
        assert!(model.view(&id).unwrap().earlier);

        let updates = model.earlier_loaded(&id, (1..=50).map(message).collect());
        assert!(!updates.is_empty());
        assert_eq!(ids(&model), (1..=100).collect::<Vec<_>>());
        assert_eq!(model.earlier_than(&id), None);
        assert!(!model.view(&id).unwrap().earlier);
        // The same page again (a double click) changes nothing.
        assert!(
            model
                .earlier_loaded(&id, (1..=50).map(message).collect())
                .is_empty()
        );

        // A reconnect's snapshot carries the latest page only: what was loaded stays before it.
        model.apply(snapshot(52..=101), 0);
        assert_eq!(ids(&model), (1..=101).collect::<Vec<_>>());
    }
}
