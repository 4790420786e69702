//! A summary of a generated cohort: counts and realised shares.

use std::collections::BTreeSet;
use std::fmt;

use senroute_model::Problem;
use senroute_roads::Borough;
use serde::Serialize;

use crate::catalogue::SchoolCatalogue;

/// Counts of one borough's part of a cohort.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BoroughStats {
    /// GSS code.
    pub gss: String,
    /// Borough name.
    pub name: String,
    /// Pupils living in the borough.
    pub pupils: usize,
    /// Of them, attending a school in another borough.
    pub crossing: usize,
    /// Vehicles the borough owns.
    pub vehicles: u32,
}

/// Counts and realised shares of a cohort, for printing and for checking
/// against the [`CohortParams`](crate::CohortParams).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohortStats {
    /// Pupils.
    pub pupils: usize,
    /// Schools attended.
    pub schools: usize,
    /// Of them, special schools.
    pub special_schools: usize,
    /// Vehicle types (rows of `fleet.csv`).
    pub vehicle_types: usize,
    /// Vehicles over all types.
    pub vehicles: u32,
    /// Share of pupils attending a special school.
    pub special_school_share: f64,
    /// Share of pupils whose school is in another borough than their home.
    pub cross_borough_share: f64,
    /// Share of wheelchair users.
    pub wheelchair_share: f64,
    /// Share of pupils needing a tail-lift.
    pub tail_lift_share: f64,
    /// Share of pupils needing a passenger assistant.
    pub passenger_assistant_share: f64,
    /// Share of pupils travelling alone.
    pub travel_alone_share: f64,
    /// Share of pupils in a must-not-travel-together pair.
    pub must_not_travel_share: f64,
    /// Share of primary-phase pupils.
    pub primary_share: f64,
    /// Share of pupils travelling in the morning.
    pub am_share: f64,
    /// Per requested borough, in the order asked.
    pub boroughs: Vec<BoroughStats>,
}

impl CohortStats {
    /// Computes the summary of `problem` for the requested `boroughs`;
    /// `catalogue` tells which schools are special.
    pub fn of(problem: &Problem, boroughs: &[Borough], catalogue: &SchoolCatalogue) -> Self {
        let special: BTreeSet<&str> = catalogue
            .schools()
            .iter()
            .filter(|s| s.special)
            .map(|s| s.id.as_str())
            .collect();
        let n = problem.pupils.len();
        let share = |f: &dyn Fn(&senroute_model::Pupil) -> bool| {
            if n == 0 {
                0.0
            } else {
                problem.pupils.iter().filter(|p| f(p)).count() as f64 / n as f64
            }
        };
        let crosses = |p: &senroute_model::Pupil| {
            problem
                .school(&p.school)
                .is_some_and(|s| s.borough != p.borough)
        };
        CohortStats {
            pupils: n,
            schools: problem.schools.len(),
            special_schools: problem
                .schools
                .iter()
                .filter(|s| special.contains(s.id.as_str()))
                .count(),
            vehicle_types: problem.fleet.len(),
            vehicles: problem.fleet.iter().map(|v| v.count).sum(),
            special_school_share: share(&|p| special.contains(p.school.as_str())),
            cross_borough_share: share(&crosses),
            wheelchair_share: share(&|p| p.needs.wheelchair),
            tail_lift_share: share(&|p| p.needs.tail_lift),
            passenger_assistant_share: share(&|p| p.needs.passenger_assistant),
            travel_alone_share: share(&|p| p.needs.travel_alone),
            must_not_travel_share: share(&|p| !p.needs.must_not_travel_with.is_empty()),
            primary_share: share(&|p| p.phase == Some(senroute_model::Phase::Primary)),
            am_share: share(&|p| p.sessions.includes(senroute_model::Session::Am)),
            boroughs: boroughs
                .iter()
                .map(|b| {
                    let mine = || {
                        problem
                            .pupils
                            .iter()
                            .filter(|p| p.borough.as_deref() == Some(b.gss.as_str()))
                    };
                    BoroughStats {
                        gss: b.gss.clone(),
                        name: b.name.clone(),
                        pupils: mine().count(),
                        crossing: mine().filter(|p| crosses(p)).count(),
                        vehicles: problem
                            .fleet
                            .iter()
                            .filter(|v| v.borough.as_deref() == Some(b.gss.as_str()))
                            .map(|v| v.count)
                            .sum(),
                    }
                })
                .collect(),
        }
    }
}

impl fmt::Display for CohortStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pc = |x: f64| format!("{:.1} %", 100.0 * x);
        writeln!(
            f,
            "{} pupils, {} schools ({} special), {} vehicles in {} types",
            self.pupils, self.schools, self.special_schools, self.vehicles, self.vehicle_types
        )?;
        writeln!(
            f,
            "{} at special schools, {} crossing boroughs, {} primary",
            pc(self.special_school_share),
            pc(self.cross_borough_share),
            pc(self.primary_share)
        )?;
        writeln!(
            f,
            "{} wheelchair ({} tail-lift), {} passenger assistant, {} travelling alone, {} in must-not-travel-together pairs",
            pc(self.wheelchair_share),
            pc(self.tail_lift_share),
            pc(self.passenger_assistant_share),
            pc(self.travel_alone_share),
            pc(self.must_not_travel_share)
        )?;
        for b in &self.boroughs {
            writeln!(
                f,
                "  {} {}: {} pupils, {} crossing, {} vehicles",
                b.gss, b.name, b.pupils, b.crossing, b.vehicles
            )?;
        }
        Ok(())
    }
}
