//! The supervisors' live view, pushed from the hub: today's facts are counted as each step is
//! staged, the trends sampled every second, and on the hub's tick whatever changed goes to every
//! supervisor watching — batched, so a busy contact center costs one push per tick, not one per
//! event. Outside the outbox (nothing of it is stored or replayed): a supervisor who reconnects
//! asks again and gets the whole view; one whose connection could not take a push gets the whole
//! view with the next.

use std::collections::HashMap;

use switchboard_protocol::agent::{AgentServerFrame, CommandResult, Outcome};
use switchboard_protocol::{AgentId, CommandId, Millis};

use super::stream::Stream;
use super::{Hub, json};
use crate::live::{Pushed, Today, Trends, View, view};
use crate::masking;
use crate::routing::{Fact, Router};
use crate::store::{Store, StoreError};

/// How often the trends are sampled.
const SAMPLE_EVERY: Millis = 1_000;

/// What the hub keeps for the live view.
#[derive(Debug)]
pub(super) struct LiveView {
    /// Supervisors watching, each with whether their last push was lost (they need the whole
    /// view).
    watchers: HashMap<AgentId, bool>,
    today: Today,
    trends: Trends,
    pushed: Pushed,
    /// Something changed since the last push.
    dirty: bool,
    sampled_at: Millis,
}

impl LiveView {
    /// Today's figures so far, from the facts stored.
    pub(super) async fn load(
        router: &Router,
        store: &impl Store,
        now: Millis,
    ) -> Result<LiveView, StoreError> {
        let mut today = Today::new(router.config().reports.zone(), now);
        for fact in store.facts(today.day_start(), now + 1).await? {
            today.count(&fact, service_target(router, &fact));
        }
        Ok(LiveView {
            watchers: HashMap::new(),
            today,
            trends: Trends::default(),
            pushed: Pushed::default(),
            dirty: true,
            sampled_at: 0,
        })
    }

    /// Counts the facts of a step being staged.
    pub(super) fn staged(&mut self, router: &Router, facts: &[Fact], changed: bool) {
        for fact in facts {
            self.today.count(fact, service_target(router, fact));
        }
        self.dirty |= changed;
    }

    /// `agent` is not watching any more (their connection closed, or they were signed out).
    pub(super) fn forget(&mut self, agent: &AgentId) {
        self.watchers.remove(agent);
    }
}

/// The service-level target of the queue `fact` happened in.
fn service_target(router: &Router, fact: &Fact) -> Millis {
    Millis::from(router.config().service_target_seconds(&fact.queue)) * 1000
}

impl<S: Store> Hub<S> {
    /// `agent` starts or stops watching the live view; answered on their connection (a watch
    /// changes nothing routing keeps, so its reply is not stored).
    pub(super) fn watch_live(&mut self, agent: &AgentId, id: CommandId, watch: bool, now: Millis) {
        let outcome = match self.router.check_may_watch_live(agent) {
            Err(error) => Outcome::Error { error },
            Ok(()) => Outcome::Ok {
                result: CommandResult::Done,
            },
        };
        let allowed = matches!(outcome, Outcome::Ok { .. });
        self.send_frame(agent, json(&AgentServerFrame::Reply { id, outcome }));
        if !allowed {
            return;
        }
        if watch {
            // Those watching already get what changed; the newcomer the whole of it.
            self.push_live(now);
            self.live_view.watchers.insert(agent.clone(), true);
            self.push_whole(agent, now);
        } else {
            self.live_view.forget(agent);
        }
    }

    /// On the hub's tick: a new day, a trend sample, and what changed since the last push.
    pub(super) fn tick_live(&mut self, now: Millis) {
        let view = &mut self.live_view;
        view.dirty |= view.today.roll(now);
        let sample = now.saturating_sub(view.sampled_at) >= SAMPLE_EVERY;
        if !sample && (view.watchers.is_empty() || !view.dirty) {
            return;
        }
        if sample {
            view.sampled_at = now;
            let queues = self.router.queues_now();
            let agents = self.router.agents_now();
            view.dirty |= view.trends.sample(now, &queues, &agents);
            self.sample_metrics(&agents);
        }
        if !self.live_view.watchers.is_empty() && self.live_view.dirty {
            self.push_live(now);
        }
    }

    /// The view now, with today's figures and the trends.
    fn live_view_now(&self, now: Millis) -> View {
        let config = self.router.config();
        let mut conversations: Vec<_> = self.router.conversations_now().collect();
        if let Some(masker) = &self.agent_masker {
            for conversation in &mut conversations {
                masking::live_conversation(masker, conversation);
            }
        }
        view(
            now,
            self.router.queues_now(),
            self.router.agents_now(),
            conversations,
            &self.live_view.today,
            &self.live_view.trends,
            |queue| {
                let target = config.service_target_seconds(queue);
                (self.router.queue_summary(queue), target)
            },
        )
    }

    /// Pushes what changed to every supervisor watching (the whole view to one who missed a
    /// push).
    fn push_live(&mut self, now: Millis) {
        let view = self.live_view_now(now);
        self.live_view.dirty = false;
        let Some(update) = self.live_view.pushed.update(view) else {
            return;
        };
        crate::metrics::get().live_pushes.inc();
        let frame = json(&AgentServerFrame::Live { update });
        let watchers: Vec<(AgentId, bool)> = self
            .live_view
            .watchers
            .iter()
            .map(|(agent, lagging)| (agent.clone(), *lagging))
            .collect();
        for (agent, lagging) in watchers {
            if lagging {
                self.push_whole(&agent, now);
            } else if !self.offer_frame(&agent, frame.clone()) {
                self.live_view.watchers.insert(agent, true);
            }
        }
    }

    /// Sends `agent` the whole view as last pushed.
    fn push_whole(&mut self, agent: &AgentId, now: Millis) {
        let view = &self.live_view;
        let day_start = view.today.day_start();
        let trend_start = view.trends.start();
        let update = view.pushed.whole(now, day_start, trend_start);
        let sent = self.offer_frame(agent, json(&AgentServerFrame::Live { update }));
        self.live_view.watchers.insert(agent.clone(), !sent);
    }

    /// Offers a frame that may be lost to `agent`'s connection; says whether it was queued.
    fn offer_frame(&self, agent: &AgentId, frame: String) -> bool {
        self.live
            .get(&Stream::Agent(agent).to_string())
            .is_some_and(|live| live.frames.offer(frame))
    }

    fn send_frame(&self, agent: &AgentId, frame: String) {
        if let Some(live) = self.live.get(&Stream::Agent(agent).to_string()) {
            live.frames.try_send(frame);
        }
    }
}
