//! Packed edge weights: duration first, distance as tie-break.
//!
//! A weight is `duration_ms << 32 | distance_cm` in a `u64`, so adding two
//! weights adds both parts and comparing them orders paths by duration, then
//! by distance. All route costs are therefore exact integers: the contraction
//! hierarchy and plain Dijkstra agree to the millisecond and centimetre. The
//! distance part must stay below 2³² cm (42,949 km) and the duration below
//! 2³² ms (49 days), far beyond any city network.

/// Weight of "unreachable".
pub const INF: u64 = u64::MAX;

/// Packs a duration (ms) and a distance (cm).
#[inline]
pub fn pack(ms: u64, cm: u64) -> u64 {
    (ms << 32) | cm
}

/// Packs seconds and metres, rounding to ms and cm.
#[inline]
pub fn pack_secs_m(secs: f64, metres: f64) -> u64 {
    pack(
        (secs * 1000.0).round() as u64,
        (metres * 100.0).round() as u64,
    )
}

/// The duration part in seconds.
#[inline]
pub fn secs(w: u64) -> f64 {
    (w >> 32) as f64 / 1000.0
}

/// The distance part in metres.
#[inline]
pub fn metres(w: u64) -> f64 {
    (w & 0xffff_ffff) as f64 / 100.0
}
