//! The pack against outside readers: the `pdfua` checker from PyPI (16 of PDF/UA-1's 106
//! machine-checkable rules; krilla's own PDF/UA-1 and PDF/A-3a validators run on every render
//! too), and poppler, which must read the text, see a tagged file and list subset fonts.
// Tests read their fixtures and outputs directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::require;

const TODAY: &str = "2026-01-15";

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-cases")
        .join(name)
}

fn render(dir: &Path, case: &str, extra: &[&str]) -> PathBuf {
    let out = dir.join(format!("{case}.pdf"));
    let mut args = vec![
        "render".to_string(),
        sample(case).display().to_string(),
        "--today".into(),
        TODAY.into(),
        "-o".into(),
        out.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let run = Command::new(env!("CARGO_BIN_EXE_ehcpack"))
        .args(&args)
        .output()
        .expect("run ehcpack");
    // A draft of a case with errors is written and exits 1 (README, "render --draft").
    let want = if extra.contains(&"--draft") && case.starts_with("fail-") {
        1
    } else {
        0
    };
    assert!(
        run.status.code() == Some(want) && out.is_file(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    out
}

/// Every sample pack, passing or drafted, has no finding from the `pdfua` checker.
#[test]
fn pdfua_finds_nothing_in_any_sample_pack() {
    let pdfua = require("pdfua", "pip install pdfua==0.1.3");
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for entry in
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-cases")).unwrap()
    {
        let entry = entry.unwrap();
        if !entry.path().is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().to_string();
        let extra: &[&str] = if name.starts_with("fail-") {
            &["--draft"]
        } else {
            &[]
        };
        files.push(render(dir.path(), &name, extra));
    }
    assert!(files.len() >= 5);
    let out = Command::new(&pdfua)
        .arg("check")
        .args(["--format", "json"])
        .args(&files)
        .output()
        .expect("run pdfua");
    let report = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "pdfua reported findings:\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // One JSON report per file.
    let reports: Vec<serde_json::Value> = serde_json::Deserializer::from_str(&report)
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("pdfua's JSON");
    assert_eq!(reports.len(), files.len(), "{report}");
    for r in &reports {
        assert_eq!(r["summary"]["findings"], 0, "{r}");
        assert!(r["summary"]["rules_run"].as_u64().unwrap_or(0) >= 10, "{r}");
    }
}

/// poppler sees a tagged PDF, reads the Polish and Vietnamese name exactly and lists only
/// subset fonts.
#[test]
fn poppler_reads_the_names_and_sees_tagged_subset_fonts() {
    let pdftotext = require("pdftotext", "apt install poppler-utils");
    let pdffonts = require("pdffonts", "apt install poppler-utils");
    let pdfinfo = require("pdfinfo", "apt install poppler-utils");
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("case");
    let copy = Command::new("cp")
        .arg("-r")
        .arg(sample("year5-passing"))
        .arg(&case)
        .status()
        .unwrap();
    assert!(copy.success());
    let pupil = case.join("pupil.yaml");
    let text = std::fs::read_to_string(&pupil).unwrap();
    std::fs::write(
        &pupil,
        text.replace("first: Joshua", "first: Łukasz")
            .replace("last: Heslop", "last: Wiśniewski-Nguyễn"),
    )
    .unwrap();
    let pdf = dir.path().join("pack.pdf");
    let run = Command::new(env!("CARGO_BIN_EXE_ehcpack"))
        .args(["render", case.to_str().unwrap(), "--today", TODAY, "-o"])
        .arg(&pdf)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = Command::new(&pdftotext)
        .args(["-enc", "UTF-8", "-f", "1", "-l", "1"])
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Łukasz Lee Wiśniewski-Nguyễn"), "{text}");
    let info = Command::new(&pdfinfo).arg(&pdf).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.contains("Tagged:          yes"), "{info}");
    let fonts = Command::new(&pdffonts).arg(&pdf).output().unwrap();
    let fonts = String::from_utf8_lossy(&fonts.stdout);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(rows.len() >= 2, "{fonts}");
    for row in rows {
        let name = row.split_whitespace().next().unwrap();
        assert!(
            name.len() > 7 && name.as_bytes()[6] == b'+',
            "not a subset: {row}"
        );
        assert!(
            row.contains(" yes yes yes "),
            "embedded, subset, with a ToUnicode map: {row}"
        );
    }
}
