//! lambkin's PostgreSQL backend (issue 16, in progress): the store traits of `lambkin-store`
//! on one PostgreSQL database that several lambkin nodes share.
//!
//! Built so far: the connection pool and versioned migrations (`migrate.rs`: applied at start
//! under an advisory lock, so nodes starting together migrate once; a database of a newer
//! schema is refused), the [`Catalog`](lambkin_store::Catalog) (`catalog_ops.rs`), the
//! [`Queue`](lambkin_store::Queue) (`queue_ops.rs`: enqueues group-committed by one batching
//! task as multi-row `unnest` inserts; claims take due events with `FOR UPDATE SKIP LOCKED`
//! in due order under a lease; a final state commits with the deliveries it owes), the
//! [`Outbox`](lambkin_store::Outbox) (`outbox_ops.rs`: deliveries claimed the same way,
//! results recorded a batch per statement), [`Retention`](lambkin_store::Retention)
//! (`prune_ops.rs`), the [`SqsStore`](lambkin_store::SqsStore) (`sqs_ops.rs`: receives take
//! visible messages with `FOR UPDATE SKIP LOCKED`, redrive in the same transaction), the
//! [`MappingStore`](lambkin_store::MappingStore) (`mapping_ops.rs`), the
//! [`EventsStore`](lambkin_store::EventsStore) (`events_ops.rs`: a schedule's firing is a
//! compare-and-set on its row committed with its deliveries, so it fires once across nodes),
//! the [`DynamoStore`](lambkin_store::DynamoStore) (`dynamodb_ops.rs`: a conditional write
//! holds an advisory lock per key it names, existing or not), the
//! [`SnsStore`](lambkin_store::SnsStore) (`sns_ops.rs`: a publish stores the message once and
//! its fan-out as one insert per message, in one commit) and the
//! [`S3Store`](lambkin_store::S3Store) (`s3_ops.rs`: object metadata; a write to a key holds an
//! advisory lock on it, so every replaced body is reported once): every store trait.
//! Each store is a node (`node.rs`): an id, a heartbeat, claims and leases that name it,
//! recovery of its own work only, takeover of a silent node's. `lambkin serve --store
//! postgres://…` uses it through [`PgStore::connect_single_node`], one node per database
//! until concurrency limits hold across nodes; those, `LISTEN/NOTIFY` and a body store every
//! node can serve are issue 16's next steps.
//! Each part passes the same conformance functions as SQLite, on a fresh schema per test.

mod catalog_ops;
mod dynamodb_ops;
mod enqueue;
mod error;
mod events_ops;
mod listen;
mod mapping_ops;
mod migrate;
mod node;
mod outbox_ops;
mod prune_ops;
mod queue_ops;
mod s3_ops;
mod sns_ops;
mod sqs_ops;

use std::sync::Arc;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use lambkin_store::StoreError;

pub use migrate::SCHEMA_VERSION;
pub use node::NodeSettings;

/// A connection pool to one database, and the task that batches its enqueues.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: Pool,
    enqueues: Arc<enqueue::Batcher>,
    /// This node: the owner its claims and leases name.
    node: Arc<str>,
    _heartbeat: Arc<node::Heartbeat>,
    /// Cross-node wake-ups: who to tell, and the listening connection.
    remote_work: listen::Observer,
    _listener: Arc<listen::Listener>,
    /// Held by `lambkin serve` (see [`PgStore::connect_single_node`]).
    node_lock: Option<Arc<NodeLock>>,
}

/// The session holding the one-node lock: the lock lives as long as this connection.
#[derive(Debug)]
struct NodeLock {
    _client: tokio_postgres::Client,
    task: tokio::task::JoinHandle<Result<(), tokio_postgres::Error>>,
}

impl Drop for NodeLock {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The session advisory lock of the one node serving a database ("node" in ASCII).
const NODE_LOCK_KEY: i64 = 0x6e6f_6465;

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/db`, libpq's keywords too), applies the
    /// migrations this lambkin knows, and refuses a database migrated by a newer one.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let config: tokio_postgres::Config = url.parse().map_err(|e| StoreError::Backend {
            message: format!("invalid PostgreSQL URL: {e}"),
            transient: false,
        })?;
        Self::with_config(config).await
    }

    /// As [`PgStore::connect`], from a parsed configuration (tests set a search path on it),
    /// as a node with a fresh id.
    pub async fn with_config(config: tokio_postgres::Config) -> Result<Self, StoreError> {
        Self::with_node(config, NodeSettings::random()).await
    }

    /// As [`PgStore::with_config`], as the node `node` (its id, heartbeat and how long a
    /// silent node lives).
    pub async fn with_node(
        config: tokio_postgres::Config,
        node: NodeSettings,
    ) -> Result<Self, StoreError> {
        let listen_config = config.clone();
        let manager = Manager::from_config(
            config,
            tokio_postgres::NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool =
            Pool::builder(manager)
                .max_size(16)
                .build()
                .map_err(|e| StoreError::Backend {
                    message: format!("connection pool: {e}"),
                    transient: false,
                })?;
        {
            let mut client = pool.get().await.map_err(error::pool)?;
            migrate::migrate(&mut client).await?;
        }
        let id: Arc<str> = Arc::from(node.id.as_str());
        let enqueues = Arc::new(enqueue::Batcher::start(pool.clone(), id.clone()));
        let heartbeat = Arc::new(node::Heartbeat::start(pool.clone(), node).await?);
        let remote_work = listen::Observer::default();
        let listener = Arc::new(
            listen::Listener::start(listen_config, id.clone(), remote_work.clone()).await?,
        );
        Ok(PgStore {
            pool,
            enqueues,
            node: id,
            _heartbeat: heartbeat,
            remote_work,
            _listener: listener,
            node_lock: None,
        })
    }

    /// As [`PgStore::connect`], for `lambkin serve`: also holds, for the store's life, a lock
    /// that makes this the only node serving the database. Until nodes have ids and recover
    /// only their own work (issue 16 §2), a second node's start would take over the first's
    /// running events; it is refused instead.
    pub async fn connect_single_node(url: &str, node: NodeSettings) -> Result<Self, StoreError> {
        let config: tokio_postgres::Config = url.parse().map_err(|e| StoreError::Backend {
            message: format!("invalid PostgreSQL URL: {e}"),
            transient: false,
        })?;
        let mut store = Self::with_node(config.clone(), node).await?;
        let (client, connection) = config
            .connect(tokio_postgres::NoTls)
            .await
            .map_err(error::db)?;
        let task = tokio::spawn(connection);
        let locked: bool = client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&NODE_LOCK_KEY])
            .await
            .map_err(error::db)?
            .get(0);
        if !locked {
            task.abort();
            return Err(StoreError::Backend {
                message: "another lambkin node is serving this database; lambkin runs one node per PostgreSQL database until clustering lands (issue 16 §2)".into(),
                transient: false,
            });
        }
        store.node_lock = Some(Arc::new(NodeLock {
            _client: client,
            task,
        }));
        Ok(store)
    }

    /// This node's id, the owner its claims and leases name.
    pub fn node_id(&self) -> &str {
        &self.node
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool.get().await.map_err(error::pool)
    }
}

/// A value kept as a JSON column (configs).
fn to_json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

#[cfg(test)]
mod tests;
