//! Reading the fields of one CSV row, collecting every problem.

use super::table::{issue, loc_cols, Table};
use crate::issues::InputErrors;
use crate::location::Location;
use crate::time::TimeOfDay;

/// Reads fields of one row, collecting every problem.
pub(super) struct Row<'a> {
    pub(super) table: &'a Table,
    pub(super) line: u64,
    pub(super) rec: &'a csv::StringRecord,
    pub(super) errors: &'a mut InputErrors,
    pub(super) bad: bool,
}

impl Row<'_> {
    pub(super) fn raw(&self, col: &str) -> Option<&str> {
        self.table.columns.get(col).and_then(|&i| self.rec.get(i))
    }

    pub(super) fn fail(&mut self, col: &str, value: &str, message: impl Into<String>, hint: &str) {
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

    pub(super) fn text(&mut self, col: &str) -> String {
        match self.raw(col) {
            Some(v) if !v.is_empty() => v.to_string(),
            _ => {
                self.fail(col, "", "value is required", "fill in the cell");
                String::new()
            }
        }
    }

    /// The row's non-empty passthrough values, by name without the prefix.
    pub(super) fn passthrough(&self) -> std::collections::BTreeMap<String, String> {
        self.table
            .passthrough
            .iter()
            .filter_map(|(k, i)| {
                let v = self.rec.get(*i)?;
                (!v.is_empty()).then(|| (k.clone(), v.to_string()))
            })
            .collect()
    }

    pub(super) fn opt_text(&self, col: &str) -> Option<String> {
        self.raw(col).filter(|v| !v.is_empty()).map(str::to_string)
    }

    pub(super) fn parse<T: std::str::FromStr>(
        &mut self,
        col: &str,
        what: &str,
        hint: &str,
    ) -> Option<T> {
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

    pub(super) fn count(&mut self, col: &str) -> Option<u32> {
        self.parse::<u32>(
            col,
            "a whole number",
            "write a whole number such as 0, 2 or 16",
        )
    }

    pub(super) fn req_count(&mut self, col: &str) -> u32 {
        let present = self.raw(col).is_some_and(|v| !v.is_empty());
        if !present {
            self.fail(col, "", "value is required", "write a whole number");
            return 0;
        }
        self.count(col).unwrap_or(0)
    }

    pub(super) fn money(&mut self, col: &str, required: bool) -> f64 {
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

    pub(super) fn flag(&mut self, col: &str) -> bool {
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

    pub(super) fn time(&mut self, col: &str, required: bool) -> Option<TimeOfDay> {
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

    pub(super) fn location(&mut self, prefix: &str) -> Location {
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
