//! [`JobStore`] in an embedded SQLite database: one connection behind a
//! mutex, every call on the blocking thread pool. Writes are `IMMEDIATE`
//! transactions, so claims and quota checks are atomic.

use super::{
    clip, exhausted_reason, migrations, position_in, turn_key, Claim, InsertOutcome, JobRecord,
    JobSearch, JobState, JobStore, Lease, NewJob, Progress, Quotas, RecoverScope, Recovery,
    Refusal, Renewal, StoreError, Summary, MAX_REASON_BYTES,
};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// [`JobStore`] in an embedded SQLite database.
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
}

const COLUMNS: &str = "seq, id, owner, label, state, pupils, created_ms, started_ms, \
    finished_ms, attempts, failure_reason, cancel_requested, salt, summary, lease_owner, \
    lease_token, lease_until_ms, progress, stored_bytes, search";

impl SqliteStore {
    /// Opens (creating if needed) `jobs.sqlite3` in `data_dir` and applies
    /// pending migrations. Blocking.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir)?;
        let conn = Connection::open(data_dir.join("jobs.sqlite3"))?;
        Self::init(conn)
    }

    /// An in-memory store (for tests of code above the store).
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> Result<Self, StoreError> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // WAL lets readers proceed during a write; FULL syncs each commit so
        // an acknowledged job survives a power cut, not just a crash.
        let _mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        migrations::sqlite(&mut conn)?;
        Ok(SqliteStore {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `f` on the connection, on the blocking thread pool.
    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock leaves SQLite itself consistent
            // (transactions roll back), so a poisoned lock is safe to reuse.
            let mut c = conn.lock().unwrap_or_else(|e| e.into_inner());
            f(&mut c)
        })
        .await
        .map_err(|e| StoreError::Corrupt(format!("store task failed: {e}")))?
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

fn search_json(s: Option<&JobSearch>) -> Result<Option<String>, StoreError> {
    s.map(serde_json::to_string)
        .transpose()
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn read_job(conn: &Connection, row: &rusqlite::Row<'_>) -> Result<JobRecord, StoreError> {
    let id: String = row.get(1)?;
    let state: String = row.get(4)?;
    let summary = json_col(&id, "summary", row.get(13)?)?;
    let progress = json_col(&id, "progress", row.get(17)?)?;
    let mut stmt =
        conn.prepare_cached("SELECT borough FROM job_boroughs WHERE job_id = ?1 ORDER BY borough")?;
    let participants = stmt
        .query_map([&id], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(JobRecord {
        seq: row.get(0)?,
        owner: row.get(2)?,
        label: row.get(3)?,
        state: JobState::parse(&state)?,
        pupils: row.get(5)?,
        created_ms: row.get(6)?,
        started_ms: row.get(7)?,
        finished_ms: row.get(8)?,
        attempts: row.get(9)?,
        failure_reason: row.get(10)?,
        cancel_requested: row.get(11)?,
        salt: row.get(12)?,
        summary,
        lease_owner: row.get(14)?,
        lease_token: row.get(15)?,
        lease_until_ms: row.get(16)?,
        progress,
        stored_bytes: row.get(18)?,
        search: json_col::<JobSearch>(&id, "search", row.get(19)?)?,
        participants,
        id,
    })
}

fn get_job(conn: &Connection, id: &str) -> Result<Option<JobRecord>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM jobs WHERE id = ?1"))?;
    let mut rows = stmt.query([id])?;
    match rows.next()? {
        Some(row) => Ok(Some(read_job(conn, row)?)),
        None => Ok(None),
    }
}

fn refusal(
    conn: &Connection,
    borough: &str,
    q: Quotas,
    adding: i64,
) -> Result<Option<Refusal>, StoreError> {
    let queued: i64 = conn.query_row(
        "SELECT COUNT(*) FROM jobs WHERE state = 'queued'",
        [],
        |r| r.get(0),
    )?;
    if usize::try_from(queued).unwrap_or(usize::MAX) >= q.queue_limit {
        return Ok(Some(Refusal::QueueFull {
            limit: q.queue_limit,
        }));
    }
    let (mine, bytes): (i64, i64) = conn.query_row(
        "SELECT COALESCE(SUM(state = 'queued'), 0), COALESCE(SUM(stored_bytes), 0)
         FROM jobs WHERE owner = ?1",
        [borough],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
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

fn recover_in(
    conn: &mut Connection,
    scope: RecoverScope,
    max_attempts: u32,
    now_ms: i64,
) -> Result<Recovery, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let running: Vec<(String, u32, bool)> = {
        let mut stmt = tx.prepare_cached(
            "SELECT id, attempts, cancel_requested FROM jobs
             WHERE state = 'running' AND (?1 OR lease_until_ms IS NULL OR lease_until_ms < ?2)
             ORDER BY seq",
        )?;
        let all = scope == RecoverScope::AllRunning;
        let rows = stmt.query_map(params![all, now_ms], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        rows.collect::<Result<_, _>>()?
    };
    let mut out = Recovery::default();
    for (id, attempts, cancel_requested) in running {
        if cancel_requested {
            tx.execute(
                "UPDATE jobs SET state = 'cancelled', finished_ms = ?2, lease_until_ms = NULL
                 WHERE id = ?1",
                params![id, now_ms],
            )?;
            out.cancelled.push(id);
        } else if attempts < max_attempts {
            tx.execute(
                "UPDATE jobs SET state = 'queued', started_ms = NULL, lease_until_ms = NULL,
                 progress = NULL WHERE id = ?1",
                params![id],
            )?;
            out.requeued.push(id);
        } else {
            tx.execute(
                "UPDATE jobs SET state = 'failed', finished_ms = ?2, failure_reason = ?3,
                 lease_until_ms = NULL WHERE id = ?1",
                params![id, now_ms, exhausted_reason(attempts)],
            )?;
            out.failed.push(id);
        }
    }
    tx.commit()?;
    Ok(out)
}

#[tonic::async_trait]
impl JobStore for SqliteStore {
    fn recover_scope(&self) -> RecoverScope {
        RecoverScope::AllRunning
    }

    async fn insert(&self, job: NewJob, quotas: Quotas) -> Result<InsertOutcome, StoreError> {
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if let Some(rid) = &job.request_id {
                let existing: Option<String> = tx
                    .query_row(
                        "SELECT id FROM jobs WHERE owner = ?1 AND request_id = ?2",
                        params![job.owner, rid],
                        |r| r.get(0),
                    )
                    .optional()?;
                if let Some(id) = existing {
                    let rec = get_job(&tx, &id)?
                        .ok_or_else(|| StoreError::Corrupt(format!("job {id} vanished")))?;
                    return Ok(InsertOutcome::Existing(rec));
                }
            }
            if let Some(r) = refusal(&tx, &job.owner, quotas, job.stored_bytes())? {
                return Ok(InsertOutcome::Refused(r));
            }
            tx.execute(
                "INSERT INTO jobs (id, owner, label, request_id, state, pupils, created_ms, salt,
                                   stored_bytes, search)
                 VALUES (?1, ?2, ?3, ?4, 'queued', ?5, ?6, ?7, ?8, ?9)",
                params![
                    job.id,
                    job.owner,
                    job.label,
                    job.request_id,
                    job.pupils,
                    job.created_ms,
                    job.salt,
                    job.stored_bytes(),
                    search_json(job.search.as_ref())?
                ],
            )?;
            for b in &job.participants {
                tx.execute(
                    "INSERT OR IGNORE INTO job_boroughs (job_id, borough) VALUES (?1, ?2)",
                    params![job.id, b],
                )?;
            }
            tx.execute(
                "INSERT INTO inputs (job_id, problem_json) VALUES (?1, ?2)",
                params![job.id, job.problem_json],
            )?;
            let rec = get_job(&tx, &job.id)?
                .ok_or_else(|| StoreError::Corrupt(format!("job {} vanished", job.id)))?;
            tx.commit()?;
            Ok(InsertOutcome::Inserted(rec))
        })
        .await
    }

    async fn admission(
        &self,
        borough: &str,
        quotas: Quotas,
    ) -> Result<Option<Refusal>, StoreError> {
        let borough = borough.to_string();
        self.run(move |conn| refusal(conn, &borough, quotas, 0))
            .await
    }

    async fn get(&self, id: &str) -> Result<Option<JobRecord>, StoreError> {
        let id = id.to_string();
        self.run(move |conn| get_job(conn, &id)).await
    }

    async fn list(
        &self,
        borough: &str,
        limit: usize,
        before_seq: Option<i64>,
    ) -> Result<Vec<JobRecord>, StoreError> {
        let borough = borough.to_string();
        self.run(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM jobs
                 WHERE id IN (SELECT job_id FROM job_boroughs WHERE borough = ?1)
                   AND seq < ?2
                 ORDER BY seq DESC LIMIT ?3"
            ))?;
            let mut rows = stmt.query(params![
                borough,
                before_seq.unwrap_or(i64::MAX),
                i64::try_from(limit).unwrap_or(i64::MAX)
            ])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(read_job(conn, row)?);
            }
            Ok(out)
        })
        .await
    }

    async fn queue_position(&self, id: &str) -> Result<u32, StoreError> {
        let id = id.to_string();
        self.run(move |conn| {
            let Some((owner, seq)) = conn
                .query_row(
                    "SELECT owner, seq FROM jobs WHERE id = ?1 AND state = 'queued'",
                    [&id],
                    |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
                )
                .optional()?
            else {
                return Ok(0);
            };
            let rank: i64 = conn.query_row(
                "SELECT COUNT(*) FROM jobs WHERE state = 'queued' AND owner = ?1 AND seq < ?2",
                params![owner, seq],
                |r| r.get(0),
            )?;
            let mut stmt = conn.prepare_cached(
                "SELECT j.owner, COUNT(*), t.last_turn, MIN(j.seq) FROM jobs j
                 LEFT JOIN borough_turns t ON t.borough = j.owner
                 WHERE j.state = 'queued' GROUP BY j.owner",
            )?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        turn_key(r.get(2)?, r.get(3)?),
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(position_in(&owner, rank, &rows))
        })
        .await
    }

    async fn problem_json(&self, id: &str) -> Result<Option<String>, StoreError> {
        let id = id.to_string();
        self.run(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT problem_json FROM inputs WHERE job_id = ?1",
                    [id],
                    |r| r.get(0),
                )
                .optional()?)
        })
        .await
    }

    async fn plan_json(&self, id: &str) -> Result<Option<String>, StoreError> {
        let id = id.to_string();
        self.run(move |conn| {
            Ok(conn
                .query_row("SELECT plan_json FROM plans WHERE job_id = ?1", [id], |r| {
                    r.get(0)
                })
                .optional()?)
        })
        .await
    }

    async fn claim_next(&self, claim: &Claim) -> Result<Option<JobRecord>, StoreError> {
        let claim = claim.clone();
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            // Round robin: the borough served longest ago (never served
            // first), then its oldest job.
            let next: Option<(String, String)> = tx
                .query_row(
                    "SELECT j.id, j.owner FROM jobs j
                     LEFT JOIN borough_turns t ON t.borough = j.owner
                     WHERE j.state = 'queued'
                     ORDER BY t.last_turn IS NOT NULL, t.last_turn, j.seq LIMIT 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((id, owner)) = next else {
                return Ok(None);
            };
            tx.execute(
                "UPDATE jobs SET state = 'running', attempts = attempts + 1, started_ms = ?2,
                 lease_owner = ?3, lease_token = lease_token + 1, lease_until_ms = ?4,
                 progress = NULL
                 WHERE id = ?1",
                params![
                    id,
                    claim.now_ms,
                    claim.replica,
                    claim.now_ms.saturating_add(claim.lease_ms)
                ],
            )?;
            tx.execute(
                "INSERT INTO borough_turns (borough, last_turn)
                 VALUES (?1, (SELECT COALESCE(MAX(last_turn), 0) + 1 FROM borough_turns))
                 ON CONFLICT (borough) DO UPDATE SET last_turn = excluded.last_turn",
                [&owner],
            )?;
            let rec = get_job(&tx, &id)?;
            tx.commit()?;
            Ok(rec)
        })
        .await
    }

    async fn renew(
        &self,
        lease: &Lease,
        now_ms: i64,
        lease_ms: i64,
        progress: Option<Progress>,
    ) -> Result<Renewal, StoreError> {
        let lease = lease.clone();
        let progress = progress
            .map(|p| serde_json::to_string(&p))
            .transpose()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.run(move |conn| {
            let cancel: Option<bool> = conn
                .query_row(
                    "UPDATE jobs SET lease_until_ms = ?3, progress = COALESCE(?4, progress)
                     WHERE id = ?1 AND lease_token = ?2 AND state = 'running'
                     RETURNING cancel_requested",
                    params![
                        lease.job_id,
                        lease.token,
                        now_ms.saturating_add(lease_ms),
                        progress
                    ],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(match cancel {
                Some(cancel_requested) => Renewal::Held { cancel_requested },
                None => Renewal::Lost,
            })
        })
        .await
    }

    async fn complete(
        &self,
        lease: &Lease,
        plan_json: &str,
        summary: Summary,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let lease = lease.clone();
        let plan_json = plan_json.to_string();
        let summary =
            serde_json::to_string(&summary).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let n = tx.execute(
                "UPDATE jobs SET state = 'succeeded', finished_ms = ?3, summary = ?4,
                 lease_until_ms = NULL, stored_bytes = stored_bytes + ?5
                 WHERE id = ?1 AND lease_token = ?2 AND state = 'running'",
                params![
                    lease.job_id,
                    lease.token,
                    now_ms,
                    summary,
                    i64::try_from(plan_json.len()).unwrap_or(i64::MAX)
                ],
            )?;
            if n == 1 {
                tx.execute(
                    "INSERT INTO plans (job_id, plan_json) VALUES (?1, ?2)",
                    params![lease.job_id, plan_json],
                )?;
            }
            tx.commit()?;
            Ok(n == 1)
        })
        .await
    }

    async fn fail(&self, lease: &Lease, reason: &str, now_ms: i64) -> Result<bool, StoreError> {
        let lease = lease.clone();
        let reason = clip(reason, MAX_REASON_BYTES).to_string();
        self.run(move |conn| {
            Ok(conn.execute(
                "UPDATE jobs SET state = 'failed', finished_ms = ?3, failure_reason = ?4,
                 lease_until_ms = NULL
                 WHERE id = ?1 AND lease_token = ?2 AND state = 'running'",
                params![lease.job_id, lease.token, now_ms, reason],
            )? == 1)
        })
        .await
    }

    async fn request_cancel(&self, id: &str, now_ms: i64) -> Result<Option<JobRecord>, StoreError> {
        let id = id.to_string();
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "UPDATE jobs SET state = 'cancelled', finished_ms = ?2
                 WHERE id = ?1 AND state = 'queued'",
                params![id, now_ms],
            )?;
            tx.execute(
                "UPDATE jobs SET cancel_requested = 1 WHERE id = ?1 AND state = 'running'",
                params![id],
            )?;
            let rec = get_job(&tx, &id)?;
            tx.commit()?;
            Ok(rec)
        })
        .await
    }

    async fn mark_cancelled(&self, lease: &Lease, now_ms: i64) -> Result<bool, StoreError> {
        let lease = lease.clone();
        self.run(move |conn| {
            Ok(conn.execute(
                "UPDATE jobs SET state = 'cancelled', finished_ms = ?3, lease_until_ms = NULL
                 WHERE id = ?1 AND lease_token = ?2 AND state = 'running'",
                params![lease.job_id, lease.token, now_ms],
            )? == 1)
        })
        .await
    }

    async fn requeue(&self, lease: &Lease) -> Result<bool, StoreError> {
        let lease = lease.clone();
        self.run(move |conn| {
            Ok(conn.execute(
                "UPDATE jobs SET state = 'queued', attempts = MAX(attempts - 1, 0),
                 started_ms = NULL, lease_until_ms = NULL, progress = NULL
                 WHERE id = ?1 AND lease_token = ?2 AND state = 'running'",
                params![lease.job_id, lease.token],
            )? == 1)
        })
        .await
    }

    async fn recover(
        &self,
        scope: RecoverScope,
        max_attempts: u32,
        now_ms: i64,
    ) -> Result<Recovery, StoreError> {
        self.run(move |conn| recover_in(conn, scope, max_attempts, now_ms))
            .await
    }

    async fn purge_finished(&self, before_ms: i64) -> Result<u64, StoreError> {
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let old = "SELECT id FROM jobs WHERE finished_ms IS NOT NULL AND finished_ms < ?1
                       AND state IN ('succeeded', 'failed', 'cancelled')";
            for table in ["inputs", "plans", "job_boroughs"] {
                tx.execute(
                    &format!("DELETE FROM {table} WHERE job_id IN ({old})"),
                    [before_ms],
                )?;
            }
            let n = tx.execute(
                "DELETE FROM jobs WHERE finished_ms IS NOT NULL AND finished_ms < ?1
                 AND state IN ('succeeded', 'failed', 'cancelled')",
                [before_ms],
            )?;
            tx.commit()?;
            Ok(n as u64)
        })
        .await
    }
}
