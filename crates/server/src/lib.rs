//! The Switchboard server: receives customer conversations, routes them to agents, stores
//! everything, and serves the chat widget.
//!
//! - [`config`]: the TOML configuration, validated at start;
//! - [`store`]: durable storage behind a trait ([`store::SqliteStore`] embedded by default);
//! - [`contacts`]: the customers the contact center knows, validated, imported, matched;
//! - [`routing`]: presence, queues, offers, RONA and conversations: every routing rule;
//! - [`channels`]: SMS and Messenger webhooks, and the courier delivering replies through them;
//! - [`hub`]: the task that owns routing, commits each step with its events, delivers them;
//! - [`auth`]: passwords, session tokens, identifiers; [`customer_token`]: who a
//!   persistent-chat customer is, as the site signed it;
//! - [`http`] and [`ws`]: the edges (login, health, the agent and customer WebSockets);
//! - [`proactive`]: the invitations a widget shows by itself, and the settings it fetches;
//! - [`assets`]: the embedded chat widget (built from `/widget`) and demo page;
//! - [`server`]: starting and stopping it all; [`admin`]: reaching a running server from its machine.
pub mod admin;
pub mod app;
pub mod assets;
pub mod auth;
pub mod channels;
pub mod clock;
pub mod config;
pub mod contacts;
pub mod customer_token;
pub mod http;
pub mod hub;
pub mod proactive;
pub mod routing;
pub mod server;
pub mod store;
pub mod ws;
