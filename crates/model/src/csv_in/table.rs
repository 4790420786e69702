//! The CSV tables: the columns of each file, and reading a file into
//! header and rows, bounded in bytes and rows.

use crate::issues::{InputErrors, InputIssue};
use std::collections::HashMap;
use std::io::Read;

/// Columns of one CSV file: which must be present, which may be.
pub(super) struct Schema {
    pub(super) required: &'static [&'static str],
    pub(super) optional: &'static [&'static str],
    /// Location column prefix (`home`, `depot` or empty for `lat`/`lon`).
    pub(super) location: &'static str,
    /// True when the file may carry passthrough columns ([`PASSTHROUGH_PREFIX`]).
    pub(super) passthrough: bool,
}

/// Prefix of passthrough columns in `pupils.csv`: a column named `x_address`
/// is not checked or used for planning but carried to the outputs (as
/// [`crate::Pupil::extra`] key `address`). Any other unknown column is an
/// error, so typos of known columns are still caught.
pub const PASSTHROUGH_PREFIX: &str = "x_";

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
        "vehicle_types",
        "not_vehicle_types",
        "earliest_dropoff",
        "latest_dropoff",
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
        "max_schools_per_run",
        "pm_shift_start",
        "pm_shift_end",
    ],
);

pub(super) const PUPILS: Schema = Schema {
    required: PUPIL_COLUMNS.0,
    optional: PUPIL_COLUMNS.1,
    location: "home",
    passthrough: true,
};
pub(super) const SCHOOLS: Schema = Schema {
    required: SCHOOL_COLUMNS.0,
    optional: SCHOOL_COLUMNS.1,
    location: "",
    passthrough: false,
};
pub(super) const FLEET: Schema = Schema {
    required: FLEET_COLUMNS.0,
    optional: FLEET_COLUMNS.1,
    location: "depot",
    passthrough: false,
};

/// What to do about an unknown column `name`: the known column it most
/// likely misspells, and how to carry a column of one's own through.
fn unknown_column_hint(name: &str, expected: &[&str], passthrough: bool) -> String {
    let closest = expected
        .iter()
        .map(|c| (strsim::levenshtein(name, c), *c))
        .min()
        .filter(|&(d, c)| d <= 2.max(c.len() / 4));
    if !passthrough && name.starts_with(PASSTHROUGH_PREFIX) {
        return "passthrough (x_) columns are carried from pupils.csv only; remove the column"
            .to_string();
    }
    let mut hint = match closest {
        Some((_, c)) => format!("did you mean `{c}`? Rename the column or remove it"),
        None => "rename the column or remove it".to_string(),
    };
    if passthrough {
        hint.push_str(&format!(
            "; to carry a column of your own to the outputs, prefix it with {PASSTHROUGH_PREFIX} (e.g. {PASSTHROUGH_PREFIX}{})",
            if closest.is_some() { "address" } else { name }
        ));
    }
    hint
}

pub(super) fn loc_cols(prefix: &str) -> [String; 4] {
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
pub(super) struct Table {
    pub(super) source: String,
    pub(super) columns: HashMap<String, usize>,
    /// Passthrough columns: name after the prefix, as written, and index.
    pub(super) passthrough: Vec<(String, usize)>,
    pub(super) rows: Vec<(u64, csv::StringRecord)>,
}

pub(super) fn issue(
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

/// Passes at most `limit` bytes through, then reports end of file and
/// remembers that there was more.
struct Bounded<R> {
    inner: R,
    left: u64,
    over: bool,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // One probe byte tells a file of exactly the limit from a longer one.
            let mut probe = [0u8; 1];
            if self.inner.read(&mut probe)? > 0 {
                self.over = true;
            }
            return Ok(0);
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// Reads a CSV file's header and rows, reporting every problem. At most
/// `max_bytes` bytes and `max_rows` records are read: past either the file
/// is reported as too large, and its rows are not returned.
pub(super) fn read_table<R: Read>(
    source: &str,
    reader: R,
    schema: &Schema,
    (max_bytes, max_rows): (u64, usize),
    errors: &mut InputErrors,
) -> Option<Table> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(Bounded {
            inner: reader,
            left: max_bytes,
            over: false,
        });
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
    let mut passthrough = Vec::new();
    let mut ok = true;
    for (i, h) in headers.iter().enumerate() {
        let written = h.trim().trim_start_matches('\u{feff}');
        let name = written.to_ascii_lowercase();
        let known = schema.required.contains(&name.as_str())
            || schema.optional.contains(&name.as_str())
            || loc.contains(&name);
        let extra = name.starts_with(PASSTHROUGH_PREFIX);
        if !known && extra && schema.passthrough {
            let key = written[PASSTHROUGH_PREFIX.len()..].trim();
            if key.is_empty() {
                errors.push(issue(
                    source,
                    Some(1),
                    Some(h),
                    None,
                    "passthrough column without a name".into(),
                    "name it after the prefix, e.g. x_address or x_notes",
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
            } else {
                passthrough.push((key.to_string(), i));
            }
        } else if !known {
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
                &unknown_column_hint(&name, &expected, schema.passthrough),
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
    let mut too_many = false;
    let mut records = 0usize;
    for rec in rdr.records() {
        match rec {
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line());
                if r.iter().all(|f| f.is_empty()) {
                    continue; // a blank line carries no record
                }
                records += 1;
                if records > max_rows {
                    too_many = true;
                    errors.push(issue(
                        source,
                        Some(line),
                        None,
                        None,
                        format!("more than {max_rows} rows, over senroute's limit per problem (travel matrices that large would not fit in memory)"),
                        "split the problem into smaller ones, e.g. one per borough or group of schools, and plan each",
                    ));
                    break;
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
    if rdr.get_ref().over {
        errors.push(issue(
            source,
            None,
            None,
            None,
            format!(
                "the file is larger than senroute's limit of {} MiB",
                max_bytes >> 20
            ),
            "split the problem into smaller ones, e.g. one per borough, and plan each",
        ));
        return None;
    }
    if passthrough.len() > crate::limits::MAX_PASSTHROUGH_FIELDS {
        errors.push(issue(
            source,
            Some(1),
            None,
            None,
            format!(
                "{} passthrough (x_) columns, over the limit of {}",
                passthrough.len(),
                crate::limits::MAX_PASSTHROUGH_FIELDS
            ),
            "keep the columns drivers and coordinators need (address, postcode, notes); drop the rest",
        ));
        ok = false;
    }
    (ok && !too_many).then_some(Table {
        source: source.to_string(),
        columns,
        passthrough,
        rows,
    })
}
