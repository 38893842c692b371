//! The packs read by poppler (pdftotext, pdffonts, pdfinfo), the reader behind many PDF viewers:
//! what it sees must be what lopdf sees in the normal suite (tests/suite/render.rs).
// Tests read their fixtures and outputs directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use std::path::Path;
use std::process::Command;

use crate::common::{self, fold, sample};
use crate::require;

const DRAFT: &str = "DRAFT - not ready to send";

/// The text of each page as poppler's pdftotext extracts it, whitespace folded.
fn poppler_pages_text(pdf: &Path) -> Vec<String> {
    let out = Command::new(require("pdftotext", "apt install poppler-utils"))
        .args(["-raw", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        pdf.display()
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut pages: Vec<String> = text.split('\u{c}').map(fold).collect();
    if pages.last().is_some_and(|p| p.is_empty()) {
        pages.pop();
    }
    pages
}

#[test]
fn poppler_reads_the_pack_as_lopdf_does() {
    let dir = common::tempdir();
    let pdf = common::render_pack(dir.path(), &sample("year5-passing"), &[]);
    let poppler = poppler_pages_text(&pdf);
    let lopdf = common::pdf_pages_text(&pdf);
    assert_eq!(poppler.len(), lopdf.len(), "the same number of pages");
    assert!(poppler.len() >= 10, "{} pages", poppler.len());
    for text in [
        "Joshua Lee Heslop",
        "14 February 2016",
        "Brackenfield Primary School",
        "2 February 2026",
        "OFFICIAL-SENSITIVE",
    ] {
        assert!(
            poppler[0].contains(text),
            "cover lacks {text}: {}",
            poppler[0]
        );
    }
    // Page by page, the same words (the two readers may order a line's runs differently).
    for (i, (p, l)) in poppler.iter().zip(&lopdf).enumerate() {
        let mut pw: Vec<&str> = p.split_whitespace().collect();
        let mut lw: Vec<&str> = l.split_whitespace().collect();
        pw.sort_unstable();
        lw.sort_unstable();
        assert_eq!(pw, lw, "page {}: poppler {p:?}\nlopdf {l:?}", i + 1);
    }
    let pack: Vec<&String> = poppler
        .iter()
        .filter(|p| p.contains("EHC needs assessment request - pupil JLH"))
        .collect();
    for (i, p) in pack.iter().enumerate() {
        assert!(
            p.contains(&format!("Page {} of {}", i + 1, pack.len())),
            "{p}"
        );
    }
    assert!(!poppler.join(" ").contains(DRAFT));
}

#[test]
fn poppler_sees_the_draft_mark_on_every_page() {
    let dir = common::tempdir();
    let pdf = common::render_pack(dir.path(), &sample("fail-no-consent"), &["--draft"]);
    let pages = poppler_pages_text(&pdf);
    let pack: Vec<_> = pages
        .iter()
        .filter(|p| p.contains("EHC needs assessment request - pupil"))
        .collect();
    assert!(pack.len() >= 10);
    for (i, p) in pack.iter().enumerate() {
        assert!(p.contains(DRAFT), "page {} lacks the draft mark", i + 1);
    }
}

/// Every sample rendered (as a draft where it has errors): no protected address in the text
/// poppler extracts.
#[test]
fn poppler_finds_no_protected_address_in_any_sample() {
    let dir = common::tempdir();
    let mut checked = 0;
    for entry in std::fs::read_dir(common::root().join("sample-cases")).unwrap() {
        let case = entry.unwrap().path();
        if !case.is_dir() {
            continue;
        }
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let out_dir = dir.path().join(&name);
        std::fs::create_dir(&out_dir).unwrap();
        let pdf = common::render_pack(&out_dir, &case, &["--draft"]);
        let squashed: String = poppler_pages_text(&pdf)
            .concat()
            .split_whitespace()
            .collect::<String>()
            .to_uppercase();
        for needle in ["DH79ZQ", "LARCHFIELD"] {
            assert!(
                !squashed.contains(needle),
                "{name}: {needle} is in the text"
            );
        }
        checked += 1;
    }
    assert!(checked >= 8, "{checked} samples");
}

/// pdffonts: the pack's own fonts are embedded (as subsets, with a map back to Unicode), and no
/// font is left to the reader's computer.
#[test]
fn pdffonts_lists_the_embedded_fonts() {
    let dir = common::tempdir();
    let pdf = common::render_pack(dir.path(), &sample("year5-passing"), &[]);
    let out = Command::new(require("pdffonts", "apt install poppler-utils"))
        .arg(&pdf)
        .output()
        .unwrap();
    assert!(out.status.success());
    let listing = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<&str> = listing.lines().skip(2).collect();
    // name, type (one or two words), encoding, then emb sub uni object-number generation.
    let column = |row: &str, from_end: usize| {
        let columns: Vec<&str> = row.split_whitespace().collect();
        columns[columns.len() - from_end].to_string()
    };
    for face in [
        "AtkinsonHyperlegibleNext-Regular",
        "AtkinsonHyperlegibleNext-Bold",
    ] {
        let row = rows
            .iter()
            .find(|r| {
                r.split_whitespace()
                    .next()
                    .is_some_and(|n| n.ends_with(face))
            })
            .unwrap_or_else(|| panic!("{face}: {listing}"));
        assert_eq!(column(row, 3), "yes", "{face} maps to Unicode: {row}");
    }
    for row in &rows {
        assert_eq!(column(row, 5), "yes", "not embedded: {row}");
    }
}

/// pdfinfo: the page count lopdf reads, the title, the reproducible dates, not encrypted.
#[test]
fn pdfinfo_agrees_on_pages_title_and_dates() {
    let dir = common::tempdir();
    let pdf = common::render_pack(dir.path(), &sample("year5-passing"), &[]);
    let out = Command::new(require("pdfinfo", "apt install poppler-utils"))
        .arg(&pdf)
        .output()
        .unwrap();
    assert!(out.status.success());
    let info = String::from_utf8_lossy(&out.stdout);
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}:")))
            .map(str::trim)
            .unwrap_or_else(|| panic!("no {name}: {info}"))
            .to_string()
    };
    let pages = lopdf::Document::load(&pdf).unwrap().get_pages().len();
    assert_eq!(field("Pages"), pages.to_string());
    assert!(field("Title").contains("JLH"), "{info}");
    assert!(!field("Title").contains("Heslop"), "initials only: {info}");
    assert!(field("CreationDate").contains("2026"), "{info}");
    assert_eq!(field("Encrypted"), "no");
}
