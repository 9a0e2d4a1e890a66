//! The wire types of Switchboard, version [`PROTOCOL_VERSION`]: JSON frames over WebSocket
//! between the server and agent desktops ([`agent`]) and between the server and the chat widget
//! ([`customer`]). Documented in `docs/protocol.md`; the JSON Schema in
//! `docs/protocol.schema.json` is generated from these types ([`schema`]).
//!
//! Delivery is exactly-once and in order across reconnects: every server→client event carries a
//! per-stream sequence number ([`Seq`]); the client acknowledges what it has applied and, on
//! reconnect, says the last sequence number it saw, and the server replays what followed. Every
//! client→server command carries a client-chosen [`CommandId`]: a retried command is applied once
//! and answered again with the same reply.
//!
//! - [`common`]: identifiers, channels, presence, messages, errors;
//! - [`agent`], [`customer`]: the frames of each side; [`login`]: signing an agent in;
//! - [`rules`]: limits both sides enforce (message length, reserved characters, frame size);
//! - [`template`]: message templates and the parameters an agent's message may carry;
//! - [`reports`]: the figures supervisors are shown, counted from what happened; [`live`]: the
//!   live view of queues and agents they watch;
//! - [`schema`], [`typescript`]: the JSON Schema of the frames, and the TypeScript the window and
//!   the widget are written against, both generated from these types.

pub mod agent;
pub mod common;
pub mod customer;
pub mod live;
pub mod login;
pub mod reports;
pub mod rules;
pub mod schema;
pub mod template;
pub mod typescript;

pub use common::*;

/// The protocol version this crate speaks. A client says which version it speaks in its hello;
/// the server refuses others with [`ErrorCode::UnsupportedVersion`].
pub const PROTOCOL_VERSION: u32 = 1;
