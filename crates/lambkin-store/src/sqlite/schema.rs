//! Connection settings and the schema.

use rusqlite::Connection;

use crate::StoreError;

pub(super) fn configure_writer(conn: &Connection) -> Result<(), StoreError> {
    // WAL + FULL: a commit is fsync'd before it returns, so an acknowledged event survives
    // power loss and `kill -9`; WAL lets readers run beside the writer.
    // Incremental auto-vacuum, so pruned pages can go back to the file system
    // (`Retention::reclaim_space`). It only takes effect on a new database: a folder made before
    // retention existed keeps reusing freed pages (its file stops growing) but never shrinks,
    // since switching it would need a full VACUUM, a rewrite of the whole file at start.
    conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // The WAL shrinks back to this after a checkpoint instead of keeping its peak size.
    conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(())
}

pub(super) fn migrate(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "
        CREATE TABLE IF NOT EXISTS functions (
            name   TEXT PRIMARY KEY,
            config TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS event_invoke_configs (
            function  TEXT NOT NULL,
            qualifier TEXT NOT NULL,
            config    TEXT NOT NULL,
            PRIMARY KEY (function, qualifier)
        ) WITHOUT ROWID;
        -- Published versions: immutable snapshots of a function's configuration.
        CREATE TABLE IF NOT EXISTS function_versions (
            function TEXT NOT NULL,
            version  INTEGER NOT NULL,
            config   TEXT NOT NULL,
            PRIMARY KEY (function, version)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS function_aliases (
            function TEXT NOT NULL,
            name     TEXT NOT NULL,
            config   TEXT NOT NULL,
            PRIMARY KEY (function, name)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS events (
            id             INTEGER PRIMARY KEY,
            request_id     TEXT NOT NULL UNIQUE,
            function       TEXT NOT NULL,
            qualifier      TEXT,
            payload        BLOB NOT NULL,
            state          TEXT NOT NULL,
            condition      TEXT,
            enqueued_at    INTEGER NOT NULL,
            updated_at     INTEGER NOT NULL,
            -- next attempt (queued/retry) or lease expiry (running); NULL once terminal
            due_at         INTEGER,
            invocations    INTEGER NOT NULL DEFAULT 0,
            throttles      INTEGER NOT NULL DEFAULT 0,
            interrupted    INTEGER NOT NULL DEFAULT 0,
            attempt_count  INTEGER NOT NULL DEFAULT 0,
            response       BLOB,
            function_error TEXT
        );
        -- Claims walk each function's due events in order, and step from one function to the
        -- next, so one function's backlog is never scanned to reach another's events.
        DROP INDEX IF EXISTS events_due;
        CREATE INDEX IF NOT EXISTS events_due_by_function ON events (function, due_at)
            WHERE due_at IS NOT NULL;
        CREATE INDEX IF NOT EXISTS events_by_function ON events (function, id);
        -- Retention: final events by the time they ended.
        CREATE INDEX IF NOT EXISTS events_finished ON events (updated_at) WHERE due_at IS NULL;
        -- `lambkin events --failed` without walking every event of the function
        CREATE INDEX IF NOT EXISTS events_failed ON events (function, id) WHERE state = 'failed';
        CREATE TABLE IF NOT EXISTS attempts (
            event_id      INTEGER NOT NULL,
            n             INTEGER NOT NULL,
            started_at    INTEGER NOT NULL,
            ended_at      INTEGER NOT NULL,
            outcome       TEXT NOT NULL,
            error_type    TEXT,
            error_message TEXT,
            PRIMARY KEY (event_id, n)
        ) WITHOUT ROWID;
        ",
    )?;
    // Folders created before events knew their chain (recursive loop detection).
    add_column(conn, "events", "chain", "INTEGER NOT NULL DEFAULT 0")?;
    // Folders created before versions: the version an event was routed to (NULL: `$LATEST`).
    add_column(conn, "events", "version", "TEXT")?;
    super::outbox_ops::migrate(conn)?;
    super::sqs_ops::migrate(conn)?;
    super::sns_ops::migrate(conn)?;
    super::s3_ops::migrate(conn)?;
    super::events_ops::migrate(conn)?;
    super::dynamodb_ops::migrate(conn)?;
    super::prune_ops::migrate(conn)?;
    super::mapping_ops::migrate(conn)?;
    Ok(())
}

/// Adds a column to a table of a folder created before it existed.
pub(super) fn add_column(
    conn: &Connection,
    table: &str,
    column: &str,
    declaration: &str,
) -> Result<(), StoreError> {
    let present = conn
        .prepare(&format!(
            "SELECT 1 FROM pragma_table_info('{table}') WHERE name = '{column}'"
        ))?
        .exists([])?;
    if !present {
        conn.execute_batch(&format!(
            "ALTER TABLE {table} ADD COLUMN {column} {declaration}"
        ))?;
    }
    Ok(())
}
