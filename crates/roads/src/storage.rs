//! The prepared-network file format.
//!
//! Layout (little-endian): [`MAGIC`] (8 bytes), [`FORMAT_VERSION`] (`u32`),
//! the speed profile hash (`u64`, [`crate::SpeedProfile::hash64`]), the
//! payload length (`u64`) and its FNV-1a checksum (`u64`), then the payload:
//! the whole [`RoadNetwork`] (graph, geometry, contraction hierarchy and
//! R-tree) encoded with [postcard](https://docs.rs/postcard) 1, whose wire
//! format is stable across its 1.x releases.
//!
//! Version 1 files (bincode 1 payloads, before senroute moved off the
//! unmaintained bincode) are refused with a message to run
//! `senroute prepare` again; so is any foreign, truncated or corrupt file.

use std::io::{Read, Write};
use std::path::Path;

use crate::profile::fnv1a;
use crate::{RoadNetwork, RoadsError, SpeedProfile};

/// The first bytes of every prepared network file.
pub const MAGIC: [u8; 8] = *b"SENROADS";
/// The current file format version; files of any other version are rejected.
/// Version 2: postcard payload (version 1 was bincode 1).
pub const FORMAT_VERSION: u32 = 2;
const HEADER: usize = 8 + 4 + 8 + 8 + 8;

impl RoadNetwork {
    /// Writes the prepared network to `path` (see the module docs for the layout).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), RoadsError> {
        let path = path.as_ref();
        let payload = postcard::to_stdvec(self).map_err(|e| RoadsError::BadNetworkFile {
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
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .map_err(|e| RoadsError::io("read", path, e))?;
        Self::from_bytes(path, &bytes)
    }

    /// Decodes the bytes of a prepared network file (see [`RoadNetwork::load`];
    /// `path` only names the file in errors). Never panics, whatever the bytes.
    pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<RoadNetwork, RoadsError> {
        let bad = |detail: String| RoadsError::BadNetworkFile {
            path: path.to_path_buf(),
            detail,
        };
        if bytes.len() < HEADER || bytes[..8] != MAGIC {
            return Err(bad("it is not a prepared road network (it does not start with the SENROADS magic bytes)".into()));
        }
        let u64_at = |i: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&bytes[i..i + 8]);
            u64::from_le_bytes(b)
        };
        let mut v = [0u8; 4];
        v.copy_from_slice(&bytes[8..12]);
        let version = u32::from_le_bytes(v);
        if version != FORMAT_VERSION {
            return Err(bad(format!(
                "format version {version}, this program reads version {FORMAT_VERSION}"
            )));
        }
        let hash = u64_at(12);
        let len = u64_at(20);
        let sum = u64_at(28);
        let payload = &bytes[HEADER..];
        if payload.len() as u64 != len {
            return Err(bad(format!(
                "payload is {} bytes, header says {len} (truncated?)",
                payload.len()
            )));
        }
        if fnv1a(payload) != sum {
            return Err(bad("checksum mismatch (corrupt file)".into()));
        }
        let net = Self::decode_payload(payload).map_err(bad)?;
        if net.profile.hash64() != hash {
            return Err(bad("speed profile hash does not match its contents".into()));
        }
        Ok(net)
    }

    /// Decodes the payload of a prepared network file (after the header).
    /// Exposed for the fuzz target of the loader; use [`RoadNetwork::load`].
    #[doc(hidden)]
    pub fn decode_payload(payload: &[u8]) -> Result<RoadNetwork, String> {
        match postcard::take_from_bytes::<RoadNetwork>(payload) {
            Ok((net, [])) => Ok(net),
            Ok((_, rest)) => Err(format!("{} bytes left over after the network", rest.len())),
            Err(e) => Err(format!("cannot decode: {e}")),
        }
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
