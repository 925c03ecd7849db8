//! [`SqsStore`] on SQLite.

use rusqlite::Connection;

use super::SqliteStore;
use crate::{SqsStore, StoreError};

pub(super) fn migrate(_conn: &Connection) -> Result<(), StoreError> {
    Ok(())
}

impl SqsStore for SqliteStore {}
