//! The store contract: one suite of tests, run against both backends
//! (SQLite in memory, and PostgreSQL in a fresh schema of the local server).

mod common;

use common::pg;
use senroute_service::store::{
    Claim, InsertOutcome, JobRecord, JobState, JobStore, NewJob, PgStore, Progress, Quotas,
    RecoverScope, Refusal, Renewal, SqliteStore, Summary,
};
use std::collections::HashSet;
use std::sync::Arc;

const A: &str = "E09000007";
const B: &str = "E09000033";
const C: &str = "E09000001";

fn job(id: &str, owner: &str, rid: Option<&str>) -> NewJob {
    NewJob {
        id: id.into(),
        owner: owner.into(),
        participants: vec![owner.into(), B.into()],
        label: "test".into(),
        request_id: rid.map(Into::into),
        pupils: 3,
        created_ms: 1,
        salt: vec![1, 2, 3],
        problem_json: "{}".into(),
        search: None,
    }
}

fn roomy() -> Quotas {
    Quotas {
        queue_limit: 1000,
        borough_queue_limit: 1000,
        borough_stored_bytes: 1 << 30,
    }
}

async fn put(s: &dyn JobStore, id: &str, owner: &str) -> JobRecord {
    match s.insert(job(id, owner, None), roomy()).await.unwrap() {
        InsertOutcome::Inserted(r) => r,
        other => panic!("expected an insert, got {other:?}"),
    }
}

fn claim(replica: &str, now_ms: i64) -> Claim {
    Claim {
        replica: replica.into(),
        now_ms,
        lease_ms: 1000,
    }
}

async fn next(s: &dyn JobStore, now_ms: i64) -> JobRecord {
    s.claim_next(&claim("r1", now_ms)).await.unwrap().unwrap()
}

async fn quotas_and_idempotency(s: Arc<dyn JobStore>) {
    let q = Quotas {
        queue_limit: 3,
        borough_queue_limit: 2,
        borough_stored_bytes: 100,
    };
    let a = s.insert(job("a", A, Some("r1")), q).await.unwrap();
    let InsertOutcome::Inserted(a) = a else {
        panic!("{a:?}")
    };
    assert_eq!(a.participants, vec![A, B]);
    assert_eq!(a.stored_bytes, 6, "problem and label bytes");
    assert!(matches!(
        s.insert(job("a2", A, Some("r1")), q).await.unwrap(),
        InsertOutcome::Existing(r) if r.id == "a"
    ));
    // Same request id from another borough is another job.
    assert!(matches!(
        s.insert(job("b", C, Some("r1")), q).await.unwrap(),
        InsertOutcome::Inserted(_)
    ));
    assert!(matches!(
        s.insert(job("a3", A, None), q).await.unwrap(),
        InsertOutcome::Inserted(_)
    ));
    // Three queued: the queue's limit.
    assert_eq!(
        s.insert(job("c1", C, None), q).await.unwrap(),
        InsertOutcome::Refused(Refusal::QueueFull { limit: 3 })
    );
    assert_eq!(
        s.admission(A, q).await.unwrap(),
        Some(Refusal::QueueFull { limit: 3 })
    );
    // A has 2 queued: its own limit, whatever room the queue has.
    let q2 = Quotas {
        queue_limit: 10,
        ..q
    };
    assert_eq!(
        s.insert(job("a4", A, None), q2).await.unwrap(),
        InsertOutcome::Refused(Refusal::BoroughQueueFull { limit: 2 })
    );
    assert_eq!(
        s.admission(A, q2).await.unwrap(),
        Some(Refusal::BoroughQueueFull { limit: 2 })
    );
    assert_eq!(s.admission(C, q2).await.unwrap(), None);
    // Bytes: C stores 6 of 10 allowed; a 6-byte job more is refused.
    let q3 = Quotas {
        borough_stored_bytes: 10,
        ..q2
    };
    assert_eq!(
        s.insert(job("c2", C, None), q3).await.unwrap(),
        InsertOutcome::Refused(Refusal::BoroughStorageFull { used: 6, limit: 10 })
    );
    assert!(
        s.get("a4").await.unwrap().is_none(),
        "refused jobs are not stored"
    );
}

async fn round_robin_claims(s: Arc<dyn JobStore>) {
    // A queues a backlog, then B and C one job each.
    for id in ["a1", "a2", "a3", "a4"] {
        put(&*s, id, A).await;
    }
    put(&*s, "b1", B).await;
    put(&*s, "b2", B).await;
    put(&*s, "c1", C).await;
    assert_eq!(s.queue_position("a1").await.unwrap(), 0);
    assert_eq!(s.queue_position("c1").await.unwrap(), 2);
    let mut order = Vec::new();
    for t in 0..7 {
        let j = next(&*s, t).await;
        assert_eq!(j.state, JobState::Running);
        assert_eq!(j.lease_owner.as_deref(), Some("r1"));
        order.push(j.id);
    }
    assert_eq!(order, ["a1", "b1", "c1", "a2", "b2", "a3", "a4"]);
    assert!(s.claim_next(&claim("r1", 9)).await.unwrap().is_none());
    // A borough arriving after a backlog goes next.
    put(&*s, "a5", A).await;
    put(&*s, "a6", A).await;
    put(&*s, "b3", B).await;
    assert_eq!(s.queue_position("b3").await.unwrap(), 0);
    assert_eq!(next(&*s, 10).await.id, "b3");
}

async fn listing_and_paging(s: Arc<dyn JobStore>) {
    for (id, owner) in [("a", A), ("b", C), ("c", A)] {
        put(&*s, id, owner).await;
    }
    assert_eq!(s.list(B, 10, None).await.unwrap().len(), 3, "participant");
    let page = s.list(A, 1, None).await.unwrap();
    assert_eq!(page[0].id, "c");
    let rest = s.list(A, 10, Some(page[0].seq)).await.unwrap();
    assert_eq!(
        rest.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(),
        ["a"]
    );
    assert!(s.list("E09000002", 10, None).await.unwrap().is_empty());
    assert_eq!(s.problem_json("a").await.unwrap().as_deref(), Some("{}"));
    assert_eq!(s.plan_json("a").await.unwrap(), None);
}

async fn leases_and_fencing(s: Arc<dyn JobStore>) {
    put(&*s, "a", A).await;
    let first = next(&*s, 0).await;
    let old = first.lease();
    assert_eq!((first.attempts, first.lease_until_ms), (1, Some(1000)));
    let p = Progress {
        best_cost: 9.0,
        iterations: 7,
        ..Progress::default()
    };
    assert_eq!(
        s.renew(&old, 500, 1000, Some(p)).await.unwrap(),
        Renewal::Held {
            cancel_requested: false
        }
    );
    let j = s.get("a").await.unwrap().unwrap();
    assert_eq!((j.lease_until_ms, j.progress), (Some(1500), Some(p)));
    // Not expired yet.
    assert!(s.expire_leases(3, 1400).await.unwrap().is_empty());
    // The replica goes silent: expired, requeued, claimed by another.
    let r = s.expire_leases(3, 1600).await.unwrap();
    assert_eq!(r.requeued, vec!["a".to_string()]);
    let second = s.claim_next(&claim("r2", 1700)).await.unwrap().unwrap();
    assert_eq!(second.attempts, 2);
    assert_eq!(second.lease_owner.as_deref(), Some("r2"));
    assert!(second.lease_token > old.token);
    assert_eq!(second.progress, None);
    // Every write of the old holder is refused.
    assert_eq!(
        s.renew(&old, 1800, 1000, None).await.unwrap(),
        Renewal::Lost
    );
    assert!(!s
        .complete(&old, "{\"old\":1}", Summary::default(), 1800)
        .await
        .unwrap());
    assert!(!s.fail(&old, "late", 1800).await.unwrap());
    assert!(!s.mark_cancelled(&old, 1800).await.unwrap());
    assert!(!s.requeue(&old).await.unwrap());
    let sum = Summary {
        cost: 12.5,
        vehicles: 2,
        ..Summary::default()
    };
    assert!(s
        .complete(&second.lease(), "{\"x\":1}", sum, 1900)
        .await
        .unwrap());
    // ... also after the new holder finished.
    assert!(!s
        .complete(&old, "{\"old\":1}", Summary::default(), 2000)
        .await
        .unwrap());
    let a = s.get("a").await.unwrap().unwrap();
    assert_eq!(
        (a.state, a.summary, a.finished_ms, a.attempts),
        (JobState::Succeeded, Some(sum), Some(1900), 2)
    );
    assert_eq!(
        s.plan_json("a").await.unwrap().as_deref(),
        Some("{\"x\":1}")
    );
    assert_eq!(a.stored_bytes, 6 + 7, "the plan counts against the quota");
    // Terminal jobs stay terminal.
    assert!(!s.fail(&second.lease(), "late", 2100).await.unwrap());
    s.request_cancel("a", 2100).await.unwrap();
    assert_eq!(
        s.get("a").await.unwrap().unwrap().state,
        JobState::Succeeded
    );
}

async fn attempts_are_bounded_across_replicas(s: Arc<dyn JobStore>) {
    put(&*s, "a", A).await;
    for (attempt, t) in [(1, 0), (2, 10_000), (3, 20_000)] {
        let j = s
            .claim_next(&claim(&format!("r{attempt}"), t))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(j.attempts, attempt);
        let r = s.expire_leases(3, t + 5000).await.unwrap();
        if attempt < 3 {
            assert_eq!(r.requeued, vec!["a".to_string()]);
        } else {
            assert_eq!(r.failed, vec!["a".to_string()]);
        }
    }
    let a = s.get("a").await.unwrap().unwrap();
    assert_eq!((a.state, a.attempts), (JobState::Failed, 3));
    assert!(a.failure_reason.contains("3 times"), "{}", a.failure_reason);
    // A graceful requeue does not count the attempt.
    put(&*s, "b", A).await;
    let j = next(&*s, 30_000).await;
    assert!(s.requeue(&j.lease()).await.unwrap());
    let b = s.get("b").await.unwrap().unwrap();
    assert_eq!((b.state, b.attempts), (JobState::Queued, 0));
}

async fn cancel_queued_and_running(s: Arc<dyn JobStore>) {
    put(&*s, "a", A).await;
    put(&*s, "b", A).await;
    put(&*s, "c", A).await;
    let a = next(&*s, 0).await;
    let after = s.request_cancel("a", 1).await.unwrap().unwrap();
    assert_eq!(
        (after.state, after.cancel_requested),
        (JobState::Running, true)
    );
    assert_eq!(
        s.renew(&a.lease(), 2, 1000, None).await.unwrap(),
        Renewal::Held {
            cancel_requested: true
        }
    );
    assert!(s.mark_cancelled(&a.lease(), 3).await.unwrap());
    assert_eq!(
        s.get("a").await.unwrap().unwrap().state,
        JobState::Cancelled
    );
    let b = s.request_cancel("b", 4).await.unwrap().unwrap();
    assert_eq!(
        b.state,
        JobState::Cancelled,
        "a queued job is cancelled at once"
    );
    // A running job whose replica died after its owner cancelled it.
    let c = next(&*s, 5).await;
    assert_eq!(c.id, "c");
    s.request_cancel("c", 6).await.unwrap();
    let r = s.expire_leases(3, 5000).await.unwrap();
    assert_eq!(r.cancelled, vec!["c".to_string()]);
    assert_eq!(
        s.get("c").await.unwrap().unwrap().state,
        JobState::Cancelled
    );
}

async fn recovery_scopes(s: Arc<dyn JobStore>) {
    put(&*s, "a", A).await;
    put(&*s, "b", A).await;
    next(&*s, 0).await;
    // Lease still valid: only the single-server scope takes it back.
    assert!(s
        .recover(RecoverScope::ExpiredLeases, 3, 10)
        .await
        .unwrap()
        .is_empty());
    let r = s.recover(RecoverScope::AllRunning, 3, 10).await.unwrap();
    assert_eq!(r.requeued, vec!["a".to_string()]);
    assert_eq!(s.get("b").await.unwrap().unwrap().state, JobState::Queued);
}

async fn retention_frees_the_quota(s: Arc<dyn JobStore>) {
    put(&*s, "a", A).await;
    put(&*s, "b", A).await;
    let a = next(&*s, 0).await;
    assert!(s.fail(&a.lease(), "no", 100).await.unwrap());
    let b = next(&*s, 200).await;
    assert!(s
        .complete(&b.lease(), "{}", Summary::default(), 300)
        .await
        .unwrap());
    let q = Quotas {
        borough_stored_bytes: 12,
        ..roomy()
    };
    assert!(matches!(
        s.insert(job("c", A, None), q).await.unwrap(),
        InsertOutcome::Refused(Refusal::BoroughStorageFull { .. })
    ));
    assert_eq!(
        s.purge_finished(200).await.unwrap(),
        1,
        "only a ended before"
    );
    assert!(s.get("a").await.unwrap().is_none());
    assert!(s.problem_json("a").await.unwrap().is_none());
    assert_eq!(s.list(B, 10, None).await.unwrap().len(), 1);
    assert_eq!(s.purge_finished(1000).await.unwrap(), 1);
    assert!(s.plan_json("b").await.unwrap().is_none());
    assert!(matches!(
        s.insert(job("c", A, None), q).await.unwrap(),
        InsertOutcome::Inserted(_)
    ));
}

async fn concurrent_claims_take_each_job_once(s: Arc<dyn JobStore>) {
    for i in 0..40 {
        put(&*s, &format!("j{i:02}"), [A, B, C][i % 3]).await;
    }
    let mut tasks = Vec::new();
    for w in 0..8 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            while let Some(j) = s.claim_next(&claim(&format!("w{w}"), 1)).await.unwrap() {
                got.push(j.id);
            }
            got
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let unique: HashSet<_> = all.iter().collect();
    assert_eq!((all.len(), unique.len()), (40, 40), "{all:?}");
}

/// Runs one contract test against both backends.
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(Arc::new(SqliteStore::in_memory().unwrap())).await;
                }
            )*
        }
        mod postgres {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(schema) = pg::schema(stringify!($name)).await else { return };
                    let store = PgStore::connect(&schema.url, 8).await.unwrap();
                    super::$name(Arc::new(store)).await;
                    schema.drop().await;
                }
            )*
        }
    };
}

contract!(
    quotas_and_idempotency,
    round_robin_claims,
    listing_and_paging,
    leases_and_fencing,
    attempts_are_bounded_across_replicas,
    cancel_queued_and_running,
    recovery_scopes,
    retention_frees_the_quota,
    concurrent_claims_take_each_job_once,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_migrations_are_safe_when_replicas_start_together() {
    let Some(schema) = pg::schema("migrations").await else {
        return;
    };
    let starts: Vec<_> = (0..4)
        .map(|_| {
            let url = schema.url.clone();
            tokio::spawn(async move { PgStore::connect(&url, 2).await.map(|_| ()) })
        })
        .collect();
    for s in starts {
        s.await.unwrap().unwrap();
    }
    let (client, conn) = tokio_postgres::connect(&schema.url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let versions: Vec<i64> = client
        .query("SELECT version FROM senroute_schema ORDER BY version", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(versions, vec![1, 2], "each migration applied once");
    schema.drop().await;
}

#[tokio::test]
async fn sqlite_migrates_a_version_1_database() {
    let mut b = [0u8; 6];
    getrandom::fill(&mut b).unwrap();
    let dir =
        std::env::temp_dir().join(format!("senroute-mig-{}", senroute_service::auth::hex(&b)));
    std::fs::create_dir_all(&dir).unwrap();
    {
        // What the single-server release left: schema version 1, a running job.
        let conn = rusqlite::Connection::open(dir.join("jobs.sqlite3")).unwrap();
        conn.execute_batch(
            "CREATE TABLE jobs (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
               owner TEXT NOT NULL, label TEXT NOT NULL, request_id TEXT, state TEXT NOT NULL,
               pupils INTEGER NOT NULL, created_ms INTEGER NOT NULL, started_ms INTEGER,
               finished_ms INTEGER, attempts INTEGER NOT NULL DEFAULT 0,
               failure_reason TEXT NOT NULL DEFAULT '', cancel_requested INTEGER NOT NULL DEFAULT 0,
               salt BLOB NOT NULL, summary TEXT);
             CREATE TABLE job_boroughs (job_id TEXT NOT NULL, borough TEXT NOT NULL,
               PRIMARY KEY (job_id, borough));
             CREATE TABLE inputs (job_id TEXT PRIMARY KEY, problem_json TEXT NOT NULL);
             CREATE TABLE plans (job_id TEXT PRIMARY KEY, plan_json TEXT NOT NULL);
             INSERT INTO jobs (id, owner, label, state, pupils, created_ms, attempts, salt)
               VALUES ('old', 'E09000007', 'lbl', 'running', 3, 1, 1, x'00');
             INSERT INTO job_boroughs VALUES ('old', 'E09000007');
             INSERT INTO inputs VALUES ('old', '{\"p\":1}');
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let s = SqliteStore::open(&dir).unwrap();
    let old = s.get("old").await.unwrap().unwrap();
    assert_eq!((old.stored_bytes, old.lease_token), (3 + 7, 0));
    let r = s.recover(RecoverScope::AllRunning, 3, 5).await.unwrap();
    assert_eq!(r.requeued, vec!["old".to_string()]);
    drop(s);
    std::fs::remove_dir_all(&dir).unwrap();
}
