//! An event as endpoints receive it, made from the row its step stored: Standard Webhooks'
//! envelope (`type`, `timestamp`, `data`) with an id that is the same on every delivery.

use serde::Serialize;
use serde_json::{Value, json};
use switchboard_protocol::{AgentId, ChatMessage, Millis, Presence};

use crate::routing::{ConversationRecord, Effects, Fact, FactKind};
use crate::store::{NewWebhookEvent, StoreError, StoredEvent};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    /// Receivers de-duplicate on it: the same on every delivery, on every node.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// When it happened, RFC 3339.
    pub timestamp: String,
    pub data: Value,
}

/// An agent as events name them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(super) struct AgentRef {
    pub id: AgentId,
    pub email: String,
    pub name: String,
}

/// The events a step made, to store with it: conversations started, messages, facts and
/// presence changes, each as its row.
pub fn made_by(fx: &Effects) -> Vec<NewWebhookEvent> {
    let row = |id: String, source: &str, subject: &str, body: String| NewWebhookEvent {
        id,
        source: source.into(),
        subject: subject.into(),
        body,
    };
    let started = fx.created.iter().map(|(record, _)| {
        let id = format!("{}.started", record.id);
        row(id, "conversation", &record.id.0, json_text(record))
    });
    let messages = fx.messages.iter().map(|message| {
        let id = format!("{}.m{}", message.conversation, message.id);
        row(id, "message", &message.conversation.0, json_text(message))
    });
    let facts = fx.facts.iter().map(|fact| {
        let id = format!("{}.f{}", fact.conversation, fact.number);
        row(id, "fact", &fact.conversation.0, json_text(fact))
    });
    let presences = fx.presences.iter().map(|(agent, presence, since)| {
        let body = json!({ "presence": presence, "since": since }).to_string();
        row(format!("{agent}.p{since}"), "presence", &agent.0, body)
    });
    started
        .chain(messages)
        .chain(facts)
        .chain(presences)
        .collect()
}

fn json_text(value: &impl Serialize) -> String {
    serde_json::to_string(value).expect("records serialize")
}

/// Reads a stored event; `agent` names the agents it mentions (`None`: an agent since removed,
/// named by id alone).
pub(super) fn from_stored(
    stored: &StoredEvent,
    mut agent: impl FnMut(&AgentId) -> Option<AgentRef>,
) -> Result<Event, StoreError> {
    let mut agent_value =
        |id: &AgentId| agent(id).map_or_else(|| json!({ "id": id }), |known| json!(known));
    let parse_error = |error: serde_json::Error| {
        StoreError::from(error).context(format_args!("webhook event {}", stored.position))
    };
    let NewWebhookEvent {
        id,
        source,
        subject,
        body,
    } = &stored.event;
    let id = id.clone();
    match source.as_str() {
        "conversation" => {
            let record: ConversationRecord = serde_json::from_str(body).map_err(parse_error)?;
            Ok(Event {
                id,
                kind: "conversation.started",
                timestamp: rfc3339(record.started_at),
                data: json!({
                    "conversation": record.id,
                    "channel": record.channel,
                    "queue": record.queue,
                    "customer": record.customer,
                    "contact": record.contact,
                    "widget": record.widget,
                    "proactive": record.proactive,
                }),
            })
        }
        "message" => {
            let message: ChatMessage = serde_json::from_str(body).map_err(parse_error)?;
            Ok(Event {
                id,
                kind: "message.created",
                timestamp: rfc3339(message.sent_at),
                data: json!({ "conversation": message.conversation, "message": message }),
            })
        }
        "fact" => {
            let fact: Fact = serde_json::from_str(body).map_err(parse_error)?;
            let (kind, details) = fact_details(&fact.kind);
            let mut data = json!({
                "conversation": fact.conversation,
                "channel": fact.channel,
                "queue": fact.queue,
            });
            if let Some(agent) = &fact.agent {
                data["agent"] = agent_value(agent);
            }
            for (key, value) in details {
                data[key] = value;
            }
            Ok(Event {
                id,
                kind,
                timestamp: rfc3339(fact.at),
                data,
            })
        }
        "presence" => {
            #[derive(serde::Deserialize)]
            struct Changed {
                presence: Presence,
                since: Millis,
            }
            let changed: Changed = serde_json::from_str(body).map_err(parse_error)?;
            let agent = AgentId(subject.clone());
            Ok(Event {
                id,
                kind: "agent.presence_changed",
                timestamp: rfc3339(changed.since),
                data: json!({ "agent": agent_value(&agent), "presence": changed.presence }),
            })
        }
        other => Err(StoreError::Corrupt(format!(
            "webhook event {} has an unknown source {other:?}",
            stored.position
        ))),
    }
}

/// The event type of a fact, and what it adds to the event's data.
fn fact_details(kind: &FactKind) -> (&'static str, Vec<(&'static str, Value)>) {
    let millis = |value: &Millis| json!(value);
    match kind {
        FactKind::Offered => ("conversation.offered", vec![]),
        FactKind::Accepted { waited } => {
            ("conversation.accepted", vec![("waited_ms", json!(waited))])
        }
        FactKind::Rejected => ("conversation.rejected", vec![]),
        FactKind::Rona => ("conversation.offer_expired", vec![]),
        FactKind::Abandoned { waited } => (
            "conversation.abandoned",
            vec![("waited_ms", millis(waited))],
        ),
        FactKind::Transferred { handled } => (
            "conversation.transferred",
            vec![("handled_ms", millis(handled))],
        ),
        FactKind::Escalated { handled } => (
            "conversation.escalated",
            vec![("handled_ms", millis(handled))],
        ),
        FactKind::Ended { wrap_up, handled } => (
            "conversation.ended",
            vec![("wrap_up", json!(wrap_up)), ("handled_ms", json!(handled))],
        ),
        FactKind::WrappedUp { wrap_up } => {
            ("conversation.wrapped_up", vec![("wrap_up", json!(wrap_up))])
        }
        FactKind::Surveyed { rating } => ("survey.answered", vec![("rating", json!(rating))]),
    }
}

/// RFC 3339 with milliseconds always written, so that the texts sort as the times do.
fn rfc3339(at: Millis) -> String {
    jiff::Timestamp::from_millisecond(at as i64)
        .map_or_else(|_| at.to_string(), |instant| format!("{instant:.3}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::EVENT_TYPES;
    use switchboard_protocol::{Channel, ConversationId, QueueId};

    fn stored(source: &str, subject: &str, body: String) -> StoredEvent {
        StoredEvent {
            position: 7,
            event: NewWebhookEvent {
                id: format!("{subject}.x"),
                source: source.into(),
                subject: subject.into(),
                body,
            },
        }
    }

    fn ann(id: &AgentId) -> Option<AgentRef> {
        (id.0 == "a-1").then(|| AgentRef {
            id: id.clone(),
            email: "ann@example.com".into(),
            name: "Ann".into(),
        })
    }

    fn fact(kind: FactKind, agent: Option<&str>) -> StoredEvent {
        let mut fx = Effects::default();
        fx.facts.push(Fact {
            conversation: ConversationId("c-1".into()),
            number: 3,
            at: 1_780_000_000_000,
            queue: QueueId("general".into()),
            channel: Channel::Sms,
            agent: agent.map(|id| AgentId(id.into())),
            kind,
        });
        let [event] = made_by(&fx).try_into().unwrap();
        StoredEvent { position: 7, event }
    }

    #[test]
    fn a_fact_becomes_its_event_with_the_agent_named_and_an_id_of_its_own() {
        let ended = FactKind::Ended {
            wrap_up: Some("Resolved".into()),
            handled: Some(60_000),
        };
        let event = from_stored(&fact(ended, Some("a-1")), ann).unwrap();
        assert_eq!(event.id, "c-1.f3");
        assert_eq!(event.kind, "conversation.ended");
        assert_eq!(event.timestamp, "2026-05-28T20:26:40.000Z");
        assert_eq!(
            event.data,
            json!({
                "conversation": "c-1", "channel": "sms", "queue": "general",
                "agent": {"id": "a-1", "email": "ann@example.com", "name": "Ann"},
                "wrap_up": "Resolved", "handled_ms": 60000,
            })
        );
        let removed = from_stored(&fact(FactKind::Surveyed { rating: 4 }, Some("a-9")), ann);
        let removed = removed.unwrap();
        assert_eq!(removed.kind, "survey.answered");
        assert_eq!(removed.data["agent"], json!({"id": "a-9"}));
        assert_eq!(removed.data["rating"], 4);
    }

    #[test]
    fn every_fact_has_a_documented_event_type() {
        let kinds = [
            FactKind::Offered,
            FactKind::Accepted { waited: None },
            FactKind::Rejected,
            FactKind::Rona,
            FactKind::Abandoned { waited: 1 },
            FactKind::Transferred { handled: 1 },
            FactKind::Escalated { handled: 1 },
            FactKind::Ended {
                wrap_up: None,
                handled: None,
            },
            FactKind::WrappedUp {
                wrap_up: "Resolved".into(),
            },
            FactKind::Surveyed { rating: 5 },
        ];
        for kind in kinds {
            let (event_type, _) = fact_details(&kind);
            assert!(EVENT_TYPES.contains(&event_type), "{event_type}");
        }
    }

    #[test]
    fn a_presence_change_names_its_agent_and_a_bad_row_is_an_error() {
        let mut fx = Effects::default();
        let idle = Presence::Idle {
            reason: "Lunch".into(),
        };
        fx.presences
            .push((AgentId("a-1".into()), idle, 1_780_000_000_000));
        let [made] = made_by(&fx).try_into().unwrap();
        let event = from_stored(
            &StoredEvent {
                position: 1,
                event: made,
            },
            ann,
        )
        .unwrap();
        assert_eq!(event.id, "a-1.p1780000000000");
        assert_eq!(event.kind, "agent.presence_changed");
        assert_eq!(
            event.data["presence"],
            json!({"state": "idle", "reason": "Lunch"})
        );
        assert_eq!(event.data["agent"]["email"], "ann@example.com");
        assert!(from_stored(&stored("presence", "a-1", "{".into()), ann).is_err());
        assert!(from_stored(&stored("queue", "q", "{}".into()), ann).is_err());
    }
}
