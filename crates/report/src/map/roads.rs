//! The road layer's styles and clipping: which road classes are drawn at
//! which zoom, and polylines clipped to the canvas.

use senroute_roads::RoadClass;
use std::fmt::Write as _;

/// Metres per pixel above which a road tier (indexed like
/// [`road_style`]'s tiers) is left out: service roads beyond 4 m/px,
/// residential and unclassified streets beyond 20 m/px, secondary and
/// tertiary roads beyond 80 m/px. A borough-wide map keeps every street; a
/// London-wide one keeps the main roads, stays legible and stays small.
pub(super) const TIER_MAX_METRES_PER_PX: [f64; 4] = [4.0, 20.0, 80.0, f64::INFINITY];

/// How a road class is drawn: (tier, stroke width, colour). Higher tiers
/// are drawn later, on top.
pub(super) fn road_style(class: RoadClass) -> (usize, f64, &'static str) {
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
pub(super) fn clip_segment(
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
pub(super) fn push_clipped_polyline(
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
