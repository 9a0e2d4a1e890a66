//! What one run measured, and how it is printed: every figure, and the server's as multiples of
//! the relay's.

use std::time::Duration;

use crate::Args;

/// The `p` quantile of `sorted` microseconds, in milliseconds.
pub(crate) fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index] as f64 / 1000.0
}

/// Everything one run measured.
pub(crate) struct Figures {
    pub(crate) start_up: Duration,
    pub(crate) restart_after_kill: Option<(Duration, u64)>,
    pub(crate) routing_seconds: f64,
    pub(crate) messages: u64,
    /// Messages sent in the steady phase: each should be delivered once.
    pub(crate) sent: u64,
    /// Connections the server ended before the run did.
    pub(crate) ended: u64,
    /// Commands the server refused, and the first refusal.
    pub(crate) refused: Option<(u64, String)>,
    pub(crate) steady_seconds: f64,
    pub(crate) cpu: f64,
    pub(crate) own_cpu: f64,
    pub(crate) to_agent: Vec<u64>,
    pub(crate) to_customer: Vec<u64>,
    pub(crate) rss_start: u64,
    pub(crate) rss_signed_in: u64,
    /// With the first half of the agents connected: the second half's growth is what one more
    /// idle connection costs, apart from what sign-ins and first connections leave behind.
    pub(crate) rss_half_agents: u64,
    pub(crate) rss_idle_agents: u64,
    pub(crate) rss_conversations: u64,
    pub(crate) rss_end: u64,
    /// Bytes written with system calls, and those that reached storage, in the steady phase.
    pub(crate) written: (u64, u64),
    /// Bytes in the data directory at the end.
    pub(crate) stored: u64,
    /// With a supervisor watching: the delays from agents' changes to the view (µs), and the
    /// view's pushes (bytes, count).
    pub(crate) live: Option<(Vec<u64>, u64, u64)>,
    /// The server's `/metrics` at the end of the steady phase, read by Prometheus's own parser: what
    /// it says, or why it could not be read.
    pub(crate) scraped: Option<String>,
    /// With `--event-webhooks`: the events the endpoint received in the steady phase.
    pub(crate) events: Option<u64>,
}

pub(crate) fn print(name: &str, figures: &Figures, args: &Args) {
    println!("{name}:");
    let f = figures;
    println!("  start-up: {} ms", f.start_up.as_millis());
    if let Some((after_kill, messages)) = f.restart_after_kill {
        println!(
            "  start-up after a kill, with the run's {messages} messages stored: {} ms",
            after_kill.as_millis()
        );
    }
    println!(
        "  routing: {} conversations accepted in {:.2} s = {:.0} conversations/s",
        args.conversations,
        f.routing_seconds,
        args.conversations as f64 / f.routing_seconds
    );
    println!(
        "  messages: {} of {} sent delivered in {:.1} s = {:.0} messages/s (both directions); \
         CPU: {:.0}% of one core, over {} node(s) (load generator {:.0}%)",
        f.messages,
        f.sent,
        f.steady_seconds,
        f.messages as f64 / f.steady_seconds,
        f.cpu * 100.0,
        args.nodes,
        f.own_cpu * 100.0
    );
    if f.ended > 0 {
        println!("  connections the server ended during the run: {}", f.ended);
    }
    if let Some((refused, first)) = &f.refused {
        println!("  commands the server refused: {refused}, the first with {first}");
    }
    for (direction, sorted) in [
        ("customer→agent", &f.to_agent),
        ("agent→customer", &f.to_customer),
    ] {
        println!(
            "  latency {direction}: p50 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms ({} samples)",
            percentile(sorted, 0.50),
            percentile(sorted, 0.99),
            percentile(sorted, 0.999),
            sorted.len()
        );
    }
    if let Some((delays, bytes, pushes)) = &f.live {
        println!(
            "  live view: {} agents' changes reached the supervisor's view in p50 {:.1} ms, p99 {:.1} ms, \
             longest {:.1} ms; {pushes} pushes in the steady phase ({:.1} KB/s)",
            delays.len(),
            percentile(delays, 0.50),
            percentile(delays, 0.99),
            percentile(delays, 1.0),
            *bytes as f64 / 1000.0 / f.steady_seconds
        );
    }
    if let Some(events) = f.events {
        println!(
            "  event webhooks: {events} events received in the steady phase ({:.0}/s)",
            events as f64 / f.steady_seconds
        );
    }
    if let Some(scraped) = &f.scraped {
        println!("  metrics: {scraped}");
    }
    let per_message = |bytes: u64| bytes as f64 / f.messages.max(1) as f64;
    println!(
        "  written: {:.0} bytes per delivered message ({:.0} reaching storage); stored: {:.0} bytes \
         per message ({:.1} MiB)",
        per_message(f.written.0),
        per_message(f.written.1),
        per_message(f.stored),
        f.stored as f64 / (1024.0 * 1024.0)
    );
    let per =
        |more: u64, less: u64, count: usize| more.saturating_sub(less) as f64 / count.max(1) as f64;
    println!(
        "  memory (RSS): {:.1} MiB started, {:.1} MiB signed in, {:.1} MiB with {} idle agent connections \
         ({:.1} KiB each, measured over the second half), {:.1} MiB with {} conversations ({:.1} KiB each, with its customer's \
         connection), {:.1} MiB at the end",
        f.rss_start as f64 / 1024.0,
        f.rss_signed_in as f64 / 1024.0,
        f.rss_idle_agents as f64 / 1024.0,
        args.agents,
        per(
            f.rss_idle_agents,
            f.rss_half_agents,
            args.agents - args.agents / 2
        ),
        f.rss_conversations as f64 / 1024.0,
        args.conversations,
        per(f.rss_conversations, f.rss_idle_agents, args.conversations),
        f.rss_end as f64 / 1024.0
    );
}

/// The server's figures as multiples of the relay's.
pub(crate) fn print_ratios(server: &Figures, relay: &Figures) {
    println!("server ÷ relay:");
    for (direction, ours, floor) in [
        ("customer→agent", &server.to_agent, &relay.to_agent),
        ("agent→customer", &server.to_customer, &relay.to_customer),
    ] {
        let ratio = |p: f64| percentile(ours, p) / percentile(floor, p);
        println!(
            "  latency {direction}: p50 {:.1}×, p99 {:.1}×, p99.9 {:.1}×",
            ratio(0.50),
            ratio(0.99),
            ratio(0.999)
        );
    }
    println!(
        "  CPU: {:.1}×; routing: {:.1}× as long",
        server.cpu / relay.cpu,
        server.routing_seconds / relay.routing_seconds
    );
}
