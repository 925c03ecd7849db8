//! [`EventsStore`] on SQLite: the `eb_buses`, `eb_rules` and `schedules` tables; a firing's
//! compare-and-set on `schedules.next_at` and its deliveries commit together.

use async_trait::async_trait;
use lambkin_model::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};

use super::SqliteStore;
use super::outbox_ops::insert_delivery;
use crate::{
    BusRecord, EventsStore, NewDelivery, RuleRecord, ScheduleChange, ScheduleGroupRecord,
    ScheduleRecord, SchedulerRecord, StoreError,
};

pub(super) fn migrate(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "
        CREATE TABLE IF NOT EXISTS eb_buses (
            name        TEXT PRIMARY KEY,
            arn         TEXT NOT NULL,
            description TEXT,
            created_at  INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS eb_rules (
            bus    TEXT NOT NULL,
            name   TEXT NOT NULL,
            config TEXT NOT NULL,
            PRIMARY KEY (bus, name)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS schedules (
            key     TEXT PRIMARY KEY,
            anchor  INTEGER NOT NULL,
            next_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS schedules_due ON schedules (next_at);
        CREATE TABLE IF NOT EXISTS scheduler_groups (
            name       TEXT PRIMARY KEY,
            arn        TEXT NOT NULL,
            created_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS scheduler_schedules (
            grp    TEXT NOT NULL,
            name   TEXT NOT NULL,
            config TEXT NOT NULL,
            PRIMARY KEY (grp, name)
        ) WITHOUT ROWID;
        ",
    )?;
    Ok(())
}

fn set_schedule(conn: &Connection, s: &ScheduleRecord) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO schedules (key, anchor, next_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (key) DO UPDATE SET anchor = excluded.anchor, next_at = excluded.next_at",
    )?
    .execute(params![s.key, s.anchor.0, s.next_at.0])?;
    Ok(())
}

fn remove_schedule(conn: &Connection, key: &str) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM schedules WHERE key = ?1")?
        .execute(params![key])?;
    Ok(())
}

fn apply_change(conn: &Connection, change: &ScheduleChange) -> Result<(), StoreError> {
    match change {
        ScheduleChange::Keep => Ok(()),
        ScheduleChange::Set(s) => set_schedule(conn, s),
        ScheduleChange::Remove(key) => remove_schedule(conn, key),
    }
}

fn schedule_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ScheduleRecord> {
    Ok(ScheduleRecord {
        key: r.get(0)?,
        anchor: Timestamp(r.get(1)?),
        next_at: Timestamp(r.get(2)?),
    })
}

#[async_trait]
impl EventsStore for SqliteStore {
    async fn create_bus(&self, bus: BusRecord) -> Result<bool, StoreError> {
        self.inner
            .writer
            .write(move |conn, _| {
                let n = conn
                    .prepare_cached(
                        "INSERT INTO eb_buses (name, arn, description, created_at)
                         VALUES (?1, ?2, ?3, ?4) ON CONFLICT (name) DO NOTHING",
                    )?
                    .execute(params![
                        bus.name,
                        bus.arn,
                        bus.description,
                        bus.created_at.0
                    ])?;
                Ok(n == 1)
            })
            .await
    }

    async fn delete_bus(&self, name: &str) -> Result<bool, StoreError> {
        let name = name.to_string();
        self.inner
            .writer
            .write(move |conn, _| {
                let n = conn.execute("DELETE FROM eb_buses WHERE name = ?1", params![name])?;
                conn.execute("DELETE FROM eb_rules WHERE bus = ?1", params![name])?;
                // Schedules run only on the default bus, which cannot be deleted.
                Ok(n == 1)
            })
            .await
    }

    async fn buses(&self) -> Result<Vec<BusRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT name, arn, description, created_at FROM eb_buses ORDER BY name",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(BusRecord {
                    name: r.get(0)?,
                    arn: r.get(1)?,
                    description: r.get(2)?,
                    created_at: Timestamp(r.get(3)?),
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn put_rule(&self, rule: RuleRecord, schedule: ScheduleChange) -> Result<(), StoreError> {
        self.inner
            .writer
            .write(move |conn, _| {
                conn.prepare_cached(
                    "INSERT INTO eb_rules (bus, name, config) VALUES (?1, ?2, ?3)
                     ON CONFLICT (bus, name) DO UPDATE SET config = excluded.config",
                )?
                .execute(params![rule.bus, rule.name, rule.config])?;
                apply_change(conn, &schedule)
            })
            .await
    }

    async fn delete_rule(
        &self,
        bus: &str,
        name: &str,
        schedule_key: &str,
    ) -> Result<bool, StoreError> {
        let (bus, name, key) = (bus.to_string(), name.to_string(), schedule_key.to_string());
        self.inner
            .writer
            .write(move |conn, _| {
                let n = conn.execute(
                    "DELETE FROM eb_rules WHERE bus = ?1 AND name = ?2",
                    params![bus, name],
                )?;
                remove_schedule(conn, &key)?;
                Ok(n == 1)
            })
            .await
    }

    async fn rules(&self) -> Result<Vec<RuleRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare_cached("SELECT bus, name, config FROM eb_rules ORDER BY bus, name")?;
            let rows = stmt.query_map([], |r| {
                Ok(RuleRecord {
                    bus: r.get(0)?,
                    name: r.get(1)?,
                    config: r.get(2)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn record_deliveries(
        &self,
        deliveries: Vec<NewDelivery>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        if deliveries.is_empty() {
            return Ok(());
        }
        self.inner
            .writer
            .write(move |conn, counts| {
                for d in &deliveries {
                    insert_delivery(conn, counts, d, now)?;
                }
                Ok(())
            })
            .await
    }

    async fn due_schedules(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<ScheduleRecord>, StoreError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT key, anchor, next_at FROM schedules WHERE next_at <= ?1
                 ORDER BY next_at LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![now.0, limit as i64], schedule_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn next_schedule_due(&self) -> Result<Option<Timestamp>, StoreError> {
        self.read(|conn| {
            let t: Option<i64> = conn
                .prepare_cached("SELECT next_at FROM schedules ORDER BY next_at LIMIT 1")?
                .query_row([], |r| r.get(0))
                .optional()?;
            Ok(t.map(Timestamp))
        })
        .await
    }

    async fn fire_schedule(
        &self,
        key: &str,
        due: Timestamp,
        next: Option<Timestamp>,
        deliveries: Vec<NewDelivery>,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let key = key.to_string();
        self.inner
            .writer
            .write(move |conn, counts| {
                let changed = match next {
                    Some(next) => conn
                        .prepare_cached(
                            "UPDATE schedules SET next_at = ?3 WHERE key = ?1 AND next_at = ?2",
                        )?
                        .execute(params![key, due.0, next.0])?,
                    None => conn
                        .prepare_cached("DELETE FROM schedules WHERE key = ?1 AND next_at = ?2")?
                        .execute(params![key, due.0])?,
                };
                if changed == 0 {
                    return Ok(false);
                }
                for d in &deliveries {
                    insert_delivery(conn, counts, d, now)?;
                }
                Ok(true)
            })
            .await
    }

    async fn create_schedule_group(&self, group: ScheduleGroupRecord) -> Result<bool, StoreError> {
        self.inner
            .writer
            .write(move |conn, _| {
                let n = conn
                    .prepare_cached(
                        "INSERT INTO scheduler_groups (name, arn, created_at) VALUES (?1, ?2, ?3)
                         ON CONFLICT (name) DO NOTHING",
                    )?
                    .execute(params![group.name, group.arn, group.created_at.0])?;
                Ok(n == 1)
            })
            .await
    }

    async fn delete_schedule_group(&self, name: &str) -> Result<(), StoreError> {
        let name = name.to_string();
        self.inner
            .writer
            .write(move |conn, _| {
                conn.execute(
                    "DELETE FROM scheduler_groups WHERE name = ?1",
                    params![name],
                )?;
                conn.execute(
                    "DELETE FROM scheduler_schedules WHERE grp = ?1",
                    params![name],
                )?;
                // Keys are `schedule/<group>/<name>`; group names have no `/`.
                conn.execute(
                    "DELETE FROM schedules WHERE key >= ?1 AND key < ?2",
                    params![format!("schedule/{name}/"), format!("schedule/{name}0")],
                )?;
                Ok(())
            })
            .await
    }

    async fn schedule_groups(&self) -> Result<Vec<ScheduleGroupRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT name, arn, created_at FROM scheduler_groups ORDER BY name",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(ScheduleGroupRecord {
                    name: r.get(0)?,
                    arn: r.get(1)?,
                    created_at: Timestamp(r.get(2)?),
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn put_schedule(
        &self,
        schedule: SchedulerRecord,
        change: ScheduleChange,
    ) -> Result<(), StoreError> {
        self.inner
            .writer
            .write(move |conn, _| {
                conn.prepare_cached(
                    "INSERT INTO scheduler_schedules (grp, name, config) VALUES (?1, ?2, ?3)
                     ON CONFLICT (grp, name) DO UPDATE SET config = excluded.config",
                )?
                .execute(params![
                    schedule.group,
                    schedule.name,
                    schedule.config
                ])?;
                apply_change(conn, &change)
            })
            .await
    }

    async fn delete_schedule(
        &self,
        group: &str,
        name: &str,
        key: &str,
    ) -> Result<bool, StoreError> {
        let (group, name, key) = (group.to_string(), name.to_string(), key.to_string());
        self.inner
            .writer
            .write(move |conn, _| {
                let n = conn.execute(
                    "DELETE FROM scheduler_schedules WHERE grp = ?1 AND name = ?2",
                    params![group, name],
                )?;
                remove_schedule(conn, &key)?;
                Ok(n == 1)
            })
            .await
    }

    async fn scheduler_schedules(&self) -> Result<Vec<SchedulerRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT grp, name, config FROM scheduler_schedules ORDER BY grp, name",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(SchedulerRecord {
                    group: r.get(0)?,
                    name: r.get(1)?,
                    config: r.get(2)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn schedule(&self, key: &str) -> Result<Option<ScheduleRecord>, StoreError> {
        let key = key.to_string();
        self.read(move |conn| {
            Ok(conn
                .prepare_cached("SELECT key, anchor, next_at FROM schedules WHERE key = ?1")?
                .query_row(params![key], schedule_row)
                .optional()?)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    conformance_tests!(
        crate::conformance::events;
        buses_are_created_once_and_deleted_with_their_rules,
        rules_keep_their_config_and_schedule,
        a_firing_happens_once,
        a_finished_schedule_is_removed,
        recorded_deliveries_are_claimable,
        scheduler_groups_take_their_schedules_with_them,
    );
}
