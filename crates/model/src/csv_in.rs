//! Reading coordinators' CSV files: `pupils.csv`, `schools.csv`, `fleet.csv`.
//!
//! Every problem is collected and reported at once, each naming the file,
//! line, column, value and what to do. Column names are case-insensitive;
//! locations are WGS84 `*_lat`/`*_lon` or British National Grid
//! `*_easting`/`*_northing`.

use crate::check_input::{check_problem, Entity, Field, Locator};
use crate::issues::{InputErrors, InputIssue};
use crate::location::Location;
use crate::problem::{
    Needs, Phase, Problem, Pupil, School, Session, Sessions, Settings, VehicleType,
};
use crate::time::{TimeOfDay, TimeWindow};
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::Path;

/// Columns of one CSV file: which must be present, which may be.
struct Schema {
    required: &'static [&'static str],
    optional: &'static [&'static str],
    /// Location column prefix (`home`, `depot` or empty for `lat`/`lon`).
    location: &'static str,
}

/// Columns of `pupils.csv`.
pub const PUPIL_COLUMNS: (&[&str], &[&str]) = (
    &["id", "school"],
    &[
        "sessions",
        "borough",
        "phase",
        "wheelchair",
        "tail_lift",
        "passenger_assistant",
        "travel_alone",
        "must_not_travel_with",
        "extra_boarding_minutes",
        "max_ride_minutes",
        "earliest_pickup",
    ],
);
/// Columns of `schools.csv`.
pub const SCHOOL_COLUMNS: (&[&str], &[&str]) = (
    &[
        "id",
        "name",
        "phase",
        "am_arrival_open",
        "am_arrival_close",
        "pm_departure_open",
        "pm_departure_close",
    ],
    &["borough", "dwell_minutes"],
);
/// Columns of `fleet.csv`.
pub const FLEET_COLUMNS: (&[&str], &[&str]) = (
    &[
        "id",
        "count",
        "seats",
        "fixed_cost_per_day",
        "cost_per_km",
        "cost_per_hour",
        "max_duty_minutes",
        "shift_start",
        "shift_end",
    ],
    &[
        "wheelchair_spaces",
        "seats_per_wheelchair_space",
        "tail_lift",
        "passenger_assistant",
        "assistant_cost_per_day",
        "borough",
    ],
);

const PUPILS: Schema = Schema {
    required: PUPIL_COLUMNS.0,
    optional: PUPIL_COLUMNS.1,
    location: "home",
};
const SCHOOLS: Schema = Schema {
    required: SCHOOL_COLUMNS.0,
    optional: SCHOOL_COLUMNS.1,
    location: "",
};
const FLEET: Schema = Schema {
    required: FLEET_COLUMNS.0,
    optional: FLEET_COLUMNS.1,
    location: "depot",
};

fn loc_cols(prefix: &str) -> [String; 4] {
    let p = if prefix.is_empty() {
        String::new()
    } else {
        format!("{prefix}_")
    };
    [
        format!("{p}lat"),
        format!("{p}lon"),
        format!("{p}easting"),
        format!("{p}northing"),
    ]
}

/// A parsed CSV table: headers and records with their line numbers.
struct Table {
    source: String,
    columns: HashMap<String, usize>,
    rows: Vec<(u64, csv::StringRecord)>,
}

fn issue(
    source: &str,
    line: Option<u64>,
    field: Option<&str>,
    value: Option<&str>,
    message: String,
    hint: &str,
) -> InputIssue {
    InputIssue {
        source: source.to_string(),
        line,
        field: field.map(str::to_string),
        value: value.map(str::to_string),
        message,
        hint: hint.to_string(),
    }
}

fn read_table<R: Read>(
    source: &str,
    reader: R,
    schema: &Schema,
    errors: &mut InputErrors,
) -> Option<Table> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(reader);
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            errors.push(issue(
                source,
                None,
                None,
                None,
                format!("cannot read the header row: {e}"),
                "save the file as UTF-8 CSV with a header row",
            ));
            return None;
        }
    };
    if headers.is_empty() || headers.iter().all(|h| h.is_empty()) {
        errors.push(issue(
            source,
            Some(1),
            None,
            None,
            "the file is empty or has no header row".into(),
            "the first line must name the columns; see the README for the columns",
        ));
        return None;
    }
    let loc = loc_cols(schema.location);
    let mut columns = HashMap::new();
    let mut ok = true;
    for (i, h) in headers.iter().enumerate() {
        let name = h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase();
        let known = schema.required.contains(&name.as_str())
            || schema.optional.contains(&name.as_str())
            || loc.contains(&name);
        if !known {
            let mut expected: Vec<&str> = schema
                .required
                .iter()
                .chain(schema.optional)
                .copied()
                .collect();
            expected.extend(loc.iter().map(String::as_str));
            errors.push(issue(
                source,
                Some(1),
                Some(h),
                None,
                format!("unknown column; expected some of: {}", expected.join(", ")),
                "rename the column or remove it",
            ));
            ok = false;
        } else if columns.insert(name.clone(), i).is_some() {
            errors.push(issue(
                source,
                Some(1),
                Some(h),
                None,
                "column appears twice".into(),
                "remove one of the two columns",
            ));
            ok = false;
        }
    }
    for req in schema.required {
        if !columns.contains_key(*req) {
            errors.push(issue(
                source,
                Some(1),
                Some(req),
                None,
                "missing required column".into(),
                "add the column to the header row (see the README for its meaning)",
            ));
            ok = false;
        }
    }
    let has_ll = columns.contains_key(&loc[0]) && columns.contains_key(&loc[1]);
    let has_en = columns.contains_key(&loc[2]) && columns.contains_key(&loc[3]);
    if !has_ll && !has_en {
        errors.push(issue(source, Some(1), Some(&format!("{}/{}", loc[0], loc[1])), None,
            format!("missing location columns: give {} and {} (WGS84) or {} and {} (British National Grid)", loc[0], loc[1], loc[2], loc[3]),
            "add the pair of columns to the header row"));
        ok = false;
    }
    let width = headers.len();
    let mut rows = Vec::new();
    for rec in rdr.records() {
        match rec {
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line());
                if r.iter().all(|f| f.is_empty()) {
                    continue; // a blank line carries no record
                }
                if r.len() != width {
                    errors.push(issue(
                        source,
                        Some(line),
                        None,
                        None,
                        format!(
                            "row has {} fields but the header has {width} columns",
                            r.len()
                        ),
                        "check for an unquoted comma inside a value, or a missing field",
                    ));
                    continue;
                }
                rows.push((line, r));
            }
            Err(e) => {
                let line = e.position().map(|p| p.line());
                errors.push(issue(
                    source,
                    line,
                    None,
                    None,
                    format!("cannot read row: {e}"),
                    "save the file as UTF-8 CSV",
                ));
            }
        }
    }
    ok.then_some(Table {
        source: source.to_string(),
        columns,
        rows,
    })
}

/// Reads fields of one row, collecting every problem.
struct Row<'a> {
    table: &'a Table,
    line: u64,
    rec: &'a csv::StringRecord,
    errors: &'a mut InputErrors,
    bad: bool,
}

impl Row<'_> {
    fn raw(&self, col: &str) -> Option<&str> {
        self.table.columns.get(col).and_then(|&i| self.rec.get(i))
    }

    fn fail(&mut self, col: &str, value: &str, message: impl Into<String>, hint: &str) {
        self.bad = true;
        self.errors.push(issue(
            &self.table.source,
            Some(self.line),
            Some(col),
            Some(value),
            message.into(),
            hint,
        ));
    }

    fn text(&mut self, col: &str) -> String {
        match self.raw(col) {
            Some(v) if !v.is_empty() => v.to_string(),
            _ => {
                self.fail(col, "", "value is required", "fill in the cell");
                String::new()
            }
        }
    }

    fn opt_text(&self, col: &str) -> Option<String> {
        self.raw(col).filter(|v| !v.is_empty()).map(str::to_string)
    }

    fn parse<T: std::str::FromStr>(&mut self, col: &str, what: &str, hint: &str) -> Option<T> {
        let v = self.raw(col)?.to_string();
        if v.is_empty() {
            return None;
        }
        match v.parse::<T>() {
            Ok(x) => Some(x),
            Err(_) => {
                self.fail(col, &v, format!("not {what}"), hint);
                None
            }
        }
    }

    fn count(&mut self, col: &str) -> Option<u32> {
        self.parse::<u32>(
            col,
            "a whole number",
            "write a whole number such as 0, 2 or 16",
        )
    }

    fn req_count(&mut self, col: &str) -> u32 {
        let present = self.raw(col).is_some_and(|v| !v.is_empty());
        if !present {
            self.fail(col, "", "value is required", "write a whole number");
            return 0;
        }
        self.count(col).unwrap_or(0)
    }

    fn money(&mut self, col: &str, required: bool) -> f64 {
        let v = self
            .raw(col)
            .unwrap_or("")
            .trim_start_matches('£')
            .to_string();
        if v.is_empty() {
            if required {
                self.fail(
                    col,
                    "",
                    "value is required",
                    "write an amount in pounds such as 120 or 1.35",
                );
            }
            return 0.0;
        }
        match v.parse::<f64>() {
            Ok(x) if x.is_finite() => x,
            _ => {
                self.fail(
                    col,
                    &v,
                    "not a number",
                    "write an amount in pounds such as 120 or 1.35",
                );
                0.0
            }
        }
    }

    fn flag(&mut self, col: &str) -> bool {
        let Some(v) = self.raw(col).map(str::to_ascii_lowercase) else {
            return false;
        };
        match v.as_str() {
            "" | "no" | "n" | "false" | "0" => false,
            "yes" | "y" | "true" | "1" => true,
            _ => {
                self.fail(
                    col,
                    &v,
                    "not yes or no",
                    "write yes or no (or true/false, 1/0)",
                );
                false
            }
        }
    }

    fn time(&mut self, col: &str, required: bool) -> Option<TimeOfDay> {
        let v = self.raw(col).unwrap_or("").to_string();
        if v.is_empty() {
            if required {
                self.fail(
                    col,
                    "",
                    "value is required",
                    "write a time as HH:MM, e.g. 08:30",
                );
            }
            return None;
        }
        match v.parse() {
            Ok(t) => Some(t),
            Err(_) => {
                self.fail(
                    col,
                    &v,
                    "not a time of day",
                    "write a time as HH:MM on the 24-hour clock, e.g. 08:30",
                );
                None
            }
        }
    }

    fn location(&mut self, prefix: &str) -> Location {
        let [lat, lon, e, n] = loc_cols(prefix);
        let coord = |row: &mut Self, col: &str| -> Option<f64> {
            let v = row.raw(col)?.to_string();
            if v.is_empty() {
                return None;
            }
            match v.parse::<f64>() {
                Ok(x) if x.is_finite() => Some(x),
                _ => {
                    row.fail(
                        col,
                        &v,
                        "not a number",
                        "write decimal degrees (e.g. 51.5301) or metres for easting/northing",
                    );
                    Some(f64::NAN)
                }
            }
        };
        let (la, lo) = (coord(self, &lat), coord(self, &lon));
        if let (Some(la), Some(lo)) = (la, lo) {
            return Location::new(la, lo);
        }
        let (ea, no) = (coord(self, &e), coord(self, &n));
        if let (Some(ea), Some(no)) = (ea, no) {
            if ea.is_nan() || no.is_nan() {
                return Location::new(f64::NAN, f64::NAN);
            }
            return match Location::from_bng(ea, no) {
                Ok(l) => l,
                Err(err) => {
                    self.fail(
                        &e,
                        &format!("{ea}, {no}"),
                        err.to_string(),
                        "check the easting and northing are British National Grid metres",
                    );
                    Location::new(f64::NAN, f64::NAN)
                }
            };
        }
        if !(la.is_some_and(f64::is_nan) || lo.is_some_and(f64::is_nan)) {
            self.fail(
                &lat,
                "",
                format!("no location: give {lat} and {lon}, or {e} and {n}"),
                "fill in the coordinates",
            );
        }
        Location::new(f64::NAN, f64::NAN)
    }
}

/// A row's id as read, whether or not the row was accepted.
struct Seen {
    id: String,
    line: u64,
    rejected: bool,
}

fn duplicate_ids(seen: &[Seen], source: &str, what: &str, errors: &mut InputErrors) {
    let mut first: HashMap<&str, u64> = HashMap::new();
    for s in seen.iter().filter(|s| !s.id.is_empty()) {
        if let Some(&line) = first.get(s.id.as_str()) {
            errors.push(issue(
                source,
                Some(s.line),
                Some("id"),
                Some(&s.id),
                format!("duplicate {what} id (first used on line {line})"),
                "ids must be unique; rename one of them",
            ));
        } else {
            first.insert(&s.id, s.line);
        }
    }
}

/// Line numbers of each record, for locating problems found after parsing.
struct CsvLocator {
    pupils: (String, Vec<u64>),
    schools: (String, Vec<u64>),
    fleet: (String, Vec<u64>),
}

impl Locator for CsvLocator {
    fn locate(&self, entity: Entity, index: usize, field: Field) -> (String, Option<u64>, String) {
        let (src, lines) = match entity {
            Entity::Pupil => &self.pupils,
            Entity::School => &self.schools,
            Entity::Vehicle | Entity::Problem if field.column == "fleet" => {
                return (self.fleet.0.clone(), None, "count".into())
            }
            Entity::Problem => return (self.pupils.0.clone(), None, field.column.to_string()),
            Entity::Vehicle => &self.fleet,
        };
        (
            src.clone(),
            lines.get(index).copied(),
            field.column.to_string(),
        )
    }
}

/// Reads every row of a table with `record`, which returns the row's id (as
/// written, for duplicate and reference checks) and the record when its
/// fields parsed. Rows with any problem are reported, not returned.
fn parse_rows<T>(
    t: &Table,
    errors: &mut InputErrors,
    seen: &mut Vec<Seen>,
    record: impl Fn(&mut Row) -> (String, Option<T>),
) -> (Vec<T>, Vec<u64>) {
    let mut out = Vec::new();
    let mut lines = Vec::new();
    for (line, rec) in &t.rows {
        let mut r = Row {
            table: t,
            line: *line,
            rec,
            errors,
            bad: false,
        };
        let (id, item) = record(&mut r);
        seen.push(Seen {
            id,
            line: *line,
            rejected: r.bad,
        });
        if let (false, Some(item)) = (r.bad, item) {
            out.push(item);
            lines.push(*line);
        }
    }
    (out, lines)
}

fn parse_pupils(
    t: &Table,
    errors: &mut InputErrors,
    seen: &mut Vec<Seen>,
) -> (Vec<Pupil>, Vec<u64>) {
    parse_rows(t, errors, seen, |r| {
        let id = r.text("id");
        let school = r.text("school");
        let home = r.location("home");
        let sessions = r
            .parse::<Sessions>("sessions", "am, pm or both", "write am, pm or both")
            .unwrap_or_default();
        let phase = r.parse::<Phase>("phase", "a phase", "write primary or secondary");
        let needs = Needs {
            wheelchair: r.flag("wheelchair"),
            tail_lift: r.flag("tail_lift"),
            passenger_assistant: r.flag("passenger_assistant"),
            travel_alone: r.flag("travel_alone"),
            must_not_travel_with: r
                .opt_text("must_not_travel_with")
                .map(|s| {
                    s.split(';')
                        .map(|x| x.trim().to_string())
                        .filter(|x| !x.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            extra_boarding_minutes: r.count("extra_boarding_minutes").unwrap_or(0),
            max_ride_minutes: r.count("max_ride_minutes"),
            earliest_pickup: r.time("earliest_pickup", false),
        };
        let borough = r.opt_text("borough");
        let pupil = Pupil {
            id: id.clone(),
            home,
            school,
            sessions,
            borough,
            phase,
            needs,
        };
        (id, Some(pupil))
    })
}

fn parse_schools(
    t: &Table,
    errors: &mut InputErrors,
    seen: &mut Vec<Seen>,
) -> (Vec<School>, Vec<u64>) {
    parse_rows(t, errors, seen, |r| {
        let id = r.text("id");
        let name = r.text("name");
        let location = r.location("");
        let phase = r.parse::<Phase>(
            "phase",
            "a phase",
            "write primary, secondary or all-through",
        );
        if phase.is_none() && r.raw("phase").is_some_and(str::is_empty) {
            r.fail(
                "phase",
                "",
                "value is required",
                "write primary, secondary or all-through",
            );
        }
        let times = [
            "am_arrival_open",
            "am_arrival_close",
            "pm_departure_open",
            "pm_departure_close",
        ]
        .map(|c| r.time(c, true));
        let dwell = r.count("dwell_minutes").unwrap_or(2);
        let borough = r.opt_text("borough");
        let school = match (phase, times) {
            (Some(phase), [Some(a), Some(b), Some(c), Some(d)]) => Some(School {
                id: id.clone(),
                name,
                location,
                borough,
                phase,
                am_arrival: TimeWindow::new(a, b),
                pm_departure: TimeWindow::new(c, d),
                dwell_minutes: dwell,
            }),
            _ => None,
        };
        (id, school)
    })
}

fn parse_fleet(
    t: &Table,
    errors: &mut InputErrors,
    seen: &mut Vec<Seen>,
) -> (Vec<VehicleType>, Vec<u64>) {
    parse_rows(t, errors, seen, |r| {
        let id = r.text("id");
        let count = r.req_count("count");
        let depot = r.location("depot");
        let seats = r.req_count("seats");
        let wheelchair_spaces = r.count("wheelchair_spaces").unwrap_or(0);
        let seats_per_wheelchair_space = r.count("seats_per_wheelchair_space").unwrap_or(0);
        let tail_lift = r.flag("tail_lift");
        let passenger_assistant = r.flag("passenger_assistant");
        let fixed_cost_per_day = r.money("fixed_cost_per_day", true);
        let cost_per_km = r.money("cost_per_km", true);
        let cost_per_hour = r.money("cost_per_hour", true);
        let assistant_cost_per_day = r.money("assistant_cost_per_day", false);
        let max_duty_minutes = r.req_count("max_duty_minutes");
        let shift = (r.time("shift_start", true), r.time("shift_end", true));
        let borough = r.opt_text("borough");
        let vehicle = match shift {
            (Some(a), Some(b)) => Some(VehicleType {
                id: id.clone(),
                count,
                depot,
                seats,
                wheelchair_spaces,
                seats_per_wheelchair_space,
                tail_lift,
                passenger_assistant,
                fixed_cost_per_day,
                cost_per_km,
                cost_per_hour,
                assistant_cost_per_day,
                max_duty_minutes,
                shift: TimeWindow::new(a, b),
                borough,
            }),
            _ => None,
        };
        (id, vehicle)
    })
}

/// One input file: its name for messages and its contents.
pub struct CsvSource<R> {
    /// Name used in messages, e.g. `pupils.csv`.
    pub name: String,
    /// The contents.
    pub reader: R,
}

impl<'a> CsvSource<&'a [u8]> {
    /// A source from text in memory (tests, the gRPC service).
    pub fn text(name: &str, text: &'a str) -> Self {
        CsvSource {
            name: name.to_string(),
            reader: text.as_bytes(),
        }
    }
}

/// Reads the three CSV files into a problem for `session`, checking
/// everything and reporting every problem at once.
pub fn read_problem<P: Read, S: Read, F: Read>(
    pupils: CsvSource<P>,
    schools: CsvSource<S>,
    fleet: CsvSource<F>,
    session: Session,
    settings: Settings,
) -> Result<Problem, InputErrors> {
    let mut errors = InputErrors::default();
    let tp = read_table(&pupils.name, pupils.reader, &PUPILS, &mut errors);
    let ts = read_table(&schools.name, schools.reader, &SCHOOLS, &mut errors);
    let tf = read_table(&fleet.name, fleet.reader, &FLEET, &mut errors);
    // Every row's id, rejected or not, per table.
    let (mut sp, mut ss, mut sf) = (Vec::new(), Vec::new(), Vec::new());
    let (pupil_rows, pupil_lines) = tp
        .as_ref()
        .map(|t| parse_pupils(t, &mut errors, &mut sp))
        .unwrap_or_default();
    let (school_rows, school_lines) = ts
        .as_ref()
        .map(|t| parse_schools(t, &mut errors, &mut ss))
        .unwrap_or_default();
    let (fleet_rows, fleet_lines) = tf
        .as_ref()
        .map(|t| parse_fleet(t, &mut errors, &mut sf))
        .unwrap_or_default();
    for (seen, name, what) in [
        (&sp, &pupils.name, "pupil"),
        (&ss, &schools.name, "school"),
        (&sf, &fleet.name, "vehicle type"),
    ] {
        duplicate_ids(seen, name, what, &mut errors);
    }
    let rejected: HashSet<&str> = sp
        .iter()
        .chain(&ss)
        .chain(&sf)
        .filter(|s| s.rejected)
        .map(|s| s.id.as_str())
        .collect();
    let any_rejected = !rejected.is_empty();
    let problem = Problem {
        pupils: pupil_rows,
        schools: school_rows,
        fleet: fleet_rows,
        session,
        settings,
        matrices: None,
    };
    // Cross-record checks need every table; if a table could not be read at
    // all, they would only repeat its problem.
    if tp.is_some() && ts.is_some() && tf.is_some() {
        let locator = CsvLocator {
            pupils: (pupils.name.clone(), pupil_lines),
            schools: (schools.name.clone(), school_lines),
            fleet: (fleet.name.clone(), fleet_lines),
        };
        let mut cross = check_problem(&problem, &locator);
        // Duplicates were checked over every row above. A reference to a row
        // that was itself rejected is not "unknown", and a table is not
        // "empty" because its rows were rejected: those rows' own problems
        // are already reported.
        cross.0.retain(|i| {
            !(i.message.starts_with("duplicate")
                || (i.message.starts_with("unknown")
                    && i.value
                        .as_ref()
                        .is_some_and(|v| rejected.contains(v.as_str())))
                || (any_rejected
                    && i.line.is_none()
                    && (i.message.starts_with("the fleet is empty")
                        || i.message.starts_with("no pupil travels"))))
        });
        errors.0.extend(cross.0);
    }
    errors.into_result(problem)
}

/// Reads the three CSV files from disk (see [`read_problem`]).
pub fn read_problem_files(
    pupils: &Path,
    schools: &Path,
    fleet: &Path,
    session: Session,
    settings: Settings,
) -> Result<Problem, InputErrors> {
    let open = |p: &Path| -> Result<CsvSource<std::fs::File>, InputErrors> {
        std::fs::File::open(p)
            .map(|f| CsvSource {
                name: p.display().to_string(),
                reader: f,
            })
            .map_err(|e| {
                issue(
                    &p.display().to_string(),
                    None,
                    None,
                    None,
                    format!("cannot open the file: {e}"),
                    "check the path",
                )
                .into()
            })
    };
    let mut errors = InputErrors::default();
    let (p, s, f) = (open(pupils), open(schools), open(fleet));
    for r in [&p.as_ref().err(), &s.as_ref().err(), &f.as_ref().err()]
        .into_iter()
        .flatten()
    {
        errors.0.extend(r.0.iter().cloned());
    }
    match (p, s, f) {
        (Ok(p), Ok(s), Ok(f)) => read_problem(p, s, f, session, settings),
        _ => Err(errors),
    }
}
