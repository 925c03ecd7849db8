-- SNS topics, subscriptions (one per topic, protocol and endpoint, also when two nodes
-- subscribe at once) and published messages, each stored once and referred to by the outbox
-- deliveries of its fan-out.
CREATE TABLE sns_topics (
    id          BIGSERIAL PRIMARY KEY,
    arn         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    attributes  TEXT NOT NULL,
    tags        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE TABLE sns_subscriptions (
    id           BIGSERIAL PRIMARY KEY,
    arn          TEXT NOT NULL UNIQUE,
    topic_arn    TEXT NOT NULL,
    protocol     TEXT NOT NULL,
    endpoint     TEXT NOT NULL,
    attributes   TEXT NOT NULL,
    service_url  TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (topic_arn, protocol, endpoint)
);
CREATE INDEX sns_subscriptions_by_topic ON sns_subscriptions (topic_arn, id);
CREATE TABLE sns_messages (
    message_id  TEXT PRIMARY KEY,
    topic_arn   TEXT NOT NULL,
    body        BYTEA NOT NULL,
    created_at  BIGINT NOT NULL
);
