//! Function logs: every line an environment prints (and the platform's START/END/REPORT),
//! timestamped and appended to `<data>/logs/<function>.log`, like a CloudWatch log group.
//!
//! Environments hand lines over without blocking; one writer thread appends them and flushes
//! whenever it has caught up, then announces the new lines so `logs --follow` can wake up.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;

use lambkin_model::{Clock, FunctionName};
use lambkin_sandbox::LogSink;
use tokio::sync::broadcast;

#[derive(Debug)]
pub struct FunctionLogs {
    dir: PathBuf,
    clock: Arc<dyn Clock>,
    tx: mpsc::Sender<(FunctionName, String)>,
    written: broadcast::Sender<FunctionName>,
}

/// A slice of a function's log starting at a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogChunk {
    pub text: String,
    pub next_offset: u64,
}

impl FunctionLogs {
    pub fn open(dir: &Path, clock: Arc<dyn Clock>) -> std::io::Result<Arc<Self>> {
        std::fs::create_dir_all(dir)?;
        let (tx, rx) = mpsc::channel();
        let (written, _) = broadcast::channel(1024);
        let logs = Arc::new(FunctionLogs {
            dir: dir.to_path_buf(),
            clock,
            tx,
            written: written.clone(),
        });
        let dir = dir.to_path_buf();
        std::thread::Builder::new()
            .name("lambkin-logs".into())
            .spawn(move || write_loop(&dir, &rx, &written))?;
        Ok(logs)
    }

    fn path(&self, function: &str) -> PathBuf {
        self.dir.join(format!("{function}.log"))
    }

    /// Reads whole lines from `offset` (at most `max` bytes).
    pub fn read(
        &self,
        function: &FunctionName,
        offset: u64,
        max: usize,
    ) -> std::io::Result<LogChunk> {
        let mut file = match File::open(self.path(function.as_str())) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(LogChunk {
                    text: String::new(),
                    next_offset: 0,
                });
            }
            Err(e) => return Err(e),
        };
        file.seek(SeekFrom::Start(offset))?;
        let mut buf = Vec::new();
        file.take(max as u64).read_to_end(&mut buf)?;
        // Only complete lines, so a follower never sees half of one.
        let end = buf.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        buf.truncate(end);
        Ok(LogChunk {
            next_offset: offset + end as u64,
            text: String::from_utf8_lossy(&buf).into_owned(),
        })
    }

    /// Announces each function whose log grew.
    pub fn subscribe(&self) -> broadcast::Receiver<FunctionName> {
        self.written.subscribe()
    }
}

impl LogSink for FunctionLogs {
    fn append(&self, function: &FunctionName, line: &str) {
        self.append_lines(function, &[line]);
    }

    /// One timestamp and one hand-over to the writer thread for the lot.
    fn append_lines(&self, function: &FunctionName, lines: &[&str]) {
        let ts = self.clock.now().to_iso_millis();
        let mut text = String::with_capacity(lines.iter().map(|l| l.len() + ts.len() + 2).sum());
        for (i, line) in lines.iter().enumerate() {
            if i > 0 {
                text.push('\n');
            }
            text.push_str(&ts);
            text.push(' ');
            text.push_str(line);
        }
        let _ = self.tx.send((function.clone(), text));
    }
}

/// Pause between write batches; log lines reach the file at most this much later.
const BATCH_PAUSE: std::time::Duration = std::time::Duration::from_millis(1);

fn write_loop(
    dir: &Path,
    rx: &mpsc::Receiver<(FunctionName, String)>,
    written: &broadcast::Sender<FunctionName>,
) {
    let mut files: HashMap<FunctionName, BufWriter<File>> = HashMap::new();
    let mut dirty: Vec<FunctionName> = Vec::new();
    while let Ok(first) = rx.recv() {
        let mut next = Some(first);
        while let Some((function, line)) = next {
            if !files.contains_key(&function) {
                let path = dir.join(format!("{function}.log"));
                match OpenOptions::new().create(true).append(true).open(&path) {
                    Ok(f) => {
                        files.insert(function.clone(), BufWriter::new(f));
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, path = %path.display(), "cannot open function log");
                        next = rx.try_recv().ok();
                        continue;
                    }
                }
            }
            if let Some(w) = files.get_mut(&function) {
                let _ = w.write_all(line.as_bytes());
                let _ = w.write_all(b"\n");
            }
            if !dirty.contains(&function) {
                dirty.push(function);
            }
            next = rx.try_recv().ok();
        }
        for function in dirty.drain(..) {
            if let Some(w) = files.get_mut(&function) {
                let _ = w.flush();
            }
            let _ = written.send(function);
        }
        // Sleeping (rather than blocking on the channel) means senders never have to wake this
        // thread: under load lines pile up for one batch per millisecond instead of a futex
        // wake-up per line; when idle, the next `recv` blocks as usual.
        std::thread::sleep(BATCH_PAUSE);
    }
}
