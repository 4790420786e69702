//! The prepared-network file format.
//!
//! Layout (little-endian): [`MAGIC`] (8 bytes), [`FORMAT_VERSION`] (`u32`),
//! the speed profile hash (`u64`, [`crate::SpeedProfile::hash64`]), the
//! payload length (`u64`) and its FNV-1a checksum (`u64`), then the payload:
//! the whole [`RoadNetwork`] (graph, geometry, contraction hierarchy and
//! R-tree) encoded with bincode 1.

use std::io::{Read, Write};
use std::path::Path;

use crate::profile::fnv1a;
use crate::{RoadNetwork, RoadsError, SpeedProfile};

/// The first bytes of every prepared network file.
pub const MAGIC: [u8; 8] = *b"SENROADS";
/// The current file format version; files of any other version are rejected.
pub const FORMAT_VERSION: u32 = 1;
const HEADER: usize = 8 + 4 + 8 + 8 + 8;

impl RoadNetwork {
    /// Writes the prepared network to `path` (see the module docs for the layout).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), RoadsError> {
        let path = path.as_ref();
        let payload = bincode::serialize(self).map_err(|e| RoadsError::BadNetworkFile {
            path: path.to_path_buf(),
            detail: format!("cannot encode: {e}"),
        })?;
        let mut f = std::io::BufWriter::new(
            std::fs::File::create(path).map_err(|e| RoadsError::io("create", path, e))?,
        );
        let mut head = Vec::with_capacity(HEADER);
        head.extend_from_slice(&MAGIC);
        head.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        head.extend_from_slice(&self.profile.hash64().to_le_bytes());
        head.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        head.extend_from_slice(&fnv1a(&payload).to_le_bytes());
        f.write_all(&head)
            .and_then(|_| f.write_all(&payload))
            .and_then(|_| f.flush())
            .map_err(|e| RoadsError::io("write", path, e))
    }

    /// Loads a network written by [`RoadNetwork::save`], rejecting foreign,
    /// truncated, corrupt or other-version files.
    pub fn load(path: impl AsRef<Path>) -> Result<RoadNetwork, RoadsError> {
        let path = path.as_ref();
        let bad = |detail: String| RoadsError::BadNetworkFile {
            path: path.to_path_buf(),
            detail,
        };
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .map_err(|e| RoadsError::io("read", path, e))?;
        if bytes.len() < HEADER || bytes[..8] != MAGIC {
            return Err(bad("it does not start with the SENROADS magic bytes".into()));
        }
        let u64_at = |i: usize| u64::from_le_bytes(bytes[i..i + 8].try_into().expect("8 bytes"));
        let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        if version != FORMAT_VERSION {
            return Err(bad(format!(
                "format version {version}, this program reads version {FORMAT_VERSION}"
            )));
        }
        let hash = u64_at(12);
        let len = u64_at(20) as usize;
        let sum = u64_at(28);
        let payload = &bytes[HEADER..];
        if payload.len() != len {
            return Err(bad(format!(
                "payload is {} bytes, header says {len} (truncated?)",
                payload.len()
            )));
        }
        if fnv1a(payload) != sum {
            return Err(bad("checksum mismatch (corrupt file)".into()));
        }
        let net: RoadNetwork =
            bincode::deserialize(payload).map_err(|e| bad(format!("cannot decode: {e}")))?;
        if net.profile.hash64() != hash {
            return Err(bad("speed profile hash does not match its contents".into()));
        }
        Ok(net)
    }

    /// As [`RoadNetwork::load`], and also rejects a file built with a speed
    /// profile other than `profile` (stale after a profile change).
    pub fn load_with_profile(
        path: impl AsRef<Path>,
        profile: &SpeedProfile,
    ) -> Result<RoadNetwork, RoadsError> {
        let path = path.as_ref();
        let net = Self::load(path)?;
        if net.profile.hash64() != profile.hash64() {
            return Err(RoadsError::BadNetworkFile {
                path: path.to_path_buf(),
                detail: "it was built with a different speed profile (stale)".into(),
            });
        }
        Ok(net)
    }
}
