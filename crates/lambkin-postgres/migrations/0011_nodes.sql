-- Nodes and what they hold: each node has an id and a heartbeat (PostgreSQL's clock, so nodes
-- with skewed clocks agree); claimed events and leased deliveries name the node holding them,
-- so a restarting node recovers only its own work and a dead node's is taken over.
CREATE TABLE nodes (
    id           TEXT PRIMARY KEY,
    started_at   BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL
);
ALTER TABLE events ADD COLUMN owner TEXT;
ALTER TABLE deliveries ADD COLUMN owner TEXT;
