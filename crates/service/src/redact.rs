//! What a borough may see of a pooled plan.
//!
//! A pupil belongs to the borough in `pupil.borough`, or to the job's owner
//! when that is empty. A borough reading a plan sees its own pupils in full.
//! Every other pupil is redacted:
//!
//! * the id becomes an opaque token `x-` + 16 hex digits of
//!   SHA-256(job salt ‖ id). The salt is random per job and never leaves the
//!   server, so tokens are stable within a job (a token picked up at one
//!   stop is the one dropped at another) but cannot be linked across jobs or
//!   reversed by hashing guessed ids such as `P001`;
//! * the home stop keeps its times and loads but loses its coordinates, and
//!   its location key carries the token — not even a rounded or snapped
//!   point, since in a residential street that still singles out a house;
//! * the human detail of an unassigned entry is withheld (it may quote
//!   addresses or needs); the reason code stays. Whole-word mentions of a
//!   redacted id in the details of visible pupils are replaced by its token.
//!
//! Route geometry of schools and depots, times, loads, costs and totals are
//! shared in full: the participating boroughs share the vehicles.

use crate::auth::hex;
use senroute_model::{AnyPlan, Location, LocationKey, Plan, Problem, UnassignedReason};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::collections::HashSet;

/// The opaque token of a redacted pupil id.
pub fn token(salt: &[u8], pupil_id: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(pupil_id.as_bytes());
    format!("x-{}", &hex(&h.finalize())[..16])
}

/// The borough `pupil_id` belongs to.
fn pupil_borough<'a>(problem: &'a Problem, owner: &'a str, pupil_id: &str) -> &'a str {
    problem
        .pupil(pupil_id)
        .and_then(|p| p.borough.as_deref())
        .filter(|b| !b.is_empty())
        .unwrap_or(owner)
}

/// The plan as `viewer` may see it, and how many pupils were redacted.
pub fn redact_plan(
    plan: &Plan,
    problem: &Problem,
    owner: &str,
    viewer: &str,
    salt: &[u8],
) -> (Plan, u32) {
    let hidden = hidden_pupils(problem, owner, viewer, salt);
    let mut seen = HashSet::new();
    let out = redact_with(plan, &hidden, &mut seen);
    (out, u32::try_from(seen.len()).unwrap_or(u32::MAX))
}

/// A session or day plan as `viewer` may see it (each session plan redacted
/// alike, tokens the same in both), and how many pupils were redacted.
pub fn redact_any_plan(
    plan: &AnyPlan,
    problem: &Problem,
    owner: &str,
    viewer: &str,
    salt: &[u8],
) -> (AnyPlan, u32) {
    let hidden = hidden_pupils(problem, owner, viewer, salt);
    let mut seen = HashSet::new();
    let out = match plan {
        AnyPlan::Session(p) => AnyPlan::Session(redact_with(p, &hidden, &mut seen)),
        AnyPlan::Day(d) => {
            let mut d = d.clone();
            d.am = redact_with(&d.am, &hidden, &mut seen);
            d.pm = redact_with(&d.pm, &hidden, &mut seen);
            AnyPlan::Day(d)
        }
    };
    (out, u32::try_from(seen.len()).unwrap_or(u32::MAX))
}

/// Token of each pupil `viewer` may not see.
fn hidden_pupils<'a>(
    problem: &'a Problem,
    owner: &str,
    viewer: &str,
    salt: &[u8],
) -> HashMap<&'a str, String> {
    problem
        .pupils
        .iter()
        .filter(|p| pupil_borough(problem, owner, &p.id) != viewer)
        .map(|p| (p.id.as_str(), token(salt, &p.id)))
        .collect()
}

/// `plan` with the `hidden` pupils redacted; adds those it names to `seen`.
fn redact_with(plan: &Plan, hidden: &HashMap<&str, String>, seen: &mut HashSet<String>) -> Plan {
    if hidden.is_empty() {
        return plan.clone();
    }
    let map = |id: &str| hidden.get(id).cloned().unwrap_or_else(|| id.to_string());
    let mut out = plan.clone();
    for route in &mut out.routes {
        for stop in &mut route.stops {
            for p in &mut stop.pupils {
                if hidden.contains_key(p.as_str()) {
                    seen.insert(p.clone());
                }
                *p = map(p);
            }
            if let LocationKey::Home(id) = &stop.location_key {
                if let Some(t) = hidden.get(id.as_str()) {
                    stop.location_key = LocationKey::Home(t.clone());
                    stop.location = Location::new(f64::NAN, f64::NAN);
                }
            }
        }
    }
    for r in &mut out.rides {
        if hidden.contains_key(r.pupil.as_str()) {
            seen.insert(r.pupil.clone());
        }
        r.pupil = map(&r.pupil);
    }
    for u in &mut out.unassigned {
        let detail = if hidden.contains_key(u.pupil.as_str()) {
            seen.insert(u.pupil.clone());
            "withheld: pupil of another borough".to_string()
        } else {
            replace_words(u.reason.detail(), hidden)
        };
        set_detail(&mut u.reason, detail);
        u.pupil = map(&u.pupil);
    }
    out
}

fn set_detail(r: &mut UnassignedReason, new: String) {
    match r {
        UnassignedReason::NoCompatibleVehicle { detail }
        | UnassignedReason::WindowInfeasible { detail }
        | UnassignedReason::RideTimeInfeasible { detail }
        | UnassignedReason::DutyInfeasible { detail }
        | UnassignedReason::FleetCapacity { detail }
        | UnassignedReason::Unreachable { detail }
        | UnassignedReason::CrewContinuity { detail } => *detail = new,
    }
}

/// Replaces whole words (runs of alphanumerics, `-` and `_`) found in `map`.
fn replace_words(text: &str, map: &HashMap<&str, String>) -> String {
    let is_word = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    for c in text.chars().chain(std::iter::once('\0')) {
        if is_word(c) {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            out.push_str(map.get(word.as_str()).map_or(word.as_str(), String::as_str));
            word.clear();
        }
        if c != '\0' {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_stable_per_salt_and_unlinkable_across_salts() {
        assert_eq!(token(b"a", "P1"), token(b"a", "P1"));
        assert_ne!(token(b"a", "P1"), token(b"b", "P1"));
        assert_ne!(token(b"a", "P1"), token(b"a", "P2"));
        assert_eq!(token(b"a", "P1").len(), 18);
    }

    #[test]
    fn whole_words_only() {
        let map: HashMap<&str, String> = [("P1", "x-1".to_string())].into();
        assert_eq!(replace_words("P1 and P10 (P1)", &map), "x-1 and P10 (x-1)");
    }
}
