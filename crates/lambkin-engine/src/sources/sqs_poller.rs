//! One enabled mapping's poller: workers that each gather a batch from the queue, invoke the
//! function synchronously with it, and settle it (`batch_result.rs`), scaling with the
//! backlog (`scaling.rs`). The messages of a batch stay in flight (the queue's visibility
//! timeout) while it runs, so a crash mid-batch loses nothing: they come back and run again.
//!
//! A worker waits for its first message on the queue's long-poll signals (a send wakes it),
//! then keeps receiving until the batch is full or the batching window has passed since that
//! first message (with no window: until the queue has nothing more visible now).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use bytes::Bytes;
use lambkin_model::{EventSourceMapping, FunctionRef, Qualifier, Scope, chain_length};
use lambkin_patterns::Pattern;
use lambkin_sqs::{ReceivedMessage, Sqs};
use tokio::sync::watch;
use tokio::time::Instant;

use super::batch_result::{self, Invoked};
use super::records;
use super::scaling::{self, Fill, Scale};
use crate::EngineError;
use crate::accept::{Accept, SyncOptions};
use crate::registry::Registry;

/// How long a worker waits for a first message before it counts the queue as empty (SQS's
/// longest long poll); it then parks again at once, so this only paces the scaling rule.
const FIRST_MESSAGE_WAIT: Duration = Duration::from_secs(20);
/// Pauses after a batch the function could not take, or a queue that cannot be read.
const BACKOFF_START: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(5);

/// What a poller's workers share.
#[derive(Debug)]
pub(crate) struct SqsPoller {
    pub mapping: EventSourceMapping,
    pub filters: Vec<Pattern>,
    pub sqs: Sqs,
    pub accept: Accept,
    pub registry: Arc<Registry>,
    pub scope: Scope,
    /// Set when the mapping is disabled, changed, deleted, or the engine stops.
    pub stop: watch::Receiver<bool>,
    pub workers: AtomicU32,
}

impl SqsPoller {
    /// Starts the first worker.
    pub(crate) fn start(self: Arc<Self>) {
        self.workers.fetch_add(1, Ordering::SeqCst);
        tokio::spawn(self.worker());
    }

    /// A worker's loop as a boxed future: a worker starts others, and the type of a future
    /// that spawns itself cannot be named otherwise.
    fn worker(self: Arc<Self>) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(self.work())
    }

    fn stopped(&self) -> bool {
        *self.stop.borrow()
    }

    async fn work(self: Arc<Self>) {
        let mut backoff = BACKOFF_START;
        while !self.stopped() {
            let fill = match self.one_batch().await {
                Ok(Some(fill)) => {
                    backoff = BACKOFF_START;
                    fill
                }
                // The function could not take the batch, or the queue could not be read:
                // wait before the next try, longer each time.
                Ok(None) | Err(_) => {
                    self.pause(backoff).await;
                    backoff = (backoff * 2).min(BACKOFF_MAX);
                    continue;
                }
            };
            let workers = self.workers.load(Ordering::SeqCst);
            match scaling::after_batch(workers, self.ceiling(), fill) {
                Scale::Grow => {
                    self.workers.fetch_add(1, Ordering::SeqCst);
                    tokio::spawn(self.clone().worker());
                }
                Scale::Keep => {}
                Scale::Shrink => {
                    // Only if no other worker shrank meanwhile: one must stay.
                    let shrunk =
                        self.workers
                            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                                (n > 1).then(|| n - 1)
                            });
                    if shrunk.is_ok() {
                        return;
                    }
                }
            }
        }
        self.workers.fetch_sub(1, Ordering::SeqCst);
    }

    fn ceiling(&self) -> u32 {
        let reserved = self
            .registry
            .get(&self.mapping.function)
            .and_then(|e| e.config.reserved_concurrency);
        scaling::ceiling(self.mapping.maximum_concurrency, reserved)
    }

    async fn pause(&self, d: Duration) {
        let mut stop = self.stop.clone();
        tokio::select! {
            _ = tokio::time::sleep(d) => {}
            _ = stop.wait_for(|s| *s) => {}
        }
    }

    /// Receives until `deadline` unless stopped first (then: nothing).
    async fn receive(
        &self,
        max: u32,
        deadline: Instant,
    ) -> Result<Vec<ReceivedMessage>, lambkin_sqs::SqsError> {
        let mut stop = self.stop.clone();
        tokio::select! {
            got = self.sqs.receive_for_mapping(&self.mapping.event_source_arn, max, deadline) => got,
            _ = stop.wait_for(|s| *s) => Ok(Vec::new()),
        }
    }

    /// Gathers, invokes and settles one batch. `None`: the function did not take it.
    async fn one_batch(&self) -> Result<Option<Fill>, lambkin_sqs::SqsError> {
        let m = &self.mapping;
        let size = m.batch_size as usize;
        let wait_end = Instant::now() + FIRST_MESSAGE_WAIT;
        let mut batch = self.receive(size.min(10) as u32, wait_end).await?;
        if batch.is_empty() {
            // Long before the wait's end: the server is stopping its long polls.
            if Instant::now() + Duration::from_secs(1) < wait_end {
                return Ok(None);
            }
            return Ok(Some(Fill::Empty));
        }
        let window_end =
            Instant::now() + Duration::from_secs(u64::from(m.maximum_batching_window_s));
        while batch.len() < size && !self.stopped() {
            let want = (size - batch.len()).min(10) as u32;
            let more = self.receive(want, window_end).await?;
            if more.is_empty() {
                break;
            }
            batch.extend(more);
        }
        let fill = if batch.len() >= size {
            Fill::Full
        } else {
            Fill::Partial
        };
        Ok(self.deliver(batch).await?.then_some(fill))
    }

    /// Filters, invokes and settles a gathered batch; false if the function did not take it.
    async fn deliver(&self, batch: Vec<ReceivedMessage>) -> Result<bool, lambkin_sqs::SqsError> {
        let m = &self.mapping;
        let arn = m.event_source_arn.as_str();
        let region = self.scope.region.as_str();
        // Messages no filter matches are deleted unseen, as Lambda does.
        let (wanted, filtered): (Vec<&ReceivedMessage>, Vec<&ReceivedMessage>) =
            batch.iter().partition(|msg| {
                self.filters.is_empty() || {
                    let view = records::filter_view(&records::record(msg, arn, region));
                    self.filters.iter().any(|p| p.matches(&view))
                }
            });
        let handles = |ms: &[&ReceivedMessage]| -> Vec<String> {
            ms.iter().map(|msg| msg.receipt_handle.clone()).collect()
        };
        self.sqs.delete_all_by_arn(arn, &handles(&filtered)).await?;
        if wanted.is_empty() {
            return Ok(true);
        }
        let payload = records::event(
            &wanted
                .iter()
                .map(|msg| records::record(msg, arn, region))
                .collect::<Vec<_>>(),
        );
        // The batch continues the longest chain of invocations among its messages (their
        // `AWSTraceHeader`), so a function feeding its own queue is stopped after 16.
        let chain = wanted
            .iter()
            .filter_map(|msg| msg.system_attributes.get("AWSTraceHeader"))
            .map(|h| chain_length(h))
            .max()
            .unwrap_or(0);
        let target = FunctionRef {
            name: m.function.clone(),
            qualifier: m
                .qualifier
                .as_deref()
                .and_then(|q| Qualifier::parse(q).ok()),
        };
        let result = self
            .accept
            .invoke(&target, Bytes::from(payload), SyncOptions::default(), chain)
            .await;
        let invoked = match &result {
            Ok(run) => Invoked::Ran {
                response: &run.payload,
                function_error: run.function_error.is_some(),
            },
            Err(EngineError::Throttled(_)) => Invoked::Throttled,
            Err(e) => {
                tracing::warn!(mapping = %m.uuid, function = %m.function, error = %e, "an event source mapping's batch was not run; its messages return after their visibility timeout");
                Invoked::NotRun
            }
        };
        let ids: Vec<&str> = wanted.iter().map(|msg| msg.message_id.as_str()).collect();
        let settled = batch_result::settle(&ids, invoked, m.report_batch_item_failures);
        let pick = |idx: &[usize]| -> Vec<String> {
            idx.iter()
                .map(|&i| wanted[i].receipt_handle.clone())
                .collect()
        };
        self.sqs
            .delete_all_by_arn(arn, &pick(&settled.delete))
            .await?;
        self.sqs.return_by_arn(arn, &pick(&settled.release)).await?;
        Ok(!matches!(invoked, Invoked::Throttled | Invoked::NotRun))
    }
}
