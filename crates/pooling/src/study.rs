//! The pooling study: each borough alone versus all boroughs pooled, on the
//! same roads, rules, seeds and time budget per pupil.

use crate::game::{
    core_violations, members, proportional, shapley_exact, shapley_sampled, Coalition,
    CoreViolation, ShapleyMethod,
};
use senroute_model::{InputErrors, InputIssue, Plan, Problem, Session, TravelTimes, VehicleType};
use senroute_planner::{plan, PlanOptions};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

/// Estimated CO2 per vehicle-km by kind of vehicle, kg CO2e.
///
/// Defaults are approximations of the UK government's greenhouse-gas
/// conversion factors (DESNZ/DEFRA 2024, "delivery vehicles" and "passenger
/// vehicles" tables): an average car for taxis (≈0.17 kg/km) and an average
/// diesel van of 1.74–3.5 t for minibuses and wheelchair-accessible vehicles
/// (≈0.25 kg/km; WAVs with a tail-lift are heavier, 0.27). They are
/// assumptions, not measurements: pass your own per fleet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Co2Factors {
    /// Taxis and other cars (fewer than 8 seats, no wheelchair space).
    pub taxi_kg_per_km: f64,
    /// Minibuses (8 seats or more, no wheelchair space).
    pub minibus_kg_per_km: f64,
    /// Wheelchair-accessible vehicles.
    pub wav_kg_per_km: f64,
}

impl Default for Co2Factors {
    fn default() -> Self {
        Co2Factors {
            taxi_kg_per_km: 0.17,
            minibus_kg_per_km: 0.25,
            wav_kg_per_km: 0.27,
        }
    }
}

impl Co2Factors {
    /// kg CO2e per km for a vehicle type.
    pub fn per_km(&self, v: &VehicleType) -> f64 {
        if v.wheelchair_spaces > 0 {
            self.wav_kg_per_km
        } else if v.seats >= 8 {
            self.minibus_kg_per_km
        } else {
            self.taxi_kg_per_km
        }
    }
}

/// Settings of a study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudyOptions {
    /// Search seconds per pupil in the (sub)problem: the same budget per
    /// pupil alone and pooled.
    pub seconds_per_pupil: f64,
    /// Iterations per pupil and thread instead of a time limit (exactly
    /// reproducible); overrides `seconds_per_pupil` when set.
    pub iterations_per_pupil: Option<u64>,
    /// Seeds; each (sub)problem is solved once per seed and the cheapest plan kept.
    pub seeds: Vec<u64>,
    /// Worker threads per solve.
    pub threads: usize,
    /// Cost (£) counted per unplaced pupil when comparing coalitions, so a
    /// coalition cannot look cheap by leaving pupils behind.
    pub unassigned_penalty: f64,
    /// Exact Shapley value up to this many boroughs; sampled beyond.
    pub exact_shapley_max_boroughs: usize,
    /// Random orders for the sampled Shapley value.
    pub shapley_permutations: usize,
    /// CO2 factors.
    pub co2: Co2Factors,
}

impl Default for StudyOptions {
    fn default() -> Self {
        StudyOptions {
            seconds_per_pupil: 0.2,
            iterations_per_pupil: None,
            seeds: vec![1],
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            unassigned_penalty: 500.0,
            exact_shapley_max_boroughs: 6,
            shapley_permutations: 200,
            co2: Co2Factors::default(),
        }
    }
}

/// Key figures of a plan, or of one borough's share of a plan.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Outcome {
    /// Pupils in scope.
    pub pupils: usize,
    /// Vehicles (in a pooled plan, a borough's share: its pupils' fraction of each run).
    pub vehicles: f64,
    /// Cost per day (£); in the pooled per-borough rows, the Shapley share.
    pub cost: f64,
    /// Vehicle-km.
    pub vehicle_km: f64,
    /// Estimated kg CO2e.
    pub co2_kg: f64,
    /// Mean ride minutes of placed pupils.
    pub mean_ride_min: f64,
    /// Worst ride minutes.
    pub worst_ride_min: f64,
    /// Pupils over their ride cap (the validator forbids it; reported for completeness).
    pub over_cap: usize,
    /// Pupils not placed.
    pub unassigned: usize,
}

/// One borough's row of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoroughRow {
    /// GSS code.
    pub borough: String,
    /// Planning alone with its own fleet.
    pub alone: Outcome,
    /// Its share of the pooled plan.
    pub pooled: Outcome,
    /// Share of the pooled cost in proportion to stand-alone cost.
    pub proportional_share: f64,
    /// Shapley value of the pooled cost. Coalition costs in the split count
    /// each unplaced pupil at [`StudyOptions::unassigned_penalty`].
    pub shapley_share: f64,
    /// Stand-alone cost (with penalties) minus the Shapley share, £/day.
    pub saving: f64,
    /// Saving under the Shapley split, % of stand-alone cost.
    pub saving_pct: f64,
}

/// A coalition's cost, as used by the split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoalitionCost {
    /// Member boroughs.
    pub boroughs: Vec<String>,
    /// Daily cost plus the unassigned penalty.
    pub cost: f64,
    /// Where the plan came from: `search` or `union of members' plans`.
    pub source: String,
}

/// The study's findings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolingReport {
    /// senroute version.
    pub version: String,
    /// Session planned.
    pub session: Session,
    /// Settings used.
    pub options: StudyOptions,
    /// sha256 of each input file (name, hex), filled in by the caller.
    pub inputs: Vec<(String, String)>,
    /// One row per borough.
    pub boroughs: Vec<BoroughRow>,
    /// Sum over boroughs planning alone.
    pub alone_total: Outcome,
    /// The pooled plan.
    pub pooled_total: Outcome,
    /// Alone minus pooled daily cost, £/day (compare the unassigned counts
    /// too: a borough without a suitable fleet leaves pupils behind alone).
    pub saving: f64,
    /// The same in % of the alone cost.
    pub saving_pct: f64,
    /// Where the pooled plan came from.
    pub pooled_source: String,
    /// How the Shapley value was computed.
    pub shapley_method: ShapleyMethod,
    /// Coalition costs (every coalition when exact).
    pub coalitions: Vec<CoalitionCost>,
    /// Coalitions the proportional split overcharges (empty: in the core).
    pub proportional_core_violations: Vec<CoreViolation>,
    /// Coalitions the Shapley split overcharges (empty: in the core).
    pub shapley_core_violations: Vec<CoreViolation>,
}

/// The study with its plans, for maps and checks.
#[derive(Debug, Clone)]
pub struct Study {
    /// The findings.
    pub report: PoolingReport,
    /// Each borough's own problem and plan.
    pub alone: Vec<(String, Problem, Plan)>,
    /// The pooled plan over the whole problem.
    pub pooled: Plan,
}

/// Restricts a problem to the pupils and vehicles of a set of boroughs.
pub fn restrict(problem: &Problem, boroughs: &BTreeSet<&str>) -> Problem {
    let mut p = problem.clone();
    p.pupils
        .retain(|x| x.borough.as_deref().is_some_and(|b| boroughs.contains(b)));
    let ids: BTreeSet<String> = p.pupils.iter().map(|x| x.id.clone()).collect();
    for x in &mut p.pupils {
        x.needs.must_not_travel_with.retain(|o| ids.contains(o));
    }
    p.fleet
        .retain(|v| v.borough.as_deref().is_some_and(|b| boroughs.contains(b)));
    p.matrices = None;
    p
}

/// Joins plans of disjoint boroughs (disjoint pupils and vehicle types) into
/// one plan for their union.
pub fn union(session: Session, plans: &[&Plan]) -> Plan {
    let mut out = Plan {
        session,
        routes: vec![],
        rides: vec![],
        unassigned: vec![],
        totals: Default::default(),
    };
    for p in plans {
        let offset = out.routes.len();
        out.routes.extend(p.routes.iter().cloned());
        out.rides.extend(p.rides.iter().cloned().map(|mut r| {
            r.route += offset;
            r
        }));
        out.unassigned.extend(p.unassigned.iter().cloned());
    }
    out.compute_totals();
    out
}

/// `seconds_per_pupil × pupils` as a duration, a negative or NaN product
/// as zero and one too large for a `Duration` as a day (the CLI bounds the
/// per-pupil time well below that; this only keeps the library panic-free).
fn time_budget(seconds_per_pupil: f64, pupils: f64) -> Duration {
    let s = seconds_per_pupil * pupils;
    if s.is_nan() || s <= 0.0 {
        return Duration::ZERO;
    }
    Duration::try_from_secs_f64(s.min(senroute_model::limits::MAX_TIME_LIMIT_SECONDS))
        .unwrap_or(Duration::ZERO)
}

fn check_owners(problem: &Problem) -> Result<Vec<String>, InputErrors> {
    let mut errors = InputErrors::default();
    for v in &problem.fleet {
        if v.borough.as_deref().is_none_or(str::is_empty) {
            errors.push(InputIssue {
                source: "fleet".into(),
                line: None,
                field: Some(format!("borough of vehicle type {}", v.id)),
                value: None,
                message: "the pooling study needs every vehicle type owned by a borough".into(),
                hint: "fill the borough column of fleet.csv with the owning borough's GSS code"
                    .into(),
            });
        }
    }
    for p in problem.travelling_pupils() {
        if p.borough.as_deref().is_none_or(str::is_empty) {
            errors.push(InputIssue {
                source: "pupils".into(),
                line: None,
                field: Some(format!("borough of pupil {}", p.id)),
                value: None,
                message: "the pooling study needs each pupil's home borough".into(),
                hint: "fill the borough column, or pass --boundaries to fill it from the borough polygons".into(),
            });
        }
    }
    let boroughs: BTreeSet<String> = problem
        .travelling_pupils()
        .filter_map(|p| p.borough.clone())
        .collect();
    if errors.is_empty() && boroughs.len() < 2 {
        errors.push(InputIssue {
            source: "pupils".into(),
            line: None,
            field: Some("borough".into()),
            value: boroughs.iter().next().cloned(),
            message: format!("pooling needs pupils from at least two boroughs, found {}", boroughs.len()),
            hint: "add pupils of another borough, or generate a cohort with senroute generate --boroughs A,B".into(),
        });
    }
    // Coalitions are bit sets of a `Coalition` (u32).
    let most = Coalition::BITS as usize;
    if boroughs.len() > most {
        errors.push(InputIssue {
            source: "pupils".into(),
            line: None,
            field: Some("borough".into()),
            value: None,
            message: format!(
                "pooling compares at most {most} boroughs, found {}",
                boroughs.len()
            ),
            hint: "run the study on a group of neighbouring boroughs".into(),
        });
    }
    errors.into_result(boroughs.into_iter().collect())
}

/// Outcome of pupils in `pupils` (all when `None`) within a plan.
fn outcome(
    problem: &Problem,
    plan: &Plan,
    co2: &Co2Factors,
    pupils: Option<&BTreeSet<&str>>,
) -> Outcome {
    let inside = |id: &str| pupils.is_none_or(|s| s.contains(id));
    let mut o = Outcome {
        pupils: problem
            .travelling_pupils()
            .filter(|p| inside(&p.id))
            .count(),
        ..Outcome::default()
    };
    for r in &plan.routes {
        let carried: Vec<&str> = r
            .stops
            .iter()
            .filter(|s| s.kind == senroute_model::StopKind::Pickup)
            .flat_map(|s| s.pupils.iter().map(String::as_str))
            .collect();
        let share = if carried.is_empty() {
            0.0
        } else {
            carried.iter().filter(|id| inside(id)).count() as f64 / carried.len() as f64
        };
        let per_km = problem
            .vehicle_type(&r.vehicle_type)
            .map_or(0.0, |v| co2.per_km(v));
        o.vehicles += share;
        o.cost += share * r.cost;
        o.vehicle_km += share * r.distance_m / 1000.0;
        o.co2_kg += share * per_km * r.distance_m / 1000.0;
    }
    let rides: Vec<_> = plan.rides.iter().filter(|r| inside(&r.pupil)).collect();
    if !rides.is_empty() {
        o.mean_ride_min = rides.iter().map(|r| r.ride_s).sum::<f64>() / rides.len() as f64 / 60.0;
        o.worst_ride_min = rides.iter().map(|r| r.ride_s / 60.0).fold(0.0, f64::max);
    }
    o.over_cap = rides
        .iter()
        .filter(|r| r.ride_s > r.max_ride_s + senroute_model::TIME_TOLERANCE_S)
        .count();
    o.unassigned = plan.unassigned.iter().filter(|u| inside(&u.pupil)).count();
    o
}

fn add(a: &mut Outcome, b: &Outcome) {
    let n = (a.pupils - a.unassigned) as f64;
    let m = (b.pupils - b.unassigned) as f64;
    a.mean_ride_min = if n + m > 0.0 {
        (a.mean_ride_min * n + b.mean_ride_min * m) / (n + m)
    } else {
        0.0
    };
    a.worst_ride_min = a.worst_ride_min.max(b.worst_ride_min);
    a.pupils += b.pupils;
    a.vehicles += b.vehicles;
    a.cost += b.cost;
    a.vehicle_km += b.vehicle_km;
    a.co2_kg += b.co2_kg;
    a.over_cap += b.over_cap;
    a.unassigned += b.unassigned;
}

/// One search of a (sub)problem that a study needs: a coalition's problem
/// under one seed.
#[derive(Debug, Clone)]
pub struct SolveRequest {
    /// GSS codes of the coalition's boroughs.
    pub boroughs: Vec<String>,
    /// The coalition's problem ([`restrict`]ed: no matrices of its own; its
    /// travel times are the study's).
    pub problem: Problem,
    /// Wall-clock budget, when no iteration limit is set.
    pub time_limit: Option<Duration>,
    /// Iterations per thread (exactly reproducible).
    pub iteration_limit: Option<u64>,
    /// Random seed.
    pub seed: u64,
    /// Solver threads.
    pub threads: usize,
}

/// Plans the searches of a study: on this machine ([`LocalSolver`]) or
/// elsewhere (the CLI's `pool --via` sends each as a job to the service).
pub trait CoalitionSolver {
    /// Plans every request over `travel` (which covers every location of
    /// every request), in any order or in parallel; plans come back in the
    /// order of `requests`.
    fn solve(&self, requests: &[SolveRequest], travel: &TravelTimes) -> Result<Vec<Plan>, String>;
}

/// [`CoalitionSolver`] on this machine, one search after another.
#[derive(Debug, Clone, Copy, Default)]
pub struct LocalSolver;

impl CoalitionSolver for LocalSolver {
    fn solve(&self, requests: &[SolveRequest], travel: &TravelTimes) -> Result<Vec<Plan>, String> {
        Ok(requests
            .iter()
            .map(|r| {
                let opts = PlanOptions {
                    time_limit: r.time_limit,
                    iteration_limit: r.iteration_limit,
                    seed: r.seed,
                    threads: r.threads,
                    cancel: Arc::new(AtomicBool::new(false)),
                };
                plan(&r.problem, travel, &opts, &|_| {}).plan
            })
            .collect())
    }
}

/// Why a study could not be run.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    /// The problem is not a pooling problem.
    #[error("{0}")]
    Input(#[from] InputErrors),
    /// The solver failed.
    #[error("{0}")]
    Solver(String),
}

/// Runs the study on `problem` (pupils and fleet of several boroughs) over
/// `travel` (covering every location of the problem). `progress` receives a
/// line per solve.
pub fn run_study(
    problem: &Problem,
    travel: &TravelTimes,
    options: &StudyOptions,
    progress: &dyn Fn(&str),
) -> Result<Study, InputErrors> {
    match run_study_with(problem, travel, options, progress, &LocalSolver) {
        Ok(s) => Ok(s),
        Err(StudyError::Input(e)) => Err(e),
        Err(StudyError::Solver(e)) => Err(InputIssue {
            source: "pooling".into(),
            line: None,
            field: None,
            value: None,
            message: e,
            hint: String::new(),
        }
        .into()),
    }
}

/// [`run_study`] with the searches planned by `solver`. The coalitions the
/// study needs are known before any is solved (every coalition when the
/// Shapley value is exact; the prefixes of the seeded random orders when it
/// is sampled), so they all go to `solver` at once; the results are the
/// same as one after another.
pub fn run_study_with(
    problem: &Problem,
    travel: &TravelTimes,
    options: &StudyOptions,
    progress: &dyn Fn(&str),
    solver: &dyn CoalitionSolver,
) -> Result<Study, StudyError> {
    let boroughs = check_owners(problem)?;
    let n = boroughs.len();
    let penalty = options.unassigned_penalty;
    let score = |p: &Plan| p.totals.cost + penalty * p.totals.unassigned as f64;
    let full: Coalition = (1 << n) - 1;
    let exact = n <= options.exact_shapley_max_boroughs;
    let shapley_seed = options.seeds.first().copied().unwrap_or(1);

    // Every coalition the study will look at, in the order it looks.
    let mut needed: Vec<Coalition> = (0..n).map(|i| 1 << i).collect();
    needed.push(full);
    {
        let mut record = |s: Coalition| {
            if !needed.contains(&s) {
                needed.push(s);
            }
            0.0
        };
        if exact {
            shapley_exact(n, &mut record);
        } else {
            shapley_sampled(n, options.shapley_permutations, shapley_seed, &mut record);
        }
    }
    let seeds: &[u64] = if options.seeds.is_empty() {
        &[1]
    } else {
        &options.seeds
    };
    let mut requests = Vec::with_capacity(needed.len() * seeds.len());
    for &mask in &needed {
        let set: BTreeSet<&str> = members(mask, n).map(|i| boroughs[i].as_str()).collect();
        let sub = restrict(problem, &set);
        let pupils = sub.travelling_pupils().count().max(1) as f64;
        for &seed in seeds {
            requests.push(SolveRequest {
                boroughs: set.iter().map(|b| b.to_string()).collect(),
                problem: sub.clone(),
                time_limit: options
                    .iterations_per_pupil
                    .is_none()
                    .then(|| time_budget(options.seconds_per_pupil, pupils)),
                iteration_limit: options
                    .iterations_per_pupil
                    .map(|i| i.saturating_mul(pupils as u64)),
                seed,
                threads: options.threads,
            });
        }
    }
    let solved = solver
        .solve(&requests, travel)
        .map_err(StudyError::Solver)?;
    if solved.len() != requests.len() {
        return Err(StudyError::Solver(format!(
            "{} plans for {} searches",
            solved.len(),
            requests.len()
        )));
    }

    let mut plans: HashMap<Coalition, (Plan, String)> = HashMap::new();
    let mut solved = solved.into_iter();
    for &mask in &needed {
        // The cheapest plan over the seeds (the first on ties).
        let mut best: Option<Plan> = None;
        for _ in seeds {
            let p = solved.next().expect("one plan per request");
            if best.as_ref().is_none_or(|b| score(&p) < score(b)) {
                best = Some(p);
            }
        }
        let mut best = best.expect("at least one seed");
        let mut source = "search".to_string();
        // A coalition can always run its members' own plans side by side.
        if mask.count_ones() > 1 {
            let parts: Vec<Plan> = members(mask, n)
                .map(|i| {
                    plans
                        .get(&(1 << i))
                        .map(|(p, _)| p.clone())
                        .expect("singletons come first")
                })
                .collect();
            let joined = union(problem.session, &parts.iter().collect::<Vec<_>>());
            if score(&joined) < score(&best) {
                best = joined;
                source = "union of members' plans".into();
            }
        }
        let set: Vec<&str> = members(mask, n).map(|i| boroughs[i].as_str()).collect();
        progress(&format!(
            "{}: £{:.2}/day, {} vehicles, {} unassigned ({source})",
            set.join("+"),
            best.totals.cost,
            best.totals.vehicles,
            best.totals.unassigned
        ));
        plans.insert(mask, (best, source));
    }
    let cost = |s: Coalition| score(&plans[&s].0);
    let (shapley, method) = if exact {
        (shapley_exact(n, &mut |s| cost(s)), ShapleyMethod::Exact)
    } else {
        (
            shapley_sampled(n, options.shapley_permutations, shapley_seed, &mut |s| {
                cost(s)
            }),
            ShapleyMethod::Sampled {
                permutations: options.shapley_permutations,
                seed: shapley_seed,
            },
        )
    };
    let alone_scores: Vec<f64> = (0..n).map(|i| score(&plans[&(1 << i)].0)).collect();
    let pooled_score = score(&plans[&full].0);
    let prop = proportional(pooled_score, &alone_scores);
    let mut coalitions: Vec<(Coalition, f64)> =
        plans.iter().map(|(&m, (p, _))| (m, score(p))).collect();
    coalitions.sort_by_key(|(m, _)| (m.count_ones(), *m));

    let pooled = plans[&full].0.clone();
    let mut rows = Vec::new();
    let mut alone_total = Outcome::default();
    let mut alone = Vec::new();
    for (i, b) in boroughs.iter().enumerate() {
        let set: BTreeSet<&str> = [b.as_str()].into();
        let sub = restrict(problem, &set);
        let (plan_b, _) = &plans[&(1 << i)];
        let a = outcome(&sub, plan_b, &options.co2, None);
        add(&mut alone_total, &a);
        let ids: BTreeSet<&str> = sub.pupils.iter().map(|p| p.id.as_str()).collect();
        let mut pooled_b = outcome(problem, &pooled, &options.co2, Some(&ids));
        pooled_b.cost = shapley[i];
        let saving = alone_scores[i] - shapley[i];
        rows.push(BoroughRow {
            borough: b.clone(),
            alone: a,
            pooled: pooled_b,
            proportional_share: prop[i],
            shapley_share: shapley[i],
            saving,
            saving_pct: if alone_scores[i] > 0.0 {
                100.0 * saving / alone_scores[i]
            } else {
                0.0
            },
        });
        alone.push((b.clone(), sub, plan_b.clone()));
    }
    let pooled_total = outcome(problem, &pooled, &options.co2, None);
    let (alone_cost, pooled_cost) = (alone_total.cost, pooled_total.cost);
    let report = PoolingReport {
        version: env!("CARGO_PKG_VERSION").to_string(),
        session: problem.session,
        options: options.clone(),
        inputs: vec![],
        boroughs: rows,
        alone_total,
        pooled_total,
        saving: alone_cost - pooled_cost,
        saving_pct: if alone_cost > 0.0 {
            100.0 * (alone_cost - pooled_cost) / alone_cost
        } else {
            0.0
        },
        pooled_source: plans[&full].1.clone(),
        shapley_method: method,
        coalitions: coalitions
            .iter()
            .map(|&(m, c)| CoalitionCost {
                boroughs: members(m, n).map(|i| boroughs[i].clone()).collect(),
                cost: c,
                source: plans[&m].1.clone(),
            })
            .collect(),
        proportional_core_violations: core_violations(n, &prop, &coalitions, 0.01),
        shapley_core_violations: core_violations(n, &shapley, &coalitions, 0.01),
    };
    Ok(Study {
        report,
        alone,
        pooled,
    })
}
