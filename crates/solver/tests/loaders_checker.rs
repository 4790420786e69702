//! Loaders parse the bundled files; the independent checker accepts known
//! good routes and catches hand-broken ones.
use senroute_solver::bench::{load, parse_cordeau};
use senroute_solver::checker::{check_file, check_text, Format};
use std::path::PathBuf;

fn data(p: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/instances")
        .join(p)
}

#[test]
fn loaders_parse_bundled_files() {
    let c = load(Format::Solomon, &data("solomon/txt/C101.txt")).unwrap();
    assert_eq!(c.instance.requests.len(), 100);
    assert_eq!(c.instance.vehicle_types[0].count, 25);
    assert_eq!(c.instance.vehicle_types[0].capacity[0].limit, 200);
    assert_eq!(c.instance.vehicle_types[0].shift_close, 1236.0);
    let r = &c.instance.requests[0];
    assert!(r.pickup.is_none());
    let d = r.delivery.as_ref().unwrap();
    assert_eq!(
        (d.location, d.tw_open, d.tw_close, d.service),
        (1, 912.0, 967.0, 90.0)
    );
    assert_eq!(r.load, vec![10]);
    assert!(c.instance.validate().is_ok());

    let h = load(Format::Solomon, &data("homberger/txt/200/c1_2_1.txt")).unwrap();
    assert_eq!(h.instance.requests.len(), 200);

    let l = load(Format::LiLim, &data("lilim/100/lc101.txt")).unwrap();
    assert_eq!(l.instance.requests.len(), 53);
    // node 3 is a pickup (demand 10) whose delivery is node 75
    let i = l.node_numbers.iter().position(|&(p, _)| p == 3).unwrap();
    assert_eq!(l.node_numbers[i], (3, 75));
    assert_eq!(l.instance.requests[i].load, vec![10]);
    assert!(l.instance.validate().is_ok());

    let a = load(Format::Cordeau, &data("darp/cordeau2006/a2-16.txt")).unwrap();
    assert_eq!(a.instance.requests.len(), 16);
    let v = &a.instance.vehicle_types[0];
    assert_eq!(
        (v.count, v.capacity[0].limit, v.max_duration),
        (2, 3, Some(480.0))
    );
    assert_eq!(v.end_location, 33);
    assert_eq!(a.instance.requests[0].max_ride, Some(30.0));
    assert_eq!(a.node_numbers[0], (1, 17));
}

#[test]
fn checker_accepts_bks_routes_and_catches_broken_ones() {
    // the BKS routes file bundled for lc101
    let dir = data("lilim/100_bks_routes");
    let f = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("lc101.")
        })
        .unwrap();
    let text = std::fs::read_to_string(f).unwrap();
    let routes: Vec<Vec<usize>> = text
        .lines()
        .filter(|l| l.starts_with("Route"))
        .map(|l| {
            l.split(':')
                .nth(1)
                .unwrap()
                .split_whitespace()
                .map(|x| x.parse().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(routes.len(), 10);
    let ok = check_file(Format::LiLim, &data("lilim/100/lc101.txt"), &routes).unwrap();
    assert!(ok.feasible, "{:?}", ok.errors);
    assert!((ok.distance - 828.9369).abs() < 1e-3);

    // swap a pickup behind its delivery
    let mut bad = routes.clone();
    let text_i = std::fs::read_to_string(data("lilim/100/lc101.txt")).unwrap();
    let r0 = &mut bad[0];
    let n = r0.len();
    r0.swap(0, n - 1);
    assert!(!check_text(Format::LiLim, &text_i, &bad).feasible);
    // drop a task
    let mut bad = routes.clone();
    bad[1].pop();
    assert!(!check_text(Format::LiLim, &text_i, &bad).feasible);
    // duplicate a task
    let mut bad = routes.clone();
    let x = bad[2][0];
    bad[3].insert(0, x);
    assert!(!check_text(Format::LiLim, &text_i, &bad).feasible);
}

#[test]
fn checker_catches_capacity_windows_and_ride_time() {
    // Solomon-style: capacity 10, two customers of demand 6
    let sol = "T\nVEHICLE\nNUMBER CAPACITY\n 2 10\nCUSTOMER\n\
        0 0 0 0 0 100 0\n1 3 4 6 0 100 1\n2 6 8 6 0 100 1\n";
    assert!(check_text(Format::Solomon, sol, &[vec![1], vec![2]]).feasible);
    assert!(!check_text(Format::Solomon, sol, &[vec![1, 2]]).feasible);
    // windows: customer 2 must be served by time 5 but is at distance 10
    let tw = "T\nVEHICLE\n 2 10\n0 0 0 0 0 100 0\n1 3 4 1 0 100 1\n2 6 8 1 0 5 1\n";
    assert!(!check_text(Format::Solomon, tw, &[vec![1], vec![2]]).feasible);
    // Cordeau: 1 request, max ride 5 but pickup -> delivery distance 10
    let darp =
        "1 1 100 3 5\n0 0 0 0 0 0 100\n1 0 0 0 1 0 100\n2 10 0 0 -1 0 100\n3 0 0 0 0 0 100\n";
    let r = check_text(Format::Cordeau, darp, &[vec![1, 2]]);
    assert!(!r.feasible);
    let darp_ok = darp.replacen("1 1 100 3 5", "1 1 100 3 10", 1);
    assert!(check_text(Format::Cordeau, &darp_ok, &[vec![1, 2]]).feasible);
    // waiting at the delivery counts as ride time: delivery opens at 20
    let darp_wait = darp_ok.replacen("2 10 0 0 -1 0 100", "2 10 0 0 -1 20 100", 1);
    // pickup can be delayed to 10 so the ride is exactly 10: feasible
    assert!(check_text(Format::Cordeau, &darp_wait, &[vec![1, 2]]).feasible);
    // but not if the pickup closes at 5
    let darp_wait2 = darp_wait.replacen("1 0 0 0 1 0 100", "1 0 0 0 1 0 5", 1);
    assert!(!check_text(Format::Cordeau, &darp_wait2, &[vec![1, 2]]).feasible);
    // duration: T = 15 < 20
    let darp_dur = darp_ok.replacen("1 1 100 3 10", "1 1 15 3 10", 1);
    assert!(!check_text(Format::Cordeau, &darp_dur, &[vec![1, 2]]).feasible);
    assert!(parse_cordeau("x", &darp_ok).is_ok());
}
