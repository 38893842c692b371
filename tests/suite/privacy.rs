//! A looked-after child's protected address never appears in any output (Durham toolkit,
//! "Maintenance of SEN records"): every validate format is scanned byte by byte.
// Tests read their fixtures and outputs directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use crate::common;

use std::process::Command;

const CASE: &str = "sample-cases/fail-protected-address-leak";

/// The protected address's parts, read from the sample itself so the test follows the sample.
fn protected_parts() -> Vec<String> {
    let text = std::fs::read_to_string(format!("{}/{CASE}/pupil.yaml", env!("CARGO_MANIFEST_DIR")))
        .unwrap();
    let root = ehcpack::yaml::parse(&text).unwrap().unwrap();
    let address = root.get("address").unwrap();
    assert_eq!(
        address.get("protected").unwrap().value,
        ehcpack::yaml::Value::Bool(true)
    );
    let mut parts: Vec<String> = match &address.get("lines").unwrap().value {
        ehcpack::yaml::Value::Seq(lines) => lines
            .iter()
            .map(|l| l.as_str().unwrap().to_string())
            .collect(),
        _ => panic!("lines is a list"),
    };
    let postcode = address
        .get("postcode")
        .unwrap()
        .as_str()
        .unwrap()
        .to_string();
    parts.push(postcode.replace(' ', ""));
    parts.push(postcode);
    parts
}

fn leaks(output: &[u8], parts: &[String]) -> Vec<String> {
    let text = String::from_utf8_lossy(output).to_lowercase();
    let squashed: String = text.split_whitespace().collect();
    parts
        .iter()
        .filter(|p| {
            let p = p.to_lowercase();
            text.contains(&p) || squashed.contains(&p.split_whitespace().collect::<String>())
        })
        .cloned()
        .collect()
}

#[test]
fn no_validate_format_prints_the_protected_address() {
    let parts = protected_parts();
    // The case itself does contain the address in free text: that is what the rule catches.
    let views = std::fs::read(format!("{}/{CASE}/views.yaml", env!("CARGO_MANIFEST_DIR"))).unwrap();
    assert!(!leaks(&views, &parts).is_empty(), "the sample really leaks");
    for format in ["human", "json", "junit", "sarif", "github", "csv", "html"] {
        let out = Command::new(env!("CARGO_BIN_EXE_ehcpack"))
            .args([
                "validate",
                CASE,
                "--today",
                "2026-01-15",
                "--format",
                format,
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("protected-address-leak"), "{format}: {text}");
        assert_eq!(
            leaks(&out.stdout, &parts),
            Vec::<String>::new(),
            "{format} leaks: {text}"
        );
        assert_eq!(
            leaks(&out.stderr, &parts),
            Vec::<String>::new(),
            "{format} stderr leaks"
        );
    }
}

#[test]
fn a_schema_error_in_the_address_block_does_not_quote_it() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("case");
    std::fs::create_dir(&case).unwrap();
    for entry in std::fs::read_dir(format!("{}/{CASE}", env!("CARGO_MANIFEST_DIR"))).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), case.join(entry.file_name())).unwrap();
        }
    }
    // A typo on the postcode's own line: the finding points at that line.
    let pupil = std::fs::read_to_string(case.join("pupil.yaml")).unwrap();
    std::fs::write(
        case.join("pupil.yaml"),
        pupil.replace("  postcode:", "  postcod:"),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ehcpack"))
        .args(["validate", case.to_str().unwrap(), "--today", "2026-01-15"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("unknown field `postcod`"), "{text}");
    assert_eq!(
        leaks(&out.stdout, &protected_parts()),
        Vec::<String>::new(),
        "{text}"
    );
}

/// Every sample, in every output ehcpack makes (each validate format, status, and the PDF, as a
/// draft where the case has errors): no byte of any output holds a protected address, neither in
/// the raw PDF nor in its decompressed streams nor in the text lopdf extracts (poppler's text:
/// tests/external/pdf.rs).
#[test]
fn every_output_of_every_sample_is_free_of_protected_addresses() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let parts = protected_parts();
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for entry in std::fs::read_dir(root.join("sample-cases")).unwrap() {
        let case = entry.unwrap().path();
        if !case.is_dir() {
            continue;
        }
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let case_arg = case.to_str().unwrap();
        let mut outputs: Vec<(String, Vec<u8>)> = Vec::new();
        for format in ["human", "json", "junit", "sarif", "github", "csv", "html"] {
            let out = Command::new(env!("CARGO_BIN_EXE_ehcpack"))
                .args([
                    "validate",
                    case_arg,
                    "--today",
                    "2026-01-15",
                    "--format",
                    format,
                ])
                .output()
                .unwrap();
            outputs.push((
                format!("{name} {format}"),
                [out.stdout, out.stderr].concat(),
            ));
        }
        let status = Command::new(env!("CARGO_BIN_EXE_ehcpack"))
            .args(["status", case_arg, "--today", "2026-01-15"])
            .output()
            .unwrap();
        outputs.push((
            format!("{name} status"),
            [status.stdout, status.stderr].concat(),
        ));
        let pdf = dir.path().join(format!("{name}.pdf"));
        let render = Command::new(env!("CARGO_BIN_EXE_ehcpack"))
            .args([
                "render",
                case_arg,
                "--today",
                "2026-01-15",
                "--draft",
                "-o",
                pdf.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert_eq!(
            render.status.code(),
            common::render_status(&render.stdout),
            "{name}: {}",
            String::from_utf8_lossy(&render.stderr)
        );
        outputs.push((
            format!("{name} render output"),
            [render.stdout, render.stderr].concat(),
        ));
        let bytes = std::fs::read(&pdf).unwrap();
        let mut document = lopdf::Document::load_mem(&bytes).unwrap();
        document.decompress();
        let mut decompressed = Vec::new();
        document.save_to(&mut decompressed).unwrap();
        let text = common::document_pages_text(&document).join("\n");
        outputs.push((format!("{name} PDF bytes"), bytes));
        outputs.push((format!("{name} PDF decompressed"), decompressed));
        outputs.push((format!("{name} PDF text"), text.into_bytes()));
        for (what, output) in outputs {
            assert_eq!(leaks(&output, &parts), Vec::<String>::new(), "{what} leaks");
            checked += 1;
        }
    }
    assert!(
        checked >= 8 * 12,
        "every sample and every output: {checked}"
    );
}

#[test]
fn render_errors_about_the_case_do_not_name_its_protected_address() {
    let parts = protected_parts();
    let dir = common::tempdir();
    // An output path that spells the postcode, in a folder that does not exist; one that names
    // an existing folder; one inside the case folder.
    let folder = dir.path().join("DH7-9ZQ");
    std::fs::create_dir(&folder).unwrap();
    let case = format!("{}/{CASE}", env!("CARGO_MANIFEST_DIR"));
    for target in [
        dir.path().join("missing/14 Larchfield Row/DH7 9ZQ.pdf"),
        folder.clone(),
    ] {
        let out = common::ehcpack(&[
            "render",
            &case,
            "--draft",
            "--today",
            "2026-01-15",
            "-o",
            target.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2), "{}", common::stderr(&out));
        let stderr = common::stderr(&out);
        assert!(stderr.contains("[address withheld]"), "{stderr}");
        assert_eq!(leaks(&out.stderr, &parts), Vec::<String>::new(), "{stderr}");
        assert_eq!(leaks(&out.stdout, &parts), Vec::<String>::new());
    }
}

/// The sample's case with its deliberate leak taken out of views.yaml, in `dir/name`.
fn clean_protected_case(dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    let case = common::copy_sample(dir, "fail-protected-address-leak", name);
    let views = case.join("views.yaml");
    let text = std::fs::read_to_string(&views)
        .unwrap()
        .replace(
            "Since Josh moved to live with us at 14 Larchfield Row,",
            "Since Josh moved to live with us",
        )
        .replace("    DH7 9ZQ in December", "    in December");
    std::fs::write(&views, text).unwrap();
    case
}

/// Every format of `validate` over `path`, and what each printed (stdout and stderr).
fn every_format(path: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    ["human", "json", "junit", "sarif", "github", "csv", "html"]
        .into_iter()
        .map(|format| {
            let out = common::ehcpack(&[
                "validate",
                path.to_str().unwrap(),
                "--today",
                "2026-01-15",
                "--format",
                format,
            ]);
            let mut all = out.stdout.clone();
            all.extend_from_slice(&out.stderr);
            (format.to_string(), all)
        })
        .collect()
}

#[test]
fn font_coverage_never_spells_the_protected_address_character_by_character() {
    let dir = common::tempdir();
    let case = clean_protected_case(dir.path(), "josh");
    // The address typed in full-width letters and Arabic-Indic digits, which no bundled font
    // prints; and the same postcode quoted in the family's views.
    let pupil = case.join("pupil.yaml");
    let text = std::fs::read_to_string(&pupil)
        .unwrap()
        .replace("postcode: DH7 9ZQ", "postcode: ＤＨ７ ９ＺＱ")
        .replace(
            "    - 14 Larchfield Row",
            "    - \u{661}\u{664} Larchfield Row",
        );
    std::fs::write(&pupil, text).unwrap();
    for (format, out) in every_format(&case) {
        let text = String::from_utf8_lossy(&out);
        assert!(!text.contains("U+FF24"), "{format}: {text}");
        assert!(!text.contains("U+0661"), "{format}: {text}");
    }
    let pdf = dir.path().join("josh.pdf");
    let out = common::ehcpack(&[
        "render",
        case.to_str().unwrap(),
        "--today",
        "2026-01-15",
        "-o",
        pdf.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    assert!(
        !common::stdout(&out).contains("U+FF"),
        "{}",
        common::stdout(&out)
    );
    let pages = common::pdf_pages_text(&pdf).join("\n");
    assert!(
        !pages.contains("U+FF24") && !pages.contains("U+0661"),
        "{pages}"
    );
}

#[test]
fn a_pupil_document_that_cannot_be_read_or_misplaces_its_flag_still_protects_the_address() {
    let dir = common::tempdir();
    let batch = dir.path().join("batch");
    std::fs::create_dir(&batch).unwrap();
    // One pupil.yaml saved as Latin-1; another with `protected: true` at the top level.
    let latin = clean_protected_case(&batch, "latin");
    let mut bytes = std::fs::read(latin.join("pupil.yaml")).unwrap();
    bytes.extend_from_slice(b"\nnote: Zo\xeb\n");
    std::fs::write(latin.join("pupil.yaml"), bytes).unwrap();
    let flag = clean_protected_case(&batch, "flag");
    let text = std::fs::read_to_string(flag.join("pupil.yaml"))
        .unwrap()
        .replace("  protected: true\n", "")
        + "protected: true\n";
    std::fs::write(flag.join("pupil.yaml"), text).unwrap();
    // Another case and a stray file spell the address.
    common::copy_sample(&batch, "year10-pfa-passing", "other 14 Larchfield Row");
    std::fs::write(batch.join("DH7 9ZQ notes.yml"), "note: x\n").unwrap();
    for (format, out) in every_format(&batch) {
        let text = String::from_utf8_lossy(&out).to_lowercase();
        let squashed: String = text.chars().filter(|c| c.is_alphanumeric()).collect();
        assert!(!squashed.contains("dh79zq"), "{format}: {text}");
        assert!(!squashed.contains("14larchfield"), "{format}: {text}");
    }
    // Each on its own, rendered as a draft: the embedded copy withholds the address too.
    for case in [&latin, &flag] {
        let views = case.join("views.yaml");
        let text = std::fs::read_to_string(&views).unwrap().replace(
            "Since Josh moved to live with us",
            "Since Josh moved to live with us at 14 Larchfield Row, DH7 9ZQ,",
        );
        std::fs::write(&views, text).unwrap();
        let pdf = dir.path().join("draft.pdf");
        let out = common::ehcpack(&[
            "render",
            case.to_str().unwrap(),
            "--draft",
            "--today",
            "2026-01-15",
            "-o",
            pdf.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
        let mut everything = common::pdf_pages_text(&pdf).join("\n");
        let opened = ehcpack::received::pack::open(&pdf, None, &Default::default())
            .expect("the draft is a pack");
        for (name, data) in &opened.files {
            everything.push_str(name);
            everything.push_str(&String::from_utf8_lossy(data));
        }
        let squashed: String = everything
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        assert!(!squashed.contains("dh79zq"), "{}", case.display());
        assert!(!squashed.contains("14larchfield"), "{}", case.display());
    }
}

#[test]
fn a_pack_file_name_never_spells_the_protected_address() {
    let dir = common::tempdir();
    let case = clean_protected_case(dir.path(), "Josh DH7 9ZQ");
    // The default name leaves the address out.
    let out = common::ehcpack_in(
        dir.path(),
        &["render", "Josh DH7 9ZQ", "--today", "2026-01-15"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.contains(&"Josh address withheld.pdf".to_string()),
        "{names:?}"
    );
    // A name given with -o that spells it is refused, and nothing is written.
    let target = dir.path().join("dh7-9zq.pdf");
    let out = common::ehcpack(&[
        "render",
        case.to_str().unwrap(),
        "--today",
        "2026-01-15",
        "-o",
        target.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        common::stderr(&out).contains("choose a name"),
        "{}",
        common::stderr(&out)
    );
    assert!(!common::stderr(&out).to_lowercase().contains("dh7"));
    assert!(!target.exists());
}

#[test]
fn a_pupil_file_too_large_to_check_still_protects_an_address_past_its_first_megabyte() {
    let dir = common::tempdir();
    let case = clean_protected_case(dir.path(), "ava");
    let pupil = case.join("pupil.yaml");
    let text = format!(
        "# {}\n{}",
        "x".repeat(1_200_000),
        std::fs::read_to_string(&pupil).unwrap()
    );
    std::fs::write(&pupil, text).unwrap();
    std::fs::write(case.join("DH7 9ZQ.yaml"), "note: x\n").unwrap();
    for (format, out) in every_format(&case) {
        let text = String::from_utf8_lossy(&out);
        let squashed: String = text
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        // (CSV has no messages, only the verdict.)
        assert!(
            format == "csv" || text.contains("at most 1 MB"),
            "{format}: {text}"
        );
        assert!(!squashed.contains("dh79zq"), "{format}: {text}");
    }
}

#[test]
fn an_address_in_a_comment_is_a_leak_before_render() {
    let dir = common::tempdir();
    let case = clean_protected_case(dir.path(), "ava");
    let views = case.join("views.yaml");
    let text = std::fs::read_to_string(&views).unwrap()
        + "# Josh lives at 14 Larchfield Row, DH7 9ZQ (do not share)\n";
    std::fs::write(&views, text).unwrap();
    let out = common::ehcpack(&["validate", case.to_str().unwrap(), "--today", "2026-01-15"]);
    assert_eq!(out.status.code(), Some(1), "{}", common::stdout(&out));
    let text = common::stdout(&out);
    assert!(text.contains("error[protected-address-leak]"), "{text}");
    assert!(text.contains("in a comment"), "{text}");
    assert!(
        !text.contains("Larchfield") && !text.contains("9ZQ"),
        "{text}"
    );
    // A comment without the address, and a `#` inside a quoted value, are nothing.
    let clean = clean_protected_case(dir.path(), "kim");
    let views = clean.join("views.yaml");
    let text = std::fs::read_to_string(&views).unwrap() + "# reviewed with the carers\n";
    std::fs::write(&views, text).unwrap();
    let out = common::ehcpack(&["validate", clean.to_str().unwrap(), "--today", "2026-01-15"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stdout(&out));
}
