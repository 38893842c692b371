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
use std::io::Read;

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

/// One token of PDF syntax, as far as the pre-scan needs it.
#[derive(Debug, Clone, PartialEq)]
enum Token<'a> {
    Integer(i64),
    Name(&'a [u8]),
    Keyword(&'a [u8]),
    Other,
}

/// The iterative pre-scan: nesting, object count, stream lengths and inflated sizes. Objects
/// are counted as lopdf will build them: each `N G obj` in the file, and each object an object
/// stream's index lists (a 6 MB file can list millions in compressed object streams), so at
/// most `max_objects` are ever built. Also used on received packs ([`crate::received::pack`]).
pub fn prescan(bytes: &[u8], max_objects: usize, inflate_all: bool) -> Result<(), PdfProblem> {
    let mut i = 0usize;
    let mut depth = 0usize;
    let mut objects = 0usize;
    let mut inflated = 0u64;
    let mut inflated_objects = 0u64;
    // Cross-reference entries, each of which lopdf keeps (and may read an object for): the
    // `n` and `f` lines of classic tables, and the entries of cross-reference streams.
    let mut xref_entries = 0usize;
    // Room for a free entry and an update or two beside every object.
    let max_xref_entries = max_objects.saturating_mul(2);
    // The last three tokens, for `N G obj` and `/Length N G R`.
    let mut recent: Vec<Token> = Vec::with_capacity(4);
    // Per object: its number, how many tokens its body has, its first token.
    let mut current: Option<(u32, usize, Option<i64>)> = None;
    let mut length_ref: Option<u32> = None;
    let mut length_refs: Vec<u32> = Vec::new();
    let mut plain_numbers: HashSet<u32> = HashSet::new();
    let mut dict_text_start = 0usize;
    while i < bytes.len() {
        let b = bytes[i];
        let token = match b {
            b'%' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
                continue;
            }
            b if is_white(b) => {
                i += 1;
                continue;
            }
            b'(' => {
                // A literal string: balanced parentheses, backslash escapes.
                let mut level = 0usize;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' => i += 1,
                        b'(' => {
                            level += 1;
                            if level > MAX_NESTING {
                                return Err(PdfProblem::TooDeep { max: MAX_NESTING });
                            }
                        }
                        b')' => {
                            level -= 1;
                            if level == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                i += 1;
                Token::Other
            }
            b'<' if bytes.get(i + 1) == Some(&b'<') => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(PdfProblem::TooDeep { max: MAX_NESTING });
                }
                if depth == 1 {
                    dict_text_start = i;
                }
                i += 2;
                Token::Other
            }
            b'>' if bytes.get(i + 1) == Some(&b'>') => {
                depth = depth.saturating_sub(1);
                i += 2;
                Token::Other
            }
            b'<' => {
                while i < bytes.len() && bytes[i] != b'>' {
                    i += 1;
                }
                i += 1;
                Token::Other
            }
            b'[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(PdfProblem::TooDeep { max: MAX_NESTING });
                }
                i += 1;
                Token::Other
            }
            b']' => {
                depth = depth.saturating_sub(1);
                i += 1;
                Token::Other
            }
            b'/' => {
                let start = i + 1;
                i += 1;
                while i < bytes.len() && is_regular(bytes[i]) {
                    i += 1;
                }
                Token::Name(&bytes[start..i])
            }
            _ => {
                let start = i;
                while i < bytes.len() && is_regular(bytes[i]) {
                    i += 1;
                }
                if i == start {
                    // A stray delimiter such as `)` or `{`.
                    i += 1;
                    Token::Other
                } else {
                    let word = &bytes[start..i];
                    match std::str::from_utf8(word)
                        .ok()
                        .and_then(|w| w.parse::<i64>().ok())
                    {
                        Some(n) => Token::Integer(n),
                        None => Token::Keyword(word),
                    }
                }
            }
        };
        match &token {
            Token::Keyword(b"obj") => {
                if let [.., Token::Integer(n), Token::Integer(_)] = recent.as_slice() {
                    objects += 1;
                    if objects > max_objects {
                        return Err(PdfProblem::TooManyObjects { max: max_objects });
                    }
                    current = u32::try_from(*n).ok().map(|n| (n, 0, None));
                    length_ref = None;
                    depth = 0;
                }
                recent.clear();
                continue;
            }
            Token::Keyword(b"n" | b"f") => {
                xref_entries += 1;
                if xref_entries > max_xref_entries {
                    return Err(PdfProblem::TooManyObjects { max: max_objects });
                }
            }
            Token::Keyword(b"endobj") => {
                if let Some((n, 1, Some(_))) = current {
                    plain_numbers.insert(n);
                }
                current = None;
                depth = 0;
                recent.clear();
                continue;
            }
            Token::Keyword(b"R") => {
                if let [.., Token::Name(b"Length"), Token::Integer(n), Token::Integer(_)] =
                    recent.as_slice()
                {
                    length_ref = u32::try_from(*n).ok();
                }
            }
            Token::Keyword(b"stream") => {
                // The data runs from the end of the line to `endstream`.
                let mut start = i;
                if bytes.get(start) == Some(&b'\r') {
                    start += 1;
                }
                if bytes.get(start) == Some(&b'\n') {
                    start += 1;
                }
                let end = find(bytes, start, b"endstream").unwrap_or(bytes.len());
                if let Some(n) = length_ref.take() {
                    length_refs.push(n);
                }
                let dictionary = &bytes[dict_text_start.min(start)..start];
                let holds_objects =
                    contains(dictionary, b"/ObjStm") || contains(dictionary, b"/XRef");
                if contains(dictionary, b"/ObjStm") {
                    // lopdf builds every object the index lists (whatever /N says), decoding
                    // the stream with its filters: only the plain and Flate forms are read, so
                    // the objects counted here are the objects built.
                    if OTHER_FILTERS.iter().any(|f| has_name(dictionary, f))
                        || contains(dictionary, b"/Predictor")
                    {
                        return Err(PdfProblem::ObjectStreamEncoding);
                    }
                    let first = number_after(dictionary, b"/First").unwrap_or(0);
                    let listed =
                        if contains(dictionary, b"/FlateDecode") || has_name(dictionary, b"Fl") {
                            tokens_inflated(&bytes[start..end], first, MAX_INFLATED_OBJECT_BYTES)
                        } else {
                            tokens(&bytes[start..end.min(start.saturating_add(first))])
                        };
                    objects = objects.saturating_add(listed / 2);
                    if objects > max_objects {
                        return Err(PdfProblem::TooManyObjects { max: max_objects });
                    }
                }
                let flate = contains(dictionary, b"/FlateDecode") || has_name(dictionary, b"Fl");
                if !flate && contains(dictionary, b"/XRef") && !contains(dictionary, b"/XRefStm") {
                    let width = widths(dictionary).max(1);
                    xref_entries =
                        xref_entries.saturating_add(((end - start) as u64 / width) as usize);
                    if xref_entries > max_xref_entries {
                        return Err(PdfProblem::TooManyObjects { max: max_objects });
                    }
                }
                // lopdf inflates only the streams that hold objects as it loads; the rest are
                // bounded when read (a received pack reads only its embedded files).
                if flate && (inflate_all || holds_objects) {
                    let left = if holds_objects {
                        (MAX_INFLATED_BYTES - inflated)
                            .min(MAX_INFLATED_OBJECT_BYTES - inflated_objects)
                    } else {
                        MAX_INFLATED_BYTES - inflated
                    };
                    let size = inflated_size(&bytes[start..end], left);
                    inflated += size;
                    if holds_objects {
                        inflated_objects += size;
                    }
                    if contains(dictionary, b"/XRef") && !contains(dictionary, b"/XRefStm") {
                        let width = widths(dictionary).max(1);
                        xref_entries = xref_entries.saturating_add((size / width) as usize);
                        if xref_entries > max_xref_entries {
                            return Err(PdfProblem::TooManyObjects { max: max_objects });
                        }
                    }
                    if size >= left {
                        return Err(PdfProblem::Bomb {
                            mb: if holds_objects && inflated < MAX_INFLATED_BYTES {
                                MAX_INFLATED_OBJECT_BYTES
                            } else {
                                MAX_INFLATED_BYTES
                            } / (1024 * 1024),
                        });
                    }
                }
                i = (end + b"endstream".len()).min(bytes.len());
                depth = 0;
                recent.clear();
                continue;
            }
            _ => {}
        }
        if let Some((_, count, first)) = &mut current {
            *count += 1;
            if *count == 1 {
                if let Token::Integer(n) = token {
                    *first = Some(n);
                }
            }
        }
        if recent.len() == 3 {
            recent.remove(0);
        }
        recent.push(token);
    }
    // A stream's length may be a reference only to a plain number: anything else is how a
    // chain (a length that is a stream whose length is a stream...) is built.
    if let Some(n) = length_refs.iter().find(|n| !plain_numbers.contains(n)) {
        return Err(PdfProblem::LengthChain { object: *n });
    }
    Ok(())
}

/// The filters lopdf can decode besides Flate, by full and short name: an object stream in any
/// of them is refused rather than decoded twice.
const OTHER_FILTERS: [&[u8]; 8] = [
    b"ASCIIHexDecode",
    b"ASCII85Decode",
    b"LZWDecode",
    b"RunLengthDecode",
    b"AHx",
    b"A85",
    b"LZW",
    b"RL",
];

/// Whether the dictionary's text holds the name `/name` (a whole name, not a prefix of one).
fn has_name(dictionary: &[u8], name: &[u8]) -> bool {
    let mut from = 0;
    while let Some(at) = find(dictionary, from, b"/") {
        let rest = &dictionary[at + 1..];
        if rest.starts_with(name) && rest.get(name.len()).is_none_or(|b| !is_regular(*b)) {
            return true;
        }
        from = at + 1;
    }
    false
}

/// The plain number after `key` in a dictionary's text (`/First 1234`).
fn number_after(dictionary: &[u8], key: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = find(dictionary, from, key) {
        let rest = &dictionary[at + key.len()..];
        from = at + key.len();
        if rest.first().is_some_and(|b| is_regular(*b)) {
            continue;
        }
        let digits: Vec<u8> = rest
            .iter()
            .copied()
            .skip_while(|b| is_white(*b))
            .take_while(u8::is_ascii_digit)
            .take(19)
            .collect();
        return std::str::from_utf8(&digits).ok()?.parse().ok();
    }
    None
}

/// The bytes of one entry of a cross-reference stream: the sum of its `/W [a b c]`.
fn widths(dictionary: &[u8]) -> u64 {
    let Some(at) = find(dictionary, 0, b"/W") else {
        return 0;
    };
    let rest = &dictionary[at + 2..];
    let Some(open) = rest.iter().position(|b| *b == b'[') else {
        return 0;
    };
    let close = rest[open..]
        .iter()
        .position(|b| *b == b']')
        .map_or(rest.len(), |c| open + c);
    String::from_utf8_lossy(&rest[open + 1..close])
        .split_whitespace()
        .filter_map(|w| w.parse::<u64>().ok())
        .fold(0u64, |a, w| a.saturating_add(w))
}

/// The runs of non-white bytes in `data` (an object stream's index: number, offset, ...).
fn tokens(data: &[u8]) -> usize {
    let mut count = 0;
    let mut inside = false;
    for &b in data {
        let white = is_white(b);
        if !white && !inside {
            count += 1;
        }
        inside = !white;
    }
    count
}

/// The runs of non-white bytes in the first `first` bytes of zlib data once inflated, counted as
/// it inflates (nothing kept, at most `limit` bytes inflated).
fn tokens_inflated(data: &[u8], first: usize, limit: u64) -> usize {
    let mut decoder = flate2::read::ZlibDecoder::new(data);
    let mut block = [0u8; 32 * 1024];
    let mut left = (first as u64).min(limit) as usize;
    let mut count = 0;
    let mut inside = false;
    while left > 0 {
        match decoder.read(&mut block) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let n = n.min(left);
                for &b in &block[..n] {
                    let white = is_white(b);
                    if !white && !inside {
                        count += 1;
                    }
                    inside = !white;
                }
                left -= n;
            }
        }
    }
    count
}

/// How many bytes zlib data inflates to, counting at most `limit` (then `limit` is returned).
/// Nothing is kept; damaged data counts as far as it reads.
fn inflated_size(data: &[u8], limit: u64) -> u64 {
    let mut decoder = flate2::read::ZlibDecoder::new(data);
    let mut block = [0u8; 32 * 1024];
    let mut total = 0u64;
    while total < limit {
        match decoder.read(&mut block) {
            Ok(0) | Err(_) => break,
            Ok(n) => total += n as u64,
        }
    }
    total.min(limit)
}

fn is_white(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0C' | b'\0')
}

fn is_regular(b: u8) -> bool {
    !is_white(b) && !b"()<>[]{}/%".contains(&b)
}

fn find(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= haystack.len() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
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
