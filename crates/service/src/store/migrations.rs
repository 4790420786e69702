//! Versioned schema migrations of both backends, applied when a server
//! starts. Each migration runs in its own transaction (SQLite) or all
//! pending ones in one transaction under an advisory lock (PostgreSQL), so
//! two replicas starting together apply each migration exactly once. A
//! database newer than the server is refused rather than misread.

use super::StoreError;

/// SQLite migrations: version `i + 1` is `SQLITE[i]`, recorded in
/// `PRAGMA user_version`.
pub(super) const SQLITE: &[&str] = &[
    // 1: the single-server schema.
    "
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
",
    // 2: leases and fencing tokens, stored progress, round-robin turns,
    // per-borough byte accounting and retention.
    "
ALTER TABLE jobs ADD COLUMN lease_owner TEXT;
ALTER TABLE jobs ADD COLUMN lease_token INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN lease_until_ms INTEGER;
ALTER TABLE jobs ADD COLUMN progress TEXT;
ALTER TABLE jobs ADD COLUMN stored_bytes INTEGER NOT NULL DEFAULT 0;
UPDATE jobs SET stored_bytes = length(CAST(label AS BLOB))
    + COALESCE((SELECT length(CAST(problem_json AS BLOB)) FROM inputs WHERE job_id = jobs.id), 0)
    + COALESCE((SELECT length(CAST(plan_json AS BLOB)) FROM plans WHERE job_id = jobs.id), 0);
CREATE INDEX jobs_owner_state ON jobs(owner, state);
CREATE INDEX jobs_finished ON jobs(finished_ms) WHERE finished_ms IS NOT NULL;
CREATE TABLE borough_turns (
    borough TEXT PRIMARY KEY,
    last_turn INTEGER NOT NULL
);
",
    // 3: search options of a submission (iteration limit, threads).
    "ALTER TABLE jobs ADD COLUMN search TEXT;",
];

/// PostgreSQL migrations: version `i + 1` is `POSTGRES[i]`, recorded in the
/// table `senroute_schema`.
pub(super) const POSTGRES: &[&str] = &[
    // 1: jobs, leases, turns, quotas.
    "
CREATE TABLE jobs (
    seq BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    owner TEXT NOT NULL,
    label TEXT NOT NULL,
    request_id TEXT,
    state TEXT NOT NULL,
    pupils BIGINT NOT NULL,
    created_ms BIGINT NOT NULL,
    started_ms BIGINT,
    finished_ms BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0,
    failure_reason TEXT NOT NULL DEFAULT '',
    cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
    salt BYTEA NOT NULL,
    summary TEXT,
    lease_owner TEXT,
    lease_token BIGINT NOT NULL DEFAULT 0,
    lease_until_ms BIGINT,
    progress TEXT,
    stored_bytes BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX jobs_request ON jobs(owner, request_id) WHERE request_id IS NOT NULL;
CREATE INDEX jobs_state ON jobs(state, seq);
CREATE INDEX jobs_owner_state ON jobs(owner, state);
CREATE INDEX jobs_finished ON jobs(finished_ms) WHERE finished_ms IS NOT NULL;
CREATE TABLE job_boroughs (
    job_id TEXT NOT NULL,
    borough TEXT NOT NULL,
    PRIMARY KEY (job_id, borough)
);
CREATE INDEX job_boroughs_borough ON job_boroughs(borough, job_id);
CREATE TABLE inputs (
    job_id TEXT PRIMARY KEY,
    problem_json TEXT NOT NULL
);
CREATE TABLE plans (
    job_id TEXT PRIMARY KEY,
    plan_json TEXT NOT NULL
);
CREATE TABLE borough_turns (
    borough TEXT PRIMARY KEY,
    last_turn BIGINT NOT NULL
);
CREATE SEQUENCE borough_turn_seq;
",
    // 2: search options of a submission (iteration limit, threads).
    "ALTER TABLE jobs ADD COLUMN search TEXT;",
];

/// Applies the pending SQLite migrations, each in its own transaction.
pub(super) fn sqlite(conn: &mut rusqlite::Connection) -> Result<(), StoreError> {
    let latest = i64::try_from(SQLITE.len()).unwrap_or(i64::MAX);
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > latest {
        return Err(StoreError::Corrupt(format!(
            "database schema version {version} is newer than this server's {latest}"
        )));
    }
    for (i, sql) in SQLITE.iter().enumerate().skip(version.max(0) as usize) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

/// Key of the PostgreSQL advisory lock that serialises migrations
/// ("senroute" in ASCII).
const PG_MIGRATION_LOCK: i64 = 0x73656e726f757465;

/// Applies the pending PostgreSQL migrations in one transaction holding an
/// advisory lock: a second replica starting at the same moment waits, then
/// finds them applied.
pub(super) async fn postgres(client: &mut deadpool_postgres::Client) -> Result<(), StoreError> {
    let latest = i64::try_from(POSTGRES.len()).unwrap_or(i64::MAX);
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&PG_MIGRATION_LOCK])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS senroute_schema (
            version BIGINT PRIMARY KEY,
            applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )",
    )
    .await?;
    let version: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0)::BIGINT FROM senroute_schema",
            &[],
        )
        .await?
        .get(0);
    if version > latest {
        return Err(StoreError::Corrupt(format!(
            "database schema version {version} is newer than this server's {latest}"
        )));
    }
    for (i, sql) in POSTGRES.iter().enumerate().skip(version.max(0) as usize) {
        tx.batch_execute(sql).await?;
        tx.execute(
            "INSERT INTO senroute_schema (version) VALUES ($1)",
            &[&(i as i64 + 1)],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
