//! A whole case folder to PDF bytes: `ehcpack::validate`, then `render::render_case` (as
//! `render --draft` does, so a case with errors is rendered too) with the built-in templates and
//! fonts, the evidence embedded, or also appended as pages.
//! Neither may panic; render either returns a PDF or a message.
//!
//! The input is the same as `validate_case`'s: files separated by the byte 0xFF, the first byte
//! of each picking its name. `reports/` holds the sample case's two real PDFs.

#![no_main]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::NaiveDate;
use ehcpack::profile::Profile;
use ehcpack::render::fonts::Fonts;
use ehcpack::render::{Evidence, Options};
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

const MAX_FILES: usize = 16;

const SALT: &[u8] = include_bytes!("../../sample-cases/year5-passing/reports/salt-report.pdf");
const STORY: &[u8] = include_bytes!("../../sample-cases/year5-passing/reports/my-story.pdf");

fn case_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        let base = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("ehcpack-fuzz-render-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("reports")).expect("make the fuzz case folder");
        fs::write(dir.join("reports/salt-report.pdf"), SALT).expect("write a PDF");
        fs::write(dir.join("reports/my-story.pdf"), STORY).expect("write a PDF");
        dir
    })
}

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(Fonts::bundled)
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
    let (case, report) = ehcpack::validate(dir, &ctx);
    if !case.is_complete() {
        return;
    }
    // Both ways of carrying the evidence: embedded only, or also its pages appended (lopdf
    // reading the reports again), picked by the input's length.
    let evidence = if data.len() % 2 == 0 {
        Evidence::Embedded
    } else {
        Evidence::AppendPages
    };
    let options = Options {
        draft: true,
        today,
        templates: None,
        fonts: fonts(),
        profile: &profile().name,
        evidence,
    };
    if let Ok(rendered) = ehcpack::render::render_case(&case, &report, &options) {
        assert!(rendered.bytes.starts_with(b"%PDF-"));
        assert!(rendered.pages >= 1);
    }
});
