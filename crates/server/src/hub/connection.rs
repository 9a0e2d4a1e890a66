//! A connection's outgoing frames: bounded, so that a client too slow to read them is dropped
//! (it resumes from the outbox) instead of holding the server's memory.

use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::{Notify, mpsc};

/// Frames queued for one connection before it counts as stuck and is dropped (it resumes).
const CONNECTION_BACKLOG: usize = 4096;

/// A connection's outgoing frames (already serialized), and its alarm for falling behind.
#[derive(Clone, Debug)]
pub struct FrameSender {
    frames: mpsc::Sender<String>,
    end: Arc<End>,
}

/// Why a connection must close: it fell behind, or the server ends it with a last frame (a
/// revoked session).
#[derive(Debug, Default)]
pub struct End {
    notify: Notify,
    last_word: Mutex<Option<String>>,
    /// The stream the connection follows, once the hub attached it (for the logs).
    stream: OnceLock<String>,
}

impl End {
    /// Completes when the connection must close; gives the frame to send before closing, if any.
    pub async fn notified(&self) -> Option<String> {
        self.notify.notified().await;
        self.last_word()
    }

    /// The stream the connection follows (`agent:…`, `customer:<conversation>`), once attached.
    pub fn stream(&self) -> Option<&str> {
        self.stream.get().map(String::as_str)
    }

    /// The frame to send before closing, if the connection was ended with one: asked too when
    /// every sender is gone, since the one that ended it may have been dropped right after.
    pub fn last_word(&self) -> Option<String> {
        self.last_word.lock().expect("never poisoned").take()
    }
}

impl FrameSender {
    /// Queues a frame; says whether it was queued. A connection too far behind to take it is told
    /// to close: its client resumes from the outbox, where nothing is missing.
    pub fn try_send(&self, frame: String) -> bool {
        let queued = self.frames.try_send(frame).is_ok();
        if !queued {
            crate::metrics::get().backlog_drops.inc();
            self.end.notify.notify_one();
        }
        queued
    }

    /// Queues a frame that may be lost (typing) while the connection is well within its backlog;
    /// never a reason to close it. Says whether it was queued.
    pub fn offer(&self, frame: String) -> bool {
        self.frames.capacity() > CONNECTION_BACKLOG / 2 && self.frames.try_send(frame).is_ok()
    }

    /// The connection follows `stream` (a connection follows one).
    pub(super) fn follows(&self, stream: &str) {
        let _ = self.end.stream.set(stream.to_owned());
    }

    /// Whether the connection is gone: nobody reads its frames any more.
    pub fn is_closed(&self) -> bool {
        self.frames.is_closed()
    }

    /// Tells the connection to close: its client resumes from the outbox.
    pub(super) fn give_up(&self) {
        self.end.notify.notify_one();
    }

    /// Closes the connection after `frame`, ahead of anything still queued (an error frame
    /// saying why).
    pub fn close_with(&self, frame: String) {
        *self.end.last_word.lock().expect("never poisoned") = Some(frame);
        self.end.notify.notify_one();
    }
}

/// The receiving end of a connection's frames, for the task that writes them to the socket.
#[derive(Debug)]
pub struct FrameReceiver {
    pub frames: mpsc::Receiver<String>,
    /// Notified when the connection fell too far behind, or is ended, and must close.
    pub end: Arc<End>,
}

pub fn connection() -> (FrameSender, FrameReceiver) {
    let (frames, receiver) = mpsc::channel(CONNECTION_BACKLOG);
    let end = Arc::new(End::default());
    (
        FrameSender {
            frames,
            end: end.clone(),
        },
        FrameReceiver {
            frames: receiver,
            end,
        },
    )
}

/// The connection a stream's events are delivered to as they happen.
#[derive(Debug)]
pub(super) struct Live {
    pub(super) connection: u64,
    pub(super) frames: FrameSender,
}
