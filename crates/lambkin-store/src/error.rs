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
    #[error("the store has shut down")]
    Closed,
}
