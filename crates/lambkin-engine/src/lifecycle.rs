//! Starting the engine over a store, and stopping it cleanly.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use lambkin_model::Clock;
use lambkin_sandbox::{EnvironmentPool, SandboxConfig, install_shims};
use lambkin_store::Store;
use tokio::sync::{Notify, watch};

use crate::accept::Accept;
use crate::code_link::CodeLinks;
use crate::concurrency::{FunctionSlots, Limiter};
use crate::control::Control;
use crate::destinations::{Redrive, Targets};
use crate::dispatch::{Dispatcher, RecorderParts, Runner, Wake};
use crate::inspect::Inspect;
use crate::outbox::Deliverer;
use crate::registry::{FunctionEntry, Registry};
use crate::retention::Retention;
use crate::schedules::ScheduleLoop;
use crate::sources::{Settler, Sources};
use crate::{Engine, EngineConfig, EngineError, FunctionLogs, Metrics, Parts};

impl Engine {
    /// Loads the catalog, re-queues events cut off by a previous crash, builds the parts and
    /// starts the dispatcher, the deliverer, retention, the idle-environment reaper and the
    /// pollers of enabled event source mappings.
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
        sandbox.endpoint = config.endpoint.clone();
        sandbox.cores = config.environment_cores;
        sandbox.reaper = config.reaper.clone();
        let pool = EnvironmentPool::new(sandbox, logs.clone(), clock.clone());
        let wake = Arc::new(Wake::default());
        let limiter = Limiter::new(config.account_concurrency, wake.notify.clone());

        let metrics = Arc::new(Metrics::new());
        store.observe_commits(metrics.commits());
        let registry = Arc::new(Registry::default());
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
        for version in store.function_versions().await? {
            if let Some(entry) = registry.get(&version.name) {
                registry.put(entry.with_version(version, &code_root));
            }
        }
        for (function, alias) in store.aliases().await? {
            if let Some(entry) = registry.get(&function) {
                let mut next = FunctionEntry::clone(&entry);
                next.aliases.insert(alias.name.clone(), alias);
                registry.put(next);
            }
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
        let scope = config.scope.clone();
        let sqs = lambkin_sqs::Sqs::new(store.clone(), clock.clone(), scope.clone());
        // Work another node wrote (a backend shared by several nodes) wakes this one too.
        store.observe_remote_work(Arc::new(RemoteWake {
            wake: wake.clone(),
            deliveries_owed: deliveries_owed.clone(),
            sqs: sqs.clone(),
        }));
        let sns = lambkin_sns::Sns::new(
            store.clone(),
            clock.clone(),
            scope.clone(),
            deliveries_owed.clone(),
        );
        // Object bodies live beside the database, one file each (`s3/bodies/<id>`).
        let bodies = Arc::new(lambkin_store::LocalBodies::open(
            &config.data_dir.join("s3").join("bodies"),
        )?);
        let s3 = lambkin_s3::S3::new(
            store.clone(),
            bodies,
            clock.clone(),
            scope.clone(),
            deliveries_owed.clone(),
        );
        let schedules_changed = Arc::new(Notify::new());
        let events = lambkin_events::Events::open(lambkin_events::EventsParts {
            store: store.clone(),
            clock: clock.clone(),
            scope: scope.clone(),
            time_scale: config.time_scale,
            deliveries_owed: deliveries_owed.clone(),
            schedules_changed: schedules_changed.clone(),
        })
        .await
        .map_err(|e| match e {
            lambkin_events::EventsError::Store(e) => EngineError::Store(e),
            other => EngineError::Store(lambkin_store::StoreError::Corrupt(other.to_string())),
        })?;
        let dynamo = lambkin_dynamodb::Dynamo::new(store.clone(), clock.clone(), scope.clone());
        let stop = watch::Sender::new(false);

        let accept = Accept {
            store: store.clone(),
            registry: registry.clone(),
            limiter: limiter.clone(),
            pool: pool.clone(),
            clock: clock.clone(),
            metrics: metrics.clone(),
            wake: wake.clone(),
            scope: scope.clone(),
            stop: stop.subscribe(),
        };
        let sources = Sources::start(
            Settler {
                store: store.clone(),
                sqs: sqs.clone(),
                accept: accept.clone(),
                registry: registry.clone(),
                scope: scope.clone(),
            },
            stop.subscribe(),
        );
        let control = Control {
            store: store.clone(),
            registry: registry.clone(),
            limiter: limiter.clone(),
            pool: pool.clone(),
            metrics: metrics.clone(),
            clock: clock.clone(),
            wake: wake.clone(),
            targets: Targets {
                scope: scope.clone(),
                sqs: sqs.clone(),
                sns: sns.clone(),
                s3: s3.clone(),
                events: events.clone(),
                registry: registry.clone(),
            },
            scope: scope.clone(),
            code_root,
            code_links: CodeLinks::new(),
            s3: s3.clone(),
            unreserved_minimum: config.unreserved_minimum,
            sources,
            lock: tokio::sync::Mutex::new(()),
        };
        let inspect = Inspect {
            store: store.clone(),
            registry: registry.clone(),
            pool: pool.clone(),
            limiter: limiter.clone(),
            metrics: metrics.clone(),
            sqs: sqs.clone(),
        };
        let redrive = Redrive {
            registry: registry.clone(),
            sqs: sqs.clone(),
            accept: accept.clone(),
            scope: scope.clone(),
        };
        let dispatcher = Dispatcher {
            store: store.clone(),
            registry: registry.clone(),
            limiter,
            clock: clock.clone(),
            wake: wake.clone(),
            runner: Runner {
                store: store.clone(),
                pool: pool.clone(),
                clock: clock.clone(),
                metrics: metrics.clone(),
                scope: scope.clone(),
            },
            time_scale: config.time_scale,
            shutdown_grace: config.shutdown_grace,
        };
        let recorder = RecorderParts {
            store: store.clone(),
            wake,
            deliveries_owed: deliveries_owed.clone(),
            in_flight: Arc::default(),
        };
        let deliverer = Deliverer {
            store: store.clone(),
            sqs: sqs.clone(),
            sns: sns.clone(),
            s3: s3.clone(),
            events: events.clone(),
            accept: accept.clone(),
            registry,
            metrics: metrics.clone(),
            clock: clock.clone(),
            scope: scope.clone(),
            time_scale: config.time_scale,
            owed: deliveries_owed,
        };
        let schedule_loop = ScheduleLoop {
            events: events.clone(),
            clock: clock.clone(),
            metrics,
            changed: schedules_changed,
        };
        let retention = Retention {
            store,
            logs: logs.clone(),
            clock,
            retention,
        };

        let dispatcher_done = watch::Sender::new(false);
        let done = dispatcher_done.clone();
        let dispatcher_stop = stop.subscribe();
        tokio::spawn(async move {
            dispatcher.run(recorder, dispatcher_stop).await;
            done.send_replace(true);
        });
        if !config.hold_deliveries {
            tokio::spawn(deliverer.run(stop.subscribe()));
        }
        tokio::spawn(retention.run(stop.subscribe()));
        tokio::spawn(schedule_loop.run(stop.subscribe()));
        tokio::spawn(crate::ttl_sweep::run(
            dynamo.clone(),
            config.time_scale,
            stop.subscribe(),
        ));
        tokio::spawn(reap(pool.clone(), stop.subscribe()));
        Ok(Engine {
            parts: Arc::new(Parts {
                scope,
                accept,
                control,
                inspect,
                redrive,
                logs,
                sqs,
                sns,
                s3,
                events,
                dynamo,
                pool,
                stop,
                dispatcher_done,
            }),
        })
    }

    /// Stops dispatching, lets running attempts finish within the grace period (handing back
    /// the rest), and stops idle environments. Events stay durable in the store.
    pub async fn shutdown(&self) {
        self.parts.stop.send_replace(true);
        let mut done = self.parts.dispatcher_done.subscribe();
        let _ = done.wait_for(|d| *d).await;
        self.parts.pool.shutdown();
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

/// Wakes this node's dispatcher and deliverer for work another node wrote.
#[derive(Debug)]
struct RemoteWake {
    wake: Arc<Wake>,
    deliveries_owed: Arc<Notify>,
    sqs: lambkin_sqs::Sqs,
}

impl lambkin_store::RemoteWork for RemoteWake {
    fn events(&self) {
        self.wake.work();
    }

    fn deliveries(&self) {
        self.deliveries_owed.notify_one();
    }

    fn sqs_sent(&self, queue: &str) {
        self.sqs.remote_sent(queue);
    }
}
