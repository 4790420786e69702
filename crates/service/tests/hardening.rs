//! Issue #16 through a real server: hostile requests get INVALID_ARGUMENT
//! or NOT_FOUND with a short message and the field path, never a job that
//! panics later or a status too large for the client's metadata limit.

use senroute_model::{read_problem_files, Session, Settings, TravelTimes};
use senroute_service::convert::problem_to_proto;
use senroute_service::pb::v1 as pb;
use senroute_service::pb::v1::routing_service_client::RoutingServiceClient;
use senroute_service::{spawn, ServeConfig};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tonic::{Code, Request};
use tonic_types::StatusExt;

struct Env {
    dir: PathBuf,
    keys_file: PathBuf,
    key: String,
}

impl Env {
    fn new() -> Env {
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).unwrap();
        let dir = std::env::temp_dir().join(format!(
            "senroute-svc-hard-{}",
            senroute_service::auth::hex(&b)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let keys_file = dir.join("keys.jsonl");
        let key = senroute_service::auth::add_key(&keys_file, "E09000007", "camden").unwrap();
        Env {
            dir,
            keys_file,
            key,
        }
    }

    fn config(&self) -> ServeConfig {
        let mut c = ServeConfig::new(
            "127.0.0.1:0".parse().unwrap(),
            self.dir.join("data"),
            self.keys_file.clone(),
        );
        c.shutdown_grace = Duration::ZERO;
        c
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn req<T>(msg: T, key: &str) -> Request<T> {
    let mut r = Request::new(msg);
    r.metadata_mut()
        .insert("authorization", format!("Bearer {key}").parse().unwrap());
    r
}

fn example() -> pb::Problem {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/example");
    let mut p = read_problem_files(
        &d.join("pupils.csv"),
        &d.join("schools.csv"),
        &d.join("fleet.csv"),
        Session::Am,
        Settings::default(),
    )
    .unwrap();
    p.matrices = Some(TravelTimes::straight_line(&p, 25.0, 1.4).to_matrices());
    problem_to_proto(&p)
}

fn submit(problem: pb::Problem) -> pb::SubmitJobRequest {
    pb::SubmitJobRequest {
        problem: Some(problem),
        label: "hardening".into(),
        request_id: String::new(),
        search: None,
        replan: None,
    }
}

/// Field paths of an INVALID_ARGUMENT status.
fn fields(e: &tonic::Status) -> Vec<String> {
    assert_eq!(e.code(), Code::InvalidArgument, "{e:?}");
    e.get_details_bad_request()
        .expect("BadRequest details")
        .field_violations
        .into_iter()
        .map(|v| v.field)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_requests_get_short_errors_with_paths() {
    let env = Env::new();
    let server = spawn(env.config()).await.unwrap();
    let mut c = RoutingServiceClient::connect(format!("http://{}", server.local_addr()))
        .await
        .unwrap();

    // Item 1: a huge time limit is refused at submission (it used to fail
    // the job with "the planner stopped unexpectedly").
    let mut p = example();
    p.settings.as_mut().unwrap().time_limit_seconds = Some(1e20);
    let e = c.submit_job(req(submit(p), &env.key)).await.unwrap_err();
    assert_eq!(fields(&e), ["problem.settings.time_limit_seconds"]);
    assert!(e.message().contains("from 0 to 86400"), "{}", e.message());

    // Item 5: the same settings checks as the CLI's JSON.
    let mut p = example();
    p.settings.as_mut().unwrap().boarding_minutes = Some(-100.0);
    p.settings.as_mut().unwrap().ride_time_cost_per_minute = Some(-1e300);
    let e = c.submit_job(req(submit(p), &env.key)).await.unwrap_err();
    assert_eq!(
        fields(&e),
        [
            "problem.settings.ride_time_cost_per_minute",
            "problem.settings.boarding_minutes"
        ]
    );

    // Items 3, 4 and 6: a 10 MB school name and a control character; the
    // status quotes a prefix of the name only.
    let mut p = example();
    p.schools[0].name = "N".repeat(10 << 20);
    p.pupils[2].id = "P\u{1}3".into();
    let e = c.submit_job(req(submit(p), &env.key)).await.unwrap_err();
    let f = fields(&e);
    assert!(f.contains(&"problem.schools[0].name".to_string()), "{f:?}");
    assert!(f.contains(&"problem.pupils[2].id".to_string()), "{f:?}");
    assert!(e.message().len() < 4_100, "{} bytes", e.message().len());
    assert!(e.details().len() < 16_000, "{} bytes", e.details().len());

    // Item 7: a borough code that is no London borough.
    let mut p = example();
    p.pupils[0].borough = "not-a-borough".into();
    let e = c.submit_job(req(submit(p), &env.key)).await.unwrap_err();
    assert_eq!(fields(&e), ["problem.pupils[0].borough"]);

    // Item 6: a 1 MB job id comes back as a short NOT_FOUND, not a status
    // over the client's metadata limit.
    let e = c
        .get_job(req(
            pb::GetJobRequest {
                job_id: "j".repeat(1 << 20),
            },
            &env.key,
        ))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::NotFound, "{e:?}");
    assert!(e.message().len() < 200, "{} bytes", e.message().len());
    server.shutdown().await.unwrap();
}
