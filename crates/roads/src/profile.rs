//! Which OpenStreetMap ways a car may use, in which direction and how fast.
//!
//! The whole speed model is the serde-(de)serialisable [`SpeedProfile`]; its
//! defaults are documented on [`SpeedProfile::default`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::RoadsError;

/// The car-drivable road classes kept from OpenStreetMap (`highway=*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoadClass {
    /// `highway=motorway`
    Motorway,
    /// `highway=motorway_link`
    MotorwayLink,
    /// `highway=trunk`
    Trunk,
    /// `highway=trunk_link`
    TrunkLink,
    /// `highway=primary`
    Primary,
    /// `highway=primary_link`
    PrimaryLink,
    /// `highway=secondary`
    Secondary,
    /// `highway=secondary_link`
    SecondaryLink,
    /// `highway=tertiary`
    Tertiary,
    /// `highway=tertiary_link`
    TertiaryLink,
    /// `highway=unclassified`
    Unclassified,
    /// `highway=residential`
    Residential,
    /// `highway=living_street`
    LivingStreet,
    /// `highway=service` (car parks, driveways, alleys), subject to access tags.
    Service,
}

impl RoadClass {
    /// All classes, most important first.
    pub const ALL: [RoadClass; 14] = [
        RoadClass::Motorway,
        RoadClass::MotorwayLink,
        RoadClass::Trunk,
        RoadClass::TrunkLink,
        RoadClass::Primary,
        RoadClass::PrimaryLink,
        RoadClass::Secondary,
        RoadClass::SecondaryLink,
        RoadClass::Tertiary,
        RoadClass::TertiaryLink,
        RoadClass::Unclassified,
        RoadClass::Residential,
        RoadClass::LivingStreet,
        RoadClass::Service,
    ];

    /// The class of a `highway=*` value, or `None` if cars cannot use it.
    pub fn from_highway(value: &str) -> Option<RoadClass> {
        Some(match value {
            "motorway" => RoadClass::Motorway,
            "motorway_link" => RoadClass::MotorwayLink,
            "trunk" => RoadClass::Trunk,
            "trunk_link" => RoadClass::TrunkLink,
            "primary" => RoadClass::Primary,
            "primary_link" => RoadClass::PrimaryLink,
            "secondary" => RoadClass::Secondary,
            "secondary_link" => RoadClass::SecondaryLink,
            "tertiary" => RoadClass::Tertiary,
            "tertiary_link" => RoadClass::TertiaryLink,
            "unclassified" => RoadClass::Unclassified,
            "residential" => RoadClass::Residential,
            "living_street" => RoadClass::LivingStreet,
            "service" => RoadClass::Service,
            _ => return None,
        })
    }

    /// The OpenStreetMap `highway=*` value of the class.
    pub fn as_str(self) -> &'static str {
        match self {
            RoadClass::Motorway => "motorway",
            RoadClass::MotorwayLink => "motorway_link",
            RoadClass::Trunk => "trunk",
            RoadClass::TrunkLink => "trunk_link",
            RoadClass::Primary => "primary",
            RoadClass::PrimaryLink => "primary_link",
            RoadClass::Secondary => "secondary",
            RoadClass::SecondaryLink => "secondary_link",
            RoadClass::Tertiary => "tertiary",
            RoadClass::TertiaryLink => "tertiary_link",
            RoadClass::Unclassified => "unclassified",
            RoadClass::Residential => "residential",
            RoadClass::LivingStreet => "living_street",
            RoadClass::Service => "service",
        }
    }

    /// Built-in default free-flow speed (km/h) when a way has no usable `maxspeed`.
    ///
    /// Chosen from the UK limits that apply in London: 70 mph on motorways,
    /// 30 mph (48 km/h) on main roads, 20 mph (32 km/h) on local streets
    /// (Camden, Westminster, the City and most inner boroughs are 20 mph),
    /// walking-pace-ish on living streets and service roads.
    pub fn default_speed_kmh(self) -> f64 {
        match self {
            RoadClass::Motorway => 112.0,
            RoadClass::MotorwayLink => 64.0,
            RoadClass::Trunk => 64.0,
            RoadClass::TrunkLink => 48.0,
            RoadClass::Primary => 48.0,
            RoadClass::PrimaryLink => 40.0,
            RoadClass::Secondary => 48.0,
            RoadClass::SecondaryLink => 40.0,
            RoadClass::Tertiary => 40.0,
            RoadClass::TertiaryLink => 32.0,
            RoadClass::Unclassified => 32.0,
            RoadClass::Residential => 32.0,
            RoadClass::LivingStreet => 10.0,
            RoadClass::Service => 15.0,
        }
    }
}

/// The speed model: free-flow speeds per class, `maxspeed` handling and the
/// urban factor.
///
/// The travel time of a road piece of length `L` is
/// `L / max(min_speed_kmh, urban_factor × speed)`, where `speed` is the way's
/// parsed `maxspeed` (if `use_maxspeed`) capped by `max_speed_kmh`, else the
/// class default from `default_speed_kmh` (falling back to
/// [`RoadClass::default_speed_kmh`] for classes missing from the map).
///
/// The urban factor turns posted limits into speeds a minibus actually
/// averages in London traffic (junctions, signals, buses, parking). TfL's
/// published average traffic speeds are about 12–15 km/h in central London
/// and 25–30 km/h in outer London against 32–48 km/h limits, so the default
/// factor is `0.5`: a 20 mph street is driven at 16 km/h, a 30 mph A-road at
/// 24 km/h. Set it to `1.0` for free-flow (OSRM-like) times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SpeedProfile {
    /// Free-flow speed (km/h) per class when `maxspeed` is absent or unusable.
    pub default_speed_kmh: BTreeMap<RoadClass, f64>,
    /// Multiplier (0, 1] applied to every speed for urban traffic.
    pub urban_factor: f64,
    /// Use the ways' `maxspeed` tags (otherwise only class defaults).
    pub use_maxspeed: bool,
    /// Upper bound on any tagged speed (km/h), against typos such as `maxspeed=300`.
    pub max_speed_kmh: f64,
    /// Lower bound on the final speed (km/h), so no road is impassably slow.
    pub min_speed_kmh: f64,
    /// Honour via-node turn restrictions (`no_*`, `only_*`) by node splitting.
    pub turn_restrictions: bool,
}

impl Default for SpeedProfile {
    /// Class defaults of [`RoadClass::default_speed_kmh`], `urban_factor`
    /// 0.5, `use_maxspeed` true, `max_speed_kmh` 113 (70 mph),
    /// `min_speed_kmh` 5, `turn_restrictions` true.
    fn default() -> Self {
        SpeedProfile {
            default_speed_kmh: RoadClass::ALL
                .iter()
                .map(|c| (*c, c.default_speed_kmh()))
                .collect(),
            urban_factor: 0.5,
            use_maxspeed: true,
            max_speed_kmh: 113.0,
            min_speed_kmh: 5.0,
            turn_restrictions: true,
        }
    }
}

impl SpeedProfile {
    /// A free-flow profile (urban factor 1.0), close to how OSRM's car
    /// profile treats posted limits.
    pub fn free_flow() -> Self {
        SpeedProfile {
            urban_factor: 1.0,
            ..SpeedProfile::default()
        }
    }

    /// Checks that every speed and the factor are finite and positive.
    pub fn validate(&self) -> Result<(), RoadsError> {
        let bad = |what: String| Err(RoadsError::Profile(what));
        if !(self.urban_factor > 0.0 && self.urban_factor <= 1.0) {
            return bad(format!(
                "urban_factor must be in (0, 1], got {}",
                self.urban_factor
            ));
        }
        for (class, v) in &self.default_speed_kmh {
            if !(v.is_finite() && *v > 0.0) {
                return bad(format!(
                    "default speed of {} must be positive, got {v}",
                    class.as_str()
                ));
            }
        }
        if !(self.min_speed_kmh.is_finite() && self.min_speed_kmh > 0.0) {
            return bad(format!(
                "min_speed_kmh must be positive, got {}",
                self.min_speed_kmh
            ));
        }
        if !(self.max_speed_kmh.is_finite() && self.max_speed_kmh >= self.min_speed_kmh) {
            return bad(format!(
                "max_speed_kmh must be at least min_speed_kmh, got {}",
                self.max_speed_kmh
            ));
        }
        Ok(())
    }

    /// The class default speed (km/h) before the urban factor.
    pub fn class_speed_kmh(&self, class: RoadClass) -> f64 {
        self.default_speed_kmh
            .get(&class)
            .copied()
            .unwrap_or_else(|| class.default_speed_kmh())
    }

    /// The final speed (km/h) of a way of `class` with parsed `maxspeed`.
    pub fn speed_kmh(&self, class: RoadClass, maxspeed: Option<f64>) -> f64 {
        let base = match maxspeed {
            Some(v) if self.use_maxspeed => v.min(self.max_speed_kmh),
            _ => self.class_speed_kmh(class),
        };
        (base * self.urban_factor).max(self.min_speed_kmh)
    }

    /// A stable 64-bit hash of the profile (FNV-1a of its JSON), stored in
    /// prepared network files so that a file built with another profile is
    /// recognised as stale.
    pub fn hash64(&self) -> u64 {
        let json = serde_json::to_vec(self).expect("a SpeedProfile always serialises");
        fnv1a(&json)
    }
}

pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// How a `maxspeed` value was understood.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MaxSpeed {
    /// A number with `mph` (the usual UK form), converted to km/h.
    Mph(f64),
    /// A bare number (km/h by OSM convention) or a number with `km/h`/`kmh`.
    Kmh(f64),
    /// A UK national limit (`GB:nsl_single` 60 mph, `GB:nsl_dual` and
    /// `GB:motorway` 70 mph, `GB:urban`/`GB:zone20`-style implicit values), in km/h.
    National(f64),
    /// `none`, `signals`, `variable`, `walk`: no number; the class default applies.
    NoNumber,
    /// Anything else; the class default applies and the value is counted as malformed.
    Malformed,
}

const MPH: f64 = 1.609_344;

/// Parses an OSM `maxspeed` value as found in UK data.
///
/// ```
/// use senroute_roads::profile::{parse_maxspeed, MaxSpeed};
/// assert_eq!(parse_maxspeed("20 mph"), MaxSpeed::Mph(20.0 * 1.609344));
/// assert_eq!(parse_maxspeed("GB:nsl_single"), MaxSpeed::National(60.0 * 1.609344));
/// assert_eq!(parse_maxspeed("50"), MaxSpeed::Kmh(50.0));
/// assert_eq!(parse_maxspeed("twenty"), MaxSpeed::Malformed);
/// ```
pub fn parse_maxspeed(raw: &str) -> MaxSpeed {
    let v = raw.trim();
    let lower = v.to_ascii_lowercase();
    let national = match lower.as_str() {
        "gb:nsl_single" | "uk:nsl_single" | "gb:nsl_restricted" => Some(60.0),
        "gb:nsl_dual" | "uk:nsl_dual" | "gb:motorway" | "uk:motorway" => Some(70.0),
        "gb:urban" | "uk:urban" | "gb:zone30" => Some(30.0),
        "gb:zone20" | "uk:zone20" => Some(20.0),
        _ => None,
    };
    if let Some(mph) = national {
        return MaxSpeed::National(mph * MPH);
    }
    match lower.as_str() {
        "none" | "signals" | "variable" | "walk" | "implicit" => return MaxSpeed::NoNumber,
        _ => {}
    }
    let (num, unit) = match lower.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(i) => (lower[..i].trim(), lower[i..].trim()),
        None => (lower.as_str(), ""),
    };
    let Ok(n) = num.parse::<f64>() else {
        return MaxSpeed::Malformed;
    };
    if !(n.is_finite() && n > 0.0) {
        return MaxSpeed::Malformed;
    }
    match unit {
        "mph" => MaxSpeed::Mph(n * MPH),
        "" | "km/h" | "kmh" | "kph" => MaxSpeed::Kmh(n),
        _ => MaxSpeed::Malformed,
    }
}

impl MaxSpeed {
    /// The speed in km/h, if the value carried one.
    pub fn kmh(self) -> Option<f64> {
        match self {
            MaxSpeed::Mph(v) | MaxSpeed::Kmh(v) | MaxSpeed::National(v) => Some(v),
            MaxSpeed::NoNumber | MaxSpeed::Malformed => None,
        }
    }
}

/// Access values that forbid an ordinary car (taxi or minibus) from a way.
pub const FORBIDDEN_ACCESS: [&str; 8] = [
    "no",
    "private",
    "agricultural",
    "forestry",
    "emergency",
    "military",
    "delivery",
    "psv",
];

/// The effective car access value: the first of `motorcar`,
/// `motor_vehicle`, `vehicle`, `access` present on the way.
pub fn car_access<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Option<&'a str> {
    ["motorcar", "motor_vehicle", "vehicle", "access"]
        .iter()
        .find_map(|k| get(k))
}

/// Direction a car may drive along a way, relative to its node order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Oneway {
    /// Both directions.
    No,
    /// Only in node order.
    Forward,
    /// Only against node order (`oneway=-1`).
    Backward,
    /// Time-dependent (`reversible`, `alternating`): dropped.
    Reversible,
}

/// The one-way status of a way: `oneway:motorcar`, then
/// `oneway:motor_vehicle`, `oneway:vehicle`, `oneway`; if none is tagged,
/// one-way is implied on `highway=motorway` and on roundabouts
/// (`junction=roundabout|circular`).
pub fn oneway<'a>(get: impl Fn(&str) -> Option<&'a str>, class: RoadClass) -> Oneway {
    let tagged = [
        "oneway:motorcar",
        "oneway:motor_vehicle",
        "oneway:vehicle",
        "oneway",
    ]
    .iter()
    .find_map(|k| get(k));
    match tagged {
        Some("yes" | "1" | "true") => Oneway::Forward,
        Some("-1" | "reverse") => Oneway::Backward,
        Some("reversible" | "alternating") => Oneway::Reversible,
        Some("no" | "0" | "false") => Oneway::No,
        _ => {
            let roundabout = matches!(get("junction"), Some("roundabout" | "circular"));
            if class == RoadClass::Motorway || roundabout {
                Oneway::Forward
            } else {
                Oneway::No
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags<'a>(kv: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<&'a str> + 'a {
        move |k| kv.iter().find(|(a, _)| *a == k).map(|(_, v)| *v)
    }

    #[test]
    fn maxspeed_forms_seen_in_uk_data() {
        assert_eq!(parse_maxspeed("20 mph"), MaxSpeed::Mph(20.0 * MPH));
        assert_eq!(parse_maxspeed("30mph"), MaxSpeed::Mph(30.0 * MPH));
        assert_eq!(parse_maxspeed("48"), MaxSpeed::Kmh(48.0));
        assert_eq!(parse_maxspeed("50 km/h"), MaxSpeed::Kmh(50.0));
        assert_eq!(
            parse_maxspeed("GB:nsl_dual"),
            MaxSpeed::National(70.0 * MPH)
        );
        assert_eq!(
            parse_maxspeed("GB:motorway"),
            MaxSpeed::National(70.0 * MPH)
        );
        assert_eq!(
            parse_maxspeed("UK:nsl_single"),
            MaxSpeed::National(60.0 * MPH)
        );
        assert_eq!(parse_maxspeed("none"), MaxSpeed::NoNumber);
        for bad in ["20 mph; 30 mph", "fast", "", "-5", "30 knots", "mph"] {
            assert_eq!(parse_maxspeed(bad), MaxSpeed::Malformed, "{bad}");
        }
    }

    #[test]
    fn speeds_apply_urban_factor_bounds_and_defaults() {
        let p = SpeedProfile::default();
        let s = p.speed_kmh(RoadClass::Residential, Some(20.0 * MPH));
        assert!((s - 20.0 * MPH * 0.5).abs() < 1e-9);
        assert_eq!(p.speed_kmh(RoadClass::Primary, None), 24.0);
        assert_eq!(p.speed_kmh(RoadClass::Primary, Some(500.0)), 113.0 * 0.5);
        assert_eq!(p.speed_kmh(RoadClass::LivingStreet, Some(1.0)), 5.0);
        let ff = SpeedProfile::free_flow();
        assert_eq!(ff.speed_kmh(RoadClass::Primary, None), 48.0);
        assert_ne!(p.hash64(), ff.hash64());
        assert!(p.validate().is_ok());
        let bad = SpeedProfile {
            urban_factor: 0.0,
            ..SpeedProfile::default()
        };
        assert!(bad
            .validate()
            .unwrap_err()
            .to_string()
            .contains("urban_factor"));
        // A partial JSON config fills in the defaults.
        let j: SpeedProfile = serde_json::from_str(r#"{"urban_factor": 0.7}"#).unwrap();
        assert_eq!(j.urban_factor, 0.7);
        assert_eq!(j.class_speed_kmh(RoadClass::Motorway), 112.0);
    }

    #[test]
    fn oneway_precedence_and_implied_oneways() {
        use Oneway::*;
        let r = RoadClass::Residential;
        assert_eq!(oneway(tags(&[("oneway", "yes")]), r), Forward);
        assert_eq!(oneway(tags(&[("oneway", "1")]), r), Forward);
        assert_eq!(oneway(tags(&[("oneway", "-1")]), r), Backward);
        assert_eq!(oneway(tags(&[("oneway", "reversible")]), r), Reversible);
        assert_eq!(
            oneway(
                tags(&[("oneway", "yes"), ("oneway:motor_vehicle", "no")]),
                r
            ),
            No
        );
        assert_eq!(oneway(tags(&[]), RoadClass::Motorway), Forward);
        assert_eq!(oneway(tags(&[("junction", "roundabout")]), r), Forward);
        assert_eq!(oneway(tags(&[("oneway", "no")]), RoadClass::Motorway), No);
        assert_eq!(oneway(tags(&[]), r), No);
    }

    #[test]
    fn access_hierarchy_most_specific_wins() {
        assert_eq!(
            car_access(tags(&[("access", "no"), ("motorcar", "yes")])),
            Some("yes")
        );
        assert_eq!(
            car_access(tags(&[("vehicle", "private"), ("access", "yes")])),
            Some("private")
        );
        assert_eq!(
            car_access(tags(&[("motor_vehicle", "destination"), ("vehicle", "no")])),
            Some("destination")
        );
        assert_eq!(car_access(tags(&[])), None);
    }
}
