//! The error type of the crate.

use std::path::PathBuf;

/// Everything that can stop a cohort from being generated or written.
///
/// Every message names the parameter, file or field concerned and says what
/// to do, so that a researcher running `senroute generate` can act on it.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// No borough was requested.
    #[error(
        "no borough requested: give at least one GSS code with --boroughs, e.g. E09000007 (Camden)"
    )]
    NoBoroughs,
    /// The same borough was requested twice.
    #[error("borough {code} is requested twice in --boroughs: list each borough once")]
    DuplicateBorough {
        /// The repeated GSS code.
        code: String,
    },
    /// `pupils_by_borough` does not give one count per borough.
    #[error(
        "pupils-by-borough gives {counts} counts for {boroughs} boroughs: give one count per \
         borough of --boroughs, in the same order"
    )]
    PupilsByBorough {
        /// Counts given.
        counts: usize,
        /// Boroughs requested.
        boroughs: usize,
    },
    /// A requested borough code is not in the boundary file.
    #[error(
        "unknown borough code {code:?} in --boroughs: it is not a GSS code of the borough \
         boundary file; use one of {known}"
    )]
    UnknownBorough {
        /// The code given.
        code: String,
        /// The codes the boundary file knows, with names.
        known: String,
    },
    /// The road network has no road to put homes on inside a requested borough.
    #[error(
        "borough {code} ({name}) is not covered by the road network: no residential, \
         living-street or unclassified road of the network lies inside it; use a road \
         file (.osm.pbf) that covers the borough, or drop it from --boroughs"
    )]
    BoroughNotCovered {
        /// GSS code of the borough.
        code: String,
        /// Borough name.
        name: String,
    },
    /// Zero pupils were asked for.
    #[error("--pupils-per-borough is 0: ask for at least 1 pupil per borough")]
    NoPupils,
    /// A share parameter is not a fraction between 0 and 1.
    #[error("parameter {field} is {value}, not a share between 0 and 1 (write e.g. 0.07 for 7 %)")]
    InvalidShare {
        /// The parameter (CLI flag name without dashes).
        field: &'static str,
        /// The value given.
        value: f64,
    },
    /// Another parameter is out of its range.
    #[error("parameter {field} = {value}: {detail}")]
    InvalidParam {
        /// The parameter (CLI flag name without dashes).
        field: &'static str,
        /// The value given, as text.
        value: String,
        /// What the value must be.
        detail: String,
    },
    /// A school list could not be read or has a bad row.
    #[error("school list {path}{}: {detail}", line.map(|l| format!(", line {l}")).unwrap_or_default())]
    SchoolFile {
        /// The CSV file.
        path: PathBuf,
        /// Line of the bad row, if the problem is in one row.
        line: Option<u64>,
        /// What is wrong and what to do.
        detail: String,
    },
    /// No school of the catalogue can be reached from the road network.
    #[error(
        "no {what} school of the catalogue lies within {max_snap_m:.0} m of the road network; \
         use a road file that covers the schools' area or other school lists"
    )]
    NoReachableSchools {
        /// Which kind of school is missing ("special" or "mainstream").
        what: &'static str,
        /// The snap distance used, metres.
        max_snap_m: f64,
    },
    /// Pupils of one phase have no school at all to attend.
    #[error(
        "no reachable school takes {phase} pupils: set --primary-share to 0 or 1, or use \
         school lists with {phase} schools inside the road network"
    )]
    NoSchoolForPhase {
        /// `primary` or `secondary`.
        phase: &'static str,
    },
    /// An output file could not be written.
    #[error("cannot write {path}: {source}; check that the output directory is writable")]
    Write {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}
