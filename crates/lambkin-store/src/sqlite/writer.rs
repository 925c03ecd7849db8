//! The group-commit writer: one thread owns the write connection and turns every write that
//! arrived while the previous commit was being flushed into one transaction and one fsync.
//! Each job runs inside its own savepoint, so a job that fails part-way leaves nothing behind
//! (an event never becomes final without the deliveries it owes) while the rest of the batch
//! commits.

use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::thread;
use std::time::Instant;

use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::oneshot;

use super::counts::Counts;
use crate::{CommitObserver, StoreError};

/// Where the writer reports its commits, once someone asks (`Queue::observe_commits`).
pub(super) type Observer = Arc<OnceLock<Arc<dyn CommitObserver>>>;

/// Runs inside the batch transaction, recording how it moved events between states; returns
/// whether it succeeded (else its savepoint is rolled back) and the answer to deliver once the
/// commit is known.
type Job = Box<dyn FnOnce(&Connection, &mut Counts) -> (bool, Answer) + Send>;
/// Delivers a job's result once the batch's commit outcome is known.
type Answer = Box<dyn FnOnce(Option<&StoreError>) + Send>;

/// Most writes folded into one transaction; bounds commit latency under a flood.
const MAX_BATCH: usize = 8192;

#[derive(Debug)]
pub(super) struct Writer {
    tx: mpsc::Sender<Job>,
}

impl Writer {
    pub(super) fn start(
        conn: Connection,
        counts: Arc<Mutex<Counts>>,
        observer: Observer,
    ) -> Result<Self, StoreError> {
        let (tx, rx) = mpsc::channel::<Job>();
        thread::Builder::new()
            .name("lambkin-store-writer".into())
            .spawn(move || run(conn, rx, &counts, &observer))
            .map_err(|source| StoreError::Open {
                path: "writer thread".into(),
                source,
            })?;
        Ok(Writer { tx })
    }

    /// Runs `f` in the next batch and resolves after that batch is durable.
    pub(super) async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &mut Counts) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel::<Result<T, StoreError>>();
        let job: Job = Box::new(move |conn, delta| {
            let result = f(conn, delta);
            let ok = result.is_ok();
            let answer: Answer = Box::new(move |commit_error: Option<&StoreError>| {
                let outcome = match (commit_error, result) {
                    (Some(e), _) => Err(StoreError::CommitFailed(e.to_string())),
                    (None, r) => r,
                };
                let _ = reply.send(outcome);
            });
            (ok, answer)
        });
        self.tx.send(job).map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }
}

fn run(
    mut conn: Connection,
    rx: mpsc::Receiver<Job>,
    counts: &Mutex<Counts>,
    observer: &OnceLock<Arc<dyn CommitObserver>>,
) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    let mut answers = Vec::with_capacity(MAX_BATCH);
    // Blocks for the first job; ends when every sender (the store) is gone.
    while let Ok(first) = rx.recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut delta = Counts::default();
        let writes = batch.len();
        let started = Instant::now();
        let commit = commit_batch(&mut conn, &mut batch, &mut answers, &mut delta);
        if let Some(o) = observer.get() {
            o.committed(started.elapsed(), writes);
        }
        match &commit {
            Ok(()) => {
                // A panic elsewhere while holding the lock must not freeze the counts.
                counts
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .apply(&delta);
            }
            Err(e) => tracing::error!(error = %e, "group commit failed"),
        }
        for answer in answers.drain(..) {
            answer(commit.as_ref().err());
        }
    }
}

fn commit_batch(
    conn: &mut Connection,
    batch: &mut Vec<Job>,
    answers: &mut Vec<Answer>,
    delta: &mut Counts,
) -> Result<(), StoreError> {
    let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => {
            // Dropping the jobs drops their reply senders: each caller sees the store as failed.
            batch.clear();
            return Err(StoreError::Sqlite(e));
        }
    };
    for job in batch.drain(..) {
        tx.prepare_cached("SAVEPOINT job")?.execute([])?;
        let mut moved = Counts::default();
        let (ok, answer) = job(&tx, &mut moved);
        if ok {
            delta.apply(&moved);
        } else {
            // Undo whatever the failed job wrote before failing; the others are unaffected.
            tx.prepare_cached("ROLLBACK TO job")?.execute([])?;
        }
        tx.prepare_cached("RELEASE job")?.execute([])?;
        answers.push(answer);
    }
    tx.commit().map_err(StoreError::Sqlite)
}
