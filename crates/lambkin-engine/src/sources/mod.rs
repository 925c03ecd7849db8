//! Event sources: the pollers of SQS event source mappings, and their settling.
//!
//! The control plane (`control/event_source_mappings.rs`) writes a mapping in a transient
//! state (`Creating`, `Enabling`, `Disabling`, `Updating`, `Deleting`) and tells [`Sources`].
//! One settling task takes those notices in order: it reads the mapping as stored, starts,
//! restarts or stops its poller (`sqs_poller.rs`), then stores the state it settled in
//! (`MappingState::settled`: `Enabled`, `Disabled`) or removes it (`Deleting`). At start every
//! stored mapping is settled the same way, so an enabled mapping polls again after a restart
//! and one whose deletion was cut off by a crash is removed.
//!
//! - `settings.rs`: the request's members and AWS's checks and messages;
//! - `records.rs`: the `{"Records":[…]}` event and what filters match against;
//! - `batch_result.rs`: the pure rule from the function's answer to deletes and returns;
//! - `scaling.rs`: the pure rule for how many batches run at once.

mod batch_result;
mod records;
mod scaling;
pub(crate) mod settings;
mod sqs_poller;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::AtomicU32;

use lambkin_model::{EventSourceMapping, Scope};
use lambkin_patterns::Pattern;
use lambkin_sqs::Sqs;
use lambkin_store::Store;
use tokio::sync::{mpsc, watch};

use crate::EngineError;
use crate::accept::Accept;
use crate::registry::Registry;
use sqs_poller::SqsPoller;

/// The mappings' pollers, and the lock that orders every write of a mapping.
#[derive(Debug)]
pub(crate) struct Sources {
    /// Held across each mapping write (control plane and settling alike), so settling never
    /// stores a state over a change it has not seen.
    pub(crate) lock: tokio::sync::Mutex<()>,
    changed: mpsc::UnboundedSender<String>,
}

/// What the settling task uses.
#[derive(Debug)]
pub(crate) struct Settler {
    pub store: Arc<dyn Store>,
    pub sqs: Sqs,
    pub accept: Accept,
    pub registry: Arc<Registry>,
    pub scope: Scope,
}

impl Sources {
    /// Starts the settling task, which first settles every stored mapping.
    pub(crate) fn start(settler: Settler, stop: watch::Receiver<bool>) -> Arc<Sources> {
        let (changed, notices) = mpsc::unbounded_channel();
        let sources = Arc::new(Sources {
            lock: tokio::sync::Mutex::new(()),
            changed,
        });
        tokio::spawn(settler.run(sources.clone(), notices, stop));
        sources
    }

    /// The mapping with this UUID was written (or removed): settle it.
    pub(crate) fn changed(&self, uuid: &str) {
        // The receiver lives as long as the engine runs; after it stops nothing settles.
        let _ = self.changed.send(uuid.to_string());
    }
}

impl Settler {
    async fn run(
        self,
        sources: Arc<Sources>,
        mut notices: mpsc::UnboundedReceiver<String>,
        mut stop: watch::Receiver<bool>,
    ) {
        let mut pollers: HashMap<String, watch::Sender<bool>> = HashMap::new();
        match self.store.mappings().await {
            Ok(all) => {
                for m in all {
                    sources.changed(&m.uuid);
                }
            }
            Err(e) => tracing::error!(error = %e, "cannot load event source mappings"),
        }
        loop {
            let uuid = tokio::select! {
                n = notices.recv() => match n {
                    Some(uuid) => uuid,
                    None => break,
                },
                _ = stop.wait_for(|s| *s) => break,
            };
            let _guard = sources.lock.lock().await;
            if let Err(e) = self.settle(&uuid, &mut pollers, &stop).await {
                tracing::error!(mapping = %uuid, error = %e, "cannot settle an event source mapping");
            }
        }
        for (_, poller) in pollers {
            poller.send_replace(true);
        }
    }

    /// Brings the mapping's poller in line with what is stored, then stores where it settled.
    async fn settle(
        &self,
        uuid: &str,
        pollers: &mut HashMap<String, watch::Sender<bool>>,
        engine_stop: &watch::Receiver<bool>,
    ) -> Result<(), EngineError> {
        // Any change restarts the poller with the mapping as it now is; a batch in flight
        // finishes under the settings it started with.
        if let Some(old) = pollers.remove(uuid) {
            old.send_replace(true);
        }
        let Some(mut m) = self.store.mapping(uuid).await? else {
            return Ok(());
        };
        let Some(settled) = m.state.settled(m.enabled) else {
            self.store.delete_mapping(uuid).await?;
            return Ok(());
        };
        if m.enabled {
            let stop = self.start_poller(&m, engine_stop);
            pollers.insert(uuid.to_string(), stop);
        }
        if m.state != settled {
            m.state = settled;
            self.store.put_mapping(m).await?;
        }
        Ok(())
    }

    fn start_poller(
        &self,
        m: &EventSourceMapping,
        engine_stop: &watch::Receiver<bool>,
    ) -> watch::Sender<bool> {
        let stop = watch::Sender::new(false);
        // The engine stopping stops every poller too.
        let (mapping_stop, mut engine_stop) = (stop.clone(), engine_stop.clone());
        tokio::spawn(async move {
            tokio::select! {
                _ = engine_stop.wait_for(|s| *s) => { mapping_stop.send_replace(true); }
                _ = mapping_stop.closed() => {}
            }
        });
        let filters = m
            .filters
            .iter()
            .filter_map(|text| Pattern::parse(text).ok())
            .collect();
        let poller = Arc::new(SqsPoller {
            mapping: m.clone(),
            filters,
            sqs: self.sqs.clone(),
            accept: self.accept.clone(),
            registry: self.registry.clone(),
            scope: self.scope.clone(),
            stop: stop.subscribe(),
            workers: AtomicU32::new(0),
        });
        poller.start();
        stop
    }
}
