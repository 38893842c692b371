//! The machine-readable copy inside a pack: what `render` embeds and what the LA side reads back.
//!
//! Every pack PDF carries, as PDF embedded files:
//! - `ehcpack-manifest.json`: this [`Manifest`];
//! - `case/<path>` for each YAML document of the case, as validated, with every protected
//!   address value withheld (the bytes the manifest's checksum is of);
//! - `evidence/<path>` for each attached evidence file, byte for byte as the school attached it.
//!
//! Paths are the document's path relative to the case folder, with `/` separators on every
//! platform. A reader treats every name as untrusted: no `..`, no absolute path, no backslash.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The embedded file that holds the manifest.
pub const MANIFEST_FILE: &str = "ehcpack-manifest.json";
/// The prefix of each embedded case document's name.
pub const CASE_PREFIX: &str = "case/";
/// The prefix of each embedded evidence file's name.
pub const EVIDENCE_PREFIX: &str = "evidence/";
/// The version of this manifest's shape. A reader refuses a larger one with a finding.
pub const MANIFEST_VERSION: u32 = 1;

/// What a pack says it holds, written by `render`, checked by `validate` on a received pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`MANIFEST_VERSION`].
    pub manifest_version: u32,
    /// The case format the documents are in: `ehcpack/1`.
    pub format: String,
    /// The ehcpack that rendered the pack (`CARGO_PKG_VERSION`).
    pub ehcpack_version: String,
    /// The name of the profile the case was validated with when rendered.
    pub profile: String,
    /// Whether the pack was rendered with `--draft`.
    pub draft: bool,
    /// Whether a protected address was withheld from the embedded documents.
    pub address_withheld: bool,
    /// Each YAML document, in the case folder's order.
    pub documents: Vec<Entry>,
    /// Each evidence file, in the evidence document's order.
    pub attachments: Vec<Entry>,
    /// The pack's own pages, as rendered (packs made before this was recorded have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<u64>,
    /// Whether the reports' pages were appended after the pack's own (`--evidence-pages`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub evidence_pages: bool,
}

/// One embedded file: its path in the case folder and the SHA-256 of the bytes embedded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Relative to the case folder, `/`-separated.
    pub path: String,
    /// Lower-case hex SHA-256 of the embedded bytes.
    pub sha256: String,
    /// The number of bytes embedded.
    pub bytes: u64,
}

impl Entry {
    /// The entry for `bytes` embedded as `path`.
    pub fn of(path: &str, bytes: &[u8]) -> Entry {
        Entry {
            path: path.to_string(),
            sha256: sha256_hex(bytes),
            bytes: bytes.len() as u64,
        }
    }
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Whether an embedded file's relative path is safe to use as a path inside a private folder:
/// relative, `/`-separated, no empty, `.` or `..` part, no backslash or control character, and no
/// drive prefix (`C:`).
pub fn is_safe_relative_path(path: &str) -> bool {
    !path.is_empty()
        && path.len() <= 255
        && !path.starts_with('/')
        && !path.chars().any(|c| c == '\\' || c.is_control())
        && !matches!(path.as_bytes(), [d, b':', ..] if d.is_ascii_alphabetic())
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let m = Manifest {
            manifest_version: MANIFEST_VERSION,
            format: "ehcpack/1".into(),
            ehcpack_version: "0.1.0".into(),
            profile: "Durham".into(),
            draft: false,
            address_withheld: true,
            documents: vec![Entry::of("pupil.yaml", b"kind: pupil\n")],
            pages: Some(3),
            evidence_pages: false,
            attachments: vec![Entry::of("reports/ep.pdf", b"%PDF-1.7")],
        };
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(serde_json::from_str::<Manifest>(&json).unwrap(), m);
    }

    #[test]
    fn unsafe_paths() {
        for p in [
            "",
            "/etc/passwd",
            "../x",
            "a/../b",
            "a\\b",
            "c:x",
            "C:/x",
            "a//b",
            "./a",
        ] {
            assert!(!is_safe_relative_path(p), "{p}");
        }
        assert!(is_safe_relative_path("reports/ep report.pdf"));
        assert!(is_safe_relative_path("reports/ep: 2025.pdf"));
    }
}
