//! Accepting connections. Each holds one of `[limits] max_connections` slots for as long as its
//! socket is open, a WebSocket included; past the cap a new connection is answered `503` at once
//! (health checks still `200`) and closed, so that idle sockets cannot exhaust the open files.
//! A request's headers must arrive within `header_timeout_seconds` (the first byte too), and a
//! connection that sends nothing for [`Accepting::silence`] afterwards is closed (WebSockets are
//! pinged more often than that). On shutdown, connections get `shutdown_seconds` to finish;
//! whatever is left then is closed.

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use switchboard_protocol::{ErrorBody, ErrorCode};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;

/// How the server accepts connections.
#[derive(Clone, Copy, Debug)]
pub struct Accepting {
    pub max_connections: usize,
    pub header_timeout: Duration,
    /// A connection silent this long is gone.
    pub silence: Duration,
    pub shutdown_deadline: Duration,
}

/// Connections being told the server is busy, at most: each holds a file for a moment too.
const BUSY_ANSWERS: usize = 64;

/// How long a connection refused for being over the cap gets to say what it wanted.
const BUSY_READ: Duration = Duration::from_secs(1);

/// Serves `router` on `listener` until `shutdown` completes, then drains as [`Accepting`] says.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    accepting: Accepting,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(accepting.max_connections));
    let busy_answers = Arc::new(Semaphore::new(BUSY_ANSWERS));
    let mut builder = Builder::new(TokioExecutor::new()).http1_only();
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(accepting.header_timeout);
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    let mut shutdown = pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of files or memory: the cap should prevent it; waiting a moment lets
                    // connections close instead of spinning on the error.
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        while connections.try_join_next().is_some() {}
        // Chat frames are small and latency matters: without TCP_NODELAY, a frame written right
        // after another waits for the peer's delayed acknowledgement (up to 40 ms).
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY");
        }
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            if let Ok(answering) = busy_answers.clone().try_acquire_owned() {
                tokio::spawn(async move {
                    answer_busy(stream).await;
                    drop(answering);
                });
            }
            continue;
        };
        let service = hyper::service::service_fn({
            let router = router.clone();
            move |mut request: hyper::Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                router.clone().oneshot(request)
            }
        });
        let io = TokioIo::new(Counted {
            stream,
            _slot: slot,
            quiet_until: Box::pin(tokio::time::sleep(accepting.header_timeout)),
            heard_at: None,
            silence: accepting.silence,
        });
        let connection = builder
            .serve_connection_with_upgrades(io, service)
            .into_owned();
        let connection = graceful.watch(connection);
        connections.spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    let left = tokio::time::timeout(accepting.shutdown_deadline, graceful.shutdown()).await;
    if left.is_err() {
        tracing::warn!(
            seconds = accepting.shutdown_deadline.as_secs(),
            "connections still open after the shutdown deadline; closing them"
        );
    }
    connections.shutdown().await;
}

/// Answers a connection over the cap: `503` with the protocol's error body, or `200` to a health
/// check (a load balancer must not take a busy server for a dead one), then closes it.
async fn answer_busy(mut stream: TcpStream) {
    let mut start = [0u8; 64];
    let read = tokio::time::timeout(BUSY_READ, stream.read(&mut start)).await;
    let asked = match read {
        Ok(Ok(n)) => &start[..n],
        _ => &[],
    };
    let response = if asked.starts_with(b"GET /healthz ") {
        "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok"
            .to_owned()
    } else {
        let body = serde_json::to_string(&ErrorBody::new(
            ErrorCode::Busy,
            "The server has as many connections as it can take; try again in a moment.",
        ))
        .expect("an error body serializes");
        format!(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 5\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let _ = tokio::time::timeout(BUSY_READ, async {
        stream.write_all(response.as_bytes()).await?;
        stream.shutdown().await?;
        // Reading what else the client sent before closing keeps the kernel from resetting the
        // connection, which could lose the answer on the way.
        let mut rest = [0u8; 1024];
        while stream.read(&mut rest).await? > 0 {}
        Ok::<_, std::io::Error>(())
    })
    .await;
}

/// A connection's socket, holding its slot until it closes, and closing when the client stays
/// silent past its deadline.
struct Counted {
    stream: TcpStream,
    _slot: OwnedSemaphorePermit,
    /// When the client must have sent something by: the header timeout for the first byte, then
    /// `silence` after the last (moved on lazily, when it fires).
    quiet_until: Pin<Box<Sleep>>,
    /// When the client last sent something: reading only notes the time, the timer is not
    /// touched for every frame.
    heard_at: Option<Instant>,
    silence: Duration,
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.stream).poll_read(cx, buf) {
            Poll::Pending => loop {
                if self.quiet_until.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                // Due: unless the client was heard from since, in which case the deadline
                // moves to a silence after that.
                match self.heard_at.map(|heard| heard + self.silence) {
                    Some(deadline) if deadline > Instant::now() => {
                        self.quiet_until.as_mut().reset(deadline);
                    }
                    _ => return Poll::Ready(Err(std::io::ErrorKind::TimedOut.into())),
                }
            },
            Poll::Ready(Ok(())) if buf.filled().len() > before => {
                self.heard_at = Some(Instant::now());
                Poll::Ready(Ok(()))
            }
            ready => ready,
        }
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}
