//! The LA's inbox is bounded by construction (issue 18, third part): every cap counts what is
//! really there, not raw bytes. Each test here is an attack an LA could receive from any
//! sender, generated in the test: objects hidden in compressed object streams, cross-reference
//! entries naming one object stream many times, a manifest of a million and a half files in a
//! small pack, thousands of findings from one item, a batch of hostile items, a profile naming
//! one font thousands of times, too many or too large `--font` files. Each is run by the real
//! binary, timed and with its peak memory measured, so a cap that stops counting
//! fails here.
// Tests read their fixtures and outputs directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use crate::common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::common::packs::{pack_pdf, spec_of, Listing};
use crate::common::{ehcpack_command, measured, sample, Measured, TODAY};
use ehcpack::batch::{self, Item};
use ehcpack::manifest::Entry;
use ehcpack::received::{self, Limits, Options};

fn validate(dir: &Path, args: &[&str]) -> Command {
    let mut command = ehcpack_command();
    command
        .current_dir(dir)
        .args(["validate", "--today", TODAY])
        .args(args);
    command
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(data).unwrap();
    z.finish().unwrap()
}

/// A PDF whose object 3 is a compressed object stream listing `listed` objects (all of them
/// `null`, at one offset), with a classic cross-reference table that names object 3 under
/// `names` numbers (1 is honest; more is the same stream read again and again).
fn object_stream_pdf(listed: usize, names: usize) -> Vec<u8> {
    let mut index = String::with_capacity(listed * 10);
    for n in 0..listed {
        index.push_str(&(100 + n).to_string());
        index.push_str(" 0 ");
    }
    let first = index.len();
    index.push_str("null");
    let data = zlib(index.as_bytes());
    let mut pdf = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    offsets.push(pdf.len());
    pdf.extend_from_slice(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    offsets.push(pdf.len());
    pdf.extend_from_slice(b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n");
    offsets.push(pdf.len());
    pdf.extend_from_slice(
        format!(
            "3 0 obj\n<< /Type /ObjStm /N 1 /First {first} /Filter /FlateDecode /Length {} >>\nstream\n",
            data.len()
        )
        .as_bytes(),
    );
    pdf.extend_from_slice(&data);
    pdf.extend_from_slice(b"\nendstream\nendobj\n");
    let xref = pdf.len();
    let size = 3 + names;
    pdf.extend_from_slice(format!("xref\n0 {size}\n0000000000 65535 f \n").as_bytes());
    for offset in &offsets[..2] {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    for _ in 0..names {
        pdf.extend_from_slice(format!("{:010} 00000 n \n", offsets[2]).as_bytes());
    }
    pdf.extend_from_slice(
        format!("trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    pdf
}

fn json_of(m: &Measured) -> serde_json::Value {
    serde_json::from_str(&m.stdout()).unwrap_or_else(|e| {
        panic!(
            "JSON ({e}): {}\n{}",
            &m.stdout()[..m.stdout().len().min(2000)],
            m.stderr()
        )
    })
}

/// Every finding of every case in a JSON report: (rule, message).
fn findings(report: &serde_json::Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for case in report["cases"].as_array().expect("cases") {
        for d in case["diagnostics"].as_array().expect("diagnostics") {
            out.push((
                d["rule"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            ));
        }
    }
    out
}

// ---- Objects inside object streams ----

#[test]
fn objects_inside_compressed_object_streams_count_against_the_cap() {
    // 1,500,000 objects in a few megabytes: lopdf would build every one (about 360 bytes each,
    // over 500 MB); the raw bytes hold the word `obj` three times.
    let pdf = object_stream_pdf(1_500_000, 1);
    assert!(pdf.len() < 8 * 1024 * 1024, "{} bytes", pdf.len());
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("many.pdf"), &pdf).unwrap();
    let m = measured(
        validate(work.path(), &["many.pdf", "--format", "json"]),
        Duration::from_secs(120),
    );
    let found = findings(&json_of(&m));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "pack-integrity");
    assert!(
        found[0]
            .1
            .contains("more than the 200000 objects ehcpack reads"),
        "{found:?}"
    );
    assert!(m.peak_mb < 200, "peak {} MB", m.peak_mb);
    // The same file given as a school's evidence report is refused by the same count.
    let why = ehcpack::evidence_pdf::inspect(&pdf)
        .unwrap_err()
        .to_string();
    assert!(why.contains("more than 200000 objects"), "{why}");
}

#[test]
fn an_object_stream_named_by_many_cross_reference_entries_is_read_once() {
    // 150,000 objects (under the cap) named by 60 entries of the cross-reference table: read
    // each time, lopdf would build 9,000,000.
    let pdf = object_stream_pdf(150_000, 60);
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("again.pdf"), &pdf).unwrap();
    let m = measured(
        validate(work.path(), &["again.pdf", "--format", "json"]),
        Duration::from_secs(120),
    );
    let found = findings(&json_of(&m));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1.contains("not an ehcpack pack"), "{found:?}");
    assert!(m.peak_mb < 300, "peak {} MB", m.peak_mb);
    // As evidence, it reads within the cap and has no pages.
    assert_eq!(
        ehcpack::evidence_pdf::inspect(&pdf)
            .unwrap_err()
            .to_string(),
        "has no pages"
    );
}

#[test]
fn cross_reference_entries_past_the_cap_are_refused_before_loading() {
    // A classic table of 500,000 entries, all naming one small object.
    let pdf = object_stream_pdf(1, 500_000);
    let why = ehcpack::evidence_pdf::inspect(&pdf)
        .unwrap_err()
        .to_string();
    assert!(why.contains("more than 200000 objects"), "{why}");
}

#[test]
fn an_object_stream_in_a_filter_the_count_cannot_read_is_refused() {
    let hex: String = "100 0 101 0 null"
        .bytes()
        .map(|b| format!("{b:02X}"))
        .collect();
    let pdf = format!(
        "%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages \
         /Kids [] /Count 0 >>\nendobj\n3 0 obj\n<< /Type /ObjStm /N 2 /First 12 /Filter \
         /ASCIIHexDecode /Length {} >>\nstream\n{hex}>\nendstream\nendobj\ntrailer\n<< /Root 1 \
         0 R >>\n%%EOF\n",
        hex.len() + 1
    );
    let why = ehcpack::evidence_pdf::inspect(pdf.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(why.contains("object stream encoded in a way"), "{why}");
}

// ---- Manifest entries ----

/// A pack of year5-passing whose manifest lists `extra` more case documents, all the same
/// missing file (so the manifest compresses to almost nothing).
fn pack_listing_more(extra: usize, distinct: bool) -> Vec<u8> {
    let mut spec = spec_of(&sample("year5-passing"));
    for n in 0..extra {
        let path = if distinct {
            format!("missing-{n}.yaml")
        } else {
            "missing.yaml".to_string()
        };
        spec.manifest.documents.push(Entry::of(&path, b""));
    }
    pack_pdf(&spec, Listing::NameTree)
}

#[test]
fn a_small_pack_whose_manifest_lists_a_million_and_a_half_files_answers_at_once() {
    let pdf = pack_listing_more(1_500_000, false);
    assert!(pdf.len() < 1024 * 1024, "{} bytes", pdf.len());
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("listed.pdf"), &pdf).unwrap();
    let m = measured(
        validate(work.path(), &["listed.pdf", "--format", "json"]),
        Duration::from_secs(60),
    );
    let found = findings(&json_of(&m));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "pack-integrity");
    assert!(
        found[0].1.contains("manifest") && found[0].1.contains("cannot be read"),
        "{found:?}"
    );
    assert!(m.stdout().len() < 16 * 1024, "{} bytes", m.stdout().len());
    assert!(m.took < Duration::from_secs(20), "{:?}", m.took);
    assert!(m.peak_mb < 200, "peak {} MB", m.peak_mb);
}

#[test]
fn a_manifest_listing_more_files_than_a_pack_holds_is_one_finding() {
    // Small enough to read (under 4 MB), more entries than a pack holds (10,000).
    let pdf = pack_listing_more(12_000, true);
    let spec = spec_of(&sample("year5-passing"));
    let listed = 12_000 + spec.manifest.documents.len() + spec.manifest.attachments.len();
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("listed.pdf"), &pdf).unwrap();
    let m = measured(
        validate(work.path(), &["listed.pdf", "--format", "json"]),
        Duration::from_secs(60),
    );
    let found = findings(&json_of(&m));
    assert_eq!(
        found,
        vec![(
            "pack-integrity".to_string(),
            format!("the pack's manifest lists {listed} files, more than the 10000 a pack holds")
        )]
    );
}

// ---- Findings per item, bytes per run, memory per batch ----

#[test]
fn an_item_lists_its_first_findings_then_one_that_counts_the_rest() {
    // 5,000 files listed and missing: one pack-integrity error each.
    let pdf = pack_listing_more(5_000, true);
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("missing.pdf"), &pdf).unwrap();
    let m = measured(
        validate(work.path(), &["missing.pdf", "--format", "json"]),
        Duration::from_secs(120),
    );
    let report = json_of(&m);
    let found = findings(&report);
    assert_eq!(found.len(), received::MAX_FINDINGS_PER_ITEM + 1);
    let (rule, last) = found.last().unwrap();
    assert_eq!(rule, "pack-integrity");
    assert_eq!(
        last,
        "and 4800 errors more, not listed: ehcpack lists at most 200 findings for a received item"
    );
    assert_eq!(m.output.status.code(), Some(1));
}

#[test]
fn past_the_runs_findings_budget_each_item_lists_its_first_finding_only() {
    let work = tempfile::tempdir().unwrap();
    let pdf = pack_listing_more(300, true);
    let mut items = Vec::new();
    for n in 0..6 {
        let path = work.path().join(format!("p{n}.pdf"));
        std::fs::write(&path, &pdf).unwrap();
        items.push(Item::Pack(path));
    }
    let profile = ehcpack::profile::Profile::durham();
    let ctx = ehcpack::rules::Context::new(&profile, TODAY.parse().unwrap());
    let options = Options {
        password: None,
        limits: Limits {
            max_findings_bytes: 150 * 1024,
            ..Limits::default()
        },
    };
    // Per report: how many findings, and whether the run's budget cut it.
    let mut seen = Vec::new();
    batch::run(&items, &ctx, &options, None, &|| {}, &mut |r| {
        let cut = r.diagnostics.iter().any(|d| {
            d.message
                .contains("more, not listed: this run's findings passed")
        });
        seen.push((r.diagnostics.len(), cut));
        Ok(())
    })
    .unwrap();
    // Each pack's 200 findings, summary and duplicate-pupil warning take about 50 KB: the first
    // fit, the last are cut to their first finding, the summary and the warning.
    assert_eq!(seen[0], (202, false), "{seen:?}");
    assert_eq!(*seen.last().unwrap(), (3, true), "{seen:?}");
}

#[test]
fn memory_stays_flat_as_a_batch_of_hostile_packs_grows() {
    let pdf = pack_listing_more(5_000, true);
    let mut peaks = Vec::new();
    for count in [4usize, 32] {
        let work = tempfile::tempdir().unwrap();
        for n in 0..count {
            std::fs::write(work.path().join(format!("p{n:03}.pdf")), &pdf).unwrap();
        }
        let m = measured(
            validate(work.path(), &[".", "-q"]),
            Duration::from_secs(300),
        );
        assert_eq!(m.output.status.code(), Some(1), "{}", m.stderr());
        // At most 201 findings an item, each a few hundred bytes with its help.
        assert!(
            m.stdout().len() < 128 * 1024 * count,
            "{}",
            m.stdout().len()
        );
        peaks.push(m.peak_mb);
    }
    assert!(
        peaks[1] <= peaks[0] + peaks[0] / 4 + 16,
        "4 packs: {} MB, 32 packs: {} MB",
        peaks[0],
        peaks[1]
    );
}

// ---- Fonts ----

/// The Durham profile with `fonts:` naming `font` `times` times.
fn profile_with_fonts(dir: &Path, font: &Path, times: usize) -> PathBuf {
    let mut text = ehcpack::profile::DURHAM.to_string();
    text.push_str("\nfonts:\n");
    for _ in 0..times {
        text.push_str(&format!("  - {}\n", font.display()));
    }
    let path = dir.join("profile.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

fn noto() -> PathBuf {
    common::root().join("fonts/NotoSans-Regular.ttf")
}

#[test]
fn a_profile_naming_one_font_thousands_of_times_is_refused_in_one_line() {
    let work = tempfile::tempdir().unwrap();
    let profile = profile_with_fonts(work.path(), &noto(), 2_000);
    let case = sample("year5-passing");
    let m = measured(
        validate(
            work.path(),
            &[
                case.to_str().unwrap(),
                "--profile",
                profile.to_str().unwrap(),
            ],
        ),
        Duration::from_secs(60),
    );
    assert_eq!(m.output.status.code(), Some(2), "{}", m.stderr());
    assert!(
        m.stderr()
            .contains("the profile names 2000 fonts; ehcpack adds at most 16"),
        "{}",
        m.stderr()
    );
    assert_eq!(m.stderr().trim().lines().count(), 1, "{}", m.stderr());
    assert!(m.peak_mb < 100, "peak {} MB", m.peak_mb);
    // Sixteen are read.
    let profile = profile_with_fonts(work.path(), &noto(), 16);
    let m = measured(
        validate(
            work.path(),
            &[
                case.to_str().unwrap(),
                "--profile",
                profile.to_str().unwrap(),
            ],
        ),
        Duration::from_secs(60),
    );
    assert_eq!(m.output.status.code(), Some(0), "{}", m.stderr());
}

#[test]
fn too_many_font_options_are_refused() {
    let work = tempfile::tempdir().unwrap();
    let case = sample("year5-passing");
    let mut args = vec![case.to_str().unwrap().to_string()];
    for _ in 0..17 {
        args.push("--font".into());
        args.push(noto().to_str().unwrap().to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let m = measured(validate(work.path(), &args), Duration::from_secs(60));
    assert_eq!(m.output.status.code(), Some(2), "{}", m.stderr());
    assert!(
        m.stderr().contains(
            "17 fonts are named (the profile's fonts and --font together); ehcpack adds at most 16"
        ),
        "{}",
        m.stderr()
    );
}

#[test]
fn added_fonts_past_their_total_size_are_refused_before_they_are_read() {
    let work = tempfile::tempdir().unwrap();
    // Real fonts with 60 MB of zeros after their tables (a sparse file: nothing is written).
    let font = std::fs::read(noto()).unwrap();
    let mut args = vec![sample("year5-passing").to_str().unwrap().to_string()];
    for n in 0..3 {
        let path = work.path().join(format!("big-{n}.ttf"));
        let file = std::fs::File::create(&path).unwrap();
        (&file).write_all(&font).unwrap();
        file.set_len(60 * 1024 * 1024).unwrap();
        args.push("--font".into());
        args.push(path.to_str().unwrap().to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let m = measured(validate(work.path(), &args), Duration::from_secs(120));
    assert_eq!(m.output.status.code(), Some(2), "{}", m.stderr());
    assert!(
        m.stderr()
            .contains("the added fonts come to more than 128 MB at"),
        "{}",
        m.stderr()
    );
    assert!(m.stderr().contains("big-2.ttf"), "{}", m.stderr());
    assert!(m.peak_mb < 400, "peak {} MB", m.peak_mb);
}

#[test]
fn the_caps_leave_real_packs_alone() {
    // The pack made to the contract, and the same pack's files under the caps.
    let spec = spec_of(&sample("year5-passing"));
    let work = tempfile::tempdir().unwrap();
    let path = work.path().join("ava.pdf");
    std::fs::write(&path, pack_pdf(&spec, Listing::NameTree)).unwrap();
    let profile = ehcpack::profile::Profile::durham();
    let ctx = ehcpack::rules::Context::new(&profile, TODAY.parse().unwrap());
    let got = batch::check(&Item::Pack(path), &ctx, &Options::default());
    assert_eq!(got.len(), 1);
    assert!(
        got[0].report.diagnostics.is_empty(),
        "{:?}",
        got[0].report.diagnostics
    );
}
