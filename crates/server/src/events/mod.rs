//! Event webhooks: what happens — conversations started, accepted, transferred, ended; messages;
//! survey answers; agents' presence — delivered as signed JSON to the configured endpoints.
//!
//! - `event.rs`: the events a step makes, stored with it, and each as endpoints receive it;
//! - `signature.rs`: the Standard Webhooks signature;
//! - `delivery.rs`: each endpoint's task, in order, at least once, retried with backoff.

mod delivery;
mod event;
mod signature;

pub use delivery::{restart, start};
pub use event::{Event, made_by};
