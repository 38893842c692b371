//! The suite that drives real outside programs (poppler, qpdf, Chromium, yaml-language-server,
//! the `pdfua`, `page-validation` and `outloud` checkers). It is opened explicitly, never by a plain `cargo test`:
//!
//! ```text
//! cargo test --features external-tools --test external
//! ```
//!
//! `.ci/run` installs the programs and always runs it. A missing program is a failure that says
//! what to install, never a skip. Where a Rust reader can check the same thing (lopdf for a PDF's
//! text, fonts and encryption), the normal suite checks it too.

#[path = "../common/mod.rs"]
mod common;

/// The pack's PDF/UA-1 and PDF/A-3a claims, proved by page-validation and outloud.
mod conformance;
/// Editor support through yaml-language-server.
mod editor;
/// `render --encrypt` read by qpdf and poppler.
mod encrypt;
/// The HTML report in headless Chromium.
mod html;
/// No variant of the protected address in any part of the PDF, read by poppler.
mod leak;
/// The packs read by poppler: pdftotext, pdffonts, pdfinfo.
mod pdf;
/// The pack checked for PDF/UA by the `pdfua` checker.
mod pdfua;
/// Hostile inputs that only root can set up (mknod, setpriv, mount).
mod privileged;
/// The intake register on a real PostgreSQL server.
mod register;
/// The register's scenarios, shared with tests/intake.rs (SQLite).
#[path = "../suite/intake/scenarios.rs"]
mod register_scenarios;
/// `ehcpack serve` through a whole case in headless Chromium, with axe-core.
mod serve;
/// The shared domain guide beside the clone (`../shared`).
mod shared;

use std::path::PathBuf;

/// The path of `program`, found on PATH (or at an absolute path), or a failing test that says
/// how to install it.
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
