//! PostgreSQL's errors as the store's: a lost or refused connection, a server restarting or
//! out of connections, a serialization failure or deadlock is transient (the node answers 503
//! and tries again later); any other failed statement is not.

use lambkin_store::StoreError;

/// SQLSTATEs after which the same call may succeed: the server shutting down or starting
/// (57P01–57P03), too many connections (53300), a serialization failure or deadlock
/// (40001, 40P01); class 08 (connection exceptions) is matched by its prefix.
const TRANSIENT: &[&str] = &["57P01", "57P02", "57P03", "53300", "40001", "40P01"];

pub(crate) fn db(e: tokio_postgres::Error) -> StoreError {
    let transient = e.is_closed()
        || e.code().is_none_or(|c| {
            let c = c.code();
            c.starts_with("08") || TRANSIENT.contains(&c)
        });
    StoreError::Backend {
        message: message(&e),
        transient,
    }
}

fn message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(d) => format!("{}: {}", d.code().code(), d.message()),
        None => e.to_string(),
    }
}

/// A connection the pool could not make or hand out: the database is unreachable, restarting
/// or refusing connections now; the URL worked at start, so it is worth trying again.
pub(crate) fn pool(e: deadpool_postgres::PoolError) -> StoreError {
    match e {
        deadpool_postgres::PoolError::Backend(e) => StoreError::Backend {
            message: message(&e),
            transient: true,
        },
        other => StoreError::Backend {
            message: other.to_string(),
            transient: true,
        },
    }
}
