//! Duty: a run leaves and returns to its depot within the vehicle's shift
//! and lasts no longer than its maximum duty.

use super::walk::RunFacts;
use super::{clock_time, Rule, Unit, Violation, EPS_T};
use crate::problem::Session;

/// The run fits its vehicle's shift of the session and its duty limit.
pub(super) fn check(session: Session, run: &RunFacts, out: &mut Vec<Violation>) {
    let vt = run.vt;
    let (start, end) = (run.start, run.end);
    let shift = vt.shift_for(session);
    let (open, close) = (shift.open.secs_f64(), shift.close.secs_f64());
    if start + EPS_T < open || end > close + EPS_T {
        out.push(
            run.violation(
                Rule::Duty,
                format!(
                    "run {}–{} is outside the {} shift {shift} of {}",
                    clock_time(start),
                    clock_time(end),
                    session.label(),
                    vt.id
                ),
            )
            .by((open - start).max(end - close).max(0.0), Unit::Seconds)
            .fix(format!("keep the run within the shift {shift}")),
        );
    }
    let duration = run.duration();
    let limit = f64::from(vt.max_duty_minutes) * 60.0;
    if duration > limit + EPS_T {
        out.push(
            run.violation(
                Rule::Duty,
                format!(
                    "duty of {:.1} min exceeds {} min",
                    duration / 60.0,
                    vt.max_duty_minutes
                ),
            )
            .by(duration - limit, Unit::Seconds)
            .fix("split the run or move pupils to another vehicle"),
        );
    }
}
