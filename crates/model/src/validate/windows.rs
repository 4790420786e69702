//! Windows: school arrival (AM) and departure (PM) windows bound the start
//! of each pupil's own service at school; an earliest pick-up bounds the
//! start of the pupil's own boarding at home (AM); a pupil's drop-off window
//! (`earliest_dropoff`, `latest_dropoff`) bounds the start of their own
//! alighting at home (PM).

use super::walk::RunFacts;
use super::{clock_time, Rule, Unit, Violation, EPS_T};
use crate::problem::{Problem, Pupil, Session};
use crate::time::TimeWindow;

/// How far `t` lies outside `w` (seconds), zero inside.
fn outside(w: &TimeWindow, t: f64) -> f64 {
    (w.open.secs_f64() - t).max(t - w.close.secs_f64()).max(0.0)
}

/// Every pupil's boarding and alighting on a run is inside their windows.
pub(super) fn check(problem: &Problem, run: &RunFacts, out: &mut Vec<Violation>) {
    let session = problem.session;
    for (si, facts) in run.stops.iter().enumerate() {
        for s in &facts.boarding {
            let p = s.pupil;
            if let Some(t) = p.needs.earliest_pickup {
                if session == Session::Am && s.start + EPS_T < t.secs_f64() {
                    out.push(
                        run.at(
                            si,
                            Rule::Window,
                            format!(
                                "boarding starts at {} before the earliest pick-up {t}",
                                clock_time(s.start)
                            ),
                        )
                        .pupil(&p.id)
                        .by(t.secs_f64() - s.start, Unit::Seconds)
                        .fix(format!("wait until {t} before boarding the pupil")),
                    );
                }
            }
            if session == Session::Pm {
                if let Some(school) = problem.school(&p.school) {
                    if !school.pm_departure.contains(s.start, EPS_T) {
                        out.push(
                            run.at(
                                si,
                                Rule::Window,
                                format!(
                                    "boards at school at {} outside the PM window {}",
                                    clock_time(s.start),
                                    school.pm_departure
                                ),
                            )
                            .pupil(&p.id)
                            .by(outside(&school.pm_departure, s.start), Unit::Seconds)
                            .fix(format!("collect the pupil within {}", school.pm_departure)),
                        );
                    }
                }
            }
        }
        for s in &facts.alighting {
            let p = s.pupil;
            if session == Session::Pm {
                dropoff(run, si, p, s.start, out);
            }
            if session == Session::Am {
                if let Some(school) = problem.school(&p.school) {
                    if !school.am_arrival.contains(s.start, EPS_T) {
                        out.push(
                            run.at(
                                si,
                                Rule::Window,
                                format!(
                                    "alights at school at {} outside the AM window {}",
                                    clock_time(s.start),
                                    school.am_arrival
                                ),
                            )
                            .pupil(&p.id)
                            .by(outside(&school.am_arrival, s.start), Unit::Seconds)
                            .fix(format!("arrive at school within {}", school.am_arrival)),
                        );
                    }
                }
            }
        }
    }
}

/// A PM drop-off at home starting at `start` is within the pupil's own
/// drop-off window.
fn dropoff(run: &RunFacts, si: usize, p: &Pupil, start: f64, out: &mut Vec<Violation>) {
    if let Some(t) = p.needs.earliest_dropoff {
        if start + EPS_T < t.secs_f64() {
            out.push(
                run.at(
                    si,
                    Rule::Window,
                    format!(
                        "alights at home at {} before the earliest drop-off {t}",
                        clock_time(start)
                    ),
                )
                .pupil(&p.id)
                .by(t.secs_f64() - start, Unit::Seconds)
                .fix(format!("drop the pupil at {t} or later")),
            );
        }
    }
    if let Some(t) = p.needs.latest_dropoff {
        if start > t.secs_f64() + EPS_T {
            out.push(
                run.at(
                    si,
                    Rule::Window,
                    format!(
                        "alights at home at {} after the latest drop-off {t}",
                        clock_time(start)
                    ),
                )
                .pupil(&p.id)
                .by(start - t.secs_f64(), Unit::Seconds)
                .fix(format!(
                    "drop the pupil by {t}: earlier on the run or on another run"
                )),
            );
        }
    }
}
