//! The suite that drives real outside programs (poppler, qpdf, Chromium, yaml-language-server,
//! the `pdfua` checker). It is opened explicitly, never by a plain `cargo test`:
//!
//! ```text
//! cargo test --features external-tools --test external
//! ```
//!
//! `.ci/run` installs the programs and always runs it. A missing program is a failure that says
//! what to install, never a skip.

use std::path::PathBuf;

mod leak;
mod pdfua;

/// The path of `program`, found on PATH (or at an absolute path), or a failing test that says
/// how to install it.
#[allow(dead_code)]
pub fn require(program: &str, install: &str) -> PathBuf {
    let candidate = PathBuf::from(program);
    if candidate.is_absolute() && candidate.exists() {
        return candidate;
    }
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            let full = dir.join(program);
            if full.is_file() {
                return full;
            }
        }
    }
    panic!(
        "the external suite needs `{program}`, which is not installed: {install} \
         (`.ci/run` installs it)"
    );
}
