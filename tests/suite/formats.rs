//! Every output format, read back by a real consumer where one exists in Rust. (The HTML page in
//! a real browser: tests/external/html.rs.)
// Tests read their fixtures and outputs directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use std::process::{Command, Output};

fn ehcpack(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ehcpack"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("ehcpack runs")
}

fn run(format: &str) -> (Option<i32>, String) {
    let out = ehcpack(&[
        "validate",
        "sample-cases",
        "--today",
        "2026-06-30",
        "--received",
        "2026-02-10",
        "--format",
        format,
    ]);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn junit_parses_with_a_case_per_folder_and_a_failure_per_failing_case() {
    let (code, xml) = run("junit");
    assert_eq!(code, Some(1));
    let report = quick_junit::Report::deserialize_from_str(&xml).expect("JUnit XML parses");
    let suite = &report.test_suites[0];
    assert_eq!(suite.test_cases.len(), 10);
    assert_eq!(suite.failures, 5);
    let failing = suite
        .test_cases
        .iter()
        .find(|c| c.name.as_str() == "sample-cases/fail-no-countersignature")
        .unwrap();
    assert!(matches!(
        failing.status,
        quick_junit::TestCaseStatus::NonSuccess { .. }
    ));
    assert!(
        xml.contains("request.yaml:"),
        "the failure names the file and line"
    );
}

#[test]
fn sarif_validates_against_the_sarif_schema() {
    let (_, text) = run("sarif");
    let log: serde_json::Value = serde_json::from_str(&text).unwrap();
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../data/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        13,
        "five errors and one warning in the samples, and duplicate-pupil on the seven variants \
         of one pupil"
    );
    let leak = results
        .iter()
        .find(|r| r["ruleId"] == "protected-address-leak")
        .unwrap();
    let region = &leak["locations"][0]["physicalLocation"]["region"];
    assert!(region["startLine"].as_u64().unwrap() > 1);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.len(), ehcpack::rules::catalogue::all().len());
}

#[test]
fn github_annotations_name_file_and_line() {
    let (_, text) = run("github");
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("::")).collect();
    // Five errors, one guidance-date warning, and duplicate-pupil on the seven variants of one
    // pupil among the samples.
    assert_eq!(lines.len(), 13);
    assert!(lines.iter().any(|l| l
        .starts_with("::warning file=sample-cases/warn-after-guidance-date/request.yaml,line=")));
    for line in &lines {
        assert!(line.contains(",line=") && line.contains(",col="), "{line}");
        assert!(!line[2..].contains('\n'));
    }
}

#[test]
fn csv_has_a_row_per_case_with_the_la_dates() {
    let (_, text) = run("csv");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, ehcpack::report::CSV_HEADER);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 10);
    let late = rows
        .iter()
        .find(|r| r[0].ends_with("warn-after-guidance-date"))
        .unwrap();
    assert_eq!(&late[2], "pass-with-warnings");
    assert_eq!(&late[7], "after");
    assert_eq!(&late[9], "2026-03-24", "decision due 6 weeks after receipt");
    assert_eq!(
        &late[10], "2026-06-30",
        "final plan due 20 weeks after receipt"
    );
    assert_eq!(
        &late[11], "decision",
        "on 30 June the decision date has passed"
    );
}

#[test]
fn html_is_self_contained() {
    let (_, html) = run("html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("src="));
    assert_eq!(html.matches("<tr data-verdict=").count(), 10);
    assert!(html.contains("protected-address-leak"));
}

#[test]
fn fifty_requests_from_one_school_raise_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("school");
    ehcpack::generate::corpus(&corpus, 50, 9, 0.0).unwrap();
    let out = ehcpack(&[
        "validate",
        corpus.to_str().unwrap(),
        "--today",
        "2026-01-15",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["cases"], 50);
    assert_eq!(json["summary"]["passed"], 50);
}

#[test]
fn an_unreadable_case_does_not_stop_the_batch() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("received");
    ehcpack::generate::corpus(&corpus, 4, 3, 0.0).unwrap();
    // One case whose only document cannot be read as UTF-8, one with broken YAML.
    std::fs::write(
        corpus.join("case-00001/pupil.yaml"),
        b"legal_name: \xff\xfe\n",
    )
    .unwrap();
    std::fs::write(corpus.join("case-00002/needs.yaml"), "kind: [\n").unwrap();
    let out = ehcpack(&[
        "validate",
        corpus.to_str().unwrap(),
        "--today",
        "2026-01-15",
        "--format",
        "csv",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 5, "a header and four cases: {text}");
    assert_eq!(text.lines().filter(|l| l.contains(",pass,")).count(), 2);
}

#[test]
fn the_generator_is_deterministic_and_mixes_faults() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    let faulty = ehcpack::generate::corpus(&a, 40, 5, 0.5).unwrap();
    ehcpack::generate::corpus(&b, 40, 5, 0.5).unwrap();
    assert!(faulty > 5 && faulty < 35, "{faulty}");
    for entry in walkdir::WalkDir::new(&a) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let other = b.join(entry.path().strip_prefix(&a).unwrap());
            assert_eq!(
                std::fs::read(entry.path()).unwrap(),
                std::fs::read(other).unwrap()
            );
        }
    }
}

#[test]
fn json_and_human_output_mark_overdue_statutory_dates() {
    let json = ehcpack(&[
        "validate",
        "sample-cases/year5-passing",
        "--today",
        "2026-04-01",
        "--received",
        "2026-02-10",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let case = &json["cases"][0];
    assert_eq!(case["decision_due"], "2026-03-24");
    assert_eq!(case["final_plan_due"], "2026-06-30");
    assert_eq!(case["overdue"], "decision");
    // A date recorded in the case wins over --received.
    let on_time = ehcpack(&[
        "validate",
        "sample-cases/year5-passing",
        "--today",
        "2026-03-01",
        "--received",
        "2026-02-10",
    ]);
    let text = String::from_utf8_lossy(&on_time.stdout);
    assert!(text.contains("received 2026-02-10: decision on whether to assess due 2026-03-24; final plan due 2026-06-30"), "{text}");
    assert!(!text.contains("overdue"));
    let late = ehcpack(&[
        "validate",
        "sample-cases/year5-passing",
        "--today",
        "2026-07-01",
        "--received",
        "2026-02-10",
    ]);
    assert!(String::from_utf8_lossy(&late.stdout).contains("final plan due 2026-06-30 (overdue)"));
}

#[test]
fn a_csv_cell_is_never_a_formula() {
    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("received");
    for name in [
        "=HYPERLINK(\"http:x\",\"open\")",
        "@SUM(1+1)",
        "+1",
        "-1",
        "plain",
    ] {
        let case = batch.join(name);
        std::fs::create_dir_all(&case).unwrap();
        for entry in std::fs::read_dir(format!(
            "{}/sample-cases/year5-passing",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
        {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                std::fs::copy(entry.path(), case.join(entry.file_name())).unwrap();
            }
        }
    }
    // Each case named on its own, relative to where the command runs, as a caseworker does.
    let names = [
        "=HYPERLINK(\"http:x\",\"open\")",
        "@SUM(1+1)",
        "+1",
        "-1",
        "plain",
    ];
    let out = Command::new(env!("CARGO_BIN_EXE_ehcpack"))
        .args(["validate", "--today", "2026-01-15", "--format", "csv", "--"])
        .args(names)
        .current_dir(&batch)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let paths: Vec<String> = rows.records().map(|r| r.unwrap()[0].to_string()).collect();
    assert_eq!(paths.len(), 5, "{text}");
    for path in &paths {
        assert!(
            !path.starts_with(['=', '+', '-', '@']),
            "a cell a spreadsheet would run: {path}"
        );
    }
    assert!(
        paths.contains(&"'=HYPERLINK(\"http:x\",\"open\")".to_string()),
        "{paths:?}"
    );
    assert!(paths.contains(&"plain".to_string()), "{paths:?}");
}
