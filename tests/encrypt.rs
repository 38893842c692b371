//! `render --encrypt`: the PDF opens with the password (qpdf and poppler agree) and not without,
//! and the password is never taken from the command line.

use std::path::Path;
use std::process::{Command, Output};

const PASSWORD: &str = "correct horse battery";

fn render(out: &Path, env: &[(&str, &str)], extra: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ehcpack"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "render",
            "sample-cases/year5-passing",
            "--today",
            "2026-01-15",
            "--encrypt",
            "-o",
        ])
        .arg(out)
        .args(extra)
        .env_remove("EHCPACK_PASSWORD")
        .stdin(std::process::Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn tool(name: &str, args: &[&str]) -> Output {
    Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name}: {e} (.ci/run installs it)"))
}

#[test]
fn opens_with_the_password_and_not_without() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("pack.pdf");
    let out = render(&pdf, &[("EHCPACK_PASSWORD", PASSWORD)], &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("protected with the password"));
    let path = pdf.to_str().unwrap();

    // qpdf: AES-256 (revision 6), opens with the password, refuses without.
    let with = tool(
        "qpdf",
        &["--show-encryption", &format!("--password={PASSWORD}"), path],
    );
    assert!(with.status.success());
    let shown = String::from_utf8_lossy(&with.stdout);
    assert!(shown.contains("R = 6"), "{shown}");
    assert!(shown.contains("Supplied password is user password"));
    assert!(
        !tool("qpdf", &["--check", path]).status.success(),
        "opens without a password"
    );
    assert!(
        !tool("qpdf", &["--check", "--password=wrong password", path])
            .status
            .success()
    );

    // poppler: the text is there with the password, and only with it.
    let text = tool("pdftotext", &["-upw", PASSWORD, path, "-"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("Joshua Lee Heslop"));
    assert!(!tool("pdftotext", &[path, "-"]).status.success());
    // lopdf: decrypts with the password.
    assert!(lopdf::Document::load(&pdf).unwrap().is_encrypted());
    assert!(lopdf::Document::load_with_password(&pdf, "wrong password").is_err());
    let doc = lopdf::Document::load_with_password(&pdf, PASSWORD).unwrap();
    assert!(
        doc.get_pages().len() > 20,
        "{} pages",
        doc.get_pages().len()
    );
    // The name is not readable in the file's bytes.
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(!bytes.windows(6).any(|w| w == b"Heslop"));
}

#[test]
fn a_named_variable_holds_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("pack.pdf");
    let out = render(
        &pdf,
        &[("SCHOOL_PACK_PW", PASSWORD)],
        &["--password-env", "SCHOOL_PACK_PW"],
    );
    assert_eq!(out.status.code(), Some(0));
    let ok = tool(
        "qpdf",
        &[
            "--check",
            &format!("--password={PASSWORD}"),
            pdf.to_str().unwrap(),
        ],
    );
    assert!(ok.status.success());
}

#[test]
fn no_password_or_a_short_one_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("pack.pdf");
    let none = render(&pdf, &[], &[]);
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("never taken from the command line"));
    let short = render(&pdf, &[("EHCPACK_PASSWORD", "abc")], &[]);
    assert_eq!(short.status.code(), Some(2));
    assert!(!pdf.exists());
    // There is no flag that takes the password itself.
    let flag = render(&pdf, &[], &["--password", PASSWORD]);
    assert_eq!(flag.status.code(), Some(2));
    assert!(!pdf.exists());
}

/// AES-256 uses at most 127 bytes of the UTF-8 password (PDF 2.0, 7.6.4.3.3), as qpdf and
/// poppler do: a 127-byte password makes a pack that opens with it; a 128-byte one is refused
/// with a message and nothing is written (before, it made a pack no reader could open).
#[test]
fn a_password_of_127_bytes_works_and_128_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("pack.pdf");
    // 63 two-byte letters and one ASCII: 127 bytes, 64 characters.
    let longest = format!("{}x", "é".repeat(63));
    assert_eq!(longest.len(), 127);
    let out = render(&pdf, &[("EHCPACK_PASSWORD", &longest)], &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = lopdf::Document::load_with_password(&pdf, &longest).unwrap();
    assert!(doc.get_pages().len() > 20);
    assert!(lopdf::Document::load_with_password(&pdf, &longest[..126]).is_err());

    let too_long = format!("{longest}y");
    let pdf2 = dir.path().join("pack2.pdf");
    let out = render(&pdf2, &[("EHCPACK_PASSWORD", &too_long)], &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the password is 128 bytes long; PDF readers use at most 127 bytes"),
        "{stderr}"
    );
    assert!(!pdf2.exists());
    // The library refuses it too.
    assert!(ehcpack::protect::encrypt(b"%PDF-1.7", &too_long)
        .unwrap_err()
        .contains("at most 127 bytes"));
}
