//! [`EventsStore`] on PostgreSQL: buses, rules, Scheduler groups and schedules, and the
//! `schedules` rows. A firing is a compare-and-set on `schedules.next_at` committed with its
//! deliveries: when two nodes fire the same schedule, the second's `UPDATE … WHERE next_at =
//! due` waits for the first's row lock, then matches nothing, so the firing happens once.

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use lambkin_model::Timestamp;
use lambkin_store::{
    BusRecord, EventsStore, NewDelivery, RuleRecord, ScheduleChange, ScheduleGroupRecord,
    ScheduleRecord, SchedulerRecord, StoreError,
};

use crate::PgStore;
use crate::error::db;
use crate::outbox_ops::insert_deliveries;

async fn apply_change(
    client: &impl GenericClient,
    change: &ScheduleChange,
) -> Result<(), StoreError> {
    match change {
        ScheduleChange::Keep => {}
        ScheduleChange::Set(s) => {
            client
                .execute(
                    "INSERT INTO schedules (key, anchor, next_at) VALUES ($1, $2, $3)
                     ON CONFLICT (key) DO UPDATE SET anchor = excluded.anchor,
                         next_at = excluded.next_at",
                    &[&s.key, &s.anchor.0, &s.next_at.0],
                )
                .await
                .map_err(db)?;
        }
        ScheduleChange::Remove(key) => remove_schedule(client, key).await?,
    }
    Ok(())
}

async fn remove_schedule(client: &impl GenericClient, key: &str) -> Result<(), StoreError> {
    client
        .execute("DELETE FROM schedules WHERE key = $1", &[&key])
        .await
        .map_err(db)?;
    Ok(())
}

fn schedule_row(r: &tokio_postgres::Row) -> ScheduleRecord {
    ScheduleRecord {
        key: r.get(0),
        anchor: Timestamp(r.get(1)),
        next_at: Timestamp(r.get(2)),
    }
}

#[async_trait]
impl EventsStore for PgStore {
    async fn create_bus(&self, bus: BusRecord) -> Result<bool, StoreError> {
        let n = self
            .client()
            .await?
            .execute(
                "INSERT INTO eb_buses (name, arn, description, created_at)
                 VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING",
                &[&bus.name, &bus.arn, &bus.description, &bus.created_at.0],
            )
            .await
            .map_err(db)?;
        Ok(n == 1)
    }

    async fn delete_bus(&self, name: &str) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let n = tx
            .execute("DELETE FROM eb_buses WHERE name = $1", &[&name])
            .await
            .map_err(db)?;
        tx.execute("DELETE FROM eb_rules WHERE bus = $1", &[&name])
            .await
            .map_err(db)?;
        // Schedules run only on the default bus, which cannot be deleted.
        tx.commit().await.map_err(db)?;
        Ok(n == 1)
    }

    async fn buses(&self) -> Result<Vec<BusRecord>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT name, arn, description, created_at FROM eb_buses ORDER BY name",
                &[],
            )
            .await
            .map_err(db)?;
        Ok(rows
            .iter()
            .map(|r| BusRecord {
                name: r.get(0),
                arn: r.get(1),
                description: r.get(2),
                created_at: Timestamp(r.get(3)),
            })
            .collect())
    }

    async fn put_rule(&self, rule: RuleRecord, schedule: ScheduleChange) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        tx.execute(
            "INSERT INTO eb_rules (bus, name, config) VALUES ($1, $2, $3)
             ON CONFLICT (bus, name) DO UPDATE SET config = excluded.config",
            &[&rule.bus, &rule.name, &rule.config],
        )
        .await
        .map_err(db)?;
        apply_change(&tx, &schedule).await?;
        tx.commit().await.map_err(db)
    }

    async fn delete_rule(
        &self,
        bus: &str,
        name: &str,
        schedule_key: &str,
    ) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let n = tx
            .execute(
                "DELETE FROM eb_rules WHERE bus = $1 AND name = $2",
                &[&bus, &name],
            )
            .await
            .map_err(db)?;
        remove_schedule(&tx, schedule_key).await?;
        tx.commit().await.map_err(db)?;
        Ok(n == 1)
    }

    async fn rules(&self) -> Result<Vec<RuleRecord>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT bus, name, config FROM eb_rules ORDER BY bus, name",
                &[],
            )
            .await
            .map_err(db)?;
        Ok(rows
            .iter()
            .map(|r| RuleRecord {
                bus: r.get(0),
                name: r.get(1),
                config: r.get(2),
            })
            .collect())
    }

    async fn record_deliveries(
        &self,
        deliveries: Vec<NewDelivery>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        if deliveries.is_empty() {
            return Ok(());
        }
        let client = self.client().await?;
        // One statement: its own transaction.
        insert_deliveries(&client, &deliveries, now).await
    }

    async fn due_schedules(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<ScheduleRecord>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT key, anchor, next_at FROM schedules WHERE next_at <= $1
                 ORDER BY next_at LIMIT $2",
                &[&now.0, &(limit as i64)],
            )
            .await
            .map_err(db)?;
        Ok(rows.iter().map(schedule_row).collect())
    }

    async fn next_schedule_due(&self) -> Result<Option<Timestamp>, StoreError> {
        let row = self
            .client()
            .await?
            .query_one("SELECT min(next_at) FROM schedules", &[])
            .await
            .map_err(db)?;
        Ok(row.get::<_, Option<i64>>(0).map(Timestamp))
    }

    async fn fire_schedule(
        &self,
        key: &str,
        due: Timestamp,
        next: Option<Timestamp>,
        deliveries: Vec<NewDelivery>,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let changed = match next {
            Some(next) => tx
                .execute(
                    "UPDATE schedules SET next_at = $3 WHERE key = $1 AND next_at = $2",
                    &[&key, &due.0, &next.0],
                )
                .await
                .map_err(db)?,
            None => tx
                .execute(
                    "DELETE FROM schedules WHERE key = $1 AND next_at = $2",
                    &[&key, &due.0],
                )
                .await
                .map_err(db)?,
        };
        if changed == 0 {
            return Ok(false);
        }
        insert_deliveries(&tx, &deliveries, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(true)
    }

    async fn schedule(&self, key: &str) -> Result<Option<ScheduleRecord>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT key, anchor, next_at FROM schedules WHERE key = $1",
                &[&key],
            )
            .await
            .map_err(db)?;
        Ok(row.as_ref().map(schedule_row))
    }

    async fn create_schedule_group(&self, group: ScheduleGroupRecord) -> Result<bool, StoreError> {
        let n = self
            .client()
            .await?
            .execute(
                "INSERT INTO scheduler_groups (name, arn, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (name) DO NOTHING",
                &[&group.name, &group.arn, &group.created_at.0],
            )
            .await
            .map_err(db)?;
        Ok(n == 1)
    }

    async fn delete_schedule_group(&self, name: &str) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        tx.execute("DELETE FROM scheduler_groups WHERE name = $1", &[&name])
            .await
            .map_err(db)?;
        tx.execute("DELETE FROM scheduler_schedules WHERE grp = $1", &[&name])
            .await
            .map_err(db)?;
        // Keys are `schedule/<group>/<name>`; group names have no `/` (byte order: "C").
        tx.execute(
            "DELETE FROM schedules WHERE key >= $1 AND key < $2",
            &[&format!("schedule/{name}/"), &format!("schedule/{name}0")],
        )
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn schedule_groups(&self) -> Result<Vec<ScheduleGroupRecord>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT name, arn, created_at FROM scheduler_groups ORDER BY name",
                &[],
            )
            .await
            .map_err(db)?;
        Ok(rows
            .iter()
            .map(|r| ScheduleGroupRecord {
                name: r.get(0),
                arn: r.get(1),
                created_at: Timestamp(r.get(2)),
            })
            .collect())
    }

    async fn put_schedule(
        &self,
        schedule: SchedulerRecord,
        change: ScheduleChange,
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        tx.execute(
            "INSERT INTO scheduler_schedules (grp, name, config) VALUES ($1, $2, $3)
             ON CONFLICT (grp, name) DO UPDATE SET config = excluded.config",
            &[&schedule.group, &schedule.name, &schedule.config],
        )
        .await
        .map_err(db)?;
        apply_change(&tx, &change).await?;
        tx.commit().await.map_err(db)
    }

    async fn delete_schedule(
        &self,
        group: &str,
        name: &str,
        key: &str,
    ) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let n = tx
            .execute(
                "DELETE FROM scheduler_schedules WHERE grp = $1 AND name = $2",
                &[&group, &name],
            )
            .await
            .map_err(db)?;
        remove_schedule(&tx, key).await?;
        tx.commit().await.map_err(db)?;
        Ok(n == 1)
    }

    async fn scheduler_schedules(&self) -> Result<Vec<SchedulerRecord>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT grp, name, config FROM scheduler_schedules ORDER BY grp, name",
                &[],
            )
            .await
            .map_err(db)?;
        Ok(rows
            .iter()
            .map(|r| SchedulerRecord {
                group: r.get(0),
                name: r.get(1),
                config: r.get(2),
            })
            .collect())
    }
}
