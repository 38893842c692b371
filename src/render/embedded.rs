//! The machine-readable copy inside the pack (see [`crate::manifest`]): the manifest, each
//! YAML document with every protected address value withheld, and each evidence file byte for
//! byte. And, by option, the PDF reports' pages appended after the pack.

use crate::load::case::Case;
use crate::manifest::{self, Entry, Manifest, CASE_PREFIX, EVIDENCE_PREFIX, MANIFEST_FILE};
use crate::privacy::Redactor;

use super::context::{Attachment, Extras};
use super::writer::Attached;
use super::{public, Options};

/// The case format the documents are in.
const FORMAT: &str = "ehcpack/1";

fn mime(path: &str) -> &'static str {
    let lower = path.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        "pdf" => "application/pdf",
        "yaml" | "yml" => "application/yaml",
        "json" => "application/json",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "doc" => "application/msword",
        "odt" => "application/vnd.oasis.opendocument.text",
        _ => "application/octet-stream",
    }
}

/// A document's text with the protected address withheld; an error when some part of it
/// would still be there (nothing is embedded rather than the address).
fn withheld(redactor: &Redactor, path: &str, text: &str) -> Result<String, String> {
    let out = public(redactor, text).into_string();
    if !redactor.parts_in(&out).is_empty() {
        return Err(format!(
            "cannot withhold the protected address from {path} for the copy inside the pack; \
             write the address only in the pupil's address block"
        ));
    }
    // `[address withheld]` would read as a YAML list where it starts a value, so the embedded
    // copy stays a valid case (the LA validates it) with a placeholder YAML reads as text.
    Ok(out.replace(crate::privacy::WITHHELD, WITHHELD_IN_YAML))
}

/// What stands for a protected address value in the embedded YAML documents: plain text in
/// every YAML context (block, flow, quoted).
pub const WITHHELD_IN_YAML: &str = "(address withheld)";

/// The evidence files the case lists (evidence.yaml, then professionals' reports), each once,
/// that pass the `evidence-file` checks: `(path as written, full path)`.
fn evidence_paths(case: &Case) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let listed = case
        .evidence
        .iter()
        .flat_map(|e| e.value.files.iter().map(|f| f.path.clone()))
        .chain(
            case.professionals
                .iter()
                .flat_map(|p| p.value.involvements.iter().filter_map(|i| i.report.clone())),
        );
    for path in listed {
        // Read and checked once when the case was loaded (case::read_evidence).
        let usable = case
            .evidence_facts(&path)
            .is_some_and(|facts| facts.problem.is_none() && !facts.carries_address());
        if out.contains(&path) || !usable {
            continue;
        }
        out.push(path);
    }
    out
}

/// The embedded files: the manifest first, then the documents, then the evidence.
pub fn files(
    case: &Case,
    _extras: &Extras,
    redactor: &Redactor,
    options: &Options,
    pages: usize,
) -> Result<Vec<Attached>, String> {
    let mut files = Vec::new();
    let mut documents = Vec::new();
    // A file that could not be read as a case document is left out, as when it was not read.
    for doc in case.documents.iter().filter(|d| !d.unreadable) {
        let path = public(redactor, &doc.path.to_string_lossy().replace('\\', "/"));
        if !manifest::is_safe_relative_path(&path) {
            continue;
        }
        let text = withheld(redactor, &path, &doc.text)?;
        documents.push(Entry::of(&path, text.as_bytes()));
        files.push(Attached {
            name: format!("{CASE_PREFIX}{path}"),
            mime: mime(&path),
            description: format!("The case document {path}, as validated"),
            data: text.into_bytes(),
        });
    }
    let mut attachments = Vec::new();
    for written in evidence_paths(case) {
        let path = public(redactor, &written.replace('\\', "/"));
        if !manifest::is_safe_relative_path(&path) {
            continue;
        }
        let bytes = crate::read::read_capped(
            &case.root.join(&written),
            crate::load::case::MAX_EVIDENCE_BYTES,
        )
        .map_err(|e| format!("cannot read the evidence file {path}: {e}"))?;
        // The pack carries what was checked, or nothing: a file changed since is refused.
        if case
            .evidence_facts(&written)
            .is_some_and(|facts| facts.sha256 != manifest::sha256_hex(&bytes))
        {
            return Err(format!(
                "the evidence file {path} changed while the pack was made; render again"
            ));
        }
        attachments.push(Entry::of(&path, &bytes));
        files.push(Attached {
            name: format!("{EVIDENCE_PREFIX}{path}"),
            mime: mime(&path),
            description: format!("The evidence file {path}, as attached by the school"),
            data: bytes,
        });
    }
    let manifest = Manifest {
        manifest_version: manifest::MANIFEST_VERSION,
        format: FORMAT.into(),
        ehcpack_version: env!("CARGO_PKG_VERSION").into(),
        profile: public(redactor, options.profile).into_string(),
        draft: options.draft,
        address_withheld: redactor.is_protected(),
        documents,
        attachments,
        pages: Some(pages as u64),
        evidence_pages: options.evidence == super::Evidence::AppendPages,
    };
    let json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| format!("cannot write the manifest: {e}"))?;
    files.insert(
        0,
        Attached {
            name: MANIFEST_FILE.into(),
            mime: "application/json",
            description: "What this pack holds: each embedded document's and evidence file's \
                          SHA-256"
                .into(),
            data: json,
        },
    );
    Ok(files)
}

/// Appends the pages of each attached PDF report after the pack. The result claims no
/// PDF/UA or PDF/A conformance (the caller wrote the pack without the claims).
pub fn append_reports(pack: &[u8], attachments: &[Attachment]) -> Result<Vec<u8>, String> {
    use lopdf::{Document, Object, ObjectId};
    if attachments.is_empty() {
        return Ok(pack.to_vec());
    }
    let mut doc =
        Document::load_mem(pack).map_err(|e| format!("cannot read back the pack: {e}"))?;
    let pages_id: ObjectId = doc
        .catalog()
        .and_then(|c| c.get(b"Pages"))
        .and_then(Object::as_reference)
        .map_err(|e| format!("the pack has no page tree: {e}"))?;
    for a in attachments {
        let mut source = crate::load::evidence_pdf::load_checked(&a.path)
            .map_err(|e| format!("cannot read the attachment {}: {e}", a.label))?;
        source.renumber_objects_with(doc.max_id + 1);
        let page_ids: Vec<ObjectId> = source.get_pages().into_values().collect();
        if page_ids.is_empty() {
            continue;
        }
        let mut inherited: Vec<Vec<(Vec<u8>, Object)>> = Vec::new();
        for id in &page_ids {
            let mut found = Vec::new();
            for key in [&b"Resources"[..], b"MediaBox", b"CropBox", b"Rotate"] {
                let mut node = source.get_dictionary(*id).ok();
                let mut depth = 0;
                while let Some(d) = node {
                    if let Ok(v) = d.get(key) {
                        found.push((key.to_vec(), v.clone()));
                        break;
                    }
                    node = d
                        .get(b"Parent")
                        .and_then(Object::as_reference)
                        .ok()
                        .and_then(|p| source.get_dictionary(p).ok());
                    depth += 1;
                    if depth > 64 {
                        break;
                    }
                }
            }
            inherited.push(found);
        }
        doc.max_id = doc.max_id.max(source.max_id);
        for (id, object) in source.objects {
            let is_tree = matches!(
                object
                    .as_dict()
                    .ok()
                    .and_then(|d| d.get(b"Type").ok())
                    .and_then(|t| t.as_name().ok()),
                Some(b"Pages" | b"Catalog" | b"Outlines")
            );
            if !is_tree {
                doc.objects.insert(id, object);
            }
        }
        for (id, found) in page_ids.iter().zip(inherited) {
            if let Ok(page) = doc.get_dictionary_mut(*id) {
                for (k, v) in found {
                    if page.get(&k).is_err() {
                        page.set(k, v);
                    }
                }
                page.set("Parent", pages_id);
            }
        }
        let pages = doc
            .get_dictionary_mut(pages_id)
            .map_err(|e| format!("the pack has no page tree: {e}"))?;
        let mut kids = pages
            .get(b"Kids")
            .and_then(Object::as_array)
            .cloned()
            .unwrap_or_default();
        kids.extend(page_ids.iter().map(|id| Object::Reference(*id)));
        pages.set("Count", kids.len() as i64);
        pages.set("Kids", kids);
    }
    let mut out = Vec::new();
    doc.save_to(&mut out)
        .map_err(|e| format!("cannot write the pack: {e}"))?;
    Ok(out)
}
