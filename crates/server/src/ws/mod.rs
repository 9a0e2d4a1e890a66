//! The WebSocket edges: frames in, checked and parsed, handed to the hub; frames out, from the
//! hub. A bad frame gets an error frame and the connection stays up.

pub mod agent;
pub mod customer;
mod files;

use axum::extract::ws::{Message, WebSocket};
use futures_util::stream::SplitStream;
use futures_util::{SinkExt, StreamExt};
use serde::de::DeserializeOwned;
use std::time::Duration;
use switchboard_protocol::rules::MAX_FRAME_BYTES;
use switchboard_protocol::{ErrorBody, ErrorCode, PROTOCOL_VERSION};

use tokio::sync::watch;

use crate::app::App;
use crate::hub::FrameReceiver;
use crate::store::Store;

/// A connection that has not said hello within this time is closed: an open socket costs memory
/// and a file, and a client that means it says hello at once.
pub const HELLO_TIMEOUT: Duration = Duration::from_secs(10);

/// Starting size of each connection's read buffer (it grows for larger frames). Most frames are
/// small; the library's default of 128 KiB per connection would dominate the server's memory.
pub const READ_BUFFER: usize = 4 * 1024;

/// Frames queued together leave in one write up to this size; a larger frame leaves alone.
pub const WRITE_BUFFER: usize = 4 * 1024;

/// Applies the connection settings every WebSocket of the server uses.
pub fn configure(
    upgrade: axum::extract::ws::WebSocketUpgrade,
) -> axum::extract::ws::WebSocketUpgrade {
    upgrade
        // A frame over the protocol's limit is refused as its header arrives, never read whole.
        .max_frame_size(MAX_FRAME_BYTES)
        .max_message_size(MAX_FRAME_BYTES)
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
}

/// How a connection shows it is alive: the server pings it every `ping`; a client that sends
/// nothing, not even the pong, for two pings and a half is gone.
#[derive(Clone, Copy, Debug)]
pub struct Liveness {
    pub ping: Duration,
}

impl Liveness {
    pub fn of(config: &crate::config::Config) -> Liveness {
        Liveness {
            ping: Duration::from_secs(config.server.ping_seconds.into()),
        }
    }

    pub fn silence_limit(self) -> Duration {
        self.ping * 5 / 2
    }
}

/// How long a closing connection gets to take its last frames and the close, when the server
/// stops or ends it: a client that stops reading cannot hold the server.
pub const CLOSING_GRACE: Duration = Duration::from_secs(2);

/// Writes the hub's frames to the socket until either side ends, the server stops, the hub ends
/// the connection, or it falls too far behind; then closes it. Pings the client every
/// [`Liveness::ping`]. Once the server stops, the writer ends within [`CLOSING_GRACE`] even if
/// the client reads nothing.
pub fn spawn_writer(
    mut sink: futures_util::stream::SplitSink<WebSocket, Message>,
    mut outgoing: FrameReceiver,
    shutdown: watch::Receiver<bool>,
    liveness: Liveness,
) -> tokio::task::JoinHandle<()> {
    let mut watching = shutdown.clone();
    let mut shutdown = shutdown;
    tokio::spawn(async move {
        let writing = async {
            let first_ping = tokio::time::Instant::now() + liveness.ping;
            let mut pings = tokio::time::interval_at(first_ping, liveness.ping);
            let last_word = loop {
                tokio::select! {
                    _ = pings.tick() => if sink.send(Message::Ping(Default::default())).await.is_err() { return },
                    frame = outgoing.frames.recv() => match frame {
                        Some(frame) => if write(&mut sink, frame, &mut outgoing).await.is_err() { return },
                        None => break outgoing.end.last_word(),
                    },
                    last_word = outgoing.end.notified() => {
                        if last_word.is_none() {
                            let stream = outgoing.end.stream().unwrap_or("unknown");
                            tracing::warn!(stream, "a connection fell too far behind; closing it (its client resumes)");
                        }
                        break last_word;
                    }
                    () = stopped(&mut shutdown) => break None,
                }
            };
            let _ = tokio::time::timeout(CLOSING_GRACE, async {
                if let Some(frame) = last_word {
                    sink.send(Message::Text(frame.into())).await?;
                }
                sink.send(Message::Close(None)).await
            })
            .await;
        };
        tokio::select! {
            () = writing => {}
            () = async {
                stopped(&mut watching).await;
                tokio::time::sleep(CLOSING_GRACE).await;
            } => tracing::info!("a client read nothing while the server stopped; dropping it"),
        }
    })
}

/// Writes `first` and the frames queued behind it, in as few writes to the socket as they fit
/// (a step's event and its reply usually go together), then flushes.
async fn write(
    sink: &mut futures_util::stream::SplitSink<WebSocket, Message>,
    first: String,
    outgoing: &mut FrameReceiver,
) -> Result<(), axum::Error> {
    sink.feed(Message::Text(first.into())).await?;
    while let Ok(frame) = outgoing.frames.try_recv() {
        sink.feed(Message::Text(frame.into())).await?;
    }
    sink.flush().await
}

/// Completes when the server starts shutting down.
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    loop {
        if *shutdown.borrow_and_update() {
            return;
        }
        if shutdown.changed().await.is_err() {
            // The server is gone without saying: nothing will ever ask to stop.
            std::future::pending::<()>().await;
        }
    }
}

/// What a read from a client gave.
enum Read<T> {
    Frame(T),
    /// A frame that cannot be used; the connection stays up.
    Refused(ErrorBody),
    /// A frame the connection cannot go on after (larger than the limit): the error is the
    /// last thing sent.
    Fatal(ErrorBody),
}

/// The next client frame; `None` when the connection ended, or stayed silent (pongs included)
/// past the liveness limit.
async fn next_frame<T: DeserializeOwned>(
    stream: &mut SplitStream<WebSocket>,
    liveness: Liveness,
) -> Option<Read<T>> {
    loop {
        let Ok(next) = tokio::time::timeout(liveness.silence_limit(), stream.next()).await else {
            tracing::info!("a connection stayed silent through two pings; closing it");
            return None;
        };
        let text = match next? {
            Ok(Message::Text(text)) => text,
            Ok(Message::Binary(_)) => {
                return Some(Read::Refused(ErrorBody::new(
                    ErrorCode::MalformedFrame,
                    "Frames are JSON text, not binary.",
                )));
            }
            Ok(Message::Ping(_) | Message::Pong(_)) => continue,
            Ok(Message::Close(_)) => return None,
            // The library reports a frame over its limit as a capacity error ("Space limit
            // exceeded"), before reading the payload; the stream cannot go on after it.
            Err(error) if error.to_string().starts_with("Space limit exceeded") => {
                return Some(Read::Fatal(ErrorBody::new(
                    ErrorCode::FrameTooLarge,
                    format!(
                        "The frame is larger than the {MAX_FRAME_BYTES} bytes accepted; the connection is closed."
                    ),
                )));
            }
            Err(_) => return None,
        };
        return Some(match serde_json::from_str(&text) {
            Ok(frame) => Read::Frame(frame),
            Err(e) => Read::Refused(ErrorBody::new(
                ErrorCode::MalformedFrame,
                format!("The frame could not be read: {e}."),
            )),
        });
    }
}

/// The next frame that could be read, answering each one that could not with an error frame
/// (the connection stays up unless the frame was too large); `None` when the connection ended.
pub async fn next_readable<T: DeserializeOwned>(
    stream: &mut SplitStream<WebSocket>,
    frames: &crate::hub::FrameSender,
    liveness: Liveness,
) -> Option<T> {
    loop {
        match next_frame(stream, liveness).await? {
            Read::Frame(frame) => return Some(frame),
            Read::Refused(error) => {
                frames.try_send(error_frame(&error));
            }
            Read::Fatal(error) => {
                frames.try_send(error_frame(&error));
                return None;
            }
        }
    }
}

/// [`next_readable`], but a connection that has not said hello within [`HELLO_TIMEOUT`] is
/// told so and ends.
pub async fn next_readable_by<T: DeserializeOwned>(
    greeted: bool,
    stream: &mut SplitStream<WebSocket>,
    frames: &crate::hub::FrameSender,
    liveness: Liveness,
) -> Option<T> {
    let next = next_readable(stream, frames, liveness);
    if greeted {
        return next.await;
    }
    match tokio::time::timeout(HELLO_TIMEOUT, next).await {
        Ok(frame) => frame,
        Err(_) => {
            frames.try_send(error_frame(&ErrorBody::new(
                ErrorCode::OutOfOrder,
                format!(
                    "No hello within {} seconds; the connection is closed.",
                    HELLO_TIMEOUT.as_secs()
                ),
            )));
            None
        }
    }
}

/// Whether a hello's protocol version is the one this server speaks.
pub fn check_version(protocol: u32) -> Result<(), ErrorBody> {
    if protocol == PROTOCOL_VERSION {
        return Ok(());
    }
    Err(ErrorBody::new(
        ErrorCode::UnsupportedVersion,
        format!("This server speaks protocol version {PROTOCOL_VERSION}, not {protocol}."),
    ))
}

/// An error frame, in the shape both sides use (`{"type":"error","error":{…}}`).
/// Why a command cannot be taken now: the store is out of reach (PostgreSQL restarting), or this
/// node is changing the node it forwards to. Refused at once with `unavailable` — nothing is
/// applied, and the client retries — rather than left waiting.
pub fn not_taking_commands<S: Store>(app: &App<S>) -> Option<ErrorBody> {
    let problem = match app.store.accepting() {
        Err(failure) => format!("The server cannot store anything now ({failure})"),
        Ok(()) => app.hub.problem()?,
    };
    Some(ErrorBody::new(
        ErrorCode::Unavailable,
        format!("{problem}. Nothing was applied; try again in a moment."),
    ))
}

pub fn error_frame(error: &ErrorBody) -> String {
    serde_json::json!({ "type": "error", "error": error }).to_string()
}
