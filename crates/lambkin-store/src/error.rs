//! Errors of the storage layer.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("function {0} already exists")]
    FunctionExists(String),
    #[error("function {0} not found")]
    FunctionNotFound(String),
    #[error("event {0} already exists")]
    DuplicateEvent(String),
    #[error("data folder {path} is in use by another lambkin server")]
    Locked { path: String },
    #[error("cannot open data folder {path}")]
    Open {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("sqlite error")]
    Sqlite(#[from] rusqlite::Error),
    #[error("corrupt record: {0}")]
    Corrupt(String),
    /// The batch holding this write could not be committed; nothing of it is durable.
    #[error("commit failed: {0}")]
    CommitFailed(String),
    #[error("the store has shut down")]
    Closed,
    /// An object body could not be written or read.
    #[error("object body: {0}")]
    Body(#[source] std::io::Error),
    /// A backend other than SQLite failed (PostgreSQL: a lost connection, a failed statement);
    /// `transient` when the same call may succeed later (the database is restarting or
    /// unreachable).
    #[error("database: {message}")]
    Backend { message: String, transient: bool },
    /// The database was migrated by a newer lambkin; this one refuses to start on it.
    #[error(
        "the database's schema is version {found}, newer than this lambkin knows ({known}); upgrade lambkin on this node"
    )]
    SchemaTooNew { found: i64, known: i64 },
}

impl StoreError {
    /// Whether the same write may succeed later (a busy or full disk, a failed commit, a store
    /// that is restarting); a corrupt record or a violated constraint fails every time.
    pub fn is_transient(&self) -> bool {
        match self {
            StoreError::CommitFailed(_) | StoreError::Closed | StoreError::Body(_) => true,
            StoreError::Backend { transient, .. } => *transient,
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.code,
                rusqlite::ErrorCode::DatabaseBusy
                    | rusqlite::ErrorCode::DatabaseLocked
                    | rusqlite::ErrorCode::DiskFull
                    | rusqlite::ErrorCode::SystemIoFailure
                    | rusqlite::ErrorCode::OutOfMemory
            ),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transient_errors() {
        let sqlite = |code| {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error {
                    code,
                    extended_code: 0,
                },
                None,
            ))
        };
        let cases = [
            (StoreError::CommitFailed("disk I/O error".into()), true),
            (StoreError::Closed, true),
            (sqlite(rusqlite::ErrorCode::DatabaseBusy), true),
            (sqlite(rusqlite::ErrorCode::DiskFull), true),
            (sqlite(rusqlite::ErrorCode::ConstraintViolation), false),
            (StoreError::Corrupt("attributes".into()), false),
            (StoreError::DuplicateEvent("r".into()), false),
        ];
        for (e, transient) in cases {
            assert_eq!(e.is_transient(), transient, "{e:?}");
        }
    }
}
