//! A whole case folder through `ehcpack::validate`: reading, structure, schemas, the typed model,
//! every Durham rule and the redaction of protected addresses. None of it may panic.
//!
//! The input form is `common`'s: files separated by the byte 0xFF, the first byte of each
//! picking its name. `reports/` holds two small PDFs that the samples' evidence lists.

#![no_main]

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::NaiveDate;
use ehcpack::rules::Context;
use libfuzzer_sys::fuzz_target;

fn case_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    const PDF: &[u8] = b"%PDF-1.4\n%%EOF\n";
    DIR.get_or_init(|| {
        common::case_dir(
            "validate",
            &[("salt-report.pdf", PDF), ("my-story.pdf", PDF)],
        )
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = case_dir();
    common::write_case(dir, data);
    let today = NaiveDate::from_ymd_opt(2026, 1, 15).expect("a real date");
    let ctx = Context::new(common::profile(), today);
    let (_case, report) = ehcpack::validate(dir, &ctx);
    assert_eq!(
        report.errors + report.warnings,
        report.diagnostics.len(),
        "every finding is an error or a warning"
    );
});
