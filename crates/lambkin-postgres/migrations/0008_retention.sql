-- Retention's bookkeeping: the latest cutoff any prune has used (`pruned_before`), as on SQLite.
-- Pruning itself reads the `*_finished` indexes of 0001.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
