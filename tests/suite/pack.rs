//! What the pack says about itself is true (docs/pack.md): by default the reports travel as
//! attached files and the pack says so, with how to open them, and never that they are printed
//! after it; with `--evidence-pages` they are printed after it and the pack says that. The check
//! summary asks the local authority's questions in plain words, without the tool's rule ids.
// Tests read their fixtures and outputs directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeSet;
use std::fs;

use crate::common::{pdf_pages_text, render_pack, sample, sample_copy, tempdir};
use lopdf::{Dictionary, Document, Object};

/// The names of the files embedded in the PDF (its EmbeddedFiles name tree).
fn embedded_names(doc: &Document) -> BTreeSet<String> {
    fn walk(doc: &Document, node: &Dictionary, out: &mut BTreeSet<String>) {
        if let Ok(names) = node.get(b"Names").and_then(Object::as_array) {
            for pair in names.chunks(2) {
                if let Ok(Object::String(bytes, _)) = doc.dereference(&pair[0]).map(|(_, o)| o) {
                    out.insert(String::from_utf8_lossy(bytes).into_owned());
                }
            }
        }
        if let Ok(kids) = node.get(b"Kids").and_then(Object::as_array) {
            for k in kids {
                if let Ok((_, Object::Dictionary(d))) = doc.dereference(k) {
                    walk(doc, d, out);
                }
            }
        }
    }
    let catalog = doc.catalog().unwrap();
    let names = doc.dereference(catalog.get(b"Names").unwrap()).unwrap().1;
    let files = doc
        .dereference(names.as_dict().unwrap().get(b"EmbeddedFiles").unwrap())
        .unwrap()
        .1;
    let mut out = BTreeSet::new();
    walk(doc, files.as_dict().unwrap(), &mut out);
    out
}

#[test]
fn by_default_the_pack_says_its_reports_are_attached_files_and_how_to_open_them() {
    let tmp = tempdir();
    let pdf = render_pack(tmp.path(), &sample("year5-passing"), &[]);
    let pages = pdf_pages_text(&pdf);
    let all = pages.join(" ");
    for false_claim in ["appendix", "appendices", "attached after this page"] {
        assert!(
            !all.to_lowercase().contains(false_claim),
            "the pack says {false_claim:?} but prints no report"
        );
    }
    for said in [
        "their pages are not printed in this pack, so a printed copy does not contain them",
        "in Adobe Acrobat Reader, the paper-clip button",
        "Yes, as the file evidence/reports/salt-report.pdf inside this PDF",
        "Yes, as the file evidence/reports/my-story.pdf inside this PDF",
    ] {
        assert!(all.contains(said), "the pack does not say {said:?}");
    }
    // What it says is attached is attached, under the name it gives, and nothing is printed
    // after the pack's last page ("Page N of N").
    let doc = Document::load(&pdf).unwrap();
    let names = embedded_names(&doc);
    for name in [
        "evidence/reports/salt-report.pdf",
        "evidence/reports/my-story.pdf",
    ] {
        assert!(names.contains(name), "{name} is not attached: {names:?}");
    }
    let last = pages.len();
    assert!(pages[last - 1].contains(&format!("Page {last} of {last}")));
}

#[test]
fn with_evidence_pages_the_pack_says_the_reports_are_printed_after_it() {
    let tmp = tempdir();
    let pdf = render_pack(tmp.path(), &sample("year5-passing"), &["--evidence-pages"]);
    let pages = pdf_pages_text(&pdf);
    let all = pages.join(" ");
    assert!(
        all.contains("Each report in PDF is also printed after the last page of this pack"),
        "{all}"
    );
    assert!(all.contains(
        "Yes, as the file evidence/reports/salt-report.pdf inside this PDF, and printed as appendix 1"
    ));
    assert!(all.contains(
        "Yes, as the file evidence/reports/my-story.pdf inside this PDF, and printed as appendix 2"
    ));
    assert!(!all.contains("not printed in this pack"));
    // The pack's own pages say "Page N of M"; the appended pages come after page M.
    let own = pages
        .iter()
        .filter(|p| p.contains("EHC needs assessment request - pupil JLH"))
        .count();
    assert!(pages.len() > own, "no report page follows the pack");
}

/// A file the case lists but that cannot be read is neither attached nor said to be.
#[test]
fn a_file_that_cannot_be_attached_is_said_not_to_be() {
    let (_tmp, case) = sample_copy("year5-passing");
    fs::write(case.join("reports/my-story.pdf"), b"not a PDF at all").unwrap();
    let out = tempdir();
    let pdf = render_pack(out.path(), &case, &["--draft"]);
    let all = pdf_pages_text(&pdf).join(" ");
    assert!(all.contains("Yes, as the file evidence/reports/salt-report.pdf inside this PDF"));
    assert!(!all.contains("evidence/reports/my-story.pdf"), "{all}");
    let names = embedded_names(&Document::load(&pdf).unwrap());
    assert!(!names.contains("evidence/reports/my-story.pdf"));
}

/// The check summary asks what the local authority asks, in plain words; the tool's rule ids
/// and the wording of its internal checks stay in `validate`.
#[test]
fn the_check_summary_is_written_for_the_reader() {
    let tmp = tempdir();
    let pdf = render_pack(tmp.path(), &sample("year5-passing"), &[]);
    let pages = pdf_pages_text(&pdf);
    let summary = pages
        .iter()
        .find(|p| {
            p.contains("Check summary What the local authority asks")
                || p.contains("What the local authority asks Result")
        })
        .expect("a check summary page");
    for question in [
        "What are the child's special educational needs",
        "What do the child and the parents think, and what do they want?",
        "What support has the school given",
        "What progress has the child made over time?",
        "What have other professionals found and advised?",
        "Do the parents (or the young person) agree, and has the school signed the request?",
        "Do the dates fit together, and is the request in time?",
    ] {
        assert!(summary.contains(question), "{question}: {summary}");
    }
    let all = pages.join(" ");
    for rule in ehcpack::rules::RuleId::ALL {
        assert!(
            !all.contains(rule.as_str()),
            "the pack prints the rule id {rule}"
        );
    }
    for internal in ["YAML", "UTF-8", "anchors", "Preparing for Adulthood area"] {
        assert!(!summary.contains(internal), "{internal}: {summary}");
    }
}

/// A finding is printed under the question it answers, in the rule's own message.
#[test]
fn a_finding_is_shown_under_the_question_it_answers() {
    let tmp = tempdir();
    let pdf = render_pack(tmp.path(), &sample("fail-no-consent"), &["--draft"]);
    let all = pdf_pages_text(&pdf).join(" ");
    assert!(
        all.contains("Agreement and signatures: not met • the parental consent is not signed"),
        "{all}"
    );
    assert!(all.contains("some of it is missing: the school should complete it before sending"));
    let tmp = tempdir();
    let pdf = render_pack(tmp.path(), &sample("warn-after-guidance-date"), &[]);
    let all = pdf_pages_text(&pdf).join(" ");
    assert!(
        all.contains("Dates: to note • the request goes to the LA on"),
        "{all}"
    );
}
