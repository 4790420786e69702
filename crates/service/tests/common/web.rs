//! A plain HTTP/1.1 client for the web app's API tests, and a server with
//! the bundled roads: borough keys (Camden, Westminster, Hackney) or the
//! keyless app.

use super::{data, tempdir};
use senroute_service::auth::add_key;
use senroute_service::{spawn, ServeConfig, ServerHandle};
use serde_json::Value;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// An HTTP/1.1 answer.
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// Status line and headers.
    pub head: String,
    /// Body (de-chunked).
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

/// The body of a chunked answer.
pub fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(end) = raw.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size = std::str::from_utf8(&raw[..end])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next().unwrap().trim(), 16).ok())
            .unwrap_or(0);
        if size == 0 || raw.len() < end + 2 + size {
            return out;
        }
        out.extend_from_slice(&raw[end + 2..end + 2 + size]);
        raw = &raw[(end + 4 + size).min(raw.len())..];
    }
}

/// One request on its own connection (`Connection: close`), read to the end.
pub async fn call(
    addr: SocketAddr,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: Option<(&str, Vec<u8>)>,
) -> Answer {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(k) = key {
        req.push_str(&format!("Authorization: Bearer {k}\r\n"));
    }
    let bytes = match body {
        Some((ct, b)) => {
            req.push_str(&format!(
                "Content-Type: {ct}\r\nContent-Length: {}\r\n",
                b.len()
            ));
            b
        }
        None => Vec::new(),
    };
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    s.write_all(&bytes).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(120), s.read_to_end(&mut raw))
        .await
        .expect("answer within 120 s")
        .unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let mut body = raw[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    Answer { status, head, body }
}

/// The multipart boundary of the uploads.
pub const BOUNDARY: &str = "senroute-test-boundary-7f3a";

/// A multipart form of (field, file name or none, contents).
pub fn multipart(parts: &[(&str, Option<&str>, &str)]) -> (String, Vec<u8>) {
    let mut b = String::new();
    for (name, file, text) in parts {
        b.push_str(&format!("--{BOUNDARY}\r\n"));
        match file {
            Some(f) => b.push_str(&format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: text/csv\r\n\r\n"
            )),
            None => b.push_str(&format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n")),
        }
        b.push_str(text);
        b.push_str("\r\n");
    }
    b.push_str(&format!("--{BOUNDARY}--\r\n"));
    (
        format!("multipart/form-data; boundary={BOUNDARY}"),
        b.into_bytes(),
    )
}

/// A file of `data/example`.
pub fn example(name: &str) -> String {
    std::fs::read_to_string(data(&format!("data/example/{name}.csv"))).unwrap()
}

/// The example upload (AM) with `pupils` as the pupils file.
pub fn upload(pupils: &str, time_limit: &str) -> (String, Vec<u8>) {
    upload_session(pupils, time_limit, "am")
}

/// The example upload for `session` with `pupils` as the pupils file.
pub fn upload_session(pupils: &str, time_limit: &str, session: &str) -> (String, Vec<u8>) {
    let (s, f) = (example("schools"), example("fleet"));
    multipart(&[
        ("pupils", Some("pupils.csv"), pupils),
        ("schools", Some("schools.csv"), &s),
        ("fleet", Some("fleet.csv"), &f),
        ("session", None, session),
        ("time_limit", None, time_limit),
    ])
}

/// The bundled road network.
pub const ROADS: &str = "data/osm/london_camden_westminster_city_drive_mixed.osm.pbf";

/// A server with the web app: with borough keys (Camden, Westminster,
/// Hackney, returned in that order) or the keyless app.
pub async fn server(open_app: bool) -> (ServerHandle, SocketAddr, Vec<String>) {
    let dir = tempdir("http");
    let keys_file = dir.join("keys.jsonl");
    let mut keys = Vec::new();
    if !open_app {
        keys.push(add_key(&keys_file, "E09000007", "camden").unwrap());
        keys.push(add_key(&keys_file, "E09000033", "westminster").unwrap());
        keys.push(add_key(&keys_file, "E09000012", "hackney").unwrap());
    }
    let mut cfg = ServeConfig::new("127.0.0.1:0".parse().unwrap(), dir.join("db"), keys_file);
    cfg.http = Some("127.0.0.1:0".parse().unwrap());
    cfg.open_app = open_app;
    cfg.roads = Some(data(ROADS));
    cfg.poll = Duration::from_millis(50);
    let server = spawn(cfg).await.unwrap();
    let addr = server.http_addr().unwrap();
    (server, addr, keys)
}

/// Submits the example (AM, 2 s) and returns the job id.
pub async fn submit_example(addr: SocketAddr, key: Option<&str>) -> String {
    let (ct, body) = upload(&example("pupils"), "2");
    let a = call(addr, "POST", "/api/v1/jobs", key, Some((&ct, body))).await;
    assert_eq!(a.status, 202, "{}", a.text());
    let job = &a.json()["job"];
    let id = job["id"].as_str().unwrap().to_string();
    assert!(matches!(job["state"].as_str(), Some("queued" | "running")));
    assert_eq!(
        a.header("location").as_deref(),
        Some(&*format!("/api/v1/jobs/{id}"))
    );
    id
}

/// Waits until job `id` has succeeded (panics if it fails).
pub async fn wait_succeeded(addr: SocketAddr, id: &str, key: Option<&str>) {
    loop {
        let job = call(addr, "GET", &format!("/api/v1/jobs/{id}"), key, None)
            .await
            .json();
        match job["job"]["state"].as_str().unwrap() {
            "succeeded" => return,
            "queued" | "running" => tokio::time::sleep(Duration::from_millis(200)).await,
            other => panic!("{other}: {job}"),
        }
    }
}
