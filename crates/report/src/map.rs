//! The plan as an SVG map: roads in light grey, schools, depots, coloured
//! runs with numbered stops, unplaced pupils' homes, a legend and a scale bar.
//!
//! The same SVG is embedded in `report.html` and rasterised to `map.png`.

use crate::escape::escape;
use crate::geometry::Geometry;
use senroute_model::{Location, Plan, Problem, StopKind};
use senroute_roads::RoadClass;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Qualitative palette for runs: distinct hues that stay readable as thin
/// lines on a light grey road map (no yellows or pale tints). Runs beyond
/// the palette reuse it from the start.
pub const PALETTE: [&str; 12] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#7f7f00", "#1a1a80", "#008080", "#b8860b",
];

/// The colour of run `index` (0-based) on maps, legends and table headers.
pub fn route_colour(index: usize) -> &'static str {
    PALETTE[index % PALETTE.len()]
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

/// Metres per pixel above which a road tier (indexed like
/// [`road_style`]'s tiers) is left out: service roads beyond 4 m/px,
/// residential and unclassified streets beyond 20 m/px, secondary and
/// tertiary roads beyond 80 m/px. A borough-wide map keeps every street; a
/// London-wide one keeps the main roads, stays legible and stays small.
const TIER_MAX_METRES_PER_PX: [f64; 4] = [4.0, 20.0, 80.0, f64::INFINITY];

/// How a road class is drawn: (tier, stroke width, colour). Higher tiers
/// are drawn later, on top.
fn road_style(class: RoadClass) -> (usize, f64, &'static str) {
    use RoadClass::*;
    match class {
        Motorway | MotorwayLink | Trunk | TrunkLink | Primary | PrimaryLink => (3, 3.4, "#c2c2c2"),
        Secondary | SecondaryLink | Tertiary | TertiaryLink => (2, 2.0, "#cbcbcb"),
        Unclassified | Residential | LivingStreet => (1, 0.9, "#d6d6d6"),
        Service => (0, 0.5, "#e2e2e2"),
    }
}

/// Clips the segment `a`–`b` to the rectangle `[x0, x1] × [y0, y1]`
/// (Liang–Barsky); `None` when it lies outside.
fn clip_segment(
    a: (f64, f64),
    b: (f64, f64),
    (x0, y0, x1, y1): (f64, f64, f64, f64),
) -> Option<((f64, f64), (f64, f64))> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0_f64, 1.0_f64);
    for (p, q) in [
        (-dx, a.0 - x0),
        (dx, x1 - a.0),
        (-dy, a.1 - y0),
        (dy, y1 - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                if r > t1 {
                    return None;
                }
                t0 = t0.max(r);
            } else {
                if r < t0 {
                    return None;
                }
                t1 = t1.min(r);
            }
        }
    }
    Some((
        (a.0 + t0 * dx, a.1 + t0 * dy),
        (a.0 + t1 * dx, a.1 + t1 * dy),
    ))
}

/// Appends a clipped, thinned polyline to an SVG path's `d` attribute.
/// Points closer than `min_px` to the last kept point are skipped.
fn push_clipped_polyline(
    d: &mut String,
    pts: impl Iterator<Item = (f64, f64)>,
    rect: (f64, f64, f64, f64),
    min_px: f64,
) {
    let mut prev: Option<(f64, f64)> = None;
    // Whether a sub-path is open, and the last point written to it.
    let mut open = false;
    let mut last = (0.0, 0.0);
    for p in pts {
        if let Some(a) = prev {
            match clip_segment(a, p, rect) {
                Some((s, e)) => {
                    if !open || s != a {
                        let _ = write!(d, "M{:.1} {:.1}", s.0, s.1);
                        last = s;
                        open = true;
                    }
                    let end_clipped = e != p;
                    if end_clipped || (e.0 - last.0).hypot(e.1 - last.1) >= min_px {
                        let _ = write!(d, "L{:.1} {:.1}", e.0, e.1);
                        last = e;
                    }
                    if end_clipped {
                        open = false;
                    }
                }
                None => open = false,
            }
        }
        prev = Some(p);
    }
}

/// Draws the plan as a standalone SVG document (`<svg …>…</svg>`).
///
/// Roads come from `geometry` when it has a network (light grey, wider for
/// major classes, clipped to the view); runs are coloured with
/// [`route_colour`] and follow `geometry`'s legs. Minor road tiers are left
/// out on zoomed-out maps: service roads beyond 4 m/px, residential streets
/// beyond 20 m/px, secondary and tertiary beyond 80 m/px. The view is
/// `options.view`, else [`view_bbox`], plus `options.margin`. The SVG uses
/// no element ids, so several maps can be embedded in one page. All text is
/// XML-escaped. Every run's label and colour appears in the legend when
/// `options.labels` is set.
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
    let proj = Projection::fit(bbox, options.margin, w, h);
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="DejaVu Sans, Arial, Helvetica, sans-serif" role="img" aria-label="Map of the plan's vehicle runs">"##
    );
    let _ = write!(s, r##"<rect width="{w}" height="{h}" fill="#f7f7f4"/>"##);

    // Roads, clipped to the view (a few pixels beyond so line caps are hidden).
    if let Some(net) = geometry.network() {
        let pad = 4.0;
        let rect = (-pad, -pad, w + pad, h + pad);
        let (top_lat, left_lon) = proj.latlon(-pad, -pad);
        let (bottom_lat, right_lon) = proj.latlon(w + pad, h + pad);
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
    // Points where the map has ink (runs, markers): the legend goes where
    // there are fewest, and labels avoid markers.
    let mut ink: Vec<(f64, f64)> = Vec::new();
    let lines: Vec<String> = route_lines
        .iter()
        .map(|line| {
            let mut d = String::new();
            let mut prev: Option<(f64, f64)> = None;
            for (i, &(lat, lon)) in line.iter().enumerate() {
                let (x, y) = proj.xy(lat, lon);
                let _ = write!(d, "{}{x:.1} {y:.1}", if i == 0 { "M" } else { "L" });
                if let Some((px, py)) = prev {
                    // Sample long straight segments every 8 px.
                    let steps = ((x - px).hypot(y - py) / 8.0).ceil().max(1.0) as usize;
                    ink.extend((1..=steps).map(|k| {
                        let t = k as f64 / steps as f64;
                        (px + t * (x - px), py + t * (y - py))
                    }));
                } else {
                    ink.push((x, y));
                }
                prev = Some((x, y));
            }
            d
        })
        .collect();
    let mut labels = Labels::new(w, h);
    s.push_str(r#"<g fill="none" stroke-linecap="round" stroke-linejoin="round">"#);
    for d in &lines {
        let _ = write!(
            s,
            r##"<path stroke="#ffffff" stroke-width="6.5" stroke-opacity="0.85" d="{d}"/>"##
        );
    }
    for (i, (d, r)) in lines.iter().zip(&plan.routes).enumerate() {
        let _ = write!(
            s,
            r#"<path stroke="{}" stroke-width="3.5" d="{d}"><title>Run {}: {}</title></path>"#,
            route_colour(i),
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
            ink.push((x, y));
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

    // Home stops: numbered discs in the run's colour (school and depot stops
    // are marked by their own symbols below).
    for (i, r) in plan.routes.iter().enumerate() {
        for (n, stop) in r.stops.iter().enumerate() {
            let at_home = matches!(stop.location_key, senroute_model::LocationKey::Home(_));
            if stop.kind == StopKind::Depot || !at_home || !stop.location.is_finite() {
                continue;
            }
            let (x, y) = proj.xy(stop.location.lat, stop.location.lon);
            labels.obstacle(x, y, 8.0);
            let _ = write!(
                s,
                r##"<circle cx="{x:.1}" cy="{y:.1}" r="{}" fill="{}" stroke="#ffffff" stroke-width="1.5"><title>{} stop {n}: {} {}</title></circle>"##,
                if options.labels { 7.5 } else { 5.5 },
                route_colour(i),
                escape(&r.label()),
                stop.kind,
                escape(&stop.pupils.join(", "))
            );
            if options.labels {
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
        ink.push((x, y));
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
        ink.push((x, y));
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

    let mut legend_corner = Corner::BottomLeft;
    if options.labels {
        legend_corner = legend(&mut s, plan, w, h, &ink);
        for (x, y, text, size, bold) in &pending {
            labels.place(&mut s, *x, *y, text, *size, *bold);
        }
    }
    scale_bar(&mut s, &proj, w, h, options.labels, legend_corner);
    s.push_str("</svg>");
    s
}

/// An axis-aligned box on the canvas: `(x0, y0, x1, y1)`.
type Rect = (f64, f64, f64, f64);

fn overlaps(a: &Rect, b: &Rect) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// Places text labels beside markers without covering other labels or
/// markers where it can: right, left, above or below the marker, in that
/// order of preference.
struct Labels {
    w: f64,
    h: f64,
    placed: Vec<Rect>,
    obstacles: Vec<Rect>,
}

impl Labels {
    fn new(w: f64, h: f64) -> Self {
        Labels {
            w,
            h,
            placed: Vec::new(),
            obstacles: Vec::new(),
        }
    }

    /// A marker of half-size `r` at `(x, y)` that labels should not cover.
    fn obstacle(&mut self, x: f64, y: f64, r: f64) {
        self.obstacles.push((x - r, y - r, x + r, y + r));
    }

    /// Writes `text` beside the marker at `(x, y)` with a white halo, at the
    /// first free position (the first one inside the canvas when none is).
    fn place(&mut self, s: &mut String, x: f64, y: f64, text: &str, size: f64, bold: bool) {
        let tw = text.chars().count() as f64 * size * if bold { 0.66 } else { 0.6 };
        let gap = 12.0;
        // (anchor x, baseline y, text-anchor, box)
        let candidates = [
            (
                x + gap,
                y + size * 0.35,
                "start",
                (x + gap, y - size * 0.6, x + gap + tw, y + size * 0.5),
            ),
            (
                x - gap,
                y + size * 0.35,
                "end",
                (x - gap - tw, y - size * 0.6, x - gap, y + size * 0.5),
            ),
            (
                x,
                y - gap,
                "middle",
                (
                    x - tw / 2.0,
                    y - gap - size,
                    x + tw / 2.0,
                    y - gap + size * 0.25,
                ),
            ),
            (
                x,
                y + gap + size * 0.8,
                "middle",
                (
                    x - tw / 2.0,
                    y + gap - size * 0.2,
                    x + tw / 2.0,
                    y + gap + size,
                ),
            ),
        ];
        let inside = |b: &Rect| b.0 >= 0.0 && b.1 >= 0.0 && b.2 <= self.w && b.3 <= self.h;
        let free = |b: &Rect| {
            !self
                .placed
                .iter()
                .chain(&self.obstacles)
                .any(|o| overlaps(o, b))
        };
        let (lx, ly, anchor, bx) = candidates
            .iter()
            .find(|c| inside(&c.3) && free(&c.3))
            .or_else(|| candidates.iter().find(|c| inside(&c.3)))
            .unwrap_or(&candidates[0]);
        self.placed.push(*bx);
        let _ = write!(
            s,
            r##"<text x="{lx:.1}" y="{ly:.1}" font-size="{size}"{} text-anchor="{anchor}" fill="#111111" stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke">{}</text>"##,
            if bold { r#" font-weight="bold""# } else { "" },
            escape(text)
        );
    }
}

/// A corner of the map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Corner {
    BottomLeft,
    TopLeft,
    TopRight,
    BottomRight,
}

/// Legend box: one row per run (up to what fits), then the symbols; in the
/// corner that covers the fewest `ink` points (bottom-left on ties).
/// Returns the corner used.
fn legend(s: &mut String, plan: &Plan, w: f64, h: f64, ink: &[(f64, f64)]) -> Corner {
    let row = 17.0;
    let symbols = 3usize;
    let max_rows = (((h * 0.6) / row).floor() as usize).saturating_sub(symbols + 1);
    let shown = plan.routes.len().min(max_rows);
    let more = plan.routes.len() - shown;
    let rows = shown + usize::from(more > 0) + symbols;
    let longest = plan
        .routes
        .iter()
        .take(shown)
        .map(|r| r.label().chars().count() + 8)
        .chain([22])
        .max()
        .unwrap_or(22) as f64;
    let (bw, bh) = (
        (longest * 7.0 + 40.0).min(w * 0.5),
        rows as f64 * row + 12.0,
    );
    let corners = [
        (Corner::BottomLeft, 10.0, h - bh - 10.0),
        (Corner::TopLeft, 10.0, 10.0),
        (Corner::TopRight, w - bw - 10.0, 10.0),
        (Corner::BottomRight, w - bw - 10.0, h - bh - 10.0),
    ];
    let covered = |&(_, x, y): &(Corner, f64, f64)| {
        ink.iter()
            .filter(|p| p.0 >= x && p.0 <= x + bw && p.1 >= y && p.1 <= y + bh)
            .count()
    };
    let (corner, x0, y0) = corners
        .iter()
        .copied()
        .min_by_key(covered)
        .unwrap_or(corners[0]);
    let _ = write!(
        s,
        r##"<g font-size="12"><rect x="{x0}" y="{y0:.1}" width="{bw:.1}" height="{bh:.1}" rx="4" fill="#ffffff" fill-opacity="0.9" stroke="#999999"/>"##
    );
    let mut y = y0 + 6.0 + row / 2.0;
    for (i, r) in plan.routes.iter().take(shown).enumerate() {
        let _ = write!(
            s,
            r##"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{}" stroke-width="4"/><text x="{:.1}" y="{:.1}" fill="#111111">Run {}: {}</text>"##,
            x0 + 8.0,
            x0 + 30.0,
            route_colour(i),
            x0 + 38.0,
            y + 4.0,
            i + 1,
            escape(&r.label())
        );
        y += row;
    }
    if more > 0 {
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" fill="#111111">+ {more} more runs</text>"##,
            x0 + 38.0,
            y + 4.0
        );
        y += row;
    }
    let cx = x0 + 19.0;
    let _ = write!(
        s,
        r##"<rect x="{:.1}" y="{:.1}" width="12" height="12" fill="#111111"/><text x="{:.1}" y="{:.1}" fill="#111111">School</text>"##,
        cx - 6.0,
        y - 6.0,
        x0 + 38.0,
        y + 4.0
    );
    y += row;
    let _ = write!(
        s,
        r##"<path d="M{cx:.1} {:.1}l6 6l-6 6l-6 -6z" fill="#555555"/><text x="{:.1}" y="{:.1}" fill="#111111">Depot</text>"##,
        y - 6.0,
        x0 + 38.0,
        y + 4.0
    );
    y += row;
    let _ = write!(
        s,
        r##"<g stroke="#c00000" stroke-width="2" fill="#ffffff"><circle cx="{cx:.1}" cy="{y:.1}" r="5"/><path d="M{:.1} {:.1}l5 5m0 -5l-5 5"/></g><text x="{:.1}" y="{:.1}" fill="#111111">Unassigned pupil</text>"##,
        cx - 2.5,
        y - 2.5,
        x0 + 38.0,
        y + 4.0
    );
    s.push_str("</g>");
    corner
}

/// A scale bar with a round length (its label only when `labels`), in the
/// bottom-right corner, or bottom-left when the legend is bottom-right.
fn scale_bar(s: &mut String, proj: &Projection, w: f64, h: f64, labels: bool, legend: Corner) {
    let mpp = proj.metres_per_px();
    if !(mpp.is_finite() && mpp > 0.0) {
        return;
    }
    let target = mpp * w * 0.15;
    let mag = 10f64.powf(target.log10().floor());
    let nice = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|f| f * mag)
        .rfind(|&m| m <= target)
        .unwrap_or(mag);
    let len = nice / mpp;
    let y = h - 16.0;
    let (x0, x1) = if legend == Corner::BottomRight {
        (16.0, 16.0 + len)
    } else {
        (w - 16.0 - len, w - 16.0)
    };
    let _ = write!(
        s,
        r##"<path d="M{x0:.1} {:.1}V{y:.1}H{x1:.1}V{:.1}" fill="none" stroke="#ffffff" stroke-width="5"/><path d="M{x0:.1} {:.1}V{y:.1}H{x1:.1}V{:.1}" fill="none" stroke="#333333" stroke-width="2"/>"##,
        y - 6.0,
        y - 6.0,
        y - 6.0,
        y - 6.0
    );
    if labels {
        let text = if nice >= 1000.0 {
            format!("{} km", nice / 1000.0)
        } else {
            format!("{nice} m")
        };
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle" fill="#333333" stroke="#ffffff" stroke-width="3" paint-order="stroke">{text}</text>"##,
            (x0 + x1) / 2.0,
            y - 9.0
        );
    }
}

#[cfg(test)]
mod tests {
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
    fn labels_avoid_each_other_and_markers() {
        let mut labels = Labels::new(400.0, 300.0);
        labels.obstacle(200.0, 150.0, 10.0);
        let mut s = String::new();
        // Two schools at one place: the second name goes elsewhere.
        labels.place(&mut s, 200.0, 150.0, "Alpha School", 13.0, true);
        labels.place(&mut s, 200.0, 150.0, "Beta School", 13.0, true);
        assert!(s.contains(r#"text-anchor="start""#) && s.contains(r#"text-anchor="end""#));
        assert!(!overlaps(&labels.placed[0], &labels.placed[1]));
        for b in &labels.placed {
            assert!(
                !overlaps(b, &labels.obstacles[0]),
                "label covers the marker"
            );
        }
        // Near the right edge the first choice is to the left.
        let mut edge = Labels::new(400.0, 300.0);
        let mut s = String::new();
        edge.place(&mut s, 390.0, 150.0, "Gamma", 13.0, false);
        assert!(s.contains(r#"text-anchor="end""#), "{s}");
    }

    #[test]
    fn legend_goes_to_the_emptiest_corner() {
        let plan = Plan {
            session: senroute_model::Session::Am,
            routes: vec![],
            rides: vec![],
            unassigned: vec![],
            totals: Default::default(),
        };
        let mut s = String::new();
        assert_eq!(
            legend(&mut s, &plan, 1000.0, 750.0, &[]),
            Corner::BottomLeft
        );
        // Ink in the bottom-left and top-left corners: the legend moves right.
        let ink: Vec<(f64, f64)> = (0..50)
            .flat_map(|i| [(20.0 + i as f64, 700.0), (20.0 + i as f64, 30.0)])
            .collect();
        assert_eq!(legend(&mut s, &plan, 1000.0, 750.0, &ink), Corner::TopRight);
    }

    #[test]
    fn palette_colours_are_distinct() {
        let mut p = PALETTE.to_vec();
        p.sort_unstable();
        p.dedup();
        assert_eq!(p.len(), PALETTE.len());
        assert_eq!(route_colour(0), route_colour(PALETTE.len()));
    }
}
