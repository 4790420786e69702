//! The planning problem: pupils, schools, fleet, session and settings.

use crate::location::Location;
use crate::time::{TimeOfDay, TimeWindow};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// What a problem plans: the morning run to school, the afternoon run home,
/// or the whole day (both, with each vehicle's day rate counted once).
///
/// A [`Plan`](crate::Plan) is always for one session (`Am` or `Pm`); a
/// [`DayPlan`](crate::DayPlan) holds the two plans of a `Day`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Session {
    /// Morning: home → school, arriving inside the school's arrival window.
    #[default]
    Am,
    /// Afternoon: school → home, leaving inside the school's departure window.
    Pm,
    /// Both sessions of one day, planned together.
    Day,
}

impl Session {
    /// The sessions planned: `[Am]`, `[Pm]` or `[Am, Pm]` for the day.
    pub fn parts(self) -> &'static [Session] {
        match self {
            Session::Am => &[Session::Am],
            Session::Pm => &[Session::Pm],
            Session::Day => &[Session::Am, Session::Pm],
        }
    }

    /// `AM`, `PM` or `day`, for people.
    pub fn label(self) -> &'static str {
        match self {
            Session::Am => "AM",
            Session::Pm => "PM",
            Session::Day => "day",
        }
    }
}

impl fmt::Display for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Session::Am => "am",
            Session::Pm => "pm",
            Session::Day => "day",
        })
    }
}

impl std::str::FromStr for Session {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "am" => Ok(Session::Am),
            "pm" => Ok(Session::Pm),
            "day" => Ok(Session::Day),
            _ => Err("expected am, pm or day".into()),
        }
    }
}

/// How strongly a pupil keeps the same vehicle (driver and passenger
/// assistant) in the morning and the afternoon of a day plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Continuity {
    /// A pupil's PM run is on the same vehicle as their AM run, or the
    /// pupil is not placed in the PM (reason `crew_continuity`).
    Hard,
    /// Each pupil whose vehicle changes costs
    /// [`Settings::continuity_cost_per_pupil`] in the objective.
    #[default]
    Preferred,
    /// Vehicles may change freely between the sessions.
    None,
}

impl fmt::Display for Continuity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Continuity::Hard => "hard",
            Continuity::Preferred => "preferred",
            Continuity::None => "none",
        })
    }
}

impl std::str::FromStr for Continuity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "hard" => Ok(Continuity::Hard),
            "preferred" => Ok(Continuity::Preferred),
            "none" => Ok(Continuity::None),
            _ => Err("expected hard, preferred or none".into()),
        }
    }
}

/// Which sessions a pupil travels in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Sessions {
    /// Morning only.
    Am,
    /// Afternoon only.
    Pm,
    /// Both morning and afternoon.
    #[default]
    Both,
}

impl Sessions {
    /// True when the pupil travels in `session` (for [`Session::Day`]: in
    /// either session, so always).
    pub fn includes(self, session: Session) -> bool {
        matches!(
            (self, session),
            (Sessions::Both | Sessions::Am | Sessions::Pm, Session::Day)
                | (Sessions::Both, _)
                | (Sessions::Am, Session::Am)
                | (Sessions::Pm, Session::Pm)
        )
    }
}

impl std::str::FromStr for Sessions {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "am" => Ok(Sessions::Am),
            "pm" => Ok(Sessions::Pm),
            "both" | "am+pm" | "am;pm" => Ok(Sessions::Both),
            _ => Err("expected am, pm or both".into()),
        }
    }
}

/// Phase of education, which sets the default maximum ride time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Primary-age pupils: 45 minutes each way by default.
    Primary,
    /// Secondary-age pupils: 75 minutes each way by default.
    Secondary,
    /// A school with both; each pupil then needs a `phase` or `max_ride_minutes`.
    AllThrough,
}

impl Phase {
    /// Default maximum ride time in minutes for a pupil of this phase.
    ///
    /// England's statutory guidance (DfE, *Travel to school for children of
    /// compulsory school age*, 2024) treats 45 minutes for primary and 75
    /// minutes for secondary pupils as the maximum reasonable journey each way.
    /// `AllThrough` has no default: the pupil's own phase decides.
    pub fn default_max_ride_minutes(self) -> Option<u32> {
        match self {
            Phase::Primary => Some(45),
            Phase::Secondary => Some(75),
            Phase::AllThrough => None,
        }
    }
}

impl std::str::FromStr for Phase {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['-', ' '], "_")
            .as_str()
        {
            "primary" => Ok(Phase::Primary),
            "secondary" => Ok(Phase::Secondary),
            "all_through" | "allthrough" => Ok(Phase::AllThrough),
            _ => Err("expected primary, secondary or all-through".into()),
        }
    }
}

/// What a pupil needs on the journey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Needs {
    /// Travels in their wheelchair: uses a wheelchair space, not a seat.
    pub wheelchair: bool,
    /// Needs a vehicle with a tail-lift (not just a ramp).
    pub tail_lift: bool,
    /// Must ride in a vehicle that carries a passenger assistant.
    pub passenger_assistant: bool,
    /// Must travel with no other pupil on board.
    pub travel_alone: bool,
    /// Pupil ids this pupil must never share a vehicle run with.
    pub must_not_travel_with: Vec<String>,
    /// Extra minutes to board and alight (on top of the standard boarding time).
    pub extra_boarding_minutes: u32,
    /// Maximum ride minutes, overriding the default from the phase.
    pub max_ride_minutes: Option<u32>,
    /// Earliest time the pupil can be picked up (morning run).
    pub earliest_pickup: Option<TimeOfDay>,
    /// Vehicle types (ids) the pupil may ride in; empty for any type.
    pub vehicle_types: Vec<String>,
    /// Vehicle types (ids) the pupil must not ride in, e.g. a minibus the
    /// pupil cannot board.
    pub not_vehicle_types: Vec<String>,
    /// Earliest time the pupil may be dropped at home (afternoon run), e.g.
    /// nobody is home before 15:45. Bounds the start of their own alighting.
    pub earliest_dropoff: Option<TimeOfDay>,
    /// Latest time the pupil may be dropped at home (afternoon run).
    pub latest_dropoff: Option<TimeOfDay>,
}

/// A pupil who is entitled to home-to-school transport.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pupil {
    /// Pseudonymous id (never a name).
    pub id: String,
    /// Pick-up/drop-off point at home.
    pub home: Location,
    /// Id of the school attended.
    pub school: String,
    /// Sessions the pupil travels in.
    #[serde(default)]
    pub sessions: Sessions,
    /// Home borough as a GSS code (e.g. E09000007 for Camden); may be blank
    /// and filled in later from the borough boundaries.
    #[serde(default)]
    pub borough: Option<String>,
    /// The pupil's own phase, needed at all-through schools.
    #[serde(default)]
    pub phase: Option<Phase>,
    /// Journey needs.
    #[serde(default)]
    pub needs: Needs,
    /// Passthrough fields: the coordinator's own columns (`x_address`,
    /// `x_notes`, … in pupils.csv, keyed here without the `x_` prefix),
    /// carried unchanged to `pupils.csv`, `routes.csv`, `plan.xlsx` and the
    /// manifests. Never used for planning.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, String>,
}

/// A school and its bell times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct School {
    /// School id (the DfE URN where there is one).
    pub id: String,
    /// School name.
    pub name: String,
    /// Drop-off/pick-up point.
    pub location: Location,
    /// Borough as a GSS code.
    #[serde(default)]
    pub borough: Option<String>,
    /// Phase of education.
    pub phase: Phase,
    /// Morning: pupils must be handed over inside this window.
    pub am_arrival: TimeWindow,
    /// Afternoon: pupils are collected inside this window.
    pub pm_departure: TimeWindow,
    /// Minutes at the kerb per pupil handed over or collected.
    pub dwell_minutes: u32,
}

/// A group of identical vehicles available to the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VehicleType {
    /// Vehicle type id, e.g. `MINIBUS-16`.
    pub id: String,
    /// Number of vehicles of this type.
    pub count: u32,
    /// Where the vehicles start and end the run.
    pub depot: Location,
    /// Seats for pupils (not counting the driver or a passenger assistant).
    pub seats: u32,
    /// Wheelchair spaces.
    #[serde(default)]
    pub wheelchair_spaces: u32,
    /// Seats lost for each wheelchair space in use (convertible layouts where a
    /// space is made by folding seats); 0 for dedicated spaces.
    #[serde(default)]
    pub seats_per_wheelchair_space: u32,
    /// Has a tail-lift.
    #[serde(default)]
    pub tail_lift: bool,
    /// Carries a passenger assistant.
    #[serde(default)]
    pub passenger_assistant: bool,
    /// Fixed cost per day when used (£).
    pub fixed_cost_per_day: f64,
    /// Cost per kilometre driven (£).
    pub cost_per_km: f64,
    /// Cost per hour on duty (£).
    pub cost_per_hour: f64,
    /// Passenger-assistant cost per day when used (£), if it carries one.
    #[serde(default)]
    pub assistant_cost_per_day: f64,
    /// Maximum duty minutes of one run, from leaving to returning to the depot.
    pub max_duty_minutes: u32,
    /// Earliest departure from and latest return to the depot: the morning
    /// shift, and the afternoon one too when [`VehicleType::pm_shift`] is
    /// not given (a fleet file with one shift per vehicle).
    pub shift: TimeWindow,
    /// The afternoon shift, when it differs from [`VehicleType::shift`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pm_shift: Option<TimeWindow>,
    /// Borough (GSS code) that owns or contracts these vehicles, if any.
    #[serde(default)]
    pub borough: Option<String>,
    /// Most schools one run of this type may serve (operators often cap
    /// mixed-school runs at two); `None`: no limit.
    #[serde(default)]
    pub max_schools_per_run: Option<u32>,
}

impl VehicleType {
    /// Total fixed cost of one vehicle of this type for a day's use,
    /// including the passenger assistant when it carries one.
    pub fn daily_fixed_cost(&self) -> f64 {
        self.fixed_cost_per_day
            + if self.passenger_assistant {
                self.assistant_cost_per_day
            } else {
                0.0
            }
    }

    /// Running cost (£) of one run: per km driven plus per hour on duty.
    pub fn running_cost(&self, distance_m: f64, duration_s: f64) -> f64 {
        self.cost_per_km * distance_m / 1000.0 + self.cost_per_hour * duration_s / 3600.0
    }

    /// Cost (£) of one run of this type driving `distance_m` metres over
    /// `duration_s` seconds from leaving to returning to the depot: the
    /// daily fixed cost plus the per-km and per-hour rates
    /// ([`VehicleType::running_cost`]). The one route cost formula: the
    /// engine's costs, the planner's plans and the validator's arithmetic
    /// check all come from here. In a day plan the day rate is counted once
    /// per vehicle ([`crate::DayTotals`]).
    pub fn route_cost(&self, distance_m: f64, duration_s: f64) -> f64 {
        self.daily_fixed_cost() + self.running_cost(distance_m, duration_s)
    }

    /// The shift worked in `session` (for [`Session::Day`], the AM one).
    pub fn shift_for(&self, session: Session) -> TimeWindow {
        match session {
            Session::Pm => self.pm_shift.unwrap_or(self.shift),
            Session::Am | Session::Day => self.shift,
        }
    }
}

/// Tunable settings for a planning run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Weight on total pupil ride time in the objective, in £ per pupil-minute.
    pub ride_time_cost_per_minute: f64,
    /// Standard minutes to board a pupil at home (or alight there in the PM).
    pub boarding_minutes: f64,
    /// Standard minutes to board a wheelchair user (ramp or lift).
    pub wheelchair_boarding_minutes: f64,
    /// Search time limit in seconds (for a day plan: both sessions).
    pub time_limit_seconds: f64,
    /// Random seed of the search.
    pub seed: u64,
    /// Day plans: whether a pupil keeps their vehicle from AM to PM.
    pub continuity: Continuity,
    /// Day plans with [`Continuity::Preferred`]: £ added to the objective
    /// per pupil whose PM vehicle is not their AM vehicle.
    pub continuity_cost_per_pupil: f64,
}

/// Default of [`Settings::continuity_cost_per_pupil`] (£). *Assumption*:
/// moving all four pupils of a taxi to other vehicles in the afternoon
/// (£80) must save more than the taxi's whole day rate (£60 in the bundled
/// fleets).
pub const DEFAULT_CONTINUITY_COST: f64 = 20.0;

impl Default for Settings {
    fn default() -> Self {
        Settings {
            ride_time_cost_per_minute: 0.05,
            boarding_minutes: 1.0,
            wheelchair_boarding_minutes: 4.0,
            time_limit_seconds: 30.0,
            seed: 1,
            continuity: Continuity::Preferred,
            continuity_cost_per_pupil: DEFAULT_CONTINUITY_COST,
        }
    }
}

/// Where a row or column of a travel matrix is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "lowercase")]
pub enum LocationKey {
    /// A pupil's home.
    Home(String),
    /// A school.
    School(String),
    /// The depot of a vehicle type.
    Depot(String),
}

impl fmt::Display for LocationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LocationKey::Home(id) => write!(f, "home of pupil {id}"),
            LocationKey::School(id) => write!(f, "school {id}"),
            LocationKey::Depot(id) => write!(f, "depot of vehicle type {id}"),
        }
    }
}

/// Travel times and distances a user already has (from OSRM or a commercial
/// router): then no road file is needed to plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Matrices {
    /// The locations, in row/column order.
    pub locations: Vec<LocationKey>,
    /// `durations_s[i][j]`: seconds to drive from `locations[i]` to
    /// `locations[j]`; `null` means unreachable.
    #[serde(with = "nullable_rows")]
    pub durations_s: Vec<Vec<f64>>,
    /// `distances_m[i][j]`: metres from `locations[i]` to `locations[j]`;
    /// `null` means unreachable.
    #[serde(with = "nullable_rows")]
    pub distances_m: Vec<Vec<f64>>,
}

/// A whole planning problem for one session, or for a day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    /// Pupils (those not travelling in `session` are ignored by the plan).
    pub pupils: Vec<Pupil>,
    /// Schools.
    pub schools: Vec<School>,
    /// The fleet.
    pub fleet: Vec<VehicleType>,
    /// The session to plan: `am`, `pm` or `day`.
    #[serde(default)]
    pub session: Session,
    /// Settings.
    #[serde(default)]
    pub settings: Settings,
    /// Optional travel matrices over the problem's locations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matrices: Option<Matrices>,
}

impl Problem {
    /// The school with this id.
    pub fn school(&self, id: &str) -> Option<&School> {
        self.schools.iter().find(|s| s.id == id)
    }

    /// The pupil with this id.
    pub fn pupil(&self, id: &str) -> Option<&Pupil> {
        self.pupils.iter().find(|p| p.id == id)
    }

    /// The vehicle type with this id.
    pub fn vehicle_type(&self, id: &str) -> Option<&VehicleType> {
        self.fleet.iter().find(|v| v.id == id)
    }

    /// The same problem for one session (`Am` or `Pm`) of a day, without
    /// the input matrices (travel times are built once, for the day).
    pub fn for_session(&self, session: Session) -> Problem {
        Problem {
            pupils: self.pupils.clone(),
            schools: self.schools.clone(),
            fleet: self.fleet.clone(),
            session,
            settings: self.settings.clone(),
            matrices: None,
        }
    }

    /// Pupils who travel in the problem's session.
    pub fn travelling_pupils(&self) -> impl Iterator<Item = &Pupil> {
        self.pupils
            .iter()
            .filter(move |p| p.sessions.includes(self.session))
    }

    /// Every location a plan may visit, with its coordinates: each travelling
    /// pupil's home, each school, each depot, in that order. Matrices built
    /// for the problem use this order.
    pub fn locations(&self) -> Vec<(LocationKey, Location)> {
        let mut out: Vec<(LocationKey, Location)> = self
            .travelling_pupils()
            .map(|p| (LocationKey::Home(p.id.clone()), p.home))
            .collect();
        out.extend(
            self.schools
                .iter()
                .map(|s| (LocationKey::School(s.id.clone()), s.location)),
        );
        out.extend(
            self.fleet
                .iter()
                .map(|v| (LocationKey::Depot(v.id.clone()), v.depot)),
        );
        out
    }

    /// Maximum ride time of a pupil in seconds: the pupil's override, else
    /// the default of the pupil's phase, else of the school's phase.
    /// `None` when neither is known (an input error caught by validation).
    pub fn max_ride_seconds(&self, pupil: &Pupil) -> Option<f64> {
        let minutes = pupil.needs.max_ride_minutes.or_else(|| {
            pupil
                .phase
                .and_then(Phase::default_max_ride_minutes)
                .or_else(|| {
                    self.school(&pupil.school)
                        .and_then(|s| s.phase.default_max_ride_minutes())
                })
        })?;
        Some(f64::from(minutes) * 60.0)
    }

    /// Seconds to board (AM, at home) or alight (PM, at home) a pupil.
    pub fn home_service_seconds(&self, pupil: &Pupil) -> f64 {
        let base = if pupil.needs.wheelchair {
            self.settings.wheelchair_boarding_minutes
        } else {
            self.settings.boarding_minutes
        };
        (base + f64::from(pupil.needs.extra_boarding_minutes)) * 60.0
    }

    /// Seconds at the school kerb for one pupil.
    pub fn school_service_seconds(&self, pupil: &Pupil) -> f64 {
        self.school(&pupil.school)
            .map_or(0.0, |s| f64::from(s.dwell_minutes) * 60.0)
    }

    /// True when a vehicle of type `v` can carry pupil `p` at all: features
    /// and an empty vehicle's capacity.
    pub fn compatible(&self, pupil: &Pupil, v: &VehicleType) -> bool {
        incompatibility(pupil, v).is_none()
    }
}

/// Why a vehicle type cannot carry a pupil, or `None` when it can.
pub fn incompatibility(pupil: &Pupil, v: &VehicleType) -> Option<&'static str> {
    let n = &pupil.needs;
    if n.wheelchair && v.wheelchair_spaces == 0 {
        return Some("no wheelchair space");
    }
    if n.wheelchair && v.seats_per_wheelchair_space > v.seats {
        return Some("wheelchair space needs more seats than the vehicle has");
    }
    if !n.wheelchair && v.seats == 0 {
        return Some("no seats");
    }
    if n.tail_lift && !v.tail_lift {
        return Some("no tail-lift");
    }
    if n.passenger_assistant && !v.passenger_assistant {
        return Some("no passenger assistant");
    }
    if !n.vehicle_types.is_empty() && !n.vehicle_types.contains(&v.id) {
        return Some("not one of the pupil's vehicle types");
    }
    if n.not_vehicle_types.contains(&v.id) {
        return Some("a vehicle type the pupil must not ride in");
    }
    None
}

/// JSON has no infinity: unreachable matrix entries travel as `null`.
mod nullable_rows {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(rows: &[Vec<f64>], s: S) -> Result<S::Ok, S::Error> {
        let v: Vec<Vec<Option<f64>>> = rows
            .iter()
            .map(|r| r.iter().map(|x| x.is_finite().then_some(*x)).collect())
            .collect();
        v.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<f64>>, D::Error> {
        let v: Vec<Vec<Option<f64>>> = Vec::deserialize(d)?;
        Ok(v.into_iter()
            .map(|r| r.into_iter().map(|x| x.unwrap_or(f64::INFINITY)).collect())
            .collect())
    }
}
