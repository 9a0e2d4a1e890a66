//! A connection's outgoing frames: bounded, so that a client too slow to read them is dropped
//! (it resumes from the outbox) instead of holding the server's memory.

use std::sync::Arc;

use tokio::sync::{Notify, mpsc};

/// Frames queued for one connection before it counts as stuck and is dropped (it resumes).
const CONNECTION_BACKLOG: usize = 4096;

/// A connection's outgoing frames (already serialized), and its alarm for falling behind.
#[derive(Clone, Debug)]
pub struct FrameSender {
    frames: mpsc::Sender<String>,
    stuck: Arc<Notify>,
}

impl FrameSender {
    /// Queues a frame; says whether it was queued. A connection too far behind to take it is told
    /// to close: its client resumes from the outbox, where nothing is missing.
    pub fn try_send(&self, frame: String) -> bool {
        let queued = self.frames.try_send(frame).is_ok();
        if !queued {
            self.stuck.notify_one();
        }
        queued
    }

    /// Tells the connection to close: its client resumes from the outbox.
    pub(super) fn give_up(&self) {
        self.stuck.notify_one();
    }
}

/// The receiving end of a connection's frames, for the task that writes them to the socket.
#[derive(Debug)]
pub struct FrameReceiver {
    pub frames: mpsc::Receiver<String>,
    /// Notified when the connection fell too far behind and must close.
    pub stuck: Arc<Notify>,
}

pub fn connection() -> (FrameSender, FrameReceiver) {
    let (frames, receiver) = mpsc::channel(CONNECTION_BACKLOG);
    let stuck = Arc::new(Notify::new());
    (
        FrameSender {
            frames,
            stuck: stuck.clone(),
        },
        FrameReceiver {
            frames: receiver,
            stuck,
        },
    )
}

/// The connection a stream's events are delivered to as they happen.
#[derive(Debug)]
pub(super) struct Live {
    pub(super) connection: u64,
    pub(super) frames: FrameSender,
}
