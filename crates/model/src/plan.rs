//! The plan (solution): vehicle runs, stops, ride times, costs and the pupils
//! who could not be placed, each with a reason.
//!
//! # Timing definitions
//!
//! These are the only definitions: the engine, its checker, the plan
//! validator ([`crate::validate()`]) and the reports all use them.
//!
//! * All times are seconds since midnight of the day planned.
//! * A [`Stop`] is one place where the vehicle serves the pupils in
//!   [`Stop::pupils`] **one after another, in the order listed**, without
//!   waiting in between. Each pupil takes their own service time: boarding
//!   or alighting at home takes [`Problem::home_service_seconds`], at school
//!   [`Problem::school_service_seconds`]. So the `k`-th pupil's own service
//!   starts at [`Stop::service_start_s`] plus the service times of the
//!   pupils listed before them, and ends their service time later. The
//!   vehicle leaves ([`Stop::departure_s`]) no earlier than the end of the
//!   last pupil's service.
//! * A pupil's **ride time** runs from the end of their own boarding to the
//!   start of their own alighting. Waiting on board, at later stops or while
//!   other pupils board or alight, counts. It must not exceed the pupil's
//!   maximum ride time ([`Problem::max_ride_seconds`]).
//! * **School windows** bound the start of each pupil's own service at
//!   school (AM: alighting, PM: boarding); an earliest pick-up bounds the
//!   start of the pupil's own boarding at home.
//! * A vehicle's **shift** bounds the departure from the depot and the
//!   return to it; its **duty** is the return minus the departure.
//! * Every time comparison allows [`TIME_TOLERANCE_S`] for floating-point
//!   rounding and nothing more: a ride one second over the cap is a broken
//!   rule.
//!
//! [`Problem::home_service_seconds`]: crate::Problem::home_service_seconds
//! [`Problem::school_service_seconds`]: crate::Problem::school_service_seconds
//! [`Problem::max_ride_seconds`]: crate::Problem::max_ride_seconds

use crate::location::Location;
use crate::problem::{LocationKey, Session};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Rounding allowance of every time comparison (windows, ride times, shift,
/// duty, travel), in seconds: one microsecond. The engine uses the same
/// allowance (`senroute_solver::TIME_TOLERANCE`).
pub const TIME_TOLERANCE_S: f64 = 1e-6;

/// What happens at a stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StopKind {
    /// The vehicle leaves its depot (first stop) or returns (last stop).
    Depot,
    /// Pupils board.
    Pickup,
    /// Pupils alight.
    Drop,
}

impl fmt::Display for StopKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StopKind::Depot => "depot",
            StopKind::Pickup => "pickup",
            StopKind::Drop => "drop",
        })
    }
}

/// Pupils on board after a stop, per capacity dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Load {
    /// Pupils in seats.
    pub seated: u32,
    /// Pupils in wheelchair spaces.
    pub wheelchair: u32,
}

impl Load {
    /// All pupils on board.
    pub fn pupils(&self) -> u32 {
        self.seated + self.wheelchair
    }
}

/// A stop of a vehicle run. Times are seconds since midnight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stop {
    /// What happens here.
    pub kind: StopKind,
    /// Which problem location this is.
    pub location_key: LocationKey,
    /// Coordinates (for maps and operators).
    pub location: Location,
    /// Pupils boarding or alighting here (empty at the depot), served one
    /// after another in this order.
    pub pupils: Vec<String>,
    /// When the vehicle arrives.
    pub arrival_s: f64,
    /// When the first listed pupil's boarding/alighting starts (after any
    /// wait for a window to open).
    pub service_start_s: f64,
    /// When the vehicle leaves: no earlier than the end of the last listed
    /// pupil's service.
    pub departure_s: f64,
    /// On board after the stop.
    pub load: Load,
}

/// One vehicle's run for the session, depot to depot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Route {
    /// Vehicle type id.
    pub vehicle_type: String,
    /// Which vehicle of that type (0-based), so operators can tell runs apart.
    pub vehicle_index: u32,
    /// Stops in order; the first and last are the depot.
    pub stops: Vec<Stop>,
    /// Metres driven.
    pub distance_m: f64,
    /// Seconds from leaving to returning to the depot.
    pub duration_s: f64,
    /// Cost of the run (£): fixed + assistant + per km + per hour
    /// ([`VehicleType::route_cost`](crate::VehicleType::route_cost)). In a day
    /// plan each vehicle's day rate is counted once for the day
    /// ([`DayTotals`](crate::DayTotals)), not once per run.
    pub cost: f64,
}

impl Route {
    /// A human label such as `MINIBUS-16 #2`.
    pub fn label(&self) -> String {
        format!("{} #{}", self.vehicle_type, self.vehicle_index + 1)
    }
}

/// A pupil's journey in the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PupilRide {
    /// Pupil id.
    pub pupil: String,
    /// Index into [`Plan::routes`].
    pub route: usize,
    /// End of the pupil's own boarding (seconds since midnight): the ride
    /// starts here (see the [timing definitions](self)).
    pub pickup_s: f64,
    /// Start of the pupil's own alighting: the ride ends here.
    pub drop_s: f64,
    /// Ride time in seconds, `drop_s - pickup_s`.
    pub ride_s: f64,
    /// The pupil's maximum ride time in seconds.
    pub max_ride_s: f64,
}

/// Why a pupil could not be placed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum UnassignedReason {
    /// No vehicle type in the fleet can carry the pupil.
    NoCompatibleVehicle {
        /// What each vehicle type lacks, e.g. `TAXI: no wheelchair space`.
        detail: String,
    },
    /// The school window or pick-up time cannot be met even travelling alone
    /// on the best compatible vehicle.
    WindowInfeasible {
        /// Explanation with times.
        detail: String,
    },
    /// Even a direct journey is longer than the pupil's maximum ride time.
    RideTimeInfeasible {
        /// Direct journey and cap, e.g. `direct 52 min > cap 45 min`.
        detail: String,
    },
    /// The journey does not fit any vehicle's shift or duty limit.
    DutyInfeasible {
        /// Explanation.
        detail: String,
    },
    /// The pupil could travel, but the fleet has no room left for them.
    FleetCapacity {
        /// Explanation.
        detail: String,
    },
    /// Travel times to or from the pupil's home are unknown (unreachable).
    Unreachable {
        /// Explanation.
        detail: String,
    },
    /// Day plans with hard crew continuity: the vehicle that took the pupil
    /// in the other session cannot take them in this one.
    CrewContinuity {
        /// Explanation.
        detail: String,
    },
}

impl UnassignedReason {
    /// A short machine-readable code, e.g. `no_compatible_vehicle`.
    pub fn code(&self) -> &'static str {
        match self {
            UnassignedReason::NoCompatibleVehicle { .. } => "no_compatible_vehicle",
            UnassignedReason::WindowInfeasible { .. } => "window_infeasible",
            UnassignedReason::RideTimeInfeasible { .. } => "ride_time_infeasible",
            UnassignedReason::DutyInfeasible { .. } => "duty_infeasible",
            UnassignedReason::FleetCapacity { .. } => "fleet_capacity",
            UnassignedReason::Unreachable { .. } => "unreachable",
            UnassignedReason::CrewContinuity { .. } => "crew_continuity",
        }
    }

    /// The human explanation.
    pub fn detail(&self) -> &str {
        match self {
            UnassignedReason::NoCompatibleVehicle { detail }
            | UnassignedReason::WindowInfeasible { detail }
            | UnassignedReason::RideTimeInfeasible { detail }
            | UnassignedReason::DutyInfeasible { detail }
            | UnassignedReason::FleetCapacity { detail }
            | UnassignedReason::Unreachable { detail }
            | UnassignedReason::CrewContinuity { detail } => detail,
        }
    }
}

impl fmt::Display for UnassignedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.detail())
    }
}

/// A pupil left out of the plan, with the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unassigned {
    /// Pupil id.
    pub pupil: String,
    /// Why.
    #[serde(flatten)]
    pub reason: UnassignedReason,
}

/// Plan totals.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Totals {
    /// Vehicles used.
    pub vehicles: usize,
    /// Daily cost (£).
    pub cost: f64,
    /// Metres driven.
    pub distance_m: f64,
    /// Vehicle seconds on duty.
    pub duration_s: f64,
    /// Sum of pupil ride seconds.
    pub ride_s: f64,
    /// Pupils placed.
    pub assigned: usize,
    /// Pupils not placed.
    pub unassigned: usize,
}

/// A plan for one session (`am` or `pm`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The session planned.
    pub session: Session,
    /// Vehicle runs.
    pub routes: Vec<Route>,
    /// One entry per placed pupil.
    pub rides: Vec<PupilRide>,
    /// Pupils not placed, each with a reason.
    pub unassigned: Vec<Unassigned>,
    /// Totals over the routes.
    pub totals: Totals,
}

impl Plan {
    /// Recomputes [`Plan::totals`] from the routes, rides and unassigned list.
    pub fn compute_totals(&mut self) {
        self.totals = Totals {
            vehicles: self.routes.len(),
            cost: self.routes.iter().map(|r| r.cost).sum(),
            distance_m: self.routes.iter().map(|r| r.distance_m).sum(),
            duration_s: self.routes.iter().map(|r| r.duration_s).sum(),
            ride_s: self.rides.iter().map(|r| r.ride_s).sum(),
            assigned: self.rides.len(),
            unassigned: self.unassigned.len(),
        };
    }
}
