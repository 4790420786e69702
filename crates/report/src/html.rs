//! `report.html`: one self-contained page (inline CSS and SVG, no scripts,
//! no external resources) with the KPIs, the map, a table per run and the
//! unplaced pupils with their reasons.

use crate::escape::escape;
use crate::geometry::Geometry;
use crate::kpi::{format_pounds, Kpis};
use crate::map::{map_svg, route_colour, route_swatch, MapOptions};
use senroute_model::time::format_clock;
use senroute_model::{DayPlan, Plan, Problem, Session};
use std::fmt::Write as _;

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;margin:0 auto;max-width:1060px;padding:16px;color:#1a1a1a;background:#fff}\
h1{font-size:1.5em;margin:0 0 4px}h2{font-size:1.2em;margin:28px 0 8px}\
.sub{color:#555;margin:0 0 14px}\
.kpis{display:flex;flex-wrap:wrap;gap:8px;margin:0 0 14px}\
.kpi{flex:1 1 96px;border:1px solid #ddd;border-radius:6px;padding:8px 10px}\
.kpi .v{display:block;font-size:1.25em;font-weight:600;white-space:nowrap}.kpi .l{color:#555;font-size:.85em}\
.kpi.bad{border-color:#c00000;background:#fff3f3}\
.map svg{width:100%;height:auto;border:1px solid #ccc;border-radius:4px}\
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;margin:6px 0 0;padding:0;list-style:none;font-size:.9em}\
.sw{display:inline-block;vertical-align:middle;margin-right:6px}\
table{border-collapse:collapse;width:100%;margin:0 0 18px;font-size:.92em}\
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e4e4e4;vertical-align:top}\
thead th{color:#fff}\
caption{text-align:left;font-weight:600;padding:6px 0}\
table.run{table-layout:fixed}\
table.run th:nth-child(1){width:7%}table.run th:nth-child(2),table.run th:nth-child(3),table.run th:nth-child(4){width:9%}\
table.run th:nth-child(5){width:33%}table.run th:nth-child(6){width:18%}table.run th:nth-child(7){width:15%;text-align:right}table.run th:nth-child(1){text-align:right}\
td{overflow-wrap:anywhere}\
td.n{text-align:right;font-variant-numeric:tabular-nums}\
.over{color:#c00000;font-weight:600}\
";

fn hhmm(seconds: f64) -> String {
    let c = format_clock(seconds);
    c.get(..5).unwrap_or(&c).to_string()
}

/// The whole report page. Every string from the problem or plan is
/// HTML-escaped; the page references no external script, stylesheet, font
/// or image.
pub fn report_html(problem: &Problem, plan: &Plan, geometry: &Geometry) -> String {
    let session = session_name(plan.session);
    let mut h = head(problem, session);
    session_body(&mut h, problem, plan, geometry, false);
    h.push_str("</body></html>\n");
    h
}

fn session_name(s: Session) -> &'static str {
    match s {
        Session::Am => "morning (AM), home to school",
        Session::Pm => "afternoon (PM), school to home",
        Session::Day => "the day (AM and PM)",
    }
}

fn head(problem: &Problem, session: &str) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>Transport plan – {session}</title><style>{STYLE}</style></head><body>\
<h1>Home-to-school transport plan</h1><p class=\"sub\">Session: {session} · {} pupils travelling · {} schools · {} vehicle types</p>",
        problem.travelling_pupils().count(),
        problem.schools.len(),
        problem.fleet.len()
    );
    h
}

fn kpi_boxes(h: &mut String, rows: Vec<(&'static str, String)>, bad: impl Fn(&str) -> bool) {
    h.push_str("<section class=\"kpis\">");
    for (label, value) in rows {
        let _ = write!(
            h,
            "<div class=\"kpi{}\"><span class=\"v\">{}</span><span class=\"l\">{}</span></div>",
            if bad(label) { " bad" } else { "" },
            escape(&value),
            escape(label)
        );
    }
    h.push_str("</section>");
}

/// The day's page: the day's figures (each vehicle's day rate once, crew
/// continuity), then the AM and the PM plan each with its map, runs, rides
/// and unassigned pupils.
pub fn day_report_html(problem: &Problem, day: &DayPlan, geometry: &Geometry) -> String {
    let t = &day.totals;
    let mut h = head(problem, session_name(Session::Day));
    let continuity = t.continuity.map_or_else(
        || "–".to_string(),
        |c| {
            format!(
                "{:.0} % ({} of {})",
                c * 100.0,
                t.same_vehicle,
                t.both_sessions
            )
        },
    );
    kpi_boxes(
        &mut h,
        vec![
            ("Cost per day", format_pounds(t.cost)),
            ("Vehicles", t.vehicles.to_string()),
            ("Day rates", format_pounds(t.day_rates)),
            ("AM running", format_pounds(t.am_running_cost)),
            ("PM running", format_pounds(t.pm_running_cost)),
            ("Same vehicle AM and PM", continuity),
            ("Vehicle-km", format!("{:.1} km", t.distance_m / 1000.0)),
            ("Unassigned", t.unassigned.to_string()),
        ],
        |label| label == "Unassigned" && t.unassigned > 0,
    );
    let _ = write!(
        h,
        "<p class=\"sub\">Each vehicle's day rate (with its passenger assistant) is counted once for the day; runs add their per-km and per-hour costs. Crew continuity: {}.</p>",
        day.continuity
    );
    for plan in day.plans() {
        let _ = write!(
            h,
            "<h2 style=\"font-size:1.35em;margin-top:36px\">{}</h2>",
            escape(&capitalise(session_name(plan.session)))
        );
        session_body(
            &mut h,
            &problem.for_session(plan.session),
            plan,
            geometry,
            true,
        );
    }
    h.push_str("</body></html>\n");
    h
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// KPIs, map, runs, rides and unassigned pupils of one session's plan. In a
/// day (`in_day`) the session shows its running cost, not a cost per day.
fn session_body(h: &mut String, problem: &Problem, plan: &Plan, geometry: &Geometry, in_day: bool) {
    let k = Kpis::from_plan(problem, plan);
    let mut rows = k.rows();
    if in_day {
        let running: f64 = plan
            .routes
            .iter()
            .filter_map(|r| {
                let vt = problem.vehicle_type(&r.vehicle_type)?;
                Some(vt.running_cost(r.distance_m, r.duration_s))
            })
            .sum();
        for row in &mut rows {
            if row.0 == "Cost per day" {
                *row = ("Running cost", format_pounds(running));
            }
        }
    }
    kpi_boxes(h, rows, |label| {
        (label == "Over ride cap" && k.pupils_over_cap > 0)
            || (label == "Unassigned" && k.unassigned > 0)
    });

    // The map first: it is what people look at.
    let svg = map_svg(problem, plan, geometry, &MapOptions::default());
    // Inline SVG in HTML needs no namespace declaration; dropping it keeps
    // the page free of any URL.
    let svg = svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1);
    let _ = write!(h, "<section class=\"map\">{svg}<ul class=\"legend\">");
    for (i, r) in plan.routes.iter().enumerate() {
        let _ = write!(
            h,
            "<li>{}Run {}: {}</li>",
            route_swatch(i),
            i + 1,
            escape(&r.label())
        );
    }
    h.push_str("</ul></section>");

    let _ = write!(h, "<h2>Runs ({})</h2>", plan.routes.len());
    if plan.routes.is_empty() {
        h.push_str("<p>No vehicle runs.</p>");
    }
    for (i, r) in plan.routes.iter().enumerate() {
        let colour = route_colour(i);
        let _ = write!(
            h,
            "<table class=\"run\"><caption>{}Run {}: {} — {} stops, {:.1} km, {:.0} min, {}</caption>\
<thead style=\"background:{colour}\"><tr><th>Stop</th><th>Arrive</th><th>Depart</th><th>Kind</th><th>Place</th><th>Pupils</th><th>On board</th></tr></thead><tbody>",
            route_swatch(i),
            i + 1,
            escape(&r.label()),
            r.stops.len(),
            r.distance_m / 1000.0,
            r.duration_s / 60.0,
            escape(&format_pounds(r.cost))
        );
        for (n, s) in r.stops.iter().enumerate() {
            let load = if s.load.wheelchair > 0 {
                format!("{} ({} wheelchair)", s.load.pupils(), s.load.wheelchair)
            } else {
                s.load.pupils().to_string()
            };
            let _ = write!(
                h,
                "<tr><td class=\"n\">{n}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
                hhmm(s.arrival_s),
                hhmm(s.departure_s),
                s.kind,
                escape(&crate::manifests::stop_label(problem, s, n == 0)),
                escape(&s.pupils.join(", ")),
                escape(&load)
            );
        }
        h.push_str("</tbody></table>");
    }

    if !plan.rides.is_empty() {
        h.push_str(
            "<h2>Pupil ride times</h2><table><thead style=\"background:#444\"><tr><th>Pupil</th><th>Run</th><th>Pick-up</th><th>Hand-over</th><th>Ride</th><th>Cap</th></tr></thead><tbody>",
        );
        for ride in &plan.rides {
            let cap = problem
                .pupil(&ride.pupil)
                .and_then(|p| problem.max_ride_seconds(p))
                .unwrap_or(ride.max_ride_s);
            let over = ride.ride_s > cap + crate::kpi::OVER_CAP_TOLERANCE_S;
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n{}\">{:.1} min</td><td class=\"n\">{:.0} min</td></tr>",
                escape(&ride.pupil),
                plan.routes
                    .get(ride.route)
                    .map_or_else(String::new, |r| escape(&format!("Run {}: {}", ride.route + 1, r.label()))),
                hhmm(ride.pickup_s),
                hhmm(ride.drop_s),
                if over { " over" } else { "" },
                ride.ride_s / 60.0,
                cap / 60.0
            );
        }
        h.push_str("</tbody></table>");
    }

    let _ = write!(h, "<h2>Unassigned pupils ({})</h2>", plan.unassigned.len());
    if plan.unassigned.is_empty() {
        h.push_str("<p>Every travelling pupil is on a run.</p>");
    } else {
        h.push_str(
            "<table><thead style=\"background:#c00000\"><tr><th>Pupil</th><th>School</th><th>Reason</th><th>Detail</th></tr></thead><tbody>",
        );
        for u in &plan.unassigned {
            let school = problem
                .pupil(&u.pupil)
                .map(|p| {
                    problem
                        .school(&p.school)
                        .map_or_else(|| format!("School {}", p.school), |s| s.name.clone())
                })
                .unwrap_or_default();
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&u.pupil),
                escape(&school),
                escape(u.reason.code()),
                escape(u.reason.detail())
            );
        }
        h.push_str("</tbody></table>");
    }
}
