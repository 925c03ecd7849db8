//! S3 semantics with no HTTP types: [`S3`] offers one method per operation lambkin serves,
//! over the [`S3Store`](lambkin_store::S3Store) (buckets, object metadata) and a
//! [`BodyStore`](lambkin_store::BodyStore) (the bytes). A body is streamed to the body store and
//! made durable first; then one store write makes the object visible; the body it replaced is
//! removed after that commit. So an answered PUT is on disk, and a crash in between leaves an
//! unreferenced body, never an object without its bytes.
//!
//! Keys never become paths: a body is a file named by an id the body store made.

mod bucket_name;
mod buckets;
mod checksums;
mod conditions;
mod error;
mod listing;
mod multipart;
pub mod notifications;
mod notify;
mod objects;

use std::sync::Arc;

use lambkin_model::{Clock, Scope};
use lambkin_store::{BodyStore, Store};
use tokio::sync::Notify;

pub use checksums::{
    ChecksumAlgorithm, ChecksumClaim, ClaimedValue, Integrity, checksum_type, composite,
};
pub use conditions::{Conditions, TagCondition};
pub use error::S3Error;
/// The records the service answers with (the store's, as the service's own view).
pub use lambkin_store::{BucketRecord, ChecksumRecord, ObjectRecord, PartRecord, UploadRecord};
pub use listing::{ListRequest, Listing};
pub use multipart::{CompletedPart, MIN_PART_BYTES};
pub use objects::{NewObject, ObjectBody};

/// The largest single PUT S3 accepts (5 GiB); larger objects need a multipart upload.
pub const MAX_PUT_BYTES: u64 = 5 * 1024 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct S3 {
    store: Arc<dyn Store>,
    bodies: Arc<dyn BodyStore>,
    clock: Arc<dyn Clock>,
    scope: Scope,
    /// Wakes the outbox deliverer when a write owes notifications.
    deliveries_owed: Arc<Notify>,
    /// The chain of invocations the caller is part of (0: none): the notifications its writes
    /// cause continue it, so a function writing into its own trigger bucket is stopped.
    chain: u32,
}

impl S3 {
    pub fn new(
        store: Arc<dyn Store>,
        bodies: Arc<dyn BodyStore>,
        clock: Arc<dyn Clock>,
        scope: Scope,
        deliveries_owed: Arc<Notify>,
    ) -> S3 {
        S3 {
            store,
            bodies,
            clock,
            scope,
            deliveries_owed,
            chain: 0,
        }
    }

    /// This service as seen by a caller in the `chain`-th invocation of a chain (read from its
    /// trace header; see `lambkin_model::chain_length`).
    pub fn in_chain(&self, chain: u32) -> S3 {
        S3 {
            chain,
            ..self.clone()
        }
    }

    pub fn scope(&self) -> &Scope {
        &self.scope
    }
}
