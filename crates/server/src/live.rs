//! The supervisors' live view: today's figures per queue and agent, counted from the facts
//! routing records (read from the store at start, then as each step is staged), the last hour's
//! trends sampled minute by minute, and what changed since the view was last pushed. Pure: the
//! caller gives `now`, the model's rows and the facts.

use std::collections::{HashMap, VecDeque};

use jiff::tz::TimeZone;
use switchboard_protocol::agent::QueueSummary;
use switchboard_protocol::live::{AgentFigures, LiveConversation, LiveUpdate, QueueFigures};
use switchboard_protocol::{AgentId, ConversationId, Millis, QueueId};

use crate::routing::{AgentNow, Fact, FactKind, QueueNow};

const MINUTE: Millis = 60_000;
/// The trends cover the last hour, one point per minute.
pub const TREND_POINTS: usize = 60;

/// Where today started, in `zone`: the live view's figures count from there.
pub fn start_of_day(zone: &TimeZone, now: Millis) -> Millis {
    let instant = jiff::Timestamp::from_millisecond(now as i64).expect("a time of this era");
    let today = instant.to_zoned(zone.clone()).date();
    let midnight = today
        .to_zoned(zone.clone())
        .expect("every day has a start in every time zone");
    midnight.timestamp().as_millisecond() as Millis
}

/// Today's figures of a queue, as far as facts tell them.
#[derive(Clone, Debug, Default, PartialEq)]
struct QueueToday {
    answered: u32,
    answered_in_target: u32,
    waited: Millis,
    abandoned: u32,
}

/// Today's figures of an agent.
#[derive(Clone, Debug, Default, PartialEq)]
struct AgentToday {
    rona: u32,
    last_ended_at: Option<Millis>,
}

/// Today's facts, counted.
#[derive(Clone, Debug)]
pub struct Today {
    zone: TimeZone,
    day_start: Millis,
    queues: HashMap<QueueId, QueueToday>,
    agents: HashMap<AgentId, AgentToday>,
}

impl Today {
    pub fn new(zone: TimeZone, now: Millis) -> Today {
        Today {
            day_start: start_of_day(&zone, now),
            zone,
            queues: HashMap::new(),
            agents: HashMap::new(),
        }
    }

    pub fn day_start(&self) -> Millis {
        self.day_start
    }

    /// A new day starts every figure from zero; says whether one did.
    pub fn roll(&mut self, now: Millis) -> bool {
        let day_start = start_of_day(&self.zone, now);
        if day_start == self.day_start {
            return false;
        }
        *self = Today::new(self.zone.clone(), now);
        true
    }

    /// Counts `fact`, if it happened today; `target` is the service-level target of its queue.
    pub fn count(&mut self, fact: &Fact, target: Millis) {
        if fact.at < self.day_start {
            return;
        }
        match &fact.kind {
            FactKind::Accepted {
                waited: Some(waited),
            } => {
                let queue = self.queues.entry(fact.queue.clone()).or_default();
                queue.answered += 1;
                queue.answered_in_target += u32::from(*waited <= target);
                queue.waited += waited;
            }
            FactKind::Abandoned { .. } => {
                self.queues.entry(fact.queue.clone()).or_default().abandoned += 1;
            }
            FactKind::Rona => {
                if let Some(agent) = &fact.agent {
                    self.agents.entry(agent.clone()).or_default().rona += 1;
                }
            }
            FactKind::Ended { .. } | FactKind::Transferred { .. } | FactKind::Escalated { .. } => {
                if let Some(agent) = &fact.agent {
                    self.agents.entry(agent.clone()).or_default().last_ended_at = Some(fact.at);
                }
            }
            _ => {}
        }
    }
}

/// The last hour, minute by minute: the most conversations waiting per queue and held per agent.
#[derive(Clone, Debug, Default)]
pub struct Trends {
    /// The minute of the newest point.
    minute: Millis,
    queues: HashMap<QueueId, VecDeque<u32>>,
    agents: HashMap<AgentId, VecDeque<u32>>,
}

impl Trends {
    /// Takes a sample at `now`; says whether any trend changed.
    pub fn sample(&mut self, now: Millis, queues: &[QueueNow], agents: &[AgentNow]) -> bool {
        let minute = now - now % MINUTE;
        let passed = if self.minute == 0 {
            0
        } else {
            ((minute.saturating_sub(self.minute)) / MINUTE) as usize
        };
        let mut changed = self.minute != minute;
        self.minute = minute;
        let mut point = |points: &mut VecDeque<u32>, value: u32| {
            for _ in 0..passed.min(TREND_POINTS) {
                points.push_back(0);
            }
            if points.is_empty() {
                points.push_back(0);
            }
            while points.len() > TREND_POINTS {
                points.pop_front();
            }
            let last = points.back_mut().expect("a point for this minute");
            changed |= value > *last;
            *last = (*last).max(value);
        };
        for queue in queues {
            point(
                self.queues.entry(queue.id.clone()).or_default(),
                queue.waiting,
            );
        }
        for agent in agents {
            let points = self.agents.entry(agent.summary.id.clone()).or_default();
            point(points, agent.held);
        }
        changed
    }

    /// Where the trends' first point would start with a full hour of points.
    pub fn start(&self) -> Millis {
        self.minute
            .saturating_sub((TREND_POINTS as Millis - 1) * MINUTE)
    }

    /// A trend padded to the hour: zeros before its first point.
    fn padded(points: Option<&VecDeque<u32>>) -> Vec<u32> {
        let points: Vec<u32> = points
            .map(|p| p.iter().copied().collect())
            .unwrap_or_default();
        let mut padded = vec![0; TREND_POINTS.saturating_sub(points.len())];
        padded.extend(points);
        padded
    }
}

/// The view as last pushed, to push only what changed.
#[derive(Debug, Default)]
pub struct Pushed {
    queues: HashMap<QueueId, QueueFigures>,
    agents: HashMap<AgentId, AgentFigures>,
    conversations: HashMap<ConversationId, LiveConversation>,
}

/// Everything the view shows now.
#[derive(Debug)]
pub struct View {
    pub at: Millis,
    pub day_start: Millis,
    pub trend_start: Millis,
    pub queues: Vec<QueueFigures>,
    pub agents: Vec<AgentFigures>,
    pub conversations: Vec<LiveConversation>,
}

/// The view now, from the model's rows, today's facts and the trends; `queue` gives a queue's
/// summary and service-level target (seconds).
pub fn view(
    now: Millis,
    queues: Vec<QueueNow>,
    agents: Vec<AgentNow>,
    conversations: Vec<LiveConversation>,
    today: &Today,
    trends: &Trends,
    queue: impl Fn(&QueueId) -> (QueueSummary, u32),
) -> View {
    let queues = queues
        .into_iter()
        .map(|now| {
            let counted = today.queues.get(&now.id).cloned().unwrap_or_default();
            let (summary, target_seconds) = queue(&now.id);
            QueueFigures {
                queue: summary,
                waiting: now.waiting,
                oldest_waiting_since: now.oldest_waiting_since,
                agents: now.staffing,
                target_seconds,
                answered: counted.answered,
                answered_in_target: counted.answered_in_target,
                abandoned: counted.abandoned,
                average_wait: (counted.answered > 0)
                    .then(|| counted.waited / Millis::from(counted.answered)),
                waiting_trend: Trends::padded(trends.queues.get(&now.id)),
            }
        })
        .collect();
    let agents = agents
        .into_iter()
        .map(|now| {
            let counted = today
                .agents
                .get(&now.summary.id)
                .cloned()
                .unwrap_or_default();
            let held_trend = Trends::padded(trends.agents.get(&now.summary.id));
            AgentFigures {
                agent: now.summary,
                connected: now.connected,
                presence: now.presence,
                presence_since: now.presence_since,
                held: now.held,
                capacity: now.capacity,
                rona_today: counted.rona,
                last_ended_at: counted.last_ended_at,
                held_trend,
            }
        })
        .collect();
    View {
        at: now,
        day_start: today.day_start,
        trend_start: trends.start(),
        queues,
        agents,
        conversations,
    }
}

impl Pushed {
    /// What changed since the last push (remembering `view` as pushed); `None` when nothing did.
    pub fn update(&mut self, view: View) -> Option<LiveUpdate> {
        let mut update = LiveUpdate {
            whole: false,
            at: view.at,
            day_start: view.day_start,
            trend_start: view.trend_start,
            ..LiveUpdate::default()
        };
        let mut conversations = HashMap::with_capacity(view.conversations.len());
        for conversation in view.conversations {
            if self.conversations.get(&conversation.id) != Some(&conversation) {
                update.conversations.push(conversation.clone());
            }
            conversations.insert(conversation.id.clone(), conversation);
        }
        update.gone = self
            .conversations
            .keys()
            .filter(|id| !conversations.contains_key(*id))
            .cloned()
            .collect();
        self.conversations = conversations;
        for queue in view.queues {
            if self.queues.get(&queue.queue.id) != Some(&queue) {
                update.queues.push(queue.clone());
            }
            self.queues.insert(queue.queue.id.clone(), queue);
        }
        for agent in view.agents {
            if self.agents.get(&agent.agent.id) != Some(&agent) {
                update.agents.push(agent.clone());
            }
            self.agents.insert(agent.agent.id.clone(), agent);
        }
        let changed = !(update.queues.is_empty()
            && update.agents.is_empty()
            && update.conversations.is_empty()
            && update.gone.is_empty());
        changed.then_some(update)
    }

    /// The view as last pushed, whole: for a supervisor who starts watching.
    pub fn whole(&self, at: Millis, day_start: Millis, trend_start: Millis) -> LiveUpdate {
        LiveUpdate {
            whole: true,
            at,
            day_start,
            trend_start,
            queues: self.queues.values().cloned().collect(),
            agents: self.agents.values().cloned().collect(),
            conversations: self.conversations.values().cloned().collect(),
            gone: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use switchboard_protocol::live::Staffing;
    use switchboard_protocol::{Channel, ConversationId};

    use super::*;

    const NOON: Millis = 1_764_849_600_000; // 2025-12-04T12:00:00Z
    const HOUR: Millis = 3_600_000;

    fn fact(at: Millis, agent: Option<&str>, kind: FactKind) -> Fact {
        Fact {
            conversation: ConversationId("c".into()),
            number: 1,
            at,
            queue: QueueId("general".into()),
            channel: Channel::Chat,
            agent: agent.map(|agent| AgentId(agent.into())),
            kind,
        }
    }

    fn queue(waiting: u32) -> QueueNow {
        QueueNow {
            id: QueueId("general".into()),
            waiting,
            oldest_waiting_since: None,
            staffing: Staffing::default(),
        }
    }

    fn figures(today: &Today, trends: &Trends, now: Millis) -> View {
        view(
            now,
            vec![queue(0)],
            Vec::new(),
            Vec::new(),
            today,
            trends,
            |id| {
                let summary = QueueSummary {
                    id: id.clone(),
                    name: "General".into(),
                    escalation: false,
                };
                (summary, 20)
            },
        )
    }

    #[test]
    fn today_counts_from_midnight_in_the_time_zone_and_starts_again_the_next_day() {
        let prague = TimeZone::get("Europe/Prague").unwrap();
        let mut today = Today::new(prague, NOON);
        // Midnight in Prague is 23:00 UTC the day before.
        assert_eq!(today.day_start(), NOON - 13 * HOUR);
        let target = 20_000;
        for (at, waited) in [(NOON, 5_000), (NOON + 1, 30_000), (NOON - 14 * HOUR, 1_000)] {
            let accepted = FactKind::Accepted {
                waited: Some(waited),
            };
            today.count(&fact(at, Some("ann"), accepted), target);
        }
        let abandoned = FactKind::Abandoned { waited: 9_000 };
        today.count(&fact(NOON, None, abandoned), target);
        today.count(&fact(NOON, Some("ann"), FactKind::Rona), target);
        // A transfer's acceptance did not wait in the queue: not answered from it.
        let transfer = FactKind::Accepted { waited: None };
        today.count(&fact(NOON, Some("bo"), transfer), target);
        let ended = FactKind::Ended {
            wrap_up: None,
            handled: Some(1),
        };
        today.count(&fact(NOON + 2, Some("bo"), ended), target);

        let view = figures(&today, &Trends::default(), NOON + 3);
        let general = &view.queues[0];
        assert_eq!(
            (
                general.answered,
                general.answered_in_target,
                general.abandoned
            ),
            (2, 1, 1),
            "yesterday's acceptance is not today's"
        );
        assert_eq!(general.average_wait, Some(17_500));
        assert_eq!(today.agents[&AgentId("ann".into())].rona, 1);
        assert_eq!(
            today.agents[&AgentId("bo".into())].last_ended_at,
            Some(NOON + 2)
        );
        assert!(!today.roll(NOON + 10 * HOUR));
        assert!(today.roll(NOON + 11 * HOUR));
        let tomorrow = figures(&today, &Trends::default(), NOON + 11 * HOUR);
        assert_eq!(tomorrow.queues[0].answered, 0);
    }

    #[test]
    fn trends_keep_the_most_per_minute_for_an_hour() {
        let mut trends = Trends::default();
        assert!(trends.sample(NOON, &[queue(2)], &[]));
        assert!(trends.sample(NOON + 1_000, &[queue(5)], &[]));
        assert!(
            !trends.sample(NOON + 2_000, &[queue(1)], &[]),
            "the most stays"
        );
        // Three minutes later, with the minutes between at nothing.
        assert!(trends.sample(NOON + 3 * MINUTE, &[queue(1)], &[]));
        let points = Trends::padded(trends.queues.get(&QueueId("general".into())));
        assert_eq!(points.len(), TREND_POINTS);
        assert_eq!(points[TREND_POINTS - 4..], [5, 0, 0, 1]);
        assert_eq!(trends.start(), NOON + 3 * MINUTE - 59 * MINUTE);
        // Two hours on, the hour before is gone.
        trends.sample(NOON + 2 * HOUR, &[queue(0)], &[]);
        let points = Trends::padded(trends.queues.get(&QueueId("general".into())));
        assert!(points.iter().all(|point| *point == 0));
    }

    #[test]
    fn a_push_carries_only_what_changed_since_the_last() {
        let today = Today::new(TimeZone::UTC, NOON);
        let trends = Trends::default();
        let mut pushed = Pushed::default();
        let first = pushed.update(figures(&today, &trends, NOON)).unwrap();
        assert_eq!(first.queues.len(), 1);
        assert!(
            pushed
                .update(figures(&today, &trends, NOON + 100))
                .is_none()
        );
        let whole = pushed.whole(NOON, today.day_start(), trends.start());
        assert!(whole.whole);
        assert_eq!(whole.queues, first.queues);
    }
}
