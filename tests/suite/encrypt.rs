//! `render --encrypt`: the PDF opens with the password and not without (read by lopdf here; qpdf
//! and poppler agree in tests/external/encrypt.rs), and the password is never taken from the
//! command line.
// Tests read their fixtures and outputs directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use crate::common;

use std::path::Path;
use std::process::Output;

use lopdf::{Document, Object};

const PASSWORD: &str = "correct horse battery";

fn render(out: &Path, env: &[(&str, &str)], extra: &[&str]) -> Output {
    let mut c = common::ehcpack_command();
    c.current_dir(common::root())
        .args([
            "render",
            "sample-cases/year5-passing",
            "--today",
            common::TODAY,
            "--encrypt",
            "-o",
        ])
        .arg(out)
        .args(extra)
        .stdin(std::process::Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// The encryption dictionary's `/V` (algorithm) and `/R` (revision), read without the password.
fn encryption(pdf: &Path) -> (i64, i64) {
    let doc = Document::load(pdf).unwrap();
    assert!(doc.is_encrypted());
    let dict = match doc.trailer.get(b"Encrypt").expect("an /Encrypt entry") {
        Object::Reference(id) => doc.get_dictionary(*id).unwrap().clone(),
        Object::Dictionary(d) => d.clone(),
        other => panic!("/Encrypt is {other:?}"),
    };
    let number = |key: &[u8]| dict.get(key).and_then(|v| v.as_i64()).unwrap();
    (number(b"V"), number(b"R"))
}

#[test]
fn opens_with_the_password_and_not_without() {
    let dir = common::tempdir();
    let pdf = dir.path().join("pack.pdf");
    let out = render(&pdf, &[("EHCPACK_PASSWORD", PASSWORD)], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    assert!(common::stdout(&out).contains("protected with the password"));

    // AES-256: algorithm 5, revision 6 (PDF 2.0's; what qpdf reports as `R = 6`).
    assert_eq!(encryption(&pdf), (5, 6));
    assert!(Document::load_with_password(&pdf, "wrong password").is_err());
    assert!(Document::load_with_password(&pdf, "").is_err());
    let doc = Document::load_with_password(&pdf, PASSWORD).unwrap();
    let pages = common::document_pages_text(&doc);
    assert!(pages.len() > 20, "{} pages", pages.len());
    assert!(pages[0].contains("Joshua Lee Heslop"), "{}", pages[0]);
    // The name is not readable in the file's bytes.
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(!bytes.windows(6).any(|w| w == b"Heslop"));
}

#[test]
fn a_named_variable_holds_the_password() {
    let dir = common::tempdir();
    let pdf = dir.path().join("pack.pdf");
    let out = render(
        &pdf,
        &[("SCHOOL_PACK_PW", PASSWORD)],
        &["--password-env", "SCHOOL_PACK_PW"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    assert_eq!(encryption(&pdf), (5, 6));
    assert!(Document::load_with_password(&pdf, PASSWORD).is_ok());
}

#[test]
fn no_password_or_a_short_one_writes_nothing() {
    let dir = common::tempdir();
    let pdf = dir.path().join("pack.pdf");
    let none = render(&pdf, &[], &[]);
    assert_eq!(none.status.code(), Some(2));
    assert!(common::stderr(&none).contains("never taken from the command line"));
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
        .to_string()
        .contains("at most 127 bytes"));
}

/// AES-256 (revision 6) applies SASLprep to the password, and readers apply it differently: a
/// password SASLprep changes or rejects (a ligature, a soft hyphen, a newline) is refused with a
/// message and nothing is written; an ordinary password with accents works.
#[test]
fn passwords_saslprep_changes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for pw in ["ﬁﬁﬁﬁﬁﬁﬁﬁ", "abcd\u{ad}efgh", "abcd\nefgh", "abcd\u{a0}efgh"] {
        let pdf = dir.path().join("pack.pdf");
        let out = render(&pdf, &[("EHCPACK_PASSWORD", pw)], &[]);
        assert_eq!(out.status.code(), Some(2), "{pw:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("the password has characters PDF readers treat differently"),
            "{pw:?}: {stderr}"
        );
        assert!(!pdf.exists(), "{pw:?}");
        assert!(ehcpack::protect::encrypt(b"%PDF-1.7", pw).is_err());
    }
    let pw = "café-crème-2026";
    let pdf = dir.path().join("ok.pdf");
    let out = render(&pdf, &[("EHCPACK_PASSWORD", pw)], &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(Document::load_with_password(&pdf, pw).is_ok());
}

/// The 128-byte refusal reads as one sentence (no runs of spaces from a line continuation).
#[test]
fn the_length_message_has_no_runs_of_spaces() {
    let e = ehcpack::protect::check_length(&"a".repeat(128))
        .unwrap_err()
        .to_string();
    assert!(!e.contains("  "), "{e}");
}
