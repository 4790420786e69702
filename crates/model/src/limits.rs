//! Every size, length and range senroute accepts, in one place.
//!
//! The one input validation ([`crate::check_problem`], run by the CSV reader,
//! the JSON reader, the gRPC service and the CLI alike) checks these before
//! any heavy work starts: the travel matrix, the map and the search. Readers
//! also bound the bytes they read ([`MAX_CSV_BYTES`],
//! [`MAX_PROBLEM_JSON_BYTES`]) and stop collecting rows past the counts here,
//! so no input can make senroute allocate without bound.
//!
//! ## Problem size and memory
//!
//! Planning builds travel matrices over every *location* (each travelling
//! pupil's home, each school, each vehicle type's depot). From
//! `senroute_roads::COMPACT_FROM` (2,000) locations the road matrix is
//! stored compactly, 4 bytes per pair (whole seconds and tens of metres),
//! written row by row with no full-size intermediate, and shared by the
//! validator and the engine without a copy. At [`MAX_LOCATIONS`] = 22,500
//! that is 22,500² × 4 B ≈ 2.0 GB; the London-scale target of about 20,000
//! pupils stays admissible well within 4 GB. Anything larger (the
//! 100,000-row file that once aborted with a 70 GB allocation) is refused
//! by validation in milliseconds with a message to split the problem by
//! borough.
//!
//! Matrices carried *in* a JSON problem or a gRPC request are parsed into
//! nested vectors first (more bytes per entry), so they are limited to
//! [`MAX_INPUT_MATRIX_LOCATIONS`].

use std::borrow::Cow;

/// Most pupil records in one problem (rows of `pupils.csv`, entries of
/// `pupils` in JSON or the request).
pub const MAX_PUPILS: usize = 20_000;
/// Most schools in one problem.
pub const MAX_SCHOOLS: usize = 2_000;
/// Most vehicle types (rows of `fleet.csv`) in one problem.
pub const MAX_VEHICLE_TYPES: usize = 500;
/// Most vehicles in the fleet, summed over the vehicle types' `count`.
pub const MAX_VEHICLES: u64 = 20_000;
/// Most matrix locations (travelling homes + schools + depots): the
/// sum of the three record limits, so any problem within them fits. See the
/// module docs for the memory this means.
pub const MAX_LOCATIONS: usize = MAX_PUPILS + MAX_SCHOOLS + MAX_VEHICLE_TYPES;
/// Most locations of travel matrices carried in the input itself (JSON
/// `matrices` or the request's `Problem.matrices`).
pub const MAX_INPUT_MATRIX_LOCATIONS: usize = 5_000;

/// Largest CSV file read (each of pupils, schools and fleet), in bytes:
/// 64 MiB, hundreds of times a London-scale pupils file.
pub const MAX_CSV_BYTES: u64 = 64 << 20;
/// Largest JSON problem file read, in bytes (512 MiB: room for matrices of
/// [`MAX_INPUT_MATRIX_LOCATIONS`] locations).
pub const MAX_PROBLEM_JSON_BYTES: u64 = 512 << 20;

/// Longest id (pupil, school, vehicle type, or a reference to one), in
/// characters. Ids are pseudonyms, URNs or short codes.
pub const MAX_ID_CHARS: usize = 64;
/// Longest name (a school's name), in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Most passthrough fields per pupil (`x_…` columns, [`crate::Pupil::extra`]).
pub const MAX_PASSTHROUGH_FIELDS: usize = 20;
/// Longest passthrough value (an address, a note), in characters.
pub const MAX_PASSTHROUGH_CHARS: usize = 200;
/// Most pupils one pupil may be kept apart from (`must_not_travel_with`).
pub const MAX_MUST_NOT_TRAVEL_WITH: usize = 50;

/// Longest search time of one planning run, in seconds (24 hours).
pub const MAX_TIME_LIMIT_SECONDS: f64 = 86_400.0;
/// Longest search time per pupil of the pooling study, in seconds.
pub const MAX_TIME_LIMIT_PER_PUPIL_SECONDS: f64 = 60.0;
/// Largest value of any whole-minutes field (ride time caps, duty, extra
/// boarding, school dwell): one day.
pub const MAX_MINUTES: u32 = 1_440;
/// Largest boarding time setting, in minutes.
pub const MAX_BOARDING_MINUTES: f64 = 120.0;
/// Most seats or wheelchair spaces of one vehicle.
pub const MAX_SEATS: u32 = 100;
/// Largest value of any cost field of a vehicle type, in pounds.
pub const MAX_COST: f64 = 1_000_000.0;
/// Largest ride-time weight, in pounds per pupil-minute.
pub const MAX_RIDE_TIME_COST_PER_MINUTE: f64 = 1_000.0;

/// Characters of an offending value quoted in an error message; the rest is
/// elided with its length, so a megabyte value never reaches a message.
pub const EXCERPT_CHARS: usize = 80;
/// Most problems listed for one input; more are summarised in one line.
pub const MAX_ISSUES: usize = 1_000;
/// Longest message or hint kept in an input issue, in characters.
pub const MAX_MESSAGE_CHARS: usize = 400;

/// London borough GSS codes: `E09000001` (City of London) to `E09000033`
/// (Westminster). Without a boundaries file, a borough code must be one of
/// these; with one, it must be a `GSS_CODE` of that file.
pub const LONDON_GSS: std::ops::RangeInclusive<u32> = 1..=33;

/// True when `code` is a London borough GSS code (`E09000001`–`E09000033`).
pub fn is_london_gss(code: &str) -> bool {
    code.len() == 9
        && code.starts_with("E09")
        && code[3..].bytes().all(|b| b.is_ascii_digit())
        && code[3..]
            .parse::<u32>()
            .is_ok_and(|n| LONDON_GSS.contains(&n))
}

/// Room left after a cut for its `… (N bytes in all)` note.
const NOTE_CHARS: usize = 32;

/// `s` itself when it has at most `max` + 32 characters; else its first
/// `max` characters, `…` and the full length, e.g.
/// `aaaa… (1048576 bytes in all)`. Cutting an excerpt again changes nothing.
pub fn excerpt_to(s: &str, max: usize) -> Cow<'_, str> {
    match (
        s.char_indices().nth(max),
        s.char_indices().nth(max + NOTE_CHARS),
    ) {
        (Some((cut, _)), Some(_)) => {
            Cow::Owned(format!("{}… ({} bytes in all)", &s[..cut], s.len()))
        }
        _ => Cow::Borrowed(s),
    }
}

/// A short prefix of an offending value for an error message (at most
/// [`EXCERPT_CHARS`] characters, see [`excerpt_to`]).
pub fn excerpt(s: &str) -> Cow<'_, str> {
    excerpt_to(s, EXCERPT_CHARS)
}

/// Characters refused in ids, names and codes: control characters (C0, DEL,
/// C1, including tab and newline) and the non-characters U+FFFE and U+FFFF.
/// Such text breaks CSV round trips, terminals and the SVG map (XML).
pub fn is_forbidden_char(c: char) -> bool {
    c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}'
}

/// What is wrong with a piece of text under a length limit, if anything:
/// too long, or holding a forbidden character (named by its code point and
/// position, since it cannot be shown).
pub fn text_problem(s: &str, max_chars: usize) -> Option<String> {
    let n = s.chars().count();
    if n > max_chars {
        return Some(format!("{n} characters, over the limit of {max_chars}"));
    }
    s.chars()
        .enumerate()
        .find(|&(_, c)| is_forbidden_char(c))
        .map(|(i, c)| {
            format!(
                "holds the control character U+{:04X} at character {}",
                u32::from(c),
                i + 1
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_cut_long_values_only() {
        assert_eq!(excerpt("short"), "short");
        let just_over = "x".repeat(EXCERPT_CHARS + 10);
        assert_eq!(excerpt(&just_over), just_over);
        let long = "é".repeat(1000);
        let e = excerpt(&long);
        assert!(e.starts_with(&"é".repeat(EXCERPT_CHARS)));
        assert!(e.ends_with("… (2000 bytes in all)"), "{e}");
        assert!(e.chars().count() < EXCERPT_CHARS + 40);
        assert_eq!(excerpt(&e), e, "idempotent");
    }

    #[test]
    fn text_checks_length_and_control_characters() {
        assert_eq!(text_problem("St Mary’s, Camden", 200), None);
        assert!(text_problem("a\u{0}b", 10)
            .unwrap()
            .contains("U+0000 at character 2"));
        assert!(text_problem("x\u{12}", 10).unwrap().contains("U+0012"));
        assert!(text_problem("tab\there", 10).is_some());
        assert!(text_problem(&"a".repeat(65), 64)
            .unwrap()
            .contains("65 characters"));
    }

    #[test]
    fn london_codes() {
        assert!(is_london_gss("E09000001"));
        assert!(is_london_gss("E09000033"));
        for bad in [
            "E09000000",
            "E09000034",
            "E0900007",
            "not-a-borough",
            "E09+00001",
            "e09000007",
        ] {
            assert!(!is_london_gss(bad), "{bad}");
        }
    }

    // The limits keep the London-scale target admissible, and 32 bytes per
    // pair of locations at the limit stays under 17 GB.
    const _: () = assert!(MAX_PUPILS >= 20_000 && MAX_LOCATIONS >= 20_000 + 300 + 50);
    const _: () = assert!((MAX_LOCATIONS as u64).pow(2) * 32 < 17_000_000_000);
}
