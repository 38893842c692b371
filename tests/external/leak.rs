//! The PDF never carries a protected address: a case with the variants in free text, an
//! evidence title, an evidence file name and its case folder name is rendered (as a draft, since
//! the leak is an error), and poppler reads back the page text, the metadata and the names and
//! contents of every embedded file.
// Tests read their fixtures and outputs directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common::copy_dir;
use crate::require;

/// Lower case, letters and digits only (zero-width characters gone), `rd` read as `road`.
fn squashed(text: &str) -> String {
    let spaced: String = text
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| {
            !matches!(
                c,
                '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{AD}'
            )
        })
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    spaced
        .split_whitespace()
        .map(|w| if w == "rd" { "road" } else { w })
        .collect()
}

fn assert_withheld(what: &str, text: &str) {
    let s = squashed(text);
    for needle in ["14larchfieldroad", "dh79zq"] {
        assert!(!s.contains(needle), "{what} holds {needle}:\n{text}");
    }
}

#[test]
fn no_part_of_the_pdf_carries_a_variant_of_the_protected_address() {
    let pdftotext = require("pdftotext", "apt install poppler-utils");
    let pdfinfo = require("pdfinfo", "apt install poppler-utils");
    let pdfdetach = require("pdfdetach", "apt install poppler-utils");
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("Flat 3, 14 Larchfield Rd DH7-9ZQ");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-cases/fail-protected-address-leak"),
        &case,
    );
    let edit = |file: &str, from: &str, to: &str| {
        let path = case.join(file);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file}: {from}");
        fs::write(&path, text.replace(from, to)).unwrap();
    };
    edit(
        "pupil.yaml",
        "    - 14 Larchfield Row",
        "    - Flat 3, 14 Larchfield Road",
    );
    edit(
        "views.yaml",
        "every evening.",
        "every evening at 14 Larchfield\n    Rd. (dh7\u{200B}9zq).",
    );
    edit(
        "evidence.yaml",
        "title: My Story - Josh",
        "title: \"My Story - Josh, 14 LARCHFIELD ROAD, DH79ZQ\"",
    );
    fs::rename(
        case.join("reports/my-story.pdf"),
        case.join("reports/my-story DH7 9ZQ.pdf"),
    )
    .unwrap();
    edit(
        "evidence.yaml",
        "path: reports/my-story.pdf",
        "path: \"reports/my-story DH7 9ZQ.pdf\"",
    );
    let pdf = dir.path().join("pack.pdf");
    let out = Command::new(env!("CARGO_BIN_EXE_ehcpack"))
        .args(["render", "--draft", "--today", "2026-01-15", "-o"])
        .arg(&pdf)
        .arg(&case)
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // A draft of a case with errors (the address leaks are errors) exits 1.
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert_withheld("render's own output", &said);
    let text = Command::new(pdftotext).arg(&pdf).arg("-").output().unwrap();
    assert!(text.status.success());
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    assert!(text.contains("withheld"), "{text}");
    assert_withheld("page text", &text);
    let info = Command::new(pdfinfo).arg(&pdf).output().unwrap();
    assert_withheld("metadata", &String::from_utf8_lossy(&info.stdout));
    let list = Command::new(&pdfdetach)
        .arg("-list")
        .arg(&pdf)
        .output()
        .unwrap();
    let names = String::from_utf8_lossy(&list.stdout).into_owned();
    assert!(names.contains("ehcpack-manifest.json"), "{names}");
    assert_withheld("embedded file names", &names);
    // Each embedded file saved by its number (their names hold folders, `case/pupil.yaml`).
    let count: usize = names
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("pdfdetach -list: {names}"));
    let mut seen = 0;
    for n in 1..=count {
        let name = names
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{n}: ")))
            .unwrap_or_default();
        if name.ends_with(".pdf") {
            continue; // the evidence itself, byte for byte
        }
        let saved = dir.path().join(format!("detached-{n}"));
        let save = Command::new(&pdfdetach)
            .arg("-save")
            .arg(n.to_string())
            .arg("-o")
            .arg(&saved)
            .arg(&pdf)
            .output()
            .unwrap();
        assert!(
            save.status.success(),
            "{}",
            String::from_utf8_lossy(&save.stderr)
        );
        seen += 1;
        let text = fs::read_to_string(&saved).unwrap();
        assert_withheld(&format!("embedded {name}"), &text);
    }
    assert!(
        seen >= 12,
        "the case documents and the manifest are embedded: {names}"
    );
}
