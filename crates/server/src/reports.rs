//! Reports: the activity of a span of days, per day or per hour in the contact center's time
//! zone, counted from the facts routing recorded (see `routing/facts.rs`) — never from the live
//! model, so the figures hold across restarts and nodes. Pure: the facts are read by the caller.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use switchboard_protocol::reports::{ActivityReport, ActivityRow, ReportPeriod, ReportQuery};
use switchboard_protocol::rules::{MAX_HOURLY_REPORT_DAYS, MAX_REPORT_DAYS};
use switchboard_protocol::{AgentId, Channel, Millis, QueueId};

use crate::routing::{Fact, FactKind};

/// The days a report covers, from `first` to `last` inclusive, divided by `period`.
#[derive(Clone, Debug)]
pub struct Span {
    first: Date,
    last: Date,
    period: ReportPeriod,
    zone: TimeZone,
}

/// Which facts a report counts; each filter left out counts all.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub queue: Option<QueueId>,
    /// An agent's own figures: what was offered to them, what they did (abandons have no agent).
    pub agent: Option<AgentId>,
    pub channel: Option<Channel>,
}

impl Filter {
    fn counts(&self, fact: &Fact) -> bool {
        self.queue.as_ref().is_none_or(|queue| &fact.queue == queue)
            && self.channel.is_none_or(|channel| fact.channel == channel)
            && self
                .agent
                .as_ref()
                .is_none_or(|agent| fact.agent.as_ref() == Some(agent))
    }
}

/// The span and filter `query` asks for (its queue checked against `known_queue`), or why it
/// cannot be reported on.
pub fn read_query(
    query: &ReportQuery,
    zone: TimeZone,
    known_queue: impl Fn(&QueueId) -> bool,
) -> Result<(Span, Filter), String> {
    let date = |name: &str, text: &str| {
        text.parse::<Date>()
            .map_err(|_| format!("{name}={text:?} is not a day (YYYY-MM-DD)."))
    };
    let (first, last) = (date("from", &query.from)?, date("to", &query.to)?);
    let span = Span::new(first, last, query.by, zone)
        .map_err(|problem| format!("Nothing to report: {problem}."))?;
    if let Some(queue) = &query.queue
        && !known_queue(queue)
    {
        return Err(format!("No queue {:?}.", queue.0));
    }
    let filter = Filter {
        queue: query.queue.clone(),
        agent: query.agent.clone(),
        channel: query.channel,
    };
    Ok((span, filter))
}

impl Span {
    /// The span, or why it cannot be reported on.
    pub fn new(
        first: Date,
        last: Date,
        period: ReportPeriod,
        zone: TimeZone,
    ) -> Result<Span, String> {
        let days = (last - first).get_days() + 1;
        let most = match period {
            ReportPeriod::Day => MAX_REPORT_DAYS,
            ReportPeriod::Hour => MAX_HOURLY_REPORT_DAYS,
        };
        if days < 1 {
            return Err(format!(
                "the last day ({last}) comes before the first ({first})"
            ));
        }
        if days > most as i32 {
            let by = match period {
                ReportPeriod::Day => "day by day",
                ReportPeriod::Hour => "hour by hour",
            };
            return Err(format!("a report {by} covers at most {most} days"));
        }
        Ok(Span {
            first,
            last,
            period,
            zone,
        })
    }

    /// Where each period starts, with its label, and where the span ends.
    fn periods(&self) -> (Vec<(Millis, String)>, Millis) {
        let midnight = |date: Date| {
            date.to_zoned(self.zone.clone())
                .expect("a day within a report's span exists in every time zone")
        };
        let millis = |zoned: &jiff::Zoned| zoned.timestamp().as_millisecond() as Millis;
        let end = midnight(
            self.last
                .tomorrow()
                .expect("a report's last day has a next"),
        );
        let mut periods = Vec::new();
        let mut day = self.first;
        while day <= self.last {
            let start = midnight(day);
            let next = midnight(day.tomorrow().expect("checked against the last day"));
            match self.period {
                ReportPeriod::Day => periods.push((millis(&start), day.to_string())),
                ReportPeriod::Hour => {
                    // Counted in elapsed hours: a day when clocks change has 23 or 25 of them.
                    let mut hour = start;
                    while hour < next {
                        periods.push((millis(&hour), hour.strftime("%Y-%m-%dT%H:%M").to_string()));
                        hour = hour
                            .checked_add(jiff::SignedDuration::from_hours(1))
                            .expect("an hour later exists");
                    }
                }
            }
            day = day.tomorrow().expect("checked against the last day");
        }
        (periods, millis(&end))
    }

    /// The instants the span covers: from its first midnight to the midnight after its last day.
    pub fn bounds(&self) -> (Millis, Millis) {
        let (periods, end) = self.periods();
        (periods[0].0, end)
    }

    /// The span's activity, period by period, from `facts` (those outside it are left out).
    pub fn activity(&self, filter: &Filter, facts: &[Fact]) -> ActivityReport {
        let (periods, end) = self.periods();
        let mut rows: Vec<Tally> = periods
            .iter()
            .map(|(start, label)| Tally::new(label.clone(), *start))
            .collect();
        let mut total = Tally::new(format!("{} – {}", self.first, self.last), periods[0].0);
        for fact in facts {
            if fact.at < periods[0].0 || fact.at >= end || !filter.counts(fact) {
                continue;
            }
            let index = periods.partition_point(|(start, _)| *start <= fact.at) - 1;
            rows[index].count(&fact.kind);
            total.count(&fact.kind);
        }
        ActivityReport {
            period: self.period,
            time_zone: self.zone.iana_name().unwrap_or("UTC").to_owned(),
            rows: rows.into_iter().map(Tally::row).collect(),
            total: total.row(),
        }
    }
}

/// A row being counted, with the sums its averages come from.
struct Tally {
    row: ActivityRow,
    answers: Average,
    handling: Average,
    ratings: Average,
}

#[derive(Default)]
struct Average {
    sum: Millis,
    count: u64,
}

impl Average {
    fn add(&mut self, value: Millis) {
        self.sum += value;
        self.count += 1;
    }

    fn value(&self) -> Option<Millis> {
        (self.count > 0).then(|| self.sum / self.count)
    }
}

impl Tally {
    fn new(label: String, start: Millis) -> Tally {
        Tally {
            row: ActivityRow {
                label,
                start,
                wrap_ups: BTreeMap::new(),
                ..ActivityRow::default()
            },
            answers: Average::default(),
            handling: Average::default(),
            ratings: Average::default(),
        }
    }

    fn count(&mut self, kind: &FactKind) {
        let row = &mut self.row;
        let mut wrap_up = |reason: &str| *row.wrap_ups.entry(reason.to_owned()).or_default() += 1;
        match kind {
            FactKind::Offered => row.offered += 1,
            FactKind::Accepted { waited } => {
                row.accepted += 1;
                if let Some(waited) = waited {
                    self.answers.add(*waited);
                }
            }
            FactKind::Rejected => row.rejected += 1,
            FactKind::Rona => row.rona += 1,
            FactKind::Abandoned { .. } => row.abandoned += 1,
            FactKind::Transferred { handled } => {
                row.transferred += 1;
                self.handling.add(*handled);
            }
            FactKind::Escalated { handled } => {
                row.escalated += 1;
                self.handling.add(*handled);
            }
            FactKind::Ended {
                wrap_up: reason,
                handled,
            } => {
                row.ended += 1;
                if let Some(reason) = reason {
                    wrap_up(reason);
                }
                if let Some(handled) = handled {
                    self.handling.add(*handled);
                }
            }
            FactKind::WrappedUp { wrap_up: reason } => wrap_up(reason),
            FactKind::Surveyed { rating } => {
                row.surveys += 1;
                self.ratings.add(u64::from(*rating));
            }
        }
    }

    fn row(self) -> ActivityRow {
        let average_rating =
            (self.ratings.count > 0).then(|| self.ratings.sum as f32 / self.ratings.count as f32);
        ActivityRow {
            average_speed_of_answer: self.answers.value(),
            average_handle_time: self.handling.value(),
            average_rating,
            ..self.row
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use jiff::civil::date;
    use switchboard_protocol::agent::{Customer, PresenceRequest};
    use switchboard_protocol::{ConversationId, Presence};

    use super::*;
    use crate::config::Config;
    use crate::routing::{AgentRecord, ChatRequest, Effects, Router};

    const CONFIG: &str = r#"
        wrap_up_reasons = ["Resolved", "Follow-up"]
        idle_reasons = ["Lunch"]
        [[queues]]
        id = "general"
        name = "General"
        [[queues]]
        id = "billing"
        name = "Billing"
        [workstreams.chat]
        offer_timeout_seconds = 20
        [agents]
        default_capacity = 2
        [[widgets]]
        id = "site"
        queue = "general"
        survey = true
        [reports]
        time_zone = "Europe/Prague"
    "#;

    /// A day at the contact center on a controlled clock, its facts kept as routing records them.
    struct Day {
        router: Router,
        facts: Vec<Fact>,
        zone: TimeZone,
    }

    impl Day {
        /// Ann and Bo Available (Ann idle longest), in the general queue.
        fn new() -> Day {
            let config = Arc::new(Config::parse(CONFIG).unwrap());
            let zone = config.reports.zone();
            let agent = |id: &str| AgentRecord {
                id: AgentId::from(id),
                email: format!("{id}@example.com"),
                name: id.to_owned(),
                password_hash: String::new(),
                queues: vec!["general".into()],
                capacity: None,
                presence: Presence::Offline,
                presence_since: 0,
                role: Default::default(),
            };
            let router = Router::new(config, vec![agent("ann"), agent("bo")], vec![], vec![], 0);
            let mut day = Day {
                router,
                facts: Vec::new(),
                zone,
            };
            for (i, id) in ["ann", "bo"].into_iter().enumerate() {
                day.step(|router, fx| {
                    router.agent_connected(&id.into(), true, i as u64, fx);
                    router
                        .set_presence(&id.into(), PresenceRequest::Available, i as u64, fx)
                        .unwrap();
                });
            }
            day
        }

        /// 2026-12-04 at `hour:minute:second` in Prague.
        fn at(&self, hour: i8, minute: i8, second: i8) -> Millis {
            let zoned = date(2026, 12, 4)
                .at(hour, minute, second, 0)
                .to_zoned(self.zone.clone())
                .unwrap();
            zoned.timestamp().as_millisecond() as Millis
        }

        fn step(&mut self, act: impl FnOnce(&mut Router, &mut Effects)) {
            let mut fx = Effects::default();
            act(&mut self.router, &mut fx);
            self.facts.append(&mut fx.facts);
        }

        fn start(&mut self, id: &str, now: Millis) {
            self.step(|router, fx| {
                let customer = Customer {
                    name: "Zoë".into(),
                    email: None,
                    phone: None,
                };
                let request = ChatRequest {
                    widget: "site",
                    customer,
                    first_message: "Hello",
                    context: Vec::new(),
                    contact: None,
                    customer_id: None,
                    proactive: false,
                    client: None,
                    language: None,
                };
                let id = ConversationId::from(id);
                router
                    .start_chat(id, "token", "hash".into(), request, now, fx)
                    .unwrap();
            });
        }

        fn report(&self, period: ReportPeriod, filter: &Filter) -> ActivityReport {
            let day = date(2026, 12, 4);
            let span = Span::new(day, day, period, self.zone.clone()).unwrap();
            span.activity(filter, &self.facts)
        }
    }

    /// The scripted day: in the nine o'clock hour Ann takes one chat after 10 s and ends it
    /// ten minutes later (its customer gives it 5 stars); Bo rejects the next, Ann lets it expire (RONA) and its customer leaves
    /// after a minute. In the ten o'clock hour Bo takes a chat after 30 s and transfers it to
    /// Billing five minutes later.
    fn scripted_day() -> Day {
        let mut day = Day::new();
        let (ann, bo) = (AgentId::from("ann"), AgentId::from("bo"));
        let (c1, c2, c3) = (
            ConversationId::from("c1"),
            ConversationId::from("c2"),
            ConversationId::from("c3"),
        );
        day.start("c1", day.at(9, 0, 0));
        let now = day.at(9, 0, 10);
        day.step(|router, fx| router.accept(&ann, &c1, now, fx).unwrap());
        day.start("c2", day.at(9, 0, 20));
        let now = day.at(9, 0, 25);
        day.step(|router, fx| router.reject(&bo, &c2, now, fx).unwrap());
        let now = day.at(9, 0, 45);
        day.step(|router, fx| router.tick(now, fx));
        let now = day.at(9, 1, 20);
        day.step(|router, fx| router.customer_end(&c2, now, fx).unwrap());
        let now = day.at(9, 10, 10);
        day.step(|router, fx| router.end(&ann, &c1, "Resolved", now, fx).unwrap());
        let now = day.at(9, 11, 0);
        day.step(|router, fx| router.rate(&c1, 5, "Quick", now, fx).unwrap());

        day.start("c3", day.at(10, 0, 0));
        let now = day.at(10, 0, 30);
        day.step(|router, fx| router.accept(&bo, &c3, now, fx).unwrap());
        let now = day.at(10, 5, 30);
        let billing = QueueId::from("billing");
        day.step(|router, fx| {
            router
                .transfer_to_queue(&bo, &c3, &billing, None, now, fx)
                .unwrap()
        });
        let now = day.at(10, 6, 0);
        day.step(|router, fx| router.end(&bo, &c3, "Follow-up", now, fx).unwrap());
        day
    }

    fn wrap_ups(reasons: &[(&str, u32)]) -> BTreeMap<String, u32> {
        reasons
            .iter()
            .map(|(reason, count)| ((*reason).to_owned(), *count))
            .collect()
    }

    #[test]
    fn a_scripted_day_is_reported_hour_by_hour_as_worked_out_by_hand() {
        let day = scripted_day();
        let report = day.report(ReportPeriod::Hour, &Filter::default());
        assert_eq!(report.time_zone, "Europe/Prague");
        assert_eq!(report.rows.len(), 24);
        assert_eq!(report.rows[9].label, "2026-12-04T09:00");
        assert_eq!(report.rows[9].start, day.at(9, 0, 0));
        let nine = ActivityRow {
            label: "2026-12-04T09:00".into(),
            start: day.at(9, 0, 0),
            // c1 to Ann; c2 to Bo, then to Ann.
            offered: 3,
            accepted: 1,
            rejected: 1,
            rona: 1,
            abandoned: 1,
            ended: 1,
            average_speed_of_answer: Some(10_000),
            average_handle_time: Some(600_000),
            wrap_ups: wrap_ups(&[("Resolved", 1)]),
            surveys: 1,
            average_rating: Some(5.0),
            ..ActivityRow::default()
        };
        assert_eq!(report.rows[9], nine);
        let ten = ActivityRow {
            label: "2026-12-04T10:00".into(),
            start: day.at(10, 0, 0),
            offered: 1,
            accepted: 1,
            transferred: 1,
            average_speed_of_answer: Some(30_000),
            average_handle_time: Some(300_000),
            wrap_ups: wrap_ups(&[("Follow-up", 1)]),
            ..ActivityRow::default()
        };
        assert_eq!(report.rows[10], ten);
        let quiet = report
            .rows
            .iter()
            .enumerate()
            .filter(|(hour, _)| *hour != 9 && *hour != 10);
        for (hour, row) in quiet {
            assert_eq!(row.offered + row.abandoned + row.ended, 0, "hour {hour}");
        }

        let total = ActivityRow {
            label: "2026-12-04 – 2026-12-04".into(),
            start: day.at(0, 0, 0),
            offered: 4,
            accepted: 2,
            rejected: 1,
            rona: 1,
            abandoned: 1,
            transferred: 1,
            ended: 1,
            // (10 s + 30 s) / 2 and (10 min + 5 min) / 2.
            average_speed_of_answer: Some(20_000),
            average_handle_time: Some(450_000),
            wrap_ups: wrap_ups(&[("Follow-up", 1), ("Resolved", 1)]),
            surveys: 1,
            average_rating: Some(5.0),
            ..ActivityRow::default()
        };
        assert_eq!(report.total, total);
        let daily = day.report(ReportPeriod::Day, &Filter::default());
        assert_eq!(daily.rows.len(), 1);
        assert_eq!(daily.rows[0].label, "2026-12-04");
        assert_eq!(
            ActivityRow {
                label: total.label.clone(),
                ..daily.rows[0].clone()
            },
            total
        );
    }

    #[test]
    fn a_report_counts_only_the_agent_queue_or_channel_asked_for() {
        let day = scripted_day();
        let bo = Filter {
            agent: Some(AgentId::from("bo")),
            ..Filter::default()
        };
        let total = day.report(ReportPeriod::Day, &bo).total;
        // c2 and c3 offered to him; he rejected c2, took c3 after 30 s and transferred it.
        assert_eq!(
            (total.offered, total.accepted, total.rejected, total.rona),
            (2, 1, 1, 0)
        );
        assert_eq!((total.transferred, total.abandoned, total.ended), (1, 0, 0));
        assert_eq!(total.average_speed_of_answer, Some(30_000));
        assert_eq!(total.average_handle_time, Some(300_000));
        assert_eq!(total.wrap_ups, wrap_ups(&[("Follow-up", 1)]));

        let sms = Filter {
            channel: Some(Channel::Sms),
            ..Filter::default()
        };
        assert_eq!(day.report(ReportPeriod::Day, &sms).total.offered, 0);
        let general = Filter {
            queue: Some(QueueId::from("general")),
            ..Filter::default()
        };
        assert_eq!(day.report(ReportPeriod::Day, &general).total.offered, 4);
    }

    #[test]
    fn a_chat_is_rated_only_for_half_an_hour_after_it_ends_and_not_if_nobody_took_it() {
        let mut day = Day::new();
        let (ann, c1, c2) = (
            AgentId::from("ann"),
            ConversationId::from("c1"),
            ConversationId::from("c2"),
        );
        day.start("c1", day.at(9, 0, 0));
        let now = day.at(9, 0, 10);
        day.step(|router, fx| router.accept(&ann, &c1, now, fx).unwrap());
        let now = day.at(9, 10, 0);
        day.step(|router, fx| router.end(&ann, &c1, "Resolved", now, fx).unwrap());
        let late = day.at(9, 40, 0);
        day.step(|router, fx| router.tick(late, fx));
        let mut fx = Effects::default();
        let refused = day.router.rate(&c1, 5, "", late, &mut fx).unwrap_err();
        assert_eq!(refused.code, switchboard_protocol::ErrorCode::InvalidState);
        assert!(fx.facts.is_empty());
        // Abandoned before anyone took it: nothing to rate.
        day.start("c2", day.at(10, 0, 0));
        let now = day.at(10, 0, 5);
        day.step(|router, fx| router.customer_end(&c2, now, fx).unwrap());
        assert!(day.router.rate(&c2, 5, "", now, &mut fx).is_err());
    }

    #[test]
    fn a_day_when_clocks_change_has_its_hours_and_spans_are_bounded() {
        let zone = TimeZone::get("Europe/Prague").unwrap();
        // Summer time ends on 2026-10-25: that day has 25 hours, two of them labelled 02:00.
        let autumn = date(2026, 10, 25);
        let span = Span::new(autumn, autumn, ReportPeriod::Hour, zone.clone()).unwrap();
        let report = span.activity(&Filter::default(), &[]);
        assert_eq!(report.rows.len(), 25);
        assert_eq!(report.rows[2].label, "2026-10-25T02:00");
        assert_eq!(report.rows[3].label, "2026-10-25T02:00");
        let (from, to) = span.bounds();
        assert_eq!(to - from, 25 * 3_600_000);

        let refused = |first, last, period| Span::new(first, last, period, zone.clone()).is_err();
        assert!(refused(
            date(2026, 12, 4),
            date(2026, 12, 3),
            ReportPeriod::Day
        ));
        assert!(refused(
            date(2026, 1, 1),
            date(2027, 1, 2),
            ReportPeriod::Day
        ));
        assert!(!refused(
            date(2026, 1, 1),
            date(2026, 12, 31),
            ReportPeriod::Day
        ));
        assert!(refused(
            date(2026, 1, 1),
            date(2026, 2, 1),
            ReportPeriod::Hour
        ));
    }
}
