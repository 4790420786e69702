//! Headline figures of a plan, as a coordinator reads them.

use senroute_model::{Plan, Problem};

/// Seconds a ride may exceed its cap before it counts as over: the model's
/// rounding allowance for every time comparison, the same the validator and
/// the engine use (a ride exactly at its cap is within it; one a second over
/// is not).
pub const OVER_CAP_TOLERANCE_S: f64 = senroute_model::TIME_TOLERANCE_S;

/// Headline KPIs of a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Kpis {
    /// Vehicle runs used.
    pub vehicles: usize,
    /// Daily cost of the runs (£).
    pub cost_per_day: f64,
    /// Kilometres driven by all vehicles.
    pub vehicle_km: f64,
    /// Pupils placed on a run.
    pub assigned: usize,
    /// Mean pupil ride time in minutes; `None` when no pupil rides.
    pub mean_ride_minutes: Option<f64>,
    /// Longest pupil ride time in minutes; `None` when no pupil rides.
    pub worst_ride_minutes: Option<f64>,
    /// Pupils whose ride is longer than their maximum ride time.
    pub pupils_over_cap: usize,
    /// Pupils left out of the plan.
    pub unassigned: usize,
}

impl Kpis {
    /// Computes the KPIs from the plan's runs and rides.
    ///
    /// A pupil's cap is the one the problem gives
    /// ([`Problem::max_ride_seconds`]), falling back to the cap recorded on
    /// the ride when the pupil is not in the problem. A ride counts as over
    /// its cap when longer by more than [`OVER_CAP_TOLERANCE_S`].
    pub fn from_plan(problem: &Problem, plan: &Plan) -> Kpis {
        let rides: Vec<f64> = plan.rides.iter().map(|r| r.ride_s / 60.0).collect();
        let mean_ride_minutes =
            (!rides.is_empty()).then(|| rides.iter().sum::<f64>() / rides.len() as f64);
        let worst_ride_minutes = rides.iter().copied().reduce(f64::max);
        let pupils_over_cap = plan
            .rides
            .iter()
            .filter(|r| {
                let cap = problem
                    .pupil(&r.pupil)
                    .and_then(|p| problem.max_ride_seconds(p))
                    .unwrap_or(r.max_ride_s);
                r.ride_s > cap + OVER_CAP_TOLERANCE_S
            })
            .count();
        Kpis {
            vehicles: plan.routes.len(),
            cost_per_day: plan.routes.iter().map(|r| r.cost).sum(),
            vehicle_km: plan.routes.iter().map(|r| r.distance_m).sum::<f64>() / 1000.0,
            assigned: plan.rides.len(),
            mean_ride_minutes,
            worst_ride_minutes,
            pupils_over_cap,
            unassigned: plan.unassigned.len(),
        }
    }

    /// The KPIs as `(label, value)` pairs in display order, values formatted
    /// for people (`£1,234.50`, `12.3 km`, `41.0 min`, `–` when undefined).
    pub fn rows(&self) -> Vec<(&'static str, String)> {
        let minutes = |m: Option<f64>| m.map_or_else(|| "–".to_string(), |m| format!("{m:.1} min"));
        vec![
            ("Vehicles", self.vehicles.to_string()),
            ("Cost per day", format_pounds(self.cost_per_day)),
            ("Vehicle-km", format!("{:.1} km", self.vehicle_km)),
            ("Pupils placed", self.assigned.to_string()),
            ("Mean ride", minutes(self.mean_ride_minutes)),
            ("Worst ride", minutes(self.worst_ride_minutes)),
            ("Over ride cap", self.pupils_over_cap.to_string()),
            ("Unassigned", self.unassigned.to_string()),
        ]
    }
}

/// Pounds with thousands separators and pence, e.g. `£12,345.60`.
pub fn format_pounds(x: f64) -> String {
    if !x.is_finite() {
        return format!("£{x}");
    }
    let pence = (x.abs() * 100.0).round() as u64;
    let (whole, frac) = (pence / 100, pence % 100);
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if x < 0.0 && pence > 0 { "-" } else { "" };
    format!("{sign}£{grouped}.{frac:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pounds_are_grouped() {
        assert_eq!(format_pounds(0.0), "£0.00");
        assert_eq!(format_pounds(999.999), "£1,000.00");
        assert_eq!(format_pounds(1234567.5), "£1,234,567.50");
        assert_eq!(format_pounds(-12.3), "-£12.30");
        assert_eq!(format_pounds(123.0), "£123.00");
    }
}
