-- SQS event source mappings: one JSON record per UUID, as on SQLite.
CREATE TABLE event_source_mappings (
    uuid    TEXT PRIMARY KEY,
    mapping TEXT NOT NULL
);
