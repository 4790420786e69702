//! The legend, in a panel beside the map (never over it), and the scale
//! bar.

use super::{route_colour, route_dash, Projection};
use crate::escape::escape;
use senroute_model::Plan;
use std::fmt::Write as _;

/// Share of the canvas width the legend panel takes when the map is
/// labelled. The panel's width depends only on the canvas, so maps of one
/// size (e.g. side by side with one view) share one projection.
pub(super) const PANEL_SHARE: f64 = 0.22;

/// Width of the legend panel on a `w`-wide canvas (0 without labels).
pub(super) fn panel_width(w: f64, labels: bool) -> f64 {
    if labels {
        (w * PANEL_SHARE).round()
    } else {
        0.0
    }
}

const ROW: f64 = 15.0;
const CHAR_W: f64 = 6.3;
const SWATCH: f64 = 34.0;

/// How the runs are listed: full labels (`Run 3: MINIBUS-12 #1`) when one
/// column of them fits, else `Run 3` in as many columns as fit, folding the
/// rest into a `+ N more runs` row.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Layout {
    pub(super) full: bool,
    pub(super) columns: usize,
    pub(super) col_w: f64,
    pub(super) rows: usize,
    pub(super) shown: usize,
}

pub(super) fn layout(labels: &[String], width: f64, height: f64) -> Layout {
    // Title, three symbols, a gap and the runs' title take six rows.
    let rows = (((height - 16.0) / ROW).floor() as usize)
        .saturating_sub(6)
        .max(1);
    let n = labels.len();
    let inner = (width - 12.0).max(0.0);
    let full_w = labels
        .iter()
        .enumerate()
        .map(|(i, l)| format!("Run {}: {l}", i + 1).chars().count())
        .max()
        .unwrap_or(0) as f64
        * CHAR_W
        + SWATCH;
    if n <= rows && full_w <= inner {
        return Layout {
            full: true,
            columns: 1,
            col_w: full_w,
            rows,
            shown: n,
        };
    }
    let col_w = format!("Run {n}").len() as f64 * CHAR_W + SWATCH + 6.0;
    let columns = ((inner / col_w).floor() as usize).max(1);
    let capacity = columns * rows;
    let shown = if n <= capacity { n } else { capacity - 1 };
    Layout {
        full: false,
        columns,
        col_w,
        rows,
        shown,
    }
}

/// A short line in run `i`'s colour and dash pattern, centred at `y`.
fn swatch(s: &mut String, x: f64, y: f64, i: usize) {
    let dash = route_dash(i);
    let dash = if dash.is_empty() {
        String::new()
    } else {
        format!(r#" stroke-dasharray="{dash}""#)
    };
    let _ = write!(
        s,
        r##"<line x1="{x:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{}" stroke-width="3.5" stroke-linecap="round"{dash}/>"##,
        x + 24.0,
        route_colour(i)
    );
}

/// Draws the legend panel at `x0` (its left edge) on a canvas `h` high:
/// the symbols, then every run's swatch and label per [`layout`].
pub(super) fn legend(s: &mut String, plan: &Plan, x0: f64, width: f64, h: f64) -> Layout {
    let labels: Vec<String> = plan.routes.iter().map(|r| r.label()).collect();
    let lay = layout(&labels, width, h);
    let _ = write!(
        s,
        r##"<g font-size="11" fill="#111111"><rect x="{x0:.1}" y="0" width="{width:.1}" height="{h:.1}" fill="#ffffff"/><line x1="{x0:.1}" y1="0" x2="{x0:.1}" y2="{h:.1}" stroke="#999999"/>"##
    );
    let lx = x0 + 8.0;
    let tx = lx + SWATCH - 4.0;
    let mut y = 8.0 + ROW / 2.0;
    let _ = write!(
        s,
        r##"<text x="{lx:.1}" y="{:.1}" font-weight="bold">Legend</text>"##,
        y + 4.0
    );
    y += ROW;
    let cx = lx + 12.0;
    let _ = write!(
        s,
        r##"<rect x="{:.1}" y="{:.1}" width="11" height="11" fill="#111111"/><text x="{tx:.1}" y="{:.1}">School</text>"##,
        cx - 5.5,
        y - 5.5,
        y + 4.0
    );
    y += ROW;
    let _ = write!(
        s,
        r##"<path d="M{cx:.1} {:.1}l6 6l-6 6l-6 -6z" fill="#555555"/><text x="{tx:.1}" y="{:.1}">Depot</text>"##,
        y - 6.0,
        y + 4.0
    );
    y += ROW;
    let _ = write!(
        s,
        r##"<g stroke="#c00000" stroke-width="2" fill="#ffffff"><circle cx="{cx:.1}" cy="{y:.1}" r="5"/><path d="M{:.1} {:.1}l5 5m0 -5l-5 5"/></g><text x="{tx:.1}" y="{:.1}">Unassigned pupil</text>"##,
        cx - 2.5,
        y - 2.5,
        y + 4.0
    );
    y += ROW * 1.5;
    let _ = write!(
        s,
        r##"<text x="{lx:.1}" y="{:.1}" font-weight="bold">Runs ({}); numbers on the map</text>"##,
        y + 4.0,
        labels.len()
    );
    y += ROW;
    for (i, label) in labels.iter().enumerate().take(lay.shown) {
        let (col, row) = (i / lay.rows, i % lay.rows);
        let (x, yy) = (lx + col as f64 * lay.col_w, y + row as f64 * ROW);
        swatch(s, x, yy, i);
        let text = if lay.full {
            format!("Run {}: {label}", i + 1)
        } else {
            format!("Run {}", i + 1)
        };
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}">{}</text>"##,
            x + SWATCH - 4.0,
            yy + 4.0,
            escape(&text)
        );
    }
    if lay.shown < labels.len() {
        let i = lay.shown;
        let (col, row) = (i / lay.rows, i % lay.rows);
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}">+ {} more runs</text>"##,
            lx + col as f64 * lay.col_w,
            y + row as f64 * ROW + 4.0,
            labels.len() - lay.shown
        );
    }
    s.push_str("</g>");
    lay
}

/// A scale bar with a round length (its label only when `labels`), in the
/// bottom-right corner of the map area, `map_w` wide.
pub(super) fn scale_bar(s: &mut String, proj: &Projection, map_w: f64, h: f64, labels: bool) {
    let mpp = proj.metres_per_px();
    if !(mpp.is_finite() && mpp > 0.0) {
        return;
    }
    let target = mpp * map_w * 0.15;
    let mag = 10f64.powf(target.log10().floor());
    let nice = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|f| f * mag)
        .rfind(|&m| m <= target)
        .unwrap_or(mag);
    let len = nice / mpp;
    let y = h - 16.0;
    let (x0, x1) = (map_w - 16.0 - len, map_w - 16.0);
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
    fn a_few_runs_get_full_labels_and_sixty_fit_in_columns() {
        let few: Vec<String> = (0..27).map(|i| format!("CAMDEN-TAXI-4 #{i}")).collect();
        let l = layout(&few, 220.0, 750.0);
        assert!(l.full && l.columns == 1 && l.shown == 27, "{l:?}");
        let many: Vec<String> = (0..60)
            .map(|i| format!("CITY-OF-LONDON-MINIBUS-12 #{i}"))
            .collect();
        let l = layout(&many, 220.0, 750.0);
        assert!(!l.full && l.shown == 60, "{l:?}");
        assert!(l.columns as f64 * l.col_w <= 220.0 - 12.0, "{l:?}");
        // A small canvas folds what does not fit.
        let l = layout(&many, 128.0, 460.0);
        assert!(l.shown < 60 && l.shown < l.columns * l.rows, "{l:?}");
    }
}
