//! The leak property: whatever variant of a looked-after child's protected address a case
//! carries (spacing, case, punctuation, zero-width characters, line wraps, flat or house-name
//! prefixes, street abbreviations, full-width letters), in whatever field, list item, evidence
//! title, file or folder name, no output of any format contains it once normalised.
//!
//! Two properties with fixed seeds: one drives the report gate directly (thousands of cases,
//! fast), one drives the whole pipeline (a real case folder written with the variants, then
//! `validate`, every report writer and `status`). A few binary runs close the file.
// Tests read their fixtures and outputs directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestRunner};
use unicode_normalization::UnicodeNormalization;

use ehcpack::case::{Document, Kind};
use ehcpack::diagnostic::Diagnostic;
use ehcpack::privacy::{RedactedReport, Redactor};
use ehcpack::profile::Profile;
use ehcpack::report::{self, Reporter, Summary};
use ehcpack::rules::{Context, RuleId};

const TODAY: &str = "2026-01-15";
const LINE: &str = "Flat 3, 14 Larchfield Road";
const POSTCODE: &str = "DH7 9ZQ";

/// What must never be found in output, in the checker's own normalisation.
const NEEDLES: [&str; 2] = ["14larchfieldroad", "dh79zq"];

/// `full` cases in CI, fewer by default (`common::cases`).
fn config(full: u32) -> Config {
    Config {
        cases: crate::common::cases(full),
        rng_seed: RngSeed::Fixed(0x9a_1eac),
        failure_persistence: None,
        max_shrink_iters: 20,
        ..Config::default()
    }
}

// ----- the variants -----

const ZERO_WIDTH: [&str; 6] = [
    "\u{200B}", "\u{200C}", "\u{200D}", "\u{2060}", "\u{FEFF}", "\u{00AD}",
];

/// Separators between the parts of a postcode or the words of a line.
fn separator() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        " ", "  ", "", "-", "\u{2013}", "\u{2014}", "\n", "\n      ", "\u{00A0}", ".", " - ", "\t",
        ", ", "\u{200B}", "_", "/",
    ])
}

/// Letters and digits of other scripts that look like (or read as) the Latin ones of the
/// address: Cyrillic, Greek, Arabic-Indic and Devanagari digits.
const LOOK_ALIKES: &[(char, char)] = &[
    ('H', '\u{041D}'),
    ('H', '\u{0397}'),
    ('Z', '\u{0396}'),
    ('a', '\u{0430}'),
    ('c', '\u{0441}'),
    ('e', '\u{0435}'),
    ('i', '\u{0456}'),
    ('d', '\u{0501}'),
    ('h', '\u{04BB}'),
    ('7', '\u{0667}'),
    ('9', '\u{096F}'),
    ('1', '\u{0661}'),
    ('4', '\u{0664}'),
];

/// A word with its case changed letter by letter, zero-width characters put inside, some letters
/// written in look-alikes of other scripts, and perhaps in full-width letters.
fn disguise(word: &'static str) -> impl Strategy<Value = String> {
    (
        prop::collection::vec(any::<bool>(), word.len()),
        prop::collection::vec(
            prop::option::weighted(0.15, 0usize..ZERO_WIDTH.len()),
            word.len(),
        ),
        prop::bool::weighted(0.1),
        prop::collection::vec(prop::bool::weighted(0.1), word.len()),
    )
        .prop_map(move |(upper, zw, wide, look)| {
            let mut out = String::new();
            for (i, c) in word.chars().enumerate() {
                let c = if upper[i] {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                };
                let c = if wide && c.is_ascii_alphanumeric() {
                    char::from_u32(c as u32 - 0x20 + 0xFF00).unwrap()
                } else {
                    c
                };
                let c = match LOOK_ALIKES.iter().find(|(latin, _)| *latin == c) {
                    Some((_, other)) if look[i] => *other,
                    _ => c,
                };
                out.push(c);
                if let Some(z) = zw[i] {
                    out.push_str(ZERO_WIDTH[z]);
                }
            }
            out
        })
}

fn postcode_variant() -> impl Strategy<Value = String> {
    (disguise("DH7"), separator(), disguise("9ZQ")).prop_map(|(a, s, b)| format!("{a}{s}{b}"))
}

fn line_variant() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec![
            "",
            "Flat 3, ",
            "Flat 3 ",
            "flat 3,\n",
            "Rose Cottage, ",
            "Apartment 2b ",
            "at ",
        ]),
        separator(),
        disguise("Larchfield"),
        separator(),
        prop::sample::select(vec!["Road", "Rd", "Rd.", "ROAD", "rd", "R\u{200B}oad"]),
        prop::sample::select(vec!["", ".", ",", ";", ")", "!", " ", "\n"]),
    )
        .prop_map(|(prefix, s1, street, s2, kind, end)| {
            // A separator of nothing would glue the number to the street: keep one.
            let s1 = if s1.is_empty() { " " } else { s1 };
            let s2 = if s2.is_empty() { " " } else { s2 };
            format!("{prefix}14{s1}{street}{s2}{kind}{end}")
        })
}

/// Either part of the address, or both.
fn variant() -> impl Strategy<Value = String> {
    prop_oneof![
        postcode_variant(),
        line_variant(),
        (line_variant(), separator(), postcode_variant())
            .prop_map(|(l, s, p)| format!("{l}{s}{p}")),
    ]
}

// ----- the checker: its own normalisation, independent of the redactor's -----

/// Output decoded from its format's escapes (JSON, XML/HTML entities, GitHub's percent
/// escapes, the terminal escapes of human output), so an escaped line break cannot hide a leak.
fn unescape(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let code = |from: usize, len: usize, radix: u32| -> Option<char> {
        let digits: String = chars.get(from..from + len)?.iter().collect();
        u32::from_str_radix(&digits, radix)
            .ok()
            .and_then(char::from_u32)
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '\\' && next.is_some() {
            if next == Some('u') && chars.get(i + 2) == Some(&'{') {
                let end = chars[i + 3..].iter().take(9).position(|c| *c == '}');
                if let Some(d) = end.and_then(|end| code(i + 3, end, 16)) {
                    out.push(d);
                    i += 4 + end.unwrap_or_default();
                    continue;
                }
            }
            if next == Some('u') {
                if let Some(d) = code(i + 2, 4, 16) {
                    out.push(d);
                    i += 6;
                    continue;
                }
            }
            out.push(match next {
                Some('n') => '\n',
                Some('t') => '\t',
                Some('r') => '\r',
                Some(c) => c,
                None => c,
            });
            i += 2;
            continue;
        }
        if c == '&' {
            if let Some(end) = chars[i + 1..].iter().take(10).position(|c| *c == ';') {
                let entity: String = chars[i + 1..i + 1 + end].iter().collect();
                let d = match entity.as_str() {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    e if e.starts_with("#x") => code(i + 3, end - 2, 16),
                    e if e.starts_with('#') => code(i + 2, end - 1, 10),
                    _ => None,
                };
                if let Some(d) = d {
                    out.push(d);
                    i += end + 2;
                    continue;
                }
            }
        }
        if c == '%' {
            if let Some(d) = code(i + 1, 2, 16) {
                out.push(d);
                i += 3;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// NFKC, case folded, format characters gone, every other non-letter-or-digit a separator,
/// abbreviations read as words; then squashed together.
fn normalise(text: &str) -> String {
    let folded: String = text
        .nfkc()
        .map(|c| {
            LOOK_ALIKES
                .iter()
                .find(|(_, other)| *other == c)
                .map_or(c, |(latin, _)| *latin)
        })
        .flat_map(char::to_lowercase)
        .filter(|c| {
            !matches!(
                c,
                '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
            ) && !matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}')
        })
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    folded
        .split_whitespace()
        .map(|w| match w {
            "rd" => "road",
            w => w,
        })
        .collect()
}

/// The needle found in the output, with the squashed text around it (to see where it came from).
fn leaked(output: &[u8]) -> Option<String> {
    let text = normalise(&unescape(&String::from_utf8_lossy(output)));
    NEEDLES.iter().find_map(|n| {
        let at = text.find(n)?;
        let chars: Vec<char> = text.chars().collect();
        let at = text[..at].chars().count();
        let context: String = chars[at.saturating_sub(120)..(at + 40).min(chars.len())]
            .iter()
            .collect();
        Some(format!("{n} in ...{context}..."))
    })
}

// ----- the gate: a report carrying variants everywhere, through every writer -----

fn pupil_document() -> Document {
    let text = format!(
        "format: ehcpack/1\nkind: pupil\naddress:\n  lines:\n    - {LINE}\n  town: Cragwell\n  postcode: {POSTCODE}\n  protected: true\n"
    );
    let root = ehcpack::yaml::parse(&text).unwrap();
    let mut document = Document::new(
        "pupil.yaml".into(),
        ehcpack::encoding::decode(text.as_bytes()),
    );
    document.kind = Some(Kind::Pupil);
    document.root = root;
    document
}

fn writers() -> Vec<(&'static str, Box<dyn Reporter>)> {
    let today = TODAY.parse().unwrap();
    vec![
        (
            "human",
            Box::new(report::Human {
                colour: false,
                quiet: false,
            }),
        ),
        (
            "human colour",
            Box::new(report::Human {
                colour: true,
                quiet: false,
            }),
        ),
        ("json", Box::new(report::Json::new("Durham", today))),
        ("junit", Box::<report::Junit>::default()),
        ("sarif", Box::<report::Sarif>::default()),
        ("github", Box::new(report::Github)),
        ("csv", Box::new(report::Csv::new(today))),
        ("html", Box::new(report::Html::new("Durham", today))),
    ]
}

/// Every format's output for these reports, and `status` for each.
fn outputs(reports: &[(ehcpack::case::Case, RedactedReport)]) -> Vec<(String, Vec<u8>)> {
    let mut outs = Vec::new();
    for (name, mut writer) in writers() {
        let mut out = Vec::new();
        let mut summary = Summary::default();
        for (_, r) in reports {
            summary.add(r);
            writer.case(r, &mut out).unwrap();
        }
        writer.finish(&summary, &mut out).unwrap();
        outs.push((name.to_string(), out));
    }
    for (case, r) in reports {
        let mut out = Vec::new();
        ehcpack::status::print(case, r, TODAY.parse().unwrap(), &mut out).unwrap();
        outs.push(("status".to_string(), out));
    }
    outs
}

/// 400 batches of 8 reports: 3,200 reports, each with variants in its message, help, quoted
/// value, snippet, file and folder names and pupil reference.
#[test]
fn the_report_gate_withholds_every_variant_in_every_field_of_every_format() {
    let _heavy = crate::common::heavy();
    let redactor = Redactor::for_documents(&[pupil_document()]);
    let mut runner = TestRunner::new(config(400));
    let one = (
        prop::collection::vec(variant(), 7),
        prop::sample::select(vec![
            RuleId::ProtectedAddressLeak,
            RuleId::Schema,
            RuleId::YamlSyntax,
        ]),
    );
    runner
        .run(&prop::collection::vec(one, 8), |batch| {
            let mut reports = Vec::new();
            for (v, rule) in &batch {
                let quoted = ehcpack::privacy::quote(&format!("see {}", v[6]));
                let mut d = Diagnostic::new(
                    *rule,
                    format!("value `{quoted}` mentions {}", v[0]),
                    format!("remove {}", v[1]),
                )
                .in_file(format!("{}/{}.yaml", v[2], v[3]))
                .at(3, 5);
                d.snippet = Some(format!("  note: {}", v[4]));
                let report = ehcpack::CaseReport {
                    path: PathBuf::from(format!("cases/{}", v[5])),
                    verdict: ehcpack::diagnostic::Verdict::Fail,
                    errors: 1,
                    warnings: 0,
                    dates: ehcpack::KeyDates {
                        pupil_reference: Some(v[0].clone()),
                        ..Default::default()
                    },
                    particulars: ehcpack::diagnostic::case_report::Particulars {
                        legal_name: Some(v[1].clone()),
                        school: Some(v[2].clone()),
                        ..Default::default()
                    },
                    by_hand: None,
                    diagnostics: vec![d],
                    received_as: None,
                };
                reports.push((ehcpack::case::Case::default(), redactor.report(report)));
            }
            for (format, out) in outputs(&reports) {
                prop_assert_eq!(
                    leaked(&out),
                    None,
                    "{} printed a variant: {:?}\n{}",
                    format,
                    batch,
                    String::from_utf8_lossy(&out)
                );
            }
            Ok(())
        })
        .unwrap();
}

// ----- the pipeline: a case folder carrying variants, validated and printed -----

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-cases/fail-protected-address-leak")
}

/// The sample's files, with the pupil's address set to [`LINE`] and [`POSTCODE`].
fn base_files() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for entry in fs::read_dir(sample()).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".yaml") {
            continue;
        }
        let mut text = fs::read_to_string(entry.path()).unwrap();
        if name == "pupil.yaml" {
            text = text
                .replace("    - 14 Larchfield Row", &format!("    - {LINE}"))
                .replace("postcode: DH7 9ZQ", &format!("postcode: {POSTCODE}"));
            assert!(text.contains(LINE));
        }
        files.push((name, text));
    }
    files.sort();
    files
}

/// A simple generator of which lines to change, from a seed.
struct Pick(u64);

impl Pick {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Puts variants into the values of a YAML document: into free text (plain, quoted and block
/// scalars) and list items, and now and then into a date or a number (so schema messages quote
/// them). The pupil's own address block is left as it is.
fn infect(text: &str, variants: &[String], pick: &mut Pick, scalar_rate: u64) -> String {
    let mut out = String::new();
    let mut block_indent: Option<usize> = None;
    let mut in_address = false;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim_start();
        let variant = &variants[(pick.next() % variants.len() as u64) as usize];
        if let Some(b) = block_indent {
            if indent > b && !trimmed.is_empty() {
                // Inside a block scalar: the variant's line breaks keep the indentation.
                let v = variant.replace('\n', &format!("\n{}", " ".repeat(indent)));
                out.push_str(&format!("{line} {v}\n"));
                continue;
            }
            block_indent = None;
        }
        if indent == 0 {
            in_address = trimmed.starts_with("address:");
        }
        let (head, value) = match trimmed.strip_prefix("- ") {
            Some(rest) => match rest.split_once(": ") {
                Some((k, v)) if !k.contains(' ') => (format!("- {k}: "), v),
                _ => ("- ".to_string(), rest),
            },
            None => match trimmed.split_once(": ") {
                Some((k, v)) if !k.contains(' ') => (format!("{k}: "), v),
                _ => (String::new(), ""),
            },
        };
        if value.starts_with('|') || value.starts_with('>') {
            block_indent = Some(indent);
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let key = head.trim_start_matches("- ").trim_end_matches(": ");
        let skip = in_address
            || head.is_empty()
            || value.is_empty()
            || value.starts_with(['[', '{', '&', '*', '!', '#'])
            || matches!(key, "format" | "kind");
        let textish = value.contains(' ') && value.chars().any(char::is_alphabetic);
        if skip || (!textish && pick.next() % 100 >= scalar_rate) {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let plain = if value.starts_with('"') {
            serde_json::from_str::<String>(value).unwrap_or_else(|_| value.to_string())
        } else {
            value.trim_matches('\'').to_string()
        };
        let new = serde_json::to_string(&format!("{plain} {variant}")).unwrap();
        out.push_str(&format!("{}{head}{new}\n", " ".repeat(indent)));
    }
    out
}

fn write_case(dir: &Path, folder: &str, files: &[(String, String)]) -> PathBuf {
    let case = dir.join(folder);
    fs::create_dir_all(case.join("reports")).unwrap();
    for (name, text) in files {
        fs::write(case.join(name), text).unwrap();
    }
    for pdf in ["my-story.pdf", "salt-report.pdf"] {
        fs::copy(
            sample().join("reports").join(pdf),
            case.join("reports").join(pdf),
        )
        .unwrap();
    }
    case
}

#[test]
fn a_case_carrying_variants_everywhere_never_prints_them() {
    let _heavy = crate::common::heavy();
    let base = base_files();
    let profile = Profile::durham();
    let ctx = Context::new(&profile, TODAY.parse().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let mut runner = TestRunner::new(config(100));
    let n = std::cell::Cell::new(0u32);
    runner
        .run(
            &(
                prop::collection::vec(variant(), 1..6),
                any::<u64>(),
                0u64..15,
                prop::option::of(postcode_variant()),
                prop::option::of(line_variant()),
            ),
            |(variants, seed, scalar_rate, in_folder, in_file)| {
                n.set(n.get() + 1);
                let n = n.get();
                let mut pick = Pick(seed | 1);
                let mut files: Vec<(String, String)> = base
                    .iter()
                    .map(|(name, text)| {
                        let text = if name == "pupil.yaml" {
                            text.clone()
                        } else {
                            infect(text, &variants, &mut pick, scalar_rate)
                        };
                        (name.clone(), text)
                    })
                    .collect();
                // A file named with a variant (a second views document, so a finding points
                // at it), and a case folder named with one.
                if let Some(v) = &in_file {
                    let name = format!("{}.yaml", v.replace(['/', '\n', '\t'], " "));
                    let views = files
                        .iter()
                        .find(|(n, _)| n == "views.yaml")
                        .unwrap()
                        .1
                        .clone();
                    files.push((name, views));
                }
                let folder = match &in_folder {
                    Some(v) => format!("case {n} {}", v.replace(['/', '\n', '\t'], " ")),
                    None => format!("case {n}"),
                };
                let case_dir = write_case(dir.path(), &folder, &files);
                let (case, report) = ehcpack::validate(&case_dir, &ctx);
                // Any variant anywhere is an error before render.
                prop_assert!(report.errors > 0, "no error for {:?}", variants);
                let outs = outputs(&[(case, report)]);
                fs::remove_dir_all(&case_dir).unwrap();
                for (format, out) in outs {
                    prop_assert_eq!(
                        leaked(&out),
                        None,
                        "{} printed a variant of {:?}:\n{}",
                        format,
                        variants,
                        String::from_utf8_lossy(&out)
                    );
                }
                Ok(())
            },
        )
        .unwrap();
}

/// The rule sees every variant in free text: the case fails with `protected-address-leak`.
#[test]
fn every_variant_in_free_text_is_a_protected_address_leak() {
    let _heavy = crate::common::heavy();
    let base = base_files();
    let profile = Profile::durham();
    let ctx = Context::new(&profile, TODAY.parse().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let mut runner = TestRunner::new(config(150));
    let n = std::cell::Cell::new(0u32);
    runner
        .run(&variant(), |v| {
            n.set(n.get() + 1);
            let n = n.get();
            let files: Vec<(String, String)> = base
                .iter()
                .map(|(name, text)| {
                    let text = if name == "views.yaml" {
                        // The sample's own leak, replaced by the variant.
                        text.replace("14 Larchfield Row,\n    DH7 9ZQ", "their home,\n    ")
                            .replace(
                                "every evening.",
                                &format!("every evening at {}.", v.replace('\n', "\n    ")),
                            )
                    } else {
                        text.clone()
                    };
                    (name.clone(), text)
                })
                .collect();
            let case_dir = write_case(dir.path(), &format!("rule {n}"), &files);
            let (_, report) = ehcpack::validate(&case_dir, &ctx);
            fs::remove_dir_all(&case_dir).unwrap();
            let rules: Vec<&str> = report.diagnostics.iter().map(|d| d.rule.as_str()).collect();
            // A variant YAML cannot hold in a block of text (a byte order mark) stops the case
            // at reading; the other property checks that its output withholds it.
            prop_assert!(
                rules.contains(&"protected-address-leak") || rules.contains(&"yaml-syntax"),
                "{:?}: {:?}",
                v,
                report
                    .diagnostics
                    .iter()
                    .map(|d| (d.rule, d.message.clone()))
                    .collect::<Vec<_>>()
            );
            Ok(())
        })
        .unwrap();
}

// ----- a few runs of the program itself -----

fn ehcpack(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ehcpack"))
        .args(args)
        .output()
        .unwrap()
}

/// The variants of the issue, in a file name, a folder name, free text and a schema message,
/// through every format of the binary, `status` and (in a batch) the folder of case folders.
#[test]
fn the_binary_never_prints_the_issue_variants() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = base_files();
    for (name, text) in &mut files {
        if name == "views.yaml" {
            *text = text.replace(
                "every evening.",
                "every evening at Flat 3, 14 Larchfield Rd. DH7-9ZQ, dh7\u{200B}9zq.",
            );
        }
        if name == "request.yaml" {
            *text = text.replacen(
                "submission_date:",
                "submission_date: \"14 Larchfield Road, DH7 9ZQ\"\nx_submission_date:",
                1,
            );
        }
    }
    files.push((
        "notes DH7 9ZQ.yaml".into(),
        "format: ehcpack/1\nkind: views\n".into(),
    ));
    let batch = dir.path().join("batch");
    let case = write_case(&batch, "14 Larchfield Road DH7-9ZQ", &files);
    let case_arg = case.to_str().unwrap();
    let mut outs = Vec::new();
    for format in ["human", "json", "junit", "sarif", "github", "csv", "html"] {
        for target in [case_arg, batch.to_str().unwrap()] {
            let out = ehcpack(&["validate", target, "--today", TODAY, "--format", format]);
            assert_eq!(out.status.code(), Some(1), "{format}");
            outs.push((format, [out.stdout, out.stderr].concat()));
        }
    }
    let status = ehcpack(&["status", case_arg, "--today", TODAY]);
    outs.push(("status", [status.stdout, status.stderr].concat()));
    for (format, out) in &outs {
        assert_eq!(
            leaked(out),
            None,
            "{format}:\n{}",
            String::from_utf8_lossy(out)
        );
    }
    // And the findings are still there to act on (the schema error stops the rules).
    let human = String::from_utf8_lossy(&outs[0].1);
    assert!(human.contains("error[schema]"), "{human}");
    assert!(human.contains("[address withheld]"), "{human}");
}

/// `ehcpack new --looked-after` writes a pupil.yaml that reads, with the address protected;
/// once it is filled in, no output prints it.
#[test]
fn a_new_looked_after_case_reads_and_never_prints_the_address() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("josh");
    let out = ehcpack(&["new", case.to_str().unwrap(), "--looked-after"]);
    assert_eq!(out.status.code(), Some(0));
    let pupil = fs::read_to_string(case.join("pupil.yaml")).unwrap();
    assert_eq!(pupil.matches("protected:").count(), 1, "{pupil}");
    let root = ehcpack::yaml::parse(&pupil)
        .expect("pupil.yaml reads")
        .unwrap();
    assert_eq!(
        root.get("address").unwrap().get("protected").unwrap().value,
        ehcpack::yaml::Value::Bool(true)
    );
    let filled = pupil
        .replace("  lines:\n", &format!("  lines:\n    - {LINE}\n"))
        .replace("  postcode:\n", &format!("  postcode: {POSTCODE}\n"));
    assert_ne!(filled, pupil);
    fs::write(case.join("pupil.yaml"), &filled).unwrap();
    let out = ehcpack(&["validate", case.to_str().unwrap(), "--today", TODAY]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("yaml-syntax"), "{text}");
    for format in ["human", "json", "sarif", "html"] {
        let out = ehcpack(&[
            "validate",
            case.to_str().unwrap(),
            "--today",
            TODAY,
            "--format",
            format,
        ]);
        let all = [out.stdout, out.stderr].concat();
        assert_eq!(
            leaked(&all),
            None,
            "{format}: {}",
            String::from_utf8_lossy(&all)
        );
    }
    let status = ehcpack(&["status", case.to_str().unwrap(), "--today", TODAY]);
    assert_eq!(leaked(&status.stdout), None);
}

// ----- every encoding of the pupil file, through every output, draft and final -----

/// The pupil file's text in every way a case file's bytes can be read: UTF-8 with and without
/// a byte-order mark, UTF-16 and UTF-32 in both byte orders with and without one, and Latin-1.
fn encodings(text: &str) -> Vec<(&'static str, Vec<u8>)> {
    let utf16 = |le: bool, bom: bool| -> Vec<u8> {
        let lead = if bom { "\u{feff}" } else { "" };
        lead.encode_utf16()
            .chain(text.encode_utf16())
            .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() })
            .collect()
    };
    let utf32 = |le: bool, bom: bool| -> Vec<u8> {
        let lead = if bom { "\u{feff}" } else { "" };
        lead.chars()
            .chain(text.chars())
            .flat_map(|c| {
                let u = c as u32;
                if le {
                    u.to_le_bytes()
                } else {
                    u.to_be_bytes()
                }
            })
            .collect()
    };
    let latin1: Vec<u8> = text
        .chars()
        .map(|c| u8::try_from(c as u32).expect("a Latin-1 character"))
        .collect();
    vec![
        ("UTF-8", text.as_bytes().to_vec()),
        (
            "UTF-8 with BOM",
            [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
        ),
        ("UTF-16LE with BOM", utf16(true, true)),
        ("UTF-16LE", utf16(true, false)),
        ("UTF-16BE with BOM", utf16(false, true)),
        ("UTF-16BE", utf16(false, false)),
        ("UTF-32LE with BOM", utf32(true, true)),
        ("UTF-32LE", utf32(true, false)),
        ("UTF-32BE with BOM", utf32(false, true)),
        ("UTF-32BE", utf32(false, false)),
        ("Latin-1", latin1),
    ]
}

/// Every string and (inflated) stream of a PDF, read as UTF-8, as UTF-16 in both byte orders
/// and with NUL bytes dropped: a variant of the address in any of them.
fn pdf_leaked(pdf: &Path) -> Option<String> {
    let doc = lopdf::Document::load(pdf).expect("the pack reads");
    let mut pieces: Vec<Vec<u8>> = Vec::new();
    for object in doc.objects.values() {
        let mut strings = Vec::new();
        collect_strings(object, &mut strings);
        pieces.extend(strings);
        if let lopdf::Object::Stream(stream) = object {
            pieces.push(
                stream
                    .decompressed_content()
                    .unwrap_or_else(|_| stream.content.clone()),
            );
        }
    }
    for bytes in pieces {
        let utf16 = |le: bool| -> Vec<u8> {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|c| {
                    if le {
                        u16::from_le_bytes([c[0], c[1]])
                    } else {
                        u16::from_be_bytes([c[0], c[1]])
                    }
                })
                .collect();
            String::from_utf16_lossy(&units).into_bytes()
        };
        let no_nul: Vec<u8> = bytes.iter().copied().filter(|b| *b != 0).collect();
        for reading in [bytes.clone(), no_nul, utf16(true), utf16(false)] {
            if let Some(found) = leaked(&reading) {
                return Some(found);
            }
        }
    }
    None
}

fn collect_strings(object: &lopdf::Object, out: &mut Vec<Vec<u8>>) {
    match object {
        lopdf::Object::String(bytes, _) | lopdf::Object::Name(bytes) => out.push(bytes.clone()),
        lopdf::Object::Array(items) => items.iter().for_each(|o| collect_strings(o, out)),
        lopdf::Object::Dictionary(d) => d.iter().for_each(|(_, o)| collect_strings(o, out)),
        lopdf::Object::Stream(s) => s.dict.iter().for_each(|(_, o)| collect_strings(o, out)),
        _ => {}
    }
}

/// A pupil file saved in any encoding is read the same by every path: every report format,
/// `status`, and the pack, draft and final, embed and print it with the address withheld.
#[test]
fn every_encoding_of_the_pupil_file_is_withheld_from_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<(String, String)> = base_files()
        .into_iter()
        .map(|(name, text)| {
            let text = match name.as_str() {
                // The sample's own leak taken out, so that a final pack can be made.
                "views.yaml" => {
                    text.replace("14 Larchfield Row,\n    DH7 9ZQ", "their home,\n    ")
                }
                // A name with a Latin-1 letter, so the Latin-1 file is not also UTF-8.
                "pupil.yaml" => text.replace("first: Joshua", "first: Joshuë"),
                _ => text,
            };
            (name, text)
        })
        .collect();
    let pupil = files
        .iter()
        .find(|(n, _)| n == "pupil.yaml")
        .unwrap()
        .1
        .clone();
    for (n, (encoding, bytes)) in encodings(&pupil).into_iter().enumerate() {
        let case = write_case(dir.path(), &format!("case {n}"), &files);
        fs::write(case.join("pupil.yaml"), &bytes).unwrap();
        let case_arg = case.to_str().unwrap();
        let mut outs = Vec::new();
        for format in ["human", "json", "junit", "sarif", "github", "csv", "html"] {
            let out = ehcpack(&["validate", case_arg, "--today", TODAY, "--format", format]);
            outs.push((format.to_string(), [out.stdout, out.stderr].concat()));
        }
        let status = ehcpack(&["status", case_arg, "--today", TODAY]);
        outs.push(("status".into(), [status.stdout, status.stderr].concat()));
        for (what, out) in &outs {
            assert_eq!(leaked(out), None, "{encoding}, {what}");
        }
        // Only Latin-1 is a guess: the other encodings read as the case they are.
        let human = String::from_utf8_lossy(&outs[0].1).into_owned();
        if encoding == "Latin-1" {
            assert!(human.contains("error[yaml-syntax]"), "{human}");
        } else {
            assert!(!human.contains("yaml-syntax"), "{encoding}: {human}");
        }
        for draft in [true, false] {
            let pdf = dir
                .path()
                .join(format!("pack-{n}-{}.pdf", if draft { "d" } else { "f" }));
            let mut args = vec!["render", case_arg, "--today", TODAY, "-o"];
            args.push(pdf.to_str().unwrap());
            if draft {
                args.push("--draft");
            }
            let out = ehcpack(&args);
            assert_eq!(
                leaked(&[out.stdout.clone(), out.stderr.clone()].concat()),
                None,
                "{encoding}"
            );
            if pdf.exists() {
                assert_eq!(pdf_leaked(&pdf), None, "{encoding}, draft: {draft}");
            } else {
                // Only a case with errors is refused a final pack.
                assert!(!draft && encoding == "Latin-1", "{encoding}: {out:?}");
            }
        }
        fs::remove_dir_all(&case).unwrap();
    }
}
