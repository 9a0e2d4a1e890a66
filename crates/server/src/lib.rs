//! The Switchboard server: receives customer conversations, routes them to agents, stores
//! everything, and serves the chat widget.
//!
//! - [`config`]: the TOML configuration, validated at start;
//! - [`store`]: durable storage behind a trait ([`store::SqliteStore`] embedded by default);
//! - [`routing`]: presence, queues, offers, RONA and conversations: every routing rule;
pub mod config;
pub mod routing;
pub mod store;
