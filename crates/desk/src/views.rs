//! The view models the window draws (SPEC §3–4): task list entries, the interaction pane with
//! its bubbles, the Customer summary and Additional details tabs. Everything customer-provided
//! in them is masked per the profile when they are built.

use serde::Serialize;
use switchboard_protocol::agent::{ConversationSnapshot, InteractionState, PastConversation};
use switchboard_protocol::{
    AgentId, Channel, ChatMessage, ConversationId, FileId, Millis, Receipts, Sender, StoredFile,
};

use crate::templates::ParameterView;
use ts_rs::TS;

use crate::redact::Redactor;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TaskEntry {
    pub conversation: ConversationId,
    pub customer_name: String,
    pub channel: Channel,
    pub queue: String,
    /// The last message, masked and cut to a line.
    pub preview: String,
    /// Who holds the conversation.
    pub agent_name: String,
    /// When the last message came (or the conversation started).
    pub date: Millis,
    pub proactive: bool,
    /// Customer messages not yet seen by the agent.
    pub unread: u32,
    pub state: InteractionState,
    /// Until when the customer shows as typing (the task list says so instead of the preview).
    pub typing_until: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Author {
    /// A grey bubble with the customer's initials.
    Customer { initials: String },
    /// A solid blue bubble; `mine` when the agent at this desktop wrote it.
    Agent { name: String, mine: bool },
    /// The workstream's bot, which answered before any agent.
    Bot { name: String },
    /// A line such as "Customer ended the conversation" or "Bo joined the conversation".
    System,
    /// An internal note: agents only; `mine` when the agent at this desktop wrote it.
    Note { name: String, mine: bool },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Bubble {
    pub id: u64,
    pub author: Author,
    pub text: String,
    pub sent_at: Millis,
    /// Files sent with it: stored with the conversation (from the widget or a desktop), or links
    /// where the channel keeps them (an SMS picture, a Messenger attachment).
    pub attachments: Vec<AttachmentView>,
}

/// How far the customer's side got with this agent's latest message they received: shown
/// under that message, "Delivered" or "Seen".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct ReceiptView {
    pub message: u64,
    pub seen: bool,
}

/// The latest of `me`'s messages the customer's side received, and whether they saw it.
pub(crate) fn receipt(
    history: &[ChatMessage],
    me: &AgentId,
    receipts: &Receipts,
) -> Option<ReceiptView> {
    let delivered_up_to = receipts.delivered_up_to?;
    let latest = history.iter().rev().find(|message| {
        matches!(&message.from, Sender::Agent { agent, .. } if agent == me)
            && message.sent_at <= delivered_up_to
    })?;
    Some(ReceiptView {
        message: latest.id,
        seen: receipts
            .read_up_to
            .is_some_and(|read| latest.sent_at <= read),
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AttachmentView {
    /// Where the channel keeps it; empty for a file stored with the conversation.
    pub url: String,
    /// A file stored with the conversation: the window asks the core for its content.
    pub file: Option<FileId>,
    /// The file's type as the channel gives it (`image/jpeg`, `image`), or as the server read it
    /// from a stored file's content.
    pub kind: Option<String>,
    /// A stored file's name (masked) and size.
    pub name: Option<String>,
    pub size: Option<u64>,
    /// A picture the window shows in the thread: a stored one, or one the channel keeps (an MMS
    /// or Messenger picture, fetched by the core from its address). Any other stored file is
    /// offered to save.
    pub picture: bool,
}

impl AttachmentView {
    /// The view of a file stored with the conversation.
    pub(crate) fn stored(file: &StoredFile, redactor: &Redactor) -> AttachmentView {
        AttachmentView {
            url: String::new(),
            file: Some(file.id.clone()),
            kind: Some(file.content_type.clone()),
            name: Some(redactor.owned(&file.name)),
            size: Some(file.size),
            picture: crate::files::shown_inline(&file.content_type),
        }
    }
}

/// The Customer summary tab: the matched contact's record where there is one, what the customer
/// gave otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CustomerSummary {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Whether the conversation was matched to a contact record.
    pub known_contact: bool,
    pub notes: Option<String>,
    /// The contact's latest ended conversations, newest first.
    pub recent: Vec<PastConversationView>,
}

/// One of the contact's ended conversations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PastConversationView {
    pub id: ConversationId,
    pub channel: Channel,
    pub queue: String,
    pub ended_at: Millis,
    /// The customer's first message, as a preview.
    pub comment: String,
    pub wrap_up: Option<String>,
    /// The customer's rating (1 to 5 stars) and comment, if they answered the survey.
    pub rating: Option<u8>,
    pub rating_comment: Option<String>,
}

/// An ended conversation as the window lists it, masked.
pub(crate) fn past(past: &PastConversation, redactor: &Redactor) -> PastConversationView {
    PastConversationView {
        id: past.id.clone(),
        channel: past.channel,
        queue: past.queue.name.clone(),
        ended_at: past.ended_at,
        comment: preview(&redactor.text(&past.comment)),
        wrap_up: past.wrap_up.clone(),
        rating: past.survey.as_ref().map(|survey| survey.rating),
        rating_comment: past
            .survey
            .as_ref()
            .filter(|survey| !survey.comment.is_empty())
            .map(|survey| preview(&redactor.text(&survey.comment))),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Inbound,
    Proactive,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Detail {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AdditionalDetails {
    /// The displayable context variables the website passed, in its order.
    pub variables: Vec<Detail>,
    pub origin: Origin,
    pub channel: Channel,
}

/// What the agent can do with the conversation now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct Actions {
    pub send: bool,
    pub transfer: bool,
    pub conference: bool,
    pub exit_conference: bool,
    pub end: bool,
    /// Move a persistent conversation to waiting until the customer writes again.
    pub park: bool,
    /// Send files with a message: on the channels the server says files reach customers on.
    pub attach: bool,
    /// A supervisor monitoring: whisper (a note the customer never sees), barge in, or stop.
    pub whisper: bool,
    pub barge: bool,
    pub stop_monitoring: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ConversationView {
    pub id: ConversationId,
    /// The interaction pane's title: the customer's name, masked.
    pub title: String,
    pub initials: String,
    pub channel: Channel,
    pub queue: String,
    pub state: InteractionState,
    /// Start of the timer shown in the pane.
    pub accepted_at: Option<Millis>,
    pub proactive: bool,
    pub bubbles: Vec<Bubble>,
    /// The server has earlier messages than the bubbles: the pane offers to show them.
    pub earlier: bool,
    pub summary: CustomerSummary,
    pub details: AdditionalDetails,
    /// Why the conversation was interrupted (a resource it needs was deleted): it can only end.
    pub interrupted: Option<String>,
    pub actions: Actions,
    pub receipt: Option<ReceiptView>,
    /// The parameters a message in this conversation may carry, as the composer shows them.
    pub parameters: Vec<ParameterView>,
}

/// Up to two initials of a (masked) name: "Zoë Nováková" → "ZN"; a name without letters (a
/// masked phone number) gets "#".
pub fn initials(name: &str) -> String {
    let letters: String = name
        .split_whitespace()
        .filter_map(|word| word.chars().find(|c| c.is_alphabetic()))
        .take(2)
        .flat_map(char::to_uppercase)
        .collect();
    if letters.is_empty() {
        "#".to_owned()
    } else {
        letters
    }
}

/// The longest preview, in characters.
const PREVIEW_CHARS: usize = 80;

pub(crate) fn preview(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(PREVIEW_CHARS) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

pub(crate) fn bubble(
    message: &ChatMessage,
    me: &AgentId,
    customer_initials: &str,
    redactor: &Redactor,
) -> Bubble {
    let author = match &message.from {
        Sender::Customer { .. } => Author::Customer {
            initials: customer_initials.to_owned(),
        },
        Sender::Agent { agent, name } => Author::Agent {
            name: name.clone(),
            mine: agent == me,
        },
        Sender::Bot { name } => Author::Bot { name: name.clone() },
        Sender::System => Author::System,
        Sender::Note { agent, name } => Author::Note {
            name: name.clone(),
            mine: agent == me,
        },
    };
    Bubble {
        id: message.id,
        author,
        text: redactor.owned(&message.text),
        sent_at: message.sent_at,
        attachments: message
            .attachments
            .iter()
            .map(|attachment| match &attachment.file {
                Some(file) => AttachmentView::stored(file, redactor),
                None => AttachmentView {
                    url: redactor.owned(&attachment.url),
                    file: None,
                    kind: attachment.content_type.clone(),
                    name: None,
                    size: None,
                    picture: crate::files::channel_picture_url(attachment).is_some(),
                },
            })
            .collect(),
    }
}

/// What the agent may do in a conversation on their desk (held, or joined in a conference).
pub(crate) fn actions(snapshot: &ConversationSnapshot, file_channels: &[Channel]) -> Actions {
    let state = &snapshot.state;
    let live = matches!(
        state,
        InteractionState::Active
            | InteractionState::Conference { .. }
            | InteractionState::ConferenceRequested { .. }
            | InteractionState::TransferRequested { .. }
    );
    let quiet = matches!(state, InteractionState::Active);
    let monitoring = matches!(state, InteractionState::Monitoring);
    Actions {
        whisper: monitoring,
        barge: monitoring,
        stop_monitoring: monitoring,
        send: live,
        transfer: quiet,
        conference: quiet,
        exit_conference: matches!(state, InteractionState::Conference { .. }),
        park: quiet && snapshot.persistent,
        attach: live && file_channels.contains(&snapshot.channel),
        end: live
            || matches!(
                state,
                InteractionState::WrapUp { .. }
                    | InteractionState::Interrupted { .. }
                    | InteractionState::Transferred { .. }
            ),
    }
}

pub(crate) fn summary(snapshot: &ConversationSnapshot, redactor: &Redactor) -> CustomerSummary {
    let customer = &snapshot.customer;
    let masked = |text: Option<&str>| text.map(|t| redactor.owned(t));
    let Some(contact) = snapshot.contact.as_deref() else {
        return CustomerSummary {
            name: redactor.owned(&customer.name),
            email: masked(customer.email.as_deref()),
            phone: masked(customer.phone.as_deref()),
            known_contact: false,
            notes: None,
            recent: Vec::new(),
        };
    };
    CustomerSummary {
        name: redactor.owned(&contact.name),
        email: masked(contact.email.as_deref().or(customer.email.as_deref())),
        phone: masked(contact.phone.as_deref().or(customer.phone.as_deref())),
        known_contact: true,
        notes: masked(contact.notes.as_deref()),
        recent: contact
            .recent
            .iter()
            .map(|conversation| past(conversation, redactor))
            .collect(),
    }
}

pub(crate) fn details(snapshot: &ConversationSnapshot, redactor: &Redactor) -> AdditionalDetails {
    AdditionalDetails {
        variables: snapshot
            .context
            .iter()
            .filter(|variable| variable.value.displayable)
            .map(|variable| Detail {
                name: redactor.owned(&variable.name),
                value: redactor.owned(&variable.value.value),
            })
            .collect(),
        origin: if snapshot.proactive {
            Origin::Proactive
        } else {
            Origin::Inbound
        },
        channel: snapshot.channel,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_come_from_the_first_two_words() {
        assert_eq!(initials("Zoë Nováková"), "ZN");
        assert_eq!(initials("łukasz"), "Ł");
        assert_eq!(initials("Anna Maria Svensson"), "AM");
        assert_eq!(initials("*********7542"), "#");
    }

    #[test]
    fn previews_are_one_short_line() {
        assert_eq!(preview("Hello\n  there"), "Hello there");
        let long = "word ".repeat(40);
        let cut = preview(&long);
        assert_eq!(cut.chars().count(), PREVIEW_CHARS + 1);
        assert!(cut.ends_with('…'));
    }
}

#[cfg(test)]
mod receipt_tests {
    use super::*;

    fn message(id: u64, agent: &str, sent_at: Millis) -> ChatMessage {
        ChatMessage {
            id,
            conversation: "c".into(),
            from: Sender::Agent {
                agent: agent.into(),
                name: agent.into(),
            },
            text: "Hi".into(),
            sent_at,
            attachments: Vec::new(),
        }
    }

    #[test]
    fn the_receipt_shows_under_my_latest_message_the_customer_received() {
        let history = [
            message(1, "ann", 10),
            message(2, "bo", 20),
            message(3, "ann", 30),
        ];
        let ann = AgentId::from("ann");
        let receipts = |delivered, read| Receipts {
            delivered_up_to: delivered,
            read_up_to: read,
        };
        assert_eq!(receipt(&history, &ann, &receipts(None, None)), None);
        assert_eq!(
            receipt(&history, &ann, &receipts(Some(25), None)),
            Some(ReceiptView {
                message: 1,
                seen: false
            })
        );
        assert_eq!(
            receipt(&history, &ann, &receipts(Some(30), Some(30))),
            Some(ReceiptView {
                message: 3,
                seen: true
            })
        );
        assert_eq!(
            receipt(&history, &"bo".into(), &receipts(Some(30), Some(10))),
            Some(ReceiptView {
                message: 2,
                seen: false
            })
        );
    }
}
