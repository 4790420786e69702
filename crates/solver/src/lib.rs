//! # senroute-solver
//!
//! The routing engine of senroute: a flat, index-based pickup-and-delivery
//! vehicle-routing core (in the style of PyVRP) that the domain model maps onto.
//!
//! * [`Instance`] describes locations (by index into row-major duration and
//!   distance matrices), [`Request`]s (a pickup and/or a delivery [`Stop`] with
//!   a multi-dimensional load, maximum ride time, required vehicle features,
//!   "travel alone" and pairwise conflicts) and [`VehicleType`]s (depots,
//!   linear [`CapacityRule`]s, features, costs, shift window, maximum duty).
//! * [`solve`] runs a multi-threaded ruin-and-recreate search (SISR string
//!   removals, greedy insertion with blinks, simulated annealing, a fleet
//!   minimisation phase for the hierarchical objective, periodic
//!   set-partitioning recombination of a route pool with `good_lp`) and
//!   returns a
//!   [`Solution`] with a full schedule and a specific [`UnassignedReason`] for
//!   every request left out.
//! * [`bench`](mod@bench) loads Solomon/Homberger, Li & Lim and Cordeau (2006) benchmark
//!   files and runs them; [`checker`] re-checks solutions and benchmark routes
//!   from scratch, sharing no code with the search.
//!
//! ## Scheduling (what is exact)
//!
//! For a fixed visiting sequence the engine first computes the earliest
//! schedule (forward pass), which decides time-window and shift feasibility
//! exactly. Ride times and the route duration are then reduced with the
//! eight-step procedure of Cordeau & Laporte (2003): delay the depot departure
//! by the forward time slack, then delay every pickup by its forward time
//! slack. If that schedule still violates a maximum ride time or the maximum
//! duty, an exact feasibility test is run: the sequence's timing constraints
//! are difference constraints, so a Bellman–Ford negative-cycle check decides
//! feasibility exactly and yields a feasible schedule. Hence **feasibility of a
//! fixed sequence is decided exactly**; the schedule's *cost* (route duration
//! and total ride time) is the eight-step schedule's, which is optimal for
//! route duration when no ride-time limit binds but is a heuristic otherwise.

//!
//! ## Definitions (shared with the checker and the plan validator)
//!
//! * A visit's *start of service* is when boarding or alighting begins; its
//!   *departure* is the start of service plus the stop's service time. Two
//!   visits at the same place are served one after another, each with its
//!   own service time (a stop where several passengers board is a sequence
//!   of visits with zero travel between them).
//! * The *ride time* of a request is from the departure of its pickup visit
//!   (the end of its own boarding) to the start of service of its delivery
//!   visit (the start of its own alighting). Waiting on board counts.
//! * Time windows bound the start of service of each visit; the shift bounds
//!   the start-depot departure and the end-depot arrival; the duty is the
//!   end-depot arrival minus the start-depot departure.
//! * Every comparison of times allows [`TIME_TOLERANCE`] for floating-point
//!   rounding, and nothing more.
//!
//! ## What the search guarantees
//!
//! No route enters a solution unless [`evaluate`](crate::kernels::Kernels::route_cost)-style
//! exact evaluation of its whole sequence accepts it: every move (insertion,
//! removal, local search, vehicle change, set-partitioning recombination)
//! builds the changed routes through one constructor that runs the exact
//! check and refuses the route otherwise. Nothing relies on the triangle
//! inequality for feasibility: removing a stop can lengthen a route when
//! travel times are not metric (snapped road networks, one-way streets,
//! user-supplied matrices), so a removal that breaks a route is rejected
//! like any other move. A rejected route costs `+∞`. The returned solution is
//! re-evaluated from scratch before it is returned.

#![warn(missing_docs)]
// Index loops over parallel per-position arrays are the clearest form here.
#![allow(clippy::needless_range_loop)]

pub mod bench;
pub mod checker;
mod eval;
pub mod kernels;
mod rng;
mod rules;
mod search;
mod spp;
mod timetable;

pub use eval::Violation;
pub use senroute_matrix::TravelMatrix;
pub use timetable::{timetables, Timed};

/// Rounding allowance of every time comparison (windows, ride times, shift,
/// duty) in the engine and in [`checker`], in the instance's time unit
/// (seconds for senroute's own problems). It absorbs floating-point rounding
/// only: a ride longer than its limit by more than a microsecond is
/// infeasible.
pub const TIME_TOLERANCE: f64 = 1e-6;
pub use search::solve;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

/// One place-and-time at which a request is served.
#[derive(Clone, Debug, PartialEq)]
pub struct Stop {
    /// Index of the location in the instance's matrices.
    pub location: usize,
    /// Earliest start of service.
    pub tw_open: f64,
    /// Latest start of service.
    pub tw_close: f64,
    /// Service (boarding / alighting) time spent at the stop.
    pub service: f64,
}

/// A transport request: one passenger (or one load) moved from its pickup to
/// its delivery.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// Where and when the load is picked up; `None` means it is on board from
    /// the start depot (a Solomon VRPTW customer is a delivery-only request).
    pub pickup: Option<Stop>,
    /// Where and when the load is dropped; `None` means it stays on board until
    /// the end depot.
    pub delivery: Option<Stop>,
    /// Load per load dimension (e.g. `[seated, wheelchair]`).
    pub load: Vec<i32>,
    /// Maximum ride time: from the departure of the pickup visit (end of
    /// boarding) to the start of service of the delivery visit (start of
    /// alighting); waiting on board counts. Only enforced for requests with
    /// both a pickup and a delivery.
    pub max_ride: Option<f64>,
    /// Bitmask of features every vehicle serving this request must have.
    pub required_features: u32,
    /// Nobody else may be on board while this request is on board.
    pub travel_alone: bool,
    /// Indices of requests that must never share a route with this one
    /// (the relation is made symmetric by the solver).
    pub conflicts: Vec<usize>,
    /// Weight of this request's ride time in the objective; `None` uses
    /// [`ObjectiveWeights::ride_time`].
    pub ride_time_weight: Option<f64>,
    /// The vehicle types (indices into [`Instance::vehicle_types`]) that may
    /// serve the request; `None`: any with the features and room.
    pub vehicle_types: Option<Vec<usize>>,
    /// A soft preference for some vehicle types.
    pub preference: Option<Preference>,
    /// The group the request belongs to (e.g. the pupil's school), counted
    /// by [`VehicleType::max_groups`]; `None`: no group.
    pub group: Option<usize>,
}

/// A soft preference of a request for some vehicle types (e.g. the vehicle
/// that took the pupil to school, or the one they had before a re-plan).
#[derive(Clone, Debug, PartialEq)]
pub struct Preference {
    /// Preferred vehicle types (indices into [`Instance::vehicle_types`]).
    pub vehicle_types: Vec<usize>,
    /// Added to the objective when the request rides on any other type.
    pub penalty: f64,
}

/// A route given in advance: a vehicle type and the visits in order.
#[derive(Clone, Debug, PartialEq)]
pub struct FixedRoute {
    /// Index into [`Instance::vehicle_types`].
    pub vehicle_type: usize,
    /// Visits in order (depots excluded).
    pub visits: Vec<Visit>,
}

/// A linear capacity rule `sum_d coef[d] * load[d] <= limit`, enforced at every
/// moment of a route (e.g. `seated + 2 * wheelchair <= 8`).
#[derive(Clone, Debug, PartialEq)]
pub struct CapacityRule {
    /// One coefficient per load dimension (missing dimensions count as 0).
    pub coef: Vec<i32>,
    /// Right-hand side.
    pub limit: i32,
}

/// A class of identical vehicles.
#[derive(Clone, Debug, PartialEq)]
pub struct VehicleType {
    /// Number of vehicles available.
    pub count: usize,
    /// Location the vehicles start from.
    pub start_location: usize,
    /// Location the vehicles return to.
    pub end_location: usize,
    /// Capacity rules, all enforced at every moment.
    pub capacity: Vec<CapacityRule>,
    /// Bitmask of features the vehicles have.
    pub features: u32,
    /// Cost of using one vehicle.
    pub fixed_cost: f64,
    /// Cost per unit of distance.
    pub cost_per_distance: f64,
    /// Cost per unit of route duration (end depot arrival minus start depot
    /// departure, with the departure delayed as much as useful).
    pub cost_per_duration: f64,
    /// Earliest departure from the start depot.
    pub shift_open: f64,
    /// Latest arrival at the end depot.
    pub shift_close: f64,
    /// Maximum route duration (duty), if any.
    pub max_duration: Option<f64>,
    /// Most distinct request groups ([`Request::group`]) on one route, e.g.
    /// schools per run; `None`: no limit.
    pub max_groups: Option<usize>,
}

impl VehicleType {
    /// Cost of one route of this type driving `distance` over `duration`:
    /// the fixed cost plus the per-distance and per-duration rates. The one
    /// route cost formula of the engine (its evaluation and its checker);
    /// the planner maps `senroute_model::VehicleType::route_cost` onto it.
    pub fn route_cost(&self, distance: f64, duration: f64) -> f64 {
        self.fixed_cost + self.cost_per_distance * distance + self.cost_per_duration * duration
    }
}

/// Weights of the objective beyond the per-route vehicle costs.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectiveWeights {
    /// Cost per unit of ride time, summed over requests with pickup and
    /// delivery (overridable per request).
    pub ride_time: f64,
    /// Cost of leaving one request unassigned.
    pub unassigned_penalty: f64,
    /// Hierarchical objective: first minimise the number of vehicles used,
    /// then the cost (Solomon / Li & Lim convention).
    pub minimise_vehicles: bool,
}

impl Default for ObjectiveWeights {
    fn default() -> Self {
        ObjectiveWeights {
            ride_time: 0.0,
            unassigned_penalty: 1e6,
            minimise_vehicles: false,
        }
    }
}

/// A complete problem instance.
#[derive(Clone, Debug, PartialEq)]
pub struct Instance {
    /// Travel durations and distances between the locations, shared (never
    /// copied) with whoever built them; an unreachable pair is infinite.
    pub matrix: Arc<TravelMatrix>,
    /// Requests to serve.
    pub requests: Vec<Request>,
    /// Available vehicle types.
    pub vehicle_types: Vec<VehicleType>,
    /// Objective weights.
    pub objective: ObjectiveWeights,
    /// Routes every solution keeps exactly as given (locked runs): same
    /// vehicle type, same visits in the same order; only their timetable is
    /// recomputed. They use vehicles of their type's `count`. One that breaks
    /// a rule under the exact check is not kept: its requests are planned
    /// like any other and it is listed in [`SearchStats::fixed_rejected`].
    pub fixed_routes: Vec<FixedRoute>,
    /// Routes to start the search from (e.g. a previous plan's unlocked
    /// runs); the search may change them. Infeasible ones are ignored.
    pub initial_routes: Vec<FixedRoute>,
}

/// Structural problems found by [`Instance::validate`].
#[derive(Clone, Debug, PartialEq)]
pub enum InstanceError {
    /// A location index is out of range.
    LocationOutOfRange,
    /// A request has neither pickup nor delivery.
    EmptyRequest(usize),
    /// A conflict refers to an unknown request.
    BadConflict(usize),
    /// A request's vehicle types or preference name an unknown type.
    BadVehicleType(usize),
    /// A fixed or initial route names an unknown vehicle type or request.
    BadRoute(usize),
}

impl std::fmt::Display for InstanceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

impl std::error::Error for InstanceError {}

impl Instance {
    /// Number of locations of the matrices.
    #[inline]
    pub fn n_locations(&self) -> usize {
        self.matrix.n()
    }

    /// Travel duration from location `a` to location `b`.
    #[inline]
    pub fn dur(&self, a: usize, b: usize) -> f64 {
        self.matrix.duration(a, b)
    }

    /// Travel distance from location `a` to location `b`.
    #[inline]
    pub fn dist(&self, a: usize, b: usize) -> f64 {
        self.matrix.distance(a, b)
    }

    /// Checks structural consistency (indices; the matrices checked their
    /// own values when built).
    pub fn validate(&self) -> Result<(), InstanceError> {
        let n = self.n_locations();
        let nvt = self.vehicle_types.len();
        for (i, r) in self.requests.iter().enumerate() {
            let types = r
                .vehicle_types
                .iter()
                .flatten()
                .chain(r.preference.iter().flat_map(|p| &p.vehicle_types));
            if types.into_iter().any(|&v| v >= nvt) {
                return Err(InstanceError::BadVehicleType(i));
            }
            if r.pickup.is_none() && r.delivery.is_none() {
                return Err(InstanceError::EmptyRequest(i));
            }
            for s in r.pickup.iter().chain(r.delivery.iter()) {
                if s.location >= n {
                    return Err(InstanceError::LocationOutOfRange);
                }
            }
            if r.conflicts.iter().any(|&c| c >= self.requests.len()) {
                return Err(InstanceError::BadConflict(i));
            }
        }
        for v in &self.vehicle_types {
            if v.start_location >= n || v.end_location >= n {
                return Err(InstanceError::LocationOutOfRange);
            }
        }
        for (k, f) in self
            .fixed_routes
            .iter()
            .chain(&self.initial_routes)
            .enumerate()
        {
            if f.vehicle_type >= nvt || f.visits.iter().any(|v| v.request >= self.requests.len()) {
                return Err(InstanceError::BadRoute(k));
            }
        }
        Ok(())
    }

    /// A dense matrix with Euclidean durations and distances (travel time
    /// equal to distance) between planar coordinates.
    pub fn euclidean(coords: &[(f64, f64)]) -> Arc<TravelMatrix> {
        let m = Self::euclidean_matrices(coords);
        Arc::new(
            TravelMatrix::dense(coords.len(), m.clone(), m)
                .expect("Euclidean distances are square and non-negative"),
        )
    }

    /// Builds a Euclidean distance matrix (double precision, row-major)
    /// from planar coordinates.
    pub fn euclidean_matrices(coords: &[(f64, f64)]) -> Vec<f64> {
        let n = coords.len();
        let mut m = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                let dx = coords[i].0 - coords[j].0;
                let dy = coords[i].1 - coords[j].1;
                m[i * n + j] = (dx * dx + dy * dy).sqrt();
            }
        }
        m
    }
}

/// Whether a visit picks a request up or drops it off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VisitKind {
    /// The request's pickup stop.
    Pickup,
    /// The request's delivery stop.
    Delivery,
}

/// One stop of a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Visit {
    /// Request index.
    pub request: usize,
    /// Pickup or delivery.
    pub kind: VisitKind,
}

/// Times at one stop of a route.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StopTimes {
    /// Arrival at the stop.
    pub arrival: f64,
    /// Start of service (arrival plus waiting).
    pub start: f64,
    /// Departure (start plus service time).
    pub departure: f64,
}

/// The timetable of a route.
#[derive(Clone, Debug, PartialEq)]
pub struct Schedule {
    /// Departure from the start depot.
    pub start: f64,
    /// Arrival at the end depot.
    pub end: f64,
    /// One entry per visit, in visiting order.
    pub stops: Vec<StopTimes>,
}

/// One vehicle's route.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    /// Index into [`Instance::vehicle_types`].
    pub vehicle_type: usize,
    /// Visits in order (depots excluded).
    pub visits: Vec<Visit>,
    /// Timetable.
    pub schedule: Schedule,
    /// Total distance, depot to depot.
    pub distance: f64,
    /// `schedule.end - schedule.start`.
    pub duration: f64,
    /// Sum of ride times of requests with pickup and delivery on this route.
    pub ride_time: f64,
    /// Route cost: fixed + distance + duration + weighted ride time.
    pub cost: f64,
}

/// Why a request was left unassigned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnassignedReason {
    /// No vehicle type has the required features and enough capacity for the
    /// request's load.
    NoCompatibleVehicle {
        /// `true` if some vehicle type has the features (so capacity is the
        /// obstacle), `false` if no vehicle type has the features.
        features_ok: bool,
    },
    /// Even alone on a compatible vehicle the request cannot be served; the
    /// violated constraint is the one reported for the first compatible type.
    InfeasibleAlone(Violation),
    /// Every compatible vehicle is in use and the request fits in none of
    /// their routes.
    FleetExhausted,
    /// A vehicle was available but serving the request costs more than the
    /// unassigned penalty, or the search found no feasible insertion in the
    /// time given.
    NotInserted,
}

/// The result of [`solve`].
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    /// Used routes.
    pub routes: Vec<Route>,
    /// Unassigned requests and why.
    pub unassigned: Vec<(usize, UnassignedReason)>,
    /// Objective value: route costs plus unassigned penalties.
    pub cost: f64,
    /// Iterations performed (summed over threads).
    pub iterations: u64,
    /// How the search started.
    pub stats: SearchStats,
}

/// How a search started: its first complete solution and the greedy
/// baseline.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchStats {
    /// Time from the start of [`solve`] to the first complete solution
    /// (preprocessing included).
    pub first_solution: Duration,
    /// Objective value of the first solution.
    pub first_cost: f64,
    /// Objective value of the greedy baseline (per shared end, e.g. per
    /// school: the farthest passenger first, then the nearest ones while the
    /// run stays feasible), when the instance has pickup–delivery requests.
    /// The search starts from the better of it and cheapest insertion
    /// (without fixed or initial routes; with them, it completes them by
    /// cheapest insertion).
    pub greedy_cost: Option<f64>,
    /// Requests the greedy baseline left unassigned.
    pub greedy_unassigned: usize,
    /// Requests the first solution left unassigned.
    pub first_unassigned: usize,
    /// Fixed routes that were not kept, by index into
    /// [`Instance::fixed_routes`], with the rule each breaks (or
    /// [`Violation::Precedence`] for one naming a request twice, a request
    /// of another fixed route or an unknown request or vehicle type).
    pub fixed_rejected: Vec<(usize, Violation)>,
}

impl Solution {
    /// Sum of route distances.
    pub fn distance(&self) -> f64 {
        self.routes.iter().map(|r| r.distance).sum()
    }
}

/// Search settings.
#[derive(Clone, Debug)]
pub struct SolverConfig {
    /// Wall-clock budget; `None` means only the iteration limit stops.
    pub time_limit: Option<Duration>,
    /// Iterations per thread; `None` means only the time limit stops. With an
    /// iteration limit (and no binding time limit) the result is exactly
    /// reproducible for the same seed and thread count.
    pub iteration_limit: Option<u64>,
    /// Random seed.
    pub seed: u64,
    /// Number of worker threads (at least 1).
    pub threads: usize,
    /// Set to `true` from anywhere to stop the search; the best solution found
    /// so far is returned.
    pub cancel: Arc<AtomicBool>,
}

impl Default for SolverConfig {
    fn default() -> Self {
        SolverConfig {
            time_limit: Some(Duration::from_secs(10)),
            iteration_limit: None,
            seed: 0,
            threads: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            cancel: Arc::new(AtomicBool::new(false)),
        }
    }
}

/// A progress report, sent whenever the best solution improves and at every
/// synchronisation point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    /// Time since the start of [`solve`].
    pub elapsed: Duration,
    /// Objective value of the best solution.
    pub best_cost: f64,
    /// Vehicles used by the best solution.
    pub vehicles: usize,
    /// Unassigned requests in the best solution.
    pub unassigned: usize,
    /// Iterations so far, summed over threads.
    pub iteration: u64,
}
