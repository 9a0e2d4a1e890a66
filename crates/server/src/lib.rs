//! The Switchboard server: receives customer conversations, routes them to agents, stores
//! everything, and serves the chat widget.
//!
//! Its modules are layered, each using only those below it (ARCHITECTURE.md; `cargo xtask
//! layers` checks it). From the bottom:
//!
//! - [`clock`], [`phone`] (E.164 numbers), [`auth`]: passwords, session tokens, identifiers;
//!   [`metrics`]: what Prometheus scrapes;
//!   [`masking`]: what of the customers' data is masked before agents see it or it is stored;
//! - [`config`]: the TOML configuration as plain types, validated at start;
//! - [`store`]: durable storage behind a trait ([`store::SqliteStore`] embedded by default,
//!   [`store::PostgresStore`] for several nodes);
//! - [`contacts`]: the customers the contact center knows, validated, imported, matched;
//! - [`routing`]: presence, queues, offers, RONA and conversations: every routing rule;
//! - [`channels`]: the SMS and Messenger providers' APIs, and the courier running errands;
//!   [`events`]: event webhooks, signed, delivered in order at least once;
//! - [`hub`]: the task that owns routing, commits each step with its events, delivers them;
//! - [`customer_token`]: who a persistent-chat customer is, as the site signed it;
//! - [`proactive`]: what a widget is told at start about inviting visitors;
//! - [`reports`]: the figures supervisors are shown, counted from routing's recorded facts;
//!   [`live`]: their live view of queues and agents, with today's figures from the same facts;
//! - [`guard`]: rate limits per client address, widget and account; the client's address;
//! - [`files`]: files sent with messages: their types read from content, their signed links;
//! - [`settings`]: what the admin API changed of the configuration, applied on every node;
//! - [`http`], [`ws`] and [`webhooks`]: the edges (login, health, admin API, the agent and
//!   customer WebSockets, the providers' webhooks);
//! - [`assets`]: the embedded chat widget (built from `/widget`) and demo page;
//! - [`election`]: of several nodes on one PostgreSQL database, the one that routes;
//! - [`reload`]: the configuration file read again on `SIGHUP`;
//! - [`server`]: starting and stopping it all; [`admin`]: reaching a running server from its machine;
//!   [`cli`]: what the command line does to the store itself (the audit log, API keys).
pub mod admin;
pub mod app;
pub mod assets;
pub mod auth;
pub mod channels;
pub mod cli;
pub mod clock;
pub mod config;
pub mod contacts;
pub mod customer_token;
pub mod election;
pub mod events;
pub mod files;
pub mod guard;
pub mod http;
pub mod hub;
pub mod live;
pub mod masking;
pub mod metrics;
pub mod phone;
pub mod private;
pub mod proactive;
pub mod reload;
pub mod reports;
pub mod routing;
pub mod server;
pub mod settings;
pub mod store;
pub mod webhooks;
pub mod ws;
