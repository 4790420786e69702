//! Durations and other bounded numbers on the command line.
//!
//! Durations are read by `humantime` (`90s`, `2m`, `1h 30m`, `200ms`,
//! `0.5s`), with a bare number meaning seconds (`90`), and checked against
//! their limit *before* any `Duration` arithmetic, so no value (`1e20`,
//! `100000000000000000000`, `inf`) can panic.

use senroute_model::limits::excerpt;
use senroute_model::limits::{MAX_TIME_LIMIT_PER_PUPIL_SECONDS, MAX_TIME_LIMIT_SECONDS};
use std::time::Duration;

/// Parses a duration no longer than `max_s` seconds.
fn bounded(s: &str, max_s: f64, what: &str) -> Result<Duration, String> {
    let t = s.trim();
    let shown = excerpt(t);
    let bare = !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    let d = if bare {
        // A bare number is seconds; humantime wants a unit.
        humantime::parse_duration(&format!("{t}s"))
    } else {
        humantime::parse_duration(t)
    }
    .map_err(|e| {
        format!(
            "{shown:?} is not a duration ({e}); write e.g. 60s, 2m, 1h 30m, 500ms or 90 (seconds)"
        )
    })?;
    if d.as_secs_f64() > max_s {
        return Err(format!(
            "{shown:?} is longer than the limit of {} for {what}; give a shorter time",
            humantime::format_duration(Duration::from_secs(max_s as u64))
        ));
    }
    Ok(d)
}

/// `--time-limit`: at most [`MAX_TIME_LIMIT_SECONDS`].
pub fn parse_time_limit(s: &str) -> Result<Duration, String> {
    bounded(s, MAX_TIME_LIMIT_SECONDS, "a search")
}

/// `--time-limit-per-pupil`: at most [`MAX_TIME_LIMIT_PER_PUPIL_SECONDS`].
pub fn parse_time_per_pupil(s: &str) -> Result<Duration, String> {
    bounded(
        s,
        MAX_TIME_LIMIT_PER_PUPIL_SECONDS,
        "the search time per pupil",
    )
}

/// A number of seconds (`bench --seconds`): finite, 0 to
/// [`MAX_TIME_LIMIT_SECONDS`].
pub fn parse_seconds(s: &str) -> Result<f64, String> {
    let shown = excerpt(s.trim());
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{shown:?} is not a number of seconds; write e.g. 60"))?;
    if !(v.is_finite() && (0.0..=MAX_TIME_LIMIT_SECONDS).contains(&v)) {
        return Err(format!(
            "{shown:?} is outside 0 to {MAX_TIME_LIMIT_SECONDS} seconds"
        ));
    }
    Ok(v)
}

/// A clap value parser for whole numbers from 1 to `max`.
pub fn count_up_to(max: u64) -> impl Fn(&str) -> Result<u64, String> + Clone {
    move |s: &str| {
        let shown = excerpt(s.trim());
        match s.trim().parse::<u64>() {
            Ok(v) if (1..=max).contains(&v) => Ok(v),
            _ => Err(format!("{shown:?} is not a whole number from 1 to {max}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units_and_bare_seconds() {
        assert_eq!(parse_time_limit("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_time_limit("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(
            parse_time_limit("1h 30m").unwrap(),
            Duration::from_secs(5400)
        );
        assert_eq!(
            parse_time_per_pupil("0.2s").unwrap(),
            Duration::from_millis(200)
        );
        assert_eq!(
            parse_time_per_pupil("200ms").unwrap(),
            Duration::from_millis(200)
        );
    }

    #[test]
    fn huge_or_odd_durations_are_errors_not_panics() {
        for bad in [
            "1e20",
            "100000000000000000000",
            "100000000000000000000s",
            "inf",
            "NaN",
            "-5s",
            "",
            "25h",
            "99999999999999999999999999999999h",
        ] {
            assert!(parse_time_limit(bad).is_err(), "{bad}");
        }
        assert!(parse_time_per_pupil("61s").is_err());
        let long = "9".repeat(100_000);
        assert!(parse_time_limit(&long).unwrap_err().len() < 400);
        assert!(parse_seconds("1e20").is_err());
        assert!(parse_seconds("NaN").is_err());
        assert_eq!(parse_seconds("2.5").unwrap(), 2.5);
    }
}
