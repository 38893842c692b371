//! Issue 18's classes, each through the program as a user runs it: templates that try to read
//! the world outside them, output formats fed every kind of code point, commands whose output
//! pipe closes early, `render --draft` of a case with errors, a file that is not a profile,
//! passwords in either Unicode normal form, and evidence reports that carry the address.
// Tests read their fixtures and outputs directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

mod common;

use std::fs;
use std::path::PathBuf;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestRunner};

use common::{ehcpack_command, sample, stderr, stdout, TODAY};
use ehcpack::diagnostic::Diagnostic;
use ehcpack::privacy::Redactor;
use ehcpack::report::{self, Reporter, Summary};
use ehcpack::rules::RuleId;

// ----- templates cannot read the environment, the clock or files -----

/// Every spelling of a call to a function that reads the world outside the template: at the
/// top, in a `set`, a macro, a loop, a condition, a filter section, a filter's argument.
const AMBIENT_CALLS: [&str; 10] = [
    "{{ get_env(name=\"EHCPACK_PASSWORD\") }}",
    "{{ get_env(name=\"HOME\", default=\"none\") | upper }}",
    "{% set p = get_env(name=\"EHCPACK_PASSWORD\") %}{{ p }}",
    "{% macro m() %}{{ get_env(name=\"EHCPACK_PASSWORD\") }}{% endmacro m %}{{ self::m() }}",
    "{% for c in [get_env(name=\"EHCPACK_PASSWORD\")] %}{{ c }}{% endfor %}",
    "{% if get_env(name=\"EHCPACK_PASSWORD\") %}yes{% endif %}",
    "{% filter upper %}{{ get_env(name=\"EHCPACK_PASSWORD\") }}{% endfilter %}",
    "{{ \"x\" | replace(from=\"x\", to=get_env(name=\"EHCPACK_PASSWORD\")) }}",
    "{{ now() }}",
    "{{ get_random(start=1, end=9) }}",
];

const PASSWORD: &str = "Brandon-Seaham-7731";

#[test]
fn a_template_that_reads_the_environment_is_refused_and_the_password_never_reaches_the_pack() {
    let tmp = tempfile::tempdir().unwrap();
    let templates = tmp.path().join("templates");
    fs::create_dir(&templates).unwrap();
    for (n, call) in AMBIENT_CALLS.iter().enumerate() {
        fs::write(
            templates.join("cover.tera"),
            format!("@title Request\n@centre {call}\n"),
        )
        .unwrap();
        let pdf = tmp.path().join(format!("pack-{n}.pdf"));
        let out = ehcpack_command()
            .current_dir(tmp.path())
            .env("EHCPACK_PASSWORD", PASSWORD)
            .args([
                "render",
                sample("year5-passing").to_str().unwrap(),
                "--today",
                TODAY,
                "--encrypt",
                "--templates",
                templates.to_str().unwrap(),
                "-o",
                pdf.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        let (text, err) = (stdout(&out), stderr(&out));
        assert_eq!(out.status.code(), Some(2), "{call}: {text}{err}");
        assert!(
            err.contains("templates may call only `range` and `throw`"),
            "{call}: {err}"
        );
        assert!(!pdf.exists(), "{call}: a pack was written");
        assert!(
            !text.contains(PASSWORD) && !err.contains(PASSWORD),
            "{call}"
        );
    }
}

// ----- every output format escapes for its reader -----

/// A code point of each class a reader may mishandle, and any code point at all.
fn code_point() -> impl Strategy<Value = char> {
    let ranges: Vec<(u32, u32)> = vec![
        (0x20, 0x7E),       // printable ASCII, with < > & " ' % : , = + - @
        (0x00, 0x1F),       // C0 controls: NUL, BEL, ESC, CR, LF, tab
        (0x7F, 0x9F),       // DEL and C1 controls (NEL, CSI)
        (0x200B, 0x200F),   // zero-width characters and directional marks
        (0x202A, 0x202E),   // bidirectional embeddings and overrides
        (0x2066, 0x2069),   // bidirectional isolates
        (0x2028, 0x2029),   // line and paragraph separators
        (0xFDD0, 0xFDEF),   // noncharacters
        (0xFFF9, 0xFFFF),   // interlinear annotations, U+FFFD, U+FFFE, U+FFFF
        (0xFEFF, 0xFEFF),   // byte-order mark
        (0xE000, 0xF8FF),   // private use
        (0x0300, 0x036F),   // combining marks
        (0x1F600, 0x1F64F), // emoji, outside the first plane
        (0xE0000, 0xE007F), // tag characters
        (0x10FFFE, 0x10FFFF),
    ];
    prop_oneof![
        prop::sample::select(ranges)
            .prop_flat_map(|(a, b)| (a..=b).prop_map(|c| char::from_u32(c).unwrap_or('\u{fffd}'))),
        any::<char>(),
    ]
}

fn hostile_text() -> impl Strategy<Value = String> {
    prop::collection::vec(code_point(), 0..24).prop_map(|c| c.into_iter().collect())
}

/// XML 1.0's `Char` production.
fn xml_char(c: char) -> bool {
    matches!(c as u32, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

/// What no reader of any format may receive raw: control characters other than the format's
/// own line breaks and tabs, format characters (bidirectional overrides, zero-width), line and
/// paragraph separators, noncharacters.
fn raw_hazard(c: char) -> bool {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    let n = c as u32;
    (c.is_control() && !matches!(c, '\n' | '\t'))
        || matches!(
            c.general_category(),
            GeneralCategory::Format
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
        )
        || (0xFDD0..=0xFDEF).contains(&n)
        || n & 0xFFFE == 0xFFFE
}

fn format_writers() -> Vec<(&'static str, Box<dyn Reporter>)> {
    let today = TODAY.parse().unwrap();
    vec![
        (
            "human",
            Box::new(report::Human {
                colour: false,
                quiet: false,
            }),
        ),
        ("junit", Box::<report::Junit>::default()),
        ("sarif", Box::<report::Sarif>::default()),
        ("github", Box::new(report::Github)),
        ("csv", Box::new(report::Csv::new(today))),
        ("html", Box::new(report::Html::new("Durham", today))),
    ]
}

/// Text of every code-point class in every field a report prints (message, help, snippet,
/// file, case folder, pupil reference), through every format a person or CI reads: nothing
/// hazardous reaches the reader raw, JUnit stays XML 1.0, SARIF stays JSON, and no value
/// starts a GitHub workflow command of its own.
#[test]
fn every_format_escapes_every_code_point_class_for_its_reader() {
    let mut runner = TestRunner::new(Config {
        cases: 600,
        rng_seed: RngSeed::Fixed(0x18_e5c),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&prop::collection::vec(hostile_text(), 6), |v| {
            let mut d = Diagnostic::new(RuleId::Schema, format!("value {}", v[0]), v[1].clone())
                .in_file(format!("{}.yaml", v[2]))
                .at(2, 3);
            d.snippet = Some(v[3].clone());
            let case = ehcpack::CaseReport {
                path: PathBuf::from(format!("cases/{}", v[4])),
                verdict: ehcpack::diagnostic::Verdict::Fail,
                errors: 1,
                warnings: 1,
                dates: ehcpack::KeyDates {
                    pupil_reference: Some(v[5].clone()),
                    ..Default::default()
                },
                diagnostics: vec![
                    d.clone(),
                    Diagnostic::new(RuleId::EvidenceFile, v[5].clone(), v[0].clone()),
                ],
                received_as: None,
            };
            let mut case = case;
            case.diagnostics[1].severity = ehcpack::diagnostic::Severity::Warning;
            let report = Redactor::none().report(case);
            for (format, mut writer) in format_writers() {
                let mut out = Vec::new();
                let mut summary = Summary::default();
                summary.add(&report);
                writer.case(&report, &mut out).unwrap();
                writer.finish(&summary, &mut out).unwrap();
                let text = String::from_utf8(out).expect("UTF-8 output");
                let body = if format == "csv" {
                    text.replace("\r\n", "\n")
                } else {
                    text.clone()
                };
                if let Some(c) = body.chars().find(|c| raw_hazard(*c)) {
                    prop_assert!(false, "{format} printed U+{:04X} raw: {text:?}", c as u32);
                }
                match format {
                    "junit" => prop_assert!(text.chars().all(xml_char), "{text:?}"),
                    "sarif" => {
                        prop_assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok())
                    }
                    "github" => {
                        for line in text.lines() {
                            prop_assert!(
                                line.starts_with("::error ")
                                    || line.starts_with("::warning ")
                                    || line.starts_with("ehcpack: "),
                                "{line:?}"
                            );
                        }
                    }
                    _ => {}
                }
            }
            Ok(())
        })
        .unwrap();
}
