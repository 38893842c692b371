//! Malformed input through the command line, as a user would meet it: every broken file must
//! give exit status 1 with a finding that names the file, the line and the column and the rule,
//! never a panic (status 101), a hang or "could not run" (status 2). Each test works on a
//! temporary copy of `sample-cases/year5-passing`.
// Tests read their fixtures and outputs directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use ehcpack::rules::catalogue;

const TODAY: &str = "2026-01-15";

/// What one run of the binary gave.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    /// The processor time the run used (user and system, every thread).
    cpu: Duration,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs ehcpack, killing it if it has not finished within two minutes (a hang, not a slow
/// machine: how quick a run is, is bounded on its processor time, [`Run::cpu`]).
fn ehcpack(args: &[&str]) -> Run {
    let _heavy = crate::common::heavy();
    let mut command = Command::new(env!("CARGO_BIN_EXE_ehcpack"));
    command.args(args).env("NO_COLOR", "1").stdin(Stdio::null());
    let (out, cpu) = crate::common::run_measured(command, Duration::from_secs(120));
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        cpu,
    }
}

fn validate(dir: &Path, format: &str) -> Run {
    ehcpack(&[
        "validate",
        dir.to_str().unwrap(),
        "--today",
        TODAY,
        "--format",
        format,
    ])
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of the passing sample in `<tmp>/case`.
fn sample_copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("case");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-cases/year5-passing"),
        &dir,
    );
    (tmp, dir)
}

/// Replaces the first `from` in a file of the case (which must contain it).
fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has no `{from}`");
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// One finding as the human format prints it.
#[derive(Debug)]
struct Finding {
    severity: String,
    rule: String,
    message: String,
    path: String,
    line: Option<usize>,
    column: Option<usize>,
    help: String,
}

/// Reads the findings back from the human output: `error[rule]: message`, then
/// `--> path:line:col`, then `= help: ...`.
fn findings(stdout: &str) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for line in stdout.lines() {
        let trimmed = line.trim_start();
        if let Some((head, message)) = line.split_once("]: ") {
            if let Some((severity, rule)) = head.split_once('[') {
                if severity == "error" || severity == "warning" {
                    out.push(Finding {
                        severity: severity.into(),
                        rule: rule.into(),
                        message: message.into(),
                        path: String::new(),
                        line: None,
                        column: None,
                        help: String::new(),
                    });
                    continue;
                }
            }
        }
        let Some(last) = out.last_mut() else { continue };
        if let Some(location) = trimmed.strip_prefix("--> ") {
            let parts: Vec<&str> = location.rsplitn(3, ':').collect();
            match (
                parts.first().and_then(|c| c.parse().ok()),
                parts.get(1).and_then(|l| l.parse().ok()),
            ) {
                (Some(column), Some(line)) if parts.len() == 3 => {
                    last.path = parts[2].into();
                    last.line = Some(line);
                    last.column = Some(column);
                }
                _ => last.path = location.into(),
            }
        } else if let Some(help) = trimmed.strip_prefix("= help: ") {
            last.help = help.into();
        }
    }
    out
}

/// Checks the run failed cleanly with `rule` in `file`, placed on a line and column (on
/// `line`, when given), and returns that finding.
fn expect_finding(run: &Run, rule: &str, file: &str, line: Option<usize>) -> Finding {
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(!run.stderr.contains("panicked"), "{run:?}");
    let all = findings(&run.stdout);
    let wanted = |f: &Finding| {
        f.rule == rule
            && Path::new(&f.path).file_name() == Some(file.as_ref())
            && f.line.is_some()
            && f.column.is_some_and(|c| c >= 1)
            && (line.is_none() || f.line == line)
    };
    assert!(
        all.iter().any(wanted),
        "no {rule} finding at {file}:{line:?}:col in {all:#?}\n{run:?}"
    );
    let f = all.into_iter().find(wanted).unwrap();
    assert_eq!(f.severity, "error", "{f:?}");
    assert!(
        run.stdout.contains(&format!("error[{rule}]")),
        "the rule id is printed"
    );
    f
}

fn expect_pass(run: &Run) {
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(!run.stderr.contains("panicked"), "{run:?}");
    assert!(
        run.stdout.contains(": pass (0 errors, 0 warnings)"),
        "{run:?}"
    );
}

#[test]
fn unclosed_bracket() {
    let (_tmp, dir) = sample_copy();
    edit(&dir, "pupil.yaml", "year_group: 5", "year_group: [5");
    let run = validate(&dir, "human");
    let f = expect_finding(&run, "yaml-syntax", "pupil.yaml", None);
    assert!(
        f.line == Some(14) || f.line == Some(15),
        "the error is at the bracket or the line after it: {f:?}"
    );
}

#[test]
fn wrong_type() {
    let (_tmp, dir) = sample_copy();
    edit(&dir, "pupil.yaml", "year_group: 5", "year_group: five");
    let run = validate(&dir, "human");
    let f = expect_finding(&run, "schema", "pupil.yaml", Some(14));
    assert_eq!(f.column, Some(13));
    assert!(f.message.contains("year_group"), "{f:?}");
}

#[test]
fn unknown_field_says_what_was_meant() {
    let (_tmp, dir) = sample_copy();
    edit(&dir, "plan-3.yaml", "review_date:", "reveiw_date:");
    let run = validate(&dir, "human");
    let f = expect_finding(&run, "schema", "plan-3.yaml", Some(7));
    assert_eq!(f.column, Some(1));
    assert!(f.message.contains("reveiw_date"), "{f:?}");
    assert!(f.help.contains("`review_date`"), "{f:?}");
}

#[test]
fn empty_file() {
    let (_tmp, dir) = sample_copy();
    fs::write(dir.join("pupil.yaml"), "").unwrap();
    let run = validate(&dir, "human");
    let f = expect_finding(&run, "case-structure", "pupil.yaml", Some(1));
    assert!(f.message.contains("empty"), "{f:?}");
}

#[test]
fn not_utf8() {
    let (_tmp, dir) = sample_copy();
    let path = dir.join("views.yaml");
    let text = fs::read_to_string(&path).unwrap();
    let line = text.lines().position(|l| l.contains("Robson's")).unwrap() + 1;
    let column = text
        .lines()
        .nth(line - 1)
        .unwrap()
        .find("'s games")
        .unwrap()
        + 1;
    let mut bytes = text
        .replacen("Robson's games", "Robson\u{0}s games", 1)
        .into_bytes();
    let at = bytes.iter().position(|b| *b == 0).unwrap();
    bytes[at] = 0xE9; // é in Latin-1
    fs::write(&path, bytes).unwrap();
    let run = validate(&dir, "human");
    let f = expect_finding(&run, "yaml-syntax", "views.yaml", Some(line));
    assert_eq!(f.column, Some(column), "{f:?}");
    assert!(f.message.contains("UTF-8"), "{f:?}");
}

#[test]
fn several_megabytes() {
    let _heavy = crate::common::heavy();
    let (_tmp, dir) = sample_copy();
    let mut text = String::from("format: ehcpack/1\nkind: health\nnotes:\n");
    let mut i = 0;
    while text.len() < 5 * 1024 * 1024 {
        text.push_str(&format!(
            "  - note {i}: Josh read his book with Mrs Robson today.\n"
        ));
        i += 1;
    }
    fs::write(dir.join("big.yaml"), text).unwrap();
    let run = validate(&dir, "human");
    let f = expect_finding(&run, "yaml-syntax", "big.yaml", Some(1));
    assert!(f.message.contains("MB"), "{f:?}");
    assert!(run.cpu < Duration::from_secs(5), "{:?}", run.cpu);
}

#[test]
fn alias_bomb() {
    let (_tmp, dir) = sample_copy();
    let mut text = String::from("format: ehcpack/1\nkind: health\na0: &a0 [lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    fs::write(dir.join("laughs.yaml"), text).unwrap();
    let run = validate(&dir, "human");
    let f = expect_finding(&run, "yaml-syntax", "laughs.yaml", Some(3));
    assert!(f.message.contains("anchor"), "{f:?}");
}

#[test]
fn deep_nesting() {
    let (_tmp, dir) = sample_copy();
    let flow = format!(
        "format: ehcpack/1\nkind: health\nx: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    fs::write(dir.join("deep.yaml"), flow).unwrap();
    let maps = format!(
        "format: ehcpack/1\nkind: health\nx: {}1{}\n",
        "{a: ".repeat(10_000),
        "}".repeat(10_000)
    );
    fs::write(dir.join("deep-maps.yaml"), maps).unwrap();
    let run = validate(&dir, "human");
    for file in ["deep.yaml", "deep-maps.yaml"] {
        let f = expect_finding(&run, "yaml-syntax", file, Some(3));
        assert!(f.message.contains("nested"), "{f:?}");
    }
}

#[test]
fn duplicate_keys() {
    let (_tmp, dir) = sample_copy();
    edit(
        &dir,
        "request.yaml",
        "  signed: true\n",
        "  signed: true\nplanned_submission_date: 2026-02-03\n",
    );
    let run = validate(&dir, "human");
    let f = expect_finding(&run, "yaml-syntax", "request.yaml", Some(60));
    assert!(
        f.message
            .contains("`planned_submission_date` appears twice"),
        "{f:?}"
    );
    assert!(f.message.contains("first on line 50"), "{f:?}");
}

#[test]
fn byte_order_mark_is_accepted() {
    let (_tmp, dir) = sample_copy();
    for file in ["pupil.yaml", "request.yaml", "plan-1.yaml"] {
        let path = dir.join(file);
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend(fs::read(&path).unwrap());
        fs::write(path, bytes).unwrap();
    }
    expect_pass(&validate(&dir, "human"));
}

#[test]
fn crlf_line_endings_are_accepted() {
    let (_tmp, dir) = sample_copy();
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let text = fs::read_to_string(&path).unwrap();
            fs::write(&path, text.replace('\n', "\r\n")).unwrap();
        }
    }
    expect_pass(&validate(&dir, "human"));
}

#[test]
fn crlf_keeps_line_numbers() {
    let (_tmp, dir) = sample_copy();
    edit(&dir, "pupil.yaml", "year_group: 5", "year_group: 4");
    let path = dir.join("pupil.yaml");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace('\n', "\r\n")).unwrap();
    let run = validate(&dir, "json");
    assert_eq!(run.code, Some(0), "a warning only: {run:?}");
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let d = &json["cases"][0]["diagnostics"][0];
    assert_eq!(d["rule"], "year-group-age");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(14), Some(13))
    );
}

#[test]
fn tab_indentation() {
    let (_tmp, dir) = sample_copy();
    edit(&dir, "pupil.yaml", "  first: Joshua", "\tfirst: Joshua");
    let run = validate(&dir, "human");
    expect_finding(&run, "yaml-syntax", "pupil.yaml", Some(6));
}

#[cfg(unix)]
fn outside_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let outside = dir.parent().unwrap().join("outside");
    fs::create_dir_all(&outside).unwrap();
    let path = outside.join(name);
    fs::write(&path, bytes).unwrap();
    path
}

#[cfg(unix)]
#[test]
fn yaml_link_outside_the_folder() {
    let (_tmp, dir) = sample_copy();
    let target = outside_file(&dir, "health.yaml", b"format: ehcpack/1\nkind: health\n");
    std::os::unix::fs::symlink(&target, dir.join("extra.yaml")).unwrap();
    let run = validate(&dir, "human");
    let f = expect_finding(&run, "case-structure", "extra.yaml", Some(1));
    assert!(f.message.contains("outside the case folder"), "{f:?}");
}

#[cfg(unix)]
#[test]
fn evidence_link_outside_the_folder() {
    let (_tmp, dir) = sample_copy();
    let target = outside_file(&dir, "salt-report.pdf", b"%PDF-1.4\n%%EOF\n");
    fs::remove_file(dir.join("reports/salt-report.pdf")).unwrap();
    std::os::unix::fs::symlink(&target, dir.join("reports/salt-report.pdf")).unwrap();
    let run = validate(&dir, "human");
    let f = expect_finding(&run, "evidence-file", "evidence.yaml", Some(6));
    assert!(f.message.contains("outside the case folder"), "{f:?}");
    expect_finding(&run, "evidence-file", "professionals.yaml", Some(29));
    // A link to a folder outside is no better.
    fs::remove_file(dir.join("reports/salt-report.pdf")).unwrap();
    fs::remove_dir_all(dir.join("reports")).unwrap();
    fs::copy(&target, target.with_file_name("my-story.pdf")).unwrap();
    std::os::unix::fs::symlink(target.parent().unwrap(), dir.join("reports")).unwrap();
    let run = validate(&dir, "human");
    expect_finding(&run, "evidence-file", "evidence.yaml", Some(11));
}

#[test]
fn evidence_path_going_up() {
    let (_tmp, dir) = sample_copy();
    edit(
        &dir,
        "evidence.yaml",
        "path: reports/my-story.pdf",
        "path: ../case/reports/my-story.pdf",
    );
    let run = validate(&dir, "human");
    let f = expect_finding(&run, "evidence-file", "evidence.yaml", Some(11));
    assert!(f.message.contains(".."), "{f:?}");
}

#[test]
fn evidence_path_absolute() {
    let (_tmp, dir) = sample_copy();
    let absolute = dir.join("reports/my-story.pdf");
    edit(
        &dir,
        "evidence.yaml",
        "path: reports/my-story.pdf",
        &format!("path: {}", absolute.display()),
    );
    let run = validate(&dir, "human");
    let f = expect_finding(&run, "evidence-file", "evidence.yaml", Some(11));
    assert!(f.message.contains("not inside the case folder"), "{f:?}");
}

#[cfg(unix)]
#[test]
fn fifo_named_yaml_does_not_hang() {
    let (_tmp, dir) = sample_copy();
    let status = Command::new("mkfifo")
        .arg(dir.join("x.yaml"))
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
    // `ehcpack` kills the run after 10 seconds and fails the test.
    let run = validate(&dir, "human");
    let f = expect_finding(&run, "case-structure", "x.yaml", Some(1));
    assert!(f.message.contains("not an ordinary file"), "{f:?}");
}

#[test]
fn pdf_that_is_not_a_pdf() {
    let (_tmp, dir) = sample_copy();
    fs::write(
        dir.join("reports/salt-report.pdf"),
        b"PK\x03\x04 word/document.xml",
    )
    .unwrap();
    let run = validate(&dir, "human");
    let f = expect_finding(&run, "evidence-file", "evidence.yaml", Some(6));
    assert!(f.message.contains("not a PDF"), "{f:?}");
    expect_finding(&run, "evidence-file", "professionals.yaml", Some(29));
}

#[test]
fn zero_byte_pdf() {
    let (_tmp, dir) = sample_copy();
    fs::write(dir.join("reports/my-story.pdf"), b"").unwrap();
    let run = validate(&dir, "human");
    expect_finding(&run, "evidence-file", "evidence.yaml", Some(11));
}

#[test]
fn a_path_that_does_not_exist_cannot_run() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("no-such-case");
    let run = validate(&missing, "human");
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(!run.stderr.contains("panicked"), "{run:?}");
    assert!(run.stderr.contains("no-such-case"), "{run:?}");
    // And JSON output does not pretend to be a report.
    let run = validate(&missing, "json");
    assert_eq!(run.code, Some(2), "{run:?}");
}

#[test]
fn json_output_has_the_documented_keys() {
    let (_tmp, dir) = sample_copy();
    edit(&dir, "pupil.yaml", "year_group: 5", "year_group: five");
    let run = validate(&dir, "json");
    assert_eq!(run.code, Some(1), "{run:?}");
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("stdout is JSON");
    assert!(json["tool"].as_str().unwrap().starts_with("ehcpack "));
    let cases = json["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 1);
    let case = &cases[0];
    assert_eq!(case["path"], dir.to_str().unwrap());
    assert_eq!(case["verdict"], "fail");
    let diags = case["diagnostics"].as_array().unwrap();
    assert!(!diags.is_empty());
    for d in diags {
        for key in [
            "rule", "severity", "file", "line", "column", "message", "help", "source",
        ] {
            assert!(d.get(key).is_some(), "diagnostic lacks `{key}`: {d}");
        }
    }
    let d = &diags[0];
    assert_eq!(d["rule"], "schema");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], "pupil.yaml");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(14), Some(13))
    );
    let summary = &json["summary"];
    for key in ["cases", "passed", "passed_with_warnings", "failed"] {
        assert!(summary.get(key).is_some(), "summary lacks `{key}`");
    }
    assert_eq!(summary["cases"], 1);
    assert_eq!(summary["failed"], 1);
}

#[test]
fn json_output_for_unreadable_files_is_still_json() {
    let (_tmp, dir) = sample_copy();
    fs::write(dir.join("bad.yaml"), b"a: [\n\xE9\n").unwrap();
    fs::write(dir.join("empty.yaml"), b"").unwrap();
    let run = validate(&dir, "json");
    assert_eq!(run.code, Some(1), "{run:?}");
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("stdout is JSON");
    let rules: Vec<&str> = json["cases"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"yaml-syntax"), "{rules:?}");
    assert!(rules.contains(&"case-structure"), "{rules:?}");
}

#[test]
fn explain_prints_the_rule_doc() {
    let run = ehcpack(&["explain", "apdr-cycles"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let doc = catalogue::get("apdr-cycles").unwrap().text;
    assert_eq!(run.stdout.trim_end(), doc.trim_end());
    assert!(run.stdout.starts_with("# apdr-cycles\n"));
    for section in ["## What it checks", "## Why it matters", "## How to fix it"] {
        assert!(run.stdout.contains(section), "{section}");
    }
}

#[test]
fn explain_list_names_every_rule() {
    let run = ehcpack(&["explain", "--list"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let listed: Vec<&str> = run
        .stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|id| catalogue::get(id).is_some())
        .collect();
    let all: Vec<&str> = catalogue::all().iter().map(|r| r.id.as_str()).collect();
    assert_eq!(all.len(), 35);
    assert_eq!(listed, all, "every rule once, in catalogue order");
    assert!(listed.contains(&"yaml-syntax"));
}

#[test]
fn explain_nonsense_cannot_run() {
    let run = ehcpack(&["explain", "nonsense"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains("no rule `nonsense`"), "{run:?}");
    assert!(!run.stderr.contains("panicked"));
    // A near miss is told the right id.
    let run = ehcpack(&["explain", "apdr-cycle"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains("`apdr-cycles`"), "{run:?}");
}
