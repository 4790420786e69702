//! The plan as an SVG map: roads in light grey, schools, depots, runs in
//! distinct colour and dash styles with a number badge each, numbered
//! stops, unplaced pupils' homes, a scale bar, and the legend in a panel
//! beside the map.
//!
//! The same SVG is embedded in `report.html` and rasterised to `map.png`.

use crate::escape::escape;
use crate::geometry::Geometry;
use senroute_model::{Location, Plan, Problem, StopKind};
use std::collections::BTreeMap;
use std::fmt::Write as _;

mod labels;
mod legend;
mod roads;

use labels::Labels;
use legend::{legend, panel_width, scale_bar};
use roads::{push_clipped_polyline, road_style, TIER_MAX_METRES_PER_PX};

/// Qualitative palette for runs: distinct hues that stay readable as thin
/// lines on a light grey road map (Tableau 10 without its grey and pale
/// yellow-green, plus olive, navy, teal and dark gold: no yellows or pale
/// tints). With more runs than colours, the dash pattern
/// ([`route_dash`]) tells runs of one colour apart.
pub const PALETTE: [&str; 12] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#7f7f00", "#1a1a80", "#008080", "#b8860b",
];

/// Dash patterns (SVG `stroke-dasharray`, empty = solid), the second cue
/// after the colour: runs 1–12 are solid, 13–24 long-dashed, 25–36 dotted,
/// 37–48 dash-dotted, 49–60 short-dashed; so the first 60 runs each have
/// their own style.
pub const DASHES: [&str; 5] = ["", "12 6", "0.5 6", "13 5 0.5 5", "5 5"];

/// The colour of run `index` (0-based) on maps, legends and table headers.
pub fn route_colour(index: usize) -> &'static str {
    PALETTE[index % PALETTE.len()]
}

/// The dash pattern of run `index` (0-based): `""` (solid) for the first
/// [`PALETTE`]`.len()` runs, then the next pattern of [`DASHES`] for each
/// further round of the palette.
pub fn route_dash(index: usize) -> &'static str {
    DASHES[(index / PALETTE.len()) % DASHES.len()]
}

/// A small inline SVG (no namespace, for HTML) of run `index`'s line
/// style: its colour and dash pattern, for legends and table captions.
pub fn route_swatch(index: usize) -> String {
    let dash = route_dash(index);
    format!(
        r#"<svg class="sw" width="30" height="8" viewBox="0 0 30 8" aria-hidden="true"><line x1="3" y1="4" x2="27" y2="4" stroke="{}" stroke-width="3.5" stroke-linecap="round"{}/></svg>"#,
        route_colour(index),
        if dash.is_empty() {
            String::new()
        } else {
            format!(r#" stroke-dasharray="{dash}""#)
        }
    )
}

/// How to draw the map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapOptions {
    /// Width in pixels (SVG user units).
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Draw text: school names, stop numbers, the legend's labels and the
    /// scale bar's length.
    pub labels: bool,
    /// Fraction of the shown extent added as a margin on each side.
    pub margin: f64,
    /// Show this `[min_lat, min_lon, max_lat, max_lon]` box (plus `margin`)
    /// instead of the plan's own ([`view_bbox`]). Maps meant to be compared
    /// side by side use one box, e.g. [`union_bbox`] of both plans'.
    pub view: Option<[f64; 4]>,
}

impl Default for MapOptions {
    /// 1000 × 750 pixels, labelled, 8 % margin, the plan's own view.
    fn default() -> Self {
        MapOptions {
            width: 1000,
            height: 750,
            labels: true,
            margin: 0.08,
            view: None,
        }
    }
}

/// Smallest extent drawn, in degrees of latitude (about 550 m), so a plan
/// with one location still shows its street.
const MIN_SPAN_DEG: f64 = 0.005;

/// A local equirectangular projection (Web-Mercator-like at city scale:
/// longitudes scaled by the cosine of the central latitude), fitted to a
/// canvas. `y` grows downwards.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projection {
    lat_c: f64,
    lon_c: f64,
    k: f64,
    scale: f64,
    cx: f64,
    cy: f64,
}

impl Projection {
    /// Fits `[min_lat, min_lon, max_lat, max_lon]` plus `margin` (a
    /// fraction of the extent per side) into a `width` × `height` canvas,
    /// centred, keeping the aspect ratio.
    pub fn fit(bbox: [f64; 4], margin: f64, width: f64, height: f64) -> Projection {
        let [min_lat, min_lon, max_lat, max_lon] = bbox;
        let lat_c = (min_lat + max_lat) / 2.0;
        let lon_c = (min_lon + max_lon) / 2.0;
        let k = lat_c.to_radians().cos().max(0.01);
        let span_y = (max_lat - min_lat).max(MIN_SPAN_DEG) * (1.0 + 2.0 * margin);
        let span_x = ((max_lon - min_lon) * k).max(MIN_SPAN_DEG) * (1.0 + 2.0 * margin);
        let scale = (width / span_x).min(height / span_y);
        Projection {
            lat_c,
            lon_c,
            k,
            scale,
            cx: width / 2.0,
            cy: height / 2.0,
        }
    }

    /// Canvas `(x, y)` of a point.
    pub fn xy(&self, lat: f64, lon: f64) -> (f64, f64) {
        (
            self.cx + (lon - self.lon_c) * self.k * self.scale,
            self.cy - (lat - self.lat_c) * self.scale,
        )
    }

    /// The `(lat, lon)` at canvas `(x, y)`.
    pub fn latlon(&self, x: f64, y: f64) -> (f64, f64) {
        (
            self.lat_c - (y - self.cy) / self.scale,
            self.lon_c + (x - self.cx) / (self.k * self.scale),
        )
    }

    /// Metres per canvas pixel.
    pub fn metres_per_px(&self) -> f64 {
        111_320.0 / self.scale
    }
}

/// `[min_lat, min_lon, max_lat, max_lon]` of everything the map shows: every
/// stop of every run, every school, the depots and the homes of unplaced
/// pupils. `None` when there is nothing with finite coordinates.
pub fn plan_bbox(problem: &Problem, plan: &Plan) -> Option<[f64; 4]> {
    let mut pts: Vec<Location> = plan
        .routes
        .iter()
        .flat_map(|r| r.stops.iter().map(|s| s.location))
        .collect();
    pts.extend(problem.schools.iter().map(|s| s.location));
    pts.extend(problem.fleet.iter().map(|v| v.depot));
    pts.extend(
        plan.unassigned
            .iter()
            .filter_map(|u| problem.pupil(&u.pupil).map(|p| p.home)),
    );
    let mut it = pts.into_iter().filter(Location::is_finite);
    let first = it.next()?;
    let mut b = [first.lat, first.lon, first.lat, first.lon];
    for p in it {
        b[0] = b[0].min(p.lat);
        b[1] = b[1].min(p.lon);
        b[2] = b[2].max(p.lat);
        b[3] = b[3].max(p.lon);
    }
    Some(b)
}

/// `bbox` widened to every finite point of `lines`.
fn lines_bbox(mut bbox: Option<[f64; 4]>, lines: &[Vec<(f64, f64)>]) -> Option<[f64; 4]> {
    for &(lat, lon) in lines.iter().flatten() {
        if !(lat.is_finite() && lon.is_finite()) {
            continue;
        }
        let b = bbox.get_or_insert([lat, lon, lat, lon]);
        *b = [b[0].min(lat), b[1].min(lon), b[2].max(lat), b[3].max(lon)];
    }
    bbox
}

/// The box a map of the plan shows by default: [`plan_bbox`] widened to
/// every run's whole line from `geometry` (a road path may leave the box of
/// the stops). `None` when the plan and problem have no finite point.
pub fn view_bbox(problem: &Problem, plan: &Plan, geometry: &Geometry) -> Option<[f64; 4]> {
    let lines: Vec<Vec<(f64, f64)>> = plan.routes.iter().map(|r| geometry.route_line(r)).collect();
    lines_bbox(plan_bbox(problem, plan), &lines)
}

/// The smallest box holding both `[min_lat, min_lon, max_lat, max_lon]`
/// boxes.
pub fn union_bbox(a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
    [
        a[0].min(b[0]),
        a[1].min(b[1]),
        a[2].max(b[2]),
        a[3].max(b[3]),
    ]
}

/// Draws the plan as a standalone SVG document (`<svg …>…</svg>`).
///
/// Roads come from `geometry` when it has a network (light grey, wider for
/// major classes, clipped to the view); runs are coloured with
/// [`route_colour`] and dashed with [`route_dash`], and follow
/// `geometry`'s legs. Minor road tiers are left out on zoomed-out maps:
/// service roads beyond 4 m/px, residential streets beyond 20 m/px,
/// secondary and tertiary beyond 80 m/px. The view is `options.view`, else
/// [`view_bbox`], plus `options.margin`, fitted into the canvas less the
/// legend panel on the right (a fixed share of the width when
/// `options.labels` is set, none otherwise). With labels, each run carries
/// its number in a badge on its line, and the legend lists every run's
/// style (with the vehicle when one column of them fits, else `Run N` in
/// columns); no label is drawn over another. The SVG uses no element ids,
/// so several maps can be embedded in one page. All text is XML-escaped.
pub fn map_svg(
    problem: &Problem,
    plan: &Plan,
    geometry: &Geometry,
    options: &MapOptions,
) -> String {
    let (w, h) = (
        f64::from(options.width.max(1)),
        f64::from(options.height.max(1)),
    );
    let route_lines: Vec<Vec<(f64, f64)>> =
        plan.routes.iter().map(|r| geometry.route_line(r)).collect();
    let bbox = options
        .view
        .or_else(|| lines_bbox(plan_bbox(problem, plan), &route_lines))
        .or_else(|| geometry.network().map(|n| n.bbox()))
        .unwrap_or([51.50, -0.13, 51.51, -0.12]);
    // The legend has its own panel on the right: the map never lies under it.
    let panel = panel_width(w, options.labels);
    let mw = (w - panel).max(1.0);
    let proj = Projection::fit(bbox, options.margin, mw, h);
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="DejaVu Sans, Arial, Helvetica, sans-serif" role="img" aria-label="Map of the plan's vehicle runs">"##
    );
    let _ = write!(s, r##"<rect width="{w}" height="{h}" fill="#f7f7f4"/>"##);

    // Roads, clipped to the view (a few pixels beyond so line caps are hidden).
    if let Some(net) = geometry.network() {
        let pad = 4.0;
        let rect = (-pad, -pad, mw + pad, h + pad);
        let (top_lat, left_lon) = proj.latlon(-pad, -pad);
        let (bottom_lat, right_lon) = proj.latlon(mw + pad, h + pad);
        let mut tiers: BTreeMap<usize, (f64, &str, String)> = BTreeMap::new();
        for seg in net.road_segments() {
            if proj.metres_per_px() > TIER_MAX_METRES_PER_PX[road_style(seg.class).0] {
                continue;
            }
            let outside = seg.points.iter().all(|p| p[0] > top_lat)
                || seg.points.iter().all(|p| p[0] < bottom_lat)
                || seg.points.iter().all(|p| p[1] < left_lon)
                || seg.points.iter().all(|p| p[1] > right_lon);
            if outside {
                continue;
            }
            let (tier, width, colour) = road_style(seg.class);
            let entry = tiers
                .entry(tier)
                .or_insert_with(|| (width, colour, String::new()));
            push_clipped_polyline(
                &mut entry.2,
                seg.points.iter().map(|p| proj.xy(p[0], p[1])),
                rect,
                0.7,
            );
        }
        s.push_str(r#"<g fill="none" stroke-linecap="round" stroke-linejoin="round">"#);
        for (width, colour, d) in tiers.values() {
            if !d.is_empty() {
                let _ = write!(
                    s,
                    r#"<path stroke="{colour}" stroke-width="{width}" d="{d}"/>"#
                );
            }
        }
        s.push_str("</g>");
    }

    // Runs: a white casing under each coloured line keeps crossings legible.
    let canvas_lines: Vec<Vec<(f64, f64)>> = route_lines
        .iter()
        .map(|line| line.iter().map(|&(lat, lon)| proj.xy(lat, lon)).collect())
        .collect();
    let lines: Vec<String> = canvas_lines
        .iter()
        .map(|line| {
            let mut d = String::new();
            for (i, &(x, y)) in line.iter().enumerate() {
                let _ = write!(d, "{}{x:.1} {y:.1}", if i == 0 { "M" } else { "L" });
            }
            d
        })
        .collect();
    let mut labels = Labels::new(mw, h);
    s.push_str(r#"<g fill="none" stroke-linecap="round" stroke-linejoin="round">"#);
    for d in &lines {
        let _ = write!(
            s,
            r##"<path stroke="#ffffff" stroke-width="6.5" stroke-opacity="0.85" d="{d}"/>"##
        );
    }
    for (i, (d, r)) in lines.iter().zip(&plan.routes).enumerate() {
        let dash = route_dash(i);
        let _ = write!(
            s,
            r#"<path stroke="{}" stroke-width="3.5"{} d="{d}"><title>Run {}: {}</title></path>"#,
            route_colour(i),
            if dash.is_empty() {
                String::new()
            } else {
                format!(r#" stroke-dasharray="{dash}""#)
            },
            i + 1,
            escape(&r.label())
        );
    }
    s.push_str("</g>");

    // Unplaced pupils' homes: red rings with a cross.
    for u in &plan.unassigned {
        if let Some(p) = problem.pupil(&u.pupil).filter(|p| p.home.is_finite()) {
            let (x, y) = proj.xy(p.home.lat, p.home.lon);
            labels.obstacle(x, y, 7.0);
            let _ = write!(
                s,
                r##"<g stroke="#c00000" stroke-width="2" fill="#ffffff"><circle cx="{x:.1}" cy="{y:.1}" r="6"/><path d="M{:.1} {:.1}l6 6m0 -6l-6 6"/><title>Unassigned: {} ({})</title></g>"##,
                x - 3.0,
                y - 3.0,
                escape(&u.pupil),
                escape(u.reason.code())
            );
        }
    }

    // Home stops: discs in the run's colour (school and depot stops are
    // marked by their own symbols below), numbered where the number does
    // not land on another disc; crowded ones are drawn smaller, unnumbered.
    let mut numbered: Vec<(f64, f64)> = Vec::new();
    for (i, r) in plan.routes.iter().enumerate() {
        for (n, stop) in r.stops.iter().enumerate() {
            let at_home = matches!(stop.location_key, senroute_model::LocationKey::Home(_));
            if stop.kind == StopKind::Depot || !at_home || !stop.location.is_finite() {
                continue;
            }
            let (x, y) = proj.xy(stop.location.lat, stop.location.lon);
            labels.obstacle(x, y, 8.0);
            let number =
                options.labels && numbered.iter().all(|&(a, b)| (a - x).hypot(b - y) >= 15.0);
            if number {
                numbered.push((x, y));
            }
            let _ = write!(
                s,
                r##"<circle cx="{x:.1}" cy="{y:.1}" r="{}" fill="{}" stroke="#ffffff" stroke-width="1.5"><title>{} stop {n}: {} {}</title></circle>"##,
                if number { 7.5 } else { 4.5 },
                route_colour(i),
                escape(&r.label()),
                stop.kind,
                escape(&stop.pupils.join(", "))
            );
            if number {
                let _ = write!(
                    s,
                    r##"<text x="{x:.1}" y="{:.1}" font-size="9" font-weight="bold" fill="#ffffff" text-anchor="middle">{n}</text>"##,
                    y + 3.2
                );
            }
        }
    }

    // Depots: dark diamonds, one per distinct place.
    let mut depots: Vec<(Location, Vec<&str>)> = Vec::new();
    for v in &problem.fleet {
        if !v.depot.is_finite() {
            continue;
        }
        match depots.iter_mut().find(|(l, _)| *l == v.depot) {
            Some((_, ids)) => ids.push(&v.id),
            None => depots.push((v.depot, vec![&v.id])),
        }
    }
    let mut pending: Vec<(f64, f64, String, f64, bool)> = Vec::new();
    for (loc, ids) in &depots {
        let (x, y) = proj.xy(loc.lat, loc.lon);
        labels.obstacle(x, y, 9.0);
        let _ = write!(
            s,
            r##"<path d="M{x:.1} {:.1}l8 8l-8 8l-8 -8z" fill="#555555" stroke="#ffffff" stroke-width="1.5"><title>Depot: {}</title></path>"##,
            y - 8.0,
            escape(&ids.join(", "))
        );
        pending.push((x, y, format!("Depot {}", ids.join(", ")), 11.0, false));
    }

    // Schools: black squares with their names.
    for sc in &problem.schools {
        if !sc.location.is_finite() {
            continue;
        }
        let (x, y) = proj.xy(sc.location.lat, sc.location.lon);
        labels.obstacle(x, y, 10.0);
        let _ = write!(
            s,
            r##"<rect x="{:.1}" y="{:.1}" width="16" height="16" fill="#111111" stroke="#ffffff" stroke-width="2"><title>School: {}</title></rect>"##,
            x - 8.0,
            y - 8.0,
            escape(&sc.name)
        );
        // Schools are labelled first: their names matter most.
        pending.insert(0, (x, y, sc.name.clone(), 13.0, true));
    }
    let schools = problem
        .schools
        .iter()
        .filter(|sc| sc.location.is_finite())
        .count();
    pending[..schools].reverse();

    if options.labels {
        // Names first (schools, then depots), then each run's number on its
        // line: nothing is drawn over another label.
        for (x, y, text, size, bold) in &pending {
            labels.place(&mut s, *x, *y, text, *size, *bold);
        }
        for (i, line) in canvas_lines.iter().enumerate() {
            labels.badge(&mut s, line, i + 1, route_colour(i));
        }
    }
    scale_bar(&mut s, &proj, mw, h, options.labels);
    if options.labels {
        legend(&mut s, plan, mw, panel, h);
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::roads::clip_segment;
    use super::*;

    #[test]
    fn projection_round_trips_and_keeps_aspect() {
        let p = Projection::fit([51.50, -0.15, 51.55, -0.10], 0.0, 1000.0, 750.0);
        let (x, y) = p.xy(51.52, -0.12);
        let (lat, lon) = p.latlon(x, y);
        assert!((lat - 51.52).abs() < 1e-9 && (lon + 0.12).abs() < 1e-9);
        // North is up, east is right.
        assert!(p.xy(51.54, -0.12).1 < y);
        assert!(p.xy(51.52, -0.11).0 > x);
        // 1 km east and 1 km north are the same length on the canvas.
        let east = p.xy(
            51.52,
            -0.12 + 1000.0 / (111_320.0 * 51.52f64.to_radians().cos()),
        );
        let north = p.xy(51.52 + 1000.0 / 111_320.0, -0.12);
        let (de, dn) = (east.0 - x, y - north.1);
        assert!((de - dn).abs() < 0.01 * dn, "{de} vs {dn}");
        // The box fits the canvas.
        for (lat, lon) in [(51.50, -0.15), (51.55, -0.10)] {
            let (x, y) = p.xy(lat, lon);
            assert!((-0.01..=1000.01).contains(&x) && (-0.01..=750.01).contains(&y));
        }
    }

    #[test]
    fn clipping_keeps_inside_and_cuts_crossing_segments() {
        let r = (0.0, 0.0, 10.0, 10.0);
        assert_eq!(
            clip_segment((1.0, 1.0), (2.0, 2.0), r),
            Some(((1.0, 1.0), (2.0, 2.0)))
        );
        assert_eq!(clip_segment((-5.0, -5.0), (-1.0, 20.0), r), None);
        let ((sx, sy), (ex, ey)) = clip_segment((-5.0, 5.0), (15.0, 5.0), r).unwrap();
        assert_eq!((sx, sy, ex, ey), (0.0, 5.0, 10.0, 5.0));
        let mut d = String::new();
        push_clipped_polyline(
            &mut d,
            [
                (-5.0, 5.0),
                (5.0, 5.0),
                (5.0, 20.0),
                (8.0, 20.0),
                (8.0, 5.0),
            ]
            .into_iter(),
            r,
            0.0,
        );
        assert_eq!(d, "M0.0 5.0L5.0 5.0L5.0 10.0M8.0 10.0L8.0 5.0");
    }

    #[test]
    fn palette_colours_are_distinct() {
        let mut p = PALETTE.to_vec();
        p.sort_unstable();
        p.dedup();
        assert_eq!(p.len(), PALETTE.len());
        assert_eq!(route_colour(0), route_colour(PALETTE.len()));
        // Colour and dash together: the first 60 runs each have their own.
        let mut styles: Vec<(&str, &str)> =
            (0..60).map(|i| (route_colour(i), route_dash(i))).collect();
        styles.sort_unstable();
        styles.dedup();
        assert_eq!(styles.len(), 60);
    }
}
