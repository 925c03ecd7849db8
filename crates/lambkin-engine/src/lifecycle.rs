//! Starting the engine over a store, and stopping it cleanly.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use lambkin_model::Clock;
use lambkin_sandbox::{EnvironmentPool, SandboxConfig, install_shims};
use lambkin_store::Store;
use tokio::sync::{Notify, watch};

use crate::concurrency::{FunctionSlots, Limiter};
use crate::registry::{FunctionEntry, Registry};
use crate::{Engine, EngineConfig, EngineError, FunctionLogs, Inner, Metrics};

impl Engine {
    /// Loads the catalog, re-queues events cut off by a previous crash, and starts the
    /// dispatcher and the idle-environment reaper.
    pub async fn start(
        config: EngineConfig,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
    ) -> Result<Engine, EngineError> {
        let runtimes_dir = config.data_dir.join("runtimes");
        install_shims(&runtimes_dir).map_err(EngineError::Io)?;
        let retention = config.time_scale.apply(config.retention);
        let logs = FunctionLogs::open(
            &config.data_dir.join("logs"),
            clock.clone(),
            crate::retention::segment_age(retention),
        )
        .map_err(EngineError::Io)?;
        let mut sandbox = SandboxConfig::new(runtimes_dir, config.scope.region.clone());
        sandbox.keep_alive = config.keep_alive;
        sandbox.cores = config.environment_cores;
        sandbox.reaper = config.reaper.clone();
        let pool = EnvironmentPool::new(sandbox, logs.clone(), clock.clone());
        let wake = crate::dispatcher::Wake::default();
        let limiter = Limiter::new(config.account_concurrency, wake.notify.clone());

        let metrics = Arc::new(Metrics::new());
        store.observe_commits(metrics.commits());
        let registry = Registry::default();
        let code_root = config.data_dir.join("code");
        for function in store.functions().await? {
            let configs: HashMap<String, _> = store
                .event_invoke_configs(&function.name)
                .await?
                .into_iter()
                .map(|(q, c)| (q.to_string(), c))
                .collect();
            let slots = FunctionSlots::new(metrics.function(&function.name));
            registry.put(FunctionEntry::new(function, &code_root, configs, slots));
        }
        limiter.set_reserved_total(registry.reserved_total());
        let recovered = store.recover(clock.now()).await?;
        if recovered > 0 {
            tracing::warn!(
                count = recovered,
                "re-queued events whose run was cut off by the previous shutdown or crash"
            );
        }
        let redeliver = store.recover_deliveries(clock.now()).await?;
        if redeliver > 0 {
            tracing::warn!(
                count = redeliver,
                "deliveries cut off by the previous shutdown or crash are due again"
            );
        }
        let deliveries_owed = Arc::new(Notify::new());
        let sqs = lambkin_sqs::Sqs::new(store.clone(), clock.clone(), config.scope.clone());
        let sns = lambkin_sns::Sns::new(
            store.clone(),
            clock.clone(),
            config.scope.clone(),
            deliveries_owed.clone(),
        );
        let engine = Engine {
            inner: Arc::new(Inner {
                sqs,
                sns,
                deliveries_owed,
                config,
                store,
                clock,
                registry,
                limiter,
                metrics,
                code_links: crate::code_link::CodeLinks::new(),
                pool,
                logs,
                wake,
                control: tokio::sync::Mutex::new(()),
                stop: watch::Sender::new(false),
                dispatcher_done: watch::Sender::new(false),
            }),
        };
        let dispatcher = engine.clone();
        tokio::spawn(async move {
            let done = dispatcher.inner.clone();
            dispatcher.dispatch().await;
            done.dispatcher_done.send_replace(true);
        });
        if !engine.inner.config.hold_deliveries {
            tokio::spawn(engine.clone().deliver());
        }
        tokio::spawn(engine.clone().retain());
        tokio::spawn(reap(
            engine.inner.pool.clone(),
            engine.inner.stop.subscribe(),
        ));
        Ok(engine)
    }

    /// Stops dispatching, lets running attempts finish within the grace period (handing back
    /// the rest), and stops idle environments. Events stay durable in the store.
    pub async fn shutdown(&self) {
        self.inner.stop.send_replace(true);
        let mut done = self.inner.dispatcher_done.subscribe();
        let _ = done.wait_for(|d| *d).await;
        self.inner.pool.shutdown();
    }
}

async fn reap(pool: Arc<EnvironmentPool>, mut stop: watch::Receiver<bool>) {
    let every = (pool.keep_alive() / 4).clamp(Duration::from_millis(100), Duration::from_secs(30));
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => { pool.reap(); }
            _ = stop.changed() => return,
        }
    }
}
