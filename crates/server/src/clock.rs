//! Wall-clock time in the protocol's unit.

use std::time::{SystemTime, UNIX_EPOCH};

use switchboard_protocol::Millis;

pub fn now() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as Millis)
}
