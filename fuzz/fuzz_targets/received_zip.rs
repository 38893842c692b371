//! A received zip archive's bytes through `batch::check`: the central directory and its
//! declared entry count, names (zip slip, links, hidden files), sizes and ratios (bombs), the
//! case folders found inside, each read and checked by every rule, and the findings capped per
//! item. None of it may panic, hang, write outside its private folder or take memory beyond the
//! caps.

#![no_main]

// These targets use the case folder and profile only, not the case input form.
#[allow(dead_code)]
mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::NaiveDate;
use ehcpack::batch::{self, Item};
use ehcpack::received::{self, Options};
use ehcpack::rules::Context;
use libfuzzer_sys::fuzz_target;

fn zip_path() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| common::case_dir("received-zip", &[]).join("received.zip"))
}

fuzz_target!(|data: &[u8]| {
    let path = zip_path();
    std::fs::write(path, data).expect("write the archive");
    let today = NaiveDate::from_ymd_opt(2026, 1, 15).expect("a real date");
    let ctx = Context::new(common::profile(), today);
    let checked = batch::check(&Item::Zip(path.to_path_buf()), &ctx, &Options::default());
    assert!(!checked.is_empty(), "an archive gives at least one report");
    for c in &checked {
        let r = &c.report;
        assert_eq!(r.errors + r.warnings, r.diagnostics.len());
        assert!(r.diagnostics.len() <= received::MAX_FINDINGS_PER_ITEM + 1);
    }
});
