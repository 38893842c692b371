//! A SENCO's first hour: `ehcpack new`, what `validate` says is left, `status`, profiles,
//! completions and the man page, `--watch`, and on to a pack that passes and renders.
// Tests read their fixtures and outputs directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn ehcpack(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ehcpack"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("ehcpack runs")
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The SENCO's guide's example case (docs/senco.md), file by file, as a person would copy it.
fn readme_files() -> Vec<(String, String)> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/senco.md"))
            .unwrap();
    let mut files = Vec::new();
    let mut rest = readme.as_str();
    while let Some(at) = rest.find("<!-- example: ") {
        rest = &rest[at + "<!-- example: ".len()..];
        let name = rest[..rest.find(" -->").unwrap()].to_string();
        let body = &rest[rest.find("```yaml\n").unwrap() + 8..];
        files.push((name, body[..body.find("```").unwrap()].to_string()));
    }
    files
}

#[test]
fn new_writes_every_document_explained_and_validate_lists_what_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("cases/ava");
    let out = ehcpack(&["new", case.to_str().unwrap(), "--year-group", "5"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("ehcpack validate"),
        "says what to do next"
    );
    for kind in ehcpack::case::Kind::ALL {
        let name = if kind == ehcpack::case::Kind::Plan {
            "plan-1.yaml".into()
        } else {
            format!("{}.yaml", kind.name())
        };
        let body = std::fs::read_to_string(case.join(&name)).unwrap();
        assert!(body.starts_with(&format!(
            "# yaml-language-server: $schema=../schemas/{}.schema.json",
            kind.name()
        )));
        assert!(body.contains(&format!("kind: {}\n", kind.name())));
        assert!(dir
            .path()
            .join(format!("cases/schemas/{}.schema.json", kind.name()))
            .exists());
    }
    assert!(
        case.join("plan-3.yaml").exists(),
        "three plans, as Durham expects"
    );
    let pupil = std::fs::read_to_string(case.join("pupil.yaml")).unwrap();
    assert!(
        pupil.contains("# (required) The pupil's legal first name."),
        "every field explained"
    );
    assert!(pupil.contains("year_group: 5"));
    assert!(
        !pupil.contains("\nlooked_after:"),
        "only with --looked-after"
    );

    // validate on the blank case: what is left, pupil first, exit 1, no cascade of rules.
    let out = ehcpack(&["validate", case.to_str().unwrap(), "--today", "2026-01-15"]);
    assert_eq!(out.status.code(), Some(1));
    let report = text(&out);
    let first = report.lines().next().unwrap();
    assert_eq!(first, "error[schema]: `legal_name` is empty", "{report}");
    assert!(report.contains("`people[1].name` is empty"));
    assert!(
        !report.contains("apdr-cycles"),
        "rules wait until the documents read cleanly"
    );
    // A second `new` into the same folder refuses, so nothing is overwritten.
    let again = ehcpack(&["new", case.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
}

#[test]
fn from_new_to_a_pack_that_passes_and_renders() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("cases/ava");
    assert_eq!(
        ehcpack(&["new", case.to_str().unwrap(), "--year-group", "5"])
            .status
            .code(),
        Some(0)
    );
    // The person fills in each document (here, with the worked example of docs/senco.md) and deletes
    // the optional ones that do not apply, as the files' own comments say.
    for (name, body) in readme_files() {
        let path = case.join(&name);
        assert!(path.exists(), "`new` wrote {name}");
        let modeline = std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_string();
        std::fs::write(&path, format!("{modeline}\n{body}")).unwrap();
    }
    for optional in ["professionals.yaml", "evidence.yaml"] {
        let body = std::fs::read_to_string(case.join(optional)).unwrap();
        assert!(
            body.contains("delete this file"),
            "{optional} says it may be deleted"
        );
        std::fs::remove_file(case.join(optional)).unwrap();
    }
    let out = ehcpack(&["validate", case.to_str().unwrap(), "--today", "2026-01-15"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let pdf = dir.path().join("ava.pdf");
    let out = ehcpack(&[
        "render",
        case.to_str().unwrap(),
        "--today",
        "2026-01-15",
        "-o",
        pdf.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
}

#[test]
fn new_for_a_looked_after_child_protects_the_address() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("c/kai");
    assert_eq!(
        ehcpack(&["new", case.to_str().unwrap(), "--looked-after"])
            .status
            .code(),
        Some(0)
    );
    let pupil = std::fs::read_to_string(case.join("pupil.yaml")).unwrap();
    assert!(pupil.contains("\nlooked_after:\n"));
    assert!(pupil.contains("  protected: true\n"));
}

#[test]
fn status_is_a_checklist_with_days_to_the_guidance_date() {
    let out = ehcpack(&[
        "status",
        "sample-cases/fail-no-countersignature",
        "--today",
        "2026-01-15",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report = text(&out);
    assert!(
        report.contains("[ ] Headteacher's countersignature"),
        "{report}"
    );
    assert!(report.contains("the request is not countersigned"));
    assert!(report.contains("[x] Parental consent, and consent to share"));
    assert!(report.contains("[x] Two support plans reviewed fully, plus the current plan"));
    assert!(report.contains("14 of 15 done."));
    assert!(
        report.contains("67 days left to the guidance date, Monday 23 March 2026."),
        "{report}"
    );
    let warned = text(&ehcpack(&[
        "status",
        "sample-cases/warn-after-guidance-date",
        "--today",
        "2026-04-01",
    ]));
    assert!(warned.contains("[~] Sent by the guidance date"), "{warned}");
    assert!(warned.contains("has passed"));
}

#[test]
fn profiles_show_and_replace_the_durham_numbers() {
    let durham = text(&ehcpack(&["profile", "show"]));
    assert!(durham.starts_with("name: Durham County Council"));
    assert!(durham.contains("reviewed_plans_required: 2"));
    assert!(durham.contains("summer_term_ends: 2026-07-17"));
    let example = text(&ehcpack(&[
        "profile",
        "show",
        "--profile",
        "profiles/example-other-la.yaml",
    ]));
    assert!(example.contains("not real policy"));
    // The example asks for three reviewed plans: the Year 5 sample has two.
    let out = ehcpack(&[
        "validate",
        "sample-cases/year5-passing",
        "--today",
        "2026-01-15",
        "--profile",
        "profiles/example-other-la.yaml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("expects at least 3"));
    // The sample's own planned submission date decides its year, whatever today is: no
    // warning only because the calendar moved on (tests/realcases.rs checks the estimate).
    let future = ehcpack(&[
        "validate",
        "sample-cases/year5-passing",
        "--today",
        "2027-01-15",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&future.stdout).unwrap();
    assert_eq!(json["cases"][0]["verdict"], "pass", "{json:#}");
}

#[test]
fn completions_and_man_page_come_from_the_command_definitions() {
    for shell in ["bash", "zsh", "fish"] {
        let out = ehcpack(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0));
        let script = text(&out);
        for word in ["validate", "render", "explain", "format", "received"] {
            assert!(script.contains(word), "{shell} completes {word}");
        }
    }
    let man = text(&ehcpack(&["man"]));
    assert!(man.contains(".TH ehcpack 1"));
    assert!(man.contains("Exit status"));
}

#[test]
fn watch_checks_again_when_a_file_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("case");
    ehcpack::generate::corpus(dir.path(), 1, 4, 0.0).unwrap();
    std::fs::rename(dir.path().join("case-00000"), &case).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ehcpack"))
        .args([
            "validate",
            case.to_str().unwrap(),
            "--today",
            "2026-01-15",
            "--watch",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut read_until = |needle: &str| {
        let start = Instant::now();
        let mut seen = String::new();
        while start.elapsed() < Duration::from_secs(20) {
            match lines.next() {
                Some(Ok(line)) => {
                    seen.push_str(&line);
                    seen.push('\n');
                    if line.contains(needle) {
                        return seen;
                    }
                }
                _ => break,
            }
        }
        panic!("never saw {needle:?}: {seen}");
    };
    let first = read_until("Watching for changes");
    assert!(first.contains(": pass (0 errors, 0 warnings)"), "{first}");
    // The SENCO removes the countersignature and saves.
    let request = std::fs::read_to_string(case.join("request.yaml")).unwrap();
    let cut = request.find("countersignature:").unwrap();
    std::fs::write(case.join("request.yaml"), &request[..cut]).unwrap();
    let second = read_until("Watching for changes");
    child.kill().unwrap();
    let _ = child.wait();
    assert!(
        second.contains("error[headteacher-countersignature]"),
        "{second}"
    );
}

#[test]
fn the_pre_commit_hook_runs_validate_over_a_schools_cases() {
    let hooks = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    let hooks = ehcpack::yaml::parse(&hooks).unwrap().unwrap();
    let ehcpack::yaml::Value::Seq(list) = &hooks.value else {
        panic!("a list of hooks")
    };
    let hook = &list[0];
    assert_eq!(hook.get("id").unwrap().as_str(), Some("ehcpack-validate"));
    let entry: Vec<&str> = hook
        .get("entry")
        .unwrap()
        .as_str()
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(entry, ["ehcpack", "validate"]);
    // A school's repository with its cases under cases/, as the config in docs/senco.md names them.
    let repo = tempfile::tempdir().unwrap();
    ehcpack::generate::corpus(&repo.path().join("cases"), 3, 2, 0.0).unwrap();
    let run = |repo: &Path| {
        Command::new(env!("CARGO_BIN_EXE_ehcpack"))
            .args(&entry[1..])
            .args(["cases/", "--today", "2026-01-15"])
            .current_dir(repo)
            .output()
            .unwrap()
    };
    assert_eq!(
        run(repo.path()).status.code(),
        Some(0),
        "a clean commit passes"
    );
    std::fs::write(
        repo.path().join("cases/case-00001/consent.yaml"),
        "format: ehcpack/1\nkind: consent\n",
    )
    .unwrap();
    let blocked = run(repo.path());
    assert_eq!(
        blocked.status.code(),
        Some(1),
        "a commit that breaks a case is stopped"
    );
    assert!(text(&blocked).contains("error[parental-consent]"));
}

/// `new` writes only into the folders it makes or finds as real folders: a `schemas` link
/// planted beside the case folder is refused, and nothing is written where it points.
#[cfg(unix)]
#[test]
fn new_never_writes_through_a_planted_link() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let cases = dir.path().join("cases");
    std::fs::create_dir(&cases).unwrap();
    std::os::unix::fs::symlink(&elsewhere, cases.join("schemas")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ehcpack"))
        .args(["new", cases.join("ava").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a link"));
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
    assert!(!cases.join("ava").exists());
}
