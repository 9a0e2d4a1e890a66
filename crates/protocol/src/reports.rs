//! Reports: what happened, per day or per hour, counted from the facts the server records as it
//! routes (an offer, an acceptance, an end…), for the supervisor's desktop and for other tools
//! (`GET /api/v1/reports/activity`).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Millis;

/// How a report is divided.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReportPeriod {
    #[default]
    Day,
    Hour,
}

/// The activity of a span of days, period by period, with its total.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
pub struct ActivityReport {
    pub period: ReportPeriod,
    /// The time zone the days and hours are counted in (`[reports] time_zone`).
    pub time_zone: String,
    pub rows: Vec<ActivityRow>,
    pub total: ActivityRow,
}

/// The figures of one period (or of the whole span).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
pub struct ActivityRow {
    /// The period's start in the report's time zone: `2026-12-04` or `2026-12-04T09:00`; for the
    /// total, the span's first and last day.
    pub label: String,
    /// The period's start, in milliseconds since the epoch.
    pub start: Millis,
    /// Offers made to agents (from a queue, or a transfer or conference invitation).
    pub offered: u32,
    pub accepted: u32,
    pub rejected: u32,
    /// Offers that expired unanswered.
    pub rona: u32,
    /// Conversations whose customer left before an agent accepted.
    pub abandoned: u32,
    pub transferred: u32,
    pub escalated: u32,
    /// Conversations ended by the agent who held them, or by their customer.
    pub ended: u32,
    /// Average speed of answer: from entering the queue to an agent's acceptance, in
    /// milliseconds (`None` when nothing from a queue was accepted).
    pub average_speed_of_answer: Option<Millis>,
    /// Average handle time: from an agent's acceptance to the end of their part (ended,
    /// transferred or escalated), in milliseconds.
    pub average_handle_time: Option<Millis>,
    /// How often each wrap-up reason was given.
    pub wrap_ups: BTreeMap<String, u32>,
}
