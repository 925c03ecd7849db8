-- Functions and their published versions, aliases and event-invoke configs: JSON documents
-- keyed as on SQLite.
CREATE TABLE functions (
    name   TEXT PRIMARY KEY,
    config TEXT NOT NULL
);
CREATE TABLE function_versions (
    function TEXT NOT NULL,
    version  BIGINT NOT NULL,
    config   TEXT NOT NULL,
    PRIMARY KEY (function, version)
);
CREATE TABLE function_aliases (
    function TEXT NOT NULL,
    name     TEXT NOT NULL,
    config   TEXT NOT NULL,
    PRIMARY KEY (function, name)
);
CREATE TABLE event_invoke_configs (
    function  TEXT NOT NULL,
    qualifier TEXT NOT NULL,
    config    TEXT NOT NULL,
    PRIMARY KEY (function, qualifier)
);

-- The asynchronous queue. Times are milliseconds since the epoch, as everywhere in lambkin.
CREATE TABLE events (
    id             BIGSERIAL PRIMARY KEY,
    request_id     TEXT NOT NULL UNIQUE,
    function       TEXT NOT NULL,
    qualifier      TEXT,
    version        TEXT,
    payload        BYTEA NOT NULL,
    state          TEXT NOT NULL,
    condition      TEXT,
    enqueued_at    BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    -- next attempt (queued/retry) or lease expiry (running); NULL once final
    due_at         BIGINT,
    invocations    INTEGER NOT NULL DEFAULT 0,
    throttles      INTEGER NOT NULL DEFAULT 0,
    interrupted    INTEGER NOT NULL DEFAULT 0,
    attempt_count  INTEGER NOT NULL DEFAULT 0,
    response       BYTEA,
    function_error TEXT,
    chain          INTEGER NOT NULL DEFAULT 0
);
-- Claims take each function's due events in due order (FOR UPDATE SKIP LOCKED).
CREATE INDEX events_due_by_function ON events (function, due_at, id) WHERE due_at IS NOT NULL;
CREATE INDEX events_by_function ON events (function, id);
CREATE INDEX events_failed ON events (function, id) WHERE state = 'failed';
CREATE INDEX events_finished ON events (updated_at) WHERE due_at IS NULL;
CREATE TABLE attempts (
    event_id      BIGINT NOT NULL,
    n             INTEGER NOT NULL,
    started_at    BIGINT NOT NULL,
    ended_at      BIGINT NOT NULL,
    outcome       TEXT NOT NULL,
    error_type    TEXT,
    error_message TEXT,
    PRIMARY KEY (event_id, n)
);

-- The outbox: deliveries owed, inserted in the same transaction as the state that owes them.
CREATE TABLE deliveries (
    id          BIGSERIAL PRIMARY KEY,
    kind        TEXT NOT NULL,
    source      TEXT NOT NULL,
    target      TEXT NOT NULL,
    body        BYTEA NOT NULL,
    attributes  TEXT NOT NULL,
    state       TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    leased      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    due_at      BIGINT,
    last_error  TEXT,
    chain       INTEGER NOT NULL DEFAULT 0,
    retry       TEXT
);
CREATE INDEX deliveries_due ON deliveries (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX deliveries_by_source ON deliveries (source);
CREATE INDEX deliveries_finished ON deliveries (updated_at) WHERE due_at IS NULL;
