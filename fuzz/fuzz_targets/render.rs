//! A whole case folder to PDF bytes: `ehcpack::validate`, then `render::render_case` (as
//! `render --draft` does, so a case with errors is rendered too) with the built-in templates and
//! fonts, the evidence embedded, or also appended as pages.
//! Neither may panic; render either returns a PDF or a message.
//!
//! The input form is `common`'s, as for `validate_case`. `reports/` holds the sample case's two
//! real PDFs.

#![no_main]

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::NaiveDate;
use ehcpack::render::fonts::Fonts;
use ehcpack::render::{Evidence, Options};
use ehcpack::rules::Context;
use libfuzzer_sys::fuzz_target;

const SALT: &[u8] = include_bytes!("../../sample-cases/year5-passing/reports/salt-report.pdf");
const STORY: &[u8] = include_bytes!("../../sample-cases/year5-passing/reports/my-story.pdf");

fn case_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        common::case_dir(
            "render",
            &[("salt-report.pdf", SALT), ("my-story.pdf", STORY)],
        )
    })
}

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(Fonts::bundled)
}

fuzz_target!(|data: &[u8]| {
    let dir = case_dir();
    common::write_case(dir, data);
    let today = NaiveDate::from_ymd_opt(2026, 1, 15).expect("a real date");
    let ctx = Context::new(common::profile(), today);
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
        profile: &common::profile().name,
        evidence,
    };
    if let Ok(rendered) = ehcpack::render::render_case(&case, &report, &options) {
        assert!(rendered.bytes.starts_with(b"%PDF-"));
        assert!(rendered.pages >= 1);
    }
});
