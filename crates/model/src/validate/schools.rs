//! Schools per run: a run serves pupils of at most its vehicle type's
//! `max_schools_per_run` schools.

use super::walk::RunFacts;
use super::{Rule, Unit, Violation};

/// The pupils carried on a run attend few enough schools.
pub(super) fn check(run: &RunFacts, out: &mut Vec<Violation>) {
    let Some(max) = run.vt.max_schools_per_run else {
        return;
    };
    let mut schools: Vec<&str> = run.carried.iter().map(|p| p.school.as_str()).collect();
    schools.sort_unstable();
    schools.dedup();
    let n = schools.len() as u32;
    if n > max {
        out.push(
            run.violation(
                Rule::SchoolsPerRun,
                format!(
                    "serves {n} schools ({}), {} allows {max}",
                    schools.join(", "),
                    run.vt.id
                ),
            )
            .by(f64::from(n - max), Unit::Schools)
            .fix("move the pupils of one school to another run"),
        );
    }
}
