//! Realistic cohort sizes: SEN pupils given home-to-school transport per
//! London borough, and the scaling to the part of a borough a road file
//! covers. Sources and assumptions are in the crate README ("Realistic
//! cohort sizes").

/// Share of a borough's education, health and care (EHC) plans whose
/// holders get home-to-school transport (*assumption*, see the README:
/// about a third nationally, lower in London where children travel free on
/// public transport).
pub const TRANSPORT_SHARE_OF_EHC_PLANS: f64 = 0.25;

/// EHC plans maintained by each London borough the bundled roads cover
/// (GSS code, name, plans), rounded: DfE *Education, health and care
/// plans*, January 2025 (see the README for the caveats).
pub const EHC_PLANS: &[(&str, &str, u32)] = &[
    ("E09000007", "Camden", 2_400),
    ("E09000033", "Westminster", 1_400),
    ("E09000001", "City of London", 100),
];

/// SEN pupils given transport in a whole borough: its EHC plans times
/// [`TRANSPORT_SHARE_OF_EHC_PLANS`], or `None` for a borough without a
/// figure.
pub fn transported_pupils(gss: &str) -> Option<u32> {
    EHC_PLANS
        .iter()
        .find(|(code, _, _)| *code == gss)
        .map(|&(_, _, plans)| (f64::from(plans) * TRANSPORT_SHARE_OF_EHC_PLANS).round() as u32)
}

/// Side of the grid cells used to measure road coverage, metres.
pub const COVERAGE_CELL_M: f64 = 250.0;

/// The share of a borough of `hectares` that road points cover: the number
/// of distinct [`COVERAGE_CELL_M`] grid cells holding at least one of
/// `points` (`[lat, lon]`, already known to lie inside the borough), times
/// the cell area, over the borough's area, at most 1.
pub fn covered_share(points: impl IntoIterator<Item = [f64; 2]>, hectares: f64) -> f64 {
    if hectares <= 0.0 {
        return 0.0;
    }
    let lat_step = COVERAGE_CELL_M / 111_320.0;
    let lon_step = COVERAGE_CELL_M / (111_320.0 * 51.5_f64.to_radians().cos());
    let cells: std::collections::HashSet<(i64, i64)> = points
        .into_iter()
        .map(|[lat, lon]| {
            (
                (lat / lat_step).floor() as i64,
                (lon / lon_step).floor() as i64,
            )
        })
        .collect();
    let cell_ha = COVERAGE_CELL_M * COVERAGE_CELL_M / 10_000.0;
    (cells.len() as f64 * cell_ha / hectares).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_coverage() {
        assert_eq!(transported_pupils("E09000007"), Some(600));
        assert_eq!(transported_pupils("E09000021"), None);
        // Four points in one cell, one in another: 2 cells of 6.25 ha over 25 ha.
        let pts = [
            [51.5, -0.1],
            [51.5001, -0.1],
            [51.5, -0.1001],
            [51.5001, -0.1001],
            [51.51, -0.1],
        ];
        assert!((covered_share(pts, 25.0) - 0.5).abs() < 1e-12);
        assert_eq!(covered_share(pts, 1.0), 1.0);
    }
}
