//! The pooling study: each borough alone versus all boroughs pooled, on the
//! same roads, rules, seeds and time budget per pupil.

use crate::game::{CoreViolation, ShapleyMethod};
use crate::stats::Estimate;
use senroute_model::{InputErrors, InputIssue, Plan, Problem, Session, VehicleType};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
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
    /// Seeds: every coalition is solved once per seed, each seed giving an
    /// independent run of the whole study; figures are means over the runs
    /// with a bootstrap interval.
    pub seeds: Vec<u64>,
    /// Worker threads per solve.
    pub threads: usize,
    /// Cost (£) counted per unplaced pupil when comparing coalitions, so a
    /// coalition cannot look cheap by leaving pupils behind.
    pub unassigned_penalty: f64,
    /// Exact Shapley value up to this many boroughs (never above
    /// [`EXACT_SHAPLEY_MAX_PLAYERS`](crate::game::EXACT_SHAPLEY_MAX_PLAYERS)); sampled beyond.
    pub exact_shapley_max_boroughs: usize,
    /// Random orders for the sampled Shapley value.
    pub shapley_permutations: usize,
    /// CO2 factors.
    pub co2: Co2Factors,
    /// School days per year, for the yearly figures (190 in England: 195
    /// days of the school year less 5 training days).
    #[serde(default = "default_school_days")]
    pub school_days_per_year: f64,
    /// Start each group's search from the union of its members' own plans
    /// (when the solver can: the service cannot).
    #[serde(default = "default_true")]
    pub warm_start: bool,
}

fn default_true() -> bool {
    true
}

fn default_school_days() -> f64 {
    190.0
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
            school_days_per_year: default_school_days(),
            warm_start: true,
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
    /// Cost per day (£).
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

/// One borough's row of the report. Costs count each unplaced pupil at
/// [`StudyOptions::unassigned_penalty`]; estimates are over the seeds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoroughRow {
    /// GSS code.
    pub borough: String,
    /// Name (from the boundaries file; the code when not known).
    pub name: String,
    /// The published run's plan alone with its own fleet.
    pub alone: Outcome,
    /// Its share of the published run's pooled plan.
    pub pooled: Outcome,
    /// Cost alone, £/day.
    pub alone_cost: Estimate,
    /// Shapley share of the pooled cost, £/day.
    pub shapley: Estimate,
    /// Standard error of the Shapley share from sampling orders of the
    /// boroughs (zero when exact).
    pub shapley_sampling_error: f64,
    /// Share of the pooled cost in proportion to stand-alone cost (mean game).
    pub proportional_share: f64,
    /// Least-core share closest to the Shapley share (mean game).
    pub least_core_share: f64,
    /// Cost alone minus the Shapley share, £/day.
    pub saving: Estimate,
    /// Mean saving under the Shapley split, % of the mean stand-alone cost.
    pub saving_pct: f64,
}

/// A coalition's cost (mean over the seeds), as used by the split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoalitionCost {
    /// Member boroughs.
    pub boroughs: Vec<String>,
    /// Daily cost plus the unassigned penalty, mean over the seeds.
    pub cost: f64,
    /// Runs (of the seeds) whose own search was beaten by a combination of
    /// sub-coalitions' plans.
    pub from_sub_coalitions: usize,
}

/// One independent run of the study (one seed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeedRun {
    /// The seed.
    pub seed: u64,
    /// Sum of the boroughs' costs alone (with penalties), £/day.
    pub alone: f64,
    /// The pooled cost (with penalties), £/day.
    pub pooled: f64,
    /// Vehicles alone (whole vehicles, every borough's plan).
    pub vehicles_alone: usize,
    /// Vehicles pooled.
    pub vehicles_pooled: usize,
}

/// Whether any split satisfies every group of boroughs, and the least-core split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoreFinding {
    /// No split of the pooled cost charges every group of boroughs at most
    /// what it would pay on its own (within 1p).
    pub empty: bool,
    /// The least-core relaxation, £/day: how much the worst-off group pays
    /// above its own cost under the fairest split (negative: the margin
    /// every group keeps).
    pub epsilon: f64,
    /// Coalitions checked (every one when the Shapley value is exact, the
    /// sampled ones otherwise).
    pub coalitions_checked: usize,
    /// Whether every coalition was checked.
    pub complete: bool,
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
    /// The published run: every borough planning alone.
    pub alone_total: Outcome,
    /// The published run's pooled plan.
    pub pooled_total: Outcome,
    /// Seed of the published run (the one with the cheapest pooled plan).
    pub published_seed: u64,
    /// Each run's figures.
    pub runs: Vec<SeedRun>,
    /// Cost of every borough alone, £/day, over the runs.
    pub alone_cost: Estimate,
    /// Pooled cost, £/day, over the runs.
    pub pooled_cost: Estimate,
    /// Alone minus pooled cost, £/day, over the runs.
    pub saving: Estimate,
    /// The same in % of the alone cost, over the runs.
    pub saving_pct: Estimate,
    /// How the Shapley value was computed.
    pub shapley_method: ShapleyMethod,
    /// Coalition costs (every coalition when exact).
    pub coalitions: Vec<CoalitionCost>,
    /// The core and the least core.
    pub core: CoreFinding,
    /// Coalitions the proportional split overcharges (empty: in the core).
    pub proportional_core_violations: Vec<CoreViolation>,
    /// Coalitions the Shapley split overcharges (empty: in the core).
    pub shapley_core_violations: Vec<CoreViolation>,
    /// Searched plans set aside because the validator found a broken rule
    /// (the coalition then used a combination of its members' plans).
    pub rejected_plans: usize,
    /// The saving at each search budget, when the study compared budgets
    /// (`senroute pool --study`); empty otherwise.
    #[serde(default)]
    pub budget_curve: Vec<BudgetPoint>,
}

/// The study's figures at one search budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetPoint {
    /// Search seconds per pupil.
    pub seconds_per_pupil: f64,
    /// Saving, £/day.
    pub saving: Estimate,
    /// Saving, % of the alone cost.
    pub saving_pct: Estimate,
    /// Every borough alone, £/day.
    pub alone_cost: Estimate,
    /// Pooled, £/day.
    pub pooled_cost: Estimate,
}

impl PoolingReport {
    /// Fills the boroughs' names from `(GSS code, name)` pairs.
    pub fn set_names<'a>(&mut self, names: impl IntoIterator<Item = (&'a str, &'a str)>) {
        let names: std::collections::HashMap<&str, &str> = names.into_iter().collect();
        for b in &mut self.boroughs {
            if let Some(n) = names.get(b.borough.as_str()) {
                b.name = n.to_string();
            }
        }
    }

    /// A borough's name by GSS code (the code when unknown).
    pub fn name_of<'a>(&'a self, code: &'a str) -> &'a str {
        self.boroughs
            .iter()
            .find(|b| b.borough == code)
            .map_or(code, |b| b.name.as_str())
    }
}

/// The study with its plans, for maps and checks.
#[derive(Debug, Clone)]
pub struct Study {
    /// The findings.
    pub report: PoolingReport,
    /// Each borough's own problem and plan (published run).
    pub alone: Vec<(String, Problem, Plan)>,
    /// The pooled plan over the whole problem (published run).
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
pub(crate) fn time_budget(seconds_per_pupil: f64, pupils: f64) -> Duration {
    let s = seconds_per_pupil * pupils;
    if s.is_nan() || s <= 0.0 {
        return Duration::ZERO;
    }
    Duration::try_from_secs_f64(s.min(senroute_model::limits::MAX_TIME_LIMIT_SECONDS))
        .unwrap_or(Duration::ZERO)
}

pub(crate) fn check_owners(problem: &Problem) -> Result<Vec<String>, InputErrors> {
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
    errors.into_result(boroughs.into_iter().collect())
}

/// Outcome of pupils in `pupils` (all when `None`) within a plan.
pub(crate) fn outcome(
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

pub(crate) fn add(a: &mut Outcome, b: &Outcome) {
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
