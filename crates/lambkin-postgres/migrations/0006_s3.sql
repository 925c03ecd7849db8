-- S3 buckets and object metadata (bodies live in a body store, named by id); keys are BYTEA so
-- they compare in UTF-8 byte order, as S3 lists them.
CREATE TABLE s3_buckets (
    name        TEXT COLLATE "C" PRIMARY KEY,
    region      TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE TABLE s3_objects (
    bucket        TEXT COLLATE "C" NOT NULL,
    key           BYTEA NOT NULL,
    body          TEXT NOT NULL,
    size          BIGINT NOT NULL,
    etag          TEXT NOT NULL,
    content_type  TEXT,
    headers       TEXT NOT NULL,
    metadata      TEXT NOT NULL,
    modified_at   BIGINT NOT NULL,
    checksum      TEXT,
    PRIMARY KEY (bucket, key)
);
CREATE TABLE s3_notifications (
    bucket  TEXT COLLATE "C" PRIMARY KEY,
    config  TEXT NOT NULL
);
CREATE TABLE s3_uploads (
    upload_id           TEXT PRIMARY KEY,
    bucket              TEXT COLLATE "C" NOT NULL,
    key                 BYTEA NOT NULL,
    content_type        TEXT,
    headers             TEXT NOT NULL,
    metadata            TEXT NOT NULL,
    initiated_at        BIGINT NOT NULL,
    checksum_algorithm  TEXT
);
CREATE INDEX s3_uploads_by_bucket ON s3_uploads (bucket, key, initiated_at);
CREATE TABLE s3_parts (
    upload_id    TEXT NOT NULL,
    part_number  INTEGER NOT NULL,
    body         TEXT NOT NULL,
    size         BIGINT NOT NULL,
    etag         TEXT NOT NULL,
    modified_at  BIGINT NOT NULL,
    checksum     TEXT,
    PRIMARY KEY (upload_id, part_number)
);
