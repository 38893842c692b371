//! A whole case folder through `ehcpack::validate`: reading, structure, schemas, the typed model,
//! every Durham rule and the redaction of protected addresses. None of it may panic.
//!
//! The input is a list of files separated by the byte 0xFF (never part of UTF-8 text): the first
//! byte of each file picks its name from `NAMES` (modulo), the rest is its content. A name given
//! twice keeps the later content. `reports/` holds two small PDFs that the samples' evidence
//! lists. `fuzz/make_seeds.py` writes the sample cases in this form.

#![no_main]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::NaiveDate;
use ehcpack::profile::Profile;
use ehcpack::rules::Context;
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 16] = [
    "pupil.yaml",
    "family.yaml",
    "needs.yaml",
    "health.yaml",
    "plan-1.yaml",
    "plan-2.yaml",
    "plan-3.yaml",
    "attainment.yaml",
    "views.yaml",
    "professionals.yaml",
    "request.yaml",
    "consent.yaml",
    "evidence.yaml",
    "plan-4.yaml",
    "extra.yml",
    "reports/notes.yaml",
];

/// Files per case at most (the samples have 13).
const MAX_FILES: usize = 16;

/// One case folder per process, on tmpfs where there is one, emptied before each run.
fn case_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        let base = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("ehcpack-fuzz-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("reports")).expect("make the fuzz case folder");
        for pdf in ["salt-report.pdf", "my-story.pdf"] {
            fs::write(dir.join("reports").join(pdf), b"%PDF-1.4\n%%EOF\n").expect("write a PDF");
        }
        dir
    })
}

fn profile() -> &'static Profile {
    static PROFILE: OnceLock<Profile> = OnceLock::new();
    PROFILE.get_or_init(Profile::durham)
}

fuzz_target!(|data: &[u8]| {
    let dir = case_dir();
    for name in NAMES {
        let _ = fs::remove_file(dir.join(name));
    }
    for chunk in data.split(|b| *b == 0xFF).take(MAX_FILES) {
        let Some((&pick, content)) = chunk.split_first() else {
            continue;
        };
        let name = NAMES[pick as usize % NAMES.len()];
        fs::write(dir.join(name), content).expect("write a case file");
    }
    let today = NaiveDate::from_ymd_opt(2026, 1, 15).expect("a real date");
    let ctx = Context::new(profile(), today);
    let (_case, report) = ehcpack::validate(dir, &ctx);
    assert_eq!(
        report.errors + report.warnings,
        report.diagnostics.len(),
        "every finding is an error or a warning"
    );
});
