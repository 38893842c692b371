//! Issue 18's classes, each through the program as a user runs it: templates that try to read
//! the world outside them, output formats fed every kind of code point, commands whose output
//! pipe closes early, `render --draft` of a case with errors, a file that is not a profile,
//! passwords in either Unicode normal form, and evidence reports that carry the address.
// Tests read their fixtures and outputs directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use crate::common;

use std::fs;
use std::path::PathBuf;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestRunner};

use crate::common::{ehcpack_command, sample, stderr, stdout, TODAY};
use ehcpack::diagnostic::Diagnostic;
use ehcpack::privacy::Redactor;
use ehcpack::report::{self, Reporter, Summary};
use ehcpack::rules::RuleId;

// ----- templates cannot read the environment, the clock or files -----

/// Every spelling of a call to a function that reads the world outside the template: at the
/// top, in a `set`, a macro, a loop, a condition, a filter section, a filter's argument.
const AMBIENT_CALLS: [&str; 10] = [
    "{{ get_env(\"EHCPACK_PASSWORD\") }}",
    "{{ get_env(name=\"HOME\", default=\"none\") | upper }}",
    "{% set p = get_env(\"EHCPACK_PASSWORD\") %}{{ p }}",
    "{% macro m() %}{{ get_env(\"EHCPACK_PASSWORD\") }}{% endmacro %}{{ m() }}",
    "{% for c in [get_env(\"EHCPACK_PASSWORD\")] %}{{ c }}{% endfor %}",
    "{% if get_env(\"EHCPACK_PASSWORD\") %}yes{% endif %}",
    "{% filter upper %}{{ get_env(\"EHCPACK_PASSWORD\") }}{% endfilter %}",
    "{{ \"x\" | replace(\"x\", get_env(\"EHCPACK_PASSWORD\")) }}",
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
            templates.join("cover.jinja"),
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
            (err.contains("unknown function") || err.contains("undefined is not callable"))
                && err.contains("(cover.jinja line 2)"),
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
                // The triage's particulars are printed by every format too.
                particulars: ehcpack::diagnostic::case_report::Particulars {
                    legal_name: Some(v[0].clone()),
                    date_of_birth: Some(v[2].clone()),
                    school: Some(v[1].clone()),
                    primary_need: Some(v[3].clone()),
                    requested_by: Some(v[4].clone()),
                    ..Default::default()
                },
                by_hand: None,
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

// ----- a file that is not a profile is never echoed -----

/// Files given as `--profile` by mistake, each carrying a marker in its keys and values: a
/// password file, a case document, JSON, prose, a profile with a misspelt field, a value of the
/// wrong kind, a bad academic year, a term that ends before it starts, broken YAML.
#[test]
fn a_file_that_is_not_a_profile_gives_one_line_quoting_none_of_it() {
    const MARK: &str = "Spennymoor7731";
    let durham = ehcpack::profile::DURHAM;
    let files = [
        format!("root:x:0:0:{MARK}:/root:/bin/bash\ndaemon:x:1:1:{MARK}:/usr/sbin\n"),
        fs::read_to_string(sample("fail-protected-address-leak").join("pupil.yaml"))
            .unwrap()
            .replace("Cragwell", MARK),
        format!("{{\"password\": \"{MARK}\", \"{MARK}\": 1}}\n"),
        format!("Dear {MARK},\nPlease find attached the request.\n"),
        durham.replacen("guidance_weeks:", &format!("{MARK}: 1\nguidance_weeks:"), 1),
        durham.replacen("guidance_weeks:", "x_weeks: 2\nguidance_weeks:", 1)
            .replacen("x_weeks", MARK, 1),
        durham.replacen("decision_weeks: 6", &format!("decision_weeks: \"{MARK}\""), 1),
        durham.replacen("2025/26:", &format!("{MARK}:"), 1),
        durham.replacen(
            "  2025/26:\n",
            &format!("  2025/26:\n    terms:\n      - starts: 2025-09-03\n        {MARK}: 1\n"),
            1,
        ),
        durham.replacen(
            "  2025/26:\n",
            &format!("  2025/26:\n    terms:\n      - starts: 2025-09-03\n        ends: 2025-01-01 # {MARK}\n"),
            1,
        ),
        format!("name: [{MARK}\nkey: \"{MARK}\n"),
        format!("- {MARK}\n- {MARK}\n"),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (n, text) in files.iter().enumerate() {
        assert!(text.contains(MARK), "{n}");
        let path = dir.path().join(format!("profile-{n}.yaml"));
        fs::write(&path, text).unwrap();
        for args in [
            vec!["validate", "sample-cases/year5-passing", "--profile"],
            vec!["profile", "show", "--profile"],
        ] {
            let mut args = args.clone();
            args.push(path.to_str().unwrap());
            let out = common::ehcpack(&args);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{n}: {err}");
            assert_eq!(err.lines().count(), 1, "{n}: {err}");
            assert!(!err.contains(MARK), "{n} quoted the file: {err}");
            assert!(stdout(&out).is_empty(), "{n}");
        }
    }
}

// ----- every command ends quietly with its true status on a closed pipe -----

/// Runs `ehcpack ARGS` with its standard output a pipe whose reader has already gone.
fn into_closed_pipe(args: &[&str], cwd: &std::path::Path) -> std::process::Output {
    let mut child = ehcpack_command()
        .current_dir(cwd)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The reader closes before the command writes a byte.
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn every_command_ends_quietly_with_its_true_status_on_a_closed_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::root();
    let passing = root.join("sample-cases/year5-passing");
    let failing = root.join("sample-cases/fail-no-consent");
    let (p, f) = (passing.to_str().unwrap(), failing.to_str().unwrap());
    let pack = dir.path().join("pack.pdf");
    let draft = dir.path().join("draft.pdf");
    let new = dir.path().join("new-case");
    let corpus = dir.path().join("corpus");
    let cases: Vec<(Vec<&str>, i32)> = vec![
        (vec!["validate", p, "--today", TODAY], 0),
        (vec!["validate", f, "--today", TODAY], 1),
        (
            vec!["validate", f, "--today", TODAY, "--format", "junit"],
            1,
        ),
        (
            vec!["validate", p, f, "--today", TODAY, "--format", "csv"],
            1,
        ),
        (vec!["status", p, "--today", TODAY], 0),
        (vec!["status", f, "--today", TODAY], 1),
        (vec!["explain", "protected-address-leak"], 0),
        (vec!["explain", "--list"], 0),
        (vec!["schema", "pupil"], 0),
        (vec!["completions", "bash"], 0),
        (vec!["man"], 0),
        (vec!["profile", "show"], 0),
        (
            vec!["render", p, "--today", TODAY, "-o", pack.to_str().unwrap()],
            0,
        ),
        (
            vec!["render", f, "--today", TODAY, "-o", pack.to_str().unwrap()],
            1,
        ),
        (
            vec![
                "render",
                f,
                "--today",
                TODAY,
                "--draft",
                "-o",
                draft.to_str().unwrap(),
            ],
            1,
        ),
        (vec!["new", new.to_str().unwrap()], 0),
        (
            vec!["generate", corpus.to_str().unwrap(), "--count", "2"],
            0,
        ),
        (vec!["--help"], 0),
        (vec!["--version"], 0),
    ];
    for (args, code) in cases {
        let out = into_closed_pipe(&args, &root);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
        assert!(
            !err.to_lowercase().contains("broken pipe") && !err.contains("panicked"),
            "{args:?}: {err}"
        );
    }
    // The work was done all the same.
    assert!(pack.is_file() && draft.is_file() && new.join("pupil.yaml").is_file());
}

// ----- render --draft exits as the README says -----

#[test]
fn a_draft_of_a_case_with_errors_is_written_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("draft.pdf");
    let out = common::ehcpack(&[
        "render",
        "sample-cases/fail-no-consent",
        "--today",
        TODAY,
        "--draft",
        "-o",
        pdf.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).contains("DRAFT: "), "{}", stdout(&out));
    assert!(pdf.is_file());
    // A draft of a case without errors exits 0, as a final pack does.
    let out = common::ehcpack(&[
        "render",
        "sample-cases/year5-passing",
        "--today",
        TODAY,
        "--draft",
        "-o",
        pdf.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

// ----- evidence reports are read for the protected address -----

/// A one-page PDF saying "Speech and language report", with `text` put in `place`: the page
/// itself, the title, the author (as UTF-16), XMP metadata, the outline, an annotation, an
/// attached file's name, a form drawn on the page; "scan" is a page with no text at all.
fn report_pdf(place: &str, text: &str) -> Vec<u8> {
    use lopdf::content::{Content, Operation};
    use lopdf::{dictionary, Document, Object, Stream, StringFormat};
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let literal = |t: &str| Object::String(t.as_bytes().to_vec(), StringFormat::Literal);
    let draw = |t: &str| {
        vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 12.into()]),
            Operation::new("Td", vec![72.into(), 700.into()]),
            Operation::new("Tj", vec![literal(t)]),
            Operation::new("ET", vec![]),
        ]
    };
    let form_id = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Form",
            "BBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
        },
        Content {
            operations: draw(text),
        }
        .encode()
        .unwrap(),
    ));
    let mut operations = match place {
        "scan" => vec![],
        "page" => draw(text),
        _ => draw("Speech and language report"),
    };
    if place == "form" {
        operations.push(Operation::new("Do", vec!["Fm1".into()]));
    }
    let content_id = doc.add_object(Stream::new(
        dictionary! {},
        Content { operations }.encode().unwrap(),
    ));
    let mut page = dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "Contents" => content_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Resources" => dictionary! {
            "Font" => dictionary! { "F1" => font_id },
            "XObject" => dictionary! { "Fm1" => form_id },
        },
    };
    if place == "annotation" {
        page.set(
            "Annots",
            vec![Object::Dictionary(dictionary! {
                "Type" => "Annot", "Subtype" => "Text",
                "Rect" => vec![0.into(), 0.into(), 10.into(), 10.into()],
                "Contents" => literal(text),
            })],
        );
    }
    let page_id = doc.add_object(page);
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1,
        }),
    );
    let mut catalog = dictionary! { "Type" => "Catalog", "Pages" => pages_id };
    let mut info = dictionary! { "Producer" => literal("Consett Therapy Service") };
    match place {
        "title" => info.set("Title", literal(text)),
        "author-utf16" => {
            let mut bytes = vec![0xFE, 0xFF];
            bytes.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
            info.set("Author", Object::String(bytes, StringFormat::Hexadecimal));
        }
        "xmp" => {
            let xmp = format!(
                "<?xpacket begin=\"\"?><x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF \
                 xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description \
                 xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:description>{}\
                 </dc:description></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>",
                text.replace(' ', "&#32;")
            );
            let id = doc.add_object(Stream::new(
                dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
                xmp.into_bytes(),
            ));
            catalog.set("Metadata", id);
        }
        "outline" => {
            let outlines_id = doc.new_object_id();
            let item_id = doc.add_object(dictionary! {
                "Title" => literal(text), "Parent" => outlines_id,
                "Dest" => vec![page_id.into(), "Fit".into()],
            });
            doc.objects.insert(
                outlines_id,
                Object::Dictionary(dictionary! {
                    "Type" => "Outlines", "First" => item_id, "Last" => item_id, "Count" => 1,
                }),
            );
            catalog.set("Outlines", outlines_id);
        }
        "file-name" => {
            let file_id = doc.add_object(Stream::new(
                dictionary! { "Type" => "EmbeddedFile" },
                b"notes".to_vec(),
            ));
            let spec = dictionary! {
                "Type" => "Filespec",
                "F" => literal(&format!("{text}.txt")),
                "UF" => literal(&format!("{text}.txt")),
                "EF" => dictionary! { "F" => file_id },
            };
            catalog.set(
                "Names",
                dictionary! {
                    "EmbeddedFiles" => dictionary! {
                        "Names" => vec![literal("notes.txt"), Object::Dictionary(spec)],
                    },
                },
            );
        }
        _ => {}
    }
    let info_id = doc.add_object(info);
    let catalog_id = doc.add_object(catalog);
    doc.trailer.set("Root", catalog_id);
    doc.trailer.set("Info", info_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// A looked-after child's case whose therapy report (`reports/salt-report.pdf`) is `pdf`; the
/// sample's own leak in views.yaml taken out. Returns what `validate` printed, and its status.
fn validate_with_report(dir: &std::path::Path, n: usize, pdf: &[u8]) -> (String, Option<i32>) {
    let case = dir.join(format!("case-{n}"));
    common::copy_dir(&sample("fail-protected-address-leak"), &case);
    let views = case.join("views.yaml");
    let text = fs::read_to_string(&views)
        .unwrap()
        .replace("14 Larchfield Row,\n    DH7 9ZQ", "their home,\n    ");
    fs::write(&views, text).unwrap();
    fs::write(case.join("reports/salt-report.pdf"), pdf).unwrap();
    let out = common::ehcpack(&["validate", case.to_str().unwrap(), "--today", TODAY]);
    (stdout(&out), out.status.code())
}

#[test]
fn an_evidence_report_holding_the_address_is_a_leak_at_its_entry() {
    let dir = tempfile::tempdir().unwrap();
    let places = [
        "page",
        "title",
        "author-utf16",
        "xmp",
        "outline",
        "annotation",
        "file-name",
        "form",
    ];
    let spellings = ["Josh lives at 14 Larchfield Row", "post code dh7-9zq"];
    let mut n = 0;
    for place in places {
        for text in spellings {
            n += 1;
            let (out, code) = validate_with_report(dir.path(), n, &report_pdf(place, text));
            assert_eq!(code, Some(1), "{place} {text}: {out}");
            let finding = out
                .lines()
                .find(|l| l.starts_with("error[protected-address-leak]"))
                .unwrap_or_else(|| panic!("{place} {text}: no leak found:\n{out}"));
            assert!(
                finding.contains("of the evidence file `reports/salt-report.pdf`"),
                "{place}: {finding}"
            );
            assert!(
                out.contains("evidence.yaml:6:"),
                "{place}: placed at its entry: {out}"
            );
            assert!(
                out.contains("ask the author for a copy without the address"),
                "{out}"
            );
            assert!(!out.contains("Larchfield") && !out.to_lowercase().contains("9zq"));
        }
    }
    // A draft of such a case leaves the report out of the pack (the report with the address in
    // its title here), and keeps the one without.
    let case = dir.path().join("case-3");
    let pdf = dir.path().join("draft.pdf");
    let out = common::ehcpack(&[
        "render",
        case.to_str().unwrap(),
        "--today",
        TODAY,
        "--draft",
        "-o",
        pdf.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let opened = ehcpack::received::pack::open(&pdf, None, &Default::default()).unwrap();
    let names: Vec<&str> = opened.files.keys().map(|n| n.as_str()).collect();
    assert!(
        names.iter().any(|n| n.ends_with("reports/my-story.pdf")),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|n| n.contains("salt-report")),
        "{names:?}"
    );

    // A report without the address: no finding. A scanned page: said so, as a warning.
    let (out, code) =
        validate_with_report(dir.path(), 100, &report_pdf("page", "Josh enjoys Lego"));
    assert_eq!(code, Some(0), "{out}");
    assert!(!out.contains("protected-address-leak"), "{out}");
    let (out, code) = validate_with_report(dir.path(), 101, &report_pdf("scan", ""));
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("warning[protected-address-leak]: ehcpack cannot tell whether the evidence file `reports/salt-report.pdf` shows"),
        "{out}"
    );
}

// ----- the LA's inbox: caps on a received pack's objects, an archive's size and entries -----

fn received(item: ehcpack::batch::Item, limits: ehcpack::received::Limits) -> Vec<String> {
    let profile = ehcpack::profile::Profile::durham();
    let ctx = ehcpack::rules::Context::new(&profile, TODAY.parse().unwrap());
    let options = ehcpack::received::Options {
        password: None,
        limits,
    };
    ehcpack::batch::check(&item, &ctx, &options)
        .iter()
        .flat_map(|c| c.report.diagnostics.iter())
        .filter(|d| d.is_error())
        .map(|d| format!("{} {}", d.rule, d.message))
        .collect()
}

#[test]
fn received_packs_and_archives_over_a_cap_are_one_finding_each() {
    use ehcpack::batch::Item;
    use ehcpack::received::Limits;
    let dir = tempfile::tempdir().unwrap();
    let pack = common::render_pack(dir.path(), &sample("year5-passing"), &[]);
    let got = received(
        Item::Pack(pack),
        Limits {
            max_objects: 10,
            ..Limits::default()
        },
    );
    assert!(
        got.iter().any(|m| m.contains("objects")),
        "a pack of more objects than the cap: {got:?}"
    );
    // A zip of the case folder, checked with a small size cap, then a small entries cap.
    let zip_path = dir.path().join("case.zip");
    let mut zip = zip::ZipWriter::new(fs::File::create(&zip_path).unwrap());
    for entry in fs::read_dir(sample("year5-passing")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            zip.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut zip, &fs::read(&path).unwrap()).unwrap();
        }
    }
    zip.finish().unwrap();
    let got = received(
        Item::Zip(zip_path.clone()),
        Limits {
            max_archive_bytes: 1024,
            ..Limits::default()
        },
    );
    assert!(
        got.iter()
            .any(|m| m.contains("ehcpack reads archives of at most")),
        "{got:?}"
    );
    let got = received(
        Item::Zip(zip_path),
        Limits {
            max_entries: 3,
            ..Limits::default()
        },
    );
    assert!(
        got.iter()
            .any(|m| m.contains("entries; ehcpack reads archives of at most")),
        "{got:?}"
    );
}

// ----- passwords prepared with SASLprep: NFC and NFD open the same pack -----

/// "Consett-café-2026" typed either way (é as one character, or e and a combining accent):
/// the pack opens with both, in a reader that applies SASLprep (lopdf's load) and by the key
/// derivation itself, without SASLprep: NFC as the user password, NFD as the owner password,
/// which is how qpdf and poppler (which do not apply it) open it.
#[test]
fn a_password_typed_as_nfc_or_nfd_opens_the_same_pack() {
    use unicode_normalization::UnicodeNormalization;
    let typed = "Consett-café-2026";
    let nfc: String = typed.nfc().collect();
    let nfd: String = typed.nfd().collect();
    assert_ne!(nfc, nfd);
    let dir = tempfile::tempdir().unwrap();
    for (n, password) in [&nfd, &nfc].into_iter().enumerate() {
        let pdf = dir.path().join(format!("pack-{n}.pdf"));
        let out = ehcpack_command()
            .env("EHCPACK_PASSWORD", password)
            .args([
                "render",
                "sample-cases/year5-passing",
                "--today",
                TODAY,
                "--encrypt",
                "-o",
            ])
            .arg(&pdf)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        for other in [&nfc, &nfd] {
            assert!(
                lopdf::Document::load_with_password(&pdf, other).is_ok(),
                "typed {password:?}, opened with {other:?}"
            );
        }
        let doc = lopdf::Document::load(&pdf).unwrap();
        doc.authenticate_raw_user_password(nfc.as_bytes()).unwrap();
        doc.authenticate_raw_owner_password(nfd.as_bytes()).unwrap();
        assert!(doc.authenticate_raw_password(b"Consett-cafe-2026").is_err());
        assert!(doc.authenticate_raw_password(b"").is_err());
    }
}

/// A pupil file made to be read one way by ehcpack and another by a person (a stray NUL in
/// UTF-8; NUL padding until it reads as UTF-16), named like no pupil file, while the address is
/// also written in views.yaml: every reading of its bytes is withheld, from every output and
/// from a draft's embedded copy.
#[test]
fn a_pupil_file_with_two_readings_has_its_address_withheld_in_both() {
    let dir = tempfile::tempdir().unwrap();
    let pupil = fs::read(sample("fail-protected-address-leak").join("pupil.yaml")).unwrap();
    let mut stray_nul = pupil.clone();
    stray_nul.insert(40, 0);
    let mut padded = b"#\0".repeat(400);
    padded.push(b'\n');
    padded.extend_from_slice(&pupil);
    for (n, bytes) in [stray_nul, padded].into_iter().enumerate() {
        let case = dir.path().join(format!("case-{n}"));
        common::copy_dir(&sample("fail-protected-address-leak"), &case);
        fs::remove_file(case.join("pupil.yaml")).unwrap();
        fs::write(case.join("child.yaml"), &bytes).unwrap();
        let out = common::ehcpack(&["validate", case.to_str().unwrap(), "--today", TODAY]);
        let printed = stdout(&out) + &stderr(&out);
        assert!(
            !printed.contains("Larchfield") && !printed.contains("9ZQ"),
            "{printed}"
        );
        let pdf = dir.path().join(format!("draft-{n}.pdf"));
        let out = common::ehcpack(&[
            "render",
            case.to_str().unwrap(),
            "--today",
            TODAY,
            "--draft",
            "-o",
            pdf.to_str().unwrap(),
        ]);
        assert!(pdf.is_file(), "{}", stderr(&out));
        let opened = ehcpack::received::pack::open(&pdf, None, &Default::default()).unwrap();
        for (name, data) in &opened.files {
            let text = String::from_utf8_lossy(data).replace('\0', "");
            assert!(
                !text.contains("Larchfield") && !text.contains("9ZQ"),
                "{n}: {name} holds the address"
            );
        }
    }
}
