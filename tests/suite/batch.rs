//! Batches never stop: a path that cannot be read, a link, a stray YAML file, a folder name that
//! is not UTF-8, a reader that stops reading; every other case is still checked and reported, and
//! the exit status still says whether any case has errors. Also terminal safety: nothing from
//! input reaches a terminal raw.
// Tests read their fixtures and outputs directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use std::fs;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};

const TODAY: &str = "2026-01-15";

use crate::common;

use crate::common::{copy_dir, sample};

/// The binary with arguments that need not be UTF-8 (folder names that are not).
fn ehcpack(args: &[&std::ffi::OsStr]) -> std::process::Output {
    common::ehcpack_command().args(args).output().unwrap()
}

fn os(s: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(s)
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "the JSON report is whole ({e}):\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// A batch folder with two cases: one passing, one failing.
fn batch() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("cases");
    copy_dir(&sample("year5-passing"), &batch.join("a-passing"));
    copy_dir(&sample("fail-no-consent"), &batch.join("b-failing"));
    // The samples are one pupil; here they are two children, so that no case is the other's
    // duplicate (rule duplicate-pupil).
    let pupil = batch.join("b-failing/pupil.yaml");
    let text = fs::read_to_string(&pupil)
        .unwrap()
        .replace("first: Joshua", "first: Ellis")
        .replace("upn: T840271320041", "upn: T840271320099");
    fs::write(&pupil, text).unwrap();
    (dir, batch)
}

fn case_paths(report: &serde_json::Value) -> Vec<String> {
    report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_missing_path_among_several_is_a_finding_and_the_others_are_checked() {
    let (_dir, batch) = batch();
    let missing = batch.join("no-such-case");
    let out = ehcpack(&[
        os("validate"),
        missing.as_os_str(),
        batch.join("a-passing").as_os_str(),
        os("--today"),
        os(TODAY),
        os("--format"),
        os("json"),
    ]);
    assert_eq!(out.status.code(), Some(1), "the missing path is an error");
    let report = json(&out);
    let paths = case_paths(&report);
    assert_eq!(paths.len(), 2, "{paths:?}");
    let first = &report["cases"][0];
    assert_eq!(first["verdict"], "fail");
    assert_eq!(first["diagnostics"][0]["rule"], "case-structure");
    assert!(
        first["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("does not exist"),
        "{first}"
    );
    assert_eq!(report["cases"][1]["verdict"], "pass");
    // Human output says the same, and goes on.
    let out = ehcpack(&[
        os("validate"),
        missing.as_os_str(),
        batch.join("a-passing").as_os_str(),
        os("--today"),
        os(TODAY),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("error[case-structure]: this path cannot be read"),
        "{text}"
    );
    assert!(text.contains("a-passing: pass"), "{text}");
    // When nothing at all can be read, ehcpack could not run: exit status 2, on stderr.
    let out = ehcpack(&[
        os("validate"),
        missing.as_os_str(),
        os("--today"),
        os(TODAY),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}

#[test]
fn a_stray_yaml_file_beside_the_case_folders_is_a_finding_not_a_case() {
    let (_dir, batch) = batch();
    fs::write(batch.join("notes.yml"), "todo: chase the EP report\n").unwrap();
    let out = ehcpack(&[
        os("validate"),
        batch.as_os_str(),
        os("--today"),
        os(TODAY),
        os("--format"),
        os("json"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    let paths = case_paths(&report);
    assert_eq!(paths.len(), 3, "two cases and the stray file: {paths:?}");
    assert!(paths.iter().any(|p| p.ends_with("a-passing")), "{paths:?}");
    assert!(paths.iter().any(|p| p.ends_with("b-failing")), "{paths:?}");
    let stray = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"].as_str().unwrap().ends_with("notes.yml"))
        .expect("the stray file is reported");
    assert_eq!(stray["diagnostics"][0]["rule"], "case-structure");
    assert!(stray["diagnostics"][0]["message"]
        .as_str()
        .unwrap()
        .contains("beside the case folders"));
    let passing = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"].as_str().unwrap().ends_with("a-passing"))
        .unwrap();
    assert_eq!(passing["verdict"], "pass", "{passing}");
}

#[test]
fn a_case_folder_with_a_yaml_subfolder_is_still_one_case() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("josh");
    copy_dir(&sample("year5-passing"), &case);
    fs::create_dir(case.join("old")).unwrap();
    fs::write(case.join("old/pupil-2024.yaml"), "format: ehcpack/1\n").unwrap();
    let out = ehcpack(&[
        os("validate"),
        case.as_os_str(),
        os("--today"),
        os(TODAY),
        os("--format"),
        os("json"),
    ]);
    let report = json(&out);
    assert_eq!(case_paths(&report).len(), 1, "{report}");
    assert_eq!(report["cases"][0]["verdict"], "pass");
}

#[cfg(unix)]
#[test]
fn a_linked_case_folder_and_a_link_loop_are_findings() {
    let (dir, batch) = batch();
    let elsewhere = dir.path().join("elsewhere");
    copy_dir(&sample("year5-passing"), &elsewhere);
    std::os::unix::fs::symlink(&elsewhere, batch.join("c-linked")).unwrap();
    std::os::unix::fs::symlink(batch.join("d-loop"), batch.join("d-loop")).unwrap();
    let out = ehcpack(&[
        os("validate"),
        batch.as_os_str(),
        os("--today"),
        os(TODAY),
        os("--format"),
        os("json"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    let cases = report["cases"].as_array().unwrap();
    let find = |name: &str| {
        cases
            .iter()
            .find(|c| c["path"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("{name} is reported: {report}"))
    };
    for name in ["c-linked", "d-loop"] {
        let c = find(name);
        assert_eq!(c["diagnostics"][0]["rule"], "case-structure", "{c}");
        assert_eq!(c["verdict"], "fail");
    }
    assert!(find("c-linked")["diagnostics"][0]["message"]
        .as_str()
        .unwrap()
        .contains("a link to a folder"));
    assert_eq!(find("a-passing")["verdict"], "pass");
    assert_eq!(find("b-failing")["verdict"], "fail");
}

#[cfg(unix)]
#[test]
fn a_folder_name_that_is_not_utf8_keeps_every_report_whole() {
    use std::os::unix::ffi::OsStrExt;
    let (_dir, batch) = batch();
    let name = std::ffi::OsStr::from_bytes(b"c-caf\xe9");
    copy_dir(&sample("year5-passing"), &batch.join(name));
    let out = ehcpack(&[
        os("validate"),
        batch.as_os_str(),
        os("--today"),
        os(TODAY),
        os("--format"),
        os("json"),
    ]);
    let report = json(&out);
    let paths = case_paths(&report);
    assert_eq!(paths.len(), 3, "{paths:?}");
    assert!(
        paths.iter().any(|p| p.ends_with("c-caf\u{FFFD}")),
        "{paths:?}"
    );
    assert_eq!(report["summary"]["cases"], 3);
    for format in ["human", "junit", "sarif", "github", "csv", "html"] {
        let out = ehcpack(&[
            os("validate"),
            batch.as_os_str(),
            os("--today"),
            os(TODAY),
            os("--format"),
            os(format),
        ]);
        let text = String::from_utf8(out.stdout).expect("output is UTF-8");
        // SARIF writes paths as URIs, percent-encoded.
        // (SARIF and GitHub annotations list findings only, and this case passes.)
        if format != "sarif" && format != "github" {
            assert!(text.contains("c-caf\u{FFFD}"), "{format}: {text}");
        }
        assert!(out.status.code() == Some(1), "{format}");
        if format == "sarif" {
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert!(v["runs"][0]["results"].is_array());
        }
    }
}

#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_quietly_and_the_status_still_reports_the_findings() {
    let (_dir, batch) = batch();
    // Many cases, so the output is far larger than the pipe holds.
    for i in 0..40 {
        copy_dir(&sample("fail-no-consent"), &batch.join(format!("x{i:02}")));
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_ehcpack"))
        .args([
            os("validate"),
            batch.as_os_str(),
            os("--today"),
            os(TODAY),
            os("--format"),
            os("json"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read a little, then stop reading, as `| head -c 100` does.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 100];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "findings still counted: {stderr}");
    assert_eq!(stderr, "", "ends quietly");
}

/// Escape sequences, control characters and bidirectional overrides in a case are shown
/// escaped in human output, `status` and errors, never raw.
#[test]
fn nothing_from_input_reaches_the_terminal_raw() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("case\u{1b}]0;pwned\u{7}\u{202E}");
    copy_dir(&sample("year5-passing"), &case);
    let pupil = fs::read_to_string(case.join("pupil.yaml")).unwrap();
    // A value the schema rejects, so a message quotes it and the snippet shows its line.
    let edited = pupil.replacen(
        "year_group: 5",
        "year_group: \"five\\e[2J\\e[31m\\u202Eevil\\x07\"",
        1,
    );
    assert_ne!(edited, pupil);
    fs::write(case.join("pupil.yaml"), edited).unwrap();
    fs::write(
        case.join("views \u{1b}[1m.yaml"),
        "format: ehcpack/1\nkind: views\n\u{1b}[31m: x\n",
    )
    .unwrap();
    let out_pdf = dir.path().join("out.pdf");
    let raw = |bytes: &[u8]| {
        String::from_utf8_lossy(bytes)
            .chars()
            .filter(|c| {
                (c.is_control() && *c != '\n' && *c != '\t')
                    || ('\u{202A}'..='\u{202E}').contains(c)
                    || ('\u{2066}'..='\u{2069}').contains(c)
            })
            .collect::<String>()
    };
    for args in [
        vec![os("validate"), case.as_os_str(), os("--today"), os(TODAY)],
        vec![os("status"), case.as_os_str(), os("--today"), os(TODAY)],
        vec![
            os("render"),
            case.as_os_str(),
            os("--today"),
            os(TODAY),
            os("-o"),
            out_pdf.as_os_str(),
        ],
    ] {
        let out = ehcpack(&args);
        let all = [out.stdout.clone(), out.stderr.clone()].concat();
        assert_eq!(
            raw(&all),
            "",
            "{:?}: {}",
            args[0],
            String::from_utf8_lossy(&all)
        );
        assert!(
            String::from_utf8_lossy(&all).contains("\\u{1b}"),
            "{:?} shows the escape: {}",
            args[0],
            String::from_utf8_lossy(&all)
        );
    }
    // Errors on the command line too.
    let out = ehcpack(&[os("explain"), os("no-such-rule\u{1b}[2J")]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        raw(&out.stderr),
        "",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Letters and digits only, lower case: how the tests look for an address in any spelling.
fn squashed(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[test]
fn one_case_s_protected_address_is_withheld_from_the_other_cases_and_stray_files() {
    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("cases");
    // Josh's address (14 Larchfield Row, DH7 9ZQ) is protected in his own case...
    copy_dir(&sample("fail-protected-address-leak"), &batch.join("josh"));
    // ...and another school's case spells it in its folder's name, a file's name and a value;
    // a stray file beside the case folders spells the postcode.
    let other = batch.join("Flat 2, 14 Larchfield Row");
    copy_dir(&sample("year5-passing"), &other);
    fs::write(other.join("notes DH7-9ZQ.yaml"), "todo: ring\n").unwrap();
    let pupil = other.join("pupil.yaml");
    let text =
        fs::read_to_string(&pupil).unwrap() + "moving_to: \"14 LARCHFIELD ROW, dh7\u{200b}9zq\"\n";
    fs::write(&pupil, text).unwrap();
    fs::write(batch.join("dh7 9zq.yml"), "todo: chase\n").unwrap();
    for format in ["human", "json", "junit", "sarif", "github", "csv", "html"] {
        let out = ehcpack(&[
            os("validate"),
            batch.as_os_str(),
            os("--today"),
            os(TODAY),
            os("--format"),
            os(format),
        ]);
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.status.code(), Some(1), "{format}: {all}");
        let squashed = squashed(&all);
        for part in ["dh79zq", "14larchfield"] {
            assert!(!squashed.contains(part), "{format} shows {part}:\n{all}");
        }
        // The other case, the stray file and the odd file are all still reported.
        assert!(all.contains("josh"), "{format}: {all}");
        assert!(all.contains("Flat 2"), "{format}: {all}");
        assert!(all.contains(".yml"), "{format}: {all}");
    }
}

/// Makes a FIFO at `path` (no outside program).
#[cfg(unix)]
fn mkfifo(path: &std::path::Path) {
    use std::os::unix::ffi::OsStrExt;
    let name = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path and a mode.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
}

#[cfg(unix)]
#[test]
fn a_fifo_named_like_yaml_is_a_finding_never_a_wait() {
    let (_dir, batch) = batch();
    // Beside the case folders, and inside a case folder; nobody ever writes to either.
    mkfifo(&batch.join("notes.yml"));
    mkfifo(&batch.join("a-passing/extra.yaml"));
    for args in [
        vec!["validate", batch.to_str().unwrap(), "--today", TODAY],
        vec![
            "validate",
            batch.to_str().unwrap(),
            "--today",
            TODAY,
            "--format",
            "json",
        ],
    ] {
        let mut command = common::ehcpack_command();
        command.args(&args);
        let out = common::run_bounded(command, std::time::Duration::from_secs(60));
        assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
        let text = common::stdout(&out);
        assert!(text.contains("notes.yml"), "{text}");
        assert!(text.contains("extra.yaml"), "{text}");
        assert!(text.contains("b-failing"), "{text}");
    }
}

#[cfg(unix)]
#[test]
fn every_format_into_a_closed_pipe_ends_quietly_with_the_true_status() {
    let (_dir, batch) = batch();
    let passing = batch.join("a-passing");
    for format in ["human", "json", "junit", "sarif", "github", "csv", "html"] {
        for (path, expected) in [(&batch, 1), (&passing, 0)] {
            let mut child = Command::new(env!("CARGO_BIN_EXE_ehcpack"))
                .args([
                    os("validate"),
                    path.as_os_str(),
                    os("--today"),
                    os(TODAY),
                    os("--format"),
                    os(format),
                ])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            // The reader is gone before anything is written.
            drop(child.stdout.take());
            let mut stderr = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut stderr)
                .unwrap();
            let status = child.wait().unwrap();
            assert_eq!(status.code(), Some(expected), "{format}: {stderr}");
            assert_eq!(stderr, "", "{format} ends quietly");
        }
    }
}

/// A link to a case folder beside the folder itself, sorting before it or after it: the folder
/// is checked as itself, and the link is a finding of its own (never standing in for it).
#[cfg(unix)]
#[test]
fn a_link_to_a_case_folder_never_hides_the_folder() {
    for link in ["aaa", "zzz"] {
        let (_dir, batch) = batch();
        std::os::unix::fs::symlink(batch.join("b-failing"), batch.join(link)).unwrap();
        let out = ehcpack(&[
            os("validate"),
            batch.as_os_str(),
            os("--today"),
            os(TODAY),
            os("--format"),
            os("json"),
        ]);
        let paths = case_paths(&json(&out));
        assert!(
            paths.iter().any(|p| p.ends_with("b-failing")),
            "{link}: {paths:?}"
        );
        assert!(paths.iter().any(|p| p.ends_with(link)), "{link}: {paths:?}");
        assert!(
            paths.iter().any(|p| p.ends_with("a-passing")),
            "{link}: {paths:?}"
        );
    }
}
