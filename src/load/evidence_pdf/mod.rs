//! Reading an evidence PDF within limits. Evidence comes from anyone (a school, a therapist's
//! office, a parent's scan), so a crafted PDF must be a finding, never an abort: deep nesting,
//! long object chains, reference loops, compression bombs, or a PDF header followed by junk.
//!
//! lopdf parses recursively in places (a stream whose `/Length` is a reference is resolved in
//! the middle of reading it, so a chain of such streams recurses once per link, and 60,000
//! links overflow the stack), and decompresses object streams as it loads. So before lopdf sees
//! a byte, a small tokenizer of our own, iterative and linear, reads the whole file and refuses
//! what could hurt: nesting deeper than [`MAX_NESTING`], more than [`MAX_OBJECTS`] objects,
//! a stream length that is not a plain number, and compressed streams that would inflate to more
//! than [`MAX_INFLATED_BYTES`] in all (counted without keeping the bytes). Only then does lopdf
//! load it (with its own per-stream bound), and the page tree is walked without recursion, each
//! node at most once, at most [`MAX_PAGE_TREE_DEPTH`] deep, to count the pages.

use std::collections::HashSet;

use lopdf::{Document, LoadOptions, Object, ObjectId};

/// The deepest nesting of arrays, dictionaries and strings in an evidence PDF. Real PDFs nest
/// a handful of levels.
pub const MAX_NESTING: usize = 32;
/// The most objects an evidence PDF may have (a 500-page scanned report has a few thousand).
pub const MAX_OBJECTS: usize = 200_000;
/// The most bytes all of an evidence PDF's compressed (Flate) streams may inflate to, together:
/// a whole-page scan inflates to a few megabytes, and zlib cannot compress more than about
/// 1000 to 1, so a 64 MB file that passes this is no bomb.
pub const MAX_INFLATED_BYTES: u64 = 1024 * 1024 * 1024;
/// The most bytes the object and cross-reference streams may inflate to, together: lopdf
/// inflates these (and keeps what they hold) as it loads a file.
pub const MAX_INFLATED_OBJECT_BYTES: u64 = 256 * 1024 * 1024;
/// The deepest page tree read (real ones are two or three levels).
pub const MAX_PAGE_TREE_DEPTH: usize = 64;
/// The most pages an evidence PDF may have.
pub const MAX_PAGES: usize = 10_000;

pub use crate::load::pdf_problem::PdfProblem;

mod prescan;
pub use prescan::prescan;

/// What ehcpack needs to know about an evidence PDF that reads within the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PdfFacts {
    pub pages: usize,
}

/// Reads an evidence PDF's bytes within the limits. The error says, in a SENCO's words, why
/// the file cannot be used, as the end of a sentence that begins with the file
/// ("... is named .pdf but is not a PDF").
pub fn inspect(bytes: &[u8]) -> Result<PdfFacts, PdfProblem> {
    inspect_document(bytes).map(|(facts, _)| facts)
}

/// As [`inspect`], and what the PDF says where a reader could see a protected address: the
/// text of its pages, and its metadata (the information dictionary, XMP, the outline,
/// annotations, form fields, attached files' names: every text string and name in the file,
/// and the text drawn in its forms), within [`MAX_SCANNED_TEXT_BYTES`].
pub fn inspect_with_text(bytes: &[u8]) -> Result<(PdfFacts, PdfText), PdfProblem> {
    let (facts, document) = inspect_document(bytes)?;
    Ok((facts, text_of(&document)))
}

/// The most text of one evidence PDF read for a protected address.
pub const MAX_SCANNED_TEXT_BYTES: usize = 16 * 1024 * 1024;

/// What an evidence PDF says, for the protected-address check.
#[derive(Debug, Clone, Default)]
pub struct PdfText {
    /// The text of each page, in order.
    pub pages: Vec<String>,
    /// Every text string and name, the XMP metadata, the text drawn in forms.
    pub metadata: Vec<String>,
    /// Why some of it could not be read (a scanned page, a font without a map to letters, more
    /// text than is read): then no finding can say the file is free of the address.
    pub unread: Option<String>,
}

/// A PDF text string: UTF-16BE with a byte-order mark, UTF-8 with one, else PDFDocEncoding
/// (read as Latin-1, which agrees with it for letters and digits).
pub fn text_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        // An odd last byte is read as the high half of a unit, not dropped.
        let units: Vec<u16> = rest
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

fn text_of(document: &Document) -> PdfText {
    let mut text = PdfText::default();
    let mut budget = MAX_SCANNED_TEXT_BYTES;
    let mut unread: Vec<String> = Vec::new();
    let over = "holds more text than ehcpack reads (16 MB)".to_string();
    let take = |piece: String, budget: &mut usize, unread: &mut Vec<String>| -> Option<String> {
        if piece.len() > *budget {
            if !unread.contains(&over) {
                unread.push(over.clone());
            }
            *budget = 0;
            return None;
        }
        *budget -= piece.len();
        Some(piece)
    };
    // The pages' text, as a reader shows it (fonts' encodings and maps to letters applied).
    let pages = document.get_pages();
    let mut blank = Vec::new();
    for number in pages.keys() {
        // lopdf's text extraction has not been fuzzed as the loader has: a panic in it is a
        // page that cannot be read, never an abort.
        let chunks = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            document.extract_text_chunks_with_limit(&[*number], 64 * 1024 * 1024)
        }))
        .unwrap_or_else(|_| vec![Err(lopdf::Error::Syntax("unreadable".into()))]);
        let mut page = String::new();
        let mut failed = false;
        for chunk in chunks {
            match chunk {
                Ok(t) => page.push_str(&t),
                Err(_) => failed = true,
            }
        }
        if failed {
            unread.push(format!(
                "has text on page {number} that cannot be read as letters"
            ));
        } else if page.trim().is_empty() {
            blank.push(*number);
        }
        if let Some(page) = take(page, &mut budget, &mut unread) {
            text.pages.push(page);
        }
    }
    if !blank.is_empty() {
        let list: Vec<String> = blank.iter().take(5).map(u32::to_string).collect();
        unread.push(format!(
            "has {} with no text to read (a scan?): {}{}",
            if blank.len() == 1 { "a page" } else { "pages" },
            list.join(", "),
            if blank.len() > 5 { ", ..." } else { "" }
        ));
    }
    // Every text string and name anywhere, and the text of XMP metadata and forms.
    let mut strings = Vec::new();
    for object in document.objects.values() {
        let mut stack = vec![object];
        while let Some(o) = stack.pop() {
            match o {
                Object::String(bytes, _) => strings.push(text_string(bytes)),
                Object::Name(bytes) => strings.push(text_string(bytes)),
                Object::Array(items) => stack.extend(items.iter()),
                Object::Dictionary(d) => {
                    for (key, value) in d.iter() {
                        strings.push(text_string(key));
                        stack.push(value);
                    }
                }
                Object::Stream(stream) => {
                    stack.push_dict(&stream.dict);
                    let kind = |key: &[u8]| stream.dict.get(key).and_then(Object::as_name).ok();
                    let xml =
                        kind(b"Subtype") == Some(b"XML") || kind(b"Type") == Some(b"Metadata");
                    let form = kind(b"Subtype") == Some(b"Form");
                    if xml || form {
                        let content = stream
                            .decompressed_content()
                            .unwrap_or_else(|_| stream.content.clone());
                        if xml {
                            strings.push(String::from_utf8_lossy(&content).into_owned());
                        } else if let Ok(ops) = lopdf::content::Content::decode(&content) {
                            let mut drawn = String::new();
                            for op in &ops.operations {
                                let mut operands: Vec<&Object> = op.operands.iter().collect();
                                while let Some(operand) = operands.pop() {
                                    match operand {
                                        Object::String(b, _) => drawn.push_str(&text_string(b)),
                                        Object::Array(items) => operands.extend(items.iter().rev()),
                                        _ => {}
                                    }
                                }
                                if op.operator == "ET" || op.operator == "Td" {
                                    drawn.push('\n');
                                }
                            }
                            strings.push(drawn);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    for piece in strings {
        if piece.is_empty() {
            continue;
        }
        match take(piece, &mut budget, &mut unread) {
            Some(piece) => text.metadata.push(piece),
            None => break,
        }
    }
    text.unread = (!unread.is_empty()).then(|| unread.join("; "));
    text
}

/// Pushes a dictionary's values (and keys, as text) onto a walk.
trait PushDict<'a> {
    fn push_dict(&mut self, dict: &'a lopdf::Dictionary);
}

impl<'a> PushDict<'a> for Vec<&'a Object> {
    fn push_dict(&mut self, dict: &'a lopdf::Dictionary) {
        for (_, value) in dict.iter() {
            self.push(value);
        }
    }
}

fn inspect_document(bytes: &[u8]) -> Result<(PdfFacts, Document), PdfProblem> {
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(PdfProblem::NotAPdf);
    }
    prescan(bytes, MAX_OBJECTS, true)?;
    let options = LoadOptions {
        max_decompressed_size: Some(64 * 1024 * 1024),
        ..LoadOptions::default()
    };
    let document = load_counted(bytes, options, MAX_OBJECTS)
        .map_err(PdfProblem::Unreadable)?
        .map_err(|()| PdfProblem::TooManyObjects { max: MAX_OBJECTS })?;
    if document.is_encrypted() {
        return Err(PdfProblem::Encrypted);
    }
    let pages = count_pages(&document)?;
    if pages == 0 {
        return Err(PdfProblem::NoPages);
    }
    Ok((PdfFacts { pages }, document))
}

/// Reads an evidence PDF again (to attach it to the pack) with the same caps and limits as at
/// validate time: the file may have changed since.
pub fn load_checked(path: &std::path::Path) -> Result<Document, PdfProblem> {
    let bytes = crate::read::read_capped(path, crate::load::limits::MAX_EVIDENCE_BYTES)?;
    inspect(&bytes)?;
    load_counted(&bytes, LoadOptions::default(), MAX_OBJECTS)
        .map_err(PdfProblem::Reloaded)?
        .map_err(|()| PdfProblem::TooManyObjects { max: MAX_OBJECTS })
}

thread_local! {
    /// While [`load_counted`] runs on this thread: the objects lopdf has built, the most it
    /// may, and the object streams it has read (each is read once).
    static BUILT: std::cell::RefCell<(usize, usize, HashSet<ObjectId>)> =
        std::cell::RefCell::new((0, 0, HashSet::new()));
}

/// lopdf's object filter: counts every object as lopdf builds it and keeps none past the cap;
/// an object stream that cross-reference entries name twice is read once.
fn count_built(id: ObjectId, object: &mut Object) -> Option<(ObjectId, Object)> {
    BUILT.with(|b| {
        let (built, cap, streams) = &mut *b.borrow_mut();
        *built = built.saturating_add(1);
        if *built > *cap {
            return None;
        }
        match object {
            // lopdf keeps an object read from the file as it is (the value returned only says
            // keep or drop), and takes an object from an object stream from the value returned;
            // only the first kind can be a stream, so only the second is copied.
            Object::Stream(s) => {
                if s.dict.has_type(b"ObjStm") && !streams.insert(id) {
                    return None;
                }
                Some((id, Object::Null))
            }
            other => Some((id, other.clone())),
        }
    })
}

/// Loads a PDF with lopdf, building at most `max_objects` objects whatever the pre-scan could
/// not see (object streams named by several cross-reference entries, those of an encrypted
/// file): `Ok(Err(()))` when there were more. The second line behind [`prescan`].
#[allow(clippy::result_unit_err)]
pub fn load_counted(
    bytes: &[u8],
    mut options: LoadOptions,
    max_objects: usize,
) -> Result<Result<Document, ()>, lopdf::Error> {
    BUILT.with(|b| *b.borrow_mut() = (0, max_objects, HashSet::new()));
    options.filter = Some(count_built);
    let loaded = Document::load_mem_with_options(bytes, options);
    let built = BUILT.with(|b| {
        let mut b = b.borrow_mut();
        let built = b.0;
        *b = (0, 0, HashSet::new());
        built
    });
    let document = loaded?;
    if built > max_objects || document.objects.len() > max_objects {
        return Ok(Err(()));
    }
    Ok(Ok(document))
}

/// Counts the pages by walking the page tree with an explicit stack: each node once, at most
/// [`MAX_PAGE_TREE_DEPTH`] deep, references followed at most a few steps.
fn count_pages(document: &Document) -> Result<usize, PdfProblem> {
    let root = document
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| PdfProblem::NoCatalog)?;
    let catalog = document
        .objects
        .get(&root)
        .and_then(|o| resolve(document, o))
        .and_then(|o| o.as_dict().ok())
        .ok_or(PdfProblem::CatalogUnreadable)?;
    let pages = catalog.get(b"Pages").map_err(|_| PdfProblem::NoPageTree)?;
    let mut seen: HashSet<ObjectId> = HashSet::new();
    let mut stack: Vec<(&Object, usize)> = vec![(pages, 1)];
    let mut count = 0usize;
    while let Some((node, depth)) = stack.pop() {
        if depth > MAX_PAGE_TREE_DEPTH {
            return Err(PdfProblem::PageTreeTooDeep {
                max: MAX_PAGE_TREE_DEPTH,
            });
        }
        if let Object::Reference(id) = node {
            if !seen.insert(*id) {
                return Err(PdfProblem::PageTreeLoops);
            }
        }
        let Some(dict) = resolve(document, node).and_then(|o| o.as_dict().ok()) else {
            return Err(PdfProblem::PageTreePartUnreadable);
        };
        match dict.get(b"Type").and_then(Object::as_name) {
            Ok(b"Pages") => {
                let kids = dict
                    .get(b"Kids")
                    .ok()
                    .and_then(|k| resolve(document, k))
                    .and_then(|k| k.as_array().ok())
                    .ok_or(PdfProblem::PageTreeNoKids)?;
                for kid in kids.iter().rev() {
                    stack.push((kid, depth + 1));
                }
            }
            _ => {
                count += 1;
                if count > MAX_PAGES {
                    return Err(PdfProblem::TooManyPages { max: MAX_PAGES });
                }
            }
        }
    }
    Ok(count)
}

/// An object with references followed at most 8 steps (a loop of references ends there).
fn resolve<'a>(document: &'a Document, object: &'a Object) -> Option<&'a Object> {
    let mut object = object;
    for _ in 0..8 {
        match object {
            Object::Reference(id) => object = document.objects.get(id)?,
            other => return Some(other),
        }
    }
    None
}

#[cfg(test)]
// Tests read their own fixtures directly.
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;

    #[test]
    fn the_samples_read() {
        for name in ["salt-report.pdf", "my-story.pdf"] {
            let bytes = std::fs::read(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("sample-cases/year5-passing/reports")
                    .join(name),
            )
            .unwrap();
            assert_eq!(inspect(&bytes).unwrap().pages, 1, "{name}");
        }
    }

    #[test]
    fn not_a_pdf() {
        assert!(inspect(b"hello")
            .unwrap_err()
            .to_string()
            .contains("not a PDF"));
        assert!(inspect(b"").unwrap_err().to_string().contains("not a PDF"));
        assert!(inspect(b"%PDF-1.7\n(((((").is_err());
    }
}
