//! The agent's presence (SPEC §1) as the desktop sees it. The server decides; the desktop asks.
//! RONA only ever comes from the server, and leaving it is the agent's own choice.

use switchboard_protocol::Presence;
use switchboard_protocol::agent::PresenceRequest;

/// A change of presence the desktop may not ask for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PresenceError {
    #[error("You are already {0}.")]
    Unchanged(&'static str),
    #[error("“{0}” is not one of the idle reasons your administrator set up.")]
    UnknownReason(String),
}

fn label(presence: &Presence) -> &'static str {
    match presence {
        Presence::Available => "Available",
        Presence::Idle { .. } => "Idle for that reason",
        Presence::Rona => "in RONA",
        Presence::Offline => "Offline",
    }
}

/// Checks a change the agent asks for against the current state and the configured idle
/// reasons. Every state may go to every other; what is refused is a change to the same state and
/// an idle reason the administrator did not define. No request leads to RONA: the type has none.
pub fn check_request(
    current: &Presence,
    requested: &PresenceRequest,
    idle_reasons: &[String],
) -> Result<(), PresenceError> {
    let unchanged = match (current, requested) {
        (Presence::Available, PresenceRequest::Available)
        | (Presence::Offline, PresenceRequest::Offline) => true,
        (Presence::Idle { reason: now }, PresenceRequest::Idle { reason }) => now == reason,
        _ => false,
    };
    if unchanged {
        return Err(PresenceError::Unchanged(label(current)));
    }
    if let PresenceRequest::Idle { reason } = requested
        && !idle_reasons.iter().any(|known| known == reason)
    {
        return Err(PresenceError::UnknownReason(reason.clone()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons() -> Vec<String> {
        vec!["Lunch".into(), "Meeting".into()]
    }

    fn idle(reason: &str) -> PresenceRequest {
        PresenceRequest::Idle {
            reason: reason.into(),
        }
    }

    #[test]
    fn leaving_rona_is_a_manual_choice_to_any_state() {
        for request in [
            PresenceRequest::Available,
            idle("Lunch"),
            PresenceRequest::Offline,
        ] {
            assert_eq!(check_request(&Presence::Rona, &request, &reasons()), Ok(()));
        }
    }

    #[test]
    fn asking_for_the_current_state_is_refused() {
        assert_eq!(
            check_request(
                &Presence::Available,
                &PresenceRequest::Available,
                &reasons()
            ),
            Err(PresenceError::Unchanged("Available"))
        );
        let lunch = Presence::Idle {
            reason: "Lunch".into(),
        };
        assert!(check_request(&lunch, &idle("Lunch"), &reasons()).is_err());
        assert_eq!(check_request(&lunch, &idle("Meeting"), &reasons()), Ok(()));
    }

    #[test]
    fn idle_needs_a_configured_reason() {
        assert_eq!(
            check_request(&Presence::Available, &idle("Nap"), &reasons()),
            Err(PresenceError::UnknownReason("Nap".into()))
        );
    }
}
