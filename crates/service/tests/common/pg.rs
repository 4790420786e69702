//! PostgreSQL for tests: the local server (`SENROUTE_TEST_PG`, default
//! `postgres://root@127.0.0.1:5432/test`), one fresh schema per test.
//!
//! When the server is unreachable the test is skipped with a message on the
//! terminal (written past cargo's output capture); with `CI=true` it fails.

#![allow(dead_code)] // each test binary uses a part

use std::io::Write;
use std::time::Duration;

/// The database tests use.
pub fn base_url() -> String {
    std::env::var("SENROUTE_TEST_PG")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".into())
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// A fresh schema of the test database.
pub struct Schema {
    /// URL whose connections use the schema.
    pub url: String,
    /// Its name.
    pub name: String,
}

impl Schema {
    /// Drops the schema and everything in it.
    pub async fn drop(self) {
        if let Ok((client, conn)) =
            tokio_postgres::connect(&base_url(), tokio_postgres::NoTls).await
        {
            tokio::spawn(conn);
            let _ = client
                .batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name))
                .await;
        }
    }
}

/// A fresh schema for test `tag`, or `None` (test skipped) when no
/// PostgreSQL is reachable outside CI. Panics in CI.
pub async fn schema(tag: &str) -> Option<Schema> {
    let base = base_url();
    let connect = tokio::time::timeout(
        Duration::from_secs(5),
        tokio_postgres::connect(&base, tokio_postgres::NoTls),
    )
    .await;
    let (client, conn) = match connect {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => return unreachable_pg(tag, &base, &e.to_string()),
        Err(_) => return unreachable_pg(tag, &base, "timed out"),
    };
    tokio::spawn(conn);
    let mut b = [0u8; 6];
    getrandom::fill(&mut b).unwrap();
    let name = format!("t_{tag}_{}", senroute_service::auth::hex(&b));
    client
        .batch_execute(&format!("CREATE SCHEMA {name}"))
        .await
        .expect("create a test schema");
    let sep = if base.contains('?') { '&' } else { '?' };
    Some(Schema {
        url: format!("{base}{sep}options=-csearch_path%3D{name}"),
        name,
    })
}

fn unreachable_pg(tag: &str, base: &str, why: &str) -> Option<Schema> {
    if in_ci() {
        panic!("PostgreSQL is unreachable at {base} ({why}) and CI=true: test {tag} cannot run");
    }
    // Straight to the terminal: cargo test captures print!/eprint! only.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {tag}: PostgreSQL unreachable at {base} ({why}); set SENROUTE_TEST_PG or start it"
    );
    None
}
