-- The outbox is claimed in due order, ties by id (the order deliveries owed together were
-- listed in): an index on both lets a claim read its rows in that order and stop at its limit,
-- without sorting every delivery due at the same millisecond.
DROP INDEX deliveries_due;
CREATE INDEX deliveries_due ON deliveries (due_at, id) WHERE due_at IS NOT NULL;
