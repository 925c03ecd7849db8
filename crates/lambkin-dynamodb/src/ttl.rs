//! Time to live: items whose TTL attribute is in the past are deleted by a sweep the engine
//! runs every few seconds (AWS takes up to days; until then, as on AWS, they stay readable).
//! The store finds them by the expiry it keeps with each item; each is deleted by a
//! conditional write that checks, inside the write, that the item is still expired (it may
//! have been rewritten meanwhile).

use lambkin_store::ItemWrite;

use crate::items::decode;
use crate::keys::expires_at;
use crate::{Dynamo, DynamoError};

/// Items looked at per sweep round.
const SWEEP_BATCH: usize = 256;

impl Dynamo {
    /// Recomputes the stored expiry of every item of a table from its current TTL setting
    /// (UpdateTimeToLive), page by page, each item rewritten only if it has not changed since
    /// it was read.
    pub(crate) async fn refresh_expiry(&self, spec: &crate::TableSpec) -> Result<(), DynamoError> {
        let mut after = None;
        loop {
            let page = self
                .inner
                .store
                .scan(&spec.name, None, after.clone(), SWEEP_BATCH)
                .await?;
            let Some(last) = page.last() else {
                return Ok(());
            };
            after = Some((last.stored.key.clone(), None));
            for read in page {
                let item = decode(&read.stored.item)?;
                let wanted = expires_at(spec, &item);
                if wanted == read.stored.expires_at {
                    continue;
                }
                let indexes = crate::keys::index_keys(spec, &item)?;
                let seen = read.stored.item.clone();
                self.inner
                    .store
                    .write_items(
                        &spec.name,
                        vec![read.stored.key],
                        Box::new(move |old| {
                            Ok(vec![match old.into_iter().next().flatten() {
                                // Unchanged since the scan: same bytes, new expiry.
                                Some(bytes) if bytes == seen => ItemWrite::Put {
                                    item: bytes,
                                    expires_at: wanted,
                                    indexes,
                                },
                                // Rewritten meanwhile (with the new setting) or deleted.
                                _ => ItemWrite::Keep,
                            }])
                        }),
                    )
                    .await?
                    .map_err(|e| DynamoError::Validation(e.to_string()))?;
            }
        }
    }

    /// Deletes up to a batch of expired items; returns how many it deleted.
    pub async fn sweep_expired(&self) -> Result<u64, DynamoError> {
        let now = self.inner.clock.now().0.div_euclid(1000);
        let due = self.inner.store.expired_items(now, SWEEP_BATCH).await?;
        let mut deleted = 0;
        for (table, key) in due {
            let Ok(spec) = self.table(&table).await else {
                continue;
            };
            let result = self
                .inner
                .store
                .write_items(
                    &table,
                    vec![key],
                    Box::new(move |old| {
                        let still_expired = old
                            .first()
                            .and_then(|o| o.as_ref())
                            .and_then(|bytes| decode(bytes).ok())
                            .and_then(|item| expires_at(&spec, &item))
                            .is_some_and(|at| at < now);
                        Ok(vec![if still_expired {
                            ItemWrite::Delete
                        } else {
                            ItemWrite::Keep
                        }])
                    }),
                )
                .await?;
            if result.is_ok() {
                deleted += 1;
            }
        }
        Ok(deleted)
    }
}
