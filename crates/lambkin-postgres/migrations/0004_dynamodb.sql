-- DynamoDB tables and items: one row per item under its key's order-preserving bytes (BYTEA
-- compares bytewise, so a Query is a range scan), and one row per item per global secondary
-- index, pointing back at the item.
CREATE TABLE ddb_tables (
    name        TEXT COLLATE "C" PRIMARY KEY,
    description TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE TABLE ddb_items (
    tbl        TEXT COLLATE "C" NOT NULL,
    pk         BYTEA NOT NULL,
    sk         BYTEA NOT NULL,
    item       BYTEA NOT NULL,
    expires_at BIGINT,
    PRIMARY KEY (tbl, pk, sk)
);
CREATE INDEX ddb_items_expiry ON ddb_items (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE ddb_index (
    tbl TEXT COLLATE "C" NOT NULL,
    idx TEXT COLLATE "C" NOT NULL,
    ipk BYTEA NOT NULL,
    isk BYTEA NOT NULL,
    pk  BYTEA NOT NULL,
    sk  BYTEA NOT NULL,
    PRIMARY KEY (tbl, idx, ipk, isk, pk, sk)
);
CREATE INDEX ddb_index_by_item ON ddb_index (tbl, pk, sk);
