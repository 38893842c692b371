//! Received packs and archives made the way `render` and an LA's senders make them (also used by
//! examples/received_packs.rs, so nothing here needs a dev-dependency).
// Tests read their fixtures and outputs directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use ehcpack::manifest::{self, Entry, Manifest};
use lopdf::{dictionary, Document, Object, Stream, StringFormat};

/// What a pack holds: its manifest and its embedded files by name (`case/...`, `evidence/...`).
#[derive(Clone)]
pub struct PackSpec {
    pub manifest: Manifest,
    pub files: BTreeMap<String, Vec<u8>>,
}

/// The pack contents for a case folder, per the manifest contract: each top-level YAML file as
/// `case/<name>`, each other file below the folder as `evidence/<path>`.
pub fn spec_of(case: &Path) -> PackSpec {
    let mut documents = Vec::new();
    let mut attachments = Vec::new();
    let mut files = BTreeMap::new();
    let mut paths: Vec<_> = walkdir::WalkDir::new(case)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .collect();
    paths.sort_by(|a, b| a.path().cmp(b.path()));
    for e in paths {
        let rel = e
            .path()
            .strip_prefix(case)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel.starts_with('.') || rel.ends_with("README.md") {
            continue;
        }
        let bytes = std::fs::read(e.path()).unwrap();
        let yaml = !rel.contains('/') && (rel.ends_with(".yaml") || rel.ends_with(".yml"));
        if yaml {
            documents.push(Entry::of(&rel, &bytes));
            files.insert(format!("{}{rel}", manifest::CASE_PREFIX), bytes);
        } else {
            attachments.push(Entry::of(&rel, &bytes));
            files.insert(format!("{}{rel}", manifest::EVIDENCE_PREFIX), bytes);
        }
    }
    PackSpec {
        manifest: Manifest {
            manifest_version: manifest::MANIFEST_VERSION,
            format: "ehcpack/1".into(),
            ehcpack_version: env!("CARGO_PKG_VERSION").into(),
            profile: "Durham County Council".into(),
            draft: false,
            address_withheld: false,
            documents,
            attachments,
            pages: None,
            evidence_pages: false,
        },
        files,
    }
}

/// How the embedded files are listed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// The `/Names /EmbeddedFiles` name tree, one node.
    NameTree,
    /// A name tree with a `/Kids` level.
    NameTreeKids,
    /// The catalog's `/AF` array only.
    AssociatedFiles,
}

/// A one-page PDF with the spec's manifest and files embedded as krilla embeds them.
pub fn pack_pdf(spec: &PackSpec, listing: Listing) -> Vec<u8> {
    let mut files = spec.files.clone();
    files.insert(
        manifest::MANIFEST_FILE.to_string(),
        serde_json::to_vec_pretty(&spec.manifest).unwrap(),
    );
    pdf_with_files(&files, listing)
}

/// A one-page PDF with these embedded files (no manifest added).
pub fn pdf_with_files(files: &BTreeMap<String, Vec<u8>>, listing: Listing) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let content = doc.add_object(Stream::new(
        dictionary! {},
        b"BT /F1 12 Tf 72 720 Td (EHC needs assessment request) Tj ET".to_vec(),
    ));
    let page = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Contents" => content,
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => vec![page.into()],
            "Count" => 1,
        }),
    );
    let mut names = Vec::new();
    let mut specs = Vec::new();
    for (name, bytes) in files {
        let mut stream = Stream::new(dictionary! { "Type" => "EmbeddedFile" }, bytes.clone());
        stream.compress().unwrap();
        let stream_id = doc.add_object(stream);
        let text = Object::String(name.as_bytes().to_vec(), StringFormat::Literal);
        let spec_id = doc.add_object(dictionary! {
            "Type" => "Filespec",
            "F" => text.clone(),
            "UF" => text.clone(),
            "AFRelationship" => "Data",
            "EF" => dictionary! { "F" => stream_id },
        });
        names.push(text);
        names.push(spec_id.into());
        specs.push(Object::Reference(spec_id));
    }
    let mut catalog = dictionary! { "Type" => "Catalog", "Pages" => pages_id };
    match listing {
        Listing::NameTree => {
            let tree = doc.add_object(dictionary! { "Names" => names });
            catalog.set("Names", dictionary! { "EmbeddedFiles" => tree });
        }
        Listing::NameTreeKids => {
            let leaf = doc.add_object(dictionary! { "Names" => names });
            let tree = doc.add_object(dictionary! { "Kids" => vec![leaf.into()] });
            catalog.set("Names", dictionary! { "EmbeddedFiles" => tree });
        }
        Listing::AssociatedFiles => catalog.set("AF", specs),
    }
    let catalog_id = doc.add_object(catalog);
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// A zip of `entries` (name, bytes), deflated.
pub fn zip_of(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// Every file of a case folder as zip entries under `prefix` (`""` for the top level, or
/// `"ava/"`).
pub fn case_entries(case: &Path, prefix: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(case).min_depth(1).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let rel = e
                .path()
                .strip_prefix(case)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.push((format!("{prefix}{rel}"), std::fs::read(e.path()).unwrap()));
        }
    }
    out
}
