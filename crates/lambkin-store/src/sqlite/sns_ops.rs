//! [`SnsStore`] on SQLite.

use rusqlite::Connection;

use super::SqliteStore;
use crate::{SnsStore, StoreError};

pub(super) fn migrate(_conn: &Connection) -> Result<(), StoreError> {
    Ok(())
}

impl SnsStore for SqliteStore {}
