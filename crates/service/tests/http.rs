//! The JSON API under /api/v1 and the page, over real sockets: uploads,
//! every endpoint, bad uploads, keys and borough isolation, the keyless app.

mod common;

use common::tempdir;
use common::web::*;
use senroute_service::{spawn, ServeConfig, ServeError};
use serde_json::Value;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_with_keys_and_isolation() {
    let (server, addr, keys) = server(false).await;
    let (camden, westminster, hackney) = (
        Some(keys[0].as_str()),
        Some(keys[1].as_str()),
        Some(keys[2].as_str()),
    );

    // The page and its assets need no key; the API does.
    let page = call(addr, "GET", "/", None, None).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("<script src=\"/app.js\""));
    for asset in ["/app.js", "/app.css"] {
        assert_eq!(
            call(addr, "GET", asset, None, None).await.status,
            200,
            "{asset}"
        );
    }
    let config = call(addr, "GET", "/api/v1/config", None, None).await.json();
    assert_eq!(config["needs_key"], true);
    let (ct, body) = upload(&example("pupils"), "2");
    let a = call(
        addr,
        "POST",
        "/api/v1/jobs",
        None,
        Some((&ct, body.clone())),
    )
    .await;
    assert_eq!(a.status, 401, "{}", a.text());
    let a = call(
        addr,
        "POST",
        "/api/v1/jobs",
        Some("srk_wrong"),
        Some((&ct, body)),
    )
    .await;
    assert_eq!(a.status, 401);

    // Submit, then follow the events to the end.
    let id = submit_example(addr, camden).await;
    let events = call(
        addr,
        "GET",
        &format!("/api/v1/jobs/{id}/events"),
        camden,
        None,
    )
    .await;
    assert_eq!(events.status, 200);
    assert!(events
        .header("content-type")
        .unwrap()
        .starts_with("text/event-stream"));
    let jobs: Vec<Value> = events
        .text()
        .lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .map(|d| serde_json::from_str::<Value>(d.trim()).unwrap())
        .collect();
    let last = jobs.last().expect("at least one event");
    assert_eq!(last["job"]["state"], "succeeded", "{jobs:?}");
    assert_eq!(last["kind"], "finished");

    let job = call(addr, "GET", &format!("/api/v1/jobs/{id}"), camden, None).await;
    assert_eq!(job.status, 200);
    let job = job.json();
    assert_eq!(job["job"]["state"], "succeeded");
    assert_eq!(job["job"]["owner_borough"], "E09000007");
    let progress = &job["job"]["progress"];
    assert!(progress["best_cost"].as_f64().unwrap() > 0.0);
    assert!(progress["vehicles"].as_u64().unwrap() > 0);

    let plan = call(
        addr,
        "GET",
        &format!("/api/v1/jobs/{id}/plan"),
        camden,
        None,
    )
    .await;
    assert_eq!(plan.status, 200);
    let plan = plan.json();
    let routes = plan["routes"].as_array().unwrap().len();
    let placed = plan["rides"].as_array().unwrap().len();
    let unassigned = plan["unassigned"].as_array().unwrap().len();
    assert!(routes > 0);
    assert_eq!(
        placed + unassigned,
        15,
        "every AM pupil of the example once"
    );
    // Redaction as over gRPC: Camden sees its own pupils, Westminster's as tokens.
    let text = plan.to_string();
    assert!(text.contains("\"P001\"") && !text.contains("\"P006\"") && text.contains("\"x-"));
    let theirs = call(
        addr,
        "GET",
        &format!("/api/v1/jobs/{id}/plan"),
        westminster,
        None,
    )
    .await;
    let theirs = theirs.text();
    assert!(theirs.contains("\"P006\"") && !theirs.contains("\"P001\""));
    assert_eq!(
        plan["totals"]["vehicles"].as_u64().unwrap() as usize,
        routes
    );

    let map = call(addr, "GET", &format!("/api/v1/jobs/{id}/map"), camden, None)
        .await
        .json();
    let runs = map["runs"].as_array().unwrap();
    assert_eq!(runs.len(), routes);
    for run in runs {
        // Along the roads: many more points than stops.
        assert!(run["line"].as_array().unwrap().len() > run["stops"].as_array().unwrap().len());
    }
    assert!(!map["roads"].as_array().unwrap().is_empty());
    assert!(map["pupils"]["P001"]["school_name"].is_string());
    assert!(
        map["pupils"].get("P006").is_none(),
        "no needs of other boroughs' pupils"
    );

    // Downloads.
    let f = |name: &str| format!("/api/v1/jobs/{id}/files/{name}");
    let json = call(addr, "GET", &f("plan.json"), camden, None).await;
    assert_eq!(json.status, 200);
    assert_eq!(json.json()["totals"], plan["totals"]);
    assert!(json
        .header("content-disposition")
        .unwrap()
        .contains("plan.json"));
    let routes_csv = call(addr, "GET", &f("routes.csv"), camden, None).await;
    assert_eq!(routes_csv.status, 200);
    let stops: usize = plan["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["stops"].as_array().unwrap().len())
        .sum();
    assert_eq!(
        routes_csv.text().lines().count(),
        stops + 1,
        "a header and a row per stop"
    );
    let pupils_csv = call(addr, "GET", &f("pupils.csv"), camden, None).await;
    assert_eq!(
        pupils_csv.text().lines().count(),
        16,
        "a header and a row per AM pupil"
    );
    let geo = call(addr, "GET", &f("routes.geojson"), camden, None)
        .await
        .json();
    let lines = geo["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["geometry"]["type"] == "LineString")
        .count();
    assert_eq!(lines, routes);
    let nope = call(addr, "GET", &f("nothing.txt"), camden, None).await;
    assert_eq!(nope.status, 404);
    assert!(nope.json()["error"]
        .as_str()
        .unwrap()
        .contains("manifests.html"));

    // Every other output the CLI writes: manifests, spreadsheet, report, map.
    let manifests = call(addr, "GET", &f("manifests.html"), camden, None).await;
    assert_eq!(manifests.status, 200);
    assert!(manifests
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    let m = manifests.text();
    assert_eq!(
        m.matches("<section class=\"run\">").count(),
        routes,
        "a printable page per run"
    );
    assert!(m.contains("P001"), "Camden's pupils by name");
    assert!(!m.contains("P006"), "never Westminster's pupils' names");
    let xlsx = call(addr, "GET", &f("plan.xlsx"), camden, None).await;
    assert_eq!(xlsx.status, 200);
    assert_eq!(
        xlsx.header("content-type").as_deref(),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    assert!(xlsx.body.starts_with(b"PK\x03\x04"), "a zip (xlsx)");
    assert!(xlsx
        .header("content-disposition")
        .unwrap()
        .ends_with("-plan.xlsx\""));
    let report = call(addr, "GET", &f("report.html"), camden, None).await;
    assert_eq!(report.status, 200);
    let r = report.text();
    assert!(
        r.contains(&format!("<h2>Runs ({routes})</h2>")),
        "the plan's runs"
    );
    assert!(!r.contains("P006"));
    let png = call(addr, "GET", &f("map.png"), camden, None).await;
    assert_eq!(png.status, 200);
    assert_eq!(png.header("content-type").as_deref(), Some("image/png"));
    assert!(png.body.starts_with(b"\x89PNG"));
    let pm_map = call(addr, "GET", &f("map-pm.png"), camden, None).await;
    assert_eq!(pm_map.status, 404, "a session plan has no PM map");

    // Another borough's job answers exactly as an id that does not exist.
    let missing = "job_000000000000000000000000";
    for suffix in [
        "",
        "/plan",
        "/events",
        "/map",
        "/map?session=am",
        "/files/plan.json",
        "/files/routes.csv",
        "/files/pupils.csv",
        "/files/routes.geojson",
        "/files/report.html",
        "/files/map.png",
        "/files/manifests.html",
        "/files/plan.xlsx",
    ] {
        let theirs = call(
            addr,
            "GET",
            &format!("/api/v1/jobs/{id}{suffix}"),
            hackney,
            None,
        )
        .await;
        let absent = call(
            addr,
            "GET",
            &format!("/api/v1/jobs/{missing}{suffix}"),
            hackney,
            None,
        )
        .await;
        assert_eq!(theirs.status, 404, "{suffix}");
        assert_eq!(absent.status, 404, "{suffix}");
        assert_eq!(
            theirs.text(),
            absent.text().replace(missing, &id),
            "{suffix}"
        );
        // and the owner's answer for the missing id is the same too
        let own = call(
            addr,
            "GET",
            &format!("/api/v1/jobs/{missing}{suffix}"),
            camden,
            None,
        )
        .await;
        assert_eq!(own.text(), absent.text(), "{suffix}");
    }
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_uploads_answer_400_with_every_problem() {
    let (server, addr, keys) = server(false).await;
    let key = Some(keys[0].as_str());

    // A bad value on line 3, no fleet file, a bad session, an unknown field.
    let mut pupils: Vec<String> = example("pupils").lines().map(str::to_string).collect();
    pupils[2] = pupils[2].replacen("51.", "5x.", 1);
    let pupils = pupils.join("\n") + "\n";
    let s = example("schools");
    let (ct, body) = multipart(&[
        ("pupils", Some("mine.csv"), &pupils),
        ("schools", Some("schools.csv"), &s),
        ("session", None, "evening"),
        ("colour", None, "blue"),
    ]);
    let a = call(addr, "POST", "/api/v1/jobs", key, Some((&ct, body))).await;
    assert_eq!(a.status, 400, "{}", a.text());
    let problems = a.json()["problems"].as_array().unwrap().clone();
    let find = |upload: &str| -> Vec<&Value> {
        problems.iter().filter(|p| p["upload"] == upload).collect()
    };
    assert_eq!(find("fleet").len(), 1, "{problems:?}");
    assert_eq!(find("fleet")[0]["problem"], "no file uploaded");
    let options = find("options");
    assert!(
        options
            .iter()
            .any(|p| p["column"] == "session" && p["value"] == "evening"),
        "{problems:?}"
    );
    assert!(
        options.iter().any(|p| p["column"] == "colour"),
        "{problems:?}"
    );
    assert!(problems.iter().all(|p| p["fix"].is_string()));

    // With all three files, the bad value is reported with file, line, column, value, fix.
    let (ct, body) = upload(&pupils, "2");
    let a = call(addr, "POST", "/api/v1/jobs", key, Some((&ct, body))).await;
    assert_eq!(a.status, 400, "{}", a.text());
    let p = &a.json()["problems"][0];
    assert_eq!(p["file"], "pupils.csv");
    assert_eq!(p["upload"], "pupils");
    assert_eq!(p["line"], 3);
    assert_eq!(p["column"], "home_lat");
    assert!(p["value"].as_str().unwrap().starts_with("5x."));
    assert!(!p["fix"].as_str().unwrap().is_empty());

    // A home far from the bundled roads: refused by the service's snap
    // check, reported at its line of pupils.csv.
    let mut far: Vec<String> = example("pupils").lines().map(str::to_string).collect();
    far[5] = far[5].replacen("51.5", "51.4", 1);
    let (ct, body) = upload(&(far.join("\n") + "\n"), "2");
    let a = call(addr, "POST", "/api/v1/jobs", key, Some((&ct, body))).await;
    assert_eq!(a.status, 400, "{}", a.text());
    let p = &a.json()["problems"][0];
    assert_eq!(p["file"], "pupils.csv", "{p}");
    assert_eq!(p["line"], 6, "{p}");

    // Not a multipart body at all.
    let a = call(
        addr,
        "POST",
        "/api/v1/jobs",
        key,
        Some(("application/json", b"{}".to_vec())),
    )
    .await;
    assert_eq!(a.status, 400);
    // An unknown endpoint is a JSON 404.
    let a = call(addr, "GET", "/api/v1/nothing", key, None).await;
    assert_eq!(a.status, 404);
    assert!(a.json()["error"].is_string());
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_keyless_app_needs_no_key_and_listens_on_loopback_only() {
    let dir = tempdir("http-open");
    let mut cfg = ServeConfig::new(
        "127.0.0.1:0".parse().unwrap(),
        dir.clone(),
        dir.join("none"),
    );
    cfg.open_app = true;
    cfg.http = Some("0.0.0.0:0".parse().unwrap());
    match spawn(cfg).await {
        Err(ServeError::NotLoopback(_)) => {}
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("the keyless app must refuse a non-loopback address"),
    }

    let (server, addr, _) = server(true).await;
    let config = call(addr, "GET", "/api/v1/config", None, None).await.json();
    assert_eq!(config["needs_key"], false);
    let id = submit_example(addr, None).await;
    loop {
        let job = call(addr, "GET", &format!("/api/v1/jobs/{id}"), None, None)
            .await
            .json();
        match job["job"]["state"].as_str().unwrap() {
            "succeeded" => break,
            "queued" | "running" => tokio::time::sleep(Duration::from_millis(200)).await,
            other => panic!("{other}: {job}"),
        }
    }
    // Pupils of every borough in full: no tokens.
    let plan = call(addr, "GET", &format!("/api/v1/jobs/{id}/plan"), None, None)
        .await
        .json();
    assert!(plan["rides"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["pupil"].as_str().unwrap().starts_with('P')));
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_plan_shows_both_sessions_and_downloads_them() {
    let (server, addr, _) = server(true).await;
    let config = call(addr, "GET", "/api/v1/config", None, None).await.json();
    assert_eq!(config["sessions"], serde_json::json!(["am", "pm", "day"]));
    let (ct, body) = upload_session(&example("pupils"), "3", "day");
    let a = call(addr, "POST", "/api/v1/jobs", None, Some((&ct, body))).await;
    assert_eq!(a.status, 202, "{}", a.text());
    let id = a.json()["job"]["id"].as_str().unwrap().to_string();
    loop {
        let job = call(addr, "GET", &format!("/api/v1/jobs/{id}"), None, None)
            .await
            .json();
        match job["job"]["state"].as_str().unwrap() {
            "succeeded" => break,
            "queued" | "running" => tokio::time::sleep(Duration::from_millis(200)).await,
            other => panic!("{other}: {job}"),
        }
    }
    let plan = call(addr, "GET", &format!("/api/v1/jobs/{id}/plan"), None, None)
        .await
        .json();
    let runs = |s: &str| plan[s]["routes"].as_array().unwrap().len();
    let stops = |s: &str| -> usize {
        plan[s]["routes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["stops"].as_array().unwrap().len())
            .sum()
    };
    assert_eq!(plan["am"]["session"], "am");
    assert_eq!(plan["pm"]["session"], "pm");
    assert!(runs("am") > 0 && runs("pm") > 0);
    let t = &plan["totals"];
    assert!(t["both_sessions"].as_u64().unwrap() > 0, "{t}");
    assert!(t["same_vehicle"].as_u64().unwrap() <= t["both_sessions"].as_u64().unwrap());
    assert_eq!(
        plan["continuity"], "preferred",
        "the default crew continuity"
    );

    // The map of each session; AM unless asked.
    let map = |q: &'static str| {
        let id = id.clone();
        async move {
            call(
                addr,
                "GET",
                &format!("/api/v1/jobs/{id}/map{q}"),
                None,
                None,
            )
            .await
        }
    };
    let am = map("").await.json();
    assert_eq!(am["runs"].as_array().unwrap().len(), runs("am"));
    let pm = map("?session=pm").await.json();
    assert_eq!(pm["runs"].as_array().unwrap().len(), runs("pm"));
    assert_eq!(map("?session=evening").await.status, 400);

    // Downloads of both sessions, as `senroute solve --session day` writes them.
    let f = |name: &str| format!("/api/v1/jobs/{id}/files/{name}");
    let routes_csv = call(addr, "GET", &f("routes.csv"), None, None).await.text();
    let mut rows = csv::Reader::from_reader(routes_csv.as_bytes());
    let col = rows
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "session")
        .expect("a session column");
    let sessions: Vec<String> = rows
        .records()
        .map(|r| r.unwrap()[col].to_string())
        .collect();
    assert_eq!(sessions.iter().filter(|s| *s == "am").count(), stops("am"));
    assert_eq!(sessions.iter().filter(|s| *s == "pm").count(), stops("pm"));
    let manifests = call(addr, "GET", &f("manifests.html"), None, None)
        .await
        .text();
    assert_eq!(
        manifests.matches("<section class=\"run\">").count(),
        runs("am") + runs("pm"),
        "a page per run of each session"
    );
    for name in ["map.png", "map-pm.png"] {
        let png = call(addr, "GET", &f(name), None, None).await;
        assert_eq!(png.status, 200, "{name}");
        assert!(png.body.starts_with(b"\x89PNG"), "{name}");
    }
    let xlsx = call(addr, "GET", &f("plan.xlsx"), None, None).await;
    assert!(xlsx.body.starts_with(b"PK\x03\x04"));
    let json = call(addr, "GET", &f("plan.json"), None, None).await.json();
    assert_eq!(json["totals"], plan["totals"]);
    server.shutdown().await.unwrap();
}
