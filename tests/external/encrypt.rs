//! `render --encrypt` read by qpdf and poppler: AES-256, opens with the password and only with it.

use std::path::Path;
use std::process::{Command, Output};

use crate::common;
use crate::require;

const PASSWORD: &str = "correct horse battery";

fn encrypted_pack(dir: &Path) -> std::path::PathBuf {
    encrypted_pack_with(dir, PASSWORD)
}

fn encrypted_pack_with(dir: &Path, password: &str) -> std::path::PathBuf {
    let pdf = dir.join("pack.pdf");
    let out = common::ehcpack_command()
        .current_dir(common::root())
        .args([
            "render",
            "sample-cases/year5-passing",
            "--today",
            common::TODAY,
            "--encrypt",
            "-o",
        ])
        .arg(&pdf)
        .env("EHCPACK_PASSWORD", password)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    pdf
}

fn tool(name: &str, args: &[&str]) -> Output {
    Command::new(require(name, "apt install qpdf poppler-utils"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn qpdf_opens_it_with_the_password_and_not_without() {
    let dir = common::tempdir();
    let pdf = encrypted_pack(dir.path());
    let path = pdf.to_str().unwrap();
    let with = tool(
        "qpdf",
        &["--show-encryption", &format!("--password={PASSWORD}"), path],
    );
    assert!(with.status.success());
    let shown = String::from_utf8_lossy(&with.stdout);
    assert!(shown.contains("R = 6"), "{shown}");
    assert!(shown.contains("Supplied password is user password"));
    assert!(tool(
        "qpdf",
        &["--check", &format!("--password={PASSWORD}"), path]
    )
    .status
    .success());
    assert!(
        !tool("qpdf", &["--check", path]).status.success(),
        "opens without a password"
    );
    assert!(
        !tool("qpdf", &["--check", "--password=wrong password", path])
            .status
            .success()
    );
}

#[test]
fn poppler_reads_the_text_with_the_password_only() {
    let dir = common::tempdir();
    let pdf = encrypted_pack(dir.path());
    let path = pdf.to_str().unwrap();
    let text = tool("pdftotext", &["-upw", PASSWORD, path, "-"]);
    assert!(text.status.success());
    assert!(String::from_utf8_lossy(&text.stdout).contains("Joshua Lee Heslop"));
    assert!(!tool("pdftotext", &[path, "-"]).status.success());
}

/// A password with accents (SASLprep leaves it as it is) opens in qpdf as typed.
#[test]
fn qpdf_opens_it_with_an_accented_password() {
    let dir = common::tempdir();
    let password = "café-crème-2026";
    let pdf = encrypted_pack_with(dir.path(), password);
    let path = pdf.to_str().unwrap();
    assert!(tool(
        "qpdf",
        &["--check", &format!("--password={password}"), path]
    )
    .status
    .success());
}

/// A password typed as NFC or NFD (é as one character, or e and a combining accent, as
/// different systems produce it) opens the same pack in qpdf (either form) and poppler (NFC as
/// the user password, NFD as the owner password, which viewers built on poppler also try),
/// whichever form it was typed in.
#[test]
fn nfc_and_nfd_forms_of_one_password_open_the_pack_in_qpdf_and_poppler() {
    use unicode_normalization::UnicodeNormalization;
    let nfc: String = "Consett-café-2026".nfc().collect();
    let nfd: String = "Consett-café-2026".nfd().collect();
    assert_ne!(nfc, nfd);
    for typed in [&nfd, &nfc] {
        let dir = common::tempdir();
        let pdf = encrypted_pack_with(dir.path(), typed);
        let path = pdf.to_str().unwrap();
        for password in [&nfc, &nfd] {
            let out = tool(
                "qpdf",
                &["--check", &format!("--password={password}"), path],
            );
            assert!(
                out.status.success(),
                "qpdf, typed {typed:?}, given {password:?}"
            );
        }
        let text = |flag: &str, password: &str| {
            let out = tool("pdftotext", &[flag, password, path, "-"]);
            out.status.success()
                && String::from_utf8_lossy(&out.stdout).contains("EHC needs assessment request")
        };
        assert!(text("-upw", &nfc), "poppler, NFC, typed {typed:?}");
        assert!(text("-opw", &nfd), "poppler, NFD, typed {typed:?}");
        assert!(!text("-upw", "Consett-cafe-2026"));
    }
}
