//! `ehcpack render`: runs the built binary on the sample cases and reads the PDF back with lopdf.
//! (The same packs read by poppler's programs: tests/external/pdf.rs.)

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use lopdf::{Document, Object};

const TODAY: &str = "2026-01-15";
const DRAFT: &str = "DRAFT - not ready to send";

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-cases")
        .join(name)
}

fn ehcpack(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ehcpack"))
        .current_dir(cwd)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run ehcpack")
}

/// Renders `case` into `dir` (default output name), asserting success; returns the PDF's path.
fn render(dir: &Path, case: &Path, extra: &[&str]) -> PathBuf {
    let mut args = vec!["render", case.to_str().unwrap(), "--today", TODAY];
    args.extend_from_slice(extra);
    let out = ehcpack(dir, &args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let name = format!("{}.pdf", case.file_name().unwrap().to_string_lossy());
    let path = dir.join(name);
    assert!(path.is_file(), "{} was not written", path.display());
    path
}

/// The text of the PDF in content order, one string per page (read by lopdf).
fn pages_text(pdf: &Path) -> Vec<String> {
    common::pdf_pages_text(pdf)
}

fn fold(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn outline_titles(doc: &Document) -> Vec<String> {
    fn title(o: &Object) -> String {
        match o {
            Object::String(bytes, _) if bytes.starts_with(&[0xFE, 0xFF]) => {
                let units: Vec<u16> = bytes[2..]
                    .chunks(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .collect();
                String::from_utf16_lossy(&units)
            }
            Object::String(bytes, _) => String::from_utf8_lossy(bytes).to_string(),
            _ => String::new(),
        }
    }
    fn walk(doc: &Document, first: Option<&Object>, out: &mut Vec<String>) {
        let mut next = first.and_then(|o| o.as_reference().ok());
        let mut guard = 0;
        while let Some(id) = next {
            let d = doc.get_dictionary(id).expect("outline item");
            out.push(title(d.get(b"Title").expect("title")));
            walk(doc, d.get(b"First").ok(), out);
            next = d.get(b"Next").ok().and_then(|o| o.as_reference().ok());
            guard += 1;
            assert!(guard < 10_000, "outline loops");
        }
    }
    let catalog = doc.catalog().unwrap();
    let outlines = catalog
        .get(b"Outlines")
        .and_then(|o| o.as_reference())
        .expect("the pack has an outline");
    let outlines = doc.get_dictionary(outlines).unwrap();
    let mut out = Vec::new();
    walk(doc, outlines.get(b"First").ok(), &mut out);
    out
}

fn listing(dir: &Path) -> Vec<(PathBuf, u64)> {
    let mut out: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| {
            (
                e.path().to_path_buf(),
                e.metadata().map(|m| m.len()).unwrap_or(0),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn passing_case_renders_the_whole_pack() {
    let tmp = tempfile::tempdir().unwrap();
    let case = sample("year5-passing");
    let pdf = render(tmp.path(), &case, &[]);
    let bytes = fs::read(&pdf).unwrap();
    let doc = Document::load_mem(&bytes).unwrap();
    let pages = pages_text(&pdf);
    assert_eq!(doc.get_pages().len(), pages.len());
    assert!(pages.len() >= 10, "{} pages", pages.len());
    let all = pages.join(" ");

    // The cover: name, date of birth, school, submission date, marking.
    for text in [
        "Joshua Lee Heslop",
        "14 February 2016",
        "Brackenfield Primary School",
        "2 February 2026",
        "OFFICIAL-SENSITIVE",
    ] {
        assert!(pages[0].contains(text), "cover lacks {text}: {}", pages[0]);
    }
    // Every rule about a case folder in the check summary.
    for rule in ehcpack::rules::catalogue::all() {
        if rule.id.checks_a_case() {
            assert!(all.contains(rule.id.as_str()), "no rule id {}", rule.id);
        }
    }
    // Every outcome's description, every SHA-256 of an attached file.
    let (typed, _) = ehcpack::case::load(&case);
    assert_eq!(typed.plans.len(), 3);
    for plan in &typed.plans {
        for o in &plan.value.outcomes {
            let want = fold(&o.description);
            assert!(all.contains(&want), "outcome {} missing: {want}", o.id);
        }
    }
    for report in ["reports/salt-report.pdf", "reports/my-story.pdf"] {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(fs::read(case.join(report)).unwrap());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        let grouped = hex
            .as_bytes()
            .chunks(8)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(all.contains(&grouped), "no checksum for {report}");
    }
    // Running header with initials only, page numbers on every page of the pack.
    let pack_pages: Vec<&String> = pages
        .iter()
        .filter(|p| p.contains("EHC needs assessment request - pupil JLH"))
        .collect();
    assert!(pack_pages.len() >= 10);
    let total = pack_pages.len();
    for (i, p) in pack_pages.iter().enumerate() {
        assert!(
            p.contains(&format!("Page {} of {total}", i + 1)),
            "page {}: {p}",
            i + 1
        );
    }
    // The attachments follow the pack.
    assert!(pages.len() > total, "the reports are attached");
    assert!(!all.contains(DRAFT));

    // The outline: every section and every attachment.
    let titles = outline_titles(&doc);
    for t in [
        "Contents",
        "Check summary",
        "Pupil, family and school",
        "Special educational needs",
        "Views",
        "The graduated approach",
        "Attainment and progress",
        "Professionals and health",
        "Reasons for the request",
        "Consent and signatures",
        "Evidence",
    ] {
        assert!(
            titles.iter().any(|x| x == t),
            "outline lacks {t}: {titles:?}"
        );
    }
    assert!(titles.iter().any(|t| t.starts_with("Plan 3")), "{titles:?}");
    let appendices: Vec<_> = titles
        .iter()
        .filter(|t| t.starts_with("Appendix "))
        .collect();
    assert_eq!(appendices.len(), 2, "{titles:?}");
    // Contents page numbers point where the sections are.
    let contents = &pages[1];
    let evidence_page = pack_pages
        .iter()
        .position(|p| p.contains("Each file's SHA-256"))
        .unwrap()
        + 1;
    assert!(
        contents.contains(&format!("Evidence {evidence_page}")),
        "contents: {contents}"
    );
    // Reproducible metadata: dates from the case, no wall clock.
    assert!(bytes.windows(16).any(|w| w == b"D:20260202000000"));
}

#[test]
fn two_renders_are_identical() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let case = sample("year10-pfa-passing");
    let first = fs::read(render(a.path(), &case, &[])).unwrap();
    let second = fs::read(render(b.path(), &case, &[])).unwrap();
    assert!(first == second, "two renders differ");
}

#[test]
fn a_typical_pack_is_small() {
    let tmp = tempfile::tempdir().unwrap();
    let pdf = render(tmp.path(), &sample("year5-passing"), &[]);
    let size = fs::metadata(pdf).unwrap().len();
    assert!(size < 300 * 1024, "{size} bytes");
}

#[test]
fn failing_case_is_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let case = sample("fail-no-countersignature");
    let before = listing(&case);
    let out = ehcpack(
        tmp.path(),
        &["render", case.to_str().unwrap(), "--today", TODAY],
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("error[headteacher-countersignature]"),
        "{stdout}"
    );
    assert!(
        fs::read_dir(tmp.path()).unwrap().next().is_none(),
        "a file was written"
    );
    assert_eq!(before, listing(&case));
}

#[test]
fn protected_address_is_never_printed() {
    let tmp = tempfile::tempdir().unwrap();
    let case = sample("fail-protected-address-leak");
    let pupil = fs::read_to_string(case.join("pupil.yaml")).unwrap();
    assert!(pupil.contains("14 Larchfield Row") && pupil.contains("DH7 9ZQ"));
    let pdf = render(tmp.path(), &case, &["--draft"]);
    let all = pages_text(&pdf).join(" ");
    assert!(all.contains("Address withheld (protected)"));
    let squashed: String = all.split_whitespace().collect::<String>().to_uppercase();
    for needle in ["DH79ZQ", "LARCHFIELD"] {
        assert!(!squashed.contains(needle), "{needle} is in the text");
    }
    // Nor anywhere in the file, decompressed or not.
    let bytes = fs::read(&pdf).unwrap();
    let mut doc = Document::load_mem(&bytes).unwrap();
    doc.decompress();
    let mut raw = bytes.clone();
    for object in doc.objects.values() {
        if let Object::Stream(s) = object {
            raw.extend_from_slice(&s.content);
        }
        if let Object::String(b, _) = object {
            raw.extend_from_slice(b);
        }
    }
    let raw = String::from_utf8_lossy(&raw).to_uppercase();
    for needle in ["DH7 9ZQ", "DH79ZQ", "LARCHFIELD"] {
        assert!(!raw.contains(needle), "{needle} is in the file's bytes");
    }
}

#[test]
fn draft_is_marked_on_every_page() {
    let tmp = tempfile::tempdir().unwrap();
    let pdf = render(tmp.path(), &sample("fail-no-consent"), &["--draft"]);
    let pages = pages_text(&pdf);
    let pack: Vec<_> = pages
        .iter()
        .filter(|p| p.contains("EHC needs assessment request - pupil"))
        .collect();
    assert!(pack.len() >= 10);
    for (i, p) in pack.iter().enumerate() {
        assert!(p.contains(DRAFT), "page {} lacks the draft mark", i + 1);
    }
    let all = pages.join(" ");
    assert!(
        all.contains("parental-consent Every") || all.contains("Not met"),
        "check summary shows the error"
    );
}

#[test]
fn never_writes_into_the_case_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let case = tmp.path().join("case");
    common::copy_dir(&sample("year5-passing"), &case);
    let before = listing(&case);
    // From inside the case folder, without -o: refused.
    let out = ehcpack(&case, &["render", ".", "--today", TODAY]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(before, listing(&case));
    // From outside: the PDF lands in the current folder.
    let elsewhere = tmp.path().join("out");
    fs::create_dir(&elsewhere).unwrap();
    render(&elsewhere, &case, &[]);
    assert_eq!(before, listing(&case));
}

#[test]
fn bad_output_paths_exit_2_and_leave_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let case = sample("year5-passing");
    let missing = tmp.path().join("no-such-folder").join("pack.pdf");
    let out = ehcpack(
        tmp.path(),
        &[
            "render",
            case.to_str().unwrap(),
            "--today",
            TODAY,
            "-o",
            missing.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let out = ehcpack(
        tmp.path(),
        &[
            "render",
            case.to_str().unwrap(),
            "--today",
            TODAY,
            "-o",
            tmp.path().to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(fs::read_dir(tmp.path()).unwrap().next().is_none());
}

#[test]
fn templates_can_be_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let templates = tmp.path().join("templates");
    fs::create_dir(&templates).unwrap();
    fs::write(
        templates.join("cover.tera"),
        "@title Demande d'évaluation\n@centre {{ pupil.full_name | text }}\n",
    )
    .unwrap();
    let pdf = render(
        tmp.path(),
        &sample("year5-passing"),
        &["--templates", templates.to_str().unwrap()],
    );
    let pages = pages_text(&pdf);
    assert!(pages[0].contains("Demande d'évaluation"), "{}", pages[0]);
    assert!(pages.iter().any(|p| p.contains("Check summary")));

    // A template with an error: exit 2, no file.
    fs::remove_file(&pdf).unwrap();
    fs::write(templates.join("cover.tera"), "{% if %}\n").unwrap();
    let out = ehcpack(
        tmp.path(),
        &[
            "render",
            sample("year5-passing").to_str().unwrap(),
            "--today",
            TODAY,
            "--templates",
            templates.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(!pdf.exists());
}

/// The pack's text is set in the embedded Atkinson Hyperlegible fonts (no system font needed);
/// attached reports keep their own fonts. (poppler's pdffonts agrees: tests/external/pdf.rs.)
#[test]
fn the_fonts_are_embedded_and_attachments_keep_theirs() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = render(dir.path(), &sample("year5-passing"), &[]);
    let doc = Document::load(&pdf).unwrap();
    // Every font dictionary: its name, and whether a font program is embedded with it.
    let mut fonts: Vec<(String, bool)> = Vec::new();
    for object in doc.objects.values() {
        let Ok(dict) = object.as_dict() else { continue };
        if dict.get(b"Type").and_then(|t| t.as_name()).ok() != Some(b"Font".as_slice()) {
            continue;
        }
        let name = dict
            .get(b"BaseFont")
            .and_then(|n| n.as_name())
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_default();
        let descriptor = dict
            .get(b"FontDescriptor")
            .and_then(|d| d.as_reference())
            .and_then(|id| doc.get_dictionary(id))
            .or_else(|_| {
                // A composite font keeps its descriptor in its descendant font.
                let descendant = match dict.get(b"DescendantFonts")? {
                    Object::Array(a) => a.first().cloned(),
                    Object::Reference(id) => doc.get_object(*id)?.as_array()?.first().cloned(),
                    _ => None,
                }
                .ok_or(lopdf::Error::DictKey("DescendantFonts".into()))?;
                let descendant = doc.get_dictionary(descendant.as_reference()?)?;
                doc.get_dictionary(descendant.get(b"FontDescriptor")?.as_reference()?)
            });
        let embedded = descriptor.is_ok_and(|d| {
            [b"FontFile".as_slice(), b"FontFile2", b"FontFile3"]
                .iter()
                .any(|key| d.has(key))
        });
        fonts.push((name, embedded));
    }
    for face in ["AtkinsonHyperlegible-Regular", "AtkinsonHyperlegible-Bold"] {
        let found: Vec<_> = fonts.iter().filter(|(n, _)| n.ends_with(face)).collect();
        assert!(!found.is_empty(), "{face}: {fonts:?}");
        assert!(
            found.iter().all(|(_, e)| *e),
            "{face} is embedded: {fonts:?}"
        );
    }
    // The sample reports are written in Helvetica: left as they are, not swapped.
    assert!(fonts.iter().any(|(n, _)| n == "Helvetica"), "{fonts:?}");
}
