//! Independent re-run of issue 9's attacks (attacker's worktree). Each test is one attack; the
//! ones that currently break a promise are `#[ignore = "BROKEN: ..."]`. The wider sweep (some
//! 130 leak variants through every format, status and the PDF; hostile evidence PDFs) is
//! `tests/attacks/harness.py` and `tests/attacks/mkpdfs.py`.
// Tests read their fixtures and outputs directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use crate::common::*;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// year5-passing with the protected address 14 Larchfield Row, Cragwell, DH7 9ZQ.
fn protected_case() -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, dir) = sample_copy("year5-passing");
    let p = dir.join("pupil.yaml");
    let s = fs::read_to_string(&p).unwrap().replace(
        "    - 27 Wansbeck Terrace\n  town: Brackenfield\n  postcode: DH7 4ZX\n  protected: false",
        "    - 14 Larchfield Row\n  town: Cragwell\n  postcode: DH7 9ZQ\n  protected: true",
    );
    fs::write(&p, s).unwrap();
    (tmp, dir)
}

fn set_given_by(dir: &Path, yaml_value: &str) {
    let p = dir.join("views.yaml");
    let s = fs::read_to_string(&p).unwrap().replace(
        "given_by: Mrs Kelly Heslop (mother), with Mr Craig Heslop (father)",
        &format!("given_by: {yaml_value}"),
    );
    fs::write(&p, s).unwrap();
}

fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_lowercase()
}

fn run(args: &[&str]) -> (i32, String) {
    let o = ehcpack(args);
    (
        o.status.code().unwrap_or(-1),
        format!("{}{}", stdout(&o), stderr(&o)),
    )
}

/// The PDF with its streams inflated (qpdf), as text; None when qpdf is not installed.
fn inflated(pdf: &Path) -> Option<String> {
    let out = pdf.with_extension("qdf");
    let st = Command::new("qpdf")
        .args(["--qdf", "--object-streams=disable"])
        .arg(pdf)
        .arg(&out)
        .status()
        .ok()?;
    if !out.exists() && !st.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&fs::read(out).ok()?).into_owned())
}

// ---- class 1: the protected address ---------------------------------------------------------

/// `given_by: "DH7\\u00209ZQ"` (a literal backslash-u escape in the value). The leak rule finds
/// it, but the human snippet prints the source line `"DH7\\u00209ZQ"` (the matcher reads `\u0020`
/// but not the YAML-doubled `\\u0020`), render's refusal message prints it, and
/// `render --draft` embeds views.yaml with it unredacted. Same with `\\x20`.
#[test]
fn escaped_escape_in_snippet_and_embedded_yaml() {
    for value in [r#""DH7\\u00209ZQ""#, r#""DH7\\x209ZQ""#] {
        let (tmp, dir) = protected_case();
        set_given_by(&dir, value);
        let case = dir.to_str().unwrap();
        let (_, human) = run(&["validate", case, "--today", "2026-01-15"]);
        assert!(human.contains("protected-address-leak"));
        assert!(!human.contains("9ZQ"), "human output quotes it: {human}");
        let pdf = tmp.path().join("d.pdf");
        let (_, msg) = run(&[
            "render",
            case,
            "--draft",
            "-o",
            pdf.to_str().unwrap(),
            "--today",
            "2026-01-15",
        ]);
        assert!(!msg.contains("9ZQ"), "render message: {msg}");
        if let Some(text) = inflated(&pdf) {
            assert!(
                !text.contains("9ZQ"),
                "draft PDF (embedded case/views.yaml) holds the postcode"
            );
        }
    }
}

/// `given_by: "DH7&#32;9ZQ"` (and `DH7%209ZQ`-style encodings): not a leak to the rule, so
/// validate passes and the final (not draft) PDF prints `DH7&#32;9ZQ`, which any reader reads
/// as the postcode.
#[test]
fn html_entity_postcode_reaches_final_pdf() {
    let (tmp, dir) = protected_case();
    set_given_by(&dir, r#""DH7&#32;9ZQ""#);
    let case = dir.to_str().unwrap();
    let (code, out) = run(&["validate", case, "--today", "2026-01-15"]);
    let pdf = tmp.path().join("p.pdf");
    let (rcode, _) = run(&[
        "render",
        case,
        "-o",
        pdf.to_str().unwrap(),
        "--today",
        "2026-01-15",
    ]);
    let leaked = pdf.exists() && inflated(&pdf).is_some_and(|t| t.contains("9ZQ"))
        || squash(&out).contains("dh7329zq");
    assert!(
        code != 0 && rcode != 0 || !leaked,
        "validate {code}, render {rcode}, PDF holds DH7&#32;9ZQ"
    );
}

/// Variants the issue named, through every format and status (held in this run).
#[test]
fn postcode_variants_never_printed() {
    let formats = ["human", "json", "junit", "sarif", "github", "csv", "html"];
    for v in [
        "DH7-9ZQ",
        "dh79zq",
        "DH7 9ZQ.",
        "DH7\u{200b}9ZQ",
        "ＤＨ７　９ＺＱ",
        "DH7\u{a0}9ZQ",
        "Flat 3, 14 Larchfield Row.",
        "14 LARCHFIELD ROW",
        "14\nLarchfield\nRow",
    ] {
        let (_tmp, dir) = protected_case();
        set_given_by(&dir, &serde_json_string(v));
        let case = dir.to_str().unwrap();
        for f in formats {
            let (code, out) = run(&["validate", case, "--today", "2026-01-15", "--format", f]);
            assert_eq!(code, 1, "{v:?} not an error in {f}");
            let s = squash(&out);
            assert!(
                !s.contains("dh79zq") && !s.contains("14larchfieldr"),
                "{v:?} in {f}: {out}"
            );
        }
        let (_, st) = run(&["status", case, "--today", "2026-01-15"]);
        assert!(!squash(&st).contains("dh79zq"));
    }
}

fn serde_json_string(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

// ---- class 3: hangs ---------------------------------------------------------------------------

/// A `--templates` pack.jinja of 8 nested loops over `checks` (15 items: 15^8 iterations, no
/// `range`, no output, no recursion, nesting well under 32). Render never ends (killed at 20 s,
/// 36 MB); the promise is "a template that loops ... ends with a clear error".
#[test]
fn template_nested_loops_end() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path().join("tpl");
    fs::create_dir(&t).unwrap();
    let mut s = String::new();
    for i in 0..8 {
        s.push_str(&format!("{{% for a{i} in checks %}}"));
    }
    s.push_str("{% if false %}x{% endif %}");
    for _ in 0..8 {
        s.push_str("{% endfor %}");
    }
    fs::write(t.join("pack.jinja"), s).unwrap();
    let pdf = tmp.path().join("x.pdf");
    let mut child = ehcpack_command()
        .args([
            "render",
            "sample-cases/year5-passing",
            "--today",
            "2026-01-15",
            "--templates",
        ])
        .arg(&t)
        .arg("-o")
        .arg(&pdf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("render still running after 60 s");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// `--profile` at a device or FIFO is refused at once (held).
#[test]
fn profile_device_and_fifo_refused() {
    let (code, out) = run(&[
        "validate",
        "sample-cases/year5-passing",
        "--profile",
        "/dev/zero",
    ]);
    assert_eq!(code, 2, "{out}");
}

// ---- class 5: output files and passwords ------------------------------------------------------

/// A password that SASLprep changes (a ligature `ﬁ`, a soft hyphen U+00AD) makes a pack that
/// neither qpdf nor poppler opens with the password the user typed. Promise: "every encrypted
/// pack opens in qpdf and poppler". (A password with a newline or mixed-direction letters is
/// refused with "cannot encrypt the PDF: decryption error", an unclear message.)
#[test]
fn password_that_saslprep_changes_opens_in_qpdf() {
    if Command::new("qpdf").arg("--version").output().is_err() {
        return;
    }
    for pw in ["ﬁﬁﬁﬁﬁﬁﬁﬁ", "abcd\u{ad}efgh"] {
        let tmp = tempfile::tempdir().unwrap();
        let pdf = tmp.path().join("e.pdf");
        let o = ehcpack_command()
            .env("EHCPACK_PASSWORD", pw)
            .args([
                "render",
                "sample-cases/year5-passing",
                "--today",
                "2026-01-15",
                "--encrypt",
                "-o",
            ])
            .arg(&pdf)
            .output()
            .unwrap();
        if !o.status.success() {
            continue; // refused with a message: acceptable
        }
        let q = Command::new("qpdf")
            .arg(format!("--password={pw}"))
            .arg("--check")
            .arg(&pdf)
            .output()
            .unwrap();
        assert!(
            q.status.success(),
            "{pw:?}: {}",
            String::from_utf8_lossy(&q.stderr)
        );
    }
}

/// `-o` at a device, FIFO, link or folder is refused (held).
#[test]
fn output_targets_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let link = tmp.path().join("l.pdf");
    std::os::unix::fs::symlink(tmp.path().join("t.pdf"), &link).unwrap();
    for target in [
        "/dev/null",
        tmp.path().to_str().unwrap(),
        link.to_str().unwrap(),
    ] {
        let (code, out) = run(&[
            "render",
            "sample-cases/year5-passing",
            "--today",
            "2026-01-15",
            "-o",
            target,
        ]);
        assert_eq!(code, 2, "{target}: {out}");
    }
}
