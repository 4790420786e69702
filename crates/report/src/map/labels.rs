//! Text on the map that never covers other text: names beside markers and
//! run-number badges along the runs' lines. A label goes to the first free
//! position among its candidates, or is left out when none is free (the
//! marker keeps its name as a tooltip in the SVG).

use crate::escape::escape;
use std::fmt::Write as _;

/// An axis-aligned box on the canvas: `(x0, y0, x1, y1)`.
pub(super) type Rect = (f64, f64, f64, f64);

pub(super) fn overlaps(a: &Rect, b: &Rect) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// Placed labels and the markers they must not cover, inside a `w` × `h`
/// area.
pub(super) struct Labels {
    w: f64,
    h: f64,
    pub(super) placed: Vec<Rect>,
    pub(super) obstacles: Vec<Rect>,
}

impl Labels {
    pub(super) fn new(w: f64, h: f64) -> Self {
        Labels {
            w,
            h,
            placed: Vec::new(),
            obstacles: Vec::new(),
        }
    }

    /// A marker of half-size `r` at `(x, y)` that labels should not cover.
    pub(super) fn obstacle(&mut self, x: f64, y: f64, r: f64) {
        self.obstacles.push((x - r, y - r, x + r, y + r));
    }

    fn inside(&self, b: &Rect) -> bool {
        b.0 >= 0.0 && b.1 >= 0.0 && b.2 <= self.w && b.3 <= self.h
    }

    /// True when `b` is inside the area and covers no label (and, when
    /// `markers`, no marker).
    pub(super) fn free(&self, b: &Rect, markers: bool) -> bool {
        self.inside(b)
            && !self.placed.iter().any(|o| overlaps(o, b))
            && !(markers && self.obstacles.iter().any(|o| overlaps(o, b)))
    }

    /// Writes `text` beside the marker at `(x, y)` with a white halo, at the
    /// first free position: right, left, above, below, then the diagonals
    /// and farther out. Returns false, writing nothing, when every position
    /// would cover another label or a marker.
    pub(super) fn place(
        &mut self,
        s: &mut String,
        x: f64,
        y: f64,
        text: &str,
        size: f64,
        bold: bool,
    ) -> bool {
        let tw = text.chars().count() as f64 * size * if bold { 0.66 } else { 0.6 };
        let mut candidates: Vec<(f64, f64, &str, Rect)> = Vec::new();
        for gap in [12.0, 24.0] {
            let (up, down) = (y - gap, y + gap);
            candidates.extend([
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
                    up,
                    "middle",
                    (x - tw / 2.0, up - size, x + tw / 2.0, up + size * 0.25),
                ),
                (
                    x,
                    down + size * 0.8,
                    "middle",
                    (x - tw / 2.0, down - size * 0.2, x + tw / 2.0, down + size),
                ),
                (
                    x + gap * 0.7,
                    up,
                    "start",
                    (
                        x + gap * 0.7,
                        up - size,
                        x + gap * 0.7 + tw,
                        up + size * 0.25,
                    ),
                ),
                (
                    x - gap * 0.7,
                    up,
                    "end",
                    (
                        x - gap * 0.7 - tw,
                        up - size,
                        x - gap * 0.7,
                        up + size * 0.25,
                    ),
                ),
                (
                    x + gap * 0.7,
                    down + size * 0.8,
                    "start",
                    (
                        x + gap * 0.7,
                        down - size * 0.2,
                        x + gap * 0.7 + tw,
                        down + size,
                    ),
                ),
                (
                    x - gap * 0.7,
                    down + size * 0.8,
                    "end",
                    (
                        x - gap * 0.7 - tw,
                        down - size * 0.2,
                        x - gap * 0.7,
                        down + size,
                    ),
                ),
            ]);
        }
        let Some(&(lx, ly, anchor, bx)) = candidates.iter().find(|c| self.free(&c.3, true)) else {
            return false;
        };
        self.placed.push(bx);
        let _ = write!(
            s,
            r##"<text x="{lx:.1}" y="{ly:.1}" font-size="{size}"{} text-anchor="{anchor}" fill="#111111" stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke">{}</text>"##,
            if bold { r#" font-weight="bold""# } else { "" },
            escape(text)
        );
        true
    }

    /// Writes run number `number` as a badge in `colour` on the run's
    /// canvas polyline `line`, at the first point (tried from the middle
    /// outwards) where it covers no other label, preferably no marker
    /// either. Returns false when there is no such point.
    pub(super) fn badge(
        &mut self,
        s: &mut String,
        line: &[(f64, f64)],
        number: usize,
        colour: &str,
    ) -> bool {
        let text = number.to_string();
        let (bw, bh) = (text.len() as f64 * 6.6 + 7.0, 14.0);
        let points = points_along(line, 6.0);
        if points.is_empty() {
            return false;
        }
        // From the middle of the line outwards.
        let mid = points.len() / 2;
        let order = (0..points.len()).map(|k| {
            if k % 2 == 0 {
                mid + k / 2
            } else {
                mid.wrapping_sub(k / 2 + 1)
            }
        });
        let order: Vec<usize> = order.filter(|&i| i < points.len()).collect();
        let rect = |(x, y): (f64, f64)| (x - bw / 2.0, y - bh / 2.0, x + bw / 2.0, y + bh / 2.0);
        let found = [true, false].into_iter().find_map(|markers| {
            order
                .iter()
                .map(|&i| points[i])
                .find(|&p| self.free(&rect(p), markers))
        });
        let Some((x, y)) = found else { return false };
        let b = rect((x, y));
        self.placed.push(b);
        let _ = write!(
            s,
            r##"<g><rect x="{:.1}" y="{:.1}" width="{bw:.1}" height="{bh}" rx="3" fill="{colour}" stroke="#ffffff" stroke-width="1.2"/><text x="{x:.1}" y="{:.1}" font-size="10" font-weight="bold" fill="#ffffff" text-anchor="middle">{text}</text></g>"##,
            b.0,
            b.1,
            y + 3.6
        );
        true
    }
}

/// Points every `step` pixels along a polyline.
fn points_along(line: &[(f64, f64)], step: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let mut carry = 0.0;
    for w in line.windows(2) {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        let len = (x1 - x0).hypot(y1 - y0);
        if !(len.is_finite() && len > 0.0) {
            continue;
        }
        let mut d = carry;
        while d < len {
            let t = d / len;
            out.push((x0 + t * (x1 - x0), y0 + t * (y1 - y0)));
            d += step;
        }
        carry = d - len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_avoid_each_other_and_markers_or_are_left_out() {
        let mut labels = Labels::new(400.0, 300.0);
        labels.obstacle(200.0, 150.0, 10.0);
        let mut s = String::new();
        // Two schools at one place: the second name goes elsewhere.
        assert!(labels.place(&mut s, 200.0, 150.0, "Alpha School", 13.0, true));
        assert!(labels.place(&mut s, 200.0, 150.0, "Beta School", 13.0, true));
        assert!(s.contains(r#"text-anchor="start""#) && s.contains(r#"text-anchor="end""#));
        for (i, a) in labels.placed.iter().enumerate() {
            assert!(
                !overlaps(a, &labels.obstacles[0]),
                "label covers the marker"
            );
            for b in &labels.placed[i + 1..] {
                assert!(!overlaps(a, b));
            }
        }
        // Near the right edge the first choice is to the left.
        let mut edge = Labels::new(400.0, 300.0);
        let mut s = String::new();
        assert!(edge.place(&mut s, 390.0, 150.0, "Gamma", 13.0, false));
        assert!(s.contains(r#"text-anchor="end""#), "{s}");
        // A crowded spot: after its free places are taken, a label is left
        // out rather than drawn over another.
        let mut crowd = Labels::new(120.0, 80.0);
        let mut s = String::new();
        let placed = (0..40)
            .filter(|_| crowd.place(&mut s, 60.0, 40.0, "School", 13.0, true))
            .count();
        assert!((1..40).contains(&placed), "{placed}");
        for (i, a) in crowd.placed.iter().enumerate() {
            for b in &crowd.placed[i + 1..] {
                assert!(!overlaps(a, b));
            }
        }
    }

    #[test]
    fn badges_sit_on_their_line_without_covering_each_other() {
        let mut labels = Labels::new(400.0, 300.0);
        let mut s = String::new();
        let line = [(20.0, 150.0), (380.0, 150.0)];
        for n in 1..=10 {
            assert!(labels.badge(&mut s, &line, n, "#1f77b4"), "badge {n}");
        }
        for (i, a) in labels.placed.iter().enumerate() {
            assert!(a.1 < 150.0 && a.3 > 150.0, "on the line");
            for b in &labels.placed[i + 1..] {
                assert!(!overlaps(a, b));
            }
        }
        // The first badge is at the middle of the line.
        assert!((labels.placed[0].0 + labels.placed[0].2 - 400.0).abs() < 7.0);
        // A line with no room left (under the first badge) gets no badge.
        let short = [(199.0, 150.0), (201.0, 150.0)];
        assert!(!labels.badge(&mut s, &short, 11, "#1f77b4"));
        assert_eq!(labels.placed.len(), 10);
    }
}
