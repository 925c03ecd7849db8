//! Reading an environment's stdout and stderr line by line into the function's log.
//!
//! Each pipe has a reader task. Before the platform writes an invocation's END line it asks
//! both readers to *flush*: a reader answers once it has consumed everything the kernel holds
//! for its pipe, so output printed before the response always lands before END (and in the
//! `X-Amz-Log-Result` tail), without sleeping.

use std::os::fd::AsRawFd;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lambkin_model::FunctionName;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::sync::{mpsc, oneshot};

use crate::process::pending_bytes;

/// Where an environment's log lines go (the engine writes them to the function's log).
pub trait LogSink: Send + Sync + std::fmt::Debug {
    fn append(&self, function: &FunctionName, line: &str);
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

#[derive(Debug, Clone)]
pub(crate) struct PipeReader {
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
        let (flush_tx, flush_rx) = mpsc::unbounded_channel();
        tokio::spawn(read_lines(pipe, function, sink, capture, flush_rx));
        PipeReader { flush_tx }
    }

    /// Waits (at most `limit`) until everything written to the pipe so far has been logged.
    pub(crate) async fn flush(&self, limit: Duration) {
        let (tx, rx) = oneshot::channel();
        if self.flush_tx.send(tx).is_ok() {
            let _ = tokio::time::timeout(limit, rx).await;
        }
    }
}

async fn read_lines<R>(
    pipe: R,
    function: FunctionName,
    sink: Arc<dyn LogSink>,
    capture: Arc<Capture>,
    mut flush_rx: mpsc::UnboundedReceiver<oneshot::Sender<()>>,
) where
    R: AsyncRead + AsRawFd + Unpin,
{
    let fd = pipe.as_raw_fd();
    let mut reader = BufReader::new(pipe);
    let mut line = Vec::with_capacity(256);
    let mut waiting: Vec<oneshot::Sender<()>> = Vec::new();
    loop {
        if !waiting.is_empty()
            && line.is_empty()
            && reader.buffer().is_empty()
            && pending_bytes(fd) == 0
        {
            for w in waiting.drain(..) {
                let _ = w.send(());
            }
        }
        tokio::select! {
            // read_until keeps partial input in `line` if the other branch wins.
            read = reader.read_until(b'\n', &mut line) => {
                match read {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        if line.last() == Some(&b'\n') {
                            line.pop();
                        }
                        let text = String::from_utf8_lossy(&line);
                        sink.append(&function, &text);
                        capture.push(&text);
                        line.clear();
                    }
                }
            }
            Some(w) = flush_rx.recv() => waiting.push(w),
        }
    }
    if !line.is_empty() {
        let text = String::from_utf8_lossy(&line);
        sink.append(&function, &text);
        capture.push(&text);
    }
    // The pipe is closed: every later flush is trivially complete.
    for w in waiting.drain(..) {
        let _ = w.send(());
    }
    while let Some(w) = flush_rx.recv().await {
        let _ = w.send(());
    }
}
