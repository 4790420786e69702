//! Checks on a whole problem that do not depend on the file format: ids,
//! references, windows, coordinates, fleet. The CSV reader and the JSON
//! reader (and the gRPC service) run the same checks and differ only in how
//! they say *where* a problem is.

use crate::bounds::{self, BoroughCodes};
use crate::issues::{InputErrors, InputIssue};
use crate::location::{Location, UK_LAT, UK_LON};
use crate::problem::{Phase, Problem, Session};
use crate::time::TimeWindow;
use crate::travel::TravelTimes;
use std::collections::{HashMap, HashSet};

/// The kind of record a problem is found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    /// `problem.pupils[i]`.
    Pupil,
    /// `problem.schools[i]`.
    School,
    /// `problem.fleet[i]`.
    Vehicle,
    /// The problem as a whole.
    Problem,
}

/// A field of a record, by its CSV column name and its JSON path below the
/// record (e.g. `home_lat` and `home.lat`).
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Column name in the CSV files.
    pub column: &'static str,
    /// Path below the record in the JSON form.
    pub path: &'static str,
}

pub(crate) const fn field(column: &'static str, path: &'static str) -> Field {
    Field { column, path }
}

/// Says where a record's field is, so messages can point at it.
pub trait Locator {
    /// Source, line and field label for record `index` of `entity`.
    fn locate(&self, entity: Entity, index: usize, field: Field) -> (String, Option<u64>, String);

    /// Source, line and field label of a problem-level field given by its
    /// JSON path, e.g. `settings.boarding_minutes` or
    /// `matrices.locations[3].id`.
    fn locate_path(&self, path: &str) -> (String, Option<u64>, String);
}

/// Locates fields of a JSON problem by path, e.g. `pupils[3].needs.wheelchair`.
pub struct JsonLocator {
    /// Name of the document, e.g. `problem.json`.
    pub source: String,
}

impl Locator for JsonLocator {
    fn locate(&self, entity: Entity, index: usize, f: Field) -> (String, Option<u64>, String) {
        let path = match entity {
            Entity::Pupil => format!("pupils[{index}].{}", f.path),
            Entity::School => format!("schools[{index}].{}", f.path),
            Entity::Vehicle => format!("fleet[{index}].{}", f.path),
            Entity::Problem => f.path.to_string(),
        };
        (self.source.clone(), None, path)
    }

    fn locate_path(&self, path: &str) -> (String, Option<u64>, String) {
        (self.source.clone(), None, path.to_string())
    }
}

/// Collects issues, located by a [`Locator`].
pub(crate) struct Reporter<'a> {
    locator: &'a dyn Locator,
    errors: InputErrors,
}

impl Reporter<'_> {
    /// Reports a problem of problem-level field `path` (a JSON path).
    pub(crate) fn report_path(
        &mut self,
        path: String,
        value: Option<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        let (source, line, field) = self.locator.locate_path(&path);
        self.errors.push(InputIssue {
            source,
            line,
            field: Some(field),
            value,
            message: message.into(),
            hint: hint.into(),
        });
    }

    /// Reports a problem of `settings.<name>`.
    pub(crate) fn report_settings(
        &mut self,
        name: &str,
        value: Option<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.report_path(format!("settings.{name}"), value, message, hint);
    }

    /// Reports a problem of field `f` of record `index` of `entity`.
    pub(crate) fn report(
        &mut self,
        entity: Entity,
        index: usize,
        f: Field,
        value: impl Into<Option<String>>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        let (source, line, field) = self.locator.locate(entity, index, f);
        self.errors.push(InputIssue {
            source,
            line,
            field: Some(field),
            value: value.into(),
            message: message.into(),
            hint: hint.into(),
        });
    }

    fn uk(&mut self, entity: Entity, index: usize, lat: Field, lon: Field, loc: Location) {
        if !loc.in_uk() {
            let (bad, which, v) =
                if !loc.lat.is_finite() || !(UK_LAT.0..=UK_LAT.1).contains(&loc.lat) {
                    (lat, "latitude", loc.lat)
                } else {
                    (lon, "longitude", loc.lon)
                };
            self.report(
                entity,
                index,
                bad,
                Some(v.to_string()),
                format!(
                    "{which} outside the UK (latitude {}..{}, longitude {}..{})",
                    UK_LAT.0, UK_LAT.1, UK_LON.0, UK_LON.1
                ),
                "check that latitude and longitude are not swapped, or give British National Grid easting/northing instead",
            );
        }
    }

    fn window(&mut self, entity: Entity, index: usize, close: Field, w: TimeWindow, what: &str) {
        if w.is_inverted() {
            self.report(
                entity,
                index,
                close,
                Some(w.close.to_string()),
                format!("{what} ends at {} before it starts at {}", w.close, w.open),
                "swap the two times or correct the typo",
            );
        }
    }
}

/// Runs every format-independent check on `problem` and reports all problems
/// at once, located by `locator`; borough codes must be London GSS codes
/// (see [`check_problem_with`]).
pub fn check_problem(problem: &Problem, locator: &dyn Locator) -> InputErrors {
    check_problem_with(problem, locator, &BoroughCodes::London)
}

/// The one validation of an input problem, whatever its format (CSV, JSON,
/// gRPC): record counts first (an oversized problem is refused before any
/// other work), then every string's length and characters, every number's
/// range ([`crate::limits`]), the settings, borough codes against `codes`,
/// ids, references, windows, coordinates and the fleet. Reports all problems
/// at once, located by `locator`.
pub fn check_problem_with(
    problem: &Problem,
    locator: &dyn Locator,
    codes: &BoroughCodes,
) -> InputErrors {
    let mut r = Reporter {
        locator,
        errors: InputErrors::default(),
    };
    if bounds::counts(problem, &mut r) {
        return r.errors;
    }
    bounds::records(problem, &mut r, codes);
    bounds::settings(&problem.settings, &mut r);
    let id = field("id", "id");

    // Duplicate ids.
    let dup = |entity: Entity, ids: Vec<&str>, what: &str, r: &mut Reporter| {
        let mut first: HashMap<&str, usize> = HashMap::new();
        for (i, s) in ids.iter().enumerate() {
            if s.trim().is_empty() {
                r.report(
                    entity,
                    i,
                    id,
                    Some(s.to_string()),
                    format!("{what} id is empty"),
                    "give every row a unique id",
                );
            } else if let Some(&j) = first.get(s) {
                r.report(
                    entity,
                    i,
                    id,
                    Some(s.to_string()),
                    format!("duplicate {what} id (first used by record {})", j + 1),
                    "ids must be unique; rename one of them",
                );
            } else {
                first.insert(s, i);
            }
        }
    };
    dup(
        Entity::Pupil,
        problem.pupils.iter().map(|p| p.id.as_str()).collect(),
        "pupil",
        &mut r,
    );
    dup(
        Entity::School,
        problem.schools.iter().map(|s| s.id.as_str()).collect(),
        "school",
        &mut r,
    );
    dup(
        Entity::Vehicle,
        problem.fleet.iter().map(|v| v.id.as_str()).collect(),
        "vehicle type",
        &mut r,
    );

    let school_ids: HashSet<&str> = problem.schools.iter().map(|s| s.id.as_str()).collect();
    let pupil_ids: HashSet<&str> = problem.pupils.iter().map(|p| p.id.as_str()).collect();
    let type_ids: HashSet<&str> = problem.fleet.iter().map(|v| v.id.as_str()).collect();

    for (i, s) in problem.schools.iter().enumerate() {
        r.uk(
            Entity::School,
            i,
            field("lat", "location.lat"),
            field("lon", "location.lon"),
            s.location,
        );
        r.window(
            Entity::School,
            i,
            field("am_arrival_close", "am_arrival.close"),
            s.am_arrival,
            "AM arrival window",
        );
        r.window(
            Entity::School,
            i,
            field("pm_departure_close", "pm_departure.close"),
            s.pm_departure,
            "PM departure window",
        );
    }

    for (i, p) in problem.pupils.iter().enumerate() {
        r.uk(
            Entity::Pupil,
            i,
            field("home_lat", "home.lat"),
            field("home_lon", "home.lon"),
            p.home,
        );
        let school = problem.school(&p.school);
        if !school_ids.contains(p.school.as_str()) {
            r.report(
                Entity::Pupil,
                i,
                field("school", "school"),
                Some(p.school.clone()),
                "unknown school id",
                "use an id from the schools file, or add the school there",
            );
        }
        for other in &p.needs.must_not_travel_with {
            if other == &p.id {
                r.report(
                    Entity::Pupil,
                    i,
                    field("must_not_travel_with", "needs.must_not_travel_with"),
                    Some(other.clone()),
                    "a pupil cannot be kept apart from themself",
                    "remove the pupil's own id from the list",
                );
            } else if !pupil_ids.contains(other.as_str()) {
                r.report(
                    Entity::Pupil,
                    i,
                    field("must_not_travel_with", "needs.must_not_travel_with"),
                    Some(other.clone()),
                    "unknown pupil id in must-not-travel-with",
                    "use ids from the pupils file, separated by ';'",
                );
            }
        }
        for (list, csv, json) in [
            (
                &p.needs.vehicle_types,
                "vehicle_types",
                "needs.vehicle_types",
            ),
            (
                &p.needs.not_vehicle_types,
                "not_vehicle_types",
                "needs.not_vehicle_types",
            ),
        ] {
            for t in list.iter().filter(|t| !type_ids.contains(t.as_str())) {
                r.report(
                    Entity::Pupil,
                    i,
                    field(csv, json),
                    Some(t.clone()),
                    "unknown vehicle type id",
                    "use ids from the fleet file, separated by ';'",
                );
            }
        }
        if let (Some(a), Some(b)) = (p.needs.earliest_dropoff, p.needs.latest_dropoff) {
            if a > b {
                r.report(
                    Entity::Pupil,
                    i,
                    field("latest_dropoff", "needs.latest_dropoff"),
                    Some(b.to_string()),
                    format!("latest drop-off is before the earliest drop-off ({a})"),
                    "correct one of the two times",
                );
            }
        }
        if p.needs.max_ride_minutes == Some(0) {
            r.report(
                Entity::Pupil,
                i,
                field("max_ride_minutes", "needs.max_ride_minutes"),
                Some("0".into()),
                "maximum ride time must be at least 1 minute",
                "leave it blank to use the default for the phase (45 primary, 75 secondary)",
            );
        }
        if let Some(s) = school {
            if s.phase == Phase::AllThrough
                && p.phase.is_none()
                && p.needs.max_ride_minutes.is_none()
            {
                r.report(Entity::Pupil, i, field("phase", "phase"), None,
                    format!("school {} is all-through, so the pupil's own phase is needed to set the maximum ride time", s.id),
                    "set phase to primary or secondary, or give max_ride_minutes");
            }
            if let Some(t) = p.needs.earliest_pickup {
                if problem.session == Session::Am
                    && p.sessions.includes(Session::Am)
                    && t > s.am_arrival.close
                {
                    r.report(
                        Entity::Pupil,
                        i,
                        field("earliest_pickup", "needs.earliest_pickup"),
                        Some(t.to_string()),
                        format!(
                            "earliest pick-up is after the school's AM arrival window closes ({})",
                            s.am_arrival.close
                        ),
                        "correct the time; the pupil could never arrive on time",
                    );
                }
            }
        }
    }

    let mut usable = 0u64;
    for (i, v) in problem.fleet.iter().enumerate() {
        if v.max_schools_per_run == Some(0) {
            r.report(
                Entity::Vehicle,
                i,
                field("max_schools_per_run", "max_schools_per_run"),
                Some("0".into()),
                "a run must be allowed at least one school",
                "leave it blank for no limit, or give 1 or more",
            );
        }
        r.uk(
            Entity::Vehicle,
            i,
            field("depot_lat", "depot.lat"),
            field("depot_lon", "depot.lon"),
            v.depot,
        );
        r.window(
            Entity::Vehicle,
            i,
            field("shift_end", "shift.close"),
            v.shift,
            "shift",
        );
        if let Some(w) = v.pm_shift {
            r.window(
                Entity::Vehicle,
                i,
                field("pm_shift_end", "pm_shift.close"),
                w,
                "PM shift",
            );
        }
        if v.seats == 0 && v.wheelchair_spaces == 0 {
            r.report(
                Entity::Vehicle,
                i,
                field("seats", "seats"),
                Some("0".into()),
                "vehicle type has neither seats nor wheelchair spaces",
                "give the number of pupil seats",
            );
        }
        if v.max_duty_minutes == 0 {
            r.report(
                Entity::Vehicle,
                i,
                field("max_duty_minutes", "max_duty_minutes"),
                Some("0".into()),
                "maximum duty must be at least 1 minute",
                "give the longest time a vehicle may be away from the depot",
            );
        }
        usable += u64::from(v.count);
    }
    if usable == 0 {
        r.report(
            Entity::Problem,
            0,
            field("fleet", "fleet"),
            None,
            "the fleet is empty: no vehicles to plan with",
            "add at least one vehicle type with count of 1 or more",
        );
    }
    session_cover(problem, &mut r);
    if problem.travelling_pupils().next().is_none() {
        r.report(
            Entity::Problem,
            0,
            field("pupils", "pupils"),
            None,
            format!("no pupil travels in the {} session", problem.session),
            "check the sessions column (am, pm or both) and the session being planned",
        );
    }
    if let Some(m) = &problem.matrices {
        match TravelTimes::from_matrices(m).and_then(|t| t.covers(problem)) {
            Ok(()) => {}
            Err(e) => r.report(
                Entity::Problem,
                0,
                field("matrices", "matrices"),
                None,
                e.to_string(),
                "matrices must be square over `locations` and list every home, school and depot",
            ),
        }
    }
    r.errors
}

/// Reports each session planned that pupils travel in but that no vehicle's
/// shift covers: no shift (AM, or PM when given) overlaps any of the
/// session's school windows, so nobody could be placed.
fn session_cover(problem: &Problem, r: &mut Reporter) {
    for &session in problem.session.parts() {
        let windows: Vec<TimeWindow> = problem
            .pupils
            .iter()
            .filter(|p| p.sessions.includes(session))
            .filter_map(|p| problem.school(&p.school))
            .map(|s| match session {
                Session::Pm => s.pm_departure,
                Session::Am | Session::Day => s.am_arrival,
            })
            .collect();
        let (Some(first), Some(last)) = (
            windows.iter().map(|w| w.open).min(),
            windows.iter().map(|w| w.close).max(),
        ) else {
            continue;
        };
        let vehicles = || problem.fleet.iter().filter(|v| v.count > 0);
        if vehicles().next().is_none() {
            continue; // reported as an empty fleet
        }
        let covered = vehicles().any(|v| {
            let shift = v.shift_for(session);
            windows
                .iter()
                .any(|w| shift.open <= w.close && shift.close >= w.open)
        });
        if !covered {
            let shifts: Vec<TimeWindow> = vehicles().map(|v| v.shift_for(session)).collect();
            let (from, to) = (
                shifts.iter().map(|w| w.open).min().unwrap_or(first),
                shifts.iter().map(|w| w.close).max().unwrap_or(last),
            );
            let (what, columns, example) = match session {
                Session::Pm => (
                    "collected from school",
                    "pm_shift_start and pm_shift_end",
                    "14:00 and 18:00",
                ),
                Session::Am | Session::Day => (
                    "handed over at school",
                    "shift_start and shift_end",
                    "06:30 and 10:30",
                ),
            };
            let column = match session {
                Session::Pm => field("pm_shift_start", "fleet"),
                Session::Am | Session::Day => field("shift_start", "fleet"),
            };
            r.report(
                Entity::Problem,
                0,
                column,
                None,
                format!(
                    "no vehicle's shift covers the {} session: pupils are {what} between {first} and {last}, but every vehicle's {} shift lies within {from}–{to}",
                    session.label(),
                    session.label(),
                ),
                format!("give the fleet {} shifts with {columns} (e.g. {example}), or plan only the sessions the fleet works", session.label()),
            );
        }
    }
}

/// Reads a JSON problem and runs every check, reporting field paths; borough
/// codes must be London GSS codes (see [`problem_from_json_with`]).
pub fn problem_from_json(source: &str, text: &str) -> Result<Problem, InputErrors> {
    problem_from_json_with(source, text, &BoroughCodes::London)
}

/// Reads a JSON problem and runs every check ([`check_problem_with`]),
/// reporting field paths. `text` longer than
/// [`crate::limits::MAX_PROBLEM_JSON_BYTES`] is refused unread.
pub fn problem_from_json_with(
    source: &str,
    text: &str,
    codes: &BoroughCodes,
) -> Result<Problem, InputErrors> {
    if text.len() as u64 > crate::limits::MAX_PROBLEM_JSON_BYTES {
        return Err(too_large(source, text.len() as u64).into());
    }
    let problem: Problem = serde_json::from_str(text).map_err(|e| InputIssue {
        source: source.to_string(),
        line: Some(e.line() as u64),
        field: None,
        value: None,
        message: format!("not a valid problem: {e}"),
        hint: "see the JSON schema in the README (fields pupils, schools, fleet, session, settings, matrices)".into(),
    })?;
    check_problem_with(
        &problem,
        &JsonLocator {
            source: source.to_string(),
        },
        codes,
    )
    .into_result(problem)
}

/// The issue of a JSON problem file over
/// [`crate::limits::MAX_PROBLEM_JSON_BYTES`].
pub fn too_large(source: &str, bytes: u64) -> InputIssue {
    InputIssue {
        source: source.to_string(),
        line: None,
        field: None,
        value: None,
        message: format!(
            "the file is {} MiB, over senroute's limit of {} MiB for a JSON problem",
            bytes >> 20,
            crate::limits::MAX_PROBLEM_JSON_BYTES >> 20
        ),
        hint: "split the problem by borough, or leave out the travel matrices and give --roads"
            .into(),
    }
}
