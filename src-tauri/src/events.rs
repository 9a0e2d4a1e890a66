//! The events the shell sends the window, by name (`ui/src/lib/ipc.ts` listens to the same).

/// An update of the desk, in order after its snapshot.
pub(crate) const UPDATE: &str = "desk://update";
/// A conversation to show: a notification or toast was selected in the OS.
pub(crate) const OPEN: &str = "desk://open";
/// Signed out, or signing in as the app started failed: the window offers the form.
pub(crate) const SIGNED_OUT: &str = "desk://signed-out";
/// The desk in full: first after signing in, and whenever the window must redraw.
pub(crate) const SNAPSHOT: &str = "desk://snapshot";
/// Signing in as the app started found no server yet: it tries again shortly.
pub(crate) const WAITING_FOR_SERVER: &str = "desk://waiting-for-server";
