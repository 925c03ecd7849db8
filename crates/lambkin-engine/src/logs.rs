//! Function logs: every line an environment prints (and the platform's START/END/REPORT),
//! timestamped and appended to the function's log, like a CloudWatch log group.
//!
//! A function's log is a folder of segments, `<data>/logs/<function>/<offset>.log`, each named
//! by the byte offset of its first line in the function's whole log, so offsets stay valid
//! across segments and `logs --follow` reads on from one into the next. A segment is closed
//! when it reaches 8 MiB or an eighth of the retention in age; retention then removes whole
//! segments whose last line is older than the retention (`FunctionLogs::prune`).
//!
//! Environments hand lines over without blocking; one writer thread appends them and flushes
//! whenever it has caught up, then announces the new lines. The writer also does the pruning,
//! so no segment it writes to is ever removed under it.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use lambkin_model::{Clock, FunctionName};
use lambkin_sandbox::LogSink;
use tokio::sync::broadcast;

/// A segment is closed at this size.
const SEGMENT_BYTES: u64 = 8 * 1024 * 1024;

#[derive(Debug)]
pub struct FunctionLogs {
    dir: PathBuf,
    clock: Arc<dyn Clock>,
    tx: mpsc::Sender<Message>,
    written: broadcast::Sender<FunctionName>,
}

enum Message {
    Lines(FunctionName, String),
    /// Remove segments whose last line was written before then.
    Prune(SystemTime),
}

/// A slice of a function's log starting at a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogChunk {
    pub text: String,
    pub next_offset: u64,
}

/// A function's segments, oldest first: (offset of the first byte, path).
fn segments(dir: &Path, function: &str) -> std::io::Result<Vec<(u64, PathBuf)>> {
    let folder = dir.join(function);
    // A log written before segments: one file, from offset 0 (also while the writer is moving
    // it into the folder).
    let legacy = || {
        let path = dir.join(format!("{function}.log"));
        if path.is_file() {
            vec![(0, path)]
        } else {
            Vec::new()
        }
    };
    let entries = match std::fs::read_dir(&folder) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(legacy()),
        Err(e) => return Err(e),
    };
    let mut list: Vec<(u64, PathBuf)> = entries
        .filter_map(|e| {
            let path = e.ok()?.path();
            let start = path.file_stem()?.to_str()?.parse().ok()?;
            (path.extension()? == "log").then_some((start, path))
        })
        .collect();
    list.sort_unstable_by_key(|(start, _)| *start);
    if list.is_empty() {
        return Ok(legacy());
    }
    Ok(list)
}

fn segment_path(dir: &Path, function: &str, start: u64) -> PathBuf {
    dir.join(function).join(format!("{start:020}.log"))
}

impl FunctionLogs {
    /// `segment_age`: how long a segment takes lines before the next one starts.
    pub fn open(
        dir: &Path,
        clock: Arc<dyn Clock>,
        segment_age: Duration,
    ) -> std::io::Result<Arc<Self>> {
        std::fs::create_dir_all(dir)?;
        let (tx, rx) = mpsc::channel();
        let (written, _) = broadcast::channel(1024);
        let logs = Arc::new(FunctionLogs {
            dir: dir.to_path_buf(),
            clock,
            tx,
            written: written.clone(),
        });
        let mut writer = Writer {
            dir: dir.to_path_buf(),
            segment_age,
            open: HashMap::new(),
        };
        std::thread::Builder::new()
            .name("lambkin-logs".into())
            .spawn(move || writer.run(&rx, &written))?;
        Ok(logs)
    }

    /// Reads whole lines from `offset` (at most `max` bytes), on across segments. An offset
    /// before the oldest segment (its lines were removed by retention) reads from the oldest.
    pub fn read(
        &self,
        function: &FunctionName,
        offset: u64,
        max: usize,
    ) -> std::io::Result<LogChunk> {
        let segments = segments(&self.dir, function.as_str())?;
        let Some(first) = segments.first() else {
            return Ok(LogChunk {
                text: String::new(),
                next_offset: 0,
            });
        };
        let mut offset = offset.max(first.0);
        let mut i = segments
            .iter()
            .rposition(|(start, _)| *start <= offset)
            .unwrap_or(0);
        let mut text = Vec::new();
        loop {
            let (start, path) = &segments[i];
            let room = max.saturating_sub(text.len());
            let mut buf = Vec::new();
            match File::open(path) {
                Ok(mut file) => {
                    file.seek(SeekFrom::Start(offset - start))?;
                    file.take(room as u64).read_to_end(&mut buf)?;
                }
                // Removed by retention since the listing: go on from the next one.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
            let whole = buf.len() < room;
            // Only complete lines, so a follower never sees half of one.
            let end = buf.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
            text.extend_from_slice(&buf[..end]);
            offset += end as u64;
            match segments.get(i + 1) {
                // Read to the end of a closed segment: the next one starts where it ended.
                Some((next, _)) if whole => {
                    offset = *next;
                    i += 1;
                }
                _ => {
                    return Ok(LogChunk {
                        next_offset: offset,
                        text: String::from_utf8_lossy(&text).into_owned(),
                    });
                }
            }
        }
    }

    /// Announces each function whose log grew.
    pub fn subscribe(&self) -> broadcast::Receiver<FunctionName> {
        self.written.subscribe()
    }

    /// Removes every segment whose last line is older than `before` (done by the writer).
    pub(crate) fn prune(&self, before: SystemTime) {
        let _ = self.tx.send(Message::Prune(before));
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
        let _ = self.tx.send(Message::Lines(function.clone(), text));
    }
}

/// Pause between write batches; log lines reach the file at most this much later.
const BATCH_PAUSE: Duration = Duration::from_millis(1);

/// The segment a function's lines go to now.
struct Segment {
    file: BufWriter<File>,
    start: u64,
    size: u64,
    opened: Instant,
}

struct Writer {
    dir: PathBuf,
    segment_age: Duration,
    open: HashMap<FunctionName, Segment>,
}

impl Writer {
    fn run(&mut self, rx: &mpsc::Receiver<Message>, written: &broadcast::Sender<FunctionName>) {
        let mut dirty: Vec<FunctionName> = Vec::new();
        while let Ok(first) = rx.recv() {
            let mut next = Some(first);
            while let Some(message) = next {
                match message {
                    Message::Lines(function, text) => {
                        self.append(&function, &text);
                        if !dirty.contains(&function) {
                            dirty.push(function);
                        }
                    }
                    Message::Prune(before) => self.prune(before),
                }
                next = rx.try_recv().ok();
            }
            for function in dirty.drain(..) {
                if let Some(s) = self.open.get_mut(&function) {
                    let _ = s.file.flush();
                }
                let _ = written.send(function);
            }
            // Sleeping (rather than blocking on the channel) means senders never have to wake
            // this thread: under load lines pile up for one batch per millisecond instead of a
            // futex wake-up per line; when idle, the next `recv` blocks as usual.
            std::thread::sleep(BATCH_PAUSE);
        }
    }

    fn append(&mut self, function: &FunctionName, text: &str) {
        let full = self
            .open
            .get(function)
            .is_some_and(|s| s.size >= SEGMENT_BYTES || s.opened.elapsed() >= self.segment_age);
        if full {
            // Lines are only ever written whole, so a segment always ends with one.
            if let Some(mut old) = self.open.remove(function) {
                let _ = old.file.flush();
                let next = old.start + old.size;
                self.start_segment(function, next);
            }
        }
        if !self.open.contains_key(function) {
            self.resume(function);
        }
        if let Some(s) = self.open.get_mut(function) {
            let ok = s.file.write_all(text.as_bytes()).is_ok() && s.file.write_all(b"\n").is_ok();
            if ok {
                s.size += text.len() as u64 + 1;
            }
        }
    }

    /// Opens the function's newest segment to append to, or its first one; a log from before
    /// segments becomes the segment at offset 0.
    fn resume(&mut self, function: &FunctionName) {
        let name = function.as_str();
        let folder = self.dir.join(name);
        let legacy = self.dir.join(format!("{name}.log"));
        if !folder.exists() {
            if let Err(e) = std::fs::create_dir_all(&folder) {
                tracing::warn!(error = %e, path = %folder.display(), "cannot create a function log folder");
                return;
            }
            if legacy.is_file() {
                let _ = std::fs::rename(&legacy, segment_path(&self.dir, name, 0));
            }
        }
        let last = segments(&self.dir, name)
            .ok()
            .and_then(|s| s.last().cloned());
        match last {
            Some((start, path)) => {
                let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                // An old segment is not written to again: it would keep old lines past the
                // retention. The next line starts a new one.
                let stale = std::fs::metadata(&path)
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_none_or(|age| age >= self.segment_age);
                if stale || size >= SEGMENT_BYTES {
                    self.start_segment(function, start + size);
                } else {
                    self.open_segment(function, start, &path);
                }
            }
            None => self.start_segment(function, 0),
        }
    }

    fn start_segment(&mut self, function: &FunctionName, start: u64) {
        let path = segment_path(&self.dir, function.as_str(), start);
        self.open_segment(function, start, &path);
    }

    fn open_segment(&mut self, function: &FunctionName, start: u64, path: &Path) {
        match OpenOptions::new().create(true).append(true).open(path) {
            Ok(f) => {
                let size = f.metadata().map(|m| m.len()).unwrap_or(0);
                self.open.insert(
                    function.clone(),
                    Segment {
                        file: BufWriter::new(f),
                        start,
                        size,
                        opened: Instant::now(),
                    },
                );
            }
            Err(e) => {
                tracing::warn!(error = %e, path = %path.display(), "cannot open function log")
            }
        }
    }

    /// Removes segments last written before `before`. The newest segment of a function is
    /// replaced by an empty one at the same offset first, so offsets never go back.
    fn prune(&mut self, before: SystemTime) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let mut functions = Vec::new();
        for e in entries.filter_map(Result::ok) {
            let path = e.path();
            match e.file_type() {
                Ok(t) if t.is_dir() => {
                    if let Some(name) = e.file_name().to_str() {
                        functions.push(name.to_string());
                    }
                }
                // A log from before segments whose function never wrote again.
                Ok(_) if path.extension().is_some_and(|x| x == "log") => {
                    let old = std::fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .is_ok_and(|t| t < before);
                    if old {
                        let _ = std::fs::remove_file(&path);
                    }
                }
                _ => {}
            }
        }
        for name in functions {
            let Ok(list) = segments(&self.dir, &name) else {
                continue;
            };
            let newest = list.len().saturating_sub(1);
            for (i, (start, path)) in list.iter().enumerate() {
                let old = std::fs::metadata(path)
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t < before);
                if !old {
                    continue;
                }
                if i == newest {
                    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
                    if size == 0 {
                        // Already the empty placeholder that keeps the offset: it holds no
                        // lines, and removing it would send the offset back to 0.
                        continue;
                    }
                    if let Ok(function) = FunctionName::parse(&name) {
                        self.open.remove(&function);
                    }
                    let _ = File::create(segment_path(&self.dir, &name, start + size));
                }
                if let Err(e) = std::fs::remove_file(path) {
                    tracing::warn!(error = %e, path = %path.display(), "cannot remove an old log segment");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambkin_model::ManualClock;

    fn wait_for(logs: &FunctionLogs, f: &FunctionName, want: &str) -> LogChunk {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let chunk = logs.read(f, 0, 1 << 20).expect("read");
            if chunk.text.contains(want) {
                return chunk;
            }
            assert!(
                Instant::now() < deadline,
                "log never showed {want:?}: {chunk:?}"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Offsets run on across segments; pruning removes whole old segments, and a read from a
    /// removed offset continues at the oldest line left.
    #[test]
    fn segments_rotate_by_age_and_are_pruned_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let clock = Arc::new(ManualClock::new(lambkin_model::Timestamp(0)));
        let logs = FunctionLogs::open(dir.path(), clock, Duration::from_millis(50)).expect("open");
        let f = FunctionName::parse("f").expect("name");
        logs.append(&f, "first");
        wait_for(&logs, &f, "first");
        std::thread::sleep(Duration::from_millis(60));
        logs.append(&f, "second");
        let both = wait_for(&logs, &f, "second");
        assert!(both.text.contains("first") && both.text.contains("second"));
        let list = segments(dir.path(), "f").expect("segments");
        assert_eq!(
            list.len(),
            2,
            "the second line went to a new segment: {list:?}"
        );
        let second_starts = list[1].0;
        assert_eq!(
            logs.read(&f, second_starts, 1 << 20)
                .expect("read")
                .text
                .trim_end(),
            "1970-01-01T00:00:00.000Z second"
        );

        // Everything written so far is older than this; the newest segment is replaced by an
        // empty one at the offset where it ended.
        std::thread::sleep(Duration::from_millis(20));
        let cutoff = SystemTime::now();
        logs.prune(cutoff);
        logs.append(&f, "third");
        let after = wait_for(&logs, &f, "third");
        assert!(
            !after.text.contains("first") && !after.text.contains("second"),
            "{after:?}"
        );
        let from_zero = logs.read(&f, 0, 1 << 20).expect("read");
        assert_eq!(
            from_zero.text, after.text,
            "a removed offset reads from the oldest left"
        );
        assert_eq!(
            from_zero.next_offset,
            both.next_offset + from_zero.text.len() as u64,
            "offsets never go back"
        );

        // Idle for two retentions: two prunes with nothing written in between still leave the
        // offset where it was.
        std::thread::sleep(Duration::from_millis(20));
        logs.prune(SystemTime::now());
        std::thread::sleep(Duration::from_millis(20));
        logs.prune(SystemTime::now());
        logs.append(&f, "fourth");
        let last = wait_for(&logs, &f, "fourth");
        assert!(!last.text.contains("third"), "{last:?}");
        assert_eq!(
            last.next_offset,
            from_zero.next_offset + last.text.len() as u64,
            "offsets never go back, however long the log was idle"
        );
    }

    #[test]
    fn a_log_from_before_segments_is_read_and_continued() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("old.log"), "x legacy\n").expect("write");
        let clock = Arc::new(ManualClock::new(lambkin_model::Timestamp(0)));
        let logs = FunctionLogs::open(dir.path(), clock, Duration::from_secs(3600)).expect("open");
        let f = FunctionName::parse("old").expect("name");
        assert_eq!(logs.read(&f, 0, 100).expect("read").text, "x legacy\n");
        logs.append(&f, "new");
        let all = wait_for(&logs, &f, "new");
        assert!(all.text.starts_with("x legacy\n"), "{all:?}");
    }
}
