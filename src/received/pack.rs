//! Reading a received pack PDF: its embedded manifest, case documents and evidence files (the
//! contract is [`crate::manifest`]), every checksum verified, every size bounded.
//!
//! A PDF is untrusted input. The file is read up to [`Limits::max_pack_bytes`]. A pack of ours is
//! read the fast way ([`super::lazy`]: only the objects on the way to its files and pages); any
//! other PDF, and any pack with a problem, the full way: lopdf parses it with its nesting-depth
//! limit and a per-stream decompression limit, on a thread of its own with a large stack. Either
//! way the same code walks the embedded-file name tree (a depth limit and a visited set), and
//! each embedded file is decompressed up to [`Limits::max_embedded_bytes`], and all of them
//! together up to [`Limits::max_pack_total`].

use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::Path;

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::{lazy, Limits};
use crate::diagnostic::catalogue::RuleId;
use crate::diagnostic::Diagnostic;
use crate::load::evidence_pdf::text_string;
use crate::manifest::{self, Manifest, CASE_PREFIX, EVIDENCE_PREFIX, MANIFEST_FILE};

/// The embedded files of a pack, by name, as found (not yet checked against the manifest).
pub type Embedded = BTreeMap<String, Vec<u8>>;

/// What a pack PDF held: the manifest and every embedded file, or why it could not be read.
#[derive(Debug)]
pub struct Opened {
    pub manifest: Manifest,
    pub files: Embedded,
    /// The pages of the PDF as received (lopdf's page-tree walk: iterative, bounded).
    pub pages: usize,
    /// Files attached to a page (`FileAttachment` annotations), which ehcpack never makes.
    pub page_attachments: usize,
}

/// Reads a pack file with every bound. `Err` holds `pack-integrity` findings about the whole
/// pack (not a PDF, not an ehcpack pack, encrypted, no manifest).
#[allow(clippy::result_large_err)]
pub fn open(path: &Path, password: Option<&str>, limits: &Limits) -> Result<Opened, Diagnostic> {
    let bytes = read_capped(path, limits.max_pack_bytes)?;
    open_bytes(bytes, password, limits)
}

fn integrity(message: impl Into<String>, help: impl Into<String>) -> Diagnostic {
    Diagnostic::new(RuleId::PackIntegrity, message, help)
}

/// How the finding about a PDF that is not an ehcpack pack begins: such a PDF gets the verdict
/// `check-by-hand` ([`super::by_hand`]), not `fail`.
pub const NOT_A_PACK: &str = "not an ehcpack pack: check it by hand";

fn not_a_pack(why: &str) -> Diagnostic {
    integrity(
        format!("{NOT_A_PACK} ({why})"),
        "this PDF carries no case ehcpack can check: it was typed in another program, scanned or \
         made by another tool; check the request by hand, or ask the school for the pack \
         `ehcpack render` makes",
    )
}

#[allow(clippy::result_large_err)]
fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, Diagnostic> {
    let unreadable = |e: std::io::Error| {
        integrity(
            format!("the pack cannot be read: {e}"),
            "check the file exists and you may read it",
        )
    };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(integrity(
            "the pack is not an ordinary file",
            "name a PDF file, a zip archive or a folder",
        ));
    }
    if meta.len() > cap {
        return Err(integrity(
            format!(
                "the pack is {:.0} MB; ehcpack reads packs of at most {} MB",
                meta.len() as f64 / 1_048_576.0,
                cap / 1_048_576
            ),
            "a pack with its reports is a few megabytes; check this file by hand",
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    let (file, _) = crate::read::open_file(path).map_err(|e| {
        integrity(
            format!("the pack cannot be read: {e}"),
            "check this file by hand",
        )
    })?;
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > cap {
        return Err(integrity(
            format!(
                "the pack is larger than {} MB, the most ehcpack reads",
                cap / 1_048_576
            ),
            "check this file by hand",
        ));
    }
    Ok(bytes)
}

/// The same as [`open`], for bytes already in memory.
#[allow(clippy::result_large_err)]
pub fn open_bytes(
    bytes: Vec<u8>,
    password: Option<&str>,
    limits: &Limits,
) -> Result<Opened, Diagnostic> {
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(not_a_pack("the file is not a PDF"));
    }
    // Whether the file ends as a PDF ends, asked before `bytes` goes to the full way's thread.
    let whole = ends_as_a_pdf_ends(&bytes);
    let max_listed = limits.max_embedded_files;
    // The fast way first: only the objects on the way to the embedded files and the pages
    // (`lazy`). It answers only for a pack it reads without a doubt and whose files all read;
    // for anything else (another program's PDF, an encrypted pack, a damaged or altered file, a
    // cap reached) the full way below decides, so each finding is the full way's own.
    let fast =
        lazy::read(&bytes, limits).and_then(|(doc, attached)| collect(&doc, limits, attached).ok());
    let result = match fast {
        Some(found) => found,
        None => {
            let limits = limits.clone();
            let password = password.map(str::to_string);
            // lopdf parses recursively: on a reader thread with a large stack
            // ([`super::big_stack`]), and a panic inside lopdf is a finding.
            match super::big_stack::run(move || read_embedded(&bytes, password.as_deref(), &limits))
            {
                Ok(read) => read,
                Err(e @ super::big_stack::Failed::Panicked) => Err(not_a_pack(&e.to_string())),
                Err(e) => Err(integrity(
                    format!("the pack could not be read: {e}"),
                    "try again with fewer cases at once",
                )),
            }?
        }
    };
    // A pack (its case was found) ends with `%%EOF`, only white space after it: one without it
    // was cut short on its way, and PDF readers cannot open it, though lopdf, which rebuilds a
    // damaged file's table of objects, found the case inside. (A PDF with no case in it, cut
    // short or not, is checked by hand, above.)
    if !whole {
        return Err(integrity(
            "the pack is cut short: it does not end as a PDF ends (`%%EOF`), so part of it is \
             missing and PDF readers cannot open it",
            "ask the school to send the pack again: it was damaged or cut off on its way",
        ));
    }
    let (manifest_bytes, files, pages, page_attachments) = result;
    let manifest = parse_manifest(&manifest_bytes)?;
    drop(manifest_bytes);
    // No more entries than a pack can hold: each is checked against the pack's files, so a
    // manifest of a million names would be a million findings.
    let listed = manifest.documents.len() + manifest.attachments.len();
    if listed > max_listed {
        return Err(integrity(
            format!(
                "the pack's manifest lists {listed} files, more than the {max_listed} a pack \
                 holds"
            ),
            "the pack was changed after rendering or is damaged; check it by hand, or ask the \
             school to render it again with `ehcpack render`",
        ));
    }
    Ok(Opened {
        manifest,
        files,
        pages,
        page_attachments,
    })
}

/// Whether the file ends as a whole PDF does: `startxref`, the offset of its last
/// cross-reference section (a table, `xref`, or a stream, `N G obj`; counted from the `%PDF-`
/// header), then `%%EOF`, with only white space (or NUL padding) after it. A file cut short and
/// given a `%%EOF` again has no such ending.
fn ends_as_a_pdf_ends(bytes: &[u8]) -> bool {
    let tail_start = bytes.len().saturating_sub(1024);
    let tail = &bytes[tail_start..];
    let padding = |b: &u8| b.is_ascii_whitespace() || *b == 0;
    let Some(eof) = tail.windows(5).rposition(|w| w == b"%%EOF") else {
        return false;
    };
    if !tail[eof + 5..].iter().all(padding) {
        return false;
    }
    let Some(keyword) = tail[..eof].windows(9).rposition(|w| w == b"startxref") else {
        return false;
    };
    let between = std::str::from_utf8(&tail[keyword + 9..eof]).unwrap_or("");
    let Ok(offset) = between.trim().parse::<usize>() else {
        return false;
    };
    // Offsets count from the header, which junk from a mail program may have moved (as PDF
    // readers, and the full way, allow).
    let base = bytes[..bytes.len().min(1024)]
        .windows(5)
        .position(|w| w == b"%PDF-")
        .unwrap_or(0);
    let Some(at) = base.checked_add(offset) else {
        return false;
    };
    if at >= tail_start + keyword {
        return false;
    }
    let Some(section) = bytes.get(at..) else {
        return false;
    };
    if section.starts_with(b"xref") {
        return true;
    }
    // `N G obj`: an object number, a generation, then `obj`.
    let words: Vec<&[u8]> = section
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .take(3)
        .collect();
    matches!(words.as_slice(), [n, g, obj] if n.iter().all(u8::is_ascii_digit)
        && g.iter().all(u8::is_ascii_digit)
        && obj.starts_with(b"obj"))
}

#[allow(clippy::result_large_err)]
fn parse_manifest(bytes: &[u8]) -> Result<Manifest, Diagnostic> {
    // Read the version first, so a newer pack says so instead of "malformed".
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) {
        if let Some(v) = value.get("manifest_version").and_then(|v| v.as_u64()) {
            if v > u64::from(manifest::MANIFEST_VERSION) {
                return Err(integrity(
                    format!(
                        "the pack's manifest is version {v}, from a newer ehcpack; this one reads \
                         version {}",
                        manifest::MANIFEST_VERSION
                    ),
                    "update ehcpack (`cargo install --path .` from a newer copy) and check again",
                ));
            }
        }
    }
    serde_json::from_slice::<Manifest>(bytes).map_err(|e| {
        integrity(
            format!("the pack's manifest ({MANIFEST_FILE}) cannot be read: {e}"),
            "the pack was changed after rendering or is damaged; ask the school to render it \
             again with `ehcpack render`",
        )
    })
}

/// Parses the PDF and collects its embedded files. Runs on the worker thread.
#[allow(clippy::result_large_err)]
fn read_embedded(
    bytes: &[u8],
    password: Option<&str>,
    limits: &Limits,
) -> Result<(Vec<u8>, Embedded, usize, usize), Diagnostic> {
    // Count the objects before building them, as lopdf would build them (those inside object
    // streams too): a file of millions of tiny objects is refused. Counted again as they are
    // built, so no more than the cap ever are.
    let too_many = || {
        not_a_pack(&format!(
            "it has more than the {} objects ehcpack reads",
            limits.max_objects
        ))
    };
    if let Err(why) = crate::load::evidence_pdf::prescan(bytes, limits.max_objects, false) {
        return Err(
            if matches!(
                why,
                crate::load::evidence_pdf::PdfProblem::TooManyObjects { .. }
            ) {
                too_many()
            } else {
                not_a_pack(&format!("the PDF {why}"))
            },
        );
    }
    let options = lopdf::LoadOptions {
        password: password.map(str::to_string),
        max_decompressed_size: Some(limits.max_embedded_bytes),
        ..lopdf::LoadOptions::default()
    };
    let doc =
        match crate::load::evidence_pdf::load_counted(bytes, options, limits.max_objects) {
            Ok(Ok(doc)) => doc,
            Ok(Err(())) => return Err(too_many()),
            Err(lopdf::Error::InvalidPassword) => return Err(integrity(
                "the pack is protected with a password, and the password given does not open it",
                "check the password in EHCPACK_PASSWORD (or the variable named by \
                 --password-env) with the school",
            )),
            Err(e) => {
                return Err(not_a_pack(&format!(
                    "the PDF cannot be read: {}",
                    short(&e.to_string())
                )))
            }
        };
    if doc.is_encrypted() {
        return Err(integrity(
            "the pack is protected with a password, and no password was given",
            "set the environment variable EHCPACK_PASSWORD (or the one named by \
             --password-env) to the password the school sent separately, and check again",
        ));
    }
    // Every object of the file was built: a file attached to any annotation counts.
    let page_attachments = doc
        .objects
        .values()
        .filter(|o| {
            matches!(o, Object::Dictionary(_) | Object::Stream(_))
                && carries_a_file(&doc, o, &mut HashSet::new(), 0)
        })
        .count();
    collect(&doc, limits, page_attachments)
}

/// Whether an object of the file, or anything inside it, opens or brings a file or a program,
/// as nothing ehcpack writes does:
/// - an annotation that plays or holds a file (`FileAttachment`, `Screen`, `Movie`, `Sound`,
///   `RichMedia`, `3D`), its subtype written out or by reference, or any with a file
///   specification (`/FS`);
/// - an action that launches or goes to another file, or plays one (`Launch`, `GoToE`, `GoToR`,
///   `ImportData`, `Rendition`, `Movie`, `Sound`, `RichMediaExecute`, `JavaScript`), wherever it
///   is: a link's `/A`, a chain of `/Next` actions, additional actions (`/AA`) of an annotation,
///   a page or the document, or the document's `/OpenAction`.
///
/// Ours are links to destinations inside the pack and outline items that go to a page. The
/// walk follows references (each object once) and nested dictionaries and arrays, at most
/// [`MAX_WALK`] deep.
fn carries_a_file(
    doc: &Document,
    object: &Object,
    seen: &mut HashSet<ObjectId>,
    depth: usize,
) -> bool {
    if depth > MAX_WALK {
        return true;
    }
    let dict = match object {
        Object::Reference(id) => {
            if !seen.insert(*id) {
                return false;
            }
            return doc
                .get_object(*id)
                .is_ok_and(|o| carries_a_file(doc, o, seen, depth + 1));
        }
        Object::Array(items) => {
            return items
                .iter()
                .any(|o| carries_a_file(doc, o, seen, depth + 1));
        }
        Object::Dictionary(d) => d,
        Object::Stream(s) => &s.dict,
        _ => return false,
    };
    let name = |key: &[u8]| -> Option<Vec<u8>> {
        let value = dict.get(key).ok()?;
        let (_, value) = doc.dereference(value).ok()?;
        value.as_name().ok().map(<[u8]>::to_vec)
    };
    let subtype = name(b"Subtype");
    if matches!(
        subtype.as_deref(),
        Some(b"FileAttachment" | b"Screen" | b"Movie" | b"Sound" | b"RichMedia" | b"3D")
    ) || (dict.has(b"FS") && subtype.is_some())
        || dict.has(b"AA")
    {
        return true;
    }
    if matches!(
        name(b"S").as_deref(),
        Some(
            b"Launch"
                | b"GoToE"
                | b"GoToR"
                | b"ImportData"
                | b"Rendition"
                | b"Movie"
                | b"Sound"
                | b"RichMediaExecute"
                | b"JavaScript"
        )
    ) {
        return true;
    }
    // The places an action can hide in are followed, and annotations written inside a page
    // (not as objects of their own); anything else is data (the structure tree, fonts, page
    // contents), and every object of the file is walked on its own.
    if [b"A".as_slice(), b"Next", b"OpenAction"]
        .iter()
        .filter_map(|key| dict.get(key).ok())
        .any(|value| carries_a_file(doc, value, seen, depth + 1))
    {
        return true;
    }
    matches!(dict.get(b"Annots"), Ok(Object::Array(annots)) if annots.iter().any(|a| {
        matches!(a, Object::Dictionary(_)) && carries_a_file(doc, a, seen, depth + 1)
    }))
}

/// How deep [`carries_a_file`] walks nested actions and arrays.
const MAX_WALK: usize = 64;

/// What the pack holds, from a loaded document (the whole file, or the fast way's objects):
/// the manifest's bytes, every embedded file, the pages and the files attached to pages.
#[allow(clippy::result_large_err)]
fn collect(
    doc: &Document,
    limits: &Limits,
    page_attachments: usize,
) -> Result<(Vec<u8>, Embedded, usize, usize), Diagnostic> {
    let specs = filespecs(doc, limits);
    if specs.is_empty() {
        return Err(not_a_pack("the PDF has no embedded files"));
    }
    let mut files = Embedded::new();
    let mut total = 0usize;
    for (name, stream) in specs {
        // The manifest is read within its own, smaller cap: a few megabytes list every file a
        // pack can hold, so a manifest that unpacks to more lists files no pack holds.
        let limit = if name == MANIFEST_FILE {
            limits.max_manifest_bytes.min(limits.max_embedded_bytes)
        } else {
            limits.max_embedded_bytes
        };
        let content = match stream_bytes(doc, stream, limit) {
            Ok(c) => c,
            Err(why) => {
                return Err(integrity(
                    format!("the embedded file {name} cannot be read: {why}"),
                    "the pack is damaged or was changed after rendering; ask the school to \
                     render it again",
                ))
            }
        };
        total = total.saturating_add(content.len());
        if total > limits.max_pack_total {
            return Err(integrity(
                format!(
                    "the pack's embedded files come to more than {} MB, the most ehcpack reads",
                    limits.max_pack_total / 1_048_576
                ),
                "check this pack by hand",
            ));
        }
        if files.insert(name.clone(), content).is_some() {
            return Err(integrity(
                format!("the pack holds two embedded files named {name}"),
                "the pack was changed after rendering; ask the school to render it again",
            ));
        }
    }
    let pages = doc.page_iter().count();
    match files.remove(MANIFEST_FILE) {
        Some(m) => Ok((m, files, pages, page_attachments)),
        None if files
            .keys()
            .any(|k| k.starts_with(CASE_PREFIX) || k.starts_with(EVIDENCE_PREFIX)) =>
        {
            Err(integrity(
                format!(
                    "the pack has no manifest ({MANIFEST_FILE}), so nothing in it can be checked"
                ),
                "the pack was changed after rendering; ask the school to render it again",
            ))
        }
        None => Err(not_a_pack("its embedded files are not an ehcpack case")),
    }
}

fn short(text: &str) -> String {
    let mut s: String = text.chars().take(160).collect();
    if s.len() < text.len() {
        s.push_str("...");
    }
    s
}

/// Every embedded file's name and the id of its stream: from the `/Names /EmbeddedFiles` name
/// tree, and from the catalog's `/AF` array. Bounded in depth and count; each node visited once.
fn filespecs(doc: &Document, limits: &Limits) -> Vec<(String, ObjectId)> {
    let mut out = Vec::new();
    let mut seen_specs = HashSet::new();
    let Ok(catalog) = doc.catalog() else {
        return out;
    };
    let mut visited = HashSet::new();
    if let Some(tree) = catalog
        .get(b"Names")
        .ok()
        .and_then(|n| deref_dict(doc, n))
        .and_then(|names| names.get(b"EmbeddedFiles").ok())
    {
        walk_tree(doc, tree, 0, &mut visited, &mut |key, spec| {
            push_spec(doc, key, spec, &mut seen_specs, &mut out, limits)
        });
    }
    if let Some(Object::Array(af)) = catalog.get(b"AF").ok().map(|o| deref(doc, o)) {
        for spec in af.iter().take(limits.max_embedded_files) {
            push_spec(doc, None, spec, &mut seen_specs, &mut out, limits);
        }
    }
    out
}

fn deref<'a>(doc: &'a Document, obj: &'a Object) -> &'a Object {
    match obj {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(&Object::Null),
        other => other,
    }
}

fn deref_dict<'a>(doc: &'a Document, obj: &'a Object) -> Option<&'a Dictionary> {
    deref(doc, obj).as_dict().ok()
}

const MAX_TREE_DEPTH: usize = 32;

fn walk_tree(
    doc: &Document,
    node: &Object,
    depth: usize,
    visited: &mut HashSet<ObjectId>,
    found: &mut dyn FnMut(Option<String>, &Object),
) {
    if depth > MAX_TREE_DEPTH {
        return;
    }
    if let Object::Reference(id) = node {
        if !visited.insert(*id) {
            return;
        }
    }
    let Some(dict) = deref_dict(doc, node) else {
        return;
    };
    if let Ok(Object::Array(names)) = dict.get(b"Names").map(|o| deref(doc, o)) {
        for pair in names.chunks(2) {
            if let [key, spec] = pair {
                let key = match deref(doc, key) {
                    Object::String(bytes, _) => Some(text_string(bytes)),
                    _ => None,
                };
                found(key, spec);
            }
        }
    }
    if let Ok(Object::Array(kids)) = dict.get(b"Kids").map(|o| deref(doc, o)) {
        for kid in kids {
            walk_tree(doc, kid, depth + 1, visited, found);
        }
    }
}

fn push_spec(
    doc: &Document,
    key: Option<String>,
    spec: &Object,
    seen: &mut HashSet<ObjectId>,
    out: &mut Vec<(String, ObjectId)>,
    limits: &Limits,
) {
    if out.len() >= limits.max_embedded_files {
        return;
    }
    if let Object::Reference(id) = spec {
        if !seen.insert(*id) {
            return;
        }
    }
    let Some(spec) = deref_dict(doc, spec) else {
        return;
    };
    let name = [b"UF".as_slice(), b"F"]
        .iter()
        .find_map(|k| match spec.get(k).map(|o| deref(doc, o)) {
            Ok(Object::String(bytes, _)) => Some(text_string(bytes)),
            _ => None,
        })
        .or(key);
    let stream = spec
        .get(b"EF")
        .ok()
        .and_then(|ef| deref_dict(doc, ef))
        .and_then(|ef| ef.get(b"F").or_else(|_| ef.get(b"UF")).ok())
        .and_then(|f| f.as_reference().ok());
    if let (Some(name), Some(stream)) = (name, stream) {
        out.push((name, stream));
    }
}

/// Why an embedded file's bytes cannot be read; the message completes "the embedded file
/// NAME cannot be read: ".
#[derive(Debug, thiserror::Error)]
enum StreamError {
    #[error("it is missing or not a stream")]
    NotStream,
    #[error("it is larger than {} MB", .0 / 1_048_576)]
    Larger(usize),
    #[error("it unpacks to more than {} MB", .0 / 1_048_576)]
    Unpacks(usize),
    /// lopdf's error, shortened.
    #[error("{0}")]
    Damaged(String),
}

/// The usual case, quickly: one Flate filter without parameters, inflated whole within `limit`
/// into a buffer sized once. Anything else, or any trouble (damage, the limit), is `None`, and
/// lopdf's decoder decides as before, so a damaged or oversized file gets the same finding.
fn plain_flate(stream: &lopdf::Stream, limit: usize) -> Option<Vec<u8>> {
    let filters = stream.filters().ok()?;
    if filters.as_slice() != [b"FlateDecode".as_slice()] || stream.dict.get(b"DecodeParms").is_ok()
    {
        return None;
    }
    super::inflate::zlib(&stream.content, limit)
}

fn stream_bytes(doc: &Document, id: ObjectId, limit: usize) -> Result<Vec<u8>, StreamError> {
    let stream = doc
        .get_object(id)
        .and_then(Object::as_stream)
        .map_err(|_| StreamError::NotStream)?;
    if stream.filters().is_err() || stream.filters().is_ok_and(|f| f.is_empty()) {
        if stream.content.len() > limit {
            return Err(StreamError::Larger(limit));
        }
        return Ok(stream.content.clone());
    }
    if let Some(bytes) = plain_flate(stream, limit) {
        return Ok(bytes);
    }
    stream
        .decompressed_content_with_limit(limit)
        .map_err(|e| match e {
            lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => {
                StreamError::Unpacks(limit)
            }
            other => StreamError::Damaged(short(&other.to_string())),
        })
}

/// The `pack-integrity` findings of a pack's contents against its manifest. Each finding is
/// placed on the case file concerned (`file`), relative to the case folder.
pub fn verify(opened: &Opened) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let help = "the pack was changed after it was rendered; ask the school to render it again \
                from its case folder with `ehcpack render` and send the new file";
    let mut listed = HashSet::new();
    // A file attached to a page rather than to the pack: ehcpack never makes one, and a reader
    // shows it as if it were part of the request.
    if opened.page_attachments > 0 {
        found.push(integrity(
            format!(
                "the pack has {} attached to its pages, which ehcpack never makes (a file, or \
                 an action that opens or plays one, added after rendering)",
                if opened.page_attachments == 1 {
                    "a file".to_string()
                } else {
                    format!("{} files", opened.page_attachments)
                }
            ),
            help,
        ));
    }
    // The printed pages: as many as were rendered (more with the reports' pages appended). A
    // page taken out or put in after rendering is a change like any other.
    if let Some(rendered) = opened.manifest.pages {
        let rendered = rendered as usize;
        let changed = if opened.manifest.evidence_pages {
            opened.pages < rendered
        } else {
            opened.pages != rendered
        };
        if changed {
            found.push(integrity(
                format!(
                    "the pack has {} pages, and it was rendered with {rendered}{}: pages were \
                     taken out or put in after rendering",
                    opened.pages,
                    if opened.manifest.evidence_pages {
                        " before the reports' pages"
                    } else {
                        ""
                    }
                ),
                help,
            ));
        }
    }
    for (prefix, entries, what) in [
        (CASE_PREFIX, &opened.manifest.documents, "case document"),
        (
            EVIDENCE_PREFIX,
            &opened.manifest.attachments,
            "attached file",
        ),
    ] {
        for entry in entries {
            let name = format!("{prefix}{}", entry.path);
            listed.insert(name.clone());
            if !manifest::is_safe_relative_path(&entry.path) {
                found.push(integrity(
                    format!(
                        "the manifest lists a {what} with an unsafe name ({}), so it was not read",
                        entry.path.escape_debug()
                    ),
                    help,
                ));
                continue;
            }
            let at = |d: Diagnostic| d.in_file(&entry.path);
            match opened.files.get(&name) {
                None => found.push(at(integrity(
                    format!(
                        "the {what} {} is listed in the pack's manifest but missing from the pack",
                        entry.path
                    ),
                    help,
                ))),
                Some(bytes) => {
                    let sha = manifest::sha256_hex(bytes);
                    if !sha.eq_ignore_ascii_case(&entry.sha256) {
                        found.push(at(integrity(
                            format!(
                                "the {what} {} was changed after the pack was rendered: the \
                                 manifest says sha256 {}..., the pack holds {}... ({} bytes \
                                 listed, {} found)",
                                entry.path,
                                prefix8(&entry.sha256),
                                prefix8(&sha),
                                entry.bytes,
                                bytes.len()
                            ),
                            help,
                        )));
                    } else if entry.bytes != bytes.len() as u64 {
                        found.push(at(integrity(
                            format!(
                                "the {what} {} has {} bytes but the manifest says {}",
                                entry.path,
                                bytes.len(),
                                entry.bytes
                            ),
                            help,
                        )));
                    }
                }
            }
        }
    }
    for name in opened.files.keys() {
        if !listed.contains(name) {
            let shown = name.escape_debug().to_string();
            let d = integrity(
                format!("the pack holds a file the manifest does not list: {shown}"),
                help,
            );
            let rel = name
                .strip_prefix(CASE_PREFIX)
                .or_else(|| name.strip_prefix(EVIDENCE_PREFIX))
                .filter(|r| manifest::is_safe_relative_path(r));
            found.push(match rel {
                Some(rel) => d.in_file(rel),
                None => d,
            });
        }
    }
    found
}

fn prefix8(hex: &str) -> String {
    hex.chars().take(8).collect()
}

/// The case's files, to check from memory: each document and attachment the manifest lists and
/// the pack holds, at its relative path, as the pack holds it (a changed file is checked as
/// changed, beside its `pack-integrity` error). Unlisted files are left out. A path listed twice,
/// or both as a file and as a folder (`a` and `a/b`), is a finding, as a folder could not hold
/// it, and only its first is kept.
pub fn case_files(mut opened: Opened, findings: &mut Vec<Diagnostic>) -> crate::load::case::Files {
    let mut out = crate::load::case::Files::new();
    // Files moved into `out`, so that one listed twice is told from one missing.
    let mut taken = HashSet::new();
    for (prefix, entries) in [
        (CASE_PREFIX, &opened.manifest.documents),
        (EVIDENCE_PREFIX, &opened.manifest.attachments),
    ] {
        for entry in entries {
            if !manifest::is_safe_relative_path(&entry.path) {
                continue;
            }
            let key = format!("{prefix}{}", entry.path);
            if !opened.files.contains_key(&key) && !taken.contains(&key) {
                continue;
            }
            let rel = entry.path.as_str();
            let under = format!("{rel}/");
            let clash = if out.contains_key(rel) {
                Some("it is listed twice")
            } else if out
                .range(under.clone()..)
                .next()
                .is_some_and(|(k, _)| k.starts_with(&under))
                || rel
                    .match_indices('/')
                    .any(|(i, _)| out.contains_key(&rel[..i]))
            {
                Some("one name is both a file and a folder")
            } else {
                None
            };
            match clash {
                None => {
                    if let Some(bytes) = opened.files.remove(&key) {
                        out.insert(rel.to_string(), bytes);
                        taken.insert(key);
                    }
                }
                Some(why) => findings.push(
                    integrity(
                        format!("the pack's file {rel} could not be read: {why}"),
                        "the pack names one file twice (or as a file and as a folder); it was \
                         changed after rendering: ask the school to render it again",
                    )
                    .in_file(rel),
                ),
            }
        }
    }
    out
}

/// Whether a pack is read the fast way (only the objects on the way to its files), not the
/// full way: for the tests and the benchmark, which hold the fast way to every pack of ours.
#[doc(hidden)]
pub fn reads_the_fast_way(bytes: &[u8], limits: &Limits) -> bool {
    lazy::read(bytes, limits)
        .and_then(|(doc, attached)| collect(&doc, limits, attached).ok())
        .is_some()
}
