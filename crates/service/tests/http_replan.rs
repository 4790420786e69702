//! Locking runs and re-planning through the web API: the locked runs come
//! back exactly, the changes are listed, only the submitting borough may
//! re-plan, and a day plan's runs are locked per session.

mod common;

use common::web::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// `v` with other boroughs' pupil tokens (salted per job) made equal.
fn untoken(v: &Value) -> Value {
    match v {
        Value::String(s) if s.starts_with("x-") => Value::String("x-".into()),
        Value::Array(a) => Value::Array(a.iter().map(untoken).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), untoken(v))).collect()),
        other => other.clone(),
    }
}

fn json_body(v: Value) -> Option<(&'static str, Vec<u8>)> {
    Some(("application/json", v.to_string().into_bytes()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lock_a_run_and_replan_keeps_it_and_lists_the_changes() {
    let (server, addr, keys) = server(false).await;
    let (camden, westminster, hackney) = (
        Some(keys[0].as_str()),
        Some(keys[1].as_str()),
        Some(keys[2].as_str()),
    );
    let id = submit_example(addr, camden).await;
    wait_succeeded(addr, &id, camden).await;
    let plan_of = |id: &str| format!("/api/v1/jobs/{id}/plan");
    let before = call(addr, "GET", &plan_of(&id), camden, None).await.json();

    let body = json!({ "locks": ["1"], "time_limit": 2 });
    let path = format!("/api/v1/jobs/{id}/replan");
    // Only the submitting borough re-plans; another borough's id is a 404
    // exactly as a missing id.
    let theirs = call(addr, "POST", &path, hackney, json_body(body.clone())).await;
    let missing = "job_000000000000000000000000";
    let absent = call(
        addr,
        "POST",
        &format!("/api/v1/jobs/{missing}/replan"),
        hackney,
        json_body(body.clone()),
    )
    .await;
    assert_eq!(theirs.status, 404);
    assert_eq!(theirs.text(), absent.text().replace(missing, &id));
    let participant = call(addr, "POST", &path, westminster, json_body(body.clone())).await;
    assert_eq!(
        participant.status,
        409,
        "a participant borough may not re-plan: {}",
        participant.text()
    );
    // A lock that names no run of the plan.
    let bad = call(
        addr,
        "POST",
        &path,
        camden,
        json_body(json!({ "locks": ["99"] })),
    )
    .await;
    assert_eq!(bad.status, 400, "{}", bad.text());
    assert!(bad.text().contains("99"), "{}", bad.text());

    let a = call(addr, "POST", &path, camden, json_body(body)).await;
    assert_eq!(a.status, 202, "{}", a.text());
    let new_id = a.json()["job"]["id"].as_str().unwrap().to_string();
    assert_ne!(new_id, id);
    wait_succeeded(addr, &new_id, camden).await;
    let after = call(addr, "GET", &plan_of(&new_id), camden, None)
        .await
        .json();
    assert_eq!(
        untoken(&after["routes"][0]),
        untoken(&before["routes"][0]),
        "the locked run kept exactly (times too, same inputs)"
    );
    let changes_path = format!("/api/v1/jobs/{new_id}/changes?from={id}");
    let changes = call(addr, "GET", &changes_path, camden, None).await;
    assert_eq!(changes.status, 200, "{}", changes.text());
    let changes = changes.json();
    assert_eq!(changes["from"], id.as_str());
    let list = changes["changes"].as_array().unwrap();
    let pupils: BTreeSet<&str> = list.iter().map(|c| c["pupil"].as_str().unwrap()).collect();
    assert_eq!(
        changes["pupils_changed"].as_u64().unwrap() as usize,
        pupils.len()
    );
    assert!(
        pupils.iter().all(|p| !p.starts_with("x-")),
        "no other borough's tokens: {list:?}"
    );
    let hidden = call(addr, "GET", &changes_path, hackney, None).await;
    assert_eq!(hidden.status, 404);
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_plan_is_replanned_with_runs_locked_in_each_session() {
    let (server, addr, _) = server(true).await;
    let (ct, body) = upload_session(&example("pupils"), "2", "day");
    let a = call(addr, "POST", "/api/v1/jobs", None, Some((&ct, body))).await;
    assert_eq!(a.status, 202, "{}", a.text());
    let id = a.json()["job"]["id"].as_str().unwrap().to_string();
    wait_succeeded(addr, &id, None).await;
    let before = call(addr, "GET", &format!("/api/v1/jobs/{id}/plan"), None, None)
        .await
        .json();
    let path = format!("/api/v1/jobs/{id}/replan");
    // A bare run number does not say which session of the day.
    let bare = call(
        addr,
        "POST",
        &path,
        None,
        json_body(json!({ "locks": ["1"] })),
    )
    .await;
    assert_eq!(bare.status, 400, "{}", bare.text());
    let a = call(
        addr,
        "POST",
        &path,
        None,
        json_body(json!({ "locks": ["am:1", "pm:2"], "time_limit": 2 })),
    )
    .await;
    assert_eq!(a.status, 202, "{}", a.text());
    let new_id = a.json()["job"]["id"].as_str().unwrap().to_string();
    wait_succeeded(addr, &new_id, None).await;
    let after = call(
        addr,
        "GET",
        &format!("/api/v1/jobs/{new_id}/plan"),
        None,
        None,
    )
    .await
    .json();
    assert_eq!(
        after["am"]["routes"][0], before["am"]["routes"][0],
        "AM run 1 locked"
    );
    assert_eq!(
        after["pm"]["routes"][1], before["pm"]["routes"][1],
        "PM run 2 locked"
    );
    let changes = call(
        addr,
        "GET",
        &format!("/api/v1/jobs/{new_id}/changes?from={id}"),
        None,
        None,
    )
    .await
    .json();
    assert!(changes["changes"].is_array(), "{changes}");
    server.shutdown().await.unwrap();
}
