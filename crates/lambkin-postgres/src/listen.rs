//! Wake-ups across nodes (`LISTEN/NOTIFY`): a write that queues events notifies
//! `lambkin_events`, one that owes deliveries `lambkin_deliveries` and an SQS send
//! `lambkin_sqs` (with the queue), in its own commit; each node listens on a connection of its own and tells the engine
//! ([`RemoteWork`]), so work accepted by one node is picked up by another within milliseconds
//! instead of at its next poll. A node's own notifications (named by its id) are ignored.

use std::sync::{Arc, OnceLock};

use lambkin_store::{RemoteWork, StoreError};
use tokio_postgres::AsyncMessage;

use crate::error::db;

pub(crate) const EVENTS: &str = "lambkin_events";
pub(crate) const DELIVERIES: &str = "lambkin_deliveries";
/// Payload `<node>\t<queue>`: a message sent to that SQS queue.
pub(crate) const SQS: &str = "lambkin_sqs";

/// Who to tell, once the engine says.
pub(crate) type Observer = Arc<OnceLock<Arc<dyn RemoteWork>>>;

/// Listens until dropped.
#[derive(Debug)]
pub(crate) struct Listener {
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Listener {
    pub(crate) async fn start(
        config: tokio_postgres::Config,
        node: Arc<str>,
        observer: Observer,
    ) -> Result<Self, StoreError> {
        let (ready, listening) = tokio::sync::oneshot::channel();
        let task = tokio::spawn(async move {
            let mut ready = Some(ready);
            // Reconnects after a lost connection (a database restart), a second apart.
            loop {
                if let Err(e) = listen(&config, &node, &observer, &mut ready).await {
                    tracing::warn!(error = %e, "cross-node wake-ups paused; reconnecting");
                }
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        });
        // The store is ready when its node hears others (a notification sent before LISTEN
        // would be lost); a database that refuses is reported as any connection failure.
        match listening.await {
            Ok(Ok(())) => Ok(Listener { task }),
            Ok(Err(e)) => {
                task.abort();
                Err(e)
            }
            Err(_) => Err(StoreError::Closed),
        }
    }
}

async fn listen(
    config: &tokio_postgres::Config,
    node: &str,
    observer: &Observer,
    ready: &mut Option<tokio::sync::oneshot::Sender<Result<(), StoreError>>>,
) -> Result<(), StoreError> {
    let (client, mut connection) = match config.connect(tokio_postgres::NoTls).await {
        Ok(c) => c,
        // At start, the store fails with the error; later, the loop tries again.
        Err(e) => match ready.take() {
            Some(ready) => {
                let _ = ready.send(Err(db(e)));
                return Ok(());
            }
            None => return Err(db(e)),
        },
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let pump = tokio::spawn(async move {
        while let Some(message) = std::future::poll_fn(|cx| connection.poll_message(cx)).await {
            match message {
                Ok(AsyncMessage::Notification(n)) => {
                    let _ = tx.send(n);
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
    });
    client
        .batch_execute(&format!(
            "LISTEN {EVENTS}; LISTEN {DELIVERIES}; LISTEN {SQS}"
        ))
        .await
        .map_err(db)?;
    if let Some(ready) = ready.take() {
        let _ = ready.send(Ok(()));
    }
    while let Some(n) = rx.recv().await {
        let (from, what) = n.payload().split_once('\t').unwrap_or((n.payload(), ""));
        if from == node {
            continue;
        }
        if let Some(observer) = observer.get() {
            match n.channel() {
                EVENTS => observer.events(),
                DELIVERIES => observer.deliveries(),
                SQS => observer.sqs_sent(what),
                _ => {}
            }
        }
    }
    pump.abort();
    Err(StoreError::Backend {
        message: "the listening connection ended".into(),
        transient: true,
    })
}
