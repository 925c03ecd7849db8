//! Reading an environment's stdout and stderr line by line into the function's log.
//!
//! Each pipe has a reader task. Before the platform writes an invocation's END line it makes
//! sure everything the function printed before answering has been logged, so output lands
//! before END (and in the `X-Amz-Log-Result` tail) without sleeping:
//! - if the pipe is empty and the reader holds nothing, there is nothing to wait for (the
//!   common case, checked without waking the reader);
//! - otherwise it asks the reader to *flush*, and the reader answers once it has consumed and
//!   logged everything the kernel held for its pipe.
//!
//! Why the quick check is sound: the function's output was written before its response, so at
//! the check it is either still in the pipe (`FIONREAD > 0`) or already taken by the reader,
//! whose `reading` flag is raised before every read and lowered only when a read finds the pipe
//! empty — that is, after the taken bytes were logged.

use std::os::fd::{AsRawFd, RawFd};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use lambkin_model::FunctionName;
use tokio::io::{AsyncRead, AsyncReadExt, ReadBuf};
use tokio::sync::{mpsc, oneshot};

use crate::process::pending_bytes;

/// Where an environment's log lines go (the engine writes them to the function's log).
pub trait LogSink: Send + Sync + std::fmt::Debug {
    fn append(&self, function: &FunctionName, line: &str);

    /// Several lines at once, in order.
    fn append_lines(&self, function: &FunctionName, lines: &[&str]) {
        for line in lines {
            self.append(function, line);
        }
    }
}

/// Lines of the invocation in progress, kept only when its caller asked for the log tail.
#[derive(Debug, Default)]
pub(crate) struct Capture(Mutex<Option<String>>);

impl Capture {
    pub(crate) fn start(&self) {
        if let Ok(mut c) = self.0.lock() {
            *c = Some(String::new());
        }
    }

    pub(crate) fn push(&self, line: &str) {
        if let Ok(mut c) = self.0.lock()
            && let Some(buf) = c.as_mut()
        {
            buf.push_str(line);
            buf.push('\n');
        }
    }

    pub(crate) fn take(&self) -> Option<String> {
        self.0.lock().ok().and_then(|mut c| c.take())
    }
}

/// One line of platform output (START/END/REPORT) into the log and the capture.
pub(crate) fn emit(sink: &dyn LogSink, capture: &Capture, function: &FunctionName, line: &str) {
    sink.append(function, line);
    capture.push(line);
}

#[derive(Debug, Default)]
struct ReaderState {
    /// Raised before every read of the pipe, lowered when a read finds it empty.
    reading: AtomicBool,
    /// The reader holds the start of a line that has no newline yet.
    holding: AtomicBool,
}

/// The pipe, raising `reading` around each read attempt.
struct Tracked<R> {
    pipe: R,
    state: Arc<ReaderState>,
}

impl<R: AsyncRead + Unpin> AsyncRead for Tracked<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        self.state.reading.store(true, Ordering::SeqCst);
        let polled = Pin::new(&mut self.pipe).poll_read(cx, buf);
        if polled.is_pending() {
            self.state.reading.store(false, Ordering::SeqCst);
        }
        polled
    }
}

#[derive(Debug, Clone)]
pub(crate) struct PipeReader {
    fd: RawFd,
    state: Arc<ReaderState>,
    flush_tx: mpsc::UnboundedSender<oneshot::Sender<()>>,
}

impl PipeReader {
    pub(crate) fn spawn<R>(
        pipe: R,
        function: FunctionName,
        sink: Arc<dyn LogSink>,
        capture: Arc<Capture>,
    ) -> Self
    where
        R: AsyncRead + AsRawFd + Unpin + Send + 'static,
    {
        let fd = pipe.as_raw_fd();
        let state = Arc::new(ReaderState::default());
        let (flush_tx, flush_rx) = mpsc::unbounded_channel();
        let tracked = Tracked {
            pipe,
            state: state.clone(),
        };
        tokio::spawn(read_lines(tracked, fd, function, sink, capture, flush_rx));
        PipeReader {
            fd,
            state,
            flush_tx,
        }
    }

    /// True when nothing written to the pipe so far is still unlogged (see the module doc).
    fn quiet(&self) -> bool {
        pending_bytes(self.fd) == 0
            && !self.state.reading.load(Ordering::SeqCst)
            && !self.state.holding.load(Ordering::SeqCst)
    }

    /// Waits (at most `limit`) until everything written to the pipe so far has been logged.
    pub(crate) async fn flush(&self, limit: Duration) {
        if self.quiet() {
            return;
        }
        let (tx, rx) = oneshot::channel();
        if self.flush_tx.send(tx).is_ok() {
            let _ = tokio::time::timeout(limit, rx).await;
        }
    }
}

fn log_line(sink: &dyn LogSink, capture: &Capture, function: &FunctionName, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    sink.append(function, &text);
    capture.push(&text);
}

async fn read_lines<R>(
    mut pipe: Tracked<R>,
    fd: RawFd,
    function: FunctionName,
    sink: Arc<dyn LogSink>,
    capture: Arc<Capture>,
    mut flush_rx: mpsc::UnboundedReceiver<oneshot::Sender<()>>,
) where
    R: AsyncRead + Unpin,
{
    let state = pipe.state.clone();
    let mut pending: Vec<u8> = Vec::with_capacity(4096);
    let mut chunk = vec![0u8; 16 * 1024];
    let mut waiting: Vec<oneshot::Sender<()>> = Vec::new();
    loop {
        if !waiting.is_empty() && pending_bytes(fd) == 0 {
            // Output printed without a newline before the response still belongs to it.
            if !pending.is_empty() {
                log_line(sink.as_ref(), &capture, &function, &pending);
                pending.clear();
                state.holding.store(false, Ordering::SeqCst);
            }
            for w in waiting.drain(..) {
                let _ = w.send(());
            }
        }
        tokio::select! {
            read = pipe.read(&mut chunk) => {
                let n = match read {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                pending.extend_from_slice(&chunk[..n]);
                let mut start = 0;
                while let Some(i) = pending[start..].iter().position(|b| *b == b'\n') {
                    log_line(sink.as_ref(), &capture, &function, &pending[start..start + i]);
                    start += i + 1;
                }
                pending.drain(..start);
                state.holding.store(!pending.is_empty(), Ordering::SeqCst);
            }
            Some(w) = flush_rx.recv() => waiting.push(w),
        }
    }
    if !pending.is_empty() {
        log_line(sink.as_ref(), &capture, &function, &pending);
    }
    state.holding.store(false, Ordering::SeqCst);
    state.reading.store(false, Ordering::SeqCst);
    // The pipe is closed: every later flush is trivially complete.
    for w in waiting.drain(..) {
        let _ = w.send(());
    }
    while let Some(w) = flush_rx.recv().await {
        let _ = w.send(());
    }
}
