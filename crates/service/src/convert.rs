//! Conversion between the `senroute.v1` messages and the model types.
//!
//! Requests are converted into a [`Problem`] collecting *every* problem with
//! a field path (as `problem.pupils[3].home.lat`), then checked with the same
//! [`check_problem`] the CLI uses; plans and jobs are converted back for
//! responses. The proto field names equal the model's JSON names, so a path
//! from the model's checks is also a valid path into the request.

use crate::pb::v1 as pb;
use crate::store::{JobRecord, JobState};
use senroute_model::{
    check_problem, Continuity, DayPlan, InputErrors, InputIssue, JsonLocator, Location,
    LocationKey, Matrices, Needs, Phase, Plan, Problem, Pupil, School, Session, Sessions, Settings,
    StopKind, TimeOfDay, TimeWindow, UnassignedReason, VehicleType,
};

/// Prefix of every field path: the problem is field `problem` of
/// `SubmitJobRequest`.
pub const PROBLEM_PATH: &str = "problem";

struct Errors(InputErrors);

impl Errors {
    fn push(&mut self, path: String, value: Option<String>, message: &str, hint: &str) {
        self.0.push(InputIssue {
            source: "request".into(),
            line: None,
            field: Some(path),
            value,
            message: message.into(),
            hint: hint.into(),
        });
    }
}

fn location(e: &mut Errors, path: &str, l: Option<&pb::Location>) -> Location {
    let Some(l) = l else {
        e.push(
            path.to_string(),
            None,
            "missing location",
            "give lat/lon or easting/northing",
        );
        return Location::new(f64::NAN, f64::NAN);
    };
    match (l.easting, l.northing) {
        (None, None) => Location::new(l.lat, l.lon),
        (Some(east), Some(north)) => match Location::from_bng(east, north) {
            Ok(loc) => loc,
            Err(err) => {
                e.push(
                    format!("{path}.easting"),
                    Some(format!("{east},{north}")),
                    &err.to_string(),
                    "British National Grid metres, e.g. easting 528476, northing 184518",
                );
                Location::new(f64::NAN, f64::NAN)
            }
        },
        (Some(_), None) | (None, Some(_)) => {
            let missing = if l.easting.is_none() {
                "easting"
            } else {
                "northing"
            };
            e.push(
                format!("{path}.{missing}"),
                None,
                "easting and northing go together",
                "give both, or lat/lon instead",
            );
            Location::new(f64::NAN, f64::NAN)
        }
    }
}

fn time(e: &mut Errors, path: &str, s: &str) -> TimeOfDay {
    s.parse()
        .unwrap_or_else(|err: senroute_model::time::TimeParseError| {
            e.push(
                path.to_string(),
                Some(senroute_model::limits::excerpt(s).into_owned()),
                &err.to_string(),
                "24-hour clock, e.g. 08:30",
            );
            TimeOfDay::default()
        })
}

fn window(e: &mut Errors, path: &str, w: Option<&pb::TimeWindow>) -> TimeWindow {
    let Some(w) = w else {
        e.push(
            path.to_string(),
            None,
            "missing time window",
            "give open and close as HH:MM",
        );
        return TimeWindow::new(TimeOfDay::default(), TimeOfDay::default());
    };
    TimeWindow::new(
        time(e, &format!("{path}.open"), &w.open),
        time(e, &format!("{path}.close"), &w.close),
    )
}

fn phase(p: i32) -> Result<Option<Phase>, ()> {
    match pb::Phase::try_from(p) {
        Ok(pb::Phase::Unspecified) => Ok(None),
        Ok(pb::Phase::Primary) => Ok(Some(Phase::Primary)),
        Ok(pb::Phase::Secondary) => Ok(Some(Phase::Secondary)),
        Ok(pb::Phase::AllThrough) => Ok(Some(Phase::AllThrough)),
        Err(_) => Err(()),
    }
}

fn borough(b: &str) -> Option<String> {
    let b = b.trim();
    (!b.is_empty()).then(|| b.to_string())
}

fn unknown_enum(e: &mut Errors, path: String, v: i32) {
    e.push(
        path,
        Some(v.to_string()),
        "unknown enum value",
        "use one of the values in the .proto",
    );
}

/// The record counts of a request against [`senroute_model::limits`], checked
/// before any conversion work (the model's validation checks them again,
/// with every other limit, once the problem is converted).
pub fn check_sizes(p: &pb::Problem) -> Result<(), InputErrors> {
    use senroute_model::limits;
    let mut e = Errors(InputErrors::default());
    let n = p.matrices.as_ref().map_or(0, |m| m.locations.len());
    for (name, len, max) in [
        ("pupils", p.pupils.len(), limits::MAX_PUPILS),
        ("schools", p.schools.len(), limits::MAX_SCHOOLS),
        ("fleet", p.fleet.len(), limits::MAX_VEHICLE_TYPES),
        ("matrices.locations", n, limits::MAX_INPUT_MATRIX_LOCATIONS),
    ] {
        if len > max {
            e.push(
                format!("{PROBLEM_PATH}.{name}"),
                Some(len.to_string()),
                &format!("{len} entries, over senroute's limit of {max} per problem (travel matrices that large would not fit in memory)"),
                "split the problem into smaller ones, e.g. one per borough or group of schools",
            );
        }
    }
    e.0.into_result(())
}

/// Converts and checks a request's problem with the one validation of
/// every input ([`check_problem`]: the CLI's, with the same limits). Every
/// issue is reported, with a field path below `problem`.
pub fn problem_from_proto(p: &pb::Problem) -> Result<Problem, InputErrors> {
    check_sizes(p)?;
    let mut e = Errors(InputErrors::default());
    let pupils = p
        .pupils
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let path = format!("{PROBLEM_PATH}.pupils[{i}]");
            let n = x.needs.clone().unwrap_or_default();
            let mut opt_time = |name: &str, value: &str| {
                (!value.trim().is_empty())
                    .then(|| time(&mut e, &format!("{path}.needs.{name}"), value))
            };
            let earliest_pickup = opt_time("earliest_pickup", &n.earliest_pickup);
            let earliest_dropoff = opt_time("earliest_dropoff", &n.earliest_dropoff);
            let latest_dropoff = opt_time("latest_dropoff", &n.latest_dropoff);
            let sessions = match pb::TravelSessions::try_from(x.sessions) {
                Ok(pb::TravelSessions::Am) => Sessions::Am,
                Ok(pb::TravelSessions::Pm) => Sessions::Pm,
                Ok(pb::TravelSessions::Both | pb::TravelSessions::Unspecified) => Sessions::Both,
                Err(_) => {
                    unknown_enum(&mut e, format!("{path}.sessions"), x.sessions);
                    Sessions::Both
                }
            };
            let ph = phase(x.phase).unwrap_or_else(|()| {
                unknown_enum(&mut e, format!("{path}.phase"), x.phase);
                None
            });
            Pupil {
                id: x.id.clone(),
                home: location(&mut e, &format!("{path}.home"), x.home.as_ref()),
                school: x.school.clone(),
                sessions,
                borough: borough(&x.borough),
                phase: ph,
                needs: Needs {
                    wheelchair: n.wheelchair,
                    tail_lift: n.tail_lift,
                    passenger_assistant: n.passenger_assistant,
                    travel_alone: n.travel_alone,
                    must_not_travel_with: n.must_not_travel_with.clone(),
                    extra_boarding_minutes: n.extra_boarding_minutes,
                    max_ride_minutes: n.max_ride_minutes,
                    earliest_pickup,
                    vehicle_types: n.vehicle_types.clone(),
                    not_vehicle_types: n.not_vehicle_types.clone(),
                    earliest_dropoff,
                    latest_dropoff,
                },
                extra: x
                    .extra
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            }
        })
        .collect();
    let schools = p
        .schools
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let path = format!("{PROBLEM_PATH}.schools[{i}]");
            let ph = match phase(s.phase) {
                Ok(Some(ph)) => ph,
                Ok(None) => {
                    e.push(
                        format!("{path}.phase"),
                        None,
                        "missing phase",
                        "PHASE_PRIMARY, PHASE_SECONDARY or PHASE_ALL_THROUGH",
                    );
                    Phase::Secondary
                }
                Err(()) => {
                    unknown_enum(&mut e, format!("{path}.phase"), s.phase);
                    Phase::Secondary
                }
            };
            School {
                id: s.id.clone(),
                name: s.name.clone(),
                location: location(&mut e, &format!("{path}.location"), s.location.as_ref()),
                borough: borough(&s.borough),
                phase: ph,
                am_arrival: window(&mut e, &format!("{path}.am_arrival"), s.am_arrival.as_ref()),
                pm_departure: window(
                    &mut e,
                    &format!("{path}.pm_departure"),
                    s.pm_departure.as_ref(),
                ),
                dwell_minutes: s.dwell_minutes,
            }
        })
        .collect();
    let fleet = p
        .fleet
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let path = format!("{PROBLEM_PATH}.fleet[{i}]");
            VehicleType {
                id: v.id.clone(),
                count: v.count,
                depot: location(&mut e, &format!("{path}.depot"), v.depot.as_ref()),
                seats: v.seats,
                wheelchair_spaces: v.wheelchair_spaces,
                seats_per_wheelchair_space: v.seats_per_wheelchair_space,
                tail_lift: v.tail_lift,
                passenger_assistant: v.passenger_assistant,
                fixed_cost_per_day: v.fixed_cost_per_day,
                cost_per_km: v.cost_per_km,
                cost_per_hour: v.cost_per_hour,
                assistant_cost_per_day: v.assistant_cost_per_day,
                max_duty_minutes: v.max_duty_minutes,
                shift: window(&mut e, &format!("{path}.shift"), v.shift.as_ref()),
                pm_shift: v
                    .pm_shift
                    .as_ref()
                    .map(|w| window(&mut e, &format!("{path}.pm_shift"), Some(w))),
                borough: borough(&v.borough),
                max_schools_per_run: v.max_schools_per_run,
            }
        })
        .collect();
    let session = match pb::Session::try_from(p.session) {
        Ok(pb::Session::Pm) => Session::Pm,
        Ok(pb::Session::Day) => Session::Day,
        Ok(pb::Session::Am | pb::Session::Unspecified) => Session::Am,
        Err(_) => {
            unknown_enum(&mut e, format!("{PROBLEM_PATH}.session"), p.session);
            Session::Am
        }
    };
    let d = Settings::default();
    let s = p.settings.unwrap_or_default();
    let settings = Settings {
        ride_time_cost_per_minute: s
            .ride_time_cost_per_minute
            .unwrap_or(d.ride_time_cost_per_minute),
        boarding_minutes: s.boarding_minutes.unwrap_or(d.boarding_minutes),
        wheelchair_boarding_minutes: s
            .wheelchair_boarding_minutes
            .unwrap_or(d.wheelchair_boarding_minutes),
        time_limit_seconds: s.time_limit_seconds.unwrap_or(d.time_limit_seconds),
        seed: s.seed.unwrap_or(d.seed),
        continuity: match pb::Continuity::try_from(s.continuity) {
            Ok(pb::Continuity::Hard) => Continuity::Hard,
            Ok(pb::Continuity::None) => Continuity::None,
            Ok(pb::Continuity::Preferred | pb::Continuity::Unspecified) => Continuity::Preferred,
            Err(_) => {
                unknown_enum(
                    &mut e,
                    format!("{PROBLEM_PATH}.settings.continuity"),
                    s.continuity,
                );
                Continuity::Preferred
            }
        },
        continuity_cost_per_pupil: s
            .continuity_cost_per_pupil
            .unwrap_or(d.continuity_cost_per_pupil),
    };
    let matrices = p.matrices.as_ref().map(|m| matrices(&mut e, m));
    let problem = Problem {
        pupils,
        schools,
        fleet,
        session,
        settings,
        matrices,
    };
    // The model's checks name fields relative to the problem; skip them for
    // records already broken here (NaN placeholders would be reported twice).
    if e.0.is_empty() {
        let checked = check_problem(
            &problem,
            &JsonLocator {
                source: "request".into(),
            },
        );
        for mut issue in checked.0 {
            issue.field = Some(match issue.field {
                Some(f) => format!("{PROBLEM_PATH}.{f}"),
                None => PROBLEM_PATH.to_string(),
            });
            e.0.push(issue);
        }
    }
    e.0.into_result(problem)
}

fn matrices(e: &mut Errors, m: &pb::Matrices) -> Matrices {
    let path = format!("{PROBLEM_PATH}.matrices");
    let mut locations = Vec::with_capacity(m.locations.len());
    for (i, k) in m.locations.iter().enumerate() {
        match &k.kind {
            Some(pb::location_key::Kind::Home(id)) => locations.push(LocationKey::Home(id.clone())),
            Some(pb::location_key::Kind::School(id)) => {
                locations.push(LocationKey::School(id.clone()))
            }
            Some(pb::location_key::Kind::Depot(id)) => {
                locations.push(LocationKey::Depot(id.clone()))
            }
            None => e.push(
                format!("{path}.locations[{i}]"),
                None,
                "location key without home, school or depot",
                "set exactly one of home, school, depot",
            ),
        }
    }
    let n = m.locations.len();
    let mut rows = |name: &str, flat: &[f64]| -> Vec<Vec<f64>> {
        if flat.len() != n * n {
            e.push(
                format!("{path}.{name}"),
                Some(format!("{} entries", flat.len())),
                &format!("must hold n*n = {} entries for n = {n} locations", n * n),
                "row-major, one row per location",
            );
            return Vec::new();
        }
        if n == 0 {
            return Vec::new();
        }
        flat.chunks(n).map(<[f64]>::to_vec).collect()
    };
    Matrices {
        durations_s: rows("durations_s", &m.durations_s),
        distances_m: rows("distances_m", &m.distances_m),
        locations,
    }
}

/// The rich-error `BadRequest` violations and a readable message for input
/// errors.
pub fn invalid_argument(errors: &InputErrors) -> tonic::Status {
    use tonic_types::{ErrorDetails, StatusExt};
    let mut details = ErrorDetails::new();
    for i in errors.issues() {
        let mut description = i.message.clone();
        if let Some(v) = &i.value {
            description.push_str(&format!(" (value {v:?})"));
        }
        if !i.hint.is_empty() {
            description.push_str(&format!("; {}", i.hint));
        }
        details.add_bad_request_violation(
            i.field.clone().unwrap_or_else(|| PROBLEM_PATH.into()),
            description,
        );
    }
    let mut message = errors.to_string();
    if message.len() > 4000 {
        // Keep the status header small; the details carry every violation.
        let cut = (0..=4000)
            .rev()
            .find(|&i| message.is_char_boundary(i))
            .unwrap_or(0);
        message.truncate(cut);
        message.push('…');
    }
    tonic::Status::with_error_details(tonic::Code::InvalidArgument, message, details)
}

fn key_to_proto(k: &LocationKey) -> pb::LocationKey {
    use pb::location_key::Kind;
    pb::LocationKey {
        kind: Some(match k {
            LocationKey::Home(id) => Kind::Home(id.clone()),
            LocationKey::School(id) => Kind::School(id.clone()),
            LocationKey::Depot(id) => Kind::Depot(id.clone()),
        }),
    }
}

fn session_to_proto(s: Session) -> i32 {
    (match s {
        Session::Am => pb::Session::Am,
        Session::Pm => pb::Session::Pm,
        Session::Day => pb::Session::Day,
    }) as i32
}

fn continuity_to_proto(c: Continuity) -> i32 {
    (match c {
        Continuity::Hard => pb::Continuity::Hard,
        Continuity::Preferred => pb::Continuity::Preferred,
        Continuity::None => pb::Continuity::None,
    }) as i32
}

/// Converts a (possibly redacted) day plan.
pub fn day_plan_to_proto(d: &DayPlan) -> pb::DayPlan {
    let t = &d.totals;
    pb::DayPlan {
        am: Some(plan_to_proto(&d.am)),
        pm: Some(plan_to_proto(&d.pm)),
        continuity: continuity_to_proto(d.continuity),
        totals: Some(pb::DayTotals {
            vehicles: count(t.vehicles),
            cost: t.cost,
            day_rates: t.day_rates,
            am_running_cost: t.am_running_cost,
            pm_running_cost: t.pm_running_cost,
            distance_m: t.distance_m,
            duration_s: t.duration_s,
            ride_s: t.ride_s,
            assigned: count(t.assigned),
            unassigned: count(t.unassigned),
            both_sessions: count(t.both_sessions),
            same_vehicle: count(t.same_vehicle),
            continuity: t.continuity,
        }),
    }
}

fn reason_to_proto(r: &UnassignedReason) -> pb::UnassignedReason {
    match r {
        UnassignedReason::NoCompatibleVehicle { .. } => pb::UnassignedReason::NoCompatibleVehicle,
        UnassignedReason::WindowInfeasible { .. } => pb::UnassignedReason::WindowInfeasible,
        UnassignedReason::RideTimeInfeasible { .. } => pb::UnassignedReason::RideTimeInfeasible,
        UnassignedReason::DutyInfeasible { .. } => pb::UnassignedReason::DutyInfeasible,
        UnassignedReason::FleetCapacity { .. } => pb::UnassignedReason::FleetCapacity,
        UnassignedReason::Unreachable { .. } => pb::UnassignedReason::Unreachable,
        UnassignedReason::CrewContinuity { .. } => pb::UnassignedReason::CrewContinuity,
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Converts a (possibly redacted) plan. Stops whose location is NaN (a
/// redacted home) are sent without coordinates.
pub fn plan_to_proto(p: &Plan) -> pb::Plan {
    pb::Plan {
        session: session_to_proto(p.session),
        routes: p
            .routes
            .iter()
            .map(|r| pb::Route {
                vehicle_type: r.vehicle_type.clone(),
                vehicle_index: r.vehicle_index,
                stops: r
                    .stops
                    .iter()
                    .map(|s| pb::Stop {
                        kind: match s.kind {
                            StopKind::Depot => pb::StopKind::Depot,
                            StopKind::Pickup => pb::StopKind::Pickup,
                            StopKind::Drop => pb::StopKind::Drop,
                        } as i32,
                        location_key: Some(key_to_proto(&s.location_key)),
                        location: s.location.is_finite().then_some(pb::Location {
                            lat: s.location.lat,
                            lon: s.location.lon,
                            easting: None,
                            northing: None,
                        }),
                        pupils: s.pupils.clone(),
                        arrival_s: s.arrival_s,
                        service_start_s: s.service_start_s,
                        departure_s: s.departure_s,
                        load: Some(pb::Load {
                            seated: s.load.seated,
                            wheelchair: s.load.wheelchair,
                        }),
                    })
                    .collect(),
                distance_m: r.distance_m,
                duration_s: r.duration_s,
                cost: r.cost,
            })
            .collect(),
        rides: p
            .rides
            .iter()
            .map(|r| pb::PupilRide {
                pupil: r.pupil.clone(),
                route: count(r.route),
                pickup_s: r.pickup_s,
                drop_s: r.drop_s,
                ride_s: r.ride_s,
                max_ride_s: r.max_ride_s,
            })
            .collect(),
        unassigned: p
            .unassigned
            .iter()
            .map(|u| pb::Unassigned {
                pupil: u.pupil.clone(),
                reason: reason_to_proto(&u.reason) as i32,
                detail: u.reason.detail().to_string(),
            })
            .collect(),
        totals: Some(pb::Totals {
            vehicles: count(p.totals.vehicles),
            cost: p.totals.cost,
            distance_m: p.totals.distance_m,
            duration_s: p.totals.duration_s,
            ride_s: p.totals.ride_s,
            assigned: count(p.totals.assigned),
            unassigned: count(p.totals.unassigned),
        }),
    }
}

fn location_to_proto(l: Location) -> Option<pb::Location> {
    Some(pb::Location {
        lat: l.lat,
        lon: l.lon,
        easting: None,
        northing: None,
    })
}

fn window_to_proto(w: TimeWindow) -> Option<pb::TimeWindow> {
    Some(pb::TimeWindow {
        open: w.open.to_string(),
        close: w.close.to_string(),
    })
}

fn phase_to_proto(p: Option<Phase>) -> i32 {
    (match p {
        None => pb::Phase::Unspecified,
        Some(Phase::Primary) => pb::Phase::Primary,
        Some(Phase::Secondary) => pb::Phase::Secondary,
        Some(Phase::AllThrough) => pb::Phase::AllThrough,
    }) as i32
}

/// Converts a model problem into the request message (for Rust clients, the
/// load bench and tests): the inverse of [`problem_from_proto`].
pub fn problem_to_proto(p: &Problem) -> pb::Problem {
    pb::Problem {
        pupils: p
            .pupils
            .iter()
            .map(|x| pb::Pupil {
                id: x.id.clone(),
                home: location_to_proto(x.home),
                school: x.school.clone(),
                sessions: match x.sessions {
                    Sessions::Am => pb::TravelSessions::Am,
                    Sessions::Pm => pb::TravelSessions::Pm,
                    Sessions::Both => pb::TravelSessions::Both,
                } as i32,
                borough: x.borough.clone().unwrap_or_default(),
                phase: phase_to_proto(x.phase),
                needs: Some(pb::Needs {
                    wheelchair: x.needs.wheelchair,
                    tail_lift: x.needs.tail_lift,
                    passenger_assistant: x.needs.passenger_assistant,
                    travel_alone: x.needs.travel_alone,
                    must_not_travel_with: x.needs.must_not_travel_with.clone(),
                    extra_boarding_minutes: x.needs.extra_boarding_minutes,
                    max_ride_minutes: x.needs.max_ride_minutes,
                    earliest_pickup: x
                        .needs
                        .earliest_pickup
                        .map(|t| t.to_string())
                        .unwrap_or_default(),
                    vehicle_types: x.needs.vehicle_types.clone(),
                    not_vehicle_types: x.needs.not_vehicle_types.clone(),
                    earliest_dropoff: x
                        .needs
                        .earliest_dropoff
                        .map(|t| t.to_string())
                        .unwrap_or_default(),
                    latest_dropoff: x
                        .needs
                        .latest_dropoff
                        .map(|t| t.to_string())
                        .unwrap_or_default(),
                }),
                extra: x
                    .extra
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            })
            .collect(),
        schools: p
            .schools
            .iter()
            .map(|s| pb::School {
                id: s.id.clone(),
                name: s.name.clone(),
                location: location_to_proto(s.location),
                borough: s.borough.clone().unwrap_or_default(),
                phase: phase_to_proto(Some(s.phase)),
                am_arrival: window_to_proto(s.am_arrival),
                pm_departure: window_to_proto(s.pm_departure),
                dwell_minutes: s.dwell_minutes,
            })
            .collect(),
        fleet: p
            .fleet
            .iter()
            .map(|v| pb::VehicleType {
                id: v.id.clone(),
                count: v.count,
                depot: location_to_proto(v.depot),
                seats: v.seats,
                wheelchair_spaces: v.wheelchair_spaces,
                seats_per_wheelchair_space: v.seats_per_wheelchair_space,
                tail_lift: v.tail_lift,
                passenger_assistant: v.passenger_assistant,
                fixed_cost_per_day: v.fixed_cost_per_day,
                cost_per_km: v.cost_per_km,
                cost_per_hour: v.cost_per_hour,
                assistant_cost_per_day: v.assistant_cost_per_day,
                max_duty_minutes: v.max_duty_minutes,
                shift: window_to_proto(v.shift),
                pm_shift: v.pm_shift.and_then(window_to_proto),
                borough: v.borough.clone().unwrap_or_default(),
                max_schools_per_run: v.max_schools_per_run,
            })
            .collect(),
        session: session_to_proto(p.session),
        settings: Some(pb::Settings {
            ride_time_cost_per_minute: Some(p.settings.ride_time_cost_per_minute),
            boarding_minutes: Some(p.settings.boarding_minutes),
            wheelchair_boarding_minutes: Some(p.settings.wheelchair_boarding_minutes),
            time_limit_seconds: Some(p.settings.time_limit_seconds),
            seed: Some(p.settings.seed),
            continuity: continuity_to_proto(p.settings.continuity),
            continuity_cost_per_pupil: Some(p.settings.continuity_cost_per_pupil),
        }),
        matrices: p.matrices.as_ref().map(|m| pb::Matrices {
            locations: m.locations.iter().map(key_to_proto).collect(),
            durations_s: m.durations_s.iter().flatten().copied().collect(),
            distances_m: m.distances_m.iter().flatten().copied().collect(),
        }),
    }
}

/// A Unix-milliseconds time as a protobuf timestamp.
pub fn timestamp(ms: i64) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: ms.div_euclid(1000),
        nanos: i32::try_from(ms.rem_euclid(1000) * 1_000_000).unwrap_or(0),
    }
}

/// The proto enum of a job state.
pub fn state_to_proto(s: JobState) -> pb::JobState {
    match s {
        JobState::Queued => pb::JobState::Queued,
        JobState::Running => pb::JobState::Running,
        JobState::Succeeded => pb::JobState::Succeeded,
        JobState::Failed => pb::JobState::Failed,
        JobState::Cancelled => pb::JobState::Cancelled,
    }
}

/// A stored job as a message; `progress` is the live progress of a running
/// job, if any.
pub fn job_to_proto(j: &JobRecord, progress: Option<pb::Progress>) -> pb::Job {
    let progress = progress.or_else(|| {
        j.summary.map(|s| pb::Progress {
            best_cost: s.objective,
            vehicles: s.vehicles,
            unassigned: s.unassigned,
            elapsed_seconds: s.elapsed_s,
            iterations: s.iterations,
        })
    });
    pb::Job {
        job_id: j.id.clone(),
        state: state_to_proto(j.state) as i32,
        owner_borough: j.owner.clone(),
        participant_boroughs: j.participants.clone(),
        label: j.label.clone(),
        pupils: j.pupils,
        create_time: Some(timestamp(j.created_ms)),
        start_time: j.started_ms.map(timestamp),
        finish_time: j.finished_ms.map(timestamp),
        failure_reason: j.failure_reason.clone(),
        attempts: j.attempts,
        progress,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(lat: f64, lon: f64) -> Option<pb::Location> {
        Some(pb::Location {
            lat,
            lon,
            ..Default::default()
        })
    }

    fn tw(open: &str, close: &str) -> Option<pb::TimeWindow> {
        Some(pb::TimeWindow {
            open: open.into(),
            close: close.into(),
        })
    }

    fn problem() -> pb::Problem {
        pb::Problem {
            pupils: vec![pb::Pupil {
                id: "P1".into(),
                home: loc(51.54, -0.15),
                school: "S1".into(),
                borough: "E09000007".into(),
                ..Default::default()
            }],
            schools: vec![pb::School {
                id: "S1".into(),
                name: "School".into(),
                location: Some(pb::Location {
                    easting: Some(528476.2),
                    northing: Some(184518.4),
                    ..Default::default()
                }),
                phase: pb::Phase::Secondary as i32,
                am_arrival: tw("08:40", "09:00"),
                pm_departure: tw("15:15", "15:30"),
                dwell_minutes: 2,
                ..Default::default()
            }],
            fleet: vec![pb::VehicleType {
                id: "TAXI".into(),
                count: 2,
                depot: loc(51.53, -0.12),
                seats: 4,
                fixed_cost_per_day: 60.0,
                max_duty_minutes: 150,
                shift: tw("06:30", "10:30"),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn a_valid_problem_converts_with_defaults_and_bng() {
        let p = problem_from_proto(&problem()).unwrap();
        assert_eq!(p.session, Session::Am);
        assert_eq!(p.pupils[0].sessions, Sessions::Both);
        assert_eq!(p.pupils[0].borough.as_deref(), Some("E09000007"));
        assert_eq!(p.settings, Settings::default());
        let s = &p.schools[0].location;
        assert!(s.haversine_m(&Location::new(51.544945, -0.14865)) < 2.0);
        assert_eq!(p.schools[0].am_arrival.open, TimeOfDay::hm(8, 40));
    }

    #[test]
    fn every_problem_is_reported_with_its_path() {
        let mut p = problem();
        p.pupils[0].needs = Some(pb::Needs {
            earliest_pickup: "7.30".into(),
            ..Default::default()
        });
        p.schools[0].phase = 0;
        p.schools[0].pm_departure = tw("15:15", "25:00");
        p.fleet[0].depot = None;
        let errs = problem_from_proto(&p).unwrap_err();
        let fields: Vec<_> = errs
            .issues()
            .iter()
            .map(|i| i.field.clone().unwrap())
            .collect();
        assert_eq!(
            fields,
            [
                "problem.pupils[0].needs.earliest_pickup",
                "problem.schools[0].phase",
                "problem.schools[0].pm_departure.close",
                "problem.fleet[0].depot",
            ]
        );
        // Model-level checks run once the messages convert, and keep paths.
        let mut p = problem();
        p.pupils[0].school = "NOPE".into();
        let errs = problem_from_proto(&p).unwrap_err();
        assert!(
            errs.issues()
                .iter()
                .any(|i| i.field.as_deref() == Some("problem.pupils[0].school")),
            "{errs}"
        );
        let status = invalid_argument(&errs);
        assert_eq!(status.code(), tonic::Code::InvalidArgument);
        use tonic_types::StatusExt;
        let br = status.get_details_bad_request().unwrap();
        assert_eq!(br.field_violations[0].field, "problem.pupils[0].school");
    }

    #[test]
    fn model_to_proto_round_trips() {
        let mut p = problem_from_proto(&problem()).unwrap();
        p.pupils[0].needs.earliest_pickup = Some(TimeOfDay::hm(7, 5));
        p.matrices = Some(senroute_model::TravelTimes::straight_line(&p, 30.0, 1.3).to_matrices());
        let back = problem_from_proto(&problem_to_proto(&p)).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn matrices_must_be_square() {
        let mut p = problem();
        p.matrices = Some(pb::Matrices {
            locations: vec![key_to_proto(&LocationKey::Home("P1".into()))],
            durations_s: vec![0.0, 1.0],
            distances_m: vec![0.0],
        });
        let errs = problem_from_proto(&p).unwrap_err();
        assert_eq!(
            errs.issues()[0].field.as_deref(),
            Some("problem.matrices.durations_s")
        );
    }
}
