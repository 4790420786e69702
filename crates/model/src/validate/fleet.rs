//! Fleet size: every run uses a known vehicle type, a vehicle the fleet has,
//! and no vehicle twice.

use super::{Rule, Unit, Violation};
use crate::plan::{Plan, Route};
use crate::problem::{Problem, VehicleType};
use std::collections::{BTreeMap, HashSet};

/// The vehicle type of run `index`, or a violation when the fleet has no
/// such type (the run is then not checked further).
pub(super) fn check_type<'a>(
    problem: &'a Problem,
    index: usize,
    route: &Route,
    out: &mut Vec<Violation>,
) -> Option<&'a VehicleType> {
    let vt = problem.vehicle_type(&route.vehicle_type);
    if vt.is_none() {
        out.push(
            Violation::new(
                Rule::FleetSize,
                format!("unknown vehicle type {:?}", route.vehicle_type),
            )
            .on_run(index, route.label())
            .fix("use one of the fleet's vehicle types"),
        );
    }
    vt
}

/// Vehicle numbers within the fleet, each vehicle on one run, and no more
/// runs of a type than the fleet has.
pub(super) fn check(problem: &Problem, plan: &Plan, out: &mut Vec<Violation>) {
    let mut used: HashSet<(&str, u32)> = HashSet::new();
    let mut per_type: BTreeMap<&str, u32> = BTreeMap::new();
    for (index, route) in plan.routes.iter().enumerate() {
        let Some(vt) = problem.vehicle_type(&route.vehicle_type) else {
            continue;
        };
        *per_type.entry(vt.id.as_str()).or_default() += 1;
        if route.vehicle_index >= vt.count {
            out.push(
                Violation::new(
                    Rule::FleetSize,
                    format!(
                        "vehicle {} of type {} but the fleet has {}",
                        route.vehicle_index + 1,
                        vt.id,
                        vt.count
                    ),
                )
                .on_run(index, route.label())
                .by(
                    f64::from(route.vehicle_index + 1 - vt.count),
                    Unit::Vehicles,
                )
                .fix("number the vehicles of each type from 1 up to the fleet's count"),
            );
        }
        if !used.insert((vt.id.as_str(), route.vehicle_index)) {
            out.push(
                Violation::new(
                    Rule::FleetSize,
                    format!("vehicle {} is used by two runs", route.label()),
                )
                .on_run(index, route.label())
                .fix("give each run its own vehicle or merge the runs"),
            );
        }
    }
    for (t, n) in per_type {
        if let Some(vt) = problem.vehicle_type(t) {
            if n > vt.count {
                out.push(
                    Violation::new(
                        Rule::FleetSize,
                        format!("{n} runs of {t} but the fleet has {}", vt.count),
                    )
                    .by(f64::from(n - vt.count), Unit::Vehicles)
                    .fix(format!("add vehicles of type {t} or merge runs")),
                );
            }
        }
    }
}
