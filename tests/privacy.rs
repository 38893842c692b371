//! A looked-after child's protected address never appears in any output (Durham toolkit,
//! "Maintenance of SEN records"): every validate format is scanned byte by byte.

mod common;

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
            Some(0),
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
