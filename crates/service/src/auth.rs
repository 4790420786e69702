//! Per-borough API keys.
//!
//! A key is 32 random bytes from the operating system, shown once as
//! `srk_` + 64 hex digits. The keys file keeps only its SHA-256, one JSON
//! object per line:
//!
//! ```text
//! {"borough":"E09000007","key_sha256":"9f86d0…","label":"camden transport team"}
//! ```
//!
//! A plain SHA-256 is enough here, and a slow password hash (argon2, bcrypt)
//! would buy nothing: slow hashes protect *guessable* secrets by making each
//! guess expensive, but a 256-bit random key cannot be guessed at any speed,
//! and a stolen keys file reveals no key because SHA-256 is preimage
//! resistant. A fast hash also keeps per-request authentication cheap.
//! Lookup is by hash in a map, so timing reveals nothing about stored keys.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use tonic::{Request, Status};

/// The borough a request is authenticated as, put in the request's
/// extensions by [`KeyRing::authenticate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// GSS code of the borough.
    pub borough: String,
    /// The coordinator of a keyless app on their own machine
    /// (`senroute app`): sees every job and every pupil in full. Never set
    /// for a key.
    pub all_boroughs: bool,
}

/// One line of the keys file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KeyEntry {
    /// GSS code of the borough the key belongs to.
    pub borough: String,
    /// Lowercase hex SHA-256 of the key as sent in `authorization: Bearer`.
    pub key_sha256: String,
    /// Free text: who holds the key.
    #[serde(default)]
    pub label: String,
}

/// A problem with the keys file.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The file could not be read or written.
    #[error("keys file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A line is not a valid entry.
    #[error("keys file {path}, line {line}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The borough is not a GSS code.
    #[error("{0:?} is not a GSS code (a letter and 8 digits, e.g. E09000007 for Camden)")]
    Borough(String),
}

/// Lowercase hex of `bytes` (the `hex` crate).
pub fn hex(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

/// Lowercase hex SHA-256 of `key`.
pub fn key_hash(key: &str) -> String {
    hex(&Sha256::digest(key.as_bytes()))
}

/// True for a GSS code such as `E09000007`: one capital letter, 8 digits.
pub fn is_gss_code(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 9 && b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_digit)
}

/// A new random API key: `srk_` and 64 hex digits (256 bits).
pub fn mint_key() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(format!("srk_{}", hex(&bytes)))
}

/// Mints a key for `borough`, appends its hash to the keys file at `path`
/// (creating it with owner-only permissions on Unix) and returns the key,
/// which is stored nowhere else.
pub fn add_key(path: &Path, borough: &str, label: &str) -> Result<String, KeyError> {
    if !is_gss_code(borough) {
        return Err(KeyError::Borough(borough.to_string()));
    }
    let io = |source| KeyError::Io {
        path: path.display().to_string(),
        source,
    };
    let key = mint_key().map_err(|e| io(std::io::Error::other(e)))?;
    let entry = KeyEntry {
        borough: borough.to_string(),
        key_sha256: key_hash(&key),
        label: label.to_string(),
    };
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(io)?;
    let line = serde_json::to_string(&entry).map_err(|e| io(std::io::Error::other(e)))?;
    writeln!(f, "{line}").map_err(io)?;
    f.sync_all().map_err(io)?;
    Ok(key)
}

/// The keys the server accepts, by hash.
#[derive(Debug, Clone, Default)]
pub struct KeyRing {
    by_hash: HashMap<String, String>,
}

impl KeyRing {
    /// Reads a keys file. Blank lines and lines starting with `#` are skipped.
    pub fn load(path: &Path) -> Result<Self, KeyError> {
        let text = std::fs::read_to_string(path).map_err(|source| KeyError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&path.display().to_string(), &text)
    }

    /// Parses the text of a keys file named `name`.
    pub fn parse(name: &str, text: &str) -> Result<Self, KeyError> {
        let mut ring = KeyRing::default();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let invalid = |message: String| KeyError::Invalid {
                path: name.to_string(),
                line: i + 1,
                message,
            };
            let e: KeyEntry = serde_json::from_str(line).map_err(|e| invalid(e.to_string()))?;
            if !is_gss_code(&e.borough) {
                return Err(invalid(format!(
                    "borough {:?} is not a GSS code",
                    e.borough
                )));
            }
            let h = e.key_sha256.to_ascii_lowercase();
            if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(invalid("key_sha256 must be 64 hex digits".into()));
            }
            ring.by_hash.insert(h, e.borough);
        }
        Ok(ring)
    }

    /// Adds a key directly (tests, embedding).
    pub fn insert_key(&mut self, borough: &str, key: &str) {
        self.by_hash.insert(key_hash(key), borough.to_string());
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.by_hash.len()
    }

    /// True when no key is accepted.
    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }

    /// The borough holding `key`.
    pub fn borough_for(&self, key: &str) -> Option<&str> {
        self.by_hash.get(&key_hash(key)).map(String::as_str)
    }

    /// Checks the `authorization: Bearer <key>` metadata of a request and
    /// records the [`Caller`] in its extensions; UNAUTHENTICATED otherwise.
    #[allow(clippy::result_large_err)] // tonic's interceptor signature
    pub fn authenticate<T>(&self, mut req: Request<T>) -> Result<Request<T>, Status> {
        let header = req
            .metadata()
            .get("authorization")
            .ok_or_else(|| {
                Status::unauthenticated(
                    "missing `authorization: Bearer <key>` metadata; ask the service operator for your borough's API key",
                )
            })?
            .to_str()
            .map_err(|_| Status::unauthenticated("authorization metadata is not text"))?;
        let key = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .ok_or_else(|| Status::unauthenticated("authorization must be `Bearer <key>`"))?
            .trim();
        let borough = self
            .borough_for(key)
            .ok_or_else(|| Status::unauthenticated("unknown API key"))?
            .to_string();
        req.extensions_mut().insert(Caller {
            borough,
            all_boroughs: false,
        });
        Ok(req)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_keys_round_trip_through_the_file() {
        let path =
            std::env::temp_dir().join(format!("senroute-keys-{}.jsonl", mint_key().unwrap()));
        let k1 = add_key(&path, "E09000007", "camden").unwrap();
        let k2 = add_key(&path, "E09000033", "westminster").unwrap();
        assert_ne!(k1, k2);
        assert!(k1.starts_with("srk_") && k1.len() == 68);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains(&k1[4..]),
            "the key itself must not be stored"
        );
        let ring = KeyRing::load(&path).unwrap();
        assert_eq!(ring.len(), 2);
        assert_eq!(ring.borough_for(&k1), Some("E09000007"));
        assert_eq!(ring.borough_for(&k2), Some("E09000033"));
        assert_eq!(ring.borough_for("srk_00"), None);
        assert!(matches!(
            add_key(&path, "Camden", ""),
            Err(KeyError::Borough(_))
        ));
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn bad_lines_are_reported_with_their_number() {
        let text = format!(
            "# comment\n\n{{\"borough\":\"E09000007\",\"key_sha256\":\"{}\"}}\n{{\"borough\":\"E09000007\",\"key_sha256\":\"abc\"}}\n",
            key_hash("x")
        );
        match KeyRing::parse("k", &text) {
            Err(KeyError::Invalid { line, .. }) => assert_eq!(line, 4),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn authenticate_needs_a_known_bearer_key() {
        let mut ring = KeyRing::default();
        ring.insert_key("E09000007", "srk_good");
        let ok = ring
            .authenticate(with_auth(Some("Bearer srk_good")))
            .unwrap();
        assert_eq!(
            ok.extensions().get::<Caller>().unwrap().borough,
            "E09000007"
        );
        for bad in [
            None,
            Some("Bearer srk_bad"),
            Some("srk_good"),
            Some("Basic srk_good"),
        ] {
            let e = ring.authenticate(with_auth(bad)).unwrap_err();
            assert_eq!(e.code(), tonic::Code::Unauthenticated, "{bad:?}");
        }
    }

    fn with_auth(v: Option<&str>) -> Request<()> {
        let mut r = Request::new(());
        if let Some(v) = v {
            r.metadata_mut().insert("authorization", v.parse().unwrap());
        }
        r
    }
}
