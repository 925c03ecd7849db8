//! PostgreSQL's errors as the store's: a lost or refused connection is transient (the node
//! answers 503 and tries again later), a failed statement is not.

use lambkin_store::StoreError;

pub(crate) fn db(e: tokio_postgres::Error) -> StoreError {
    let transient = e.is_closed() || e.code().is_none_or(|c| c.code().starts_with("08"));
    StoreError::Backend {
        message: match e.as_db_error() {
            Some(d) => format!("{}: {}", d.code().code(), d.message()),
            None => e.to_string(),
        },
        transient,
    }
}

pub(crate) fn pool(e: deadpool_postgres::PoolError) -> StoreError {
    match e {
        deadpool_postgres::PoolError::Backend(e) => db(e),
        other => StoreError::Backend {
            message: other.to_string(),
            transient: true,
        },
    }
}
