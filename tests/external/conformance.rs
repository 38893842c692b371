//! The pack's conformance claims proved by full checkers (docs/pack.md): every sample's pack
//! passes `page-validation` (PyPI; PDF/UA-1 and PDF/A-3a, each with its complete rule set) with
//! no failed rule, and `outloud` (PyPI; PDF/UA-1 plus WCAG 2.2 semantics) with no error.
// Tests read their fixtures and outputs directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::require;

const TODAY: &str = "2026-01-15";

/// Every sample's pack (the failing ones as drafts), rendered into `dir`.
fn sample_packs(dir: &Path) -> Vec<PathBuf> {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-cases");
    let mut names: Vec<String> = std::fs::read_dir(&samples)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut packs = Vec::new();
    for name in names {
        let out = dir.join(format!("{name}.pdf"));
        let mut command = Command::new(env!("CARGO_BIN_EXE_ehcpack"));
        command
            .arg("render")
            .arg(samples.join(&name))
            .args(["--today", TODAY, "-o"])
            .arg(&out);
        if name.starts_with("fail-") {
            command.arg("--draft");
        }
        let run = command.output().expect("run ehcpack");
        // A draft of a case with errors is written and exits 1 (README, "render --draft").
        let want = if name.starts_with("fail-") { 1 } else { 0 };
        assert!(
            run.status.code() == Some(want) && out.is_file(),
            "render {name}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        packs.push(out);
    }
    assert!(packs.len() >= 8, "{packs:?}");
    packs
}

/// page-validation has no command of its own: its Python module is run. Prints, per file and
/// profile, the rules run and every failed rule; exits 1 when any rule failed.
const PAGE_VALIDATION: &str = r#"
import sys, page
failed = False
for path in sys.argv[1:]:
    for profile in ("ua1", "3a"):
        report = page.validate_pdf(path, profile=profile)
        print(f"{path} {profile}: {report.rules.total} rules, {report.rules.failed} failed")
        for f in report.failures:
            failed = True
            print(f"  {f.rule_id}: {f.message}")
sys.exit(1 if failed else 0)
"#;

#[test]
fn page_validation_finds_no_failed_rule_in_any_sample_pack() {
    let python = require("python3", "apt install python3");
    let dir = tempfile::tempdir().unwrap();
    let packs = sample_packs(dir.path());
    let run = Command::new(&python)
        .args(["-c", PAGE_VALIDATION])
        .args(&packs)
        .output()
        .expect("run python3");
    let said = String::from_utf8_lossy(&run.stdout);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        !err.contains("No module named 'page'"),
        "the external suite needs page-validation, which is not installed: \
         pip install page-validation (`.ci/run` installs it)"
    );
    assert_eq!(run.status.code(), Some(0), "{said}{err}");
    // Each pack checked against both profiles, with the checker's full rule sets (104 rules of
    // PDF/UA-1 and 156 of PDF/A-3a in page-validation 0.11).
    for pack in &packs {
        for (profile, least) in [("ua1", 100), ("3a", 150)] {
            let line = said
                .lines()
                .find(|l| l.starts_with(&format!("{} {profile}:", pack.display())))
                .unwrap_or_else(|| panic!("no {profile} result for {}: {said}", pack.display()));
            let rules: usize = line
                .split(": ")
                .nth(1)
                .and_then(|r| r.split(' ').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            assert!(rules >= least, "{line}");
            assert!(line.ends_with(", 0 failed"), "{line}");
        }
    }
}

#[test]
fn outloud_finds_no_error_in_any_sample_pack() {
    let outloud = require("outloud", "pip install outloud");
    let dir = tempfile::tempdir().unwrap();
    let packs = sample_packs(dir.path());
    let run = Command::new(&outloud)
        .args(["--json", "-", "--fail-on", "error"])
        .args(&packs)
        .output()
        .expect("run outloud");
    let said = String::from_utf8_lossy(&run.stdout);
    let report: serde_json::Value = serde_json::from_str(&said).unwrap_or_else(|e| {
        panic!(
            "outloud's JSON ({e}): {said}{}",
            String::from_utf8_lossy(&run.stderr)
        )
    });
    let results = report["results"].as_array().expect("results");
    assert_eq!(results.len(), packs.len(), "{said}");
    for r in results {
        assert_eq!(
            r["error"],
            serde_json::Value::Null,
            "outloud could not read: {r}"
        );
        assert_eq!(r["counts"]["error"], 0, "outloud found errors: {r}");
        assert_eq!(r["stats"]["tagged"], true, "{r}");
    }
    assert_eq!(run.status.code(), Some(0), "{said}");
}
