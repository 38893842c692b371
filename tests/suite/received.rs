//! The LA's side: received pack PDFs and zip archives, checked as they arrived; the same pupil
//! twice in a batch; the statutory clock in every format.
// Tests read their fixtures and outputs directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output};

use crate::common::packs::{case_entries, pack_pdf, pdf_with_files, spec_of, zip_of, Listing};
use crate::common::{copy_dir, root, sample};
use ehcpack::batch::{self, Item};
use ehcpack::received::{self, Limits, Options};

const TODAY: &str = "2026-01-15";

fn ehcpack_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ehcpack"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("EHCPACK_PASSWORD");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("ehcpack runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["validate", "--format", "json", "--today", TODAY];
    all.extend_from_slice(args);
    let out = ehcpack_in(dir, &all, &[]);
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "{}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

/// Each case's findings as (rule, file, line, column, message), by the case's path.
fn findings(report: &serde_json::Value) -> BTreeMap<String, Vec<(String, String, String)>> {
    report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let list = c["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| {
                    (
                        d["rule"].as_str().unwrap().to_string(),
                        format!("{}:{}:{}", d["file"], d["line"], d["column"]),
                        d["message"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            let path = c["path"].as_str().unwrap();
            (path.trim_start_matches("./").to_string(), list)
        })
        .collect()
}

fn rules_of(report: &serde_json::Value, path: &str) -> Vec<String> {
    let case = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"] == path)
        .unwrap_or_else(|| panic!("no case {path} in {report:#}"));
    case["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap().to_string())
        .collect()
}

fn only_case(report: &serde_json::Value) -> &serde_json::Value {
    let cases = report["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 1, "{report:#}");
    &cases[0]
}

fn generated(count: usize, seed: u64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ehcpack"))
        .args(["generate", "--count", &count.to_string(), "--seed"])
        .arg(seed.to_string())
        .args(["--faults", "0"])
        .arg(dir.path().join("cases"))
        .output()
        .unwrap();
    assert!(out.status.success());
    dir
}

// ---- Round trip: a pack gives its folder's findings ----

/// A real pack: `ehcpack render` (as a draft, so that failing samples render too).
fn render(case: &Path, pdf: &Path, env: &[(&str, &str)], extra: &[&str]) {
    let mut args = vec![
        "render",
        case.to_str().unwrap(),
        "--today",
        TODAY,
        "--draft",
        "-o",
        pdf.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = ehcpack_in(&root(), &args, env);
    assert_eq!(
        out.status.code(),
        common::render_status(&out.stdout),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_rendered_pack_gives_the_same_findings_as_the_folder_it_came_from() {
    let work = tempfile::tempdir().unwrap();
    for name in [
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
    ] {
        let pdf = work.path().join(format!("{name}.pdf"));
        render(&sample(name), &pdf, &[], &[]);
        let folder = json(&root(), &[sample(name).to_str().unwrap()]);
        let pack = json(work.path(), &[&format!("{name}.pdf")]);
        let (f, p) = (only_case(&folder), only_case(&pack));
        assert_eq!(p["path"], format!("{name}.pdf"));
        assert_eq!(p["received_as"], "pack");
        assert_eq!(f["verdict"], p["verdict"], "{name}: {p:#}");
        assert_eq!(f["diagnostics"], p["diagnostics"], "{name}: same findings");
        assert_eq!(f["submission_date"], p["submission_date"]);
        assert_eq!(f["pupil_reference"], p["pupil_reference"]);
    }
}

#[test]
fn a_pack_made_to_the_manifest_contract_gives_the_folders_findings_too() {
    let work = tempfile::tempdir().unwrap();
    for name in ["year5-passing", "fail-no-consent"] {
        let pdf = work.path().join(format!("{name}.pdf"));
        std::fs::write(&pdf, pack_pdf(&spec_of(&sample(name)), Listing::NameTree)).unwrap();
        let folder = json(&root(), &[sample(name).to_str().unwrap()]);
        let pack = json(work.path(), &[&format!("{name}.pdf")]);
        assert_eq!(
            only_case(&folder)["diagnostics"],
            only_case(&pack)["diagnostics"]
        );
    }
}

/// Changes one embedded file of a real pack, as someone editing the PDF would.
fn alter_embedded(pdf: &Path, name: &str, change: impl FnOnce(&mut Vec<u8>)) {
    let mut doc = lopdf::Document::load(pdf).unwrap();
    let mut target = None;
    for (id, object) in &doc.objects {
        if let Ok(dict) = object.as_dict() {
            let is_it = [b"UF".as_slice(), b"F"].iter().any(|k| {
                matches!(dict.get(k), Ok(lopdf::Object::String(s, _))
                    if s == name.as_bytes()
                        || s == &[&[0xFE, 0xFF][..], &name.encode_utf16().flat_map(u16::to_be_bytes).collect::<Vec<u8>>()].concat())
            });
            if is_it {
                let ef = dict.get(b"EF").unwrap();
                let ef = match ef {
                    lopdf::Object::Reference(r) => doc.get_object(*r).unwrap().as_dict().unwrap(),
                    other => other.as_dict().unwrap(),
                };
                target = Some((*id, ef.get(b"F").unwrap().as_reference().unwrap()));
            }
        }
    }
    let (_, stream_id) = target.unwrap_or_else(|| panic!("{name} is embedded"));
    let stream = doc
        .get_object_mut(stream_id)
        .unwrap()
        .as_stream_mut()
        .unwrap();
    let mut bytes = stream
        .decompressed_content()
        .unwrap_or_else(|_| stream.content.clone());
    change(&mut bytes);
    stream.dict.remove(b"Filter");
    stream.dict.remove(b"DecodeParms");
    stream.set_plain_content(bytes);
    doc.save(pdf).unwrap();
}

#[test]
fn a_rendered_pack_altered_afterwards_is_an_error_and_nothing_else() {
    let work = tempfile::tempdir().unwrap();
    let pdf = work.path().join("josh.pdf");
    render(&sample("year5-passing"), &pdf, &[], &[]);
    alter_embedded(&pdf, "evidence/reports/salt-report.pdf", |b| {
        let at = b.len() / 2;
        b[at] ^= 1;
    });
    let messages = integrity_messages(&json(work.path(), &["josh.pdf"]));
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains("reports/salt-report.pdf was changed after the pack was rendered"));

    render(&sample("year5-passing"), &pdf, &[], &[]);
    alter_embedded(&pdf, "case/consent.yaml", |b| {
        let text = String::from_utf8(b.clone()).unwrap();
        *b = text.replace("signed: true", "signed: true ").into_bytes();
    });
    let messages = integrity_messages(&json(work.path(), &["josh.pdf"]));
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains("case document consent.yaml was changed"));
}

#[test]
fn a_pack_rendered_with_encrypt_opens_with_the_same_password() {
    let work = tempfile::tempdir().unwrap();
    let pdf = work.path().join("locked.pdf");
    let password = [("EHCPACK_PASSWORD", "four long random words")];
    render(&sample("year5-passing"), &pdf, &password, &["--encrypt"]);
    let out = ehcpack_in(
        work.path(),
        &["validate", "locked.pdf", "--today", TODAY],
        &password,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("locked.pdf: pass (0 errors, 0 warnings)"));
    let out = ehcpack_in(
        work.path(),
        &["validate", "locked.pdf", "--today", TODAY],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("error[pack-integrity]: the pack is protected with a password"));
}

#[test]
fn embedded_files_are_found_in_a_name_tree_with_kids_and_in_an_af_array() {
    let work = tempfile::tempdir().unwrap();
    let spec = spec_of(&sample("year5-passing"));
    for (listing, name) in [
        (Listing::NameTreeKids, "kids.pdf"),
        (Listing::AssociatedFiles, "af.pdf"),
    ] {
        std::fs::write(work.path().join(name), pack_pdf(&spec, listing)).unwrap();
        let report = json(work.path(), &[name]);
        assert_eq!(only_case(&report)["verdict"], "pass", "{name}: {report:#}");
    }
}

#[test]
fn findings_in_a_pack_are_located_in_the_pack_never_in_a_temporary_folder() {
    let work = tempfile::tempdir().unwrap();
    let spec = spec_of(&sample("fail-no-countersignature"));
    std::fs::write(
        work.path().join("josh.pdf"),
        pack_pdf(&spec, Listing::NameTree),
    )
    .unwrap();
    let out = ehcpack_in(
        work.path(),
        &["validate", "josh.pdf", "--today", TODAY],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("--> josh.pdf › request.yaml:"), "{text}");
    assert!(text.contains("josh.pdf: fail (1 error"), "{text}");
    assert!(!text.contains("ehcpack-received"), "{text}");
    assert!(
        !text.contains(&std::env::temp_dir().display().to_string()),
        "{text}"
    );
    for format in ["json", "csv", "html", "junit", "sarif", "github"] {
        let out = ehcpack_in(
            work.path(),
            &["validate", "josh.pdf", "--today", TODAY, "--format", format],
            &[],
        );
        let text = stdout(&out);
        assert!(!text.contains("ehcpack-received"), "{format}: {text}");
    }
}

#[test]
fn the_private_folders_are_removed_afterwards() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("a.pdf"),
        pack_pdf(&spec_of(&sample("year5-passing")), Listing::NameTree),
    )
    .unwrap();
    std::fs::write(
        work.path().join("b.zip"),
        zip_of(&case_entries(&sample("year10-pfa-passing"), "")),
    )
    .unwrap();
    let out = ehcpack_in(
        work.path(),
        &["validate", ".", "--today", TODAY],
        &[("TMPDIR", tmp.path().to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

// ---- Pack integrity ----

fn pack_case(
    work: &Path,
    name: &str,
    change: impl FnOnce(&mut common::packs::PackSpec),
) -> serde_json::Value {
    let mut spec = spec_of(&sample("year5-passing"));
    change(&mut spec);
    std::fs::write(work.join(name), pack_pdf(&spec, Listing::NameTree)).unwrap();
    json(work, &[name])
}

fn integrity_messages(report: &serde_json::Value) -> Vec<String> {
    only_case(report)["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            assert_eq!(
                d["rule"], "pack-integrity",
                "only pack-integrity: {report:#}"
            );
            d["message"].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn a_changed_document_is_an_error_naming_the_file_and_both_checksums() {
    let work = tempfile::tempdir().unwrap();
    let report = pack_case(work.path(), "p.pdf", |spec| {
        let doc = spec.files.get_mut("case/plan-1.yaml").unwrap();
        let text = String::from_utf8(doc.clone()).unwrap();
        *doc = text
            .replacen("Support plan 1", "Support plan one", 1)
            .into_bytes();
    });
    let expected = &spec_of(&sample("year5-passing")).manifest.documents;
    let plan = expected.iter().find(|e| e.path == "plan-1.yaml").unwrap();
    let messages = integrity_messages(&report);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains("plan-1.yaml was changed after the pack was rendered"));
    assert!(messages[0].contains(&format!("manifest says sha256 {}...", &plan.sha256[..8])));
    assert_eq!(only_case(&report)["diagnostics"][0]["file"], "plan-1.yaml");
    assert_eq!(only_case(&report)["verdict"], "fail");
}

#[test]
fn a_byte_changed_in_an_attachment_is_an_error() {
    let work = tempfile::tempdir().unwrap();
    let report = pack_case(work.path(), "p.pdf", |spec| {
        let pdf = spec
            .files
            .get_mut("evidence/reports/salt-report.pdf")
            .unwrap();
        let last = pdf.len() - 3;
        pdf[last] ^= 0x20;
    });
    let messages = integrity_messages(&report);
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0].contains("attached file reports/salt-report.pdf was changed"),
        "{messages:?}"
    );
}

#[test]
fn a_removed_or_swapped_attachment_is_one_error_not_two() {
    let work = tempfile::tempdir().unwrap();
    let removed = pack_case(work.path(), "removed.pdf", |spec| {
        spec.files.remove("evidence/reports/my-story.pdf");
    });
    let messages = integrity_messages(&removed);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].contains("reports/my-story.pdf is listed in the pack's manifest but missing")
    );

    let swapped = pack_case(work.path(), "swapped.pdf", |spec| {
        let other = spec.files["evidence/reports/salt-report.pdf"].clone();
        spec.files
            .insert("evidence/reports/my-story.pdf".into(), other);
    });
    let messages = integrity_messages(&swapped);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains("reports/my-story.pdf was changed"));
}

#[test]
fn an_unlisted_file_is_an_error_and_is_not_read_as_part_of_the_case() {
    let work = tempfile::tempdir().unwrap();
    let report = pack_case(work.path(), "p.pdf", |spec| {
        spec.files.insert(
            "case/extra.yaml".into(),
            b"format: ehcpack/1\nkind: pupil\n".to_vec(),
        );
        spec.files.insert("../escape.txt".into(), b"x".to_vec());
    });
    let messages = integrity_messages(&report);
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages
        .iter()
        .any(|m| m.contains("does not list: case/extra.yaml")));
    assert!(messages
        .iter()
        .any(|m| m.contains("does not list: ../escape.txt")));
}

#[test]
fn a_missing_malformed_or_newer_manifest_is_an_error() {
    let work = tempfile::tempdir().unwrap();
    let spec = spec_of(&sample("year5-passing"));
    let mut files = spec.files.clone();
    std::fs::write(
        work.path().join("none.pdf"),
        pdf_with_files(&files, Listing::NameTree),
    )
    .unwrap();
    files.insert(
        "ehcpack-manifest.json".into(),
        b"{\"manifest_version\": 1,".to_vec(),
    );
    std::fs::write(
        work.path().join("bad.pdf"),
        pdf_with_files(&files, Listing::NameTree),
    )
    .unwrap();
    let mut newer = serde_json::to_value(&spec.manifest).unwrap();
    newer["manifest_version"] = 99.into();
    files.insert(
        "ehcpack-manifest.json".into(),
        serde_json::to_vec(&newer).unwrap(),
    );
    std::fs::write(
        work.path().join("newer.pdf"),
        pdf_with_files(&files, Listing::NameTree),
    )
    .unwrap();
    for (name, says) in [
        ("none.pdf", "has no manifest"),
        ("bad.pdf", "manifest (ehcpack-manifest.json) cannot be read"),
        ("newer.pdf", "version 99, from a newer ehcpack"),
    ] {
        let report = json(work.path(), &[name]);
        let messages = integrity_messages(&report);
        assert_eq!(messages.len(), 1, "{name}: {messages:?}");
        assert!(messages[0].contains(says), "{name}: {messages:?}");
    }
}

#[test]
fn a_pdf_that_is_not_an_ehcpack_pack_is_a_finding_never_a_crash() {
    let work = tempfile::tempdir().unwrap();
    let plain = pdf_with_files(&BTreeMap::new(), Listing::NameTree);
    let mut other = BTreeMap::new();
    other.insert("invoice.xml".to_string(), b"<invoice/>".to_vec());
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("word.pdf", plain.clone()),
        ("other-tool.pdf", pdf_with_files(&other, Listing::NameTree)),
        (
            "junk.pdf",
            b"%PDF-1.7\n\x00\xff garbage garbage garbage".to_vec(),
        ),
        ("truncated.pdf", plain[..plain.len() / 2].to_vec()),
        ("empty.pdf", Vec::new()),
        ("text.pdf", b"Dear SEND team, please find attached".to_vec()),
        (
            "nested.pdf",
            [
                b"%PDF-1.7\n1 0 obj\n".as_slice(),
                &[b'['; 100_000],
                b"\nendobj\n",
            ]
            .concat(),
        ),
    ];
    for (name, bytes) in &cases {
        std::fs::write(work.path().join(name), bytes).unwrap();
    }
    let report = json(work.path(), &["."]);
    let cases_out = report["cases"].as_array().unwrap();
    assert_eq!(cases_out.len(), cases.len());
    for case in cases_out {
        let d = &case["diagnostics"];
        assert_eq!(d.as_array().unwrap().len(), 1, "{case:#}");
        assert_eq!(d[0]["rule"], "pack-integrity");
        assert!(
            d[0]["message"]
                .as_str()
                .unwrap()
                .starts_with("not an ehcpack pack: check it by hand"),
            "{case:#}"
        );
    }
}

#[test]
fn an_encrypted_pack_opens_with_the_password_from_the_environment() {
    let work = tempfile::tempdir().unwrap();
    let plain = pack_pdf(&spec_of(&sample("year5-passing")), Listing::NameTree);
    let locked = ehcpack::protect::encrypt(&plain, "four long random words").unwrap();
    std::fs::write(work.path().join("locked.pdf"), locked).unwrap();
    let run = |env: &[(&str, &str)], extra: &[&str]| {
        let mut args = vec![
            "validate",
            "locked.pdf",
            "--today",
            TODAY,
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let out = ehcpack_in(work.path(), &args, env);
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let open = run(&[("EHCPACK_PASSWORD", "four long random words")], &[]);
    assert_eq!(only_case(&open)["verdict"], "pass", "{open:#}");
    let named = run(
        &[("LA_PACK_PASSWORD", "four long random words")],
        &["--password-env", "LA_PACK_PASSWORD"],
    );
    assert_eq!(only_case(&named)["verdict"], "pass");
    let none = run(&[], &[]);
    let messages = integrity_messages(&none);
    assert!(messages[0].contains("protected with a password, and no password was given"));
    let wrong = run(&[("EHCPACK_PASSWORD", "not the password at all")], &[]);
    let messages = integrity_messages(&wrong);
    assert!(
        messages[0].contains("the password given does not open it"),
        "{messages:?}"
    );
}

fn check_one(item: Item, limits: Limits) -> Vec<batch::Checked> {
    let profile = ehcpack::profile::Profile::durham();
    let ctx = ehcpack::rules::Context::new(&profile, TODAY.parse().unwrap());
    batch::check(
        &item,
        &ctx,
        &Options {
            password: None,
            limits,
        },
    )
}

fn only_messages(checked: &[batch::Checked], rule: &str) -> Vec<String> {
    let mut out = Vec::new();
    for c in checked {
        for d in &c.report.diagnostics {
            if d.rule == rule {
                out.push(d.message.clone());
            }
        }
    }
    out
}

#[test]
fn pack_sizes_are_bounded() {
    let work = tempfile::tempdir().unwrap();
    let pdf = work.path().join("p.pdf");
    std::fs::write(
        &pdf,
        pack_pdf(&spec_of(&sample("year5-passing")), Listing::NameTree),
    )
    .unwrap();
    let small_file = Limits {
        max_pack_bytes: 1000,
        ..Limits::default()
    };
    let got = check_one(Item::Pack(pdf.clone()), small_file);
    assert!(only_messages(&got, "pack-integrity")[0].contains("ehcpack reads packs of at most"));
    let small_stream = Limits {
        max_embedded_bytes: 2000,
        ..Limits::default()
    };
    let got = check_one(Item::Pack(pdf.clone()), small_stream);
    let m = only_messages(&got, "pack-integrity");
    assert!(
        m[0].contains("unpacks to more than") || m[0].contains("larger than"),
        "{m:?}"
    );
    let small_total = Limits {
        max_pack_total: 10_000,
        ..Limits::default()
    };
    let got = check_one(Item::Pack(pdf), small_total);
    assert!(only_messages(&got, "pack-integrity")[0].contains("embedded files come to more than"));
}

#[test]
fn a_pdf_bomb_in_an_embedded_file_is_refused_without_unpacking_it() {
    let work = tempfile::tempdir().unwrap();
    let mut spec = spec_of(&sample("year5-passing"));
    // 300 MB of zeros deflates to about 300 KB.
    spec.files.insert(
        "evidence/reports/bomb.pdf".into(),
        vec![0u8; 300 * 1024 * 1024],
    );
    let bytes = pack_pdf(&spec, Listing::NameTree);
    drop(spec);
    assert!(bytes.len() < 2 * 1024 * 1024);
    let pdf = work.path().join("bomb.pdf");
    std::fs::write(&pdf, bytes).unwrap();
    let got = check_one(Item::Pack(pdf), Limits::default());
    let m = only_messages(&got, "pack-integrity");
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(
        m[0].contains("unpacks to more than 64 MB") || m[0].contains("cannot be read"),
        "{m:?}"
    );
}

// ---- Zip archives ----

#[test]
fn a_zip_of_one_case_gives_the_folders_findings_located_in_the_archive() {
    let work = tempfile::tempdir().unwrap();
    let name = "fail-no-countersignature";
    std::fs::write(
        work.path().join("top.zip"),
        zip_of(&case_entries(&sample(name), "")),
    )
    .unwrap();
    std::fs::write(
        work.path().join("inner.zip"),
        zip_of(&case_entries(&sample(name), "josh/")),
    )
    .unwrap();
    let folder = json(&root(), &[sample(name).to_str().unwrap()]);
    let top = json(work.path(), &["top.zip"]);
    let inner = json(work.path(), &["inner.zip"]);
    assert_eq!(only_case(&top)["path"], "top.zip");
    assert_eq!(only_case(&inner)["path"], "inner.zip › josh");
    assert_eq!(only_case(&top)["received_as"], "zip");
    assert_eq!(
        only_case(&folder)["diagnostics"],
        only_case(&top)["diagnostics"]
    );
    assert_eq!(
        only_case(&folder)["diagnostics"],
        only_case(&inner)["diagnostics"]
    );
    let out = ehcpack_in(
        work.path(),
        &["validate", "inner.zip", "--today", TODAY],
        &[],
    );
    assert!(
        stdout(&out).contains("--> inner.zip › josh/request.yaml:"),
        "{}",
        stdout(&out)
    );
    let out = ehcpack_in(work.path(), &["validate", "top.zip", "--today", TODAY], &[]);
    assert!(
        stdout(&out).contains("--> top.zip › request.yaml:"),
        "{}",
        stdout(&out)
    );
}

/// A looked-after child's case zipped: the folder's findings, and the protected address in no
/// report format (the zip's check hands its case's redactor to the batch, which withholds the
/// address from every report with it).
#[test]
fn a_zip_of_a_looked_after_childs_case_gives_the_folders_findings_and_never_the_address() {
    let work = tempfile::tempdir().unwrap();
    for (name, street, postcode) in [
        ("looked-after-durham", "Hallgarth View", "DH1 2QZ"),
        ("fail-protected-address-leak", "Larchfield Row", "DH7 9ZQ"),
    ] {
        let zip = format!("{name}.zip");
        std::fs::write(
            work.path().join(&zip),
            zip_of(&case_entries(&sample(name), "child/")),
        )
        .unwrap();
        let folder = json(&root(), &[sample(name).to_str().unwrap()]);
        let zipped = json(work.path(), &[&zip]);
        assert_eq!(
            only_case(&folder)["diagnostics"],
            only_case(&zipped)["diagnostics"],
            "{name}"
        );
        for format in ["human", "json", "junit", "sarif", "github", "csv", "html"] {
            let out = ehcpack_in(
                work.path(),
                &["validate", &zip, "--today", TODAY, "--format", format],
                &[],
            );
            let text = format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
            assert!(
                matches!(out.status.code(), Some(0 | 1)) && !text.trim().is_empty(),
                "{name} as {format}: {text}"
            );
            for secret in [street, postcode] {
                assert!(
                    !text.contains(secret),
                    "{name} as {format}: {secret} in {text}"
                );
            }
        }
    }
}

#[test]
fn a_zip_of_several_cases_gives_a_report_for_each() {
    let work = tempfile::tempdir().unwrap();
    let mut entries = case_entries(&sample("year5-passing"), "term/josh/");
    entries.extend(case_entries(&sample("year10-pfa-passing"), "term/freya/"));
    entries.extend(case_entries(&sample("fail-no-consent"), "term/josh-again/"));
    std::fs::write(work.path().join("term.zip"), zip_of(&entries)).unwrap();
    let report = json(work.path(), &["term.zip"]);
    let found = findings(&report);
    let paths: Vec<&String> = found.keys().collect();
    assert_eq!(
        paths,
        [
            "term.zip › term/freya",
            "term.zip › term/josh",
            "term.zip › term/josh-again"
        ]
    );
    assert_eq!(
        rules_of(&report, "term.zip › term/freya"),
        Vec::<String>::new()
    );
    assert_eq!(
        rules_of(&report, "term.zip › term/josh-again"),
        ["parental-consent", "duplicate-pupil"]
    );
}

/// A zip with a hand-written central directory entry (for what the zip writer refuses to make).
fn raw_zip(name: &str, data: &[u8], external_attributes: u32, made_by_unix: bool) -> Vec<u8> {
    let crc = {
        let mut h = flate2::Crc::new();
        h.update(data);
        h.sum()
    };
    let mut out = Vec::new();
    let n = name.len() as u16;
    let size = data.len() as u32;
    // Local header.
    out.extend_from_slice(&0x04034b50u32.to_le_bytes());
    out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(data);
    let cd_start = out.len() as u32;
    out.extend_from_slice(&0x02014b50u32.to_le_bytes());
    out.extend_from_slice(&[
        20,
        if made_by_unix { 3 } else { 0 },
        20,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
    ]);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0]);
    out.extend_from_slice(&external_attributes.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(name.as_bytes());
    let cd_len = out.len() as u32 - cd_start;
    out.extend_from_slice(&0x06054b50u32.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0, 1, 0, 1, 0]);
    out.extend_from_slice(&cd_len.to_le_bytes());
    out.extend_from_slice(&cd_start.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

#[test]
fn hostile_zips_give_located_archive_findings_and_the_batch_goes_on() {
    let work = tempfile::tempdir().unwrap();
    let w = |name: &str, bytes: Vec<u8>| std::fs::write(work.path().join(name), bytes).unwrap();
    // Zip slip beside a good case: the case is still checked.
    let mut slip = case_entries(&sample("year10-pfa-passing"), "");
    slip.push(("../../escaped.yaml".into(), b"format: ehcpack/1\n".to_vec()));
    w("slip.zip", zip_of(&slip));
    w(
        "absolute.zip",
        raw_zip("/tmp/ehcpack-absolute.yaml", b"x", 0, false),
    );
    w(
        "backslash.zip",
        raw_zip("..\\..\\evil.yaml", b"x", 0, false),
    );
    w(
        "link.zip",
        raw_zip("pupil.yaml", b"/etc/passwd", 0o120777 << 16, true),
    );
    let mut bomb = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    bomb.start_file(
        "reports/big.pdf",
        zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true),
    )
    .unwrap();
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..50 {
        std::io::Write::write_all(&mut bomb, &zeros).unwrap();
    }
    w("bomb.zip", bomb.finish().unwrap().into_inner());
    let many: Vec<(String, Vec<u8>)> = (0..10_001)
        .map(|i| (format!("f{i}.txt"), Vec::new()))
        .collect();
    w("many.zip", zip_of(&many));
    w("notzip.zip", b"PK this is not really a zip".to_vec());
    let good = zip_of(&case_entries(&sample("year5-passing"), "josh/"));
    w("truncated.zip", good[..good.len() / 2].to_vec());
    w(
        "empty-of-cases.zip",
        zip_of(&[("notes.txt".into(), b"hello".to_vec())]),
    );
    copy_dir(&sample("year5-passing"), &work.path().join("josh-folder"));

    let report = json(work.path(), &["."]);
    let found = findings(&report);
    let archive = |path: &str| -> Vec<(String, String, String)> { found[path].clone() };
    let expect_one = |path: &str, file: &str, says: &str| {
        let f = archive(path);
        assert_eq!(f.len(), 1, "{path}: {f:?}");
        assert_eq!(f[0].0, "archive", "{path}: {f:?}");
        assert!(f[0].1.starts_with(file), "{path}: {f:?}");
        assert!(f[0].2.contains(says), "{path}: {f:?}");
    };
    expect_one(
        "slip.zip",
        "\"../../escaped.yaml\"",
        "leads outside the archive (zip slip)",
    );
    expect_one(
        "absolute.zip",
        "\"/tmp/ehcpack-absolute.yaml\"",
        "leads outside",
    );
    expect_one("backslash.zip", r#""..\\..\\evil.yaml""#, "leads outside");
    expect_one("link.zip", "\"pupil.yaml\"", "symbolic link");
    expect_one("bomb.zip", "\"reports/big.pdf\"", "a zip bomb");
    expect_one("many.zip", "null", "10001 entries");
    expect_one("notzip.zip", "null", "not a zip archive");
    expect_one("truncated.zip", "null", "not a zip archive");
    expect_one("empty-of-cases.zip", "null", "holds no case folder");
    // The good case in slip.zip was still checked (Freya passes), and the folder too.
    assert_eq!(report["cases"].as_array().unwrap().len(), 10, "{found:#?}");
    assert_eq!(found["josh-folder"], vec![]);
    assert!(!Path::new("/tmp/ehcpack-absolute.yaml").exists());
    assert!(!work.path().parent().unwrap().join("escaped.yaml").exists());
}

#[test]
fn zip_caps_on_entry_and_total_size() {
    let work = tempfile::tempdir().unwrap();
    let path = work.path().join("a.zip");
    let mut entries = case_entries(&sample("year5-passing"), "");
    entries.push(("reports/extra.bin".into(), vec![7u8; 5000]));
    std::fs::write(&path, zip_of(&entries)).unwrap();
    let per_file = Limits {
        max_entry_bytes: 4000,
        ..Limits::default()
    };
    let m = only_messages(&check_one(Item::Zip(path.clone()), per_file), "archive");
    assert!(
        m.iter()
            .any(|m| m.contains("ehcpack unpacks files of at most")),
        "{m:?}"
    );
    let total = Limits {
        max_archive_total: 20_000,
        ..Limits::default()
    };
    let m = only_messages(&check_one(Item::Zip(path), total), "archive");
    assert!(
        m.iter().any(|m| m.contains("the rest were not unpacked")),
        "{m:?}"
    );
}

// ---- Duplicates ----

#[test]
fn the_same_pupil_twice_warns_on_each_naming_the_other() {
    let work = tempfile::tempdir().unwrap();
    copy_dir(&sample("year5-passing"), &work.path().join("josh"));
    std::fs::write(
        work.path().join("josh-resent.pdf"),
        pack_pdf(&spec_of(&sample("year5-passing")), Listing::NameTree),
    )
    .unwrap();
    copy_dir(&sample("year10-pfa-passing"), &work.path().join("freya"));
    // The same child, another UPN (a typo), same legal name and date of birth, spaced and
    // capitalised differently.
    copy_dir(&sample("year10-pfa-passing"), &work.path().join("freya-2"));
    let pupil = work.path().join("freya-2/pupil.yaml");
    let text = std::fs::read_to_string(&pupil)
        .unwrap()
        .replace("M840411215032", "M840411215099")
        .replace("first: Freya", "first: \"  FREYA \"");
    std::fs::write(&pupil, text).unwrap();
    let report = json(
        work.path(),
        &["josh", "josh-resent.pdf", "freya", "freya-2"],
    );
    let found = findings(&report);
    let dup = |path: &str| {
        let f: Vec<_> = found[path]
            .iter()
            .filter(|f| f.0 == "duplicate-pupil")
            .cloned()
            .collect();
        assert_eq!(f.len(), 1, "{path}: {f:?}");
        f[0].clone()
    };
    let josh = dup("josh");
    assert!(
        josh.2
            .contains("the same UPN; the same legal name and date of birth"),
        "{josh:?}"
    );
    assert!(josh.2.ends_with("is also in josh-resent.pdf"), "{josh:?}");
    assert!(
        josh.1.starts_with("\"pupil.yaml\":"),
        "located at the UPN: {josh:?}"
    );
    assert!(dup("josh-resent.pdf").2.ends_with("is also in josh"));
    let freya = dup("freya");
    assert!(freya
        .2
        .contains("(the same legal name and date of birth) is also in freya-2"));
    assert!(dup("freya-2").2.ends_with("is also in freya"));
    assert_eq!(report["summary"]["passed_with_warnings"], 4);
    assert_eq!(report["summary"]["duplicate_pupils"], 2, "Josh and Freya");
    let out = ehcpack_in(
        work.path(),
        &[
            "validate",
            "josh",
            "josh-resent.pdf",
            "freya",
            "freya-2",
            "--today",
            TODAY,
        ],
        &[],
    );
    assert!(stdout(&out).contains("2 pupils are in more than one case (duplicate-pupil)"));
}

#[test]
fn a_file_named_twice_is_checked_once_and_is_not_its_own_duplicate() {
    let work = tempfile::tempdir().unwrap();
    copy_dir(&sample("year5-passing"), &work.path().join("term/josh"));
    let report = json(work.path(), &["term", "term/josh", "./term/josh/"]);
    assert_eq!(report["summary"]["cases"], 1, "{report:#}");
    assert_eq!(only_case(&report)["verdict"], "pass");
}

#[test]
fn never_any_number_of_requests_from_one_school_raises_nothing() {
    let corpus = generated(30, 11);
    let cases = corpus.path().join("cases");
    for entry in std::fs::read_dir(&cases).unwrap() {
        let request = entry.unwrap().path().join("request.yaml");
        let text = std::fs::read_to_string(&request).unwrap();
        let text: String = text
            .lines()
            .map(|l| {
                if l.starts_with("  name: Brackenfield Primary") {
                    "  name: Brackenfield Primary".to_string()
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        std::fs::write(&request, text + "\n").unwrap();
    }
    let report = json(corpus.path(), &["cases"]);
    assert_eq!(report["summary"]["cases"], 30);
    assert_eq!(report["summary"]["passed"], 30, "{report:#}");
}

// ---- The statutory clock ----

#[test]
fn received_from_a_file_by_path_or_upn_gives_the_dates_in_every_format() {
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("josh.pdf"),
        pack_pdf(&spec_of(&sample("year5-passing")), Listing::NameTree),
    )
    .unwrap();
    copy_dir(&sample("year10-pfa-passing"), &work.path().join("freya"));
    std::fs::write(
        work.path().join("received.csv"),
        "case,received\njosh.pdf,2025-10-01\nM840411215032,15/12/2025\n",
    )
    .unwrap();
    let args = |format: &str| {
        vec![
            "validate".to_string(),
            "freya".into(),
            "josh.pdf".into(),
            "--today".into(),
            TODAY.into(),
            "--received-from".into(),
            "received.csv".into(),
            "--format".into(),
            format.into(),
        ]
    };
    let run = |format: &str| {
        let a = args(format);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let out = ehcpack_in(work.path(), &a, &[]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout(&out)
    };
    let report: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    let josh = &report["cases"][1];
    assert_eq!(josh["path"], "josh.pdf");
    assert_eq!(josh["received_date"], "2025-10-01");
    assert_eq!(josh["decision_due"], "2025-11-12");
    assert_eq!(josh["final_plan_due"], "2026-02-18");
    assert_eq!(josh["overdue"], "decision");
    assert_eq!(josh["next_due"], "2026-02-18");
    let freya = &report["cases"][0];
    assert_eq!(freya["received_date"], "2025-12-15");
    assert_eq!(freya["decision_due"], "2026-01-26");
    assert_eq!(freya["overdue"], serde_json::Value::Null);
    assert_eq!(freya["next_due"], "2026-01-26");

    let csv = run("csv");
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = rows.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, ehcpack::report::CSV_HEADER);
    let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(&rows[1][col("path")], "josh.pdf");
    assert_eq!(&rows[1][col("decision_due")], "2025-11-12");
    assert_eq!(&rows[1][col("overdue")], "decision");
    assert_eq!(&rows[1][col("next_due")], "2026-02-18");
    assert_eq!(&rows[1][col("received_as")], "pack");
    assert_eq!(&rows[0][col("received_as")], "folder");

    let html = run("html");
    assert!(html.contains("data-overdue=\"decision\""), "{html}");
    assert!(html.contains("Overdue only"));
    // Each group is ordered by the next statutory date: the rows carry it.
    assert!(html.contains("data-next=\"2026-02-18\""), "{html}");
    assert!(html.contains("2025-11-12<br>(overdue)"));

    let human = run("human");
    assert!(
        human.contains("received 2025-10-01: decision on whether to assess due 2025-11-12 (overdue); final plan due 2026-02-18"),
        "{human}"
    );
}

#[test]
fn the_clock_runs_for_a_request_ehcpack_cannot_read() {
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("typed.pdf"), b"%PDF-1.4\n typed in Word").unwrap();
    std::fs::write(work.path().join("r.csv"), "typed.pdf,2025-10-01\n").unwrap();
    let from_file = json(work.path(), &["typed.pdf", "--received-from", "r.csv"]);
    assert_eq!(only_case(&from_file)["decision_due"], "2025-11-12");
    assert_eq!(only_case(&from_file)["overdue"], "decision");
    let given = json(work.path(), &["typed.pdf", "--received", "2025-12-15"]);
    assert_eq!(only_case(&given)["decision_due"], "2026-01-26");
    // A PDF typed in Word is checked by hand, never failed.
    assert_eq!(only_case(&given)["verdict"], "check-by-hand");
    assert_eq!(only_case(&given)["action"], "check-by-hand");
}

#[test]
fn bad_rows_in_received_from_are_located_errors() {
    let work = tempfile::tempdir().unwrap();
    copy_dir(&sample("year5-passing"), &work.path().join("josh"));
    std::fs::write(
        work.path().join("r.csv"),
        "josh,2025-10-01\nfreya,31/02/2026\nonly-one-value\n",
    )
    .unwrap();
    let out = ehcpack_in(
        work.path(),
        &[
            "validate",
            "josh",
            "--received-from",
            "r.csv",
            "--today",
            TODAY,
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("r.csv:2: the second value is not a date"),
        "{err}"
    );
    // The value itself is never quoted (it could be anything, even an address).
    assert!(!err.contains("31/02/2026"), "{err}");
    assert!(err.contains("r.csv:3: a row has two values"), "{err}");
}

#[test]
fn a_row_that_matches_no_case_is_noted() {
    let work = tempfile::tempdir().unwrap();
    copy_dir(&sample("year5-passing"), &work.path().join("josh"));
    std::fs::write(
        work.path().join("r.csv"),
        "josh,2025-10-01\nnobody.pdf,2025-10-02\n",
    )
    .unwrap();
    let out = ehcpack_in(
        work.path(),
        &[
            "validate",
            "josh",
            "--received-from",
            "r.csv",
            "--today",
            TODAY,
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("1 row of --received-from matched no case: line 2 (nobody.pdf)"),
        "{err}"
    );
    assert!(stdout(&out).contains("received 2025-10-01"));
}

#[test]
fn the_cases_own_received_date_wins_over_the_las_file() {
    let work = tempfile::tempdir().unwrap();
    copy_dir(&sample("year5-passing"), &work.path().join("josh"));
    let request = work.path().join("josh/request.yaml");
    let mut text = std::fs::read_to_string(&request).unwrap();
    text.push_str("received_date: 2025-09-10\n");
    std::fs::write(&request, text).unwrap();
    std::fs::write(work.path().join("r.csv"), "josh,2025-10-01\n").unwrap();
    let report = json(work.path(), &["josh", "--received-from", "r.csv"]);
    assert_eq!(only_case(&report)["received_date"], "2025-09-10");
}

// ---- A term's worth of received items ----

/// More than 100 received items of every kind, some tampered, duplicated, hand-made or hostile:
/// each gives exactly the findings it should.
#[test]
fn a_batch_of_received_items_each_gives_the_right_finding_and_no_other() {
    let corpus = generated(85, 2026);
    let cases = corpus.path().join("cases");
    let inbox = corpus.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let case = |i: usize| cases.join(format!("case-{i:05}"));
    let mut expected: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    let mut expect = |path: String, rules: &[&'static str]| {
        expected.insert(path, rules.iter().copied().collect());
    };
    // 0-44: packs; 0-4 a byte of an attachment changed, 5-9 a document changed, 10-14 an
    // attachment removed, 15-19 packed twice (duplicates); 20-29 rendered by `ehcpack render`,
    // 20 altered afterwards; the others made to the manifest contract, listed in a name tree or
    // an /AF array.
    for i in 0..45 {
        let mut spec = spec_of(&case(i));
        let mut rules: Vec<&'static str> = vec![];
        match i {
            0..=4 => {
                let pdf = spec.files.get_mut("evidence/reports/my-story.pdf").unwrap();
                let at = pdf.len() / 2;
                pdf[at] = pdf[at].wrapping_add(1);
                rules.push("pack-integrity");
            }
            5..=9 => {
                let doc = spec.files.get_mut("case/views.yaml").unwrap();
                doc.extend_from_slice(b"# added after rendering\n");
                rules.push("pack-integrity");
            }
            10..=14 => {
                spec.files.remove("evidence/reports/salt-report.pdf");
                rules.push("pack-integrity");
            }
            15..=19 => {
                std::fs::write(
                    inbox.join(format!("pack-{i:02}-again.pdf")),
                    pack_pdf(&spec, Listing::NameTree),
                )
                .unwrap();
                rules.push("duplicate-pupil");
                expect(format!("pack-{i:02}-again.pdf"), &["duplicate-pupil"]);
            }
            _ => {}
        }
        let pdf = inbox.join(format!("pack-{i:02}.pdf"));
        if (20..30).contains(&i) {
            // Real packs from `ehcpack render`; the first altered after rendering.
            render(&case(i), &pdf, &[], &[]);
            if i == 20 {
                alter_embedded(&pdf, "evidence/reports/my-story.pdf", |b| b.push(b'\n'));
                rules.push("pack-integrity");
            }
        } else {
            let listing = if i % 2 == 0 {
                Listing::NameTree
            } else {
                Listing::AssociatedFiles
            };
            std::fs::write(&pdf, pack_pdf(&spec, listing)).unwrap();
        }
        expect(format!("pack-{i:02}.pdf"), &rules);
    }
    // 45-59: zips, one case each at the top level; 60-69: five zips of two case folders.
    for i in 45..60 {
        std::fs::write(
            inbox.join(format!("zip-{i:02}.zip")),
            zip_of(&case_entries(&case(i), "")),
        )
        .unwrap();
        expect(format!("zip-{i:02}.zip"), &[]);
    }
    for i in (60..70).step_by(2) {
        let mut entries = case_entries(&case(i), "a/");
        entries.extend(case_entries(&case(i + 1), "b/"));
        std::fs::write(inbox.join(format!("pair-{i:02}.zip")), zip_of(&entries)).unwrap();
        expect(format!("pair-{i:02}.zip › a"), &[]);
        expect(format!("pair-{i:02}.zip › b"), &[]);
    }
    // 70-84: case folders; 70-74 also arrived as a zip (duplicates).
    for i in 70..85 {
        copy_dir(&case(i), &inbox.join(format!("folder-{i:02}")));
        if i < 75 {
            std::fs::write(
                inbox.join(format!("folder-{i:02}-zipped.zip")),
                zip_of(&case_entries(&case(i), "")),
            )
            .unwrap();
            expect(format!("folder-{i:02}-zipped.zip"), &["duplicate-pupil"]);
            expect(format!("folder-{i:02}"), &["duplicate-pupil"]);
        } else {
            expect(format!("folder-{i:02}"), &[]);
        }
    }
    // Hand-made PDFs: no embedded data.
    for i in 0..5 {
        std::fs::write(
            inbox.join(format!("typed-{i}.pdf")),
            pdf_with_files(&BTreeMap::new(), Listing::NameTree),
        )
        .unwrap();
        expect(format!("typed-{i}.pdf"), &["pack-integrity"]);
    }
    // Hostile zips.
    let hostile: Vec<(&str, Vec<u8>)> = vec![
        (
            "hostile-slip.zip",
            zip_of(&[("../../x.yaml".into(), b"kind: pupil\n".to_vec())]),
        ),
        (
            "hostile-link.zip",
            raw_zip("pupil.yaml", b"/etc/passwd", 0o120777 << 16, true),
        ),
        (
            "hostile-bomb.zip",
            zip_of(&[("big.yaml".into(), vec![b' '; 40 * 1024 * 1024])]),
        ),
        (
            "hostile-many.zip",
            zip_of(
                &(0..10_001)
                    .map(|i| (format!("{i}.txt"), Vec::new()))
                    .collect::<Vec<_>>(),
            ),
        ),
        ("hostile-junk.zip", b"not a zip at all".to_vec()),
    ];
    for (name, bytes) in hostile {
        std::fs::write(inbox.join(name), bytes).unwrap();
        expect(name.to_string(), &["archive"]);
    }

    let report = json(corpus.path(), &["inbox"]);
    let mut got: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    let all = report["cases"].as_array().unwrap();
    for c in all {
        let rules: BTreeSet<&str> = c["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["rule"].as_str().unwrap())
            .collect();
        let path = c["path"]
            .as_str()
            .unwrap()
            .trim_start_matches("inbox/")
            .to_string();
        got.insert(path, rules);
    }
    let items = std::fs::read_dir(&inbox).unwrap().count();
    assert!(items >= 100, "{items} received items");
    assert_eq!(got, expected);
    // Each duplicate names its twin.
    let dup = all.iter().find(|c| c["path"] == "inbox/folder-70").unwrap();
    assert!(dup["diagnostics"][0]["message"]
        .as_str()
        .unwrap()
        .ends_with("is also in inbox/folder-70-zipped.zip"));
}

// ---- Any bytes at all ----

mod any_bytes {
    use super::*;
    use proptest::prelude::*;

    fn pack_bytes() -> &'static [u8] {
        static PACK: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        PACK.get_or_init(|| pack_pdf(&spec_of(&sample("year5-passing")), Listing::NameTree))
    }

    fn zip_bytes() -> &'static [u8] {
        static ZIP: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        ZIP.get_or_init(|| zip_of(&case_entries(&sample("year5-passing"), "josh/")))
    }

    /// Checks `bytes` saved as `name`: never a panic, always at least one report, never one
    /// named by the private folder.
    fn checked(name: &str, bytes: &[u8]) -> Vec<batch::Checked> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let item = Item::received_file(&path).unwrap();
        let out = check_one(item, Limits::default());
        assert!(!out.is_empty());
        for c in &out {
            assert!(!c
                .report
                .path
                .starts_with(dir.path().join(".ehcpack-received")));
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: crate::common::cases(48), ..ProptestConfig::default() })]

        #[test]
        fn a_pack_with_bytes_changed_is_read_or_refused_never_a_crash(
            changes in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)
        ) {
            let mut bytes = pack_bytes().to_vec();
            for (at, b) in &changes {
                let i = at.index(bytes.len());
                bytes[i] = *b;
            }
            let out = checked("p.pdf", &bytes);
            prop_assert_eq!(out.len(), 1);
        }

        #[test]
        fn a_pack_cut_short_is_a_finding(len in 0usize..20_000) {
            let bytes = pack_bytes();
            let out = checked("p.pdf", &bytes[..len.min(bytes.len() - 1)]);
            prop_assert_eq!(out.len(), 1);
            prop_assert!(out[0].report.errors >= 1);
        }

        #[test]
        fn a_zip_with_bytes_changed_is_read_or_refused_never_a_crash(
            changes in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)
        ) {
            let mut bytes = zip_bytes().to_vec();
            for (at, b) in &changes {
                let i = at.index(bytes.len());
                bytes[i] = *b;
            }
            checked("z.zip", &bytes);
        }

        #[test]
        fn any_received_from_text_parses_or_names_its_bad_lines(text in "[a-zA-Z0-9,/\\-\n \"]{0,200}") {
            match received::clock::ReceivedFrom::parse(text.as_bytes(), "r.csv") {
                Ok(_) => {}
                Err(e) => prop_assert!(e.to_string().contains("r.csv"), "{}", e),
            }
        }
    }
}

/// A run that was killed while a zip was unpacked leaves its private folder behind (with a
/// child's case in it): the next run removes it, and never one that a live run still holds.
#[cfg(unix)]
#[test]
fn a_killed_run_s_unpacked_case_is_removed_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let temp = dir.path().join("tmp");
    std::fs::create_dir(&temp).unwrap();
    // Left by a killed run: the lock file is there, and nobody holds it.
    let dead = temp.join(".ehcpack-received-dead01");
    std::fs::create_dir_all(dead.join("ava")).unwrap();
    std::fs::write(dead.join(".ehcpack-lock"), "").unwrap();
    std::fs::write(dead.join("ava/pupil.yaml"), "postcode: DH7 9ZQ\n").unwrap();
    // Made two hours ago (a folder a minute old may be one another run is still setting up).
    std::fs::File::open(&dead)
        .unwrap()
        .set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(7200))
        .unwrap();
    // In use by a live run: its lock is held (here, by this test).
    let live = temp.join(".ehcpack-received-live01");
    std::fs::create_dir(&live).unwrap();
    let held = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(live.join(".ehcpack-lock"))
        .unwrap();
    held.try_lock().unwrap();
    let zip = dir.path().join("term.zip");
    std::fs::write(
        &zip,
        zip_of(&case_entries(&sample("year10-pfa-passing"), "")),
    )
    .unwrap();
    let out = ehcpack_in(
        dir.path(),
        &["validate", "term.zip", "--today", TODAY],
        &[("TMPDIR", temp.to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(!dead.exists(), "the killed run's folder is removed");
    assert!(live.exists(), "a live run's folder is kept");
    // And this run left nothing of its own.
    let left: Vec<_> = std::fs::read_dir(&temp)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        left,
        vec![std::ffi::OsString::from(".ehcpack-received-live01")]
    );
    drop(held);
}

/// A zip that holds, beside its case folder, a stray YAML file, a pack and another zip: the case
/// is checked, and each of the others is a finding at its entry (never a reason to read the
/// whole archive as one case, never skipped without a word).
#[test]
fn a_zip_with_stray_files_and_archives_inside_checks_its_case_and_names_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let mut entries = case_entries(&sample("year10-pfa-passing"), "bob/");
    entries.push(("notes.yml".into(), b"todo: ring\n".to_vec()));
    entries.push(("ava.pdf".into(), b"%PDF-1.7\n".to_vec()));
    entries.push((
        "more.zip".into(),
        zip_of(&case_entries(&sample("year5-passing"), "kim/")),
    ));
    // A second `bob/consent.yaml` (the zip writer refuses two names alike, so it is renamed
    // in the bytes: the name is not in any checksum).
    entries.push(("bob/consent.yamX".into(), b"kind: consent\n".to_vec()));
    let mut bytes = zip_of(&entries);
    let (from, to) = (b"bob/consent.yamX", b"bob/consent.yaml");
    let mut i = 0;
    while i + from.len() <= bytes.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i..i + from.len()].copy_from_slice(to);
        }
        i += 1;
    }
    std::fs::write(dir.path().join("term.zip"), bytes).unwrap();
    let report = json(dir.path(), &["term.zip"]);
    let cases = report["cases"].as_array().unwrap();
    let paths: Vec<&str> = cases.iter().map(|c| c["path"].as_str().unwrap()).collect();
    assert!(paths.contains(&"term.zip › bob"), "{paths:?}");
    let whole = cases
        .iter()
        .find(|c| c["path"] == "term.zip")
        .expect("the archive's own report");
    let findings: Vec<(String, String)> = whole["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap_or_default().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (file, words) in [
        ("notes.yml", "beside the case folders"),
        ("ava.pdf", "inside the archive is not checked"),
        ("more.zip", "inside the archive is not checked"),
    ] {
        assert!(
            findings.iter().any(|(f, m)| f == file && m.contains(words)),
            "{file}: {findings:?}"
        );
    }
    // Two entries under one name are an error, not a silent choice.
    assert!(
        findings
            .iter()
            .any(|(_, m)| m.contains("under a name it already uses")),
        "{findings:?}"
    );
}

/// In a folder of received files, a link or a FIFO named like a pack or an archive is a finding,
/// never skipped without a word (and never read).
#[cfg(unix)]
#[test]
fn a_link_or_fifo_named_like_a_pack_is_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    let received = dir.path().join("received");
    std::fs::create_dir(&received).unwrap();
    copy_dir(&sample("year5-passing"), &received.join("josh"));
    let outside = dir.path().join("outside.pdf");
    std::fs::write(&outside, b"%PDF-1.7\n").unwrap();
    std::os::unix::fs::symlink(&outside, received.join("ava.pdf")).unwrap();
    let fifo = std::ffi::CString::new(received.join("term.zip").to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path and a mode.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
    let report = json(dir.path(), &["received"]);
    let messages: Vec<(String, String)> = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["path"].as_str().unwrap().to_string(),
                c["diagnostics"][0]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    assert!(
        messages
            .iter()
            .any(|(p, m)| p.ends_with("ava.pdf") && m.contains("is a link")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|(p, m)| p.ends_with("term.zip") && m.contains("not an ordinary file")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|(p, _)| p.ends_with("josh")),
        "{messages:?}"
    );
}

/// `--received-from` with bad rows: each on its own line (not an escaped `\u{a}`), and a row far
/// longer than a path is refused without being printed.
#[test]
fn bad_received_from_rows_are_listed_line_by_line_and_never_printed_whole() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&sample("year5-passing"), &dir.path().join("josh"));
    let long = "x".repeat(100_000);
    std::fs::write(
        dir.path().join("bad.csv"),
        format!("case,received\njosh,not a date\n{long},2026-01-10\n"),
    )
    .unwrap();
    let out = ehcpack_in(
        dir.path(),
        &[
            "validate",
            "josh",
            "--today",
            TODAY,
            "--received-from",
            "bad.csv",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("\\u{a}"), "{stderr}");
    assert!(stderr.lines().any(|l| l.contains("bad.csv:2:")), "{stderr}");
    assert!(
        stderr
            .lines()
            .any(|l| l.contains("bad.csv:3:") && l.contains("longer")),
        "{stderr}"
    );
    assert!(stderr.len() < 2000, "{stderr}");
}

/// Pages taken out of a pack after rendering are a change like any other: `pack-integrity`.
#[test]
fn a_pack_with_pages_taken_out_is_a_pack_integrity_error() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = common::render_pack(dir.path(), &sample("year5-passing"), &[]);
    let clean = json(dir.path(), &[pdf.to_str().unwrap()]);
    assert_eq!(clean["cases"][0]["verdict"], "pass", "{clean}");
    let mut doc = lopdf::Document::load(&pdf).unwrap();
    doc.delete_pages(&[2, 3]);
    let cut = dir.path().join("cut.pdf");
    doc.save(&cut).unwrap();
    let report = json(dir.path(), &[cut.to_str().unwrap()]);
    let messages: Vec<&str> = report["cases"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "pack-integrity")
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("pages were taken out or put in")),
        "{report}"
    );
}

/// A file attached to a page after rendering (a `FileAttachment` annotation, which readers list
/// beside the pack's own files) is `pack-integrity`, as an added embedded file is.
/// A pack cut short on its way (by a byte, by its cross-reference data, by half) is a clear
/// pack-integrity error, never "ready": lopdf rebuilds a damaged file's table of objects and
/// could still find the case inside, but PDF readers cannot open it.
#[test]
fn a_pack_cut_short_is_a_pack_integrity_error() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = common::render_pack(dir.path(), &sample("year5-passing"), &[]);
    let whole = std::fs::read(&pdf).unwrap();
    // The same pack saved again by another program (lopdf here), its objects not packed into
    // object streams: half of it still holds the whole case.
    let mut doc = lopdf::Document::load(&pdf).unwrap();
    let resaved = dir.path().join("resaved.pdf");
    doc.save(&resaved).unwrap();
    let resaved = std::fs::read(&resaved).unwrap();
    for (from, bytes) in [("ours", &whole), ("resaved", &resaved)] {
        for cut in [1, 30, bytes.len() / 2] {
            let name = format!("{from}-cut-{cut}.pdf");
            std::fs::write(dir.path().join(&name), &bytes[..bytes.len() - cut]).unwrap();
            let report = json(dir.path(), &[&name]);
            let case = only_case(&report);
            let first = &case["diagnostics"][0];
            assert_eq!(first["rule"], "pack-integrity", "{name}: {case:#}");
            // Either the case is found and the pack is cut short, or nothing of a case is
            // found and a person checks it: never ready.
            let message = first["message"].as_str().unwrap();
            if case["verdict"] == "fail" {
                assert!(
                    message.starts_with("the pack is cut short"),
                    "{name}: {case:#}"
                );
            } else {
                assert_eq!(case["verdict"], "check-by-hand", "{name}: {case:#}");
            }
            if cut < 100 {
                assert_eq!(case["verdict"], "fail", "{name}: {case:#}");
            }
        }
    }
    // Cut short, then given an `%%EOF` again: the cross-reference offset is gone.
    for cut in [8, 30] {
        let mut bytes = whole[..whole.len() - cut].to_vec();
        bytes.extend_from_slice(b"\n%%EOF\n");
        std::fs::write(dir.path().join("eof-again.pdf"), &bytes).unwrap();
        let case = only_case(&json(dir.path(), &["eof-again.pdf"])).clone();
        assert_ne!(case["verdict"], "pass", "cut {cut}: {case:#}");
    }
    // White space after the end is no harm.
    let mut padded = whole.clone();
    padded.extend_from_slice(b"\r\n\n");
    std::fs::write(dir.path().join("padded.pdf"), &padded).unwrap();
    assert_eq!(
        only_case(&json(dir.path(), &["padded.pdf"]))["verdict"],
        "pass"
    );
}

#[test]
fn a_file_attached_to_a_page_after_rendering_is_a_pack_integrity_error() {
    use lopdf::{dictionary, Object};
    let dir = tempfile::tempdir().unwrap();
    let pdf = common::render_pack(dir.path(), &sample("year5-passing"), &[]);
    // However the annotation brings its file: a file attachment with its subtype written out
    // or by reference (an attacker's), a link that launches the file or goes to it.
    for (name, how) in [
        ("direct", 0),
        ("subtype-by-reference", 1),
        ("launch-action", 2),
        ("embedded-goto-action", 3),
        ("launch-after-a-goto", 4),
        ("page-additional-action", 5),
        ("screen-rendition", 6),
    ] {
        let mut doc = lopdf::Document::load(&pdf).unwrap();
        let data = lopdf::Stream::new(
            dictionary! {"Type" => "EmbeddedFile"},
            b"kind: consent\n".to_vec(),
        );
        let data = doc.add_object(data);
        let spec = doc.add_object(dictionary! {
            "Type" => "Filespec",
            "F" => Object::string_literal("consent-withdrawn.yaml"),
            "EF" => dictionary! {"F" => data},
        });
        let rect = || vec![0.into(), 0.into(), 10.into(), 10.into()];
        let annot = match how {
            0 => dictionary! {
                "Type" => "Annot", "Subtype" => "FileAttachment", "Rect" => rect(), "FS" => spec,
            },
            1 => {
                let subtype = doc.add_object(Object::Name(b"FileAttachment".to_vec()));
                dictionary! {
                    "Type" => "Annot", "Subtype" => subtype, "Rect" => rect(), "FS" => spec,
                }
            }
            2 => dictionary! {
                "Type" => "Annot", "Subtype" => "Link", "Rect" => rect(),
                "A" => dictionary! {"S" => "Launch", "F" => spec},
            },
            3 => {
                let action = doc.add_object(dictionary! {"S" => "GoToE", "F" => spec});
                dictionary! {"Type" => "Annot", "Subtype" => "Link", "Rect" => rect(), "A" => action}
            }
            4 => dictionary! {
                "Type" => "Annot", "Subtype" => "Link", "Rect" => rect(),
                "A" => dictionary! {
                    "S" => "GoTo",
                    "D" => vec![Object::Integer(0), "Fit".into()],
                    "Next" => vec![dictionary! {"S" => "Launch", "F" => spec}.into()],
                },
            },
            5 => {
                let first = *doc.get_pages().get(&1).unwrap();
                doc.get_dictionary_mut(first).unwrap().set(
                    "AA",
                    dictionary! {"O" => dictionary! {"S" => "Launch", "F" => spec}},
                );
                dictionary! {"Type" => "Annot", "Subtype" => "Link", "Rect" => rect(), "Dest" => vec![Object::Integer(0), "Fit".into()]}
            }
            _ => dictionary! {
                "Type" => "Annot", "Subtype" => "Screen", "Rect" => rect(),
                "A" => dictionary! {
                    "S" => "Rendition",
                    "R" => dictionary! {"S" => "MR", "C" => dictionary! {"S" => "MCD", "D" => spec}},
                },
            },
        };
        let annot = doc.add_object(annot);
        let first = *doc.get_pages().get(&1).unwrap();
        doc.get_dictionary_mut(first)
            .unwrap()
            .set("Annots", vec![Object::Reference(annot)]);
        let changed = dir.path().join(format!("{name}.pdf"));
        doc.save(&changed).unwrap();
        let report = json(dir.path(), &[changed.to_str().unwrap()]);
        let found = report["cases"][0]["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| {
                d["rule"] == "pack-integrity"
                    && d["message"]
                        .as_str()
                        .unwrap()
                        .contains("attached to its pages")
            });
        assert!(found, "{name}: {report}");
    }
}
