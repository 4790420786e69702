//! Durable job storage: jobs, their inputs and their plans.
//!
//! Handlers and workers only see the small [`JobStore`] trait. The one
//! implementation today is [`SqliteStore`], an embedded SQLite database in
//! the server's data directory (WAL journal, `synchronous=FULL`, so a job
//! acknowledged to a client is on disk). A PostgreSQL backend, for boroughs
//! that run several service replicas against one database, is the planned
//! next implementation of the same trait.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Mutex;

/// The lifecycle state of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobState {
    /// Stored and waiting for a worker.
    Queued,
    /// A worker is planning it.
    Running,
    /// Planned and validated; the plan is stored.
    Succeeded,
    /// Could not be planned; see [`JobRecord::failure_reason`].
    Failed,
    /// Cancelled by its owner.
    Cancelled,
}

impl JobState {
    /// The word stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "queued" => JobState::Queued,
            "running" => JobState::Running,
            "succeeded" => JobState::Succeeded,
            "failed" => JobState::Failed,
            "cancelled" => JobState::Cancelled,
            other => return Err(StoreError::Corrupt(format!("unknown job state {other:?}"))),
        })
    }

    /// True once the job can change no more.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            JobState::Succeeded | JobState::Failed | JobState::Cancelled
        )
    }
}

/// Final figures of a successful run, kept with the job.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Daily cost of the plan (£).
    pub cost: f64,
    /// The engine's objective value.
    pub objective: f64,
    /// Vehicles used.
    pub vehicles: u32,
    /// Pupils left unassigned.
    pub unassigned: u32,
    /// Search iterations.
    pub iterations: u64,
    /// Seconds the search ran.
    pub elapsed_s: f64,
}

/// A stored job (without its input and plan, which are loaded on demand).
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    /// Job id.
    pub id: String,
    /// Insertion order, used for paging and queue order.
    pub seq: i64,
    /// GSS code of the submitting borough.
    pub owner: String,
    /// GSS codes of the participating boroughs (owner included), sorted.
    pub participants: Vec<String>,
    /// Client label.
    pub label: String,
    /// Current state.
    pub state: JobState,
    /// Travelling pupils in the problem.
    pub pupils: u32,
    /// Creation time, Unix milliseconds.
    pub created_ms: i64,
    /// Start of the latest attempt, Unix milliseconds.
    pub started_ms: Option<i64>,
    /// End time, Unix milliseconds.
    pub finished_ms: Option<i64>,
    /// Attempts started.
    pub attempts: u32,
    /// Why the job failed.
    pub failure_reason: String,
    /// The owner asked to cancel while the job ran.
    pub cancel_requested: bool,
    /// Per-job random salt for the opaque tokens of redacted pupils.
    pub salt: Vec<u8>,
    /// Final figures (succeeded jobs).
    pub summary: Option<Summary>,
}

/// A job to insert.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// Job id (unique).
    pub id: String,
    /// Submitting borough.
    pub owner: String,
    /// Participating boroughs, owner included.
    pub participants: Vec<String>,
    /// Client label.
    pub label: String,
    /// Client idempotency key, unique per owner.
    pub request_id: Option<String>,
    /// Travelling pupils.
    pub pupils: u32,
    /// Creation time, Unix milliseconds.
    pub created_ms: i64,
    /// Redaction salt.
    pub salt: Vec<u8>,
    /// The problem as senroute JSON.
    pub problem_json: String,
}

/// What [`JobStore::insert`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum InsertOutcome {
    /// The job is stored (and durable).
    Inserted(JobRecord),
    /// The owner already submitted a job with this request id; nothing stored.
    Existing(JobRecord),
    /// The queue already holds `queue_limit` jobs; nothing stored.
    QueueFull,
}

/// Jobs found running after an unclean stop, and what became of them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recovery {
    /// Put back in the queue to run again.
    pub requeued: Vec<String>,
    /// Marked failed: they had used up their attempts.
    pub failed: Vec<String>,
}

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database reported an error.
    #[error("job database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database holds something this version cannot read.
    #[error("job database is corrupt: {0}")]
    Corrupt(String),
    /// The data directory could not be created.
    #[error("cannot create data directory: {0}")]
    Io(#[from] std::io::Error),
}

/// Job storage used by the service. All methods are blocking and quick; async
/// callers run them on the blocking pool.
pub trait JobStore: Send + Sync + 'static {
    /// Stores a new job atomically with its input, unless the queue is full
    /// or the owner already used `request_id`.
    fn insert(&self, job: NewJob, queue_limit: usize) -> Result<InsertOutcome, StoreError>;
    /// The job with this id.
    fn get(&self, id: &str) -> Result<Option<JobRecord>, StoreError>;
    /// Jobs `borough` owns or participates in, newest first, with `seq`
    /// below `before_seq` when given.
    fn list(
        &self,
        borough: &str,
        limit: usize,
        before_seq: Option<i64>,
    ) -> Result<Vec<JobRecord>, StoreError>;
    /// Jobs queued ahead of `id`.
    fn queue_position(&self, id: &str) -> Result<u32, StoreError>;
    /// The stored problem JSON of a job.
    fn problem_json(&self, id: &str) -> Result<Option<String>, StoreError>;
    /// The stored plan JSON of a succeeded job.
    fn plan_json(&self, id: &str) -> Result<Option<String>, StoreError>;
    /// Moves the oldest queued job to running, counting an attempt.
    fn claim_next(&self, now_ms: i64) -> Result<Option<JobRecord>, StoreError>;
    /// Stores the plan of a running job and marks it succeeded.
    fn complete(
        &self,
        id: &str,
        plan_json: &str,
        summary: Summary,
        now_ms: i64,
    ) -> Result<(), StoreError>;
    /// Marks a queued or running job failed.
    fn fail(&self, id: &str, reason: &str, now_ms: i64) -> Result<(), StoreError>;
    /// Cancels a queued job at once, or flags a running one for its worker.
    /// Returns the job afterwards.
    fn request_cancel(&self, id: &str, now_ms: i64) -> Result<Option<JobRecord>, StoreError>;
    /// Marks a running job cancelled (its worker stopped).
    fn mark_cancelled(&self, id: &str, now_ms: i64) -> Result<(), StoreError>;
    /// Puts a running job back in the queue without counting the attempt
    /// (graceful shutdown).
    fn requeue(&self, id: &str) -> Result<(), StoreError>;
    /// After a start: jobs still marked running were interrupted by a crash.
    /// Requeues those with fewer than `max_attempts` attempts, fails the rest.
    fn recover(&self, max_attempts: u32, now_ms: i64) -> Result<Recovery, StoreError>;
}

/// [`JobStore`] in an embedded SQLite database.
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    owner TEXT NOT NULL,
    label TEXT NOT NULL,
    request_id TEXT,
    state TEXT NOT NULL,
    pupils INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    started_ms INTEGER,
    finished_ms INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    failure_reason TEXT NOT NULL DEFAULT '',
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    salt BLOB NOT NULL,
    summary TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS jobs_request ON jobs(owner, request_id)
    WHERE request_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state, seq);
CREATE TABLE IF NOT EXISTS job_boroughs (
    job_id TEXT NOT NULL,
    borough TEXT NOT NULL,
    PRIMARY KEY (job_id, borough)
);
CREATE INDEX IF NOT EXISTS job_boroughs_borough ON job_boroughs(borough);
CREATE TABLE IF NOT EXISTS inputs (
    job_id TEXT PRIMARY KEY,
    problem_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS plans (
    job_id TEXT PRIMARY KEY,
    plan_json TEXT NOT NULL
);
";

const COLUMNS: &str = "seq, id, owner, label, state, pupils, created_ms, started_ms, \
    finished_ms, attempts, failure_reason, cancel_requested, salt, summary";

impl SqliteStore {
    /// Opens (creating if needed) `jobs.sqlite3` in `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir)?;
        let conn = Connection::open(data_dir.join("jobs.sqlite3"))?;
        Self::init(conn)
    }

    /// An in-memory store (for tests of code above the store).
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<Self, StoreError> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // WAL lets readers proceed during a write; FULL syncs each commit so
        // an acknowledged job survives a power cut, not just a crash.
        let _mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::Corrupt(format!(
                "database schema version {version} is newer than this server's {SCHEMA_VERSION}"
            )));
        }
        conn.execute_batch(SCHEMA)?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite itself consistent
        // (transactions roll back), so a poisoned lock is safe to reuse.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn read_job(conn: &Connection, row: &rusqlite::Row<'_>) -> Result<JobRecord, StoreError> {
    let id: String = row.get(1)?;
    let state: String = row.get(4)?;
    let summary: Option<String> = row.get(13)?;
    let summary = summary
        .map(|s| serde_json::from_str(&s))
        .transpose()
        .map_err(|e| StoreError::Corrupt(format!("summary of job {id}: {e}")))?;
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

impl JobStore for SqliteStore {
    fn insert(&self, job: NewJob, queue_limit: usize) -> Result<InsertOutcome, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
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
        let queued: i64 = tx.query_row(
            "SELECT COUNT(*) FROM jobs WHERE state = 'queued'",
            [],
            |r| r.get(0),
        )?;
        if usize::try_from(queued).unwrap_or(usize::MAX) >= queue_limit {
            return Ok(InsertOutcome::QueueFull);
        }
        tx.execute(
            "INSERT INTO jobs (id, owner, label, request_id, state, pupils, created_ms, salt)
             VALUES (?1, ?2, ?3, ?4, 'queued', ?5, ?6, ?7)",
            params![
                job.id,
                job.owner,
                job.label,
                job.request_id,
                job.pupils,
                job.created_ms,
                job.salt
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
    }

    fn get(&self, id: &str) -> Result<Option<JobRecord>, StoreError> {
        get_job(&self.conn(), id)
    }

    fn list(
        &self,
        borough: &str,
        limit: usize,
        before_seq: Option<i64>,
    ) -> Result<Vec<JobRecord>, StoreError> {
        let conn = self.conn();
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
            out.push(read_job(&conn, row)?);
        }
        Ok(out)
    }

    fn queue_position(&self, id: &str) -> Result<u32, StoreError> {
        let n: i64 = self.conn().query_row(
            "SELECT COUNT(*) FROM jobs WHERE state = 'queued'
               AND seq < (SELECT seq FROM jobs WHERE id = ?1)",
            [id],
            |r| r.get(0),
        )?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    fn problem_json(&self, id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT problem_json FROM inputs WHERE job_id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn plan_json(&self, id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT plan_json FROM plans WHERE job_id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?)
    }

    fn claim_next(&self, now_ms: i64) -> Result<Option<JobRecord>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let id: Option<String> = tx
            .query_row(
                "SELECT id FROM jobs WHERE state = 'queued' ORDER BY seq LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let Some(id) = id else { return Ok(None) };
        tx.execute(
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, started_ms = ?2
             WHERE id = ?1",
            params![id, now_ms],
        )?;
        let rec = get_job(&tx, &id)?;
        tx.commit()?;
        Ok(rec)
    }

    fn complete(
        &self,
        id: &str,
        plan_json: &str,
        summary: Summary,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let summary =
            serde_json::to_string(&summary).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let n = tx.execute(
            "UPDATE jobs SET state = 'succeeded', finished_ms = ?2, summary = ?3
             WHERE id = ?1 AND state = 'running'",
            params![id, now_ms, summary],
        )?;
        if n == 1 {
            tx.execute(
                "INSERT OR REPLACE INTO plans (job_id, plan_json) VALUES (?1, ?2)",
                params![id, plan_json],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    fn fail(&self, id: &str, reason: &str, now_ms: i64) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE jobs SET state = 'failed', finished_ms = ?2, failure_reason = ?3
             WHERE id = ?1 AND state IN ('queued', 'running')",
            params![id, now_ms, reason],
        )?;
        Ok(())
    }

    fn request_cancel(&self, id: &str, now_ms: i64) -> Result<Option<JobRecord>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE jobs SET state = 'cancelled', finished_ms = ?2
             WHERE id = ?1 AND state = 'queued'",
            params![id, now_ms],
        )?;
        tx.execute(
            "UPDATE jobs SET cancel_requested = 1 WHERE id = ?1 AND state = 'running'",
            params![id],
        )?;
        let rec = get_job(&tx, id)?;
        tx.commit()?;
        Ok(rec)
    }

    fn mark_cancelled(&self, id: &str, now_ms: i64) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE jobs SET state = 'cancelled', finished_ms = ?2
             WHERE id = ?1 AND state IN ('queued', 'running')",
            params![id, now_ms],
        )?;
        Ok(())
    }

    fn requeue(&self, id: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE jobs SET state = 'queued', attempts = MAX(attempts - 1, 0), started_ms = NULL
             WHERE id = ?1 AND state = 'running'",
            params![id],
        )?;
        Ok(())
    }

    fn recover(&self, max_attempts: u32, now_ms: i64) -> Result<Recovery, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let running: Vec<(String, u32, bool)> = {
            let mut stmt = tx.prepare(
                "SELECT id, attempts, cancel_requested FROM jobs
                 WHERE state = 'running' ORDER BY seq",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut out = Recovery::default();
        for (id, attempts, cancel_requested) in running {
            if cancel_requested {
                tx.execute(
                    "UPDATE jobs SET state = 'cancelled', finished_ms = ?2 WHERE id = ?1",
                    params![id, now_ms],
                )?;
            } else if attempts < max_attempts {
                tx.execute(
                    "UPDATE jobs SET state = 'queued', started_ms = NULL WHERE id = ?1",
                    params![id],
                )?;
                out.requeued.push(id);
            } else {
                tx.execute(
                    "UPDATE jobs SET state = 'failed', finished_ms = ?2, failure_reason = ?3
                     WHERE id = ?1",
                    params![
                        id,
                        now_ms,
                        format!(
                            "the server stopped while planning this job {attempts} times; \
                             not retried again (the problem may be too large for the server)"
                        )
                    ],
                )?;
                out.failed.push(id);
            }
        }
        tx.commit()?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_job(id: &str, owner: &str, rid: Option<&str>) -> NewJob {
        NewJob {
            id: id.into(),
            owner: owner.into(),
            participants: vec![owner.into(), "E09000033".into()],
            label: "test".into(),
            request_id: rid.map(Into::into),
            pupils: 3,
            created_ms: 1,
            salt: vec![1, 2, 3],
            problem_json: "{}".into(),
        }
    }

    fn inserted(o: InsertOutcome) -> JobRecord {
        match o {
            InsertOutcome::Inserted(r) => r,
            other => panic!("expected insert, got {other:?}"),
        }
    }

    #[test]
    fn queue_limit_idempotency_and_claim_order() {
        let s = SqliteStore::in_memory().unwrap();
        let a = inserted(s.insert(new_job("a", "E09000007", Some("r1")), 2).unwrap());
        assert_eq!(a.participants, vec!["E09000007", "E09000033"]);
        assert!(matches!(
            s.insert(new_job("a2", "E09000007", Some("r1")), 2).unwrap(),
            InsertOutcome::Existing(r) if r.id == "a"
        ));
        // Same request id from another borough is a different job.
        inserted(s.insert(new_job("b", "E09000001", Some("r1")), 2).unwrap());
        assert_eq!(
            s.insert(new_job("c", "E09000007", None), 2).unwrap(),
            InsertOutcome::QueueFull
        );
        assert_eq!(s.queue_position("b").unwrap(), 1);
        let first = s.claim_next(5).unwrap().unwrap();
        assert_eq!(
            (first.id.as_str(), first.state, first.attempts),
            ("a", JobState::Running, 1)
        );
        inserted(s.insert(new_job("c", "E09000007", None), 2).unwrap());
        assert_eq!(s.list("E09000033", 10, None).unwrap().len(), 3);
        let page = s.list("E09000007", 1, None).unwrap();
        assert_eq!(page[0].id, "c");
        assert_eq!(
            s.list("E09000007", 10, Some(page[0].seq)).unwrap()[0].id,
            "a"
        );
        assert!(s.list("E09000002", 10, None).unwrap().is_empty());
    }

    #[test]
    fn jobs_survive_reopening_and_interrupted_jobs_are_recovered() {
        let dir = tempdir();
        {
            let s = SqliteStore::open(&dir).unwrap();
            for id in ["a", "b", "c"] {
                inserted(s.insert(new_job(id, "E09000007", None), 10).unwrap());
            }
            s.claim_next(1).unwrap().unwrap(); // a: running, attempt 1
            s.claim_next(1).unwrap().unwrap(); // b: running
            s.request_cancel("b", 2).unwrap();
            // Dropped without finishing: a crash.
        }
        let s = SqliteStore::open(&dir).unwrap();
        let rec = s.recover(3, 9).unwrap();
        assert_eq!(rec.requeued, vec!["a".to_string()]);
        assert_eq!(s.get("b").unwrap().unwrap().state, JobState::Cancelled);
        assert_eq!(s.get("c").unwrap().unwrap().state, JobState::Queued);
        // a runs again and the server keeps dying: after 3 attempts it fails.
        assert_eq!(s.claim_next(10).unwrap().unwrap().id, "a"); // attempt 2
        assert_eq!(s.recover(3, 11).unwrap().requeued, vec!["a".to_string()]);
        assert_eq!(s.claim_next(10).unwrap().unwrap().id, "a"); // attempt 3
        let rec = s.recover(3, 12).unwrap();
        assert_eq!(rec.failed, vec!["a".to_string()]);
        let a = s.get("a").unwrap().unwrap();
        assert_eq!((a.state, a.attempts), (JobState::Failed, 3));
        assert!(a.failure_reason.contains("3 times"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn transitions_only_from_the_right_state() {
        let s = SqliteStore::in_memory().unwrap();
        inserted(s.insert(new_job("a", "E09000007", None), 10).unwrap());
        // Completing a queued job does nothing.
        s.complete("a", "{}", Summary::default(), 3).unwrap();
        assert_eq!(s.get("a").unwrap().unwrap().state, JobState::Queued);
        assert!(s.plan_json("a").unwrap().is_none());
        s.claim_next(4).unwrap();
        s.requeue("a").unwrap();
        let a = s.get("a").unwrap().unwrap();
        assert_eq!((a.state, a.attempts), (JobState::Queued, 0));
        s.claim_next(4).unwrap();
        let sum = Summary {
            cost: 12.5,
            vehicles: 2,
            ..Summary::default()
        };
        s.complete("a", "{\"x\":1}", sum, 5).unwrap();
        let a = s.get("a").unwrap().unwrap();
        assert_eq!((a.state, a.summary), (JobState::Succeeded, Some(sum)));
        assert_eq!(s.plan_json("a").unwrap().as_deref(), Some("{\"x\":1}"));
        // Terminal jobs stay terminal.
        s.fail("a", "late", 6).unwrap();
        s.request_cancel("a", 6).unwrap();
        assert_eq!(s.get("a").unwrap().unwrap().state, JobState::Succeeded);
        assert_eq!(s.problem_json("a").unwrap().as_deref(), Some("{}"));
    }

    fn tempdir() -> std::path::PathBuf {
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).unwrap();
        let d = std::env::temp_dir().join(format!(
            "senroute-store-{}",
            b.iter().map(|x| format!("{x:02x}")).collect::<String>()
        ));
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}
