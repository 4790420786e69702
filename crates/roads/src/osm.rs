//! Reading car-drivable ways, their nodes and turn restrictions from a PBF.

use std::collections::HashMap;
use std::path::Path;

use osmpbfreader::{OsmObj, OsmPbfReader};
use serde::{Deserialize, Serialize};

use crate::profile::{car_access, oneway, parse_maxspeed, MaxSpeed, Oneway, RoadClass};
use crate::{RoadsError, SpeedProfile};

/// One car-drivable way as kept from the PBF.
#[derive(Debug, Clone)]
pub(crate) struct CarWay {
    pub id: i64,
    pub class: RoadClass,
    pub nodes: Vec<i64>,
    pub fwd: bool,
    pub bwd: bool,
    pub speed_kmh: f64,
}

/// A `type=restriction` relation with a via node.
#[derive(Debug, Clone)]
pub(crate) struct Restriction {
    pub from_way: i64,
    pub via_node: i64,
    pub to_way: i64,
    /// `true` for `only_*`, `false` for `no_*`.
    pub only: bool,
}

/// How the ways' `maxspeed` tags were understood (counts of car ways).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MaxspeedStats {
    /// Ways without `maxspeed` (class default used).
    pub untagged: usize,
    /// Values in mph, e.g. `20 mph`.
    pub mph: usize,
    /// Bare numbers or km/h values.
    pub kmh: usize,
    /// UK national-limit codes such as `GB:nsl_single`, `GB:nsl_dual`, `GB:motorway`.
    pub national: usize,
    /// `none`, `signals`, `variable`, `walk`: class default used.
    pub no_number: usize,
    /// Unparseable values: class default used.
    pub malformed: usize,
    /// Up to ten distinct malformed values, for fixing the data.
    pub malformed_examples: Vec<String>,
}

/// What was read from the PBF.
pub(crate) struct OsmData {
    pub ways: Vec<CarWay>,
    pub coords: HashMap<i64, (i32, i32)>,
    pub restrictions: Vec<Restriction>,
    pub nodes_read: usize,
    pub ways_read: usize,
    pub relations_read: usize,
    pub restriction_relations: usize,
    pub restrictions_unsupported: usize,
    pub ways_no_access: usize,
    pub ways_reversible: usize,
    pub maxspeed: MaxspeedStats,
}

fn pbf_err(path: &Path, e: impl std::fmt::Display) -> RoadsError {
    RoadsError::Pbf {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

/// Reads the PBF, keeping car ways, all node coordinates and restrictions.
pub(crate) fn read_pbf(path: &Path, profile: &SpeedProfile) -> Result<OsmData, RoadsError> {
    check_framing(path)?;
    let file = std::fs::File::open(path).map_err(|e| RoadsError::io("open", path, e))?;
    let mut reader = OsmPbfReader::new(std::io::BufReader::new(file));
    let mut d = OsmData {
        ways: Vec::new(),
        coords: HashMap::new(),
        restrictions: Vec::new(),
        nodes_read: 0,
        ways_read: 0,
        relations_read: 0,
        restriction_relations: 0,
        restrictions_unsupported: 0,
        ways_no_access: 0,
        ways_reversible: 0,
        maxspeed: MaxspeedStats::default(),
    };
    // The decoder can panic on some malformed blocks; turn that into an error
    // naming the file rather than aborting the caller.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        for obj in reader.par_iter() {
            let obj = obj.map_err(|e| pbf_err(path, e))?;
            match obj {
                OsmObj::Node(n) => {
                    d.nodes_read += 1;
                    d.coords.insert(n.id.0, (n.decimicro_lat, n.decimicro_lon));
                }
                OsmObj::Way(w) => {
                    d.ways_read += 1;
                    read_way(&w, profile, &mut d);
                }
                OsmObj::Relation(r) => {
                    d.relations_read += 1;
                    read_restriction(&r, &mut d);
                }
            }
        }
        Ok::<(), RoadsError>(())
    }));
    match result {
        Ok(r) => r?,
        Err(_) => return Err(pbf_err(path, "the decoder failed on a malformed block")),
    }
    Ok(d)
}

/// Walks the file's block framing (length-prefixed `BlobHeader`s) without
/// decoding, so that truncated or foreign files get a precise message
/// (the decoder itself asserts on short reads).
fn check_framing(path: &Path) -> Result<(), RoadsError> {
    use std::io::{Read, Seek, SeekFrom};
    let io = |e| RoadsError::io("read", path, e);
    let mut f = std::fs::File::open(path).map_err(|e| RoadsError::io("open", path, e))?;
    let len = f.metadata().map_err(io)?.len();
    let mut pos = 0u64;
    let mut blocks = 0usize;
    while pos < len {
        if len - pos < 4 {
            return Err(pbf_err(
                path,
                format!("truncated: {} stray bytes at the end", len - pos),
            ));
        }
        let mut b4 = [0u8; 4];
        f.read_exact(&mut b4).map_err(io)?;
        let hlen = u64::from(u32::from_be_bytes(b4));
        if hlen == 0 || hlen > 64 * 1024 {
            return Err(pbf_err(
                path,
                format!(
                    "no PBF block header at byte {pos} (is it .osm XML, .o5m or another format?)"
                ),
            ));
        }
        if pos + 4 + hlen > len {
            return Err(pbf_err(
                path,
                format!("truncated inside the block header at byte {pos}"),
            ));
        }
        let mut h = vec![0u8; hlen as usize];
        f.read_exact(&mut h).map_err(io)?;
        let Some((kind, datasize)) = parse_blob_header(&h) else {
            return Err(pbf_err(
                path,
                format!("unreadable block header at byte {pos}"),
            ));
        };
        if blocks == 0 && kind != "OSMHeader" {
            return Err(pbf_err(
                path,
                "the first block is not an OSMHeader".to_string(),
            ));
        }
        let end = pos + 4 + hlen + datasize;
        if end > len {
            return Err(pbf_err(
                path,
                format!(
                    "truncated: the block at byte {pos} needs {end} bytes but the file has {len}"
                ),
            ));
        }
        f.seek(SeekFrom::Start(end)).map_err(io)?;
        pos = end;
        blocks += 1;
    }
    if blocks == 0 {
        return Err(pbf_err(path, "the file is empty"));
    }
    Ok(())
}

/// The `type` (field 1) and `datasize` (field 3) of a protobuf `BlobHeader`.
fn parse_blob_header(h: &[u8]) -> Option<(String, u64)> {
    fn varint(h: &[u8], i: &mut usize) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *h.get(*i)?;
            *i += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Some(v);
            }
        }
        None
    }
    let (mut i, mut kind, mut size) = (0usize, None, None);
    while i < h.len() {
        let key = varint(h, &mut i)?;
        match key & 7 {
            0 => {
                let v = varint(h, &mut i)?;
                if key >> 3 == 3 {
                    size = Some(v);
                }
            }
            2 => {
                let l = varint(h, &mut i)? as usize;
                let bytes = h.get(i..i.checked_add(l)?)?;
                if key >> 3 == 1 {
                    kind = Some(String::from_utf8_lossy(bytes).into_owned());
                }
                i += l;
            }
            _ => return None,
        }
    }
    Some((kind?, size?))
}

fn read_way(w: &osmpbfreader::Way, profile: &SpeedProfile, d: &mut OsmData) {
    let get = |k: &str| w.tags.get(k).map(|v| v.as_str());
    let Some(class) = get("highway").and_then(RoadClass::from_highway) else {
        return;
    };
    if w.nodes.len() < 2 || get("area") == Some("yes") {
        return;
    }
    if let Some(a) = car_access(get) {
        if crate::profile::FORBIDDEN_ACCESS.contains(&a) {
            d.ways_no_access += 1;
            return;
        }
    }
    if class == RoadClass::Service && get("service") == Some("emergency_access") {
        d.ways_no_access += 1;
        return;
    }
    let (fwd, bwd) = match oneway(get, class) {
        Oneway::No => (true, true),
        Oneway::Forward => (true, false),
        Oneway::Backward => (false, true),
        Oneway::Reversible => {
            d.ways_reversible += 1;
            return;
        }
    };
    let ms = match get("maxspeed") {
        None => {
            d.maxspeed.untagged += 1;
            None
        }
        Some(raw) => {
            let parsed = parse_maxspeed(raw);
            match parsed {
                MaxSpeed::Mph(_) => d.maxspeed.mph += 1,
                MaxSpeed::Kmh(_) => d.maxspeed.kmh += 1,
                MaxSpeed::National(_) => d.maxspeed.national += 1,
                MaxSpeed::NoNumber => d.maxspeed.no_number += 1,
                MaxSpeed::Malformed => {
                    d.maxspeed.malformed += 1;
                    let ex = &mut d.maxspeed.malformed_examples;
                    if ex.len() < 10 && !ex.iter().any(|e| e == raw) {
                        ex.push(raw.to_string());
                    }
                }
            }
            parsed.kmh()
        }
    };
    d.ways.push(CarWay {
        id: w.id.0,
        class,
        nodes: w.nodes.iter().map(|n| n.0).collect(),
        fwd,
        bwd,
        speed_kmh: profile.speed_kmh(class, ms),
    });
}

fn read_restriction(r: &osmpbfreader::Relation, d: &mut OsmData) {
    let get = |k: &str| r.tags.get(k).map(|v| v.as_str());
    if get("type") != Some("restriction") {
        return;
    }
    d.restriction_relations += 1;
    // Restrictions for other modes only (`restriction:bus`, `restriction:hgv`) are ignored;
    // `restriction:motorcar` wins over `restriction`. `except=motorcar` exempts cars.
    let kind = get("restriction:motorcar").or_else(|| get("restriction"));
    let Some(kind) = kind else {
        return;
    };
    if get("except").is_some_and(|e| e.split(';').any(|x| x.trim() == "motorcar")) {
        return;
    }
    let only = if kind.starts_with("only_") {
        true
    } else if kind.starts_with("no_") {
        false
    } else {
        d.restrictions_unsupported += 1;
        return;
    };
    let mut from = Vec::new();
    let mut to = Vec::new();
    let mut via_nodes = Vec::new();
    let mut via_ways = 0;
    for m in &r.refs {
        match (m.role.as_str(), &m.member) {
            ("from", osmpbfreader::OsmId::Way(w)) => from.push(w.0),
            ("to", osmpbfreader::OsmId::Way(w)) => to.push(w.0),
            ("via", osmpbfreader::OsmId::Node(n)) => via_nodes.push(n.0),
            ("via", osmpbfreader::OsmId::Way(_)) => via_ways += 1,
            _ => {}
        }
    }
    if from.len() != 1 || to.len() != 1 || via_nodes.len() != 1 || via_ways > 0 {
        d.restrictions_unsupported += 1;
        return;
    }
    d.restrictions.push(Restriction {
        from_way: from[0],
        via_node: via_nodes[0],
        to_way: to[0],
        only,
    });
}
