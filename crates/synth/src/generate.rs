//! The cohort generator.

use std::collections::BTreeMap;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use senroute_model::{
    Location, Needs, Phase, Problem, Pupil, School, Session, Sessions, Settings, TimeOfDay,
    TimeWindow, VehicleType,
};
use senroute_roads::geo_util::LocalProjection;
use senroute_roads::{Borough, Boroughs, RoadClass, RoadNetwork};

use crate::catalogue::{CatalogueSchool, SchoolCatalogue};
use crate::stats::CohortStats;
use crate::{CohortParams, SynthError};

/// Homes lie within this distance of a road of the network (metres); the
/// generator itself puts them 5–15 m off the road, like a house front.
pub const HOME_MAX_SNAP_M: f64 = 300.0;

/// Residential road length (metres) inside a borough below which living
/// streets and unclassified roads are used for homes too.
pub const SCARCE_RESIDENTIAL_M: f64 = 5_000.0;

/// Share of wheelchair users placed at special schools (*assumption*).
const WHEELCHAIR_AT_SPECIAL: f64 = 0.85;

/// Distance scale (metres) of school choice: a school `d` metres from home is
/// chosen with weight `exp(-d / SCHOOL_DISTANCE_SCALE_M)` (*assumption*).
const SCHOOL_DISTANCE_SCALE_M: f64 = 3_000.0;

/// A generated cohort: the planning problem and a summary of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Cohort {
    /// The problem (AM session, default settings): pupils, the schools they
    /// attend and each borough's fleet.
    pub problem: Problem,
    /// Counts and realised shares, to print or check against the parameters.
    pub stats: CohortStats,
    /// The parameters the cohort was generated with.
    pub params: CohortParams,
}

/// Rounds a coordinate to 6 decimals (~0.1 m) exactly as it is written to
/// and read back from CSV, so a cohort survives the round trip unchanged.
fn round6(x: f64) -> f64 {
    format!("{x:.6}").parse().unwrap_or(x)
}

/// A road polyline (`[lat, lon]` points) and its length in metres.
type Piece<'a> = (&'a [[f64; 2]], f64);

/// A weighted list of road pieces, sampled in proportion to length.
struct RoadPool<'a> {
    /// `(polyline, cumulative length at its end)`.
    roads: Vec<(&'a [[f64; 2]], f64)>,
    total: f64,
}

impl<'a> RoadPool<'a> {
    fn new(roads: impl IntoIterator<Item = (&'a [[f64; 2]], f64)>) -> Self {
        let mut total = 0.0;
        let roads = roads
            .into_iter()
            .filter(|(_, len)| *len > 0.0)
            .map(|(p, len)| {
                total += len;
                (p, total)
            })
            .collect();
        RoadPool { roads, total }
    }

    /// A point on a random road (length-weighted), `offset_m` to one side.
    fn sample(&self, rng: &mut ChaCha8Rng, proj: &LocalProjection, offset_m: f64) -> [f64; 2] {
        let x = rng.random::<f64>() * self.total;
        let i = self
            .roads
            .partition_point(|(_, c)| *c <= x)
            .min(self.roads.len() - 1);
        let pts: Vec<[f64; 2]> = self.roads[i].0.iter().map(|p| proj.to_xy(*p)).collect();
        let lens: Vec<f64> = pts.windows(2).map(|w| dist(w[0], w[1])).collect();
        let mut along = rng.random::<f64>() * lens.iter().sum::<f64>();
        let side = if rng.random_bool(0.5) { 1.0 } else { -1.0 };
        for (k, len) in lens.iter().enumerate() {
            if along <= *len || k + 1 == lens.len() {
                let t = if *len > 0.0 {
                    (along / len).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                let (a, b) = (pts[k], pts[k + 1]);
                let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
                let (nx, ny) = if *len > 0.0 {
                    (-dy / len, dx / len)
                } else {
                    (0.0, 0.0)
                };
                let p = [
                    a[0] + t * dx + side * offset_m * nx,
                    a[1] + t * dy + side * offset_m * ny,
                ];
                return proj.to_latlon(p);
            }
            along -= len;
        }
        unreachable!("a road of positive length has a segment")
    }
}

fn dist(a: [f64; 2], b: [f64; 2]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

fn polyline_len(proj: &LocalProjection, pts: &[[f64; 2]]) -> f64 {
    pts.windows(2)
        .map(|w| dist(proj.to_xy(w[0]), proj.to_xy(w[1])))
        .sum()
}

/// `n` flags of which `round(n * share)` are true, in random order.
fn quota(n: usize, share: f64, rng: &mut ChaCha8Rng) -> Vec<bool> {
    let k = ((n as f64) * share).round() as usize;
    let mut v: Vec<bool> = (0..n).map(|i| i < k.min(n)).collect();
    v.shuffle(rng);
    v
}

/// Picks `k` of `items` at random (all of them if there are fewer).
fn pick<T: Copy>(items: &[T], k: usize, rng: &mut ChaCha8Rng) -> Vec<T> {
    let mut v = items.to_vec();
    v.shuffle(rng);
    v.truncate(k);
    v
}

/// A school usable by the cohort: reachable from the road network.
struct Usable<'a> {
    school: &'a CatalogueSchool,
    borough: String,
    location: Location,
}

fn takes(school: Phase, pupil: Phase) -> bool {
    school == Phase::AllThrough || school == pupil
}

/// Short upper-case name of a borough for vehicle ids, e.g. `CITY-OF-LONDON`.
fn short_name(b: &Borough) -> String {
    let mut s: String = b
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '-'
            }
        })
        .collect();
    while s.contains("--") {
        s = s.replace("--", "-");
    }
    s.trim_matches('-').to_string()
}

/// One pupil while being generated.
struct Draft {
    borough: usize,
    home: Location,
    phase: Phase,
    special: bool,
    cross: bool,
    school: usize,
}

/// Generates a synthetic cohort: see the crate documentation for the model.
///
/// Homes are put on residential roads of `network` inside each requested
/// borough (checked with `boroughs`), pupils are sent to schools of
/// `schools` that lie within [`CohortParams::max_school_snap_m`] of a road,
/// and every borough gets its own fleet with a depot on one of its roads.
/// The same parameters, network, boundaries and catalogue give the same
/// cohort.
pub fn generate(
    params: &CohortParams,
    network: &RoadNetwork,
    boroughs: &Boroughs,
    schools: &SchoolCatalogue,
) -> Result<Cohort, SynthError> {
    params.validate()?;
    let areas: Vec<Borough> = params
        .boroughs
        .iter()
        .map(|code| {
            boroughs
                .iter()
                .find(|b| b.gss.eq_ignore_ascii_case(code.trim()))
                .cloned()
                .ok_or_else(|| SynthError::UnknownBorough {
                    code: code.clone(),
                    known: boroughs
                        .iter()
                        .map(|b| format!("{} ({})", b.gss, b.name))
                        .collect::<Vec<_>>()
                        .join(", "),
                })
        })
        .collect::<Result<_, _>>()?;
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let bb = network.bbox();
    let proj = LocalProjection::new((bb[0] + bb[2]) / 2.0, (bb[1] + bb[3]) / 2.0);

    // Roads of each requested borough, by the borough of their middle point.
    let mut by_borough: Vec<BTreeMap<RoadClass, Vec<Piece>>> = vec![BTreeMap::new(); areas.len()];
    for seg in network.road_segments() {
        if seg.points.len() < 2 {
            continue;
        }
        let mid = seg.points[seg.points.len() / 2];
        let Some(b) = boroughs.containing(mid[0], mid[1]) else {
            continue;
        };
        if let Some(i) = areas.iter().position(|a| a.gss == b.gss) {
            by_borough[i]
                .entry(seg.class)
                .or_default()
                .push((seg.points, polyline_len(&proj, seg.points)));
        }
    }
    let class_pool = |i: usize, classes: &[RoadClass]| {
        RoadPool::new(
            classes
                .iter()
                .filter_map(|c| by_borough[i].get(c))
                .flatten()
                .copied(),
        )
    };
    let mut home_pools = Vec::new();
    let mut depot_pools = Vec::new();
    for (i, area) in areas.iter().enumerate() {
        let mut pool = class_pool(i, &[RoadClass::Residential]);
        if pool.total < SCARCE_RESIDENTIAL_M {
            pool = class_pool(
                i,
                &[
                    RoadClass::Residential,
                    RoadClass::LivingStreet,
                    RoadClass::Unclassified,
                ],
            );
        }
        if pool.roads.is_empty() {
            return Err(SynthError::BoroughNotCovered {
                code: area.gss.clone(),
                name: area.name.clone(),
            });
        }
        home_pools.push(pool);
        let mut depot = class_pool(
            i,
            &[
                RoadClass::Tertiary,
                RoadClass::Unclassified,
                RoadClass::Secondary,
            ],
        );
        if depot.roads.is_empty() {
            depot = class_pool(i, &RoadClass::ALL);
        }
        depot_pools.push(depot);
    }

    // A point on the borough's roads that lies inside it and snaps.
    let place = |i: usize, pool: &RoadPool, offset: bool, rng: &mut ChaCha8Rng| {
        for _ in 0..200 {
            let off = if offset {
                rng.random_range(5.0..15.0)
            } else {
                0.0
            };
            let p = pool.sample(rng, &proj, off);
            let loc = Location::new(round6(p[0]), round6(p[1]));
            let inside = boroughs
                .containing(loc.lat, loc.lon)
                .is_some_and(|b| b.gss == areas[i].gss);
            if inside
                && network
                    .snap("home", loc.lat, loc.lon, HOME_MAX_SNAP_M)
                    .is_ok()
            {
                return Ok(loc);
            }
        }
        Err(SynthError::BoroughNotCovered {
            code: areas[i].gss.clone(),
            name: areas[i].name.clone(),
        })
    };

    // Schools within reach of the network.
    let [min_lat, min_lon, max_lat, max_lon] = bb;
    let margin = 0.01;
    let usable: Vec<Usable> = schools
        .schools()
        .iter()
        .filter(|s| {
            (min_lat - margin..=max_lat + margin).contains(&s.lat)
                && (min_lon - margin..=max_lon + margin).contains(&s.lon)
                && network
                    .snap(&s.id, s.lat, s.lon, params.max_school_snap_m)
                    .is_ok()
        })
        .filter_map(|s| {
            let b = boroughs.locate(s.lat, s.lon)?;
            Some(Usable {
                school: s,
                borough: b.gss.clone(),
                location: Location::new(round6(s.lat), round6(s.lon)),
            })
        })
        .collect();
    let any = |special: bool| usable.iter().any(|u| u.school.special == special);
    if params.special_school_share > 0.0 && !any(true) {
        return Err(SynthError::NoReachableSchools {
            what: "special",
            max_snap_m: params.max_school_snap_m,
        });
    }
    if params.special_school_share < 1.0 && !any(false) {
        return Err(SynthError::NoReachableSchools {
            what: "mainstream",
            max_snap_m: params.max_school_snap_m,
        });
    }

    // Homes, phases and school types, borough by borough.
    let mut drafts: Vec<Draft> = Vec::new();
    for (i, pool) in home_pools.iter().enumerate() {
        let n_b = params.pupils_in(i) as usize;
        let primary = quota(n_b, params.primary_share, &mut rng);
        let special = quota(n_b, params.special_school_share, &mut rng);
        for k in 0..n_b {
            let home = place(i, pool, true, &mut rng)?;
            let phase = if primary[k] {
                Phase::Primary
            } else {
                Phase::Secondary
            };
            let has = |sp: bool| {
                usable
                    .iter()
                    .any(|u| u.school.special == sp && takes(u.school.phase, phase))
            };
            let special = match (has(true), has(false)) {
                (true, true) => special[k],
                (true, false) => true,
                (false, true) => false,
                (false, false) => {
                    return Err(SynthError::NoSchoolForPhase {
                        phase: if phase == Phase::Primary {
                            "primary"
                        } else {
                            "secondary"
                        },
                    })
                }
            };
            drafts.push(Draft {
                borough: i,
                home,
                phase,
                special,
                cross: false,
                school: usize::MAX,
            });
        }
    }

    // Crossing borough lines: forced where there is no school of the
    // pupil's kind in (or out of) the home borough, else a quota.
    let candidates = |d: &Draft, cross: bool| -> Vec<usize> {
        usable
            .iter()
            .enumerate()
            .filter(|(_, u)| {
                u.school.special == d.special
                    && takes(u.school.phase, d.phase)
                    && (u.borough != areas[d.borough].gss) == cross
            })
            .map(|(j, _)| j)
            .collect()
    };
    let mut flexible = Vec::new();
    let mut forced = 0usize;
    for (k, d) in drafts.iter_mut().enumerate() {
        match (
            !candidates(d, false).is_empty(),
            !candidates(d, true).is_empty(),
        ) {
            (true, true) => flexible.push(k),
            (false, _) => {
                d.cross = true;
                forced += 1;
            }
            (true, false) => {}
        }
    }
    let target = ((drafts.len() as f64) * params.cross_borough_share).round() as usize;
    for k in pick(&flexible, target.saturating_sub(forced), &mut rng) {
        drafts[k].cross = true;
    }
    for d in drafts.iter_mut() {
        let c = candidates(d, d.cross);
        let w: Vec<f64> = c
            .iter()
            .map(|&j| (-d.home.haversine_m(&usable[j].location) / SCHOOL_DISTANCE_SCALE_M).exp())
            .collect();
        let total: f64 = w.iter().sum();
        let mut x = rng.random::<f64>() * total;
        d.school = *c.last().expect("candidates checked above");
        for (j, wj) in c.iter().zip(&w) {
            if x < *wj {
                d.school = *j;
                break;
            }
            x -= wj;
        }
    }

    // Needs.
    let n = drafts.len();
    let all: Vec<usize> = (0..n).collect();
    let at_special: Vec<usize> = all.iter().copied().filter(|&k| drafts[k].special).collect();
    let at_main: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&k| !drafts[k].special)
        .collect();
    let k_wc = ((n as f64) * params.wheelchair_share).round() as usize;
    let k_wc_special =
        (((k_wc as f64) * WHEELCHAIR_AT_SPECIAL).round() as usize).min(at_special.len());
    let mut wheelchair = vec![false; n];
    for k in pick(&at_special, k_wc_special, &mut rng) {
        wheelchair[k] = true;
    }
    let rest: Vec<usize> = all.iter().copied().filter(|&k| !wheelchair[k]).collect();
    let mut rest_main: Vec<usize> = at_main
        .iter()
        .copied()
        .filter(|&k| !wheelchair[k])
        .collect();
    rest_main.shuffle(&mut rng);
    let mut rest_all = rest.clone();
    rest_all.shuffle(&mut rng);
    let mut still = k_wc - k_wc_special;
    for &k in rest_main.iter().chain(&rest_all) {
        if still == 0 {
            break;
        }
        if !wheelchair[k] {
            wheelchair[k] = true;
            still -= 1;
        }
    }
    let wc: Vec<usize> = all.iter().copied().filter(|&k| wheelchair[k]).collect();
    let mut tail_lift = vec![false; n];
    let k_tl = ((wc.len() as f64) * params.tail_lift_share_of_wheelchair).round() as usize;
    for k in pick(&wc, k_tl, &mut rng) {
        tail_lift[k] = true;
    }
    let mut assistant = wheelchair.clone();
    let k_pa = ((n as f64) * params.passenger_assistant_share).round() as usize;
    let walkers: Vec<usize> = all.iter().copied().filter(|&k| !wheelchair[k]).collect();
    for k in pick(&walkers, k_pa.saturating_sub(wc.len()), &mut rng) {
        assistant[k] = true;
    }
    let mut alone = vec![false; n];
    let k_ta = ((n as f64) * params.travel_alone_share).round() as usize;
    for k in pick(&all, k_ta, &mut rng) {
        alone[k] = true;
    }
    // Must-not-travel-together pairs: two pupils of the same borough and
    // school (where sharing a vehicle is likely), neither travelling alone
    // anyway. Keeping pairs inside a borough keeps each borough's part of
    // the cohort a closed problem for the pooling study.
    let mut apart: Vec<Option<usize>> = vec![None; n];
    let k_pairs = ((n as f64) * params.must_not_travel_share / 2.0).round() as usize;
    let mut by_school: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
    for (k, d) in drafts.iter().enumerate() {
        if !alone[k] {
            by_school.entry((d.borough, d.school)).or_default().push(k);
        }
    }
    let mut groups: Vec<Vec<usize>> = by_school.into_values().filter(|g| g.len() >= 2).collect();
    groups.shuffle(&mut rng);
    let mut made = 0;
    'pairs: while made < k_pairs {
        let before = made;
        for g in groups.iter_mut() {
            if made == k_pairs {
                break 'pairs;
            }
            g.retain(|&k| apart[k].is_none());
            if g.len() >= 2 {
                let two = pick(g, 2, &mut rng);
                apart[two[0]] = Some(two[1]);
                apart[two[1]] = Some(two[0]);
                made += 1;
            }
        }
        if made == before {
            break;
        }
    }
    let single = quota(n, params.single_session_share * 2.0, &mut rng);
    let sessions: Vec<Sessions> = {
        let mut flip = false;
        single
            .iter()
            .map(|&s| {
                if !s {
                    return Sessions::Both;
                }
                flip = !flip;
                if flip {
                    Sessions::Am
                } else {
                    Sessions::Pm
                }
            })
            .collect()
    };
    let early = quota(n, params.earliest_pickup_share, &mut rng);

    // Schools in catalogue order, with bell times.
    let mut used: Vec<usize> = drafts.iter().map(|d| d.school).collect();
    used.sort_unstable();
    used.dedup();
    let mut school_rows = Vec::new();
    for &j in &used {
        let u = &usable[j];
        let am_open = TimeOfDay::hm(8, 25 + 5 * rng.random_range(0..=4u32));
        let am_width = if rng.random_bool(0.5) { 15 } else { 20 };
        let pm_open = TimeOfDay::hm(15, 5 * rng.random_range(0..=6u32));
        school_rows.push(School {
            id: u.school.id.clone(),
            name: u.school.name.clone(),
            location: u.location,
            borough: Some(u.borough.clone()),
            phase: u.school.phase,
            am_arrival: TimeWindow::new(am_open, plus_minutes(am_open, am_width)),
            pm_departure: TimeWindow::new(pm_open, plus_minutes(pm_open, 15)),
            dwell_minutes: if u.school.special { 3 } else { 2 },
        });
    }

    // Pupils.
    let width = n.to_string().len().max(4);
    let pid = |k: usize| format!("P{:0width$}", k + 1);
    let mut pupils = Vec::with_capacity(n);
    for (k, d) in drafts.iter().enumerate() {
        let default_cap = d.phase.default_max_ride_minutes();
        let cap = match d.phase {
            Phase::Primary => params.primary_max_ride_minutes,
            _ => params.secondary_max_ride_minutes,
        };
        let extra = if wheelchair[k] {
            rng.random_range(1..=3)
        } else if rng.random_bool(0.1) {
            rng.random_range(1..=2)
        } else {
            0
        };
        let earliest = (early[k] && sessions[k].includes(Session::Am))
            .then(|| plus_minutes(TimeOfDay::hm(7, 30), 15 * rng.random_range(0..=2u32)));
        pupils.push(Pupil {
            id: pid(k),
            home: d.home,
            school: usable[d.school].school.id.clone(),
            sessions: sessions[k],
            borough: Some(areas[d.borough].gss.clone()),
            phase: Some(d.phase),
            needs: Needs {
                wheelchair: wheelchair[k],
                tail_lift: tail_lift[k],
                passenger_assistant: assistant[k],
                travel_alone: alone[k],
                must_not_travel_with: apart[k].map(pid).into_iter().collect(),
                extra_boarding_minutes: extra,
                max_ride_minutes: (default_cap != Some(cap)).then_some(cap),
                earliest_pickup: earliest,
                ..Needs::default()
            },
            extra: Default::default(),
        });
    }

    // Fleet: each borough's own, sized for its AM pupils: a vehicle per solo
    // traveller, shared runs by expected load, times the slack.
    let mut fleet = Vec::new();
    for (i, area) in areas.iter().enumerate() {
        let depot = place(i, &depot_pools[i], false, &mut rng)?;
        let mut per_school: BTreeMap<&str, [u32; 3]> = BTreeMap::new();
        let (mut solo_taxi, mut solo_bus, mut solo_wav) = (0u32, 0u32, 0u32);
        for p in pupils
            .iter()
            .filter(|p| p.borough.as_deref() == Some(&area.gss) && p.sessions.includes(Session::Am))
        {
            let nd = &p.needs;
            match (nd.travel_alone, nd.wheelchair, nd.passenger_assistant) {
                (true, true, _) => solo_wav += 1,
                (true, false, true) => solo_bus += 1,
                (true, false, false) => solo_taxi += 1,
                (false, true, _) => per_school.entry(&p.school).or_default()[2] += 1,
                (false, false, true) => per_school.entry(&p.school).or_default()[1] += 1,
                (false, false, false) => per_school.entry(&p.school).or_default()[0] += 1,
            }
        }
        // Shared runs: a vehicle per school and kind of pupil at most, and
        // at least one per `load` pupils of a kind across the borough.
        let need = |load: Option<u32>, cap: u32, idx: usize| -> u32 {
            let separate: u32 = per_school.values().map(|c| c[idx].div_ceil(cap)).sum();
            match load {
                Some(load) => separate.min(per_school_total(&per_school, idx).div_ceil(load)),
                None => separate,
            }
        };
        let slack = |x: u32| -> u32 { ((f64::from(x)) * params.fleet_slack).ceil() as u32 };
        let short = short_name(area);
        let counts = [
            slack(need(Some(TAXI_LOAD), TAXI_SEATS, 0) + solo_taxi),
            slack(need(Some(MINIBUS_LOAD), MINIBUS_SEATS, 1) + solo_bus),
            // Wheelchair users are few and spread: no pooling assumed.
            slack(need(None, WAV_SPACES, 2) + solo_wav),
        ];
        let types = [
            VehicleType {
                id: format!("{short}-TAXI-{TAXI_SEATS}"),
                count: counts[0],
                depot,
                seats: TAXI_SEATS,
                wheelchair_spaces: 0,
                seats_per_wheelchair_space: 0,
                tail_lift: false,
                passenger_assistant: false,
                fixed_cost_per_day: params.taxi_fixed_cost_per_day,
                cost_per_km: params.taxi_cost_per_km,
                cost_per_hour: params.taxi_cost_per_hour,
                assistant_cost_per_day: 0.0,
                max_duty_minutes: params.taxi_max_duty_minutes,
                shift: TimeWindow::new(params.shift_start, params.shift_end),
                pm_shift: Some(TimeWindow::new(params.pm_shift_start, params.pm_shift_end)),
                borough: Some(area.gss.clone()),
                max_schools_per_run: None,
            },
            VehicleType {
                id: format!("{short}-MINIBUS-{MINIBUS_SEATS}"),
                count: counts[1],
                depot,
                seats: MINIBUS_SEATS,
                wheelchair_spaces: 0,
                seats_per_wheelchair_space: 0,
                tail_lift: false,
                passenger_assistant: true,
                fixed_cost_per_day: params.minibus_fixed_cost_per_day,
                cost_per_km: params.minibus_cost_per_km,
                cost_per_hour: params.minibus_cost_per_hour,
                assistant_cost_per_day: params.assistant_cost_per_day,
                max_duty_minutes: params.bus_max_duty_minutes,
                shift: TimeWindow::new(params.shift_start, params.shift_end),
                pm_shift: Some(TimeWindow::new(params.pm_shift_start, params.pm_shift_end)),
                borough: Some(area.gss.clone()),
                max_schools_per_run: None,
            },
            VehicleType {
                id: format!("{short}-WAV-{WAV_SEATS}"),
                count: counts[2],
                depot,
                seats: WAV_SEATS,
                wheelchair_spaces: WAV_SPACES,
                seats_per_wheelchair_space: 2,
                tail_lift: true,
                passenger_assistant: true,
                fixed_cost_per_day: params.wav_fixed_cost_per_day,
                cost_per_km: params.wav_cost_per_km,
                cost_per_hour: params.wav_cost_per_hour,
                assistant_cost_per_day: params.assistant_cost_per_day,
                max_duty_minutes: params.bus_max_duty_minutes,
                shift: TimeWindow::new(params.shift_start, params.shift_end),
                pm_shift: Some(TimeWindow::new(params.pm_shift_start, params.pm_shift_end)),
                borough: Some(area.gss.clone()),
                max_schools_per_run: None,
            },
        ];
        fleet.extend(types.into_iter().filter(|v| v.count > 0));
    }

    let problem = Problem {
        pupils,
        schools: school_rows,
        fleet,
        session: Session::Am,
        settings: Settings::default(),
        matrices: None,
    };
    let stats = CohortStats::of(&problem, &areas, schools);
    Ok(Cohort {
        problem,
        stats,
        params: params.clone(),
    })
}

/// Seats of a taxi.
pub const TAXI_SEATS: u32 = 4;
/// Seats of a minibus.
pub const MINIBUS_SEATS: u32 = 12;
/// Seats of a wheelchair-accessible vehicle with no wheelchair on board.
pub const WAV_SEATS: u32 = 6;
/// Wheelchair spaces of a wheelchair-accessible vehicle (each takes 2 seats).
pub const WAV_SPACES: u32 = 2;

/// Pupils a shared taxi run is expected to carry when sizing the fleet
/// (*assumption*; the planner typically fills runs fuller across schools).
const TAXI_LOAD: u32 = 3;
/// Pupils a shared minibus run is expected to carry when sizing the fleet
/// (*assumption*).
const MINIBUS_LOAD: u32 = 5;

fn per_school_total(per_school: &BTreeMap<&str, [u32; 3]>, idx: usize) -> u32 {
    per_school.values().map(|c| c[idx]).sum()
}

fn plus_minutes(t: TimeOfDay, minutes: u32) -> TimeOfDay {
    TimeOfDay::from_seconds(t.seconds() + minutes * 60).unwrap_or(t)
}
