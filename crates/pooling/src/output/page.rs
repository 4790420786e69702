//! `pooling.html`: the study for a finance officer. Borough names, £ per
//! day and per year, whole vehicles, each borough's bill alone and pooled
//! with its interval, the method and assumptions in plain English, and the
//! alone and pooled maps side by side. Nothing raw (no codes, indices or
//! JSON); fits a laptop screen and prints on A4.

use crate::game::{CoreViolation, ShapleyMethod};
use crate::stats::{Estimate, CONFIDENCE};
use crate::study::PoolingReport;
use std::fmt::Write as _;

fn esc(s: &str) -> String {
    html_escape::encode_text(s).into_owned()
}

/// `£1,234` (whole pounds) or `£1,234.56`.
pub fn money(x: f64, pence: bool) -> String {
    let neg = x < 0.0;
    let x = x.abs();
    let whole = if pence { x.trunc() } else { x.round() };
    let digits = format!("{whole:.0}");
    let mut grouped = String::new();
    for (k, ch) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let p = if pence {
        format!(".{:02}", ((x - whole) * 100.0).round().min(99.0) as u32)
    } else {
        String::new()
    };
    format!("{}£{grouped}{p}", if neg { "−" } else { "" })
}

/// `£a to £b` for an interval, or nothing from a single run.
fn interval(e: &Estimate, scale: f64) -> String {
    if e.runs < 2 {
        return String::new();
    }
    format!(
        "{} to {}",
        money(e.low * scale, false),
        money(e.high * scale, false)
    )
}

fn names_of(r: &PoolingReport, v: &CoreViolation) -> String {
    let names: Vec<&str> = v
        .players
        .iter()
        .map(|&i| r.boroughs[i].name.as_str())
        .collect();
    join_names(&names)
}

fn join_names(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

const STYLE: &str = "body{font-family:Arial,Helvetica,sans-serif;margin:1.5em auto;max-width:1100px;padding:0 1em;color:#222;line-height:1.4}\
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc}\
.kpi{font-size:1.25em;background:#eef5ee;border-left:6px solid #2e7d32;padding:.6em 1em}\
.warn{background:#fff4e5;border-left:6px solid #e65100;padding:.6em 1em}\
table{border-collapse:collapse;margin:.8em 0;width:100%;font-size:.95em}td,th{border:1px solid #ccc;padding:4px 6px;text-align:right;vertical-align:top}\
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}.small{font-size:.85em;color:#555}\
.maps{display:grid;grid-template-columns:1fr 1fr;gap:1em}.maps figure{margin:0}.maps svg{width:100%;height:auto}\
figcaption{font-weight:bold}svg.chart{width:100%;max-width:720px;height:auto}\
@media print{body{margin:0;max-width:none;font-size:10pt}.maps{break-inside:avoid}h2{break-after:avoid}table{break-inside:auto}tr{break-inside:avoid}}";

/// The page: `maps` is the alone and pooled maps (HTML figures) or empty.
pub fn html(r: &PoolingReport, maps: &str) -> String {
    let days = r.options.school_days_per_year;
    let n = r.boroughs.len();
    let runs = r.runs.len();
    let all_names: Vec<&str> = r.boroughs.iter().map(|b| b.name.as_str()).collect();
    let pct = (CONFIDENCE * 100.0).round();
    let mut s = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Sharing SEN school transport: {}</title><style>{STYLE}</style></head><body>",
        esc(&join_names(&all_names))
    );
    let _ = write!(
        s,
        "<h1>Sharing SEN school transport between {}</h1><p class=\"small\">Home-to-school transport for pupils with special educational needs, {} session. A study by senroute {}.</p>",
        esc(&join_names(&all_names)),
        match r.session {
            senroute_model::Session::Am => "morning",
            senroute_model::Session::Pm => "afternoon",
            senroute_model::Session::Day => "whole-day",
        },
        esc(&r.version)
    );
    // Headline.
    let ci = interval(&r.saving, 1.0);
    let _ = write!(
        s,
        "<p class=\"kpi\">Planning together instead of separately saves an estimated <b>{} a day</b>, about <b>{} a year</b> over {days:.0} school days: {:.1} % of the {} a day the boroughs spend planning separately.{}</p>",
        money(r.saving.mean, false),
        money(r.saving.mean * days, false),
        r.saving_pct.mean,
        money(r.alone_cost.mean, false),
        if ci.is_empty() {
            " (From a single run of the planner: no interval.)".to_string()
        } else {
            format!(
                " We are {pct:.0} % confident the daily saving lies between {} and {} ({} to {} a year).",
                money(r.saving.low, false),
                money(r.saving.high, false),
                money(r.saving.low * days, false),
                money(r.saving.high * days, false)
            )
        }
    );
    let _ = write!(
        s,
        "<p>Planned separately, the {n} boroughs use <b>{} vehicles</b>; planned together, <b>{} vehicles</b>. Every pupil's maximum journey time, wheelchair and passenger-assistant needs and school times are kept in both; every plan was checked rule by rule before its cost was counted.</p>",
        r.alone_total.vehicles.round() as usize,
        r.pooled_total.vehicles.round() as usize
    );
    let unplaced = r.alone_total.unassigned + r.pooled_total.unassigned;
    if unplaced > 0 {
        let _ = write!(
            s,
            "<p class=\"warn\">{} pupils could not be given transport when boroughs plan separately and {} when they plan together (for example, no suitable vehicle in the fleet). Each such pupil is counted at {} a day in the figures, so that a plan cannot look cheap by leaving children behind.</p>",
            r.alone_total.unassigned,
            r.pooled_total.unassigned,
            money(r.options.unassigned_penalty, false)
        );
    }
    // The bill per borough.
    let _ = write!(
        s,
        "<h2>What each borough would pay</h2><p>Costs per school day and per year. “Pooled” is the borough's fair share of the joint cost (explained below). The range under each figure is the {pct:.0} % interval over {runs} independent runs of the planner.</p>"
    );
    s.push_str("<table><tr><th>Borough</th><th>Pupils</th><th>Vehicles on its own</th><th>Pays on its own, per day</th><th>Pays pooled, per day</th><th>Saving per day</th><th>Saving per year</th></tr>");
    for b in &r.boroughs {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}<br><span class=\"small\">{}</span></td><td>{}<br><span class=\"small\">{}</span></td><td>{} ({:.1} %)<br><span class=\"small\">{}</span></td><td>{}</td></tr>",
            esc(&b.name),
            b.alone.pupils,
            b.alone.vehicles.round() as usize,
            money(b.alone_cost.mean, false),
            interval(&b.alone_cost, 1.0),
            money(b.shapley.mean, false),
            interval(&b.shapley, 1.0),
            money(b.saving.mean, false),
            b.saving_pct,
            interval(&b.saving, 1.0),
            money(b.saving.mean * days, false)
        );
    }
    let _ = write!(
        s,
        "<tr><th>All {n} boroughs</th><th>{}</th><th>{} (together: {})</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></table>",
        r.alone_total.pupils,
        r.alone_total.vehicles.round() as usize,
        r.pooled_total.vehicles.round() as usize,
        money(r.alone_cost.mean, false),
        money(r.pooled_cost.mean, false),
        money(r.saving.mean, false),
        money(r.saving.mean * days, false)
    );
    let _ = write!(s, "<h2>Cost per borough</h2>{}", chart_svg(r));
    s.push_str(&budget_table(r));
    // Three ways to split.
    let sampled = matches!(r.shapley_method, ShapleyMethod::Sampled { .. });
    s.push_str("<h2>Three ways to share the joint cost</h2><table><tr><th>Borough</th><th>Fair share (Shapley)</th><th>In proportion to cost on its own</th><th>Smallest-grievance split (least core)</th></tr>");
    for b in &r.boroughs {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}{}</td><td>{}</td><td>{}</td></tr>",
            esc(&b.name),
            money(b.shapley.mean, false),
            if sampled {
                format!(" ± {}", money(2.0 * b.shapley_sampling_error, false))
            } else {
                String::new()
            },
            money(b.proportional_share, false),
            money(b.least_core_share, false)
        );
    }
    s.push_str("</table>");
    s.push_str(&core_paragraph(r));
    // Method.
    let budget = match r.options.iterations_per_pupil {
        Some(i) => format!("{i} search steps per pupil"),
        None => format!(
            "{} seconds of search per pupil",
            r.options.seconds_per_pupil
        ),
    };
    let _ = write!(
        s,
        "<h2>How the figures were worked out</h2><ul>\
<li><b>Alone and together.</b> Each borough's pupils were planned with only that borough's own vehicles, and the boroughs' pupils were planned together with all their vehicles combined. Both use the same road travel times, the same rules and the same search effort ({budget}). A group of boroughs is never costed above what its members' own plans cost side by side, because they could always simply keep those.</li>\
<li><b>Repeated runs.</b> The planner searches among billions of possible routes and does not always find the very best; two runs can differ by a few vehicles. So the whole study was run {runs} times with different random starting points. The figures are averages over the runs, and the ranges are {pct:.0} % intervals from a bootstrap (re-drawing the runs at random many times and seeing how much the average moves). The maps and vehicle counts show the run with the cheapest joint plan.</li>\
<li><b>The fair share (Shapley value).</b> Imagine the boroughs joining the partnership one at a time. Each borough pays the extra cost the partnership incurs when it joins, averaged over every order in which they could join. Nobody is favoured for joining first or last, a borough that adds nothing pays nothing, and the shares add up exactly to the joint cost. {}</li>\
<li><b>In proportion.</b> The joint cost shared in proportion to what each borough pays on its own: simple, but it ignores who makes the savings possible.</li>\
<li><b>Assumptions.</b> Vehicle prices (daily hire, per mile and per hour, passenger assistants) are those in the fleet file; a year is {days:.0} school days; a pupil left without transport counts {} a day; journeys are planned for one session, so a full school day with both journeys would roughly double the figures.</li></ul>",
        if sampled {
            format!("With {n} boroughs there are too many orders to try them all, so {} random orders were used; the ± after each fair share is twice its sampling error (about {pct:.0} % confidence).", match r.shapley_method { ShapleyMethod::Sampled { permutations, .. } => permutations, ShapleyMethod::Exact => 0 })
        } else {
            "Every order was counted exactly.".to_string()
        },
        money(r.options.unassigned_penalty, false)
    );
    if !maps.is_empty() {
        let _ = write!(
            s,
            "<h2>The routes: each borough on its own (left) and together (right)</h2><div class=\"maps\">{maps}</div>"
        );
    }
    let _ = write!(
        s,
        "<h2>Technical record</h2><p class=\"small\">senroute {}; runs with seeds {}; {budget}; maps from the run with seed {}; {} plans set aside because a check found a broken rule.</p><ul class=\"small\">",
        esc(&r.version),
        r.runs
            .iter()
            .map(|x| x.seed.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        r.published_seed,
        r.rejected_plans
    );
    for (f, h) in &r.inputs {
        let _ = write!(
            s,
            "<li>{} (fingerprint {})</li>",
            esc(f),
            esc(&h[..h.len().min(16)])
        );
    }
    s.push_str("</ul></body></html>");
    s
}

/// The saving against the search budget, when the study compared budgets.
fn budget_table(r: &PoolingReport) -> String {
    if r.budget_curve.is_empty() {
        return String::new();
    }
    let mut s = String::from("<h2>Does more computer time change the answer?</h2><p>The whole study was repeated with more search time per pupil. If the saving and its range stay put as the time grows, the figure is a property of the boroughs, not of how long the computer searched.</p><table><tr><th>Search time per pupil</th><th>Separately, per day</th><th>Together, per day</th><th>Saving per day</th><th>Range of the saving</th><th>Saving %</th></tr>");
    for p in &r.budget_curve {
        let _ = write!(
            s,
            "<tr><td>{} s</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.1} %</td></tr>",
            p.seconds_per_pupil,
            money(p.alone_cost.mean, false),
            money(p.pooled_cost.mean, false),
            money(p.saving.mean, false),
            interval(&p.saving, 1.0),
            p.saving_pct.mean
        );
    }
    s.push_str("</table>");
    s
}

/// The paragraph on whether some split satisfies every group.
fn core_paragraph(r: &PoolingReport) -> String {
    let scope = if r.core.complete {
        "every group of boroughs".to_string()
    } else {
        format!(
            "the {} groups of boroughs that were costed",
            r.core.coalitions_checked
        )
    };
    let mut s = String::from("<h2>Can every borough be better off?</h2>");
    if r.core.empty {
        let _ = write!(
            s,
            "<p class=\"warn\"><b>No split of the joint cost satisfies everyone.</b> Whatever way the joint cost is divided, some group of boroughs would pay at least {} a day more than it would by planning on its own.</p>",
            money(r.core.epsilon, true)
        );
    } else {
        let _ = write!(
            s,
            "<p><b>Yes.</b> There are ways of sharing the joint cost in which no borough, and no group of boroughs, pays more than it would by planning on its own (checked for {scope}); the smallest-grievance split leaves every group at least {} a day better off.</p>",
            money(-r.core.epsilon, true)
        );
    }
    let verdict = |label: &str, v: &[CoreViolation]| -> String {
        if v.is_empty() {
            format!(
                "<li>The {label} split charges no group more than it would pay on its own.</li>"
            )
        } else {
            let worst = v
                .iter()
                .max_by(|a, b| (a.charged - a.alone).total_cmp(&(b.charged - b.alone)))
                .expect("non-empty");
            format!(
                "<li>The {label} split charges {} group(s) more than on their own; the worst is {}, charged {} a day against {} on their own.</li>",
                v.len(),
                esc(&names_of(r, worst)),
                money(worst.charged, false),
                money(worst.alone, false)
            )
        }
    };
    s.push_str("<ul>");
    s.push_str(&verdict("fair-share (Shapley)", &r.shapley_core_violations));
    s.push_str(&verdict("proportional", &r.proportional_core_violations));
    s.push_str("</ul>");
    s.push_str("<p class=\"small\">What this means: a partnership is stable when no borough, or group of boroughs, could do better by walking away and planning on its own. Economists call the set of splits with that property the <i>core</i>. Sometimes it is empty: for example when two boroughs share very well with each other but adding a third brings little, any split of the three-way cost leaves some pair paying more than it would alone. The <i>least core</i> split is then the fairest compromise: it makes the largest overcharge of any group as small as possible (and, among such splits, stays closest to the fair share). When the core is not empty it is a split inside it with the widest margin for the worst-off group.</p>");
    s
}

/// An SVG bar chart: per borough, what it pays alone and pooled (fair
/// share), with the interval of the pooled share as a whisker.
pub fn chart_svg(r: &PoolingReport) -> String {
    let (w, h, left, bottom) = (720.0, 300.0, 70.0, 60.0);
    let max = r
        .boroughs
        .iter()
        .map(|b| b.alone_cost.high.max(b.shapley.high))
        .fold(1.0, f64::max)
        * 1.1;
    let group = (w - left - 20.0) / r.boroughs.len().max(1) as f64;
    let bar = group / 3.0;
    let y = |v: f64| (h - bottom) - (h - bottom - 20.0) * v / max;
    let mut s = format!(
        r#"<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" font-family="Arial, sans-serif" font-size="12" role="img" aria-label="Cost per borough alone and pooled">"#
    );
    for k in 0..=4 {
        let v = max * k as f64 / 4.0;
        let _ = write!(
            s,
            r##"<line x1="{left}" y1="{0:.1}" x2="{1}" y2="{0:.1}" stroke="#ddd"/><text x="{2}" y="{3:.1}" text-anchor="end">{4}</text>"##,
            y(v),
            w - 10.0,
            left - 6.0,
            y(v) + 4.0,
            esc(&money(v, false))
        );
    }
    let colours = [
        ("#8c8c8c", "on its own"),
        ("#2e7d32", "pooled (fair share)"),
    ];
    let many = r.boroughs.len() > 8;
    for (i, b) in r.boroughs.iter().enumerate() {
        let x0 = left + group * i as f64 + bar / 2.0;
        for (j, e) in [b.alone_cost, b.shapley].iter().enumerate() {
            let x = x0 + bar * j as f64;
            let _ = write!(
                s,
                r#"<rect x="{x:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{} {}: {} a day</title></rect>"#,
                y(e.mean),
                bar * 0.9,
                (h - bottom) - y(e.mean),
                colours[j].0,
                esc(&b.name),
                colours[j].1,
                esc(&money(e.mean, false))
            );
            if e.runs > 1 {
                let cx = x + bar * 0.45;
                let _ = write!(
                    s,
                    r##"<line x1="{cx:.1}" y1="{:.1}" x2="{cx:.1}" y2="{:.1}" stroke="#000"/>"##,
                    y(e.low),
                    y(e.high)
                );
            }
        }
        let label = if many {
            b.name.chars().take(10).collect::<String>()
        } else {
            b.name.clone()
        };
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{}" text-anchor="{}" {}>{}</text>"#,
            x0 + bar,
            h - bottom + 16.0,
            if many { "end" } else { "middle" },
            if many {
                format!(
                    r#"transform="rotate(-45 {:.1} {})""#,
                    x0 + bar,
                    h - bottom + 16.0
                )
            } else {
                String::new()
            },
            esc(&label)
        );
    }
    for (j, (c, label)) in colours.iter().enumerate() {
        let x = left + 10.0 + 200.0 * j as f64;
        let _ = write!(
            s,
            r#"<rect x="{x}" y="4" width="12" height="12" fill="{c}"/><text x="{}" y="14">{label}</text>"#,
            x + 16.0
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_grouped_and_rounded() {
        assert_eq!(money(1234567.0, false), "£1,234,567");
        assert_eq!(money(999.4, false), "£999");
        assert_eq!(money(12.5, true), "£12.50");
        assert_eq!(money(-1500.0, false), "−£1,500");
        assert_eq!(money(0.0, false), "£0");
    }
}
