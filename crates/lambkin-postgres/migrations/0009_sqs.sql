-- lambkin's SQS: queues (attributes and tags as JSON maps, as on SQLite) and their messages.
CREATE TABLE sqs_queues (
    name          TEXT PRIMARY KEY,
    attributes    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_modified BIGINT NOT NULL,
    tags          TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE sqs_messages (
    seq               BIGSERIAL PRIMARY KEY,
    queue             TEXT NOT NULL,
    message_id        TEXT NOT NULL,
    body              TEXT NOT NULL,
    attributes        TEXT NOT NULL,
    sent_at           BIGINT NOT NULL,
    visible_at        BIGINT NOT NULL,
    receive_count     INTEGER NOT NULL DEFAULT 0,
    first_received_at BIGINT,
    -- the receipt of the latest receive; NULL until received (and after a redrive)
    receipt           TEXT,
    dlq_source_arn    TEXT,
    system_attributes TEXT NOT NULL DEFAULT '{}'
);
-- A receive takes a queue's visible messages in (visible_at, seq) order, FOR UPDATE SKIP LOCKED.
CREATE INDEX sqs_messages_visible ON sqs_messages (queue, visible_at, seq);
CREATE INDEX sqs_messages_by_id ON sqs_messages (message_id);
