//! Where the lines of a route come from: the road network (lines follow the
//! roads) or nothing (straight lines between stops, for problems that carry
//! their own travel matrices).

use senroute_model::{LocationKey, Route, Stop};
use senroute_roads::{RoadNetwork, Snap};
use std::collections::HashMap;

/// The source of route geometry for maps and GeoJSON.
///
/// Points are `(lat, lon)` in degrees, like
/// [`RoadNetwork::path_geometry`].
#[derive(Debug, Clone)]
pub enum Geometry<'a> {
    /// Lines follow the roads: each leg is the fastest path between the
    /// stops' snaps on `network`. The road map is drawn from `network` too.
    Roads {
        /// The network the snaps belong to.
        network: &'a RoadNetwork,
        /// Where each problem location snapped to `network`.
        snaps: HashMap<LocationKey, Snap>,
    },
    /// No road network: straight lines between stops, no road map.
    Straight,
}

impl<'a> Geometry<'a> {
    /// Road geometry from parallel slices of location keys and their snaps,
    /// as the planner's `RoadTravel` holds them
    /// (`Geometry::roads(&net, travel.times.keys(), &travel.snaps)`).
    ///
    /// Extra keys or snaps beyond the shorter slice are ignored.
    pub fn roads(network: &'a RoadNetwork, keys: &[LocationKey], snaps: &[Snap]) -> Self {
        Geometry::Roads {
            network,
            snaps: keys.iter().cloned().zip(snaps.iter().cloned()).collect(),
        }
    }

    /// The road network, when there is one.
    pub fn network(&self) -> Option<&'a RoadNetwork> {
        match self {
            Geometry::Roads { network, .. } => Some(network),
            Geometry::Straight => None,
        }
    }

    /// The line from one stop to the next, starting at `from.location` and
    /// ending at `to.location`.
    ///
    /// With roads it follows the fastest path between the two snaps (plus the
    /// short connectors from each stop to its road). It falls back to the
    /// straight segment when either stop has no snap or no path exists.
    /// Two stops at the same place give a single point.
    pub fn leg(&self, from: &Stop, to: &Stop) -> Vec<(f64, f64)> {
        let a = (from.location.lat, from.location.lon);
        let b = (to.location.lat, to.location.lon);
        if from.location_key == to.location_key || a == b {
            return vec![a];
        }
        if let Geometry::Roads { network, snaps } = self {
            if let (Some(sa), Some(sb)) =
                (snaps.get(&from.location_key), snaps.get(&to.location_key))
            {
                let path = network.path_geometry(sa, sb);
                if !path.is_empty() {
                    let mut pts = Vec::with_capacity(path.len() + 2);
                    pts.push(a);
                    pts.extend(path);
                    pts.push(b);
                    pts.dedup();
                    return pts;
                }
            }
        }
        vec![a, b]
    }

    /// The whole run as one line: its legs joined, without repeating the
    /// point where one leg ends and the next begins.
    pub fn route_line(&self, route: &Route) -> Vec<(f64, f64)> {
        let mut line: Vec<(f64, f64)> = Vec::new();
        if let Some(first) = route.stops.first() {
            line.push((first.location.lat, first.location.lon));
        }
        for w in route.stops.windows(2) {
            let leg = self.leg(&w[0], &w[1]);
            line.extend(leg.into_iter().skip(1));
        }
        line.dedup();
        line
    }
}
