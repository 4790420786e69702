//! A plan message back to the model's [`Plan`], for clients of the service
//! (`senroute pool --via` reads the plans of its coalition jobs this way)
//! and for `CheckPlan` requests, whose violations go back as messages here.
//! Lossless for plans the service produced unredacted; a redacted home stop
//! (no coordinates) comes back at NaN, as the service holds it.

use crate::pb::v1 as pb;
use senroute_model::{
    check_plan_structure, AnyPlan, Continuity, DayPlan, DayTotals, InputErrors, InputIssue, Load,
    Location, LocationKey, Plan, Problem, PupilRide, Route, Rule, Session, Stop, StopKind, Totals,
    Unassigned, UnassignedReason, Unit, Violation,
};
use senroute_planner::Checked;
use std::collections::HashSet;

fn usize_of(n: u32) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

fn key_from_proto(k: Option<&pb::LocationKey>) -> Result<LocationKey, String> {
    use pb::location_key::Kind;
    match k.and_then(|k| k.kind.as_ref()) {
        Some(Kind::Home(id)) => Ok(LocationKey::Home(id.clone())),
        Some(Kind::School(id)) => Ok(LocationKey::School(id.clone())),
        Some(Kind::Depot(id)) => Ok(LocationKey::Depot(id.clone())),
        None => Err("a stop has no location key".into()),
    }
}

/// Converts a plan message to the model's plan.
pub fn plan_from_proto(p: &pb::Plan) -> Result<Plan, String> {
    let session = match pb::Session::try_from(p.session) {
        Ok(pb::Session::Pm) => Session::Pm,
        _ => Session::Am,
    };
    let mut routes = Vec::with_capacity(p.routes.len());
    for r in &p.routes {
        let mut stops = Vec::with_capacity(r.stops.len());
        for s in &r.stops {
            let kind = match pb::StopKind::try_from(s.kind) {
                Ok(pb::StopKind::Depot) => StopKind::Depot,
                Ok(pb::StopKind::Pickup) => StopKind::Pickup,
                Ok(pb::StopKind::Drop) => StopKind::Drop,
                _ => return Err(format!("unknown stop kind {}", s.kind)),
            };
            let load = s.load.unwrap_or_default();
            stops.push(Stop {
                kind,
                location_key: key_from_proto(s.location_key.as_ref())?,
                location: s.location.as_ref().map_or(
                    Location {
                        lat: f64::NAN,
                        lon: f64::NAN,
                    },
                    |l| Location {
                        lat: l.lat,
                        lon: l.lon,
                    },
                ),
                pupils: s.pupils.clone(),
                arrival_s: s.arrival_s,
                service_start_s: s.service_start_s,
                departure_s: s.departure_s,
                load: Load {
                    seated: load.seated,
                    wheelchair: load.wheelchair,
                },
            });
        }
        routes.push(Route {
            vehicle_type: r.vehicle_type.clone(),
            vehicle_index: r.vehicle_index,
            stops,
            distance_m: r.distance_m,
            duration_s: r.duration_s,
            cost: r.cost,
        });
    }
    let rides = p
        .rides
        .iter()
        .map(|r| PupilRide {
            pupil: r.pupil.clone(),
            route: usize_of(r.route),
            pickup_s: r.pickup_s,
            drop_s: r.drop_s,
            ride_s: r.ride_s,
            max_ride_s: r.max_ride_s,
        })
        .collect();
    let mut unassigned = Vec::with_capacity(p.unassigned.len());
    for u in &p.unassigned {
        let detail = u.detail.clone();
        let reason = match pb::UnassignedReason::try_from(u.reason) {
            Ok(pb::UnassignedReason::NoCompatibleVehicle) => {
                UnassignedReason::NoCompatibleVehicle { detail }
            }
            Ok(pb::UnassignedReason::WindowInfeasible) => {
                UnassignedReason::WindowInfeasible { detail }
            }
            Ok(pb::UnassignedReason::RideTimeInfeasible) => {
                UnassignedReason::RideTimeInfeasible { detail }
            }
            Ok(pb::UnassignedReason::DutyInfeasible) => UnassignedReason::DutyInfeasible { detail },
            Ok(pb::UnassignedReason::FleetCapacity) => UnassignedReason::FleetCapacity { detail },
            Ok(pb::UnassignedReason::Unreachable) => UnassignedReason::Unreachable { detail },
            Ok(pb::UnassignedReason::CrewContinuity) => UnassignedReason::CrewContinuity { detail },
            _ => return Err(format!("unknown unassigned reason {}", u.reason)),
        };
        unassigned.push(Unassigned {
            pupil: u.pupil.clone(),
            reason,
        });
    }
    let t = p.totals.unwrap_or_default();
    Ok(Plan {
        session,
        routes,
        rides,
        unassigned,
        totals: Totals {
            vehicles: usize_of(t.vehicles),
            cost: t.cost,
            distance_m: t.distance_m,
            duration_s: t.duration_s,
            ride_s: t.ride_s,
            assigned: usize_of(t.assigned),
            unassigned: usize_of(t.unassigned),
        },
    })
}

/// Converts a day plan message to the model's day plan.
pub fn day_plan_from_proto(d: &pb::DayPlan) -> Result<DayPlan, String> {
    let am = plan_from_proto(d.am.as_ref().ok_or("a day plan without its am plan")?)?;
    let pm = plan_from_proto(d.pm.as_ref().ok_or("a day plan without its pm plan")?)?;
    let t = d.totals.unwrap_or_default();
    let continuity = match pb::Continuity::try_from(d.continuity) {
        Ok(pb::Continuity::Hard) => Continuity::Hard,
        Ok(pb::Continuity::None) => Continuity::None,
        _ => Continuity::Preferred,
    };
    Ok(DayPlan {
        am,
        pm,
        continuity,
        totals: DayTotals {
            vehicles: usize_of(t.vehicles),
            cost: t.cost,
            day_rates: t.day_rates,
            am_running_cost: t.am_running_cost,
            pm_running_cost: t.pm_running_cost,
            distance_m: t.distance_m,
            duration_s: t.duration_s,
            ride_s: t.ride_s,
            assigned: usize_of(t.assigned),
            unassigned: usize_of(t.unassigned),
            both_sessions: usize_of(t.both_sessions),
            same_vehicle: usize_of(t.same_vehicle),
            continuity: t.continuity,
        },
    })
}

/// The plan of a `GetPlan` answer: its day plan for a day job, else its
/// session plan.
pub fn any_plan_from_response(r: &pb::GetPlanResponse) -> Result<AnyPlan, String> {
    match (&r.day_plan, &r.plan) {
        (Some(d), _) => Ok(AnyPlan::Day(Box::new(day_plan_from_proto(d)?))),
        (None, Some(p)) => Ok(AnyPlan::Session(plan_from_proto(p)?)),
        (None, None) => Err("no plan in the response".into()),
    }
}

fn request_issue(field: &str, message: String, hint: &str) -> InputErrors {
    InputIssue {
        source: "request".into(),
        line: None,
        field: Some(field.into()),
        value: None,
        message,
        hint: hint.into(),
    }
    .into()
}

/// The plan of a `CheckPlan` request (its `plan` or its `day_plan`, exactly
/// one), checked for `problem` as `senroute check` checks a plan file:
/// every vehicle type, vehicle and pupil it names exists and no vehicle
/// drives two runs of a session. Every problem names its field path
/// (`plan.routes[2].stops[1].pupils[0]`, `day_plan.pm.routes[0]…`).
pub fn check_request_plan(
    r: &pb::CheckPlanRequest,
    problem: &Problem,
) -> Result<AnyPlan, InputErrors> {
    let (plan, path) = match (&r.plan, &r.day_plan) {
        (Some(p), None) => (plan_from_proto(p).map(AnyPlan::Session), "plan"),
        (None, Some(d)) => (
            day_plan_from_proto(d).map(|d| AnyPlan::Day(Box::new(d))),
            "day_plan",
        ),
        (Some(_), Some(_)) => {
            return Err(request_issue(
                "day_plan",
                "both plan and day_plan are set".into(),
                "send a session plan in plan or a day plan in day_plan, not both",
            ))
        }
        (None, None) => {
            return Err(request_issue(
                "plan",
                "no plan to check".into(),
                "set CheckPlanRequest.plan (or day_plan for a day problem)",
            ))
        }
    };
    let plan = plan.map_err(|e| {
        request_issue(
            path,
            e,
            "send the plan as GetPlan returns it, edited only in its runs",
        )
    })?;
    check_plan_structure("request", &format!("{path}."), plan, problem)
}

fn rule_to_proto(r: Rule) -> pb::Rule {
    match r {
        Rule::Coverage => pb::Rule::Coverage,
        Rule::Precedence => pb::Rule::Precedence,
        Rule::StopLocation => pb::Rule::StopLocation,
        Rule::Timing => pb::Rule::Timing,
        Rule::Window => pb::Rule::Window,
        Rule::RideTime => pb::Rule::RideTime,
        Rule::Duty => pb::Rule::Duty,
        Rule::Capacity => pb::Rule::Capacity,
        Rule::Compatibility => pb::Rule::Compatibility,
        Rule::TravelAlone => pb::Rule::TravelAlone,
        Rule::MustNotTravelTogether => pb::Rule::MustNotTravelTogether,
        Rule::SchoolsPerRun => pb::Rule::SchoolsPerRun,
        Rule::FleetSize => pb::Rule::FleetSize,
        Rule::Arithmetic => pb::Rule::Arithmetic,
        Rule::Continuity => pb::Rule::Continuity,
    }
}

fn unit_to_proto(u: Unit) -> pb::AmountUnit {
    match u {
        Unit::Seconds => pb::AmountUnit::Seconds,
        Unit::Seats => pb::AmountUnit::Seats,
        Unit::WheelchairSpaces => pb::AmountUnit::WheelchairSpaces,
        Unit::Pupils => pb::AmountUnit::Pupils,
        Unit::Vehicles => pb::AmountUnit::Vehicles,
        Unit::Schools => pb::AmountUnit::Schools,
        Unit::Metres => pb::AmountUnit::Metres,
        Unit::Pounds => pb::AmountUnit::Pounds,
    }
}

/// One violation as a message.
pub fn violation_to_proto(v: &Violation) -> pb::PlanViolation {
    let index = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
    pb::PlanViolation {
        rule: rule_to_proto(v.rule) as i32,
        rule_code: v.rule.code().into(),
        session: match v.session {
            Some(Session::Am) => pb::Session::Am,
            Some(Session::Pm) => pb::Session::Pm,
            Some(Session::Day) => pb::Session::Day,
            None => pb::Session::Unspecified,
        } as i32,
        route: v.route.map(index),
        vehicle: v.run.clone().unwrap_or_default(),
        stop: v.stop.map(index),
        pupil: v.pupil.clone().unwrap_or_default(),
        amount: v.amount.map(|a| a.value),
        unit: v
            .amount
            .map_or(pb::AmountUnit::Unspecified, |a| unit_to_proto(a.unit)) as i32,
        message: v.message.clone(),
        fix: v.fix.clone(),
    }
}

/// The answer of `CheckPlan`: every violation and the checked plan's
/// figures.
pub fn check_response(checked: &Checked) -> pb::CheckPlanResponse {
    let plans = checked.plan.plans();
    let pupils: HashSet<&str> = plans
        .iter()
        .flat_map(|p| &p.routes)
        .flat_map(|r| &r.stops)
        .flat_map(|s| s.pupils.iter().map(String::as_str))
        .collect();
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    pb::CheckPlanResponse {
        valid: checked.violations.is_empty(),
        violations: checked.violations.iter().map(violation_to_proto).collect(),
        runs: count(plans.iter().map(|p| p.routes.len()).sum()),
        pupils_placed: count(pupils.len()),
        unassigned: count(checked.plan.unassigned()),
        cost: checked.plan.cost(),
    }
}
