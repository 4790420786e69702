//! [`JobStore`] in PostgreSQL, shared by any number of service replicas.
//!
//! Connections come from a `deadpool-postgres` pool over `tokio-postgres`.
//! Claims take the next job in fair order with `FOR UPDATE SKIP LOCKED`, so
//! replicas claiming at the same moment get different jobs without waiting
//! on each other. Quota checks of one borough are serialised by a
//! transaction-scoped advisory lock on the borough, so two replicas cannot
//! both admit its last allowed job; other boroughs are not held up.

use super::{
    clip, exhausted_reason, migrations, position_in, turn_key, Claim, InsertOutcome, JobRecord,
    JobSearch, JobState, JobStore, Lease, NewJob, Progress, Quotas, RecoverScope, Recovery,
    Refusal, Renewal, StoreError, Summary, MAX_REASON_BYTES,
};
use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::{NoTls, Row};

/// [`JobStore`] in PostgreSQL.
pub struct PgStore {
    pool: Pool,
}

const COLUMNS: &str = "seq, id, owner, label, state, pupils, created_ms, started_ms, \
    finished_ms, attempts, failure_reason, cancel_requested, salt, summary, lease_owner, \
    lease_token, lease_until_ms, progress, stored_bytes, search, \
    (SELECT array_agg(borough ORDER BY borough) FROM job_boroughs b WHERE b.job_id = jobs.id)";

/// Salt of the advisory-lock keys of borough quota checks (the migration
/// lock uses another key).
const QUOTA_LOCK_SALT: &str = "senroute-quota:";

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/db`, with any
    /// libpq-style parameters such as `options=-csearch_path%3Dschema`) with
    /// a pool of at most `pool_size` connections, and applies pending
    /// migrations.
    pub async fn connect(url: &str, pool_size: usize) -> Result<Self, StoreError> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Pool(format!("invalid PostgreSQL URL: {e}")))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(pool_size.max(2))
            .wait_timeout(Some(std::time::Duration::from_secs(10)))
            .create_timeout(Some(std::time::Duration::from_secs(10)))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|e| StoreError::Pool(e.to_string()))?;
        let store = PgStore { pool };
        let mut client = store.client().await?;
        migrations::postgres(&mut client).await?;
        drop(client);
        Ok(store)
    }

    async fn client(&self) -> Result<deadpool_postgres::Client, StoreError> {
        self.pool.get().await.map_err(|e| match e {
            deadpool_postgres::PoolError::Backend(e) => StoreError::Postgres(e),
            other => StoreError::Pool(format!("no connection to PostgreSQL: {other}")),
        })
    }
}

fn json_col<T: serde::de::DeserializeOwned>(
    id: &str,
    what: &str,
    v: Option<String>,
) -> Result<Option<T>, StoreError> {
    v.map(|s| serde_json::from_str(&s))
        .transpose()
        .map_err(|e| StoreError::Corrupt(format!("{what} of job {id}: {e}")))
}

fn u32_col(row: &Row, i: usize) -> Result<u32, StoreError> {
    let v: i64 = row.try_get(i)?;
    u32::try_from(v).map_err(|_| StoreError::Corrupt(format!("column {i} out of range: {v}")))
}

fn read_job(row: &Row) -> Result<JobRecord, StoreError> {
    let id: String = row.try_get(1)?;
    let state: String = row.try_get(4)?;
    Ok(JobRecord {
        seq: row.try_get(0)?,
        owner: row.try_get(2)?,
        label: row.try_get(3)?,
        state: JobState::parse(&state)?,
        pupils: u32_col(row, 5)?,
        created_ms: row.try_get(6)?,
        started_ms: row.try_get(7)?,
        finished_ms: row.try_get(8)?,
        attempts: u32_col(row, 9)?,
        failure_reason: row.try_get(10)?,
        cancel_requested: row.try_get(11)?,
        salt: row.try_get(12)?,
        summary: json_col(&id, "summary", row.try_get(13)?)?,
        lease_owner: row.try_get(14)?,
        lease_token: row.try_get(15)?,
        lease_until_ms: row.try_get(16)?,
        progress: json_col(&id, "progress", row.try_get(17)?)?,
        stored_bytes: row.try_get(18)?,
        search: json_col::<JobSearch>(&id, "search", row.try_get(19)?)?,
        participants: row
            .try_get::<_, Option<Vec<String>>>(20)?
            .unwrap_or_default(),
        id,
    })
}

async fn get_job<C: GenericClient>(c: &C, id: &str) -> Result<Option<JobRecord>, StoreError> {
    let row = c
        .query_opt(&format!("SELECT {COLUMNS} FROM jobs WHERE id = $1"), &[&id])
        .await?;
    row.as_ref().map(read_job).transpose()
}

async fn refusal<C: GenericClient>(
    c: &C,
    borough: &str,
    q: Quotas,
    adding: i64,
) -> Result<Option<Refusal>, StoreError> {
    let queued: i64 = c
        .query_one("SELECT COUNT(*) FROM jobs WHERE state = 'queued'", &[])
        .await?
        .get(0);
    if usize::try_from(queued).unwrap_or(usize::MAX) >= q.queue_limit {
        return Ok(Some(Refusal::QueueFull {
            limit: q.queue_limit,
        }));
    }
    let row = c
        .query_one(
            "SELECT COUNT(*) FILTER (WHERE state = 'queued'), COALESCE(SUM(stored_bytes), 0)::BIGINT
             FROM jobs WHERE owner = $1",
            &[&borough],
        )
        .await?;
    let (mine, bytes): (i64, i64) = (row.get(0), row.get(1));
    if usize::try_from(mine).unwrap_or(usize::MAX) >= q.borough_queue_limit {
        return Ok(Some(Refusal::BoroughQueueFull {
            limit: q.borough_queue_limit,
        }));
    }
    let used = u64::try_from(bytes).unwrap_or(0);
    if used.saturating_add(u64::try_from(adding).unwrap_or(0)) > q.borough_stored_bytes {
        return Ok(Some(Refusal::BoroughStorageFull {
            used,
            limit: q.borough_stored_bytes,
        }));
    }
    Ok(None)
}

#[tonic::async_trait]
impl JobStore for PgStore {
    fn recover_scope(&self) -> RecoverScope {
        RecoverScope::ExpiredLeases
    }

    async fn insert(&self, job: NewJob, quotas: Quotas) -> Result<InsertOutcome, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let lock_key = format!("{QUOTA_LOCK_SALT}{}", job.owner);
        tx.execute("SELECT pg_advisory_xact_lock(hashtext($1))", &[&lock_key])
            .await?;
        if let Some(rid) = &job.request_id {
            let existing = tx
                .query_opt(
                    "SELECT id FROM jobs WHERE owner = $1 AND request_id = $2",
                    &[&job.owner, rid],
                )
                .await?;
            if let Some(row) = existing {
                let id: String = row.get(0);
                let rec = get_job(&tx, &id)
                    .await?
                    .ok_or_else(|| StoreError::Corrupt(format!("job {id} vanished")))?;
                return Ok(InsertOutcome::Existing(rec));
            }
        }
        if let Some(r) = refusal(&tx, &job.owner, quotas, job.stored_bytes()).await? {
            return Ok(InsertOutcome::Refused(r));
        }
        tx.execute(
            "INSERT INTO jobs (id, owner, label, request_id, state, pupils, created_ms, salt,
                               stored_bytes, search)
             VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7, $8, $9)",
            &[
                &job.id,
                &job.owner,
                &job.label,
                &job.request_id,
                &i64::from(job.pupils),
                &job.created_ms,
                &job.salt,
                &job.stored_bytes(),
                &job.search
                    .map(|s| serde_json::to_string(&s))
                    .transpose()
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            ],
        )
        .await?;
        tx.execute(
            "INSERT INTO job_boroughs (job_id, borough)
             SELECT $1, b FROM unnest($2::TEXT[]) AS b ON CONFLICT DO NOTHING",
            &[&job.id, &job.participants],
        )
        .await?;
        tx.execute(
            "INSERT INTO inputs (job_id, problem_json) VALUES ($1, $2)",
            &[&job.id, &job.problem_json],
        )
        .await?;
        let rec = get_job(&tx, &job.id)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("job {} vanished", job.id)))?;
        tx.commit().await?;
        Ok(InsertOutcome::Inserted(rec))
    }

    async fn admission(
        &self,
        borough: &str,
        quotas: Quotas,
    ) -> Result<Option<Refusal>, StoreError> {
        let client = self.client().await?;
        refusal(&client, borough, quotas, 0).await
    }

    async fn get(&self, id: &str) -> Result<Option<JobRecord>, StoreError> {
        let client = self.client().await?;
        get_job(&client, id).await
    }

    async fn list(
        &self,
        borough: &str,
        limit: usize,
        before_seq: Option<i64>,
    ) -> Result<Vec<JobRecord>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT {COLUMNS} FROM jobs
                     WHERE id IN (SELECT job_id FROM job_boroughs WHERE borough = $1)
                       AND seq < $2
                     ORDER BY seq DESC LIMIT $3"
                ),
                &[
                    &borough,
                    &before_seq.unwrap_or(i64::MAX),
                    &i64::try_from(limit).unwrap_or(i64::MAX),
                ],
            )
            .await?;
        rows.iter().map(read_job).collect()
    }

    async fn queue_position(&self, id: &str) -> Result<u32, StoreError> {
        let client = self.client().await?;
        let Some(row) = client
            .query_opt(
                "SELECT owner, seq FROM jobs WHERE id = $1 AND state = 'queued'",
                &[&id],
            )
            .await?
        else {
            return Ok(0);
        };
        let (owner, seq): (String, i64) = (row.get(0), row.get(1));
        let rank: i64 = client
            .query_one(
                "SELECT COUNT(*) FROM jobs WHERE state = 'queued' AND owner = $1 AND seq < $2",
                &[&owner, &seq],
            )
            .await?
            .get(0);
        let rows: Vec<(String, i64, super::TurnKey)> = client
            .query(
                "SELECT j.owner, COUNT(*), t.last_turn, MIN(j.seq) FROM jobs j
                 LEFT JOIN borough_turns t ON t.borough = j.owner
                 WHERE j.state = 'queued' GROUP BY j.owner, t.last_turn",
                &[],
            )
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1), turn_key(r.get(2), r.get(3))))
            .collect();
        Ok(position_in(&owner, rank, &rows))
    }

    async fn problem_json(&self, id: &str) -> Result<Option<String>, StoreError> {
        let client = self.client().await?;
        Ok(client
            .query_opt("SELECT problem_json FROM inputs WHERE job_id = $1", &[&id])
            .await?
            .map(|r| r.get(0)))
    }

    async fn plan_json(&self, id: &str) -> Result<Option<String>, StoreError> {
        let client = self.client().await?;
        Ok(client
            .query_opt("SELECT plan_json FROM plans WHERE job_id = $1", &[&id])
            .await?
            .map(|r| r.get(0)))
    }

    async fn claim_next(&self, claim: &Claim) -> Result<Option<JobRecord>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        // Round robin by owner borough, oldest job first within a borough;
        // rows another replica is claiming right now are skipped, not
        // waited for.
        let row = tx
            .query_opt(
                "WITH next AS (
                    SELECT j.seq FROM jobs j
                    LEFT JOIN borough_turns t ON t.borough = j.owner
                    WHERE j.state = 'queued'
                    ORDER BY t.last_turn ASC NULLS FIRST, j.seq ASC
                    LIMIT 1
                    FOR UPDATE OF j SKIP LOCKED
                 )
                 UPDATE jobs SET state = 'running', attempts = attempts + 1, started_ms = $1,
                    lease_owner = $2, lease_token = lease_token + 1, lease_until_ms = $3,
                    progress = NULL
                 FROM next WHERE jobs.seq = next.seq
                 RETURNING jobs.id, jobs.owner",
                &[
                    &claim.now_ms,
                    &claim.replica,
                    &claim.now_ms.saturating_add(claim.lease_ms),
                ],
            )
            .await?;
        let Some(row) = row else {
            tx.commit().await?;
            return Ok(None);
        };
        let (id, owner): (String, String) = (row.get(0), row.get(1));
        tx.execute(
            "INSERT INTO borough_turns (borough, last_turn)
             VALUES ($1, nextval('borough_turn_seq'))
             ON CONFLICT (borough) DO UPDATE SET last_turn = EXCLUDED.last_turn",
            &[&owner],
        )
        .await?;
        let rec = get_job(&tx, &id).await?;
        tx.commit().await?;
        Ok(rec)
    }

    async fn renew(
        &self,
        lease: &Lease,
        now_ms: i64,
        lease_ms: i64,
        progress: Option<Progress>,
    ) -> Result<Renewal, StoreError> {
        let progress = progress
            .map(|p| serde_json::to_string(&p))
            .transpose()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let client = self.client().await?;
        let row = client
            .query_opt(
                "UPDATE jobs SET lease_until_ms = $3, progress = COALESCE($4, progress)
                 WHERE id = $1 AND lease_token = $2 AND state = 'running'
                 RETURNING cancel_requested",
                &[
                    &lease.job_id,
                    &lease.token,
                    &now_ms.saturating_add(lease_ms),
                    &progress,
                ],
            )
            .await?;
        Ok(match row {
            Some(r) => Renewal::Held {
                cancel_requested: r.get(0),
            },
            None => Renewal::Lost,
        })
    }

    async fn complete(
        &self,
        lease: &Lease,
        plan_json: &str,
        summary: Summary,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let summary =
            serde_json::to_string(&summary).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let n = tx
            .execute(
                "UPDATE jobs SET state = 'succeeded', finished_ms = $3, summary = $4,
                 lease_until_ms = NULL, stored_bytes = stored_bytes + $5
                 WHERE id = $1 AND lease_token = $2 AND state = 'running'",
                &[
                    &lease.job_id,
                    &lease.token,
                    &now_ms,
                    &summary,
                    &i64::try_from(plan_json.len()).unwrap_or(i64::MAX),
                ],
            )
            .await?;
        if n == 1 {
            tx.execute(
                "INSERT INTO plans (job_id, plan_json) VALUES ($1, $2)",
                &[&lease.job_id, &plan_json],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(n == 1)
    }

    async fn fail(&self, lease: &Lease, reason: &str, now_ms: i64) -> Result<bool, StoreError> {
        let reason = clip(reason, MAX_REASON_BYTES);
        let client = self.client().await?;
        Ok(client
            .execute(
                "UPDATE jobs SET state = 'failed', finished_ms = $3, failure_reason = $4,
                 lease_until_ms = NULL
                 WHERE id = $1 AND lease_token = $2 AND state = 'running'",
                &[&lease.job_id, &lease.token, &now_ms, &reason],
            )
            .await?
            == 1)
    }

    async fn request_cancel(&self, id: &str, now_ms: i64) -> Result<Option<JobRecord>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "UPDATE jobs SET state = 'cancelled', finished_ms = $2
             WHERE id = $1 AND state = 'queued'",
            &[&id, &now_ms],
        )
        .await?;
        tx.execute(
            "UPDATE jobs SET cancel_requested = TRUE WHERE id = $1 AND state = 'running'",
            &[&id],
        )
        .await?;
        let rec = get_job(&tx, id).await?;
        tx.commit().await?;
        Ok(rec)
    }

    async fn mark_cancelled(&self, lease: &Lease, now_ms: i64) -> Result<bool, StoreError> {
        let client = self.client().await?;
        Ok(client
            .execute(
                "UPDATE jobs SET state = 'cancelled', finished_ms = $3, lease_until_ms = NULL
                 WHERE id = $1 AND lease_token = $2 AND state = 'running'",
                &[&lease.job_id, &lease.token, &now_ms],
            )
            .await?
            == 1)
    }

    async fn requeue(&self, lease: &Lease) -> Result<bool, StoreError> {
        let client = self.client().await?;
        Ok(client
            .execute(
                "UPDATE jobs SET state = 'queued', attempts = GREATEST(attempts - 1, 0),
                 started_ms = NULL, lease_until_ms = NULL, progress = NULL
                 WHERE id = $1 AND lease_token = $2 AND state = 'running'",
                &[&lease.job_id, &lease.token],
            )
            .await?
            == 1)
    }

    async fn recover(
        &self,
        scope: RecoverScope,
        max_attempts: u32,
        now_ms: i64,
    ) -> Result<Recovery, StoreError> {
        let all = scope == RecoverScope::AllRunning;
        let max = i64::from(max_attempts);
        let client = self.client().await?;
        // One statement per outcome; each re-checks the row under its lock,
        // so replicas expiring leases at the same moment act once per job.
        let expired = "state = 'running' AND ($1 OR lease_until_ms IS NULL OR lease_until_ms < $2)";
        let cancelled = client
            .query(
                &format!(
                    "UPDATE jobs SET state = 'cancelled', finished_ms = $2, lease_until_ms = NULL
                     WHERE {expired} AND cancel_requested RETURNING id"
                ),
                &[&all, &now_ms],
            )
            .await?;
        let requeued = client
            .query(
                &format!(
                    "UPDATE jobs SET state = 'queued', started_ms = NULL, lease_until_ms = NULL,
                     progress = NULL
                     WHERE {expired} AND attempts < $3 RETURNING id"
                ),
                &[&all, &now_ms, &max],
            )
            .await?;
        let failed = client
            .query(
                &format!(
                    "UPDATE jobs SET state = 'failed', finished_ms = $2, lease_until_ms = NULL,
                     failure_reason = $3
                     WHERE {expired} RETURNING id, attempts"
                ),
                &[&all, &now_ms, &exhausted_reason(max_attempts)],
            )
            .await?;
        let ids = |rows: Vec<Row>| rows.iter().map(|r| r.get::<_, String>(0)).collect();
        Ok(Recovery {
            requeued: ids(requeued),
            failed: ids(failed),
            cancelled: ids(cancelled),
        })
    }

    async fn purge_finished(&self, before_ms: i64) -> Result<u64, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let old = tx
            .query(
                "DELETE FROM jobs WHERE finished_ms IS NOT NULL AND finished_ms < $1
                 AND state IN ('succeeded', 'failed', 'cancelled') RETURNING id",
                &[&before_ms],
            )
            .await?;
        let ids: Vec<String> = old.iter().map(|r| r.get(0)).collect();
        for table in ["inputs", "plans", "job_boroughs"] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE job_id = ANY($1)"),
                &[&ids],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(ids.len() as u64)
    }
}
