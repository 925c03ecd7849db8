//! `lambkin serve`: open the data folder, start the engine, serve HTTP until SIGTERM/Ctrl-C.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use lambkin_engine::{Engine, EngineConfig};
use lambkin_model::{Scope, SystemClock, TimeScale};
use lambkin_store::{SqliteStore, StoreError};
use tokio::net::TcpListener;

use crate::cli::ServeArgs;

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let Some(time_scale) = TimeScale::new(args.time_scale) else {
        bail!("--time-scale must be in (0, 1], got {}", args.time_scale);
    };
    // Every ARN and queue URL is built from these; AWS's patterns accept nothing else.
    if args.account_id.len() != 12 || !args.account_id.bytes().all(|b| b.is_ascii_digit()) {
        bail!("--account-id must be 12 digits, got {:?}", args.account_id);
    }
    let region_ok = !args.region.is_empty()
        && args
            .region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !region_ok {
        bail!(
            "--region must look like us-east-1 (lowercase letters, digits, '-'), got {:?}",
            args.region
        );
    }
    // Once, here: every path lambkin derives from the data folder (code folders, runtimes,
    // logs) is handed to function processes that run in their own code folder, where a
    // relative path would mean something else.
    let data_dir = std::path::absolute(&args.data_dir)
        .with_context(|| format!("cannot resolve the data folder {}", args.data_dir.display()))?;
    let store = open_store(args.store.as_deref(), &data_dir).await?;
    let mut config = EngineConfig::new(data_dir.clone());
    config.scope = Scope {
        region: args.region,
        account: args.account_id,
    };
    config.time_scale = time_scale;
    if let Some(n) = args.max_concurrency {
        if n == 0 {
            bail!("--max-concurrency must be at least 1");
        }
        config.account_concurrency = n;
        config.unreserved_minimum = lambkin_engine::default_unreserved_minimum(n);
    }
    if let Some(n) = args.unreserved_min {
        config.unreserved_minimum = n;
    }
    config.keep_alive = Duration::from_secs(args.keep_alive);
    config.shutdown_grace = Duration::from_secs(args.shutdown_grace);
    config.hold_deliveries = args.hold_deliveries;
    config.environment_cores = args.env_cores.into();
    config.retention = args.retention;
    config.reaper = start_reaper();
    let account = config.account_concurrency;

    // Bound before the engine starts: functions are told the address (AWS_ENDPOINT_URL), and
    // nothing is served until the engine is up.
    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr = listener.local_addr()?;
    config.endpoint = Some(endpoint_url(addr));
    let engine = Engine::start(config, store, Arc::new(SystemClock))
        .await
        .context("cannot start the engine")?;
    // The one line that says the server is ready (tests read the address from it).
    let store_shown = if args.store.is_some() {
        ", store PostgreSQL"
    } else {
        ""
    };
    println!(
        "lambkin listening on http://{addr} (data {}{store_shown}, concurrency {account}, time scale {})",
        data_dir.display(),
        time_scale.factor()
    );
    let sqs = engine.sqs().clone();
    let shutdown = async move {
        shutdown_signal().await;
        // In-flight requests are let finish; a 20 s SQS long poll must not hold that up.
        sqs.end_long_polls();
    };
    lambkin_api::serve(listener, engine.clone(), shutdown).await?;
    tracing::info!("shutting down: finishing running invocations");
    engine.shutdown().await;
    tracing::info!("stopped");
    Ok(())
}

/// The embedded store in the data folder, or PostgreSQL when `--store` names it.
async fn open_store(
    url: Option<&str>,
    data_dir: &std::path::Path,
) -> anyhow::Result<Arc<dyn lambkin_store::Store>> {
    match url {
        None => match SqliteStore::open(data_dir) {
            Ok(s) => Ok(Arc::new(s)),
            Err(e @ StoreError::Locked { .. }) => {
                bail!("{e}; stop it first or choose another --data-dir")
            }
            Err(e) => {
                Err(e).with_context(|| format!("cannot open data folder {}", data_dir.display()))
            }
        },
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            std::fs::create_dir_all(data_dir)
                .with_context(|| format!("cannot create data folder {}", data_dir.display()))?;
            let store = lambkin_postgres::PgStore::connect_single_node(url, node(data_dir)?)
                .await
                .context("cannot use the PostgreSQL store")?;
            Ok(Arc::new(store))
        }
        Some(other) => bail!(
            "--store must be a PostgreSQL URL (postgres://user@host:5432/db), got {other:?}; leave it out for the embedded store"
        ),
    }
}

/// This node's identity on a shared database: kept in the data folder (`node-id`), so a
/// restarted node recovers the work it held before its restart, and only that.
fn node(data_dir: &std::path::Path) -> anyhow::Result<lambkin_postgres::NodeSettings> {
    let path = data_dir.join("node-id");
    let mut node = lambkin_postgres::NodeSettings::random();
    match std::fs::read_to_string(&path) {
        Ok(id) if !id.trim().is_empty() => node.id = id.trim().to_string(),
        _ => std::fs::write(&path, format!("{}\n", node.id))
            .with_context(|| format!("cannot write {}", path.display()))?,
    }
    Ok(node)
}

/// The process that kills function processes' groups if this server dies (`lambkin
/// reap-environments`, hidden). Without it only the runtime processes themselves die with the
/// server.
fn start_reaper() -> Option<Arc<lambkin_engine::Reaper>> {
    let started = std::env::current_exe()
        .and_then(|exe| lambkin_engine::Reaper::start(&exe, &["reap-environments"]));
    match started {
        Ok(r) => Some(Arc::new(r)),
        Err(e) => {
            tracing::warn!(error = %e, "cannot start the environment reaper; processes that functions start may outlive a crash");
            None
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => {
            let _ = ctrl_c.await;
            return;
        }
    };
    tokio::select! {
        _ = ctrl_c => {}
        _ = term.recv() => {}
    }
}

/// The URL functions reach this server at: the bound address, or loopback when bound to every
/// interface.
fn endpoint_url(addr: std::net::SocketAddr) -> String {
    let host = if addr.ip().is_unspecified() {
        std::net::IpAddr::from([127, 0, 0, 1])
    } else {
        addr.ip()
    };
    format!("http://{}", std::net::SocketAddr::new(host, addr.port()))
}
