//! `manifests.html`: one printable A4 page per run for the driver and the
//! passenger assistant — the vehicle, the depot, every stop in order with
//! its times and a readable label (who is picked up, which school), each
//! pupil's needs in plain words and the coordinator's passthrough fields.
//!
//! Each run is one `<section>` that starts a new page and is never split
//! (`break-before`/`break-inside` in the print CSS), so printing, or
//! rendering to PDF, gives exactly one page per run.

use crate::escape::escape;
use senroute_model::time::format_clock;
use senroute_model::{LocationKey, Plan, Problem, Pupil, Route, Session, Stop, StopKind};
use std::fmt::Write as _;

const STYLE: &str = "\
@page{size:A4;margin:12mm}\
*{box-sizing:border-box}\
body{font-family:'DejaVu Sans',Arial,Helvetica,sans-serif;font-size:9.5pt;color:#000;margin:0}\
section.run{break-before:page;page-break-before:always;break-inside:avoid;page-break-inside:avoid}\
section.run:first-of-type{break-before:auto;page-break-before:auto}\
h1{font-size:15pt;margin:0 0 2mm}\
.meta{display:grid;grid-template-columns:1fr 1fr;gap:1mm 6mm;margin:0 0 3mm;font-size:9.5pt}\
.meta b{display:inline-block;min-width:30mm}\
.needs{border:1.5px solid #000;padding:1.5mm 2.5mm;margin:0 0 3mm;font-size:10pt}\
table{width:100%;border-collapse:collapse;break-inside:avoid;page-break-inside:avoid}\
th,td{border:1px solid #777;padding:1mm 1.5mm;text-align:left;vertical-align:top}\
th{background:#e8e8e8}\
td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}\
td.t{white-space:nowrap}\
.need{font-weight:bold}\
.x{color:#333}\
.sign{margin-top:4mm;display:flex;gap:10mm;font-size:9pt}\
.sign span{flex:1;border-top:1px solid #000;padding-top:1mm}\
";

fn hhmm(seconds: f64) -> String {
    let c = format_clock(seconds);
    c.get(..5).unwrap_or(&c).to_string()
}

/// A pupil's needs in plain words, e.g. `["Wheelchair", "Tail-lift",
/// "Passenger assistant", "Travel alone", "+5 min boarding"]`; empty when
/// the pupil has none of them.
pub fn needs_words(pupil: &Pupil) -> Vec<String> {
    let n = &pupil.needs;
    let mut out = Vec::new();
    for (on, word) in [
        (n.wheelchair, "Wheelchair"),
        (n.tail_lift, "Tail-lift"),
        (n.passenger_assistant, "Passenger assistant"),
        (n.travel_alone, "Travel alone"),
    ] {
        if on {
            out.push(word.to_string());
        }
    }
    if n.extra_boarding_minutes > 0 {
        out.push(format!("+{} min boarding", n.extra_boarding_minutes));
    }
    out
}

/// What happens at a stop, for people: `Leave depot (CAMDEN-TAXI-4)`,
/// `Pick up P0067 at home`, `Drop at Acland Burghley School (100046)`,
/// `Collect from …`, `Drop P0067 at home`, `Return to depot`.
pub fn stop_label(problem: &Problem, stop: &Stop, first: bool) -> String {
    let pupils = stop.pupils.join(", ");
    match (&stop.location_key, stop.kind) {
        (LocationKey::Depot(id), _) if first => format!("Leave depot ({id})"),
        (LocationKey::Depot(id), _) => format!("Return to depot ({id})"),
        (LocationKey::School(id), kind) => {
            let school = problem
                .school(id)
                .map_or_else(|| format!("school {id}"), |s| format!("{} ({id})", s.name));
            match kind {
                StopKind::Pickup => format!("Collect from {school}"),
                _ => format!("Drop at {school}"),
            }
        }
        (LocationKey::Home(_), StopKind::Drop) => format!("Drop {pupils} at home"),
        (LocationKey::Home(_), _) => format!("Pick up {pupils} at home"),
    }
}

/// The pupils of a stop with their needs and passthrough fields, as HTML.
fn pupils_cell(problem: &Problem, stop: &Stop) -> String {
    let at_home = matches!(stop.location_key, LocationKey::Home(_));
    if !at_home {
        return escape(&stop.pupils.join(", "));
    }
    let mut h = String::new();
    for (k, id) in stop.pupils.iter().enumerate() {
        if k > 0 {
            h.push_str("<br>");
        }
        let _ = write!(h, "<b>{}</b>", escape(id));
        let Some(p) = problem.pupil(id) else { continue };
        let needs = needs_words(p);
        if !needs.is_empty() {
            let _ = write!(
                h,
                " — <span class=\"need\">{}</span>",
                escape(&needs.join(", "))
            );
        }
        if let Some(school) = problem.school(&p.school) {
            let _ = write!(h, " · to {}", escape(&school.name));
        }
        for (name, value) in &p.extra {
            let _ = write!(
                h,
                "<br><span class=\"x\">{}: {}</span>",
                escape(name),
                escape(value)
            );
        }
    }
    h
}

/// Plain-words summary of who needs what on a run, for the top of its page.
fn run_needs(problem: &Problem, route: &Route) -> String {
    let mut counts: Vec<(String, Vec<&str>)> = Vec::new();
    for s in route.stops.iter().filter(|s| s.kind == StopKind::Pickup) {
        for id in &s.pupils {
            let Some(p) = problem.pupil(id) else { continue };
            for w in needs_words(p) {
                let w = if w.starts_with('+') {
                    "Extra boarding time".to_string()
                } else {
                    w
                };
                match counts.iter_mut().find(|(x, _)| *x == w) {
                    Some((_, ids)) => ids.push(id),
                    None => counts.push((w, vec![id])),
                }
            }
        }
    }
    if counts.is_empty() {
        return "No pupil on this run has a listed need.".into();
    }
    counts
        .iter()
        .map(|(w, ids)| format!("<b>{}</b>: {}", escape(w), escape(&ids.join(", "))))
        .collect::<Vec<_>>()
        .join(" · ")
}

fn run_page(h: &mut String, problem: &Problem, plan: &Plan, index: usize, route: &Route) {
    let session = match plan.session {
        Session::Am => "AM (home to school)",
        Session::Pm => "PM (school to home)",
        Session::Day => "AM and PM",
    };
    let v = problem.vehicle_type(&route.vehicle_type);
    let pupils: usize = route
        .stops
        .iter()
        .filter(|s| s.kind == StopKind::Pickup)
        .map(|s| s.pupils.len())
        .sum();
    let _ = write!(
        h,
        "<section class=\"run\"><h1>Run {} · {} · {session}</h1><div class=\"meta\">",
        index + 1,
        escape(&route.label())
    );
    let mut meta = |k: &str, val: String| {
        let _ = write!(h, "<div><b>{}</b>{}</div>", escape(k), escape(&val));
    };
    meta("Run id", format!("{} {}", plan.session, index + 1));
    meta("Vehicle", route.label());
    if let Some(v) = v {
        let mut kit = format!("{} seats", v.seats);
        if v.wheelchair_spaces > 0 {
            kit.push_str(&format!(", {} wheelchair spaces", v.wheelchair_spaces));
        }
        if v.tail_lift {
            kit.push_str(", tail-lift");
        }
        meta("Equipment", kit);
        meta(
            "Passenger assistant",
            if v.passenger_assistant {
                "on board".into()
            } else {
                "none".into()
            },
        );
        meta(
            "Depot",
            format!("{} ({:.5}, {:.5})", v.id, v.depot.lat, v.depot.lon),
        );
    }
    if let (Some(first), Some(last)) = (route.stops.first(), route.stops.last()) {
        meta(
            "Leaves / returns",
            format!("{} / {}", hhmm(first.departure_s), hhmm(last.arrival_s)),
        );
    }
    meta(
        "Pupils / distance",
        format!("{pupils} / {:.1} km", route.distance_m / 1000.0),
    );
    let _ = write!(
        h,
        "</div><div class=\"needs\">{}</div>\
<table><thead><tr><th>#</th><th>Arrive</th><th>Leave</th><th>Stop</th><th>Pupils, needs and notes</th><th>On board</th></tr></thead><tbody>",
        run_needs(problem, route)
    );
    for (n, s) in route.stops.iter().enumerate() {
        let load = if s.load.wheelchair > 0 {
            format!("{} ({} wheelchair)", s.load.pupils(), s.load.wheelchair)
        } else {
            s.load.pupils().to_string()
        };
        let _ = write!(
            h,
            "<tr><td class=\"n\">{n}</td><td class=\"t\">{}</td><td class=\"t\">{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
            hhmm(s.arrival_s),
            hhmm(s.departure_s),
            escape(&stop_label(problem, s, n == 0)),
            pupils_cell(problem, s),
            escape(&load)
        );
    }
    h.push_str(
        "</tbody></table><div class=\"sign\"><span>Driver</span><span>Passenger assistant</span><span>Checked by</span></div></section>",
    );
}

/// The manifests of one or more sessions' plans (e.g. the AM and the PM
/// plan of a day) in one page: a page per run, in session order.
pub fn manifests_html_sessions(sessions: &[(&Problem, &Plan)]) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>Run manifests</title><style>{STYLE}</style></head><body>"
    );
    let mut any = false;
    for (problem, plan) in sessions {
        for (i, r) in plan.routes.iter().enumerate() {
            run_page(&mut h, problem, plan, i, r);
            any = true;
        }
    }
    if !any {
        h.push_str("<p>No vehicle runs in this plan.</p>");
    }
    h.push_str("</body></html>\n");
    h
}

/// `manifests.html` of one session's plan: a printable A4 page per run.
pub fn manifests_html(problem: &Problem, plan: &Plan) -> String {
    manifests_html_sessions(&[(problem, plan)])
}
