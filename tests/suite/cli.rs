//! The command line as users run it, over the bundled samples and the SENCO guide's example case (docs/senco.md).
// Tests read their fixtures and outputs directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ehcpack(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ehcpack"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("ehcpack runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const TODAY: &str = "2026-01-15";

/// Each sample, the exit status, and the only rule ids it may raise.
const SAMPLES: &[(&str, i32, &[&str])] = &[
    ("year5-passing", 0, &[]),
    ("year10-pfa-passing", 0, &[]),
    (
        "fail-no-countersignature",
        1,
        &["headteacher-countersignature"],
    ),
    ("fail-no-consent", 1, &["parental-consent"]),
    ("fail-one-reviewed-plan", 1, &["apdr-cycles"]),
    ("fail-outcome-not-smart", 1, &["smart-outcome"]),
    ("warn-after-guidance-date", 0, &["guidance-date"]),
    (
        "fail-protected-address-leak",
        1,
        &["protected-address-leak"],
    ),
    ("looked-after-durham", 0, &[]),
    ("parent-request-consett", 0, &[]),
];

#[test]
fn every_sample_gives_its_expected_result() {
    for (name, code, rules) in SAMPLES {
        let path = format!("sample-cases/{name}");
        let out = ehcpack(&["validate", &path, "--today", TODAY, "--format", "json"]);
        assert_eq!(out.status.code(), Some(*code), "{name}: {}", stdout(&out));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let case = &json["cases"][0];
        let fired: Vec<&str> = case["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["rule"].as_str().unwrap())
            .collect();
        for rule in *rules {
            assert!(
                fired.contains(rule),
                "{name}: {rule} did not fire: {fired:?}"
            );
        }
        for rule in &fired {
            assert!(rules.contains(rule), "{name}: unexpected {rule}");
        }
    }
    // Every sample folder is in the table above.
    let folders = std::fs::read_dir(root().join("sample-cases")).unwrap();
    for entry in folders.filter_map(Result::ok).filter(|e| e.path().is_dir()) {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(
            SAMPLES.iter().any(|(n, _, _)| *n == name),
            "sample {name} has no expectation"
        );
    }
}

#[test]
fn human_output_names_file_line_rule_help_and_source() {
    let out = ehcpack(&[
        "validate",
        "sample-cases/fail-no-countersignature",
        "--today",
        TODAY,
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("error[headteacher-countersignature]: the request is not countersigned"));
    assert!(text.contains("--> sample-cases/fail-no-countersignature/request.yaml:"));
    assert!(text.contains("^"), "a caret under the place: {text}");
    assert!(text.contains("= help: ask the headteacher"));
    assert!(
        text.contains("= source: Durham SEND toolkit, \"Applying for an EHC needs assessment\"")
    );
    assert!(text.contains("sample-cases/fail-no-countersignature: fail (1 error, 0 warnings)"));
}

#[test]
fn a_warning_alone_exits_zero_and_says_the_date() {
    let out = ehcpack(&[
        "validate",
        "sample-cases/warn-after-guidance-date",
        "--today",
        TODAY,
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("warning[guidance-date]"), "{text}");
    assert!(text.contains("Monday 23 March 2026"), "{text}");
    assert!(text.contains("September"), "{text}");
    assert!(text.contains("pass with warnings"));
}

#[test]
fn a_folder_of_cases_is_a_batch_with_a_summary() {
    let out = ehcpack(&["validate", "sample-cases", "--today", TODAY]);
    assert_eq!(out.status.code(), Some(1), "some samples fail");
    let text = stdout(&out);
    // Seven samples are variants of one pupil (Joshua), so in one batch each is also warned
    // `duplicate-pupil`; year10-pfa-passing (Freya), looked-after-durham (Seun) and
    // parent-request-consett (Zofia) are clean passes.
    assert!(
        text.contains("10 cases: 3 passed, 2 passed with warnings, 5 failed"),
        "{text}"
    );
    assert!(text.contains("duplicate-pupil (7)"), "{text}");
    assert!(text.contains("rules broken in most cases:"));
}

#[test]
fn json_output_has_the_documented_shape() {
    let out = ehcpack(&[
        "validate",
        "sample-cases",
        "--today",
        TODAY,
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    for key in [
        "tool",
        "format_version",
        "profile",
        "today",
        "cases",
        "summary",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    assert_eq!(json["today"], TODAY);
    assert_eq!(json["summary"]["cases"], 10);
    for case in json["cases"].as_array().unwrap() {
        for key in [
            "path",
            "verdict",
            "errors",
            "warnings",
            "pupil_reference",
            "submission_date",
            "guidance_date",
            "received_date",
            "decision_due",
            "final_plan_due",
            "overdue",
            "next_due",
            "diagnostics",
        ] {
            assert!(case.get(key).is_some(), "case lacks {key}");
        }
        for d in case["diagnostics"].as_array().unwrap() {
            for key in [
                "rule", "severity", "file", "line", "column", "message", "help", "source",
            ] {
                assert!(d.get(key).is_some(), "diagnostic lacks {key}");
            }
        }
    }
}

#[test]
fn cannot_run_is_exit_two() {
    let out = ehcpack(&["validate", "no/such/folder"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read no/such/folder"));
    assert_eq!(ehcpack(&["validate"]).status.code(), Some(2));
    assert_eq!(
        ehcpack(&[
            "validate",
            "sample-cases/year5-passing",
            "--today",
            "15/01/2026"
        ])
        .status
        .code(),
        Some(2)
    );
    let bad_profile = ehcpack(&[
        "validate",
        "sample-cases/year5-passing",
        "--profile",
        "README.md",
    ]);
    assert_eq!(bad_profile.status.code(), Some(2));
}

/// Writes the SENCO's guide's example case (docs/senco.md) into a folder, as a newcomer would.
fn readme_example(dir: &Path) -> usize {
    let readme = std::fs::read_to_string(root().join("docs/senco.md")).unwrap();
    let mut files = 0;
    let mut rest = readme.as_str();
    while let Some(at) = rest.find("<!-- example: ") {
        rest = &rest[at + "<!-- example: ".len()..];
        let name = &rest[..rest.find(" -->").unwrap()];
        let body_start = rest.find("```yaml\n").unwrap() + "```yaml\n".len();
        let body = &rest[body_start..];
        let body = &body[..body.find("```").unwrap()];
        std::fs::write(dir.join(name), body).unwrap();
        files += 1;
    }
    files
}

#[test]
fn the_readme_example_case_passes_every_rule() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        readme_example(dir.path()),
        11,
        "one example per document kind"
    );
    let path = dir.path().to_str().unwrap();
    let out = ehcpack(&["validate", path, "--today", TODAY]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("pass (0 errors, 0 warnings)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn explain_prints_the_rule_and_list_covers_all() {
    let out = ehcpack(&["explain", "apdr-cycles"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("# apdr-cycles"));
    assert!(text.contains("## How to fix it"));
    let list = stdout(&ehcpack(&["explain", "--list"]));
    for rule in ehcpack::rules::catalogue::all() {
        assert!(list.contains(rule.id.as_str()));
    }
    let typo = ehcpack(&["explain", "apdr-cycle"]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&typo.stderr).contains("did you mean `apdr-cycles`"));
    assert!(stdout(&ehcpack(&["explain", "never"])).contains("educational psychologist"));
}

#[test]
fn schema_export_matches_the_shipped_schemas() {
    let dir = tempfile::tempdir().unwrap();
    let out = ehcpack(&["schema", "--out", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    for kind in ehcpack::case::Kind::ALL {
        let name = format!("{}.schema.json", kind.name());
        let written = std::fs::read(dir.path().join(&name)).unwrap();
        let shipped = std::fs::read(root().join("schemas").join(&name)).unwrap();
        assert_eq!(written, shipped, "{name}");
    }
    let one = ehcpack(&["schema", "plan"]);
    let json: serde_json::Value = serde_json::from_slice(&one.stdout).unwrap();
    assert_eq!(json["properties"]["kind"]["const"], "plan");
}

#[test]
fn samples_carry_the_editor_modeline() {
    for entry in walkdir::WalkDir::new(root().join("sample-cases")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "yaml") {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            let first = text.lines().next().unwrap();
            assert!(
                first.starts_with("# yaml-language-server: $schema=../../schemas/")
                    && first.ends_with(".schema.json"),
                "{}: {first}",
                entry.path().display()
            );
            let schema = first.rsplit('/').next().unwrap();
            assert!(root().join("schemas").join(schema).exists());
        }
    }
}

#[test]
fn every_schema_field_is_in_the_senco_guide() {
    // The SENCO's guide describes every field in words (docs/case-format.md lists them too, but
    // that page is generated from the schemas).
    let readme = std::fs::read_to_string(root().join("docs/senco.md")).unwrap();
    fn walk(schema: &serde_json::Value, defs: &serde_json::Value, out: &mut Vec<String>) {
        let schema = match schema.get("$ref").and_then(|r| r.as_str()) {
            Some(r) => &defs[r.rsplit('/').next().unwrap()],
            None => schema,
        };
        if let Some(props) = schema.get("properties").and_then(|p| p.as_object()) {
            for (name, sub) in props {
                out.push(name.clone());
                walk(sub, defs, out);
            }
        }
        if let Some(items) = schema.get("items") {
            walk(items, defs, out);
        }
    }
    for kind in ehcpack::case::Kind::ALL {
        let schema: serde_json::Value = serde_json::from_str(ehcpack::schema::text(kind)).unwrap();
        let mut fields = Vec::new();
        walk(&schema, &schema["$defs"], &mut fields);
        for field in fields {
            assert!(
                readme.contains(&format!("`{field}`")),
                "{}: `{field}` is not in docs/senco.md",
                kind.name()
            );
        }
    }
}

#[test]
fn the_guide_examples_of_the_other_documents_match_their_schemas() {
    let readme = std::fs::read_to_string(root().join("docs/senco.md")).unwrap();
    let mut seen = 0;
    let mut rest = readme.as_str();
    while let Some(at) = rest.find("<!-- example-extra: ") {
        rest = &rest[at + "<!-- example-extra: ".len()..];
        let name = &rest[..rest.find(" -->").unwrap()];
        let body = &rest[rest.find("```yaml\n").unwrap() + 8..];
        let body = &body[..body.find("```").unwrap()];
        let node = ehcpack::yaml::parse(body).unwrap().unwrap();
        let kind =
            ehcpack::case::Kind::from_name(node.get("kind").unwrap().as_str().unwrap()).unwrap();
        assert_eq!(format!("{}.yaml", kind.name()), name);
        assert_eq!(ehcpack::schema::check(kind, &node, body), vec![], "{name}");
        seen += 1;
    }
    assert_eq!(seen, 2, "professionals and evidence");
}
