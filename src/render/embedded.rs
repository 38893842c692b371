//! The machine-readable copy inside the pack (see [`crate::manifest`]): the manifest, each
//! YAML document with every protected address value withheld, and each evidence file byte for
//! byte. And, by option, the PDF reports' pages appended after the pack.

use crate::load::case::Case;
use crate::manifest::{self, Entry, Manifest, CASE_PREFIX, EVIDENCE_PREFIX, MANIFEST_FILE};
use crate::privacy::Redactor;

use super::compact::Written;
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

/// Why the case's documents, its evidence or the reports' pages could not go into the pack.
/// Paths are the pack's (already through [`public`]).
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error(
        "cannot withhold the protected address from {path} for the copy inside the pack; write \
         the address only in the pupil's address block"
    )]
    Withhold { path: String },
    #[error("cannot read the evidence file {path}: {source}")]
    ReadEvidence {
        path: String,
        source: crate::read::ReadError,
    },
    #[error("the evidence file {path} changed while the pack was made; render again")]
    Changed { path: String },
    #[error("cannot write the manifest: {0}")]
    Manifest(serde_json::Error),
    #[error("cannot print the report {label} after the pack: it is not attached")]
    NotAttached { label: String },
    /// `why`: lopdf's error, or that the report has too many objects.
    #[error("cannot read the attachment {label}: {why}")]
    ReadAttachment { label: String, why: String },
    #[error("cannot write the attachment {label}: {source}")]
    WriteAttachment {
        label: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Compact(#[from] super::compact::CompactError),
}

/// A document's text with the protected address withheld; an error when some part of it
/// would still be there (nothing is embedded rather than the address).
fn withheld(redactor: &Redactor, path: &str, text: &str) -> Result<String, EmbedError> {
    let out = public(redactor, text).into_string();
    if !redactor.parts_in(&out).is_empty() {
        return Err(EmbedError::Withhold {
            path: path.to_string(),
        });
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
        .flat_map(|e| e.value.files.iter().map(|f| f.path.value.clone()))
        .chain(case.professionals.iter().flat_map(|p| {
            p.value
                .involvements
                .iter()
                .filter_map(|i| i.report.as_ref().map(|r| r.value.clone()))
        }));
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
) -> Result<Vec<Attached>, EmbedError> {
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
        .map_err(|source| EmbedError::ReadEvidence {
            path: path.to_string(),
            source,
        })?;
        // The pack carries what was checked, or nothing: a file changed since is refused.
        if case
            .evidence_facts(&written)
            .is_some_and(|facts| facts.sha256 != manifest::sha256_hex(&bytes))
        {
            return Err(EmbedError::Changed {
                path: path.to_string(),
            });
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
    let json = serde_json::to_vec_pretty(&manifest).map_err(EmbedError::Manifest)?;
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

/// Puts the pages of each attached PDF report after the pack's last page, in the file krilla
/// wrote. The result claims no PDF/UA or PDF/A conformance (the caller wrote the pack without
/// the claims). Each report is taken from the bytes attached to the pack (`files`: read once
/// and compared with what loading checked), never read or checked again.
pub fn append_reports(
    written: &mut Written,
    attachments: &[Attachment],
    files: &[Attached],
) -> Result<(), EmbedError> {
    use crate::load::evidence_pdf::{load_counted, MAX_OBJECTS};
    use lopdf::{Object, ObjectId};
    let tree = written.page_tree()?;
    for a in attachments {
        let bytes = files
            .iter()
            .find(|f| f.name == a.embedded_as)
            .map(|f| &f.data[..])
            .ok_or_else(|| EmbedError::NotAttached {
                label: a.label.clone(),
            })?;
        let mut source = load_counted(bytes, lopdf::LoadOptions::default(), MAX_OBJECTS)
            .map_err(|e| EmbedError::ReadAttachment {
                label: a.label.clone(),
                why: e.to_string(),
            })?
            .map_err(|()| EmbedError::ReadAttachment {
                label: a.label.clone(),
                why: "too many objects".into(),
            })?;
        source.renumber_objects_with(written.next_id());
        // Renumbering keeps generations; the pack writes every object as generation 0.
        let objects = std::mem::take(&mut source.objects);
        source.objects = objects
            .into_iter()
            .map(|((id, _), mut object)| {
                generation_zero(&mut object);
                ((id, 0), object)
            })
            .collect();
        let page_ids: Vec<ObjectId> = source
            .get_pages()
            .into_values()
            .map(|(id, _)| (id, 0))
            .collect();
        if page_ids.is_empty() {
            continue;
        }
        // What a page inherits from the report's page tree, which does not come along.
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
        for (id, found) in page_ids.iter().zip(inherited) {
            if let Ok(page) = source.get_dictionary_mut(*id) {
                for (k, v) in found {
                    if page.get(&k).is_err() {
                        page.set(k, v);
                    }
                }
                page.set("Parent", (tree, 0));
            }
        }
        for (id, object) in source.objects {
            let is_tree = matches!(
                object
                    .as_dict()
                    .ok()
                    .and_then(|d| d.get(b"Type").ok())
                    .and_then(|t| t.as_name().ok()),
                Some(b"Pages" | b"Catalog" | b"Outlines" | b"XRef" | b"ObjStm")
            );
            if is_tree {
                continue;
            }
            let mut body = Vec::new();
            lopdf::Writer::write_object(&mut body, &object).map_err(|source| {
                EmbedError::WriteAttachment {
                    label: a.label.clone(),
                    source,
                }
            })?;
            written.append(id.0, body);
        }
        let pages: Vec<u32> = page_ids.iter().map(|id| id.0).collect();
        written.append_pages(&pages)?;
    }
    Ok(())
}

/// Every reference in `object` to generation 0 (nesting is bounded: the same bytes passed
/// loading's nesting limit).
fn generation_zero(object: &mut lopdf::Object) {
    use lopdf::Object;
    match object {
        Object::Reference(id) => id.1 = 0,
        Object::Array(items) => items.iter_mut().for_each(generation_zero),
        Object::Dictionary(d) => d.iter_mut().for_each(|(_, v)| generation_zero(v)),
        Object::Stream(s) => s.dict.iter_mut().for_each(|(_, v)| generation_zero(v)),
        _ => {}
    }
}
