//! Outputs of a hand-built plan without a road network (straight lines).

mod common;

use common::{problem, straight_plan, EVIL_SCHOOL};
use geojson::{FeatureCollection, GeoJson, GeometryValue};
use resvg::tiny_skia::Pixmap;
use senroute_model::csv_out::{read_rows, StopRow};
use senroute_model::Plan;
use senroute_report::*;
use std::path::PathBuf;

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("senroute-report-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn kpis_from_known_numbers() {
    let p = problem();
    let mut plan = straight_plan(&p);
    plan.routes[0].distance_m = 12_000.0;
    plan.routes[1].distance_m = 8_500.0;
    plan.routes[0].cost = 150.0;
    plan.routes[1].cost = 95.5;
    // P1 10 min, P2 20 min, P3 50 min (cap 1 min), P4 30 min, P5 40 min.
    for (ride, min) in plan.rides.iter_mut().zip([10.0, 20.0, 50.0, 30.0, 40.0]) {
        ride.ride_s = min * 60.0;
    }
    let k = Kpis::from_plan(&p, &plan);
    assert_eq!(k.vehicles, 2);
    assert!((k.cost_per_day - 245.5).abs() < 1e-9);
    assert!((k.vehicle_km - 20.5).abs() < 1e-9);
    assert_eq!(k.assigned, 5);
    assert!((k.mean_ride_minutes.unwrap() - 30.0).abs() < 1e-9);
    assert!((k.worst_ride_minutes.unwrap() - 50.0).abs() < 1e-9);
    assert_eq!(k.pupils_over_cap, 1, "only P3 is over its 1-minute cap");
    assert_eq!(k.unassigned, 2);

    // Secondary pupils default to 75 minutes: 80 minutes is over, 75 is not.
    plan.rides[0].ride_s = 80.0 * 60.0;
    plan.rides[1].ride_s = 75.0 * 60.0;
    assert_eq!(Kpis::from_plan(&p, &plan).pupils_over_cap, 2);

    let rows = k.rows();
    assert!(
        rows.contains(&("Cost per day", "£245.50".to_string())),
        "{rows:?}"
    );
    assert!(
        rows.contains(&("Mean ride", "30.0 min".to_string())),
        "{rows:?}"
    );

    let empty = Plan {
        routes: vec![],
        rides: vec![],
        unassigned: vec![],
        ..plan
    };
    let k = Kpis::from_plan(&p, &empty);
    assert_eq!((k.vehicles, k.assigned, k.pupils_over_cap), (0, 0, 0));
    assert_eq!((k.mean_ride_minutes, k.worst_ride_minutes), (None, None));
}

fn parse_collection(text: &str) -> FeatureCollection {
    match text.parse::<GeoJson>().expect("valid GeoJSON") {
        GeoJson::FeatureCollection(fc) => fc,
        other => panic!("expected a FeatureCollection, got {other:?}"),
    }
}

#[test]
fn geojson_has_a_line_per_run_and_a_point_per_stop() {
    let p = problem();
    let plan = straight_plan(&p);
    let fc = parse_collection(&routes_geojson(&plan, &Geometry::Straight).to_string());
    let lines: Vec<_> = fc
        .features
        .iter()
        .filter(|f| {
            matches!(
                f.geometry.as_ref().map(|g| &g.value),
                Some(GeometryValue::LineString { .. })
            )
        })
        .collect();
    let points: Vec<_> = fc
        .features
        .iter()
        .filter(|f| {
            matches!(
                f.geometry.as_ref().map(|g| &g.value),
                Some(GeometryValue::Point { .. })
            )
        })
        .collect();
    assert_eq!(lines.len(), plan.routes.len());
    let n_stops: usize = plan.routes.iter().map(|r| r.stops.len()).sum();
    assert_eq!(points.len(), n_stops);
    assert_eq!(fc.features.len(), lines.len() + points.len());

    for (i, (line, route)) in lines.iter().zip(&plan.routes).enumerate() {
        assert_eq!(
            line.property("run").and_then(|v| v.as_u64()),
            Some(i as u64 + 1)
        );
        assert_eq!(
            line.property("vehicle").and_then(|v| v.as_str()),
            Some(route.label().as_str())
        );
        let Some(GeometryValue::LineString {
            coordinates: coords,
        }) = line.geometry.as_ref().map(|g| &g.value)
        else {
            unreachable!()
        };
        // Straight lines: exactly the stops' places (the depot twice), [lon, lat].
        assert_eq!(coords.len(), route.stops.len());
        for (c, s) in coords.iter().zip(&route.stops) {
            assert_eq!(c.as_slice(), [s.location.lon, s.location.lat]);
        }
    }
    // Stop properties: the second stop of run 1 is P1's pick-up.
    let first_pickup = points
        .iter()
        .find(|f| {
            f.property("run").and_then(|v| v.as_u64()) == Some(1)
                && f.property("stop").and_then(|v| v.as_u64()) == Some(1)
        })
        .expect("run 1 stop 1");
    assert_eq!(
        first_pickup.property("kind").and_then(|v| v.as_str()),
        Some("pickup")
    );
    assert_eq!(
        first_pickup.property("pupils"),
        Some(&serde_json::json!(["P1"]))
    );
    assert_eq!(
        first_pickup
            .property("arrival")
            .and_then(|v| v.as_str())
            .map(str::len),
        Some(8),
        "HH:MM:SS"
    );
    assert!(first_pickup.property("departure").is_some());
    assert_eq!(
        first_pickup.property("vehicle").and_then(|v| v.as_str()),
        Some("BUS #1")
    );
}

#[test]
fn html_is_self_contained_escaped_and_complete() {
    let p = problem();
    let plan = straight_plan(&p);
    let html = report_html(&p, &plan, &Geometry::Straight);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg"), "the map is inline SVG");
    let svg_at = html.find("<svg").unwrap();
    let runs_at = html.find("<h2>Runs").unwrap();
    assert!(svg_at < runs_at, "the map comes before the tables");
    for r in &plan.routes {
        assert!(html.contains(&escape(&r.label())), "missing {}", r.label());
    }
    for (i, _) in plan.routes.iter().enumerate() {
        assert!(html.contains(&format!("background:{}", route_colour(i))));
    }
    for u in &plan.unassigned {
        assert!(html.contains(u.reason.code()));
        assert!(html.contains(&escape(u.reason.detail())));
        assert!(html.contains(&escape(&u.pupil)));
    }
    // Hostile strings are escaped everywhere: no script element at all.
    assert!(html.contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Sons"));
    assert!(!html.contains(EVIL_SCHOOL));
    assert!(!html.to_ascii_lowercase().contains("<script"));
    assert!(html.contains("P7&lt;b&gt;") && !html.contains("P7<b>"));
    // Nothing is fetched from anywhere.
    for banned in ["http://", "https://", "<link", "@import", "src="] {
        assert!(!html.contains(banned), "found {banned}");
    }
    // KPI tiles.
    for label in [
        "Vehicles",
        "Cost per day",
        "Vehicle-km",
        "Mean ride",
        "Worst ride",
        "Over ride cap",
        "Unassigned",
    ] {
        assert!(html.contains(label), "missing KPI {label}");
    }
}

#[test]
fn svg_map_marks_every_run_school_and_unassigned_home() {
    let p = problem();
    let plan = straight_plan(&p);
    let svg = map_svg(&p, &plan, &Geometry::Straight, &MapOptions::default());
    assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    for i in 0..plan.routes.len() {
        assert!(svg.contains(&format!("stroke=\"{}\"", route_colour(i))));
    }
    assert!(svg.contains("Westminster Learning Centre"));
    assert!(svg.contains("&lt;script&gt;") && !svg.contains("<script"));
    assert_eq!(
        svg.matches("<title>Unassigned:").count(),
        plan.unassigned.len()
    );
    // Without labels there is no text at all.
    let bare = map_svg(
        &p,
        &plan,
        &Geometry::Straight,
        &MapOptions {
            labels: false,
            ..MapOptions::default()
        },
    );
    assert!(!bare.contains("<text"));
    // Everything drawn is inside the canvas: the bounding box fits.
    let b = plan_bbox(&p, &plan).unwrap();
    let proj = Projection::fit(b, 0.08, 1000.0, 750.0);
    for (lat, lon) in [(b[0], b[1]), (b[2], b[3])] {
        let (x, y) = proj.xy(lat, lon);
        assert!(
            (20.0..980.0).contains(&x) && (20.0..730.0).contains(&y),
            "{x},{y}"
        );
    }
}

/// Pixels of `png` within a small distance of `rgb`.
fn count_colour(pix: &Pixmap, rgb: (u8, u8, u8)) -> usize {
    pix.pixels()
        .iter()
        .filter(|p| {
            let c = p.demultiply();
            (c.red() as i32 - rgb.0 as i32).abs() < 12
                && (c.green() as i32 - rgb.1 as i32).abs() < 12
                && (c.blue() as i32 - rgb.2 as i32).abs() < 12
        })
        .count()
}

#[test]
fn write_outputs_writes_every_file() {
    let p = problem();
    let plan = straight_plan(&p);
    let dir = temp_dir("straight");
    let paths = write_outputs(&dir, &p, &plan, &Geometry::Straight).unwrap();
    for path in paths.all() {
        assert!(path.starts_with(&dir), "{path:?}");
        assert!(
            std::fs::metadata(path).unwrap().len() > 0,
            "{path:?} is empty"
        );
    }
    // CSV and JSON read back.
    let rows: Vec<StopRow> = read_rows(std::fs::File::open(&paths.routes_csv).unwrap()).unwrap();
    assert_eq!(
        rows.len(),
        plan.routes.iter().map(|r| r.stops.len()).sum::<usize>()
    );
    let back: Plan = serde_json::from_slice(&std::fs::read(&paths.plan_json).unwrap()).unwrap();
    assert_eq!(back, plan);
    let pupils = std::fs::read_to_string(&paths.pupils_csv).unwrap();
    assert_eq!(
        pupils.lines().count(),
        1 + plan.rides.len() + plan.unassigned.len()
    );
    let fc = parse_collection(&std::fs::read_to_string(&paths.routes_geojson).unwrap());
    assert_eq!(fc.features.len(), 2 + 6 + 5, "2 runs, 6 + 5 stops");

    // The PNG: signature, size, and the map's colours are really there.
    let bytes = std::fs::read(&paths.map_png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let pix = Pixmap::decode_png(&bytes).unwrap();
    assert_eq!((pix.width(), pix.height()), (2000, 1500));
    let background = count_colour(&pix, (0xf7, 0xf7, 0xf4));
    assert!(
        background > 0 && background < pix.pixels().len(),
        "not blank"
    );
    assert!(
        count_colour(&pix, (0x1f, 0x77, 0xb4)) > 500,
        "run 1 drawn in its colour"
    );
    assert!(
        count_colour(&pix, (0xd6, 0x27, 0x28)) > 500,
        "run 2 drawn in its colour"
    );
    assert!(
        count_colour(&pix, (0x11, 0x11, 0x11)) > 500,
        "schools and text drawn"
    );
    assert!(
        count_colour(&pix, (0xc0, 0x00, 0x00)) > 50,
        "unassigned homes drawn"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn png_text_renders_with_the_bundled_font() {
    // The same map with and without labels differs: the text is drawn even
    // where no system font exists (fonts come from the binary).
    let p = problem();
    let plan = straight_plan(&p);
    let g = Geometry::Straight;
    let with = map_png(&p, &plan, &g, &MapOptions::default(), 1.0).unwrap();
    let without = map_png(
        &p,
        &plan,
        &g,
        &MapOptions {
            labels: false,
            ..MapOptions::default()
        },
        1.0,
    )
    .unwrap();
    let (a, b) = (
        Pixmap::decode_png(&with).unwrap(),
        Pixmap::decode_png(&without).unwrap(),
    );
    let text_svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><rect width="200" height="40" fill="#ffffff"/><text x="5" y="30" font-size="24" font-family="sans-serif" fill="#000000">Camden</text></svg>"##;
    let t = Pixmap::decode_png(&svg_to_png(text_svg, 1.0).unwrap()).unwrap();
    assert!(count_colour(&t, (0, 0, 0)) > 100, "glyphs are drawn");
    let differing = a
        .pixels()
        .iter()
        .zip(b.pixels())
        .filter(|(x, y)| x != y)
        .count();
    assert!(differing > 1000, "labels add pixels ({differing})");
}

#[test]
fn text_summary_fits_one_screen() {
    let p = problem();
    let plan = straight_plan(&p);
    let s = text_summary(&p, &plan);
    assert!(s.lines().count() <= 24, "{s}");
    assert!(s.contains("2 vehicles"));
    for r in &plan.routes {
        assert_eq!(
            s.lines().filter(|l| l.contains(&r.label())).count(),
            1,
            "{s}"
        );
    }
    assert!(s.contains("fleet_capacity") && s.contains("no_compatible_vehicle"));
    assert!(s.contains("1 over their cap"), "{s}");
}

#[test]
fn sixty_runs_keep_distinct_styles_and_a_legend_beside_the_map() {
    let p = problem();
    let base = straight_plan(&p);
    let mut plan = base.clone();
    plan.rides.clear();
    plan.routes = (0..60)
        .map(|i| {
            let mut r = base.routes[i % 2].clone();
            r.vehicle_index = i as u32;
            r
        })
        .collect();
    let svg = map_svg(&p, &plan, &Geometry::Straight, &MapOptions::default());
    // The legend lists every run, none folded away.
    for n in 1..=60 {
        assert!(
            svg.contains(&format!(">Run {n}</text>")),
            "legend lacks run {n}"
        );
    }
    assert!(!svg.contains("more runs"));
    // Every run has its own colour and dash pattern on the map.
    for i in 0..60 {
        let dash = route_dash(i);
        let style = if dash.is_empty() {
            format!("stroke=\"{}\" stroke-width=\"3.5\" d=", route_colour(i))
        } else {
            format!(
                "stroke=\"{}\" stroke-width=\"3.5\" stroke-dasharray=\"{dash}\" d=",
                route_colour(i)
            )
        };
        assert!(svg.contains(&style), "run {} style {style}", i + 1);
    }
    // The legend panel starts right of every route line (the map area is
    // the canvas less the panel).
    let panel_x: f64 = {
        let at = svg.find("<line x1=\"").unwrap();
        let rest = &svg[at + 10..];
        rest[..rest.find('"').unwrap()].parse().unwrap()
    };
    assert!((700.0..=800.0).contains(&panel_x), "{panel_x}");
    let route_xs = svg
        .split("\" d=\"M")
        .skip(1)
        .flat_map(|d| {
            d[..d.find('"').unwrap()]
                .split(['M', 'L'])
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter_map(|pt| pt.split(' ').next().and_then(|x| x.parse::<f64>().ok()));
    for x in route_xs {
        assert!(x < panel_x, "a route point at x={x} lies under the legend");
    }
    if let Ok(keep) = std::env::var("SENROUTE_REPORT_KEEP") {
        let png = svg_to_png(&svg, 1.0).unwrap();
        std::fs::write(std::path::Path::new(&keep).join("many-runs.png"), png).unwrap();
    }
    // The HTML legend lists every run with its style.
    let html = report_html(&p, &plan, &Geometry::Straight);
    for (i, r) in plan.routes.iter().enumerate() {
        assert!(html.contains(&format!(
            "{}Run {}: {}</li>",
            route_swatch(i),
            i + 1,
            escape(&r.label())
        )));
    }
}
