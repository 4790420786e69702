//! The bounds of [`crate::limits`] applied to a problem: record counts,
//! string lengths and characters, number ranges, settings and borough codes.
//! Part of [`crate::check_problem`]; the count check runs first and alone,
//! so an oversized problem is refused before any per-record work.

use crate::check_input::{field, Entity, Field, Reporter};
use crate::limits::{self, excerpt, text_problem};
use crate::problem::{LocationKey, Problem, Settings};
use std::collections::BTreeSet;

/// Which borough codes an input may use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum BoroughCodes {
    /// London borough GSS codes, `E09000001`–`E09000033` (see
    /// [`limits::is_london_gss`]): the rule when no boundaries file is given.
    #[default]
    London,
    /// Exactly the `GSS_CODE`s of a boundaries file.
    Known(BTreeSet<String>),
}

impl BoroughCodes {
    /// True when `code` is allowed.
    pub fn allows(&self, code: &str) -> bool {
        match self {
            BoroughCodes::London => limits::is_london_gss(code),
            BoroughCodes::Known(set) => set.contains(code),
        }
    }

    fn hint(&self) -> String {
        match self {
            BoroughCodes::London => "write the London borough's GSS code, E09000001 (City of London) to E09000033 (Westminster), e.g. E09000007 for Camden, or leave it blank to fill it from --boundaries".into(),
            BoroughCodes::Known(set) => {
                let mut some: Vec<&str> = set.iter().map(String::as_str).take(5).collect();
                if set.len() > 5 {
                    some.push("…");
                }
                format!(
                    "use a GSS_CODE of the boundaries file ({}), or leave it blank to fill it from the boundaries",
                    some.join(", ")
                )
            }
        }
    }
}

const SPLIT: &str =
    "split the problem into smaller ones, e.g. one per borough or group of schools, and plan each";

/// Reports every record count over its limit; true when any is, and the
/// rest of the checks must not run.
pub(crate) fn counts(problem: &Problem, r: &mut Reporter) -> bool {
    let mut over = false;
    for (n, max, f, what) in [
        (
            problem.pupils.len(),
            limits::MAX_PUPILS,
            field("pupils", "pupils"),
            "pupils",
        ),
        (
            problem.schools.len(),
            limits::MAX_SCHOOLS,
            field("schools", "schools"),
            "schools",
        ),
        (
            problem.fleet.len(),
            limits::MAX_VEHICLE_TYPES,
            field("fleet", "fleet"),
            "vehicle types",
        ),
        (
            problem.matrices.as_ref().map_or(0, |m| m.locations.len()),
            limits::MAX_INPUT_MATRIX_LOCATIONS,
            field("matrices", "matrices.locations"),
            "matrix locations",
        ),
    ] {
        if n > max {
            over = true;
            r.report(
                Entity::Problem,
                0,
                f,
                None,
                format!("{n} {what}, over senroute's limit of {max} per problem (travel matrices that large would not fit in memory)"),
                SPLIT,
            );
        }
    }
    if let Some(m) = &problem.matrices {
        let n = m.locations.len();
        for (name, rows) in [
            ("durations_s", &m.durations_s),
            ("distances_m", &m.distances_m),
        ] {
            if rows.len() > n || rows.iter().any(|row| row.len() > n) {
                over = true;
                r.report(
                    Entity::Problem,
                    0,
                    field("matrices", "matrices"),
                    None,
                    format!("matrix `{name}` is larger than its {n} locations"),
                    "give one row of n entries per location",
                );
            }
        }
    }
    over
}

fn text(r: &mut Reporter, e: Entity, i: usize, f: Field, s: &str, max: usize, what: &str) {
    if let Some(problem) = text_problem(s, max) {
        r.report(
            e,
            i,
            f,
            Some(excerpt(s).into_owned()),
            format!("{what} {problem}"),
            if max == limits::MAX_NAME_CHARS {
                "shorten it, and remove tabs, line breaks and other control characters"
            } else {
                "ids are short codes (at most 64 characters) without tabs, line breaks or other control characters"
            },
        );
    }
}

fn at_most(r: &mut Reporter, e: Entity, i: usize, f: Field, v: u64, max: u64, unit: &str) {
    if v > max {
        r.report(
            e,
            i,
            f,
            Some(v.to_string()),
            format!("{v} {unit} is over the limit of {max}"),
            "check the value; it is far beyond any real school journey or vehicle",
        );
    }
}

fn borough(r: &mut Reporter, codes: &BoroughCodes, e: Entity, i: usize, b: Option<&str>) {
    let Some(b) = b else { return };
    if !codes.allows(b) {
        r.report(
            e,
            i,
            field("borough", "borough"),
            Some(excerpt(b).into_owned()),
            match codes {
                BoroughCodes::London => "not a London borough GSS code".to_string(),
                BoroughCodes::Known(_) => "not a borough of the boundaries file".to_string(),
            },
            codes.hint(),
        );
    }
}

/// Passthrough fields of pupil `i`: how many, and each name and value.
fn passthrough(r: &mut Reporter, i: usize, extra: &std::collections::BTreeMap<String, String>) {
    let f = field("x_…", "extra");
    if extra.len() > limits::MAX_PASSTHROUGH_FIELDS {
        r.report(
            Entity::Pupil,
            i,
            f,
            None,
            format!(
                "{} passthrough fields, over the limit of {}",
                extra.len(),
                limits::MAX_PASSTHROUGH_FIELDS
            ),
            "keep the columns drivers and coordinators need (address, postcode, notes); drop the rest",
        );
        return;
    }
    for (k, v) in extra {
        let name_problem = if k.trim().is_empty() {
            Some("is empty".to_string())
        } else {
            text_problem(k, limits::MAX_ID_CHARS)
        };
        if let Some(problem) = name_problem {
            r.report(
                Entity::Pupil,
                i,
                f,
                Some(excerpt(k).into_owned()),
                format!("passthrough field name {problem}"),
                "name it in a few plain words, e.g. x_address or x_notes",
            );
        }
        if let Some(problem) = text_problem(v, limits::MAX_PASSTHROUGH_CHARS) {
            r.report(
                Entity::Pupil,
                i,
                f,
                Some(excerpt(v).into_owned()),
                format!("passthrough field `{}` {problem}", excerpt(k)),
                "shorten it, and remove tabs, line breaks and other control characters",
            );
        }
    }
}

/// Length, character and range checks of every record.
pub(crate) fn records(problem: &Problem, r: &mut Reporter, codes: &BoroughCodes) {
    let id = field("id", "id");
    const ID: usize = limits::MAX_ID_CHARS;
    const MIN: u64 = limits::MAX_MINUTES as u64;
    const SEATS: u64 = limits::MAX_SEATS as u64;
    for (i, p) in problem.pupils.iter().enumerate() {
        let e = Entity::Pupil;
        text(r, e, i, id, &p.id, ID, "pupil id");
        text(
            r,
            e,
            i,
            field("school", "school"),
            &p.school,
            ID,
            "school id",
        );
        borough(r, codes, e, i, p.borough.as_deref());
        passthrough(r, i, &p.extra);
        let mntw = field("must_not_travel_with", "needs.must_not_travel_with");
        let list = &p.needs.must_not_travel_with;
        if list.len() > limits::MAX_MUST_NOT_TRAVEL_WITH {
            r.report(
                e,
                i,
                mntw,
                None,
                format!(
                    "{} pupils listed, over the limit of {}",
                    list.len(),
                    limits::MAX_MUST_NOT_TRAVEL_WITH
                ),
                "a pupil who must be kept apart from that many others should travel alone (travel_alone)",
            );
        } else {
            for other in list {
                text(r, e, i, mntw, other, ID, "pupil id");
            }
        }
        for (f, list) in [
            (
                field("vehicle_types", "needs.vehicle_types"),
                &p.needs.vehicle_types,
            ),
            (
                field("not_vehicle_types", "needs.not_vehicle_types"),
                &p.needs.not_vehicle_types,
            ),
        ] {
            if list.len() > limits::MAX_VEHICLE_TYPES {
                r.report(
                    e,
                    i,
                    f,
                    None,
                    format!(
                        "{} vehicle types listed, over the limit of {}",
                        list.len(),
                        limits::MAX_VEHICLE_TYPES
                    ),
                    "list each vehicle type once",
                );
            } else {
                for t in list {
                    text(r, e, i, f, t, ID, "vehicle type id");
                }
            }
        }
        let n = &p.needs;
        let minutes = [
            (
                field("extra_boarding_minutes", "needs.extra_boarding_minutes"),
                Some(n.extra_boarding_minutes),
            ),
            (
                field("max_ride_minutes", "needs.max_ride_minutes"),
                n.max_ride_minutes,
            ),
        ];
        for (f, v) in minutes {
            if let Some(v) = v {
                at_most(r, e, i, f, v.into(), MIN, "minutes");
            }
        }
    }
    for (i, s) in problem.schools.iter().enumerate() {
        let e = Entity::School;
        text(r, e, i, id, &s.id, ID, "school id");
        text(
            r,
            e,
            i,
            field("name", "name"),
            &s.name,
            limits::MAX_NAME_CHARS,
            "school name",
        );
        borough(r, codes, e, i, s.borough.as_deref());
        at_most(
            r,
            e,
            i,
            field("dwell_minutes", "dwell_minutes"),
            s.dwell_minutes.into(),
            MIN,
            "minutes",
        );
    }
    let mut vehicles = 0u64;
    for (i, v) in problem.fleet.iter().enumerate() {
        let e = Entity::Vehicle;
        text(r, e, i, id, &v.id, ID, "vehicle type id");
        borough(r, codes, e, i, v.borough.as_deref());
        for (f, value, max, unit) in [
            (field("seats", "seats"), v.seats, SEATS, "seats"),
            (
                field("wheelchair_spaces", "wheelchair_spaces"),
                v.wheelchair_spaces,
                SEATS,
                "wheelchair spaces",
            ),
            (
                field("seats_per_wheelchair_space", "seats_per_wheelchair_space"),
                v.seats_per_wheelchair_space,
                SEATS,
                "seats",
            ),
            (
                field("max_duty_minutes", "max_duty_minutes"),
                v.max_duty_minutes,
                MIN,
                "minutes",
            ),
            (
                field("count", "count"),
                v.count,
                limits::MAX_VEHICLES,
                "vehicles",
            ),
        ] {
            at_most(r, e, i, f, value.into(), max, unit);
        }
        for (f, value) in [
            (
                field("fixed_cost_per_day", "fixed_cost_per_day"),
                v.fixed_cost_per_day,
            ),
            (field("cost_per_km", "cost_per_km"), v.cost_per_km),
            (field("cost_per_hour", "cost_per_hour"), v.cost_per_hour),
            (
                field("assistant_cost_per_day", "assistant_cost_per_day"),
                v.assistant_cost_per_day,
            ),
        ] {
            if !(value.is_finite() && (0.0..=limits::MAX_COST).contains(&value)) {
                r.report(
                    e,
                    i,
                    f,
                    Some(value.to_string()),
                    format!(
                        "cost must be a number of pounds from 0 to {}",
                        limits::MAX_COST
                    ),
                    "write e.g. 120 or 1.35",
                );
            }
        }
        vehicles += u64::from(v.count);
    }
    if vehicles > limits::MAX_VEHICLES {
        r.report(
            Entity::Problem,
            0,
            field("fleet", "fleet"),
            Some(vehicles.to_string()),
            format!(
                "{vehicles} vehicles in all, over senroute's limit of {} per problem",
                limits::MAX_VEHICLES
            ),
            "give the vehicles actually available; there is no need for more vehicles than pupils",
        );
    }
    if let Some(m) = &problem.matrices {
        for (j, k) in m.locations.iter().enumerate() {
            let (LocationKey::Home(s) | LocationKey::School(s) | LocationKey::Depot(s)) = k;
            if let Some(problem) = text_problem(s, ID) {
                r.report_path(
                    format!("matrices.locations[{j}].id"),
                    Some(excerpt(s).into_owned()),
                    format!("location id {problem}"),
                    "use the ids of the problem's pupils, schools and vehicle types",
                );
            }
        }
    }
}

/// Range checks of the settings, the same for every input.
pub(crate) fn settings(s: &Settings, r: &mut Reporter) {
    for (name, v, max, unit) in [
        (
            "ride_time_cost_per_minute",
            s.ride_time_cost_per_minute,
            limits::MAX_RIDE_TIME_COST_PER_MINUTE,
            "pounds per pupil-minute",
        ),
        (
            "boarding_minutes",
            s.boarding_minutes,
            limits::MAX_BOARDING_MINUTES,
            "minutes",
        ),
        (
            "wheelchair_boarding_minutes",
            s.wheelchair_boarding_minutes,
            limits::MAX_BOARDING_MINUTES,
            "minutes",
        ),
        (
            "time_limit_seconds",
            s.time_limit_seconds,
            limits::MAX_TIME_LIMIT_SECONDS,
            "seconds",
        ),
        (
            "continuity_cost_per_pupil",
            s.continuity_cost_per_pupil,
            limits::MAX_COST,
            "pounds",
        ),
    ] {
        if !(v.is_finite() && (0.0..=max).contains(&v)) {
            r.report_settings(
                name,
                Some(v.to_string()),
                format!("must be a number of {unit} from 0 to {max}"),
                "leave it out for the default",
            );
        }
    }
}
