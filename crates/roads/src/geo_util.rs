//! Small geodesy helpers.

/// Mean Earth radius (m), as used by the haversine formula.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance in metres between two `[lat, lon]` points (degrees).
pub fn haversine_m(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (la1, la2) = (a[0].to_radians(), b[0].to_radians());
    let dla = la2 - la1;
    let dlo = (b[1] - a[1]).to_radians();
    let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// A local equirectangular projection to metres around a reference latitude
/// and longitude; accurate to well under 0.5 % across a city.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct LocalProjection {
    lat0: f64,
    lon0: f64,
    kx: f64,
    ky: f64,
}

impl LocalProjection {
    /// A projection centred on `(lat0, lon0)`.
    pub fn new(lat0: f64, lon0: f64) -> Self {
        let ky = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
        LocalProjection {
            lat0,
            lon0,
            kx: ky * lat0.to_radians().cos(),
            ky,
        }
    }

    /// `[lat, lon]` to planar `[x, y]` metres.
    pub fn to_xy(&self, p: [f64; 2]) -> [f64; 2] {
        [(p[1] - self.lon0) * self.kx, (p[0] - self.lat0) * self.ky]
    }

    /// Planar `[x, y]` metres back to `[lat, lon]`.
    pub fn to_latlon(&self, xy: [f64; 2]) -> [f64; 2] {
        [xy[1] / self.ky + self.lat0, xy[0] / self.kx + self.lon0]
    }
}
