//! `ehcpack render`: runs the built binary on the sample cases (and cases made from them) and
//! reads the PDF back with lopdf: its text, structure tree, outline, fonts and embedded files.
//! Tests that need poppler or the `pdfua` checker are in the external suite (tests/external).
// Tests read their fixtures and outputs directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use lopdf::{Dictionary, Document, Object};

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
    let (path, _) = render_out(dir, case, extra);
    path
}

fn render_out(dir: &Path, case: &Path, extra: &[&str]) -> (PathBuf, String) {
    let mut args = vec!["render", case.to_str().unwrap(), "--today", TODAY];
    args.extend_from_slice(extra);
    let out = ehcpack(dir, &args);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    // A draft of a case with errors is written and exits 1.
    let draft_with_errors = stdout.contains(" - DRAFT: ") && !stdout.contains(" - DRAFT: 0 errors");
    assert_eq!(
        out.status.code(),
        Some(i32::from(draft_with_errors)),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let name = format!("{}.pdf", case.file_name().unwrap().to_string_lossy());
    let path = dir.join(name);
    assert!(path.is_file(), "{} was not written", path.display());
    (path, stdout)
}

/// A copy of a sample case, to change.
fn copy_case(name: &str, to: &Path) -> PathBuf {
    fn copy(from: &Path, to: &Path) {
        fs::create_dir_all(to).unwrap();
        for entry in fs::read_dir(from).unwrap() {
            let path = entry.unwrap().path();
            let target = to.join(path.file_name().unwrap());
            if path.is_dir() {
                copy(&path, &target);
            } else {
                fs::copy(&path, &target).unwrap();
            }
        }
    }
    let case = to.join(name);
    copy(&sample(name), &case);
    case
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}

fn fold(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of each page, white space folded.
fn pages_text(doc: &Document) -> Vec<String> {
    let pages = doc.get_pages();
    pages
        .keys()
        .map(|n| fold(&doc.extract_text(&[*n]).unwrap_or_default()))
        .collect()
}

fn load(pdf: &Path) -> Document {
    Document::load(pdf).expect("the pack reads back")
}

/// A PDF text string as Rust text.
fn text_string(o: &Object) -> String {
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

fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(o),
        _ => o,
    }
}

fn dict<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Dictionary> {
    match deref(doc, o) {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

/// The outline: (depth, title, destination) in order.
fn outline(doc: &Document) -> Vec<(usize, String, Vec<Object>)> {
    fn walk(
        doc: &Document,
        first: Option<&Object>,
        depth: usize,
        out: &mut Vec<(usize, String, Vec<Object>)>,
    ) {
        let mut next = first.cloned();
        let mut guard = 0;
        while let Some(o) = next {
            let d = dict(doc, &o).expect("outline item");
            let dest = d
                .get(b"Dest")
                .map(|o| deref(doc, o).clone())
                .ok()
                .and_then(|o| o.as_array().ok().cloned())
                .unwrap_or_default();
            out.push((depth, text_string(d.get(b"Title").unwrap()), dest));
            walk(doc, d.get(b"First").ok(), depth + 1, out);
            next = d.get(b"Next").ok().cloned();
            guard += 1;
            assert!(guard < 10_000, "outline loops");
        }
    }
    let catalog = doc.catalog().unwrap();
    let outlines = dict(doc, catalog.get(b"Outlines").expect("an outline")).unwrap();
    let mut out = Vec::new();
    walk(doc, outlines.get(b"First").ok(), 0, &mut out);
    out
}

/// The structure tree's element types, depth first, with each element's dictionary.
fn structure(doc: &Document) -> Vec<(String, Dictionary)> {
    fn walk(doc: &Document, o: &Object, out: &mut Vec<(String, Dictionary)>, depth: usize) {
        assert!(depth < 200, "the structure tree is too deep");
        match deref(doc, o) {
            Object::Array(items) => {
                for i in items {
                    walk(doc, i, out, depth + 1);
                }
            }
            Object::Dictionary(d) => {
                if let Ok(s) = d.get(b"S").and_then(Object::as_name) {
                    out.push((String::from_utf8_lossy(s).to_string(), d.clone()));
                }
                if let Ok(k) = d.get(b"K") {
                    walk(doc, k, out, depth + 1);
                }
            }
            _ => {}
        }
    }
    let catalog = doc.catalog().unwrap();
    let root = dict(
        doc,
        catalog.get(b"StructTreeRoot").expect("a structure tree"),
    )
    .unwrap();
    let mut out = Vec::new();
    walk(doc, root.get(b"K").expect("structure"), &mut out, 0);
    out
}

/// The embedded files, by name, with their bytes.
fn embedded(doc: &Document) -> BTreeMap<String, Vec<u8>> {
    fn walk(doc: &Document, node: &Dictionary, out: &mut BTreeMap<String, Vec<u8>>) {
        if let Ok(names) = node.get(b"Names").and_then(Object::as_array) {
            for pair in names.chunks(2) {
                let name = text_string(&pair[0]);
                let spec = dict(doc, &pair[1]).expect("file spec");
                let ef = dict(doc, spec.get(b"EF").unwrap()).unwrap();
                let stream = match deref(doc, ef.get(b"F").unwrap()) {
                    Object::Stream(s) => s,
                    _ => panic!("not a stream"),
                };
                let bytes = stream
                    .decompressed_content()
                    .unwrap_or_else(|_| stream.content.clone());
                out.insert(name, bytes);
            }
        }
        if let Ok(kids) = node.get(b"Kids").and_then(Object::as_array) {
            for k in kids {
                walk(doc, dict(doc, k).unwrap(), out);
            }
        }
    }
    let catalog = doc.catalog().unwrap();
    let names = dict(doc, catalog.get(b"Names").expect("a name dictionary")).unwrap();
    let files = dict(doc, names.get(b"EmbeddedFiles").expect("embedded files")).unwrap();
    let mut out = BTreeMap::new();
    walk(doc, files, &mut out);
    out
}

fn font_names(doc: &Document) -> Vec<String> {
    let mut out: Vec<String> = doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| {
            d.get(b"Type")
                .and_then(Object::as_name)
                .is_ok_and(|n| n == b"Font")
        })
        .filter_map(|d| d.get(b"BaseFont").and_then(Object::as_name).ok())
        .map(|n| String::from_utf8_lossy(n).to_string())
        .collect();
    out.sort();
    out.dedup();
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
    let doc = load(&pdf);
    let pages = pages_text(&doc);
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
    // The check summary asks the LA's questions; rule ids stay in `validate` (tests/pack.rs).
    assert!(
        all.contains("What the local authority asks"),
        "{}",
        pages[2]
    );
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
        let hex = ehcpack::manifest::sha256_hex(&fs::read(case.join(report)).unwrap());
        let grouped = hex
            .as_bytes()
            .chunks(8)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(all.contains(&grouped), "no checksum for {report}");
    }
    // Running header with initials only, "Page N of M" on every page.
    let total = pages.len();
    for (i, p) in pages.iter().enumerate() {
        assert!(
            p.contains("EHC needs assessment request - pupil JLH"),
            "page {}: {p}",
            i + 1
        );
        assert!(
            p.contains(&format!("Page {} of {total}", i + 1)),
            "page {}: {p}",
            i + 1
        );
    }
    assert!(!all.contains(DRAFT));

    // The outline: every section, and each attached report.
    let titles: Vec<String> = outline(&doc).into_iter().map(|(_, t, _)| t).collect();
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
    let reports: Vec<_> = titles
        .iter()
        .filter(|t| t.starts_with("Attached report "))
        .collect();
    assert_eq!(reports.len(), 2, "{titles:?}");
    // Contents page numbers point where the sections are.
    let contents = &pages[1];
    let evidence_page = pages
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

/// The outline and the contents' links go to the heading itself (a position on its page), not
/// just the page.
#[test]
fn outline_and_contents_point_at_the_headings() {
    let tmp = tempfile::tempdir().unwrap();
    let pdf = render(tmp.path(), &sample("year5-passing"), &[]);
    let doc = load(&pdf);
    let pages: Vec<lopdf::ObjectId> = doc.get_pages().into_values().collect();
    let texts = pages_text(&doc);
    for (_, title, dest) in outline(&doc) {
        assert!(dest.len() >= 4, "{title}: {dest:?}");
        assert_eq!(dest[1].as_name().unwrap(), b"XYZ", "{title}");
        let page = pages
            .iter()
            .position(|p| *p == dest[0].as_reference().unwrap())
            .unwrap();
        let top = dest[3].as_float().unwrap_or(0.0);
        assert!(top > 50.0 && top < 842.0, "{title}: y {top}");
        if !title.starts_with("Attached report") {
            let start: String = title.chars().take(30).collect();
            assert!(
                texts[page].contains(&fold(&start)),
                "{title} is not on page {}",
                page + 1
            );
        }
    }
    // Every contents entry is a link annotation to a destination.
    let contents_page = doc.get_dictionary(pages[1]).unwrap();
    let annots = contents_page
        .get(b"Annots")
        .and_then(Object::as_array)
        .expect("links on the contents page");
    assert!(annots.len() >= 10, "{} links", annots.len());
    for a in annots {
        let a = dict(&doc, a).unwrap();
        assert_eq!(a.get(b"Subtype").unwrap().as_name().unwrap(), b"Link");
        assert!(a.get(b"Dest").is_ok() || a.get(b"A").is_ok());
        assert!(a.get(b"Contents").is_ok(), "a link says where it goes");
    }
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

/// No larger than the genpdf pack was (144 KB before attachments) although tagged.
#[test]
fn a_typical_pack_is_small() {
    let tmp = tempfile::tempdir().unwrap();
    let case = sample("year5-passing");
    let pdf = render(tmp.path(), &case, &[]);
    let size = fs::metadata(&pdf).unwrap().len();
    let doc = load(&pdf);
    let evidence: u64 = embedded(&doc)
        .iter()
        .filter(|(n, _)| n.starts_with("evidence/"))
        .map(|(_, b)| b.len() as u64)
        .sum();
    let pack = size - evidence.min(size);
    assert!(pack <= 144 * 1024, "{pack} bytes before attachments");
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

/// Every byte of the file, with every stream decompressed and every string decoded.
fn all_bytes(pdf: &Path) -> String {
    let bytes = fs::read(pdf).unwrap();
    let mut doc = Document::load_mem(&bytes).unwrap();
    doc.decompress();
    let mut raw = bytes.clone();
    for object in doc.objects.values() {
        if let Object::Stream(s) = object {
            raw.extend_from_slice(&s.content);
        }
        if let Object::String(b, _) = object {
            raw.extend_from_slice(b);
            raw.extend_from_slice(text_string(object).as_bytes());
        }
    }
    for (name, data) in embedded(&doc) {
        raw.extend_from_slice(name.as_bytes());
        raw.extend_from_slice(&data);
    }
    String::from_utf8_lossy(&raw).to_uppercase()
}

#[test]
fn protected_address_is_never_printed_nor_embedded() {
    let tmp = tempfile::tempdir().unwrap();
    let case = sample("fail-protected-address-leak");
    let pupil = fs::read_to_string(case.join("pupil.yaml")).unwrap();
    assert!(pupil.contains("14 Larchfield Row") && pupil.contains("DH7 9ZQ"));
    let pdf = render(tmp.path(), &case, &["--draft"]);
    let doc = load(&pdf);
    let all = pages_text(&doc).join(" ");
    assert!(all.contains("Address withheld (protected)"));
    let squashed: String = all.split_whitespace().collect::<String>().to_uppercase();
    for needle in ["DH79ZQ", "LARCHFIELD"] {
        assert!(!squashed.contains(needle), "{needle} is in the text");
    }
    // Nor anywhere in the file: streams, strings, embedded documents and their names.
    let raw = all_bytes(&pdf);
    for needle in ["DH7 9ZQ", "DH79ZQ", "LARCHFIELD"] {
        assert!(!raw.contains(needle), "{needle} is in the file's bytes");
    }
    // The embedded pupil document is there, with the address withheld by a placeholder that
    // YAML reads as text (so the LA can validate the embedded case).
    let files = embedded(&doc);
    let pupil = String::from_utf8(files["case/pupil.yaml"].clone()).unwrap();
    assert!(pupil.contains("postcode: (address withheld)"), "{pupil}");
    assert!(!pupil.contains("[address withheld]"), "{pupil}");
    assert!(pupil.contains("legal_name"));
}

#[test]
fn the_case_and_its_manifest_are_embedded() {
    let tmp = tempfile::tempdir().unwrap();
    let case = sample("year5-passing");
    let pdf = render(tmp.path(), &case, &[]);
    let doc = load(&pdf);
    let files = embedded(&doc);
    let manifest: ehcpack::manifest::Manifest =
        serde_json::from_slice(&files[ehcpack::manifest::MANIFEST_FILE]).expect("a manifest");
    assert_eq!(
        manifest.manifest_version,
        ehcpack::manifest::MANIFEST_VERSION
    );
    assert_eq!(manifest.format, "ehcpack/1");
    assert_eq!(manifest.profile, ehcpack::profile::Profile::durham().name);
    assert!(!manifest.draft);
    assert!(!manifest.address_withheld);
    // Every YAML document of the case, as it is (no protected address here), and its checksum.
    let (typed, _) = ehcpack::case::load(&case);
    assert_eq!(manifest.documents.len(), typed.documents.len());
    for d in &typed.documents {
        let name = d.path.to_string_lossy().replace('\\', "/");
        let data = &files[&format!("case/{name}")];
        assert_eq!(data, d.text.as_bytes(), "{name}");
        let entry = manifest.documents.iter().find(|e| e.path == name).unwrap();
        assert_eq!(entry.sha256, ehcpack::manifest::sha256_hex(data));
    }
    // Each evidence file byte for byte.
    assert_eq!(manifest.attachments.len(), 2, "{:?}", manifest.attachments);
    for e in &manifest.attachments {
        let on_disk = fs::read(case.join(&e.path)).unwrap();
        assert_eq!(files[&format!("evidence/{}", e.path)], on_disk);
        assert_eq!(e.sha256, ehcpack::manifest::sha256_hex(&on_disk));
        assert_eq!(e.bytes, on_disk.len() as u64);
    }
    // PDF/A-3 associated files: each file spec says how it relates to the pack.
    let catalog = doc.catalog().unwrap();
    let af = catalog.get(b"AF").and_then(Object::as_array).expect("/AF");
    assert_eq!(af.len(), files.len());
    for spec in af {
        let spec = dict(&doc, spec).unwrap();
        assert!(spec.get(b"AFRelationship").is_ok());
    }
}

/// Tagged: language, title shown, headings in order, lists, tables with header cells and their
/// scope, figures with alternative text, and the running header and footer as artifacts.
#[test]
fn the_pack_is_tagged() {
    let tmp = tempfile::tempdir().unwrap();
    let pdf = render(tmp.path(), &sample("year5-passing"), &[]);
    let doc = load(&pdf);
    let catalog = doc.catalog().unwrap();
    assert_eq!(text_string(catalog.get(b"Lang").unwrap()), "en-GB");
    let mark = dict(&doc, catalog.get(b"MarkInfo").unwrap()).unwrap();
    assert!(mark.get(b"Marked").unwrap().as_bool().unwrap());
    let prefs = dict(&doc, catalog.get(b"ViewerPreferences").unwrap()).unwrap();
    assert!(prefs.get(b"DisplayDocTitle").unwrap().as_bool().unwrap());
    let raw = String::from_utf8_lossy(&fs::read(&pdf).unwrap()).to_string();
    assert!(raw.contains("pdfuaid:part"), "claims PDF/UA");
    assert!(raw.contains("pdfaid:part"), "claims PDF/A");

    let tree = structure(&doc);
    let kinds: Vec<&str> = tree.iter().map(|(s, _)| s.as_str()).collect();
    for k in [
        "H1", "H2", "H3", "P", "L", "LI", "Lbl", "LBody", "Table", "TR", "TH", "TD", "Figure",
        "TOC", "TOCI", "Link",
    ] {
        assert!(kinds.contains(&k), "no {k} in the structure tree");
    }
    // Headings never skip a level going down.
    let mut level = 0;
    for k in &kinds {
        if let Some(n) = k.strip_prefix('H').and_then(|n| n.parse::<u32>().ok()) {
            assert!(n <= level + 1, "H{n} after H{level}");
            level = n;
        }
    }
    // Header cells say what they head.
    for (s, d) in &tree {
        if s == "TH" {
            let a = deref(&doc, d.get(b"A").expect("TH attributes"));
            let attrs: Vec<&Object> = match a {
                Object::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            let scope = attrs
                .iter()
                .filter_map(|a| dict(&doc, a))
                .find_map(|a| a.get(b"Scope").ok())
                .expect("a header cell's scope")
                .as_name()
                .unwrap();
            assert!(scope == b"Column" || scope == b"Row");
        }
        if s == "Figure" {
            let alt = text_string(d.get(b"Alt").expect("a figure's alternative text"));
            assert!(alt.contains("Plan 1"), "{alt}");
        }
    }
    // The running header and footer are artifacts: their text is in no marked content.
    let first = doc.get_pages()[&1];
    let content = String::from_utf8_lossy(&doc.get_page_content(first)).to_string();
    assert!(content.contains("/Artifact"), "no artifacts on page 1");
}

/// The text is shown as hexadecimal glyph codes, not literal strings of escaped control bytes
/// (`vendor/pdf-writer`: a CID font's two-byte codes took 5 to 8 bytes a glyph as literals, 4 as
/// hex), and year5-passing stays under 138 KB (issue 20).
#[test]
fn glyph_codes_are_written_as_hex_and_the_pack_is_small() {
    let tmp = tempfile::tempdir().unwrap();
    let pdf = render(tmp.path(), &sample("year5-passing"), &[]);
    let size = std::fs::metadata(&pdf).unwrap().len();
    assert!(size < 138_000, "year5-passing's pack is {size} bytes");
    let doc = load(&pdf);
    let mut shown = 0;
    for (number, page) in doc.get_pages() {
        let content = doc.get_page_content(page);
        let text = String::from_utf8_lossy(&content);
        assert!(
            !text.contains("\\000"),
            "page {number} shows glyph codes as escaped literals"
        );
        shown += text.matches("]TJ").count() + text.matches(">Tj").count();
    }
    assert!(shown > 100, "only {shown} runs of text were shown");
}

/// A Reception pupil's year group is printed as the school says it, "Reception", not "Year 0"
/// (the terminal and the form already said Reception).
#[test]
fn a_reception_pupil_is_in_reception_not_year_0() {
    let tmp = tempfile::tempdir().unwrap();
    let case = copy_case("year5-passing", tmp.path());
    edit(
        &case.join("pupil.yaml"),
        "date_of_birth: 2016-02-14",
        "date_of_birth: 2021-02-14",
    );
    edit(&case.join("pupil.yaml"), "year_group: 5", "year_group: 0");
    let pdf = render(tmp.path(), &case, &["--draft"]);
    let text = pages_text(&load(&pdf)).join(" ");
    assert!(text.contains("Year group Reception"), "{text}");
    assert!(!text.contains("Year 0"), "{text}");
}

/// A parent's request without support plans says so in its check summary, not "Met"; a school's
/// complete request has no such row.
#[test]
fn a_parents_request_without_plans_says_none_recorded_not_met() {
    let tmp = tempfile::tempdir().unwrap();
    let parent = pages_text(&load(&render(
        tmp.path(),
        &sample("parent-request-consett"),
        &[],
    )))
    .join(" ");
    assert!(
        parent.contains("what did it cost? None recorded (not needed on this request)"),
        "{parent}"
    );
    let school = pages_text(&load(&render(tmp.path(), &sample("year5-passing"), &[]))).join(" ");
    assert!(!school.contains("None recorded"), "{school}");
}

#[test]
fn the_fonts_are_subsets() {
    let tmp = tempfile::tempdir().unwrap();
    let pdf = render(tmp.path(), &sample("year5-passing"), &[]);
    let fonts = font_names(&load(&pdf));
    assert!(!fonts.is_empty());
    for f in &fonts {
        let (tag, name) = f
            .split_once('+')
            .unwrap_or_else(|| panic!("{f} is not a subset"));
        assert!(
            tag.len() == 6 && tag.chars().all(|c| c.is_ascii_uppercase()),
            "{f}"
        );
        assert!(name.starts_with("AtkinsonHyperlegibleNext-"), "{f}");
    }
}

/// A Polish and Vietnamese name is printed, and reads back, exactly: the characters Atkinson
/// Hyperlegible Next lacks come from Noto Sans, and validate has nothing to say about them.
#[test]
fn every_name_is_printed_right() {
    let tmp = tempfile::tempdir().unwrap();
    let case = copy_case("year5-passing", tmp.path());
    let pupil = case.join("pupil.yaml");
    edit(&pupil, "first: Joshua", "first: Łukasz");
    edit(&pupil, "last: Heslop", "last: Wiśniewski-Nguyễn");
    edit(
        &pupil,
        "ethnicity: White British",
        "ethnicity: Mixed (Ελληνικά, Русский)",
    );
    let out = ehcpack(
        tmp.path(),
        &["validate", case.to_str().unwrap(), "--today", TODAY],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("font-coverage"), "{stdout}");
    let (pdf, said) = render_out(tmp.path(), &case, &[]);
    assert!(!said.contains("no font"), "{said}");
    let doc = load(&pdf);
    let cover = &pages_text(&doc)[0];
    assert!(cover.contains("Łukasz Lee Wiśniewski-Nguyễn"), "{cover}");
    let all = pages_text(&doc).join(" ");
    assert!(
        all.contains("Mixed (Ελληνικά, Русский)"),
        "Greek and Cyrillic"
    );
    let fonts = font_names(&doc);
    assert!(
        fonts
            .iter()
            .any(|f| f.ends_with("+NotoSans-Regular") || f.ends_with("+NotoSans-Bold")),
        "{fonts:?}"
    );
}

/// A name in a script no bundled font has: validate warns with the field and the character,
/// render says so too; with `--font` the warning goes and the name is printed.
#[test]
fn a_character_no_font_has_is_reported_and_a_font_can_be_added() {
    let tmp = tempfile::tempdir().unwrap();
    let case = copy_case("year5-passing", tmp.path());
    edit(
        &case.join("pupil.yaml"),
        "preferred_name: Josh",
        "preferred_name: \"جوش\"",
    );
    let out = ehcpack(
        tmp.path(),
        &["validate", case.to_str().unwrap(), "--today", TODAY],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "a warning only: {stdout}");
    assert!(stdout.contains("warning[font-coverage]"), "{stdout}");
    assert!(stdout.contains("preferred_name"), "{stdout}");
    assert!(stdout.contains("U+062C ج"), "{stdout}");
    assert!(stdout.contains("pupil.yaml:"), "located: {stdout}");
    let (_, said) = render_out(tmp.path(), &case, &[]);
    assert!(said.contains("no font can print"), "{said}");
    assert!(said.contains("U+062C ج"), "{said}");

    let font =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fonts/NotoSansArabic-Regular.ttf");
    let font = font.to_str().unwrap();
    let out = ehcpack(
        tmp.path(),
        &[
            "validate",
            case.to_str().unwrap(),
            "--today",
            TODAY,
            "--font",
            font,
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("font-coverage"), "{stdout}");
    let (pdf, said) = render_out(tmp.path(), &case, &["--font", font]);
    assert!(!said.contains("no font"), "{said}");
    let doc = load(&pdf);
    assert!(font_names(&doc)
        .iter()
        .any(|f| f.contains("NotoSansArabic")));
    // A font that is not a font: a clear error, exit 2.
    let out = ehcpack(
        tmp.path(),
        &[
            "validate",
            case.to_str().unwrap(),
            "--font",
            case.join("pupil.yaml").to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("pupil.yaml") && stderr.contains("font"),
        "{stderr}"
    );
}

#[test]
fn draft_is_marked_on_every_page() {
    let tmp = tempfile::tempdir().unwrap();
    let pdf = render(tmp.path(), &sample("fail-no-consent"), &["--draft"]);
    let pages = pages_text(&load(&pdf));
    assert!(pages.len() >= 10);
    for (i, p) in pages.iter().enumerate() {
        assert!(p.contains(DRAFT), "page {} lacks the draft mark", i + 1);
    }
    let all = pages.join(" ");
    assert!(all.contains("Not met"), "check summary shows the error");
}

/// A table that goes on to another page shows its header row there too, and a table's column
/// header is never broken inside a word.
#[test]
fn tables_repeat_their_header_and_keep_header_words_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let case = copy_case("year5-passing", tmp.path());
    // Many outcomes in plan 3: its outcomes table runs over pages.
    let plan = case.join("plan-3.yaml");
    let text = fs::read_to_string(&plan).unwrap();
    let at = text.find("outcomes:\n").unwrap();
    let mut extra = String::new();
    for n in 10..40 {
        extra.push_str(&format!(
            "  - id: X{n}\n    description: Extra outcome {n}, to make the table run over a page.\n    baseline: none yet\n    measure: observed weekly\n    target: 8 of 10\n    by: 2026-07-01\n"
        ));
    }
    let text = format!("{}outcomes:\n{extra}{}", &text[..at], &text[at + 10..]);
    fs::write(&plan, text).unwrap();
    let pdf = render(tmp.path(), &case, &["--draft"]);
    let pages = pages_text(&load(&pdf));
    let header = "Outcome Description Baseline Target and measure By";
    let with_extra: Vec<usize> = (0..pages.len())
        .filter(|i| pages[*i].contains("Extra outcome"))
        .collect();
    assert!(
        with_extra.len() >= 2,
        "the table spans pages: {with_extra:?}"
    );
    for i in with_extra {
        assert!(
            pages[i].contains(header),
            "page {} lacks the header row: {}",
            i + 1,
            pages[i]
        );
    }
    for bad in ["Outcom e", "Resul t", "Baselin e"] {
        assert!(
            !pages.join(" ").contains(bad),
            "a header broke inside a word: {bad}"
        );
    }
}

#[test]
fn never_writes_into_the_case_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let case = copy_case("year5-passing", tmp.path());
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
        templates.join("cover.jinja"),
        "@title Demande d'évaluation\n@centre {{ pupil.full_name | text }}\n",
    )
    .unwrap();
    let pdf = render(
        tmp.path(),
        &sample("year5-passing"),
        &["--templates", templates.to_str().unwrap()],
    );
    let pages = pages_text(&load(&pdf));
    assert!(pages[0].contains("Demande d'évaluation"), "{}", pages[0]);
    assert!(pages.iter().any(|p| p.contains("Check summary")));

    // A template with an error: exit 2, no file.
    fs::remove_file(&pdf).unwrap();
    fs::write(templates.join("cover.jinja"), "{% if %}\n").unwrap();
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

/// With --evidence-pages the reports' pages follow the pack, and the file claims neither
/// PDF/UA nor PDF/A (those pages are not tagged); the evidence is still embedded.
#[test]
fn evidence_pages_can_be_appended_without_false_claims() {
    let tmp = tempfile::tempdir().unwrap();
    let case = sample("year5-passing");
    let plain = load(&render(tmp.path(), &case, &[]));
    let other = tmp.path().join("other");
    fs::create_dir(&other).unwrap();
    let (pdf, said) = render_out(&other, &case, &["--evidence-pages"]);
    assert!(said.contains("claims neither PDF/UA nor PDF/A"), "{said}");
    let doc = load(&pdf);
    assert!(doc.get_pages().len() > plain.get_pages().len());
    let raw = String::from_utf8_lossy(&fs::read(&pdf).unwrap()).to_string();
    assert!(!raw.contains("pdfuaid:part") && !raw.contains("pdfaid:part"));
    assert!(embedded(&doc).keys().any(|k| k.starts_with("evidence/")));
}

// Bounded: time and memory grow with the input, and the largest inputs a case may hold render
// (or stop with a located error) in under 10 seconds and 300 MB. Measured with an allocator that
// counts, one case at a time, each in a run of the suite of its own (`alone`): the suite's other
// tests allocate in the suite's process.

mod bounded {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::path::Path;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    use std::time::{Duration, Instant};

    struct Counting;

    static CURRENT: AtomicUsize = AtomicUsize::new(0);
    static PEAK: AtomicUsize = AtomicUsize::new(0);

    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let p = unsafe { System.alloc(layout) };
            if !p.is_null() {
                let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            }
            p
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe { System.dealloc(ptr, layout) };
            CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
            let p = unsafe { System.realloc(ptr, layout, new) };
            if !p.is_null() {
                if new > layout.size() {
                    let now = CURRENT.fetch_add(new - layout.size(), Ordering::Relaxed) + new
                        - layout.size();
                    PEAK.fetch_max(now, Ordering::Relaxed);
                } else {
                    CURRENT.fetch_sub(layout.size() - new, Ordering::Relaxed);
                }
            }
            p
        }
    }

    #[global_allocator]
    static ALLOCATOR: Counting = Counting;

    /// One measured render at a time (the other tests run the binary, in other processes).
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

    /// The limits the issue sets; a debug build (plain `cargo test`) is given three times the
    /// time, since its own code is unoptimised. The release figures are in docs/development.md.
    const SECONDS: u64 = 10;
    const MEGABYTES: usize = 300;

    /// Validates and renders `case` (as a draft: these cases may break rules); returns the
    /// time, the heap's peak above where it started, and the result.
    fn measure(case: &Path) -> (Duration, usize, Result<usize, String>) {
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let profile = ehcpack::profile::Profile::durham();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
        let ctx = ehcpack::rules::Context::new(&profile, today);
        let fonts = ehcpack::render::fonts::Fonts::bundled();
        let base = CURRENT.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let start = Instant::now();
        let (c, report) = ehcpack::validate(case, &ctx);
        let options = ehcpack::render::Options {
            draft: true,
            today,
            templates: None,
            fonts: &fonts,
            profile: &profile.name,
            evidence: ehcpack::render::Evidence::Embedded,
        };
        let result = ehcpack::render::render_case(&c, &report, &options)
            .map(|r| r.bytes.len())
            .map_err(|e| e.to_string());
        drop(c);
        let took = start.elapsed();
        let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
        (took, peak, result)
    }

    /// Whether this is the test's own run. The suite's run starts the suite again with only
    /// `test` (the module path, `render::bounded::...`), waits for it to pass and says `false`.
    fn alone(test: &str) -> bool {
        if std::env::var_os("EHCPACK_TEST_ALONE").is_some() {
            return true;
        }
        let _heavy = crate::common::heavy();
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([test, "--exact", "--test-threads=1", "--nocapture"])
            .env("EHCPACK_TEST_ALONE", "1")
            .output()
            .unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{test} on its own:\n{said}");
        assert!(
            said.contains("1 passed"),
            "{test} did not run on its own:\n{said}"
        );
        false
    }

    fn within_limits(name: &str, case: &Path) -> usize {
        let (took, peak, result) = measure(case);
        let seconds = if cfg!(debug_assertions) {
            3 * SECONDS
        } else {
            SECONDS
        };
        eprintln!("{name}: {took:?}, peak heap {} MB", peak / (1024 * 1024));
        assert!(took < Duration::from_secs(seconds), "{name} took {took:?}");
        assert!(
            peak < MEGABYTES * 1024 * 1024,
            "{name} peaked at {peak} bytes"
        );
        result.unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// year5-passing with the needs description replaced by `text` (YAML block lines).
    fn with_needs(dir: &Path, text: &str) -> std::path::PathBuf {
        let case = super::copy_case("year5-passing", dir);
        let needs = case.join("needs.yaml");
        let body = std::fs::read_to_string(&needs).unwrap();
        std::fs::write(
            &needs,
            body.replacen("  nature: |\n", &format!("  nature: |\n    {text}\n"), 1),
        )
        .unwrap();
        case
    }

    #[test]
    fn a_paragraph_of_a_megabyte() {
        if !alone("render::bounded::a_paragraph_of_a_megabyte") {
            return;
        }
        let tmp = tempfile::tempdir().unwrap();
        let sentence = "Josh finds it hard to hold on to spoken instructions of more than two \
                        parts, and relies on copying other children in class. ";
        let mut text = String::new();
        while text.len() < 1_000_000 {
            text.push_str(sentence);
        }
        let case = with_needs(tmp.path(), &text);
        let bytes = within_limits("1 MB paragraph", &case);
        assert!(bytes > 100_000);
    }

    #[test]
    fn a_word_of_200000_characters() {
        if !alone("render::bounded::a_word_of_200000_characters") {
            return;
        }
        let tmp = tempfile::tempdir().unwrap();
        let word: String = "Wiśniewski".chars().cycle().take(200_000).collect();
        let case = with_needs(tmp.path(), &word);
        within_limits("200,000-character word", &case);
    }

    /// A thousand plans stop with an error that names the first plan past the limit; the
    /// most a pack shows renders within the limits.
    #[test]
    fn a_thousand_plans() {
        if !alone("render::bounded::a_thousand_plans") {
            return;
        }
        let tmp = tempfile::tempdir().unwrap();
        let case = super::copy_case("year5-passing", tmp.path());
        let plan = std::fs::read_to_string(case.join("plan-3.yaml")).unwrap();
        for n in 4..=1000 {
            std::fs::write(case.join(format!("plan-{n:04}.yaml")), &plan).unwrap();
        }
        let (took, peak, result) = measure(&case);
        let seconds = if cfg!(debug_assertions) {
            3 * SECONDS
        } else {
            SECONDS
        };
        assert!(took < Duration::from_secs(seconds), "took {took:?}");
        assert!(peak < MEGABYTES * 1024 * 1024, "peaked at {peak} bytes");
        let error = result.expect_err("a thousand plans are refused");
        assert!(error.contains("1000 support plans"), "{error}");
        assert!(error.contains("plan-"), "located: {error}");

        let most = ehcpack::render::MAX_PLANS;
        for n in (most + 1)..=1000 {
            std::fs::remove_file(case.join(format!("plan-{n:04}.yaml"))).unwrap();
        }
        let bytes = within_limits("the most plans a pack shows", &case);
        assert!(bytes > 100_000);
    }
}

/// A draft of a case that lacks documents (so no submission date) still renders, dated today.
#[test]
fn a_draft_of_an_incomplete_case_renders() {
    let tmp = tempfile::tempdir().unwrap();
    let case = copy_case("year5-passing", tmp.path());
    fs::remove_file(case.join("request.yaml")).unwrap();
    let pdf = render(tmp.path(), &case, &["--draft"]);
    let bytes = fs::read(&pdf).unwrap();
    assert!(
        bytes.windows(16).any(|w| w == b"D:20260115000000"),
        "dated --today"
    );
    assert!(pages_text(&load(&pdf))[0].contains(DRAFT));
}

/// Inputs the `render` fuzz target kept (`fuzz/README.md`), in its form: files separated by the
/// byte 0xFF, the first byte of each picking its name. Each renders as `render --draft` does.
#[test]
fn inputs_kept_from_fuzzing_render() {
    const NAMES: [&str; 16] = [
        "pupil.yaml",
        "family.yaml",
        "needs.yaml",
        "health.yaml",
        "plan-1.yaml",
        "plan-2.yaml",
        "plan-3.yaml",
        "attainment.yaml",
        "views.yaml",
        "professionals.yaml",
        "request.yaml",
        "consent.yaml",
        "evidence.yaml",
        "plan-4.yaml",
        "extra.yml",
        "reports/notes.yaml",
    ];
    let kept = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz/render");
    let mut inputs: Vec<PathBuf> = fs::read_dir(&kept)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty());
    for input in inputs {
        let dir = tempfile::tempdir().unwrap();
        let case = dir.path().join("case");
        fs::create_dir_all(case.join("reports")).unwrap();
        for pdf in ["salt-report.pdf", "my-story.pdf"] {
            fs::copy(
                sample("year5-passing").join("reports").join(pdf),
                case.join("reports").join(pdf),
            )
            .unwrap();
        }
        let data = fs::read(&input).unwrap();
        for chunk in data.split(|b| *b == 0xFF).take(16) {
            if let Some((&pick, content)) = chunk.split_first() {
                fs::write(case.join(NAMES[pick as usize % 16]), content).unwrap();
            }
        }
        let (pdf, out) = render_out(dir.path(), &case, &["--draft"]);
        assert!(pdf.is_file(), "{}: {out}", input.display());
    }
}
