-- EventBridge buses and rules, Scheduler groups and schedules, and every schedule's next
-- firing (moved by a compare-and-set that commits the firing's deliveries with it).
CREATE TABLE eb_buses (
    name        TEXT COLLATE "C" PRIMARY KEY,
    arn         TEXT NOT NULL,
    description TEXT,
    created_at  BIGINT NOT NULL
);
CREATE TABLE eb_rules (
    bus    TEXT COLLATE "C" NOT NULL,
    name   TEXT COLLATE "C" NOT NULL,
    config TEXT NOT NULL,
    PRIMARY KEY (bus, name)
);
CREATE TABLE schedules (
    key     TEXT COLLATE "C" PRIMARY KEY,
    anchor  BIGINT NOT NULL,
    next_at BIGINT NOT NULL
);
CREATE INDEX schedules_due ON schedules (next_at);
CREATE TABLE scheduler_groups (
    name       TEXT COLLATE "C" PRIMARY KEY,
    arn        TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE scheduler_schedules (
    grp    TEXT COLLATE "C" NOT NULL,
    name   TEXT COLLATE "C" NOT NULL,
    config TEXT NOT NULL,
    PRIMARY KEY (grp, name)
);
