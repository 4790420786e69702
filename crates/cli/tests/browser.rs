//! End to end in headless Chromium: `senroute app` on an ephemeral port,
//! driven through chromedriver (WebDriver) with fantoccini. Upload the
//! example's three CSV files, wait for the plan, compare the runs drawn
//! with the plan's, open a run's stops and a pupil, check every download,
//! lock a run and re-plan (the locked run comes back unchanged),
//! plan the day and switch the map to the PM, then upload a broken file and
//! find its line number in the page. Screenshots go to
//! `target/browser/` (CI artefacts).
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs
//! them). Without them the test is skipped, except under `CI=true`, where
//! it fails.

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A child process killed when dropped.
struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `senroute app` on an ephemeral port and returns it with its URL.
fn start_app(data_dir: &Path) -> (Kill, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_senroute"))
        .current_dir(root())
        .args([
            "app",
            "--listen",
            "127.0.0.1:0",
            "--solver-threads",
            "1",
            "--data-dir",
        ])
        .arg(data_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start senroute app");
    let stdout = child.stdout.take().unwrap();
    let child = Kill(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL printed: {line:?}"))
        .to_string();
    (child, url)
}

fn start_chromedriver() -> (Kill, String) {
    let port = free_port();
    let child = Kill(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not listen");
        std::thread::sleep(Duration::from_millis(100));
    }
    (child, format!("http://127.0.0.1:{port}"))
}

async fn browser(webdriver: &str) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1366,768", "--lang=en-GB"],
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(webdriver)
        .await
        .expect("a WebDriver session")
}

fn shots_dir() -> PathBuf {
    let d = root().join("target/browser");
    std::fs::create_dir_all(&d).unwrap();
    d
}

async fn screenshot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    std::fs::write(shots_dir().join(name), png).unwrap();
}

async fn choose_files(c: &Client, dir: &Path) {
    for name in ["pupils", "schools", "fleet"] {
        let path = dir.join(format!("{name}.csv"));
        let input = c
            .find(Locator::Css(&format!("#file-{name}")))
            .await
            .unwrap();
        input
            .send_keys(&path.canonicalize().unwrap().display().to_string())
            .await
            .unwrap();
    }
}

/// Waits until `script` (a JavaScript expression) is truthy.
async fn wait_until(c: &Client, script: &str, timeout: Duration) -> Value {
    let deadline = Instant::now() + timeout;
    loop {
        let v = c
            .execute(&format!("return {script};"), vec![])
            .await
            .unwrap();
        if v.as_bool() != Some(false) && !v.is_null() && v != json!(0) && v != json!("") {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {script}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_plan_map_runs_and_a_broken_file_in_chromium() {
    if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but {CHROMIUM} or {CHROMEDRIVER} is missing (apt-get install chromium chromium-driver)"
        );
        eprintln!("skipped: no {CHROMIUM} / {CHROMEDRIVER}");
        return;
    }
    let tmp = std::env::temp_dir().join(format!("senroute-browser-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let (_app, url) = start_app(&tmp.join("db"));
    let (_driver, webdriver) = start_chromedriver();
    let c = browser(&webdriver).await;
    c.goto(&url).await.unwrap();
    assert!(c.title().await.unwrap().contains("senroute"));

    // Upload the example and plan with a short search.
    choose_files(&c, &root().join("data/example")).await;
    let limit = c.find(Locator::Id("time-limit")).await.unwrap();
    limit.clear().await.unwrap();
    limit.send_keys("3").await.unwrap();
    screenshot(&c, "1-upload.png").await;
    c.find(Locator::Id("plan-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_until(
        &c,
        "document.querySelector('#progress-panel:not([hidden])')",
        Duration::from_secs(20),
    )
    .await;
    wait_until(
        &c,
        "document.querySelectorAll('#runs .run-item').length",
        Duration::from_secs(180),
    )
    .await;
    // Progress figures were filled in (folded away once the plan shows).
    let cost = c
        .execute(
            "return document.getElementById('kpi-cost').textContent;",
            vec![],
        )
        .await
        .unwrap();
    assert!(cost.as_str().unwrap().starts_with('£'), "{cost}");

    // As many runs drawn on the map as the plan has (fetched on its own).
    let routes = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch('/api/v1/jobs/' + location.hash.slice(1) + '/plan').then(r => r.json()).then(p => done(p.routes.length));",
            vec![],
        )
        .await
        .unwrap()
        .as_u64()
        .unwrap() as usize;
    assert!(routes > 0);
    let drawn = c.find_all(Locator::Css("#map g.run")).await.unwrap().len();
    assert_eq!(drawn, routes, "runs drawn on the map");
    let listed = c
        .find_all(Locator::Css("#runs .run-item"))
        .await
        .unwrap()
        .len();
    assert_eq!(listed, routes, "runs listed");
    let roads = c
        .find_all(Locator::Css("#map path.road"))
        .await
        .unwrap()
        .len();
    assert!(roads > 0, "the road network is drawn as background");
    screenshot(&c, "2-plan.png").await;

    // Choose the first run with the keyboard: its stops and times appear.
    let first = c.find(Locator::Css("#runs .run-item")).await.unwrap();
    c.execute(
        "arguments[0].focus();",
        vec![serde_json::to_value(&first).unwrap()],
    )
    .await
    .unwrap();
    first.send_keys("\u{E007}").await.unwrap(); // Enter
    let rows = wait_until(
        &c,
        "document.querySelectorAll('.run-detail tbody tr').length",
        Duration::from_secs(10),
    )
    .await;
    let stops = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch('/api/v1/jobs/' + location.hash.slice(1) + '/plan').then(r => r.json()).then(p => done(p.routes[0].stops.length));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(rows, stops, "one row per stop of the run");
    assert_eq!(
        first.attr("aria-pressed").await.unwrap().as_deref(),
        Some("true")
    );
    let selected = c
        .find_all(Locator::Css("#map g.run.selected"))
        .await
        .unwrap()
        .len();
    assert_eq!(selected, 1, "the run is highlighted on the map");
    let detail = c
        .find(Locator::Css(".run-detail"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(detail.contains("Run 1"), "{detail}");
    assert!(detail.contains(':'), "stop times shown: {detail}");
    // A pupil of the run: their run, ride time and needs.
    c.find(Locator::Css(".run-detail button.pupil"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let pupil = c
        .find(Locator::Css(".pupil-detail"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        pupil.contains("Ride time") && pupil.contains("Needs") && pupil.contains("Run 1"),
        "{pupil}"
    );
    screenshot(&c, "3-run-and-pupil.png").await;

    // A download button for every output the CLI writes; each one served.
    let buttons: Vec<String> = {
        let mut v = Vec::new();
        for b in c
            .find_all(Locator::Css("#downloads button.download"))
            .await
            .unwrap()
        {
            v.push(b.attr("data-file").await.unwrap().unwrap());
        }
        v
    };
    for name in [
        "manifests.html",
        "plan.xlsx",
        "report.html",
        "routes.csv",
        "pupils.csv",
        "map.png",
        "routes.geojson",
        "plan.json",
    ] {
        assert!(buttons.iter().any(|b| b == name), "{name} in {buttons:?}");
    }
    let statuses = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const names = [...document.querySelectorAll('#downloads button.download')].map(b => b.dataset.file);
             Promise.all(names.map(n => fetch('/api/v1/jobs/' + location.hash.slice(1) + '/files/' + n).then(r => r.status))).then(done);",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        statuses.as_array().unwrap().iter().all(|s| s == 200),
        "{statuses}"
    );

    // Lock run 1 and re-plan: run 1 comes back exactly as it was (vehicle,
    // stops, pupils) and the changes are listed.
    const RUN_1: &str = "const done = arguments[arguments.length - 1];
         fetch('/api/v1/jobs/' + location.hash.slice(1) + '/plan').then(r => r.json()).then(p => {
           const r = p.routes[0];
           done(JSON.stringify([r.vehicle_type, r.vehicle_index, r.stops.map(s => [s.kind, s.location_key, s.pupils])]));
         });";
    let before = c.execute_async(RUN_1, vec![]).await.unwrap();
    let first_job = c
        .execute("return location.hash.slice(1);", vec![])
        .await
        .unwrap();
    let lock = c
        .find(Locator::Css("#runs button.lock[data-lock='1']"))
        .await
        .unwrap();
    lock.click().await.unwrap();
    assert_eq!(
        lock.attr("aria-pressed").await.unwrap().as_deref(),
        Some("true")
    );
    assert!(
        lock.text().await.unwrap().contains("Locked"),
        "a text cue, not only colour"
    );
    c.find(Locator::Id("replan-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_until(
        &c,
        &format!(
            "location.hash.slice(1) !== {first_job} && !document.getElementById('result-panel').hidden && document.getElementById('changes-count')"
        ),
        Duration::from_secs(60),
    )
    .await;
    let after = c.execute_async(RUN_1, vec![]).await.unwrap();
    assert_eq!(before, after, "the locked run is unchanged by the re-plan");
    let still = c
        .find(Locator::Css("#runs button.lock[data-lock='1']"))
        .await
        .unwrap();
    assert_eq!(
        still.attr("aria-pressed").await.unwrap().as_deref(),
        Some("true")
    );
    let changes = c
        .find(Locator::Id("changes-count"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(changes.contains("changed"), "{changes}");
    screenshot(&c, "5-replan.png").await;

    // A day plan: AM and PM shown in turn, continuity achieved.
    choose_files(&c, &root().join("data/example")).await;
    c.execute("document.getElementById('session').value = 'day';", vec![])
        .await
        .unwrap();
    c.find(Locator::Id("plan-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_until(
        &c,
        "!document.getElementById('result-panel').hidden && !document.getElementById('session-toggle').hidden && document.querySelectorAll('#runs .run-item').length",
        Duration::from_secs(60),
    )
    .await;
    let day_runs = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch('/api/v1/jobs/' + location.hash.slice(1) + '/plan').then(r => r.json()).then(p => done([p.am.routes.length, p.pm.routes.length]));",
            vec![],
        )
        .await
        .unwrap();
    let (am_runs, pm_runs) = (
        day_runs[0].as_u64().unwrap() as usize,
        day_runs[1].as_u64().unwrap() as usize,
    );
    assert_eq!(
        c.find_all(Locator::Css("#map g.run")).await.unwrap().len(),
        am_runs,
        "AM runs drawn"
    );
    let continuity = c
        .find(Locator::Id("continuity"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        continuity.contains(" of ") && continuity.contains('%'),
        "{continuity}"
    );
    c.find(Locator::Css("#session-toggle button[data-session=pm]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_until(
        &c,
        "document.querySelector('#session-toggle button[data-session=pm]').getAttribute('aria-pressed') === 'true'",
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(
        c.find_all(Locator::Css("#map g.run")).await.unwrap().len(),
        pm_runs,
        "PM runs drawn"
    );
    assert_eq!(
        c.find_all(Locator::Css("#runs .run-item"))
            .await
            .unwrap()
            .len(),
        pm_runs,
        "PM runs listed"
    );
    let totals = c
        .find(Locator::Id("totals"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(totals.contains("session PM"), "{totals}");
    screenshot(&c, "6-day-pm.png").await;

    // A broken pupils file: its line number is shown next to the upload.
    let broken = tmp.join("broken");
    std::fs::create_dir_all(&broken).unwrap();
    for name in ["schools", "fleet"] {
        std::fs::copy(
            root().join(format!("data/example/{name}.csv")),
            broken.join(format!("{name}.csv")),
        )
        .unwrap();
    }
    let mut lines: Vec<String> = std::fs::read_to_string(root().join("data/example/pupils.csv"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    lines[3] = lines[3].replacen(",both,", ",sometimes,", 1);
    std::fs::write(broken.join("pupils.csv"), lines.join("\n") + "\n").unwrap();
    choose_files(&c, &broken).await;
    c.find(Locator::Id("plan-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let shown = wait_until(
        &c,
        "document.querySelector('#problems-pupils').innerText",
        Duration::from_secs(20),
    )
    .await;
    let shown = shown.as_str().unwrap();
    assert!(shown.contains("line 4"), "{shown}");
    assert!(shown.contains("sessions"), "{shown}");
    screenshot(&c, "4-broken-file.png").await;

    c.close().await.unwrap();
    let _ = std::fs::remove_dir_all(&tmp);
}
