//! Times of day as coordinators write them (`HH:MM`) and time windows.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A time of day, stored as whole seconds since midnight.
///
/// Written and read as `HH:MM` (or `HH:MM:SS`), the way coordinators write bell
/// times in spreadsheets. Serde uses the same text form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct TimeOfDay(u32);

impl TimeOfDay {
    /// Builds a time from hours and minutes. Panics if out of range; use
    /// [`TimeOfDay::from_str`] for untrusted input.
    pub const fn hm(hours: u32, minutes: u32) -> Self {
        assert!(hours < 24 && minutes < 60);
        TimeOfDay(hours * 3600 + minutes * 60)
    }

    /// Builds a time from seconds since midnight (must be below 24 h).
    pub fn from_seconds(seconds: u32) -> Option<Self> {
        (seconds < 24 * 3600).then_some(TimeOfDay(seconds))
    }

    /// Seconds since midnight.
    pub const fn seconds(self) -> u32 {
        self.0
    }

    /// Seconds since midnight as a float, the unit of plan times.
    pub fn secs_f64(self) -> f64 {
        f64::from(self.0)
    }
}

/// Why a time of day could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected a time of day as HH:MM (24-hour clock, e.g. 08:30)")]
pub struct TimeParseError;

impl FromStr for TimeOfDay {
    type Err = TimeParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.trim().split(':').collect();
        if !(2..=3).contains(&parts.len()) {
            return Err(TimeParseError);
        }
        let num = |p: &str, max: u32| -> Result<u32, TimeParseError> {
            if p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(TimeParseError);
            }
            let v: u32 = p.parse().map_err(|_| TimeParseError)?;
            if v > max {
                return Err(TimeParseError);
            }
            Ok(v)
        };
        let h = num(parts[0], 23)?;
        let m = num(parts[1], 59)?;
        let sec = if parts.len() == 3 {
            num(parts[2], 59)?
        } else {
            0
        };
        Ok(TimeOfDay(h * 3600 + m * 60 + sec))
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, m, s) = (self.0 / 3600, (self.0 / 60) % 60, self.0 % 60);
        if s == 0 {
            write!(f, "{h:02}:{m:02}")
        } else {
            write!(f, "{h:02}:{m:02}:{s:02}")
        }
    }
}

impl Serialize for TimeOfDay {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TimeOfDay {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse()
            .map_err(|e: TimeParseError| serde::de::Error::custom(format!("{e}, got {s:?}")))
    }
}

/// Formats seconds since midnight (a plan time) as `HH:MM:SS`.
pub fn format_clock(seconds: f64) -> String {
    if !seconds.is_finite() {
        return "--:--:--".to_string();
    }
    let total = seconds.round().max(0.0) as u64;
    format!(
        "{:02}:{:02}:{:02}",
        total / 3600,
        (total / 60) % 60,
        total % 60
    )
}

/// A closed interval of times of day, `open..=close`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeWindow {
    /// Earliest time.
    pub open: TimeOfDay,
    /// Latest time.
    pub close: TimeOfDay,
}

impl TimeWindow {
    /// A window from `open` to `close`.
    pub const fn new(open: TimeOfDay, close: TimeOfDay) -> Self {
        TimeWindow { open, close }
    }

    /// True when the window ends before it starts.
    pub fn is_inverted(&self) -> bool {
        self.close < self.open
    }

    /// True when `t` (seconds since midnight) lies in the window, with a
    /// tolerance of `eps` seconds on each side.
    pub fn contains(&self, t: f64, eps: f64) -> bool {
        t >= self.open.secs_f64() - eps && t <= self.close.secs_f64() + eps
    }
}

impl fmt::Display for TimeWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}–{}", self.open, self.close)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_times() {
        assert_eq!("08:30".parse::<TimeOfDay>().unwrap(), TimeOfDay::hm(8, 30));
        assert_eq!("8:05".parse::<TimeOfDay>().unwrap(), TimeOfDay::hm(8, 5));
        assert_eq!("15:10:30".parse::<TimeOfDay>().unwrap().seconds(), 54630);
        assert_eq!(TimeOfDay::hm(8, 5).to_string(), "08:05");
        for bad in [
            "",
            "8",
            "24:00",
            "08:60",
            "ab:cd",
            "08:30:00:00",
            "-1:00",
            "8.30",
        ] {
            assert!(bad.parse::<TimeOfDay>().is_err(), "{bad} should not parse");
        }
        assert_eq!(format_clock(8.0 * 3600.0 + 61.4), "08:01:01");
    }

    #[test]
    fn serde_uses_text() {
        let w = TimeWindow::new(TimeOfDay::hm(8, 30), TimeOfDay::hm(8, 50));
        let j = serde_json::to_string(&w).unwrap();
        assert_eq!(j, r#"{"open":"08:30","close":"08:50"}"#);
        assert_eq!(serde_json::from_str::<TimeWindow>(&j).unwrap(), w);
        assert!(serde_json::from_str::<TimeOfDay>(r#""25:00""#).is_err());
    }
}
