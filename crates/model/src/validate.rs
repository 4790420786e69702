//! The independent plan validator: checks every rule of a plan against the
//! problem and travel times, separately from any solver.

use crate::plan::{Load, Plan, StopKind, TIME_TOLERANCE_S};
use crate::problem::{incompatibility, LocationKey, Problem, Pupil, Session};
use crate::travel::TravelTimes;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::fmt;

/// Which rule a plan breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Every travelling pupil is placed exactly once or listed unassigned.
    Coverage,
    /// Picked up before dropped, by one vehicle, at most once.
    Precedence,
    /// Stops are at the right place (depot, home, school).
    StopLocation,
    /// Arrival times respect travel times and service times.
    Timing,
    /// School windows and earliest pick-up times.
    Window,
    /// Maximum ride time per pupil.
    RideTime,
    /// Shift window and maximum duty per vehicle.
    Duty,
    /// Seats and wheelchair spaces at every moment.
    Capacity,
    /// Vehicle features match pupil needs.
    Compatibility,
    /// Travel-alone pupils ride with nobody else.
    TravelAlone,
    /// Pupils who must not travel together are on different runs.
    MustNotTravelTogether,
    /// No more vehicles of a type than the fleet has.
    FleetSize,
    /// Reported distances, durations, loads, ride times, costs and totals add up.
    Arithmetic,
    /// Day plans with hard crew continuity: a pupil's PM vehicle is their
    /// AM vehicle.
    Continuity,
}

impl Rule {
    /// The rule's name as reported, e.g. `ride_time`.
    pub fn code(self) -> &'static str {
        match self {
            Rule::Coverage => "coverage",
            Rule::Precedence => "precedence",
            Rule::StopLocation => "stop_location",
            Rule::Timing => "timing",
            Rule::Window => "window",
            Rule::RideTime => "ride_time",
            Rule::Duty => "duty",
            Rule::Capacity => "capacity",
            Rule::Compatibility => "compatibility",
            Rule::TravelAlone => "travel_alone",
            Rule::MustNotTravelTogether => "must_not_travel_together",
            Rule::FleetSize => "fleet_size",
            Rule::Arithmetic => "arithmetic",
            Rule::Continuity => "continuity",
        }
    }

    /// What to change to keep the rule, in general; a violation may say
    /// more precisely ([`Violation::hint`]).
    pub fn hint(self) -> &'static str {
        match self {
            Rule::Coverage => "put the pupil on exactly one run, or list them as unassigned",
            Rule::Precedence => "pick the pupil up once, then drop them later on the same run",
            Rule::StopLocation => "pick up at home and drop at school in the AM (the reverse in the PM); start and end each run at its vehicle's depot",
            Rule::Timing => "leave time to drive between stops and to board or alight each pupil (or let senroute recompute the times)",
            Rule::Window => "move the stop earlier or later in the run, or move the pupil to another run",
            Rule::RideTime => "shorten the run (fewer or nearer stops before the pupil's drop) or move the pupil to another run",
            Rule::Duty => "shorten the run, or give it to a vehicle whose shift and duty limit fit",
            Rule::Capacity => "move a pupil to another run, or use a vehicle with more seats or wheelchair spaces",
            Rule::Compatibility => "move the pupil to a vehicle with what they need (wheelchair space, tail-lift, passenger assistant)",
            Rule::TravelAlone => "give the pupil a run with nobody else on board while they are",
            Rule::MustNotTravelTogether => "move one of the two pupils to another run",
            Rule::FleetSize => "use a vehicle of a type with vehicles to spare, or add vehicles to the fleet",
            Rule::Arithmetic => "recompute the times, costs and totals from the stops (senroute check --retime)",
            Rule::Continuity => "put the pupil on the same vehicle in the PM as in the AM",
        }
    }
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    /// The rule.
    pub rule: Rule,
    /// The session of the run, in a day plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Session>,
    /// Route index (0-based; run `route + 1` in `routes.csv`), if the
    /// violation is on a route.
    pub route: Option<usize>,
    /// Stop index in the route.
    pub stop: Option<usize>,
    /// Pupil concerned.
    pub pupil: Option<String>,
    /// What is wrong, with the numbers.
    pub message: String,
    /// By how much the rule is broken, in [`Violation::unit`], where that
    /// is a quantity (seconds late or over, seats, vehicles).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<f64>,
    /// Unit of [`Violation::amount`]: `s`, `seats`, `wheelchair spaces`,
    /// `vehicles`, `pupils`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub unit: String,
    /// What to change.
    #[serde(default)]
    pub hint: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]", self.rule.code())?;
        if let Some(s) = self.session {
            write!(f, " {}", s.label())?;
        }
        if let Some(r) = self.route {
            write!(f, " run {}", r + 1)?;
        }
        if let Some(s) = self.stop {
            write!(f, " stop {s}")?;
        }
        if let Some(p) = &self.pupil {
            write!(f, " pupil {p}")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(a) = self.amount {
            write!(f, " (by {})", amount_text(a, &self.unit))?;
        }
        if !self.hint.is_empty() {
            write!(f, "; {}", self.hint)?;
        }
        Ok(())
    }
}

/// `12 min 30 s`, `1 seat`, `2 vehicles`.
fn amount_text(a: f64, unit: &str) -> String {
    if unit == "s" {
        let s = a.ceil().max(0.0) as u64;
        return match (s / 60, s % 60) {
            (0, s) => format!("{s} s"),
            (m, 0) => format!("{m} min"),
            (m, s) => format!("{m} min {s} s"),
        };
    }
    let n = if a.fract() == 0.0 {
        format!("{a:.0}")
    } else {
        format!("{a:.2}")
    };
    let unit = if a == 1.0 {
        unit.strip_suffix('s').unwrap_or(unit)
    } else {
        unit
    };
    format!("{n} {unit}")
}

/// Tolerance on times (seconds): rounding only, the same as the engine's.
const EPS_T: f64 = TIME_TOLERANCE_S;

/// `hh:mm:ss` (with fractions of a second when there are any) for messages.
fn clock_time(s: f64) -> String {
    if !s.is_finite() {
        return format!("{s}");
    }
    let whole = s.floor();
    let frac = s - whole;
    let w = whole as i64;
    let base = format!("{:02}:{:02}:{:02}", w / 3600, (w / 60) % 60, w % 60);
    if frac > 1e-3 {
        format!("{base}.{:03}", ((frac * 1000.0).floor() as i64).min(999))
    } else {
        base
    }
}

/// Seconds from `t` to the nearest end of `w` (0 inside it).
fn outside(w: crate::time::TimeWindow, t: f64) -> f64 {
    (w.open.secs_f64() - t).max(t - w.close.secs_f64()).max(0.0)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 0.01 + 1e-6 * a.abs().max(b.abs())
}

struct Out(Vec<Violation>);

impl Out {
    fn add(
        &mut self,
        rule: Rule,
        route: Option<usize>,
        stop: Option<usize>,
        pupil: Option<&str>,
        message: String,
    ) {
        self.0.push(Violation {
            rule,
            session: None,
            route,
            stop,
            pupil: pupil.map(str::to_string),
            message,
            amount: None,
            unit: String::new(),
            hint: rule.hint().to_string(),
        });
    }

    /// [`Out::add`] with by how much the rule is broken.
    #[allow(clippy::too_many_arguments)]
    fn add_by(
        &mut self,
        rule: Rule,
        route: Option<usize>,
        stop: Option<usize>,
        pupil: Option<&str>,
        message: String,
        amount: f64,
        unit: &str,
    ) {
        self.add(rule, route, stop, pupil, message);
        if let Some(v) = self.0.last_mut() {
            v.amount = Some(amount);
            v.unit = unit.to_string();
        }
    }
}

/// Where a pupil boards and alights in a session.
fn expected_keys(p: &Pupil, session: Session) -> (LocationKey, LocationKey) {
    let home = LocationKey::Home(p.id.clone());
    let school = LocationKey::School(p.school.clone());
    match session {
        Session::Pm => (school, home),
        Session::Am | Session::Day => (home, school),
    }
}

/// Checks every rule of `plan` for `problem` under `travel`, independently of
/// how the plan was made. An empty result means the plan is valid.
///
/// For a day problem the plan is checked as the plan of its own session
/// (see [`crate::validate_day`] for the whole day).
pub fn validate(problem: &Problem, travel: &TravelTimes, plan: &Plan) -> Vec<Violation> {
    if problem.session == Session::Day && plan.session != Session::Day {
        return validate(&problem.for_session(plan.session), travel, plan);
    }
    let mut out = Out(Vec::new());
    let session = problem.session;
    if plan.session != session {
        out.add(
            Rule::Coverage,
            None,
            None,
            None,
            format!(
                "plan is for the {} session, problem for {}",
                plan.session, session
            ),
        );
    }
    let pupils: HashMap<&str, &Pupil> = problem.pupils.iter().map(|p| (p.id.as_str(), p)).collect();
    let mut picked: HashMap<String, usize> = HashMap::new(); // pupil -> route
    let mut used_vehicles: HashSet<(String, u32)> = HashSet::new();
    let mut per_type: HashMap<&str, u32> = HashMap::new();
    // Ride measured per pupil: (route, pickup departure, drop service start).
    let mut measured: HashMap<String, (usize, f64, f64)> = HashMap::new();

    for (ri, route) in plan.routes.iter().enumerate() {
        let r = Some(ri);
        let Some(vt) = problem.vehicle_type(&route.vehicle_type) else {
            out.add(
                Rule::FleetSize,
                r,
                None,
                None,
                format!("unknown vehicle type {:?}", route.vehicle_type),
            );
            continue;
        };
        *per_type.entry(vt.id.as_str()).or_default() += 1;
        if route.vehicle_index >= vt.count {
            out.add(
                Rule::FleetSize,
                r,
                None,
                None,
                format!(
                    "vehicle {} of type {} but the fleet has {}",
                    route.vehicle_index + 1,
                    vt.id,
                    vt.count
                ),
            );
        }
        if !used_vehicles.insert((vt.id.clone(), route.vehicle_index)) {
            out.add(
                Rule::FleetSize,
                r,
                None,
                None,
                format!("vehicle {} is used by two runs", route.label()),
            );
        }
        let stops = &route.stops;
        let depot = LocationKey::Depot(vt.id.clone());
        if stops.len() < 2
            || stops[0].kind != StopKind::Depot
            || stops[stops.len() - 1].kind != StopKind::Depot
        {
            out.add(
                Rule::StopLocation,
                r,
                None,
                None,
                "a run must start and end with a depot stop".into(),
            );
            continue;
        }
        let mut on_board: Vec<&Pupil> = Vec::new();
        let mut on_route: Vec<&Pupil> = Vec::new();
        let mut distance = 0.0;
        let mut load = Load::default();
        for (si, stop) in stops.iter().enumerate() {
            let s = Some(si);
            let is_end = si == 0 || si == stops.len() - 1;
            if is_end != (stop.kind == StopKind::Depot) {
                out.add(
                    Rule::StopLocation,
                    r,
                    s,
                    None,
                    "depot stops may only start and end a run".into(),
                );
            }
            if stop.kind == StopKind::Depot && stop.location_key != depot {
                out.add(
                    Rule::StopLocation,
                    r,
                    s,
                    None,
                    format!(
                        "run of {} must use its depot, not {}",
                        vt.id, stop.location_key
                    ),
                );
            }
            if stop.kind == StopKind::Depot && !stop.pupils.is_empty() {
                out.add(
                    Rule::StopLocation,
                    r,
                    s,
                    None,
                    "pupils listed at a depot stop".into(),
                );
            }
            // Travel from the previous stop.
            if si > 0 {
                let prev = &stops[si - 1];
                match (
                    travel.index_of(&prev.location_key),
                    travel.index_of(&stop.location_key),
                ) {
                    (Some(a), Some(b)) => {
                        let t = travel.duration_by_index(a, b);
                        distance += travel.distance_by_index(a, b);
                        if !t.is_finite() {
                            out.add(
                                Rule::Timing,
                                r,
                                s,
                                None,
                                format!(
                                    "{} is unreachable from {}",
                                    stop.location_key, prev.location_key
                                ),
                            );
                        } else if stop.arrival_s + EPS_T < prev.departure_s + t {
                            out.add(Rule::Timing, r, s, None, format!(
                                "arrives at {:.0} s but leaving the previous stop at {:.0} s and driving {:.0} s arrives at {:.0} s",
                                stop.arrival_s, prev.departure_s, t, prev.departure_s + t));
                        }
                    }
                    _ => out.add(
                        Rule::StopLocation,
                        r,
                        s,
                        None,
                        format!(
                            "no travel time between {} and {}",
                            prev.location_key, stop.location_key
                        ),
                    ),
                }
            }
            if stop.service_start_s + EPS_T < stop.arrival_s {
                out.add(
                    Rule::Timing,
                    r,
                    s,
                    None,
                    format!(
                        "service starts at {:.0} s before arrival at {:.0} s",
                        stop.service_start_s, stop.arrival_s
                    ),
                );
            }
            // Pupils at the stop, served one after another in the listed
            // order (see the timing definitions in `plan`): `clock` is when
            // the next pupil's own service starts.
            let mut clock = stop.service_start_s;
            for pid in &stop.pupils {
                let pp = Some(pid.as_str());
                let Some(&p) = pupils.get(pid.as_str()) else {
                    out.add(Rule::Coverage, r, s, pp, "unknown pupil".into());
                    continue;
                };
                if !p.sessions.includes(session) {
                    out.add(
                        Rule::Coverage,
                        r,
                        s,
                        pp,
                        format!("pupil does not travel in the {session} session"),
                    );
                }
                let (board, alight) = expected_keys(p, session);
                let at_home = matches!(stop.location_key, LocationKey::Home(_));
                let own_start = clock;
                let own_end = own_start
                    + if at_home {
                        problem.home_service_seconds(p)
                    } else {
                        problem.school_service_seconds(p)
                    };
                clock = own_end;
                match stop.kind {
                    StopKind::Pickup => {
                        if stop.location_key != board {
                            out.add(
                                Rule::StopLocation,
                                r,
                                s,
                                pp,
                                format!("picked up at {} instead of {board}", stop.location_key),
                            );
                        }
                        if let Some(prev_route) = picked.insert(pid.clone(), ri) {
                            out.add(
                                Rule::Precedence,
                                r,
                                s,
                                pp,
                                format!("picked up again (already on route {prev_route})"),
                            );
                        }
                        if let Some(reason) = incompatibility(p, vt) {
                            out.add(
                                Rule::Compatibility,
                                r,
                                s,
                                pp,
                                format!("{} cannot carry the pupil: {reason}", vt.id),
                            );
                        }
                        if let Some(t) = p.needs.earliest_pickup {
                            if session == Session::Am && own_start + EPS_T < t.secs_f64() {
                                out.add_by(
                                    Rule::Window,
                                    r,
                                    s,
                                    pp,
                                    format!(
                                        "boarding starts at {} before the earliest pick-up {t}",
                                        clock_time(own_start)
                                    ),
                                    t.secs_f64() - own_start,
                                    "s",
                                );
                            }
                        }
                        if session == Session::Pm {
                            if let Some(school) = problem.school(&p.school) {
                                if !school.pm_departure.contains(own_start, EPS_T) {
                                    out.add_by(
                                        Rule::Window,
                                        r,
                                        s,
                                        pp,
                                        format!(
                                            "boards at school at {} outside the PM window {}",
                                            clock_time(own_start),
                                            school.pm_departure
                                        ),
                                        outside(school.pm_departure, own_start),
                                        "s",
                                    );
                                }
                            }
                        }
                        if p.needs.wheelchair {
                            load.wheelchair += 1
                        } else {
                            load.seated += 1
                        }
                        on_board.push(p);
                        on_route.push(p);
                        measured.insert(pid.clone(), (ri, own_end, f64::NAN));
                    }
                    StopKind::Drop => {
                        if stop.location_key != alight {
                            out.add(
                                Rule::StopLocation,
                                r,
                                s,
                                pp,
                                format!("dropped at {} instead of {alight}", stop.location_key),
                            );
                        }
                        match on_board.iter().position(|q| q.id == *pid) {
                            None => out.add(
                                Rule::Precedence,
                                r,
                                s,
                                pp,
                                "dropped but not on board".into(),
                            ),
                            Some(k) => {
                                on_board.remove(k);
                                if p.needs.wheelchair {
                                    load.wheelchair = load.wheelchair.saturating_sub(1)
                                } else {
                                    load.seated = load.seated.saturating_sub(1)
                                }
                                if let Some(m) = measured.get_mut(pid.as_str()) {
                                    m.2 = own_start;
                                    let ride = m.2 - m.1;
                                    if let Some(cap) = problem.max_ride_seconds(p) {
                                        if ride > cap + EPS_T {
                                            out.add_by(
                                                Rule::RideTime,
                                                r,
                                                s,
                                                pp,
                                                format!(
                                                    "rides {:.1} min ({:.0} s, from the end of boarding at {} to the start of alighting at {}), over the cap of {:.0} min by {:.0} s; shorten the run or move the pupil to another run",
                                                    ride / 60.0,
                                                    ride,
                                                    clock_time(m.1),
                                                    clock_time(m.2),
                                                    cap / 60.0,
                                                    (ride - cap).ceil()
                                                ),
                                                ride - cap,
                                                "s",
                                            );
                                        }
                                    }
                                }
                            }
                        }
                        if session == Session::Am {
                            if let Some(school) = problem.school(&p.school) {
                                if !school.am_arrival.contains(own_start, EPS_T) {
                                    out.add_by(
                                        Rule::Window,
                                        r,
                                        s,
                                        pp,
                                        format!(
                                            "alights at school at {} outside the AM window {}",
                                            clock_time(own_start),
                                            school.am_arrival
                                        ),
                                        outside(school.am_arrival, own_start),
                                        "s",
                                    );
                                }
                            }
                        }
                    }
                    StopKind::Depot => {}
                }
            }
            if stop.departure_s + EPS_T < clock {
                out.add(
                    Rule::Timing,
                    r,
                    s,
                    None,
                    format!(
                        "leaves at {} but the service of its {} pupil(s), one after another from {}, ends at {}",
                        clock_time(stop.departure_s),
                        stop.pupils.len(),
                        clock_time(stop.service_start_s),
                        clock_time(clock)
                    ),
                );
            }
            // Capacity after the stop.
            if load.wheelchair > vt.wheelchair_spaces {
                out.add_by(
                    Rule::Capacity,
                    r,
                    s,
                    None,
                    format!(
                        "{} wheelchairs on board, {} spaces",
                        load.wheelchair, vt.wheelchair_spaces
                    ),
                    f64::from(load.wheelchair - vt.wheelchair_spaces),
                    "wheelchair spaces",
                );
            }
            let seat_use = load.seated + vt.seats_per_wheelchair_space * load.wheelchair;
            if seat_use > vt.seats {
                out.add_by(
                    Rule::Capacity,
                    r,
                    s,
                    None,
                    format!(
                        "{} seats needed ({} seated, {} wheelchairs × {} seats), {} available",
                        seat_use,
                        load.seated,
                        load.wheelchair,
                        vt.seats_per_wheelchair_space,
                        vt.seats
                    ),
                    f64::from(seat_use - vt.seats),
                    "seats",
                );
            }
            if stop.load != load {
                out.add(
                    Rule::Arithmetic,
                    r,
                    s,
                    None,
                    format!("reported load {:?} but {:?} on board", stop.load, load),
                );
            }
            if on_board.len() > 1 {
                for p in on_board.iter().filter(|p| p.needs.travel_alone) {
                    out.add(
                        Rule::TravelAlone,
                        r,
                        s,
                        Some(&p.id),
                        format!(
                            "travels alone but {} others are on board",
                            on_board.len() - 1
                        ),
                    );
                }
            }
        }
        for p in &on_board {
            out.add(
                Rule::Precedence,
                r,
                None,
                Some(&p.id),
                "picked up but never dropped".into(),
            );
        }
        // Must not travel together: same run.
        for (i, a) in on_route.iter().enumerate() {
            for b in &on_route[i + 1..] {
                if a.needs.must_not_travel_with.contains(&b.id)
                    || b.needs.must_not_travel_with.contains(&a.id)
                {
                    out.add(
                        Rule::MustNotTravelTogether,
                        r,
                        None,
                        Some(&a.id),
                        format!("on the same run as {}", b.id),
                    );
                }
            }
        }
        // Duty and shift.
        let (start, end) = (stops[0].departure_s, stops[stops.len() - 1].arrival_s);
        let shift = vt.shift_for(session);
        let (open, shut) = (shift.open.secs_f64(), shift.close.secs_f64());
        if start + EPS_T < open || end > shut + EPS_T {
            out.add_by(
                Rule::Duty,
                r,
                None,
                None,
                format!(
                    "run {}–{} is outside the {} shift {shift} of {}",
                    clock_time(start),
                    clock_time(end),
                    session.label(),
                    vt.id
                ),
                (open - start).max(end - shut).max(0.0),
                "s",
            );
        }
        let duration = end - start;
        let max_duty = f64::from(vt.max_duty_minutes) * 60.0;
        if duration > max_duty + EPS_T {
            out.add_by(
                Rule::Duty,
                r,
                None,
                None,
                format!(
                    "duty of {:.1} min exceeds {} min",
                    duration / 60.0,
                    vt.max_duty_minutes
                ),
                duration - max_duty,
                "s",
            );
        }
        // Arithmetic of the route.
        if !close(route.distance_m, distance) {
            out.add(
                Rule::Arithmetic,
                r,
                None,
                None,
                format!(
                    "distance reported {:.1} m, travel matrix gives {:.1} m",
                    route.distance_m, distance
                ),
            );
        }
        if !close(route.duration_s, duration) {
            out.add(
                Rule::Arithmetic,
                r,
                None,
                None,
                format!(
                    "duration reported {:.1} s, stops give {:.1} s",
                    route.duration_s, duration
                ),
            );
        }
        let cost = vt.run_cost(distance, duration);
        if !close(route.cost, cost) {
            out.add(
                Rule::Arithmetic,
                r,
                None,
                None,
                format!("cost reported £{:.2}, rates give £{:.2}", route.cost, cost),
            );
        }
    }
    for (t, n) in per_type {
        if let Some(vt) = problem.vehicle_type(t) {
            if n > vt.count {
                out.add_by(
                    Rule::FleetSize,
                    None,
                    None,
                    None,
                    format!("{n} runs of {t} but the fleet has {}", vt.count),
                    f64::from(n - vt.count),
                    "vehicles",
                );
            }
        }
    }

    // Coverage: placed once or unassigned, never both or neither.
    let mut unassigned = HashSet::new();
    for u in &plan.unassigned {
        if !pupils.contains_key(u.pupil.as_str()) {
            out.add(
                Rule::Coverage,
                None,
                None,
                Some(&u.pupil),
                "unknown pupil listed as unassigned".into(),
            );
        }
        if !unassigned.insert(u.pupil.as_str()) {
            out.add(
                Rule::Coverage,
                None,
                None,
                Some(&u.pupil),
                "listed as unassigned twice".into(),
            );
        }
        if picked.contains_key(&u.pupil) {
            out.add(
                Rule::Coverage,
                None,
                None,
                Some(&u.pupil),
                "listed as unassigned but placed on a run".into(),
            );
        }
    }
    for p in problem.travelling_pupils() {
        if !picked.contains_key(&p.id) && !unassigned.contains(p.id.as_str()) {
            out.add(
                Rule::Coverage,
                None,
                None,
                Some(&p.id),
                "neither placed nor listed as unassigned".into(),
            );
        }
    }

    // Reported rides match the stops.
    let mut seen_rides = HashSet::new();
    for ride in &plan.rides {
        let pp = Some(ride.pupil.as_str());
        if !seen_rides.insert(ride.pupil.as_str()) {
            out.add(Rule::Arithmetic, None, None, pp, "two ride entries".into());
        }
        match measured.get(&ride.pupil) {
            Some(&(route, pick, drop)) if !drop.is_nan() => {
                if ride.route != route
                    || !close(ride.pickup_s, pick)
                    || !close(ride.drop_s, drop)
                    || !close(ride.ride_s, drop - pick)
                {
                    out.add(Rule::Arithmetic, Some(route), None, pp, format!(
                        "ride entry (route {}, {:.0}–{:.0} s, {:.0} s) does not match the stops (route {route}, {pick:.0}–{drop:.0} s)",
                        ride.route, ride.pickup_s, ride.drop_s, ride.ride_s));
                }
            }
            _ => out.add(
                Rule::Arithmetic,
                None,
                None,
                pp,
                "ride entry for a pupil who is not carried".into(),
            ),
        }
    }
    for (pid, &(route, _, drop)) in &measured {
        if !drop.is_nan() && !seen_rides.contains(pid.as_str()) {
            out.add(
                Rule::Arithmetic,
                Some(route),
                None,
                Some(pid),
                "carried but has no ride entry".into(),
            );
        }
    }

    let mut expect = plan.clone();
    expect.compute_totals();
    let (a, b) = (&plan.totals, &expect.totals);
    if a.vehicles != b.vehicles
        || a.assigned != b.assigned
        || a.unassigned != b.unassigned
        || !close(a.cost, b.cost)
        || !close(a.distance_m, b.distance_m)
        || !close(a.duration_s, b.duration_s)
        || !close(a.ride_s, b.ride_s)
    {
        out.add(
            Rule::Arithmetic,
            None,
            None,
            None,
            format!("totals {a:?} do not add up to {b:?}"),
        );
    }
    out.0
}
