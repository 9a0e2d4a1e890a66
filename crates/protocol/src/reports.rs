//! Reports: what happened, per day or per hour, counted from the facts the server records as it
//! routes (an offer, an acceptance, an end…), for the supervisor's desktop and for other tools
//! (`GET /api/v1/reports/activity`).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{AgentId, Channel, Millis, QueueId};

/// What a report is asked for: the days `from` to `to` (inclusive, `YYYY-MM-DD`, in the server's
/// `[reports] time_zone`), divided `by` day or hour, each filter left out counting all.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct ReportQuery {
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub by: ReportPeriod,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<QueueId>,
    /// An agent's own figures: what was offered to them and what they did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<AgentId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
}

/// A customer's answer to the satisfaction survey.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct SurveyAnswer {
    /// 1 to [`crate::rules::MAX_SURVEY_RATING`] stars.
    pub rating: u8,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
}

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
    /// Satisfaction surveys answered, and their average rating (1 to 5 stars).
    #[serde(default)]
    pub surveys: u32,
    #[serde(default)]
    pub average_rating: Option<f32>,
}

impl ActivityReport {
    /// The report as CSV (RFC 4180): a header, a row per period, then the total; durations in
    /// seconds, wrap-up reasons as `reason: count` joined by `; `.
    pub fn csv(&self) -> String {
        let mut text = String::from(
            "period,offered,accepted,rejected,rona,abandoned,transferred,escalated,ended,\
             average_speed_of_answer_seconds,average_handle_time_seconds,surveys,average_rating,\
             wrap_ups\r\n",
        );
        for row in self.rows.iter().chain([&self.total]) {
            let seconds = |millis: Option<Millis>| {
                millis.map_or(String::new(), |m| format!("{:.1}", m as f64 / 1000.0))
            };
            let wrap_ups: Vec<String> = row
                .wrap_ups
                .iter()
                .map(|(reason, count)| format!("{reason}: {count}"))
                .collect();
            let fields = [
                row.label.clone(),
                row.offered.to_string(),
                row.accepted.to_string(),
                row.rejected.to_string(),
                row.rona.to_string(),
                row.abandoned.to_string(),
                row.transferred.to_string(),
                row.escalated.to_string(),
                row.ended.to_string(),
                seconds(row.average_speed_of_answer),
                seconds(row.average_handle_time),
                row.surveys.to_string(),
                row.average_rating
                    .map_or(String::new(), |rating| format!("{rating:.2}")),
                wrap_ups.join("; "),
            ];
            let fields: Vec<String> = fields.iter().map(|field| csv_field(field)).collect();
            text.push_str(&fields.join(","));
            text.push_str("\r\n");
        }
        text
    }
}

/// A CSV field, quoted when it holds a comma, a quote or a line break. A field that a spreadsheet
/// would read as a formula (starting with `=`, `+`, `-`, `@`) is prefixed with `'`: wrap-up
/// reasons are the administrator's words, but a file opened elsewhere must not run anything.
fn csv_field(field: &str) -> String {
    let field = if field.starts_with(['=', '+', '-', '@']) {
        format!("'{field}")
    } else {
        field.to_owned()
    };
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it_and_keeps_formulas_out() {
        let row = ActivityRow {
            label: "2026-12-04".into(),
            offered: 3,
            accepted: 2,
            average_speed_of_answer: Some(12_345),
            surveys: 2,
            average_rating: Some(4.5),
            wrap_ups: [("Resolved, fully".to_owned(), 2), ("=cmd()".to_owned(), 1)].into(),
            ..ActivityRow::default()
        };
        let report = ActivityReport {
            period: ReportPeriod::Day,
            time_zone: "UTC".into(),
            rows: vec![row.clone()],
            total: ActivityRow {
                label: "2026-12-04 – 2026-12-04".into(),
                ..row
            },
        };
        let csv = report.csv();
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines.len(), 4, "{csv}");
        assert!(lines[0].starts_with("period,offered,"));
        assert_eq!(
            lines[1],
            "2026-12-04,3,2,0,0,0,0,0,0,12.3,,2,4.50,\"'=cmd(): 1; Resolved, fully: 2\""
        );
        assert!(lines[2].starts_with("2026-12-04 – 2026-12-04,3,2,"));
        assert_eq!(lines[3], "");
    }
}
