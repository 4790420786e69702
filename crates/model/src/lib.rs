//! # senroute-model
//!
//! The domain of home-to-school transport for pupils with special educational
//! needs: [`Pupil`]s with their needs, [`School`]s with bell times, the fleet
//! of [`VehicleType`]s, the [`Problem`] to plan and the [`Plan`] that answers
//! it (a [`DayPlan`] for a day: the AM and PM plans with each vehicle's day
//! rate counted once). Also the coordinators' file formats (CSV in and out, JSON via serde),
//! input validation that reports every problem at once, and the independent
//! plan [`validate()`]r that every solver result is checked with.

pub mod bounds;
pub mod check_input;
pub mod csv_in;
pub mod csv_out;
pub mod day;
pub mod issues;
pub mod limits;
pub mod location;
pub mod plan;
pub mod plan_in;
pub mod problem;
pub mod replan;
pub mod time;
pub mod travel;
pub mod validate;

pub use bounds::BoroughCodes;
pub use check_input::{
    check_problem, check_problem_with, problem_from_json, problem_from_json_with, JsonLocator,
};
pub use csv_in::{
    read_problem, read_problem_files, read_problem_files_with, read_problem_with, CsvSource,
    PASSTHROUGH_PREFIX,
};
pub use day::{
    validate_any, validate_day, vehicle_of_pupils, AnyPlan, DayPlan, DayTotals, VehicleKey,
};
pub use issues::{InputErrors, InputIssue};
pub use location::Location;
pub use plan::{
    Load, Plan, PupilRide, Route, Stop, StopKind, Totals, Unassigned, UnassignedReason,
    TIME_TOLERANCE_S,
};
pub use plan_in::{check_plan_structure, read_plan_json, read_routes_csv, ROUTES_CSV_COLUMNS};
pub use problem::{
    incompatibility, Continuity, LocationKey, Matrices, Needs, Phase, Problem, Pupil, School,
    Session, Sessions, Settings, VehicleType, DEFAULT_CONTINUITY_COST,
};
pub use replan::{
    changes, parse_locks, pupils_changed, read_previous_plan, write_changes_csv, Change, Placement,
    RunRef, HOME_TIME_TOLERANCE_S,
};
pub use time::{TimeOfDay, TimeWindow};
pub use travel::{MatrixError, TravelTimes};
pub use validate::{validate, Amount, Rule, Unit, Violation};
