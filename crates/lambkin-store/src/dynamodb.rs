//! The DynamoDB half of the storage contract: tables (their description as JSON, owned by the
//! DynamoDB service) and items, each stored under its key's order-preserving encoding
//! (`ItemKey`, made by the service) so that a Query is one range scan in sort-key order.
//!
//! Conditional writes are atomic: [`DynamoStore::write_items`] reads the current items, hands
//! them to the caller's `decide` (which evaluates condition expressions, applies updates, or
//! refuses) and writes what it decided, all inside one transaction of the store's writer, so
//! no other write to those keys can come between the check and the write. A refusal writes
//! nothing. Global secondary index entries are written with the item they index.

use std::ops::Bound;

use async_trait::async_trait;
use lambkin_model::Timestamp;

use crate::StoreError;

/// A table as stored: its name and the service's description of it (key schema, attribute
/// definitions, indexes, billing, TTL settings) as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRecord {
    pub name: String,
    pub description: String,
    pub created_at: Timestamp,
}

/// An item's primary key in its order-preserving byte encoding: the partition key, and the
/// sort key (empty for a table without one).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ItemKey {
    pub pk: Vec<u8>,
    pub sk: Vec<u8>,
}

/// An item as stored: its key, its attributes (the service's JSON), and when its TTL attribute
/// says it expires (epoch seconds), if it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredItem {
    pub key: ItemKey,
    pub item: Vec<u8>,
    pub expires_at: Option<i64>,
}

/// An item's key in one global secondary index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexKey {
    pub index: String,
    pub key: ItemKey,
}

/// What `decide` chose for one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemWrite {
    /// Store this item (replacing any) with these index keys (replacing its old ones).
    Put {
        item: Vec<u8>,
        expires_at: Option<i64>,
        indexes: Vec<IndexKey>,
    },
    Delete,
    /// Leave it as it is.
    Keep,
}

/// Why `decide` refused a write (a failed condition, a type error in an update): the service's
/// own error, handed back untouched.
pub type Refusal = Box<dyn std::error::Error + Send + Sync>;

/// Reads the current items of the keys (in order, `None` where there is none) and decides one
/// write per key.
pub type Decide =
    Box<dyn FnOnce(Vec<Option<Vec<u8>>>) -> Result<Vec<ItemWrite>, Refusal> + Send + 'static>;

/// A Query's key range: one partition, a range of sort keys, a direction, a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRange {
    /// The global secondary index to read, or the table.
    pub index: Option<String>,
    pub pk: Vec<u8>,
    pub sk_from: Bound<Vec<u8>>,
    pub sk_to: Bound<Vec<u8>>,
    pub forward: bool,
    /// Continue after this key (the table's key of the last item of the previous page; for an
    /// index, with its index key).
    pub after: Option<(ItemKey, Option<ItemKey>)>,
    pub limit: usize,
}

/// One item a Query or Scan read, with its index key when read through an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadItem {
    pub stored: StoredItem,
    pub index_key: Option<ItemKey>,
}

#[async_trait]
pub trait DynamoStore: Send + Sync + std::fmt::Debug {
    /// Adds the table; false (nothing written) if one of that name exists.
    async fn create_table(&self, table: TableRecord) -> Result<bool, StoreError>;

    /// Replaces a table's description (UpdateTable, UpdateTimeToLive); false if there is none.
    async fn update_table(&self, name: &str, description: String) -> Result<bool, StoreError>;

    /// Deletes the table and every item of it; the record it had, if any.
    async fn delete_table(&self, name: &str) -> Result<Option<TableRecord>, StoreError>;

    async fn table(&self, name: &str) -> Result<Option<TableRecord>, StoreError>;

    /// Every table, by name.
    async fn tables(&self) -> Result<Vec<TableRecord>, StoreError>;

    /// The current items of the keys, in order.
    async fn get_items(
        &self,
        table: &str,
        keys: Vec<ItemKey>,
    ) -> Result<Vec<Option<Vec<u8>>>, StoreError>;

    /// In ONE write: reads the keys' items, asks `decide`, and applies its writes (one per key,
    /// in order). Returns the items as they were before, or `decide`'s refusal (nothing
    /// written). Resolves after the commit is durable.
    async fn write_items(
        &self,
        table: &str,
        keys: Vec<ItemKey>,
        decide: Decide,
    ) -> Result<Result<Vec<Option<Vec<u8>>>, Refusal>, StoreError>;

    /// [`DynamoStore::write_items`] across tables (TransactWriteItems): the keys name their
    /// table; all or nothing.
    async fn write_across(
        &self,
        keys: Vec<(String, ItemKey)>,
        decide: Decide,
    ) -> Result<Result<Vec<Option<Vec<u8>>>, Refusal>, StoreError>;

    /// One partition's items (of the table or an index) in sort-key order, one page.
    async fn query(&self, table: &str, range: KeyRange) -> Result<Vec<ReadItem>, StoreError>;

    /// Every item (of the table or an index) in key order, after `after`, one page.
    async fn scan(
        &self,
        table: &str,
        index: Option<&str>,
        after: Option<(ItemKey, Option<ItemKey>)>,
        limit: usize,
    ) -> Result<Vec<ReadItem>, StoreError>;

    /// Items whose TTL passed before `now_seconds`, oldest first (for the TTL sweep).
    async fn expired_items(
        &self,
        now_seconds: i64,
        limit: usize,
    ) -> Result<Vec<(String, ItemKey)>, StoreError>;

    /// Items in a table (DescribeTable's ItemCount).
    async fn item_count(&self, table: &str) -> Result<u64, StoreError>;
}
