//! The metrics the hub keeps up to date: what each staged step did (messages, RONAs, waits, offers
//! accepted), and every second the model's gauges (agents by presence, open conversations by queue
//! and state, connected desktops and widgets).

use std::collections::HashMap;

use switchboard_protocol::live::LiveStage;
use switchboard_protocol::{ConversationId, Millis, Presence, Sender};

use super::Hub;
use super::stream::Stream;
use crate::metrics::{self, ConversationLabels, MessageLabels, PresenceLabels, QueueLabels};
use crate::routing::{AgentNow, Effects, FactKind, Router};
use crate::store::Store;

const PRESENCES: [&str; 4] = ["available", "idle", "rona", "offline"];
const STATES: [&str; 4] = ["waiting", "held", "wrap_up", "parked"];

/// When each pending offer was made, for the time to its acceptance.
#[derive(Debug, Default)]
pub(super) struct Metering {
    offered: HashMap<ConversationId, Millis>,
}

impl Metering {
    /// Counts what a step being staged did.
    pub(super) fn staged(&mut self, router: &Router, fx: &Effects) {
        let metrics = metrics::get();
        for message in &fx.messages {
            let direction = match &message.from {
                Sender::Customer { .. } => "in",
                Sender::Agent { .. } | Sender::Bot { .. } => "out",
                Sender::System | Sender::Note { .. } => continue,
            };
            let channel = router
                .record(&message.conversation)
                .or_else(|| {
                    let created = fx.created.iter().map(|(record, _)| record);
                    created.clone().find(|r| r.id == message.conversation)
                })
                .map(|record| record.channel);
            if let Some(channel) = channel {
                let labels = MessageLabels {
                    channel: channel.as_str(),
                    direction,
                };
                metrics.messages.get_or_create(&labels).inc();
            }
        }
        for fact in &fx.facts {
            let queue = || QueueLabels {
                queue: fact.queue.0.clone(),
            };
            match &fact.kind {
                FactKind::Offered => {
                    self.offered.insert(fact.conversation.clone(), fact.at);
                }
                FactKind::Accepted { waited } => {
                    if let Some(waited) = waited {
                        let seconds = metrics::seconds_of(*waited);
                        metrics
                            .waiting_seconds
                            .get_or_create(&queue())
                            .observe(seconds);
                    }
                    if let Some(offered) = self.offered.remove(&fact.conversation) {
                        let seconds = metrics::seconds_of(fact.at.saturating_sub(offered));
                        let histogram = metrics.offer_to_accept_seconds.get_or_create(&queue());
                        histogram.observe(seconds);
                    }
                }
                FactKind::Rona => {
                    self.offered.remove(&fact.conversation);
                    metrics.ronas.get_or_create(&queue()).inc();
                }
                FactKind::Rejected | FactKind::Abandoned { .. } | FactKind::Ended { .. } => {
                    self.offered.remove(&fact.conversation);
                }
                _ => {}
            }
        }
    }
}

impl<S: Store> Hub<S> {
    /// Sets the model's gauges (`agents`: every agent now, as the trends sampled them).
    pub(super) fn sample_metrics(&self, agents: &[AgentNow]) {
        let metrics = metrics::get();
        for presence in PRESENCES {
            let count = agents
                .iter()
                .filter(|agent| presence_name(&agent.presence) == presence)
                .count();
            let labels = PresenceLabels { presence };
            metrics.agents.get_or_create(&labels).set(count as i64);
        }
        let mut open: HashMap<(String, &'static str), i64> = HashMap::new();
        for conversation in self.router.conversations_now() {
            let state = match conversation.stage {
                LiveStage::Waiting { .. } => "waiting",
                LiveStage::Held { .. } => "held",
                LiveStage::WrapUp { .. } => "wrap_up",
                LiveStage::Parked { .. } => "parked",
            };
            *open.entry((conversation.queue.id.0, state)).or_default() += 1;
        }
        for queue in &self.router.config().queues {
            for state in STATES {
                let count = open.get(&(queue.id.0.clone(), state)).copied();
                let labels = ConversationLabels {
                    queue: queue.id.0.clone(),
                    state,
                };
                metrics
                    .conversations
                    .get_or_create(&labels)
                    .set(count.unwrap_or(0));
            }
        }
        let agents_connected = self.live.keys().filter(|s| Stream::is_agent(s)).count();
        let customers = self.live.len() - agents_connected;
        metrics.agents_connected.set(agents_connected as i64);
        metrics.customers_connected.set(customers as i64);
    }
}

fn presence_name(presence: &Presence) -> &'static str {
    match presence {
        Presence::Available => "available",
        Presence::Idle { .. } => "idle",
        Presence::Rona => "rona",
        Presence::Offline => "offline",
    }
}
