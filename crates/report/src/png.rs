//! `map.png`: the SVG map rasterised with resvg.
//!
//! Text is drawn with DejaVu Sans from the `dejavu` crate, loaded into
//! resvg's font database at run time: no system fonts are looked up, so the
//! labels render identically on a developer's machine and on a CI machine
//! with no fonts installed.

use crate::geometry::Geometry;
use crate::map::{map_svg, MapOptions};
use crate::ReportError;
use resvg::{tiny_skia, usvg};
use senroute_model::{Plan, Problem};
use std::sync::{Arc, OnceLock};

/// The font database used for PNG text: DejaVu Sans regular and bold, also
/// answering for the generic `sans-serif` family.
fn fonts() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(dejavu::sans::regular().to_vec());
        db.load_font_data(dejavu::sans::bold().to_vec());
        db.set_sans_serif_family("DejaVu Sans");
        Arc::new(db)
    })
    .clone()
}

/// Rasterises an SVG document to PNG bytes at its own size (`width` ×
/// `height` attributes), `scale` times larger (2.0 for a crisp image on
/// high-density screens).
pub fn svg_to_png(svg: &str, scale: f32) -> Result<Vec<u8>, ReportError> {
    let opt = usvg::Options {
        font_family: "DejaVu Sans".to_string(),
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &opt).map_err(|e| ReportError::Svg(e.to_string()))?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(scale)
        .ok_or_else(|| ReportError::Svg(format!("cannot scale the image by {scale}")))?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).ok_or_else(|| {
        ReportError::Svg(format!(
            "cannot allocate a {}×{} image",
            size.width(),
            size.height()
        ))
    })?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| ReportError::Svg(format!("PNG encoding failed: {e}")))
}

/// The plan's map ([`map_svg`]) as PNG bytes, at `options`' size times
/// `scale`.
pub fn map_png(
    problem: &Problem,
    plan: &Plan,
    geometry: &Geometry,
    options: &MapOptions,
    scale: f32,
) -> Result<Vec<u8>, ReportError> {
    svg_to_png(&map_svg(problem, plan, geometry, options), scale)
}
