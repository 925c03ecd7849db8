//! The DynamoDB TTL sweep: `Dynamo::sweep_expired` every few seconds (on the server's time
//! scale), at once again while it finds a full batch.

use std::time::Duration;

use lambkin_dynamodb::Dynamo;
use lambkin_model::TimeScale;
use tokio::sync::watch;

/// AWS deletes expired items within days; lambkin looks every 5 s of schedule time.
const EVERY: Duration = Duration::from_secs(5);

pub(crate) async fn run(dynamo: Dynamo, scale: TimeScale, mut stop: watch::Receiver<bool>) {
    let every = scale.apply(EVERY).max(Duration::from_millis(10));
    loop {
        let wait = match dynamo.sweep_expired().await {
            Ok(n) if n > 0 => {
                tracing::debug!(deleted = n, "expired DynamoDB items deleted");
                Duration::ZERO
            }
            Ok(_) => every,
            Err(e) => {
                tracing::error!(error = %e, "cannot sweep expired DynamoDB items");
                every
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => return,
        }
    }
}
