//! Snapshots of everything a user reads, reviewed as diffs (insta): the human output and the
//! `status` checklist of every sample, `explain` for every rule, `--help` of every command and
//! the documents `ehcpack new` writes. And the examples of the README and of the guides in
//! `docs/`, checked against the real output: each fenced block after
//! `<!-- snapshot: ehcpack ARGS -->` must be what `ehcpack ARGS` prints, so the manual cannot
//! drift from the tool.
//!
//! A changed message fails here with a diff; when the change is meant, accept it with
//! `INSTA_UPDATE=always cargo test --test snapshots` (or `cargo insta review`) and review the
//! changed `tests/snapshots/*.snap` files in the commit.
// Tests read their fixtures and outputs directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use crate::common;

use crate::common::{ehcpack, stderr, stdout};
use clap::CommandFactory;
use ehcpack::rules::RuleId;

const TODAY: &str = "2026-01-15";

const SAMPLES: &[&str] = &[
    "year5-passing",
    "year10-pfa-passing",
    "fail-no-countersignature",
    "fail-no-consent",
    "fail-one-reviewed-plan",
    "fail-outcome-not-smart",
    "warn-after-guidance-date",
    "fail-protected-address-leak",
    "looked-after-durham",
    "parent-request-consett",
];

/// What a run shows a user: the exit status, then standard output, then standard error.
fn shown(args: &[&str]) -> String {
    let out = ehcpack(args);
    let status = out
        .status
        .code()
        .map_or("none (killed by a signal)".to_string(), |c| c.to_string());
    let mut text = format!("$ ehcpack {}\nexit status: {status}\n", args.join(" "));
    text.push_str(&stdout(&out));
    let err = stderr(&out);
    if !err.is_empty() {
        text.push_str("--- stderr ---\n");
        text.push_str(&err);
    }
    text
}

#[test]
fn every_sample_is_listed_here() {
    let mut found: Vec<String> = std::fs::read_dir(common::root().join("sample-cases"))
        .unwrap()
        .filter_map(|e| {
            let e = e.unwrap();
            e.file_type()
                .unwrap()
                .is_dir()
                .then(|| e.file_name().to_string_lossy().into_owned())
        })
        .collect();
    found.sort();
    let mut listed: Vec<String> = SAMPLES.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(found, listed);
}

#[test]
fn validate_output_of_every_sample() {
    for sample in SAMPLES {
        let path = format!("sample-cases/{sample}");
        insta::assert_snapshot!(
            format!("validate-{sample}"),
            shown(&["validate", &path, "--today", TODAY])
        );
    }
}

#[test]
fn status_of_every_sample() {
    for sample in SAMPLES {
        let path = format!("sample-cases/{sample}");
        insta::assert_snapshot!(
            format!("status-{sample}"),
            shown(&["status", &path, "--today", TODAY])
        );
    }
}

#[test]
fn explain_every_rule() {
    for rule in RuleId::ALL {
        insta::assert_snapshot!(
            format!("explain-{rule}"),
            shown(&["explain", rule.as_str()])
        );
    }
    insta::assert_snapshot!("explain-never", shown(&["explain", "never"]));
    insta::assert_snapshot!("explain-list", shown(&["explain", "--list"]));
    insta::assert_snapshot!("explain-misspelt", shown(&["explain", "apdr-cycle"]));
}

/// Every command and subcommand, from the command definitions themselves, so a new command
/// gets a snapshot without anyone remembering to add it.
fn command_paths(command: &clap::Command, path: Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(path.clone());
    for sub in command.get_subcommands() {
        let mut next = path.clone();
        next.push(sub.get_name().to_string());
        command_paths(sub, next, out);
    }
}

#[test]
fn help_of_every_command() {
    let mut paths = Vec::new();
    command_paths(&ehcpack::cli::Cli::command(), Vec::new(), &mut paths);
    assert!(paths.len() >= 10, "{paths:?}");
    for path in paths {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let name = if path.is_empty() {
            "help".to_string()
        } else {
            format!("help-{}", path.join("-"))
        };
        insta::assert_snapshot!(name, shown(&args));
    }
}

#[test]
fn documents_ehcpack_new_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("cases").join("ava");
    let out = common::ehcpack_command()
        .args(["new", "--year-group", "5", "--looked-after"])
        .arg(&folder)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut names: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 13, "{names:?}");
    for name in names {
        let text = std::fs::read_to_string(folder.join(&name)).unwrap();
        // Every field of the schema, nested ones too, is in the document `new` writes, with a
        // comment line just before the field's own line.
        let kind_name = if name.starts_with("plan-") {
            "plan"
        } else {
            name.trim_end_matches(".yaml")
        };
        let kind = ehcpack::case::Kind::from_name(kind_name).unwrap();
        let schema: serde_json::Value = serde_json::from_str(ehcpack::schema::text(kind)).unwrap();
        let mut fields = Vec::new();
        field_names(&schema, &mut fields);
        let lines: Vec<&str> = text.lines().collect();
        let is_word = |line: &str, word: &str| {
            line.match_indices(word).any(|(i, _)| {
                let before = line[..i].chars().next_back();
                let after = line[i + word.len()..].chars().next();
                let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
                !ident(before) && !ident(after)
            })
        };
        for field in fields {
            // Its own line (`field:`, after a comment), or named in the comment that lists the
            // fields of a list's entries.
            match lines.iter().position(|l| {
                l.trim_start()
                    .trim_start_matches("- ")
                    .starts_with(&format!("{field}:"))
            }) {
                Some(at) => assert!(
                    at > 0 && lines[at - 1].trim_start().starts_with('#'),
                    "{name}: `{field}` has no comment before it"
                ),
                None => assert!(
                    lines
                        .iter()
                        .any(|l| l.trim_start().starts_with('#') && is_word(l, &field)),
                    "{name} lacks the field `{field}`:\n{text}"
                ),
            }
        }
        insta::assert_snapshot!(format!("new-{}", name.trim_end_matches(".yaml")), text);
    }
}

/// The field names `new` writes or names: the properties of the document and of its blocks at
/// any depth, and the fields of a list's entries (named in the list's comment; what lies deeper
/// in an entry is for the schema and the editor). The plan's review is left out: the current
/// plan has none yet.
fn field_names(schema: &serde_json::Value, out: &mut Vec<String>) {
    if let Some(props) = schema.get("properties").and_then(|p| p.as_object()) {
        for (name, sub) in props {
            if matches!(name.as_str(), "review" | "format" | "kind") {
                continue;
            }
            out.push(name.clone());
            match sub.get("items").and_then(|i| i.get("properties")) {
                Some(entry) => out.extend(entry.as_object().unwrap().keys().cloned()),
                None => field_names(sub, out),
            }
        }
    }
}

/// One README example: the command in its marker and the fenced block after it.
struct Example {
    line: usize,
    args: Vec<String>,
    json: bool,
    body: String,
}

fn readme_examples(readme: &str) -> Vec<Example> {
    const MARK: &str = "<!-- snapshot: ehcpack ";
    let lines: Vec<&str> = readme.lines().collect();
    let mut examples = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(rest) = line.strip_prefix(MARK) else {
            continue;
        };
        let args = rest
            .strip_suffix(" -->")
            .unwrap_or_else(|| panic!("line {}: marker not closed", i + 1));
        let fence = lines[i + 1];
        assert!(
            fence.starts_with("```"),
            "line {}: a fenced block follows the marker",
            i + 2
        );
        let body: Vec<&str> = lines[i + 2..]
            .iter()
            .take_while(|l| !l.starts_with("```"))
            .copied()
            .collect();
        examples.push(Example {
            line: i + 1,
            args: args.split_whitespace().map(String::from).collect(),
            json: fence == "```json",
            body: body.join("\n"),
        });
    }
    examples
}

/// Whether `block` is what `real` printed: every run of lines between `...` lines appears, in
/// order and whole, in the real output (a `...` line stands for lines left out). A first line
/// `$ ehcpack ARGS` must name the command of the marker.
fn matches(block: &str, args: &[String], real: &str) -> Result<(), String> {
    let mut lines: Vec<&str> = block.lines().map(str::trim_end).collect();
    if let Some(first) = lines.first() {
        if let Some(command) = first.strip_prefix("$ ") {
            let expected = format!("ehcpack {}", args.join(" "));
            if command != expected {
                return Err(format!(
                    "the block's command `{command}` is not `{expected}`"
                ));
            }
            lines.remove(0);
        }
    }
    let real: Vec<&str> = real.lines().map(str::trim_end).collect();
    let mut from = 0;
    for chunk in lines.split(|l| *l == "...") {
        if chunk.is_empty() {
            continue;
        }
        let found = (from..=real.len().saturating_sub(chunk.len()))
            .find(|&start| real[start..start + chunk.len()] == *chunk);
        match found {
            Some(start) => from = start + chunk.len(),
            None => {
                return Err(format!(
                "these lines are not in the real output (in this order):\n{}\n\nreal output:\n{}",
                chunk.join("\n"),
                real.join("\n")
            ))
            }
        }
    }
    Ok(())
}

/// The README and every guide in `docs/` (not the rule texts, which `explain` snapshots cover).
fn documents_with_examples() -> Vec<(String, String)> {
    let root = common::root();
    let mut names: Vec<String> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("docs/{n}"))
        .collect();
    names.sort();
    names.insert(0, "README.md".to_string());
    names
        .into_iter()
        .map(|name| {
            let text = std::fs::read_to_string(root.join(&name)).unwrap();
            (name, text)
        })
        .collect()
}

#[test]
fn the_readme_examples_are_the_real_output() {
    let mut failures = Vec::new();
    let mut counts = Vec::new();
    for (name, text) in documents_with_examples() {
        let examples = readme_examples(&text);
        counts.push((name.clone(), examples.len()));
        for example in &examples {
            let args: Vec<&str> = example.args.iter().map(String::as_str).collect();
            let real = stdout(&ehcpack(&args));
            let result = if example.json {
                let want: serde_json::Value = serde_json::from_str(&example.body)
                    .map_err(|e| format!("{name}'s JSON does not parse: {e}"))
                    .unwrap();
                let got: serde_json::Value = serde_json::from_str(&real).unwrap();
                if want == got {
                    Ok(())
                } else {
                    Err(format!(
                        "the JSON differs; the real output is:\n{}",
                        serde_json::to_string_pretty(&got).unwrap()
                    ))
                }
            } else {
                matches(&example.body, &example.args, &real)
            };
            if let Err(why) = result {
                failures.push(format!(
                    "{name} line {} (ehcpack {}): {why}",
                    example.line,
                    args.join(" ")
                ));
            }
        }
    }
    // The README's opening example and first hour, and the SENCO guide's first hour, human
    // output and JSON output at least: a marker lost in a move would otherwise go unchecked.
    let count = |doc: &str| counts.iter().find(|(n, _)| n == doc).map_or(0, |c| c.1);
    assert!(count("README.md") >= 2, "{counts:?}");
    assert!(count("docs/senco.md") >= 3, "{counts:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_readme_check_catches_drift() {
    // The README once showed `request.yaml:36` where the tool prints line 51.
    let args: Vec<String> = [
        "validate",
        "sample-cases/fail-no-countersignature",
        "--today",
        TODAY,
    ]
    .map(String::from)
    .to_vec();
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let real = stdout(&ehcpack(&refs));
    let right = "  --> sample-cases/fail-no-countersignature/request.yaml:51:1";
    assert!(matches(right, &args, &real).is_ok(), "{real}");
    let wrong = right.replace(":51:", ":36:");
    assert!(matches(&wrong, &args, &real).is_err());
    // Lines out of order, or a command that is not the marker's, are caught too.
    assert!(matches(
        &format!("sample-cases/fail-no-countersignature: fail (1 error, 0 warnings)\n...\n{right}"),
        &args,
        &real
    )
    .is_err());
    assert!(matches(&format!("$ ehcpack status x\n{right}"), &args, &real).is_err());
}

#[test]
fn the_readme_field_examples_fit_their_schemas() {
    // The parts under "What LA request forms ask, by example" (docs/senco.md) show optional
    // fields only, so a document-level required field may be missing; nothing else may be wrong.
    let readme = std::fs::read_to_string(common::root().join("docs/senco.md")).unwrap();
    let mut seen = Vec::new();
    let mut rest = readme.as_str();
    while let Some(at) = rest.find("<!-- example-part: ") {
        rest = &rest[at + "<!-- example-part: ".len()..];
        let name = &rest[..rest.find(" -->").unwrap()];
        let body = &rest[rest.find("```yaml\n").unwrap() + 8..];
        let body = &body[..body.find("```").unwrap()];
        let node = ehcpack::yaml::parse(body).unwrap().unwrap();
        let kind =
            ehcpack::case::Kind::from_name(node.get("kind").unwrap().as_str().unwrap()).unwrap();
        assert_eq!(format!("{}.yaml", kind.name()), name);
        let wrong: Vec<_> = ehcpack::schema::check(kind, &node, body)
            .into_iter()
            .filter(|f| !f.message.starts_with("the required field"))
            .collect();
        assert!(wrong.is_empty(), "{name}: {wrong:?}");
        seen.push(name.to_string());
    }
    assert_eq!(
        seen,
        [
            "pupil.yaml",
            "family.yaml",
            "needs.yaml",
            "health.yaml",
            "professionals.yaml",
            "request.yaml"
        ]
    );
}

#[test]
fn status_names_the_form_details_not_yet_recorded() {
    let (_tmp, dir) = common::sample_copy("year5-passing");
    let health = std::fs::read_to_string(dir.join("health.yaml")).unwrap();
    let without_gp = health.replace(
        "gp:\n  practice: Brackenfield Medical Centre\n  phone: 0191 498 0622\n",
        "",
    );
    assert_ne!(health, without_gp, "the sample records a GP practice");
    std::fs::write(dir.join("health.yaml"), without_gp).unwrap();
    let out = common::ehcpack_command()
        .args(["status", "--today", TODAY])
        .arg(&dir)
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        text.ends_with(
            "\nAlso asked on LA request forms (optional): 8 of 9 recorded; not yet: GP practice.\n"
        ),
        "{text}"
    );
    // Optional details never count against the checklist.
    assert!(text.contains("\n15 of 15 done.\n"), "{text}");
    assert_eq!(out.status.code(), Some(0));
}
