//! What the server exports for Prometheus (`GET /metrics`, OpenMetrics text): counters and
//! histograms bumped where things happen, gauges set from the routing model every second. Label
//! values are bounded — queues, channels, presences, states and limit names, never a conversation,
//! customer or agent id — so a scrape stays the same size however busy the server is.

use std::sync::LazyLock;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The rate limits' names, as the `limit` label says them.
pub mod limit {
    pub const CHATS_PER_ADDRESS: &str = "chats_per_address";
    pub const CHATS_PER_WIDGET: &str = "chats_per_widget";
    pub const WEBHOOKS_PER_ADDRESS: &str = "webhooks_per_address";
    pub const LOGINS_PER_ADDRESS: &str = "logins_per_address";
    pub const FAILED_LOGINS_PER_ACCOUNT: &str = "failed_logins_per_account";
    pub const ALL: [&str; 5] = [
        CHATS_PER_ADDRESS,
        CHATS_PER_WIDGET,
        WEBHOOKS_PER_ADDRESS,
        LOGINS_PER_ADDRESS,
        FAILED_LOGINS_PER_ACCOUNT,
    ];
}

/// The content type of [`encode`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct QueueLabels {
    pub queue: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct MessageLabels {
    pub channel: &'static str,
    /// `in`: from a customer; `out`: from an agent or the bot to the customer.
    pub direction: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ChannelLabels {
    pub channel: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PresenceLabels {
    pub presence: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ConversationLabels {
    pub queue: String,
    pub state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LimitLabels {
    pub limit: &'static str,
}

/// An event webhook endpoint: as many as the configuration names.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EndpointLabels {
    pub endpoint: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct BuildLabels {
    pub version: &'static str,
}

/// Every metric the server exports.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    pub agents_connected: Gauge,
    pub customers_connected: Gauge,
    pub agents: Family<PresenceLabels, Gauge>,
    pub conversations: Family<ConversationLabels, Gauge>,
    pub waiting_seconds: Family<QueueLabels, Histogram>,
    pub offer_to_accept_seconds: Family<QueueLabels, Histogram>,
    pub messages: Family<MessageLabels, Counter>,
    pub ronas: Family<QueueLabels, Counter>,
    pub commit_seconds: Histogram,
    pub commit_rows: Histogram,
    pub store_lag: Gauge,
    pub courier_queue: Gauge,
    pub provider_failures: Family<ChannelLabels, Counter>,
    pub backlog_drops: Counter,
    pub rate_limited: Family<LimitLabels, Counter>,
    pub live_pushes: Counter,
    pub webhook_deliveries: Family<EndpointLabels, Counter>,
    pub webhook_failures: Family<EndpointLabels, Counter>,
    pub webhook_backlog: Family<EndpointLabels, Gauge>,
}

/// Histogram buckets for durations from 1 ms to about 9 minutes.
fn seconds() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 20))
}

impl Metrics {
    fn new() -> Metrics {
        let mut registry = Registry::with_prefix("switchboard");
        let metrics = Metrics {
            agents_connected: Gauge::default(),
            customers_connected: Gauge::default(),
            agents: Family::default(),
            conversations: Family::default(),
            waiting_seconds: Family::new_with_constructor(seconds),
            offer_to_accept_seconds: Family::new_with_constructor(seconds),
            messages: Family::default(),
            ronas: Family::default(),
            commit_seconds: Histogram::new(exponential_buckets(0.0001, 2.0, 18)),
            commit_rows: Histogram::new(exponential_buckets(1.0, 2.0, 14)),
            store_lag: Gauge::default(),
            courier_queue: Gauge::default(),
            provider_failures: Family::default(),
            backlog_drops: Counter::default(),
            rate_limited: Family::default(),
            live_pushes: Counter::default(),
            webhook_deliveries: Family::default(),
            webhook_failures: Family::default(),
            webhook_backlog: Family::default(),
            registry: Registry::default(),
        };
        let build = Family::<BuildLabels, Gauge>::default();
        build
            .get_or_create(&BuildLabels {
                version: env!("CARGO_PKG_VERSION"),
            })
            .set(1);
        registry.register("build_info", "The server's version", build);
        // Counted from zero, so that a limit never reached reads 0 rather than nothing.
        for limit in limit::ALL {
            let _ = metrics.rate_limited.get_or_create(&LimitLabels { limit });
        }
        for channel in ["sms", "facebook"] {
            let _ = metrics
                .provider_failures
                .get_or_create(&ChannelLabels { channel });
        }
        let m = &metrics;
        for (name, help, metric) in [
            (
                "agents_connected",
                "Agent desktops connected",
                m.agents_connected.clone(),
            ),
            (
                "customers_connected",
                "Chat widgets connected",
                m.customers_connected.clone(),
            ),
            (
                "store_lag_steps",
                "Steps journaled and not yet applied to the embedded database",
                m.store_lag.clone(),
            ),
            (
                "courier_queue",
                "Errands (SMS and Messenger replies, bot turns) waiting for the courier",
                m.courier_queue.clone(),
            ),
        ] {
            registry.register(name, help, metric);
        }
        registry.register("agents", "Agents by presence", m.agents.clone());
        registry.register(
            "conversations",
            "Open conversations by queue and state",
            m.conversations.clone(),
        );
        registry.register(
            "waiting_seconds",
            "How long conversations waited in their queue before an agent accepted",
            m.waiting_seconds.clone(),
        );
        registry.register(
            "offer_to_accept_seconds",
            "From an offer to its acceptance",
            m.offer_to_accept_seconds.clone(),
        );
        registry.register(
            "messages",
            "Messages by channel, from customers (in) and to them (out)",
            m.messages.clone(),
        );
        registry.register(
            "ronas",
            "Offers that expired unanswered (RONA), by queue",
            m.ronas.clone(),
        );
        registry.register(
            "commit_seconds",
            "How long a group of routing steps took to commit",
            m.commit_seconds.clone(),
        );
        registry.register(
            "commit_rows",
            "Rows (messages and events) per committed group",
            m.commit_rows.clone(),
        );
        registry.register(
            "provider_failures",
            "SMS and Messenger calls that failed (retried or reported)",
            m.provider_failures.clone(),
        );
        registry.register(
            "backlog_drops",
            "Connections closed because they fell too far behind (they resume)",
            m.backlog_drops.clone(),
        );
        registry.register(
            "rate_limited",
            "Requests refused by a rate limit, by limit",
            m.rate_limited.clone(),
        );
        registry.register(
            "live_pushes",
            "Pushes of the supervisors' live view",
            m.live_pushes.clone(),
        );
        registry.register(
            "webhook_deliveries",
            "Events an event webhook endpoint acknowledged",
            m.webhook_deliveries.clone(),
        );
        registry.register(
            "webhook_failures",
            "Event deliveries an endpoint refused or did not answer (retried)",
            m.webhook_failures.clone(),
        );
        registry.register(
            "webhook_backlog",
            "Events stored and not yet delivered to an endpoint",
            m.webhook_backlog.clone(),
        );
        Metrics {
            registry,
            ..metrics
        }
    }
}

static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

/// The server's metrics.
pub fn get() -> &'static Metrics {
    &METRICS
}

/// Every metric, in the OpenMetrics text format.
pub fn encode() -> String {
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &get().registry)
        .expect("writing to a string");
    text
}

/// A duration in milliseconds as a histogram's seconds.
pub fn seconds_of(millis: u64) -> f64 {
    millis as f64 / 1000.0
}
