//! A received pack PDF's bytes, as an LA gets them from any sender, through the whole of what
//! `validate` does with one (`batch::check`): the pre-scan and its caps (objects counted
//! inside object streams too), lopdf's load, the embedded-file tree, the manifest and its
//! entries, every checksum, then the case read from memory and checked by every rule, and the
//! findings capped per item. None of it may panic, hang or take memory beyond the caps.

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

fn pack_path() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| common::case_dir("received-pack", &[]).join("received.pdf"))
}

fuzz_target!(|data: &[u8]| {
    let path = pack_path();
    std::fs::write(path, data).expect("write the pack");
    let today = NaiveDate::from_ymd_opt(2026, 1, 15).expect("a real date");
    let ctx = Context::new(common::profile(), today);
    let checked = batch::check(&Item::Pack(path.to_path_buf()), &ctx, &Options::default());
    assert_eq!(checked.len(), 1, "a pack is one case");
    for c in &checked {
        let r = &c.report;
        assert_eq!(r.errors + r.warnings, r.diagnostics.len());
        assert!(r.diagnostics.len() <= received::MAX_FINDINGS_PER_ITEM + 1);
    }
});
