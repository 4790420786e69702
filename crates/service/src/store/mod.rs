//! Durable job storage: jobs, their inputs and their plans.
//!
//! Handlers and workers only see the [`JobStore`] trait. Two backends
//! implement it with the same semantics (one contract test suite runs
//! against both):
//!
//! * [`SqliteStore`]: an embedded SQLite database in the server's data
//!   directory (WAL journal, `synchronous=FULL`, so a job acknowledged to a
//!   client is on disk). One server per database.
//! * [`PgStore`]: PostgreSQL, shared by any number of service replicas.
//!
//! **Claiming, leases and fencing.** A worker claims a job with
//! [`JobStore::claim_next`]: the job becomes `running` under a lease held by
//! the claiming replica until `lease_until_ms`, and its `lease_token` goes up
//! by one. The worker renews the lease while it plans ([`JobStore::renew`]).
//! A job whose lease expired (its replica died or lost the network) is put
//! back in the queue by [`JobStore::expire_leases`] (or failed once it used
//! `max_attempts` attempts) and claimed again with a new token. Every write
//! of a worker names the [`Lease`] it holds; a write with an old token
//! changes nothing, so a late replica can never overwrite the outcome of the
//! replica that took over.
//!
//! **Fair order.** Queued jobs are claimed round-robin by owner borough: the
//! borough served longest ago goes first (a borough never served before
//! goes before all), and within a borough the oldest job. One borough's
//! backlog therefore delays another borough's job by at most one job slot.
//!
//! **Quotas.** [`Quotas`] bounds the queued jobs in total and per borough
//! and the bytes each borough stores; [`JobStore::purge_finished`] removes
//! finished jobs after the retention period.

mod migrations;
mod postgres;
mod sqlite;

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

use serde::{Deserialize, Serialize};

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

/// Latest search progress of a running job, stored with each lease renewal
/// so that every replica can report it.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Progress {
    /// Objective value of the best plan so far.
    pub best_cost: f64,
    /// Vehicles of the best plan so far.
    pub vehicles: u32,
    /// Pupils the best plan so far leaves unassigned.
    pub unassigned: u32,
    /// Seconds since the search started.
    pub elapsed_s: f64,
    /// Iterations so far.
    pub iterations: u64,
}

/// Search options a job was submitted with.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct JobSearch {
    /// Iterations per solver thread instead of the time limit.
    pub iteration_limit: Option<u64>,
    /// Solver threads; 0 for the server's default.
    pub threads: u32,
    /// The job re-plans a previous job's plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replan: Option<JobReplan>,
}

/// A re-plan: the job re-planned, its plan as it was when the re-plan was
/// submitted (so the job can run again after a restart whatever becomes of
/// the other job), the runs kept and the cost of a pupil changing vehicle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobReplan {
    /// The job re-planned.
    pub from_job: String,
    /// Its plan, as senroute JSON.
    pub previous_plan_json: String,
    /// Runs kept exactly (`3`, `am:3`, `pm:2`).
    pub locks: Vec<String>,
    /// £ per pupil who rides another vehicle than before.
    pub change_cost: f64,
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
    /// Replica holding the lease of the running attempt (or that held the
    /// latest one).
    pub lease_owner: Option<String>,
    /// Fencing token: goes up by one with every claim.
    pub lease_token: i64,
    /// End of the current lease, Unix milliseconds.
    pub lease_until_ms: Option<i64>,
    /// Latest stored progress of the running attempt.
    pub progress: Option<Progress>,
    /// Bytes this job stores (problem, label and plan), counted against the
    /// owner's quota.
    pub stored_bytes: i64,
    /// Search options of the submission.
    pub search: Option<JobSearch>,
}

impl JobRecord {
    /// The lease of the current attempt, as a worker that claimed the job
    /// holds it.
    pub fn lease(&self) -> Lease {
        Lease {
            job_id: self.id.clone(),
            token: self.lease_token,
        }
    }
}

/// What a worker holds while it plans a job: every write it makes names the
/// lease, and a write under a lease that was taken over changes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The job.
    pub job_id: String,
    /// The fencing token of the claim.
    pub token: i64,
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
    /// Search options.
    pub search: Option<JobSearch>,
}

impl NewJob {
    /// Bytes the job stores before it has a plan.
    pub fn stored_bytes(&self) -> i64 {
        i64::try_from(self.problem_json.len() + self.label.len()).unwrap_or(i64::MAX)
    }
}

/// Bounds on what the queue and each borough may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quotas {
    /// Most jobs queued in total.
    pub queue_limit: usize,
    /// Most jobs queued by one owner borough.
    pub borough_queue_limit: usize,
    /// Most bytes (problems, labels and plans of jobs not yet removed by the
    /// retention period) one owner borough stores.
    pub borough_stored_bytes: u64,
}

impl Default for Quotas {
    fn default() -> Self {
        Quotas {
            queue_limit: 64,
            borough_queue_limit: 32,
            borough_stored_bytes: 256 << 20,
        }
    }
}

/// Why a submission was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The queue holds `limit` jobs.
    QueueFull {
        /// The limit.
        limit: usize,
    },
    /// The borough has `limit` jobs queued.
    BoroughQueueFull {
        /// The limit.
        limit: usize,
    },
    /// The borough's stored jobs would exceed its byte quota.
    BoroughStorageFull {
        /// Bytes stored now.
        used: u64,
        /// The quota.
        limit: u64,
    },
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::QueueFull { limit } => write!(
                f,
                "the job queue is full ({limit} jobs waiting); retry later with backoff"
            ),
            Refusal::BoroughQueueFull { limit } => write!(
                f,
                "your borough already has {limit} jobs waiting, its limit; retry when some have started"
            ),
            Refusal::BoroughStorageFull { used, limit } => write!(
                f,
                "your borough's stored jobs use {} of its {} MiB; finished jobs are removed after the retention period",
                mib(*used),
                mib(*limit)
            ),
        }
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / f64::from(1u32 << 20))
}

/// What [`JobStore::insert`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum InsertOutcome {
    /// The job is stored (and durable).
    Inserted(JobRecord),
    /// The owner already submitted a job with this request id; nothing stored.
    Existing(JobRecord),
    /// A quota refused it; nothing stored.
    Refused(Refusal),
}

/// What a claim asks for.
#[derive(Debug, Clone)]
pub struct Claim {
    /// Id of the claiming replica (stored as the lease owner).
    pub replica: String,
    /// Now, Unix milliseconds.
    pub now_ms: i64,
    /// Length of the lease, milliseconds.
    pub lease_ms: i64,
}

/// What [`JobStore::renew`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewal {
    /// The lease is extended.
    Held {
        /// The owner asked to cancel the job.
        cancel_requested: bool,
    },
    /// Another replica took the job over, or it ended: stop and write nothing.
    Lost,
}

/// Which running jobs [`JobStore::recover`] treats as interrupted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecoverScope {
    /// Every running job: only one server uses this database, so a job still
    /// running at its start was interrupted (SQLite).
    AllRunning,
    /// Only jobs whose lease has expired: other replicas may be planning the
    /// rest (PostgreSQL).
    ExpiredLeases,
}

/// Interrupted jobs found (at start, or with expired leases), and what
/// became of them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recovery {
    /// Put back in the queue to run again.
    pub requeued: Vec<String>,
    /// Marked failed: they had used up their attempts.
    pub failed: Vec<String>,
    /// Marked cancelled: their owner had asked to cancel them.
    pub cancelled: Vec<String>,
}

impl Recovery {
    /// True when nothing was found.
    pub fn is_empty(&self) -> bool {
        self.requeued.is_empty() && self.failed.is_empty() && self.cancelled.is_empty()
    }
}

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite reported an error.
    #[error("job database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL reported an error.
    #[error("job database: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// No PostgreSQL connection could be had.
    #[error("job database: {0}")]
    Pool(String),
    /// The database holds something this version cannot read.
    #[error("job database is corrupt: {0}")]
    Corrupt(String),
    /// The data directory could not be created.
    #[error("cannot create data directory: {0}")]
    Io(#[from] std::io::Error),
}

/// Longest failure reason stored; longer ones are cut.
pub const MAX_REASON_BYTES: usize = 2048;

/// `s` cut to at most `max` bytes at a character boundary.
pub fn clip(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn exhausted_reason(attempts: u32) -> String {
    format!(
        "the server stopped while planning this job {attempts} times; \
         not retried again (the problem may be too large for the server)"
    )
}

/// A borough's place in the round-robin order: boroughs never served come
/// first, then the one served longest ago; ties (never served) go by the
/// oldest queued job. Smaller goes first.
type TurnKey = (bool, Option<i64>, i64);

/// The [`TurnKey`] of a borough with turn `last_turn` whose oldest queued
/// job has `min_seq`.
fn turn_key(last_turn: Option<i64>, min_seq: i64) -> TurnKey {
    (last_turn.is_some(), last_turn, min_seq)
}

/// Jobs queued ahead of one in round-robin order: `rank` jobs of its own
/// borough, and from every other borough as many as get a turn before it
/// (`rank + 1` for boroughs whose turn comes first, `rank` for the others),
/// at most what they have queued. `others` is (queued jobs, turn key) per
/// other borough.
fn round_robin_position(rank: i64, own: TurnKey, others: &[(i64, TurnKey)]) -> u32 {
    let ahead: i64 = rank
        + others
            .iter()
            .map(|&(queued, key)| queued.min(rank + i64::from(key < own)))
            .sum::<i64>();
    u32::try_from(ahead.max(0)).unwrap_or(u32::MAX)
}

/// [`round_robin_position`] of a job of `owner` with `rank` older queued
/// jobs of its borough, from (borough, queued jobs, turn key) per borough
/// with queued jobs.
fn position_in(owner: &str, rank: i64, boroughs: &[(String, i64, TurnKey)]) -> u32 {
    let own = boroughs
        .iter()
        .find(|(b, _, _)| b == owner)
        .map_or((false, None, 0), |(_, _, k)| *k);
    let others: Vec<(i64, TurnKey)> = boroughs
        .iter()
        .filter(|(b, _, _)| b != owner)
        .map(|(_, n, k)| (*n, *k))
        .collect();
    round_robin_position(rank, own, &others)
}

/// Job storage used by the service.
#[tonic::async_trait]
pub trait JobStore: Send + Sync + 'static {
    /// Which running jobs [`JobStore::recover`] should treat as interrupted
    /// when a server starts.
    fn recover_scope(&self) -> RecoverScope;
    /// Stores a new job atomically with its input, unless a quota refuses it
    /// or the owner already used `request_id`.
    async fn insert(&self, job: NewJob, quotas: Quotas) -> Result<InsertOutcome, StoreError>;
    /// Whether a submission of `borough` would be refused now: a cheap check
    /// made before the request is decoded. [`JobStore::insert`] checks again.
    async fn admission(&self, borough: &str, quotas: Quotas)
        -> Result<Option<Refusal>, StoreError>;
    /// The job with this id.
    async fn get(&self, id: &str) -> Result<Option<JobRecord>, StoreError>;
    /// Jobs `borough` owns or participates in, newest first, with `seq`
    /// below `before_seq` when given.
    async fn list(
        &self,
        borough: &str,
        limit: usize,
        before_seq: Option<i64>,
    ) -> Result<Vec<JobRecord>, StoreError>;
    /// Jobs queued ahead of `id` in the fair order.
    async fn queue_position(&self, id: &str) -> Result<u32, StoreError>;
    /// The stored problem JSON of a job.
    async fn problem_json(&self, id: &str) -> Result<Option<String>, StoreError>;
    /// The stored plan JSON of a succeeded job.
    async fn plan_json(&self, id: &str) -> Result<Option<String>, StoreError>;
    /// Moves the next queued job in fair order to running under a new lease
    /// of `claim.replica`, counting an attempt.
    async fn claim_next(&self, claim: &Claim) -> Result<Option<JobRecord>, StoreError>;
    /// Extends a lease to `now_ms + lease_ms` and stores the latest progress.
    async fn renew(
        &self,
        lease: &Lease,
        now_ms: i64,
        lease_ms: i64,
        progress: Option<Progress>,
    ) -> Result<Renewal, StoreError>;
    /// Stores the plan of a running job and marks it succeeded. False (and
    /// nothing written) when the lease was lost.
    async fn complete(
        &self,
        lease: &Lease,
        plan_json: &str,
        summary: Summary,
        now_ms: i64,
    ) -> Result<bool, StoreError>;
    /// Marks a running job failed. False when the lease was lost.
    async fn fail(&self, lease: &Lease, reason: &str, now_ms: i64) -> Result<bool, StoreError>;
    /// Cancels a queued job at once, or flags a running one for its worker.
    /// Returns the job afterwards.
    async fn request_cancel(&self, id: &str, now_ms: i64) -> Result<Option<JobRecord>, StoreError>;
    /// Marks a running job cancelled (its worker stopped). False when the
    /// lease was lost.
    async fn mark_cancelled(&self, lease: &Lease, now_ms: i64) -> Result<bool, StoreError>;
    /// Puts a running job back in the queue without counting the attempt
    /// (graceful shutdown). False when the lease was lost.
    async fn requeue(&self, lease: &Lease) -> Result<bool, StoreError>;
    /// Running jobs in `scope` were interrupted: requeues those with fewer
    /// than `max_attempts` attempts, fails the rest, cancels those whose
    /// owner asked to.
    async fn recover(
        &self,
        scope: RecoverScope,
        max_attempts: u32,
        now_ms: i64,
    ) -> Result<Recovery, StoreError>;
    /// [`JobStore::recover`] of the jobs whose lease expired before `now_ms`:
    /// called by idle workers of every replica, so a dead replica's jobs run
    /// again.
    async fn expire_leases(&self, max_attempts: u32, now_ms: i64) -> Result<Recovery, StoreError> {
        self.recover(RecoverScope::ExpiredLeases, max_attempts, now_ms)
            .await
    }
    /// Removes jobs that ended before `before_ms`, with their inputs and
    /// plans. Returns how many.
    async fn purge_finished(&self, before_ms: i64) -> Result<u64, StoreError>;
}

/// Opens the store a server is configured with: PostgreSQL for a
/// `postgres://` or `postgresql://` URL, otherwise SQLite in `data_dir`.
/// Applies pending schema migrations.
pub async fn open(
    url: Option<&str>,
    data_dir: &std::path::Path,
    pool_size: usize,
) -> Result<std::sync::Arc<dyn JobStore>, StoreError> {
    match url {
        Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
            Ok(std::sync::Arc::new(PgStore::connect(u, pool_size).await?))
        }
        Some(u) => Err(StoreError::Pool(format!(
            "unsupported store {:?}: give a postgres:// URL, or leave --store out for SQLite under --data-dir",
            clip(u, 40)
        ))),
        None => {
            let dir = data_dir.to_path_buf();
            let store = tokio::task::spawn_blocking(move || SqliteStore::open(&dir))
                .await
                .map_err(|e| StoreError::Corrupt(format!("store task failed: {e}")))??;
            Ok(std::sync::Arc::new(store))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_follow_the_turns() {
        let never = |seq| turn_key(None, seq);
        let served = |turn, seq| turn_key(Some(turn), seq);
        // Own borough never served; A has 20 queued and was served.
        assert_eq!(round_robin_position(0, never(30), &[(20, served(5, 1))]), 0);
        // Both never served: the older job's borough first.
        assert_eq!(round_robin_position(0, never(30), &[(20, never(1))]), 1);
        // Own borough served at turn 3, A at turn 5: A goes after.
        assert_eq!(
            round_robin_position(2, served(3, 9), &[(20, served(5, 1))]),
            4
        );
        // A served before us (turn 1 < 3): A gets rank + 1 turns first.
        assert_eq!(
            round_robin_position(2, served(3, 9), &[(20, served(1, 1))]),
            5
        );
        // ... but no more than it has queued.
        assert_eq!(
            round_robin_position(2, served(3, 9), &[(1, served(1, 1))]),
            3
        );
    }

    #[test]
    fn clip_keeps_whole_characters() {
        assert_eq!(clip("héllo", 2), "h");
        assert_eq!(clip("héllo", 3), "hé");
        assert_eq!(clip("abc", 10), "abc");
    }
}
