//! The pack's last step, in the same pass as krilla's writing: krilla's objects regrouped so
//! that the dictionaries (the structure tree above all, about 1,300 elements) travel in
//! compressed object streams with a compressed cross-reference stream (PDF 1.5, allowed by
//! PDF/A-2 and later): about a third of a tagged pack's size.
//!
//! krilla 0.8 writes neither object streams nor a cross-reference stream (its `pdf-writer`
//! could write the second but not the first, and krilla has no setting for either), so this
//! step takes the objects as krilla just wrote them, cut at the offsets of krilla's own
//! cross-reference table. No object is parsed: a stream object (its body ends in `endstream`)
//! is copied byte for byte, any other object's body goes into an object stream as it is.
//!
//! No stream's data may end in a carriage return: followed by the line feed written before
//! `endstream`, a reader takes the pair as the end-of-line marker and counts one byte less
//! than `/Length` (PDF/A's rule 6.1.7.1; page-validation's PDFA3A-STREAM-LENGTH-001 found it
//! in one sample pack). Compressing again cannot help (zlib data ends in the checksum of what
//! it holds), so such a stream (about one in 256) is also written in hexadecimal
//! (`ASCIIHexDecode` first), which ends in `>`.

use std::borrow::Cow;
use std::io::Write as _;

/// Objects in one object stream (as lopdf's default grouping; small enough that a reader
/// decompresses little to reach one object).
const PER_STREAM: usize = 200;

/// One object as krilla wrote it (or as [`Written::append`] was given it).
struct Object<'a> {
    id: u32,
    /// Between `N 0 obj\n` and `\nendobj\n`.
    body: Cow<'a, [u8]>,
    /// Copied as it is (a report's page appended after a pack that claims no conformance).
    verbatim: bool,
}

impl Object<'_> {
    fn is_stream(&self) -> bool {
        self.body.ends_with(b"\nendstream")
    }

    /// An object the LA's reader of a pack looks at (`received::lazy`): told by its type, as
    /// krilla writes it at the start of the dictionary. A wrong guess only moves an object to
    /// another object stream.
    fn read_by_the_la(&self) -> bool {
        const TYPES: [&[u8]; 5] = [
            b"<</Type/Catalog",
            b"<</Type/Pages",
            b"<</Type/Page/",
            b"<</Type/Annot",
            b"<</Type/Filespec",
        ];
        TYPES.iter().any(|t| self.body.starts_with(t))
    }
}

/// Where each object ends up in the new file.
#[derive(Clone, Copy)]
enum Place {
    Free,
    /// At this offset of the file.
    At(usize),
    /// In object stream `.0`, at index `.1`.
    In(u32, u32),
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn number(bytes: &[u8]) -> Option<usize> {
    std::str::from_utf8(bytes).ok()?.trim().parse().ok()
}

/// What the PDF writer's output held that this pass did not expect: never the user's doing.
#[derive(Debug, thiserror::Error)]
#[error("cannot finish the pack: the PDF writer's output {0} (a bug in ehcpack)")]
pub struct CompactError(&'static str);

fn unexpected(what: &'static str) -> CompactError {
    CompactError(what)
}

/// The objects of a file with one classic cross-reference table (krilla's), in file order,
/// the bytes before the first object (header), and the trailer dictionary's inside without
/// its `/Size`.
fn split(pdf: &[u8]) -> Result<Written<'_>, CompactError> {
    let sx = rfind(pdf, b"startxref").ok_or_else(|| unexpected("has no startxref"))?;
    let tail = &pdf[sx + b"startxref".len()..];
    let end = find(tail, b"%%EOF").ok_or_else(|| unexpected("has no %%EOF"))?;
    let xref = number(&tail[..end]).ok_or_else(|| unexpected("has a bad startxref"))?;
    let table = pdf
        .get(xref..sx)
        .filter(|t| t.starts_with(b"xref\n"))
        .ok_or_else(|| unexpected("has no cross-reference table"))?;
    let trailer_at = find(table, b"trailer").ok_or_else(|| unexpected("has no trailer"))?;
    let mut lines = table[b"xref\n".len()..trailer_at].split(|b| *b == b'\n');
    let head = lines
        .next()
        .ok_or_else(|| unexpected("has an empty table"))?;
    let mut range = head.split(|b| *b == b' ');
    let (first, count) = match (range.next().and_then(number), range.next().and_then(number)) {
        (Some(f), Some(c)) if f == 0 => (f, c),
        _ => return Err(unexpected("has more than one table section")),
    };
    let entries = table
        .get(trailer_at - count * 20..trailer_at)
        .ok_or_else(|| unexpected("has a short table"))?;
    let mut at: Vec<(usize, u32)> = Vec::with_capacity(count);
    for (i, entry) in entries.chunks(20).enumerate() {
        if entry[17] == b'n' {
            let offset = number(&entry[..10]).ok_or_else(|| unexpected("has a bad entry"))?;
            at.push((offset, (first + i) as u32));
        }
    }
    at.sort_unstable();
    let header = &pdf[..at.first().map_or(xref, |a| a.0)];
    let mut objects = Vec::with_capacity(at.len());
    for (k, &(offset, id)) in at.iter().enumerate() {
        let next = at.get(k + 1).map_or(xref, |a| a.0);
        let bytes = pdf
            .get(offset..next)
            .ok_or_else(|| unexpected("has an entry past its end"))?;
        let open = format!("{id} 0 obj\n");
        let close = rfind(bytes, b"\nendobj\n").ok_or_else(|| unexpected("has no endobj"))?;
        if !bytes.starts_with(open.as_bytes()) || close < open.len() {
            return Err(unexpected("has an object not where its table says"));
        }
        objects.push(Object {
            id,
            body: Cow::Borrowed(&bytes[open.len()..close]),
            verbatim: false,
        });
    }
    // The trailer's entries (/Root, /Info, /ID) go into the cross-reference stream's
    // dictionary; /Size is written anew.
    let dict = &table[trailer_at..];
    let (open, close) = (
        find(dict, b"<<").ok_or_else(|| unexpected("has a bad trailer"))?,
        rfind(dict, b">>").ok_or_else(|| unexpected("has a bad trailer"))?,
    );
    // pdf-writer writes /Size first (and an /ID string may hold the letters "/Size").
    let inside = &dict[open + 2..close];
    let rest = inside
        .strip_prefix(b"/Size")
        .ok_or_else(|| unexpected("has a trailer that does not start with /Size"))?;
    let skip = rest
        .iter()
        .position(|b| !(b.is_ascii_digit() || *b == b' '))
        .unwrap_or(rest.len());
    let trailer = rest[skip..].to_vec();
    Ok(Written {
        header,
        objects,
        trailer,
    })
}

/// zlib's level for every stream compressed here: one below krilla's 6, for about a fifth less
/// time on the page contents; year5-passing was 135.4 KB at 5, 134.6 KB at 6, and is 132.0 KB
/// at 5 since glyph codes are written as hex (vendor/README.md); it must stay under 138 KB
/// (bench/README.md, "Long packs").
const LEVEL: u32 = 5;

/// One compressor for every stream of the file. A new one per stream costs more than
/// compressing a page's contents: zlib sets up hundreds of kilobytes of tables each time.
struct Deflater(flate2::Compress);

impl Deflater {
    fn new() -> Deflater {
        Deflater(flate2::Compress::new(flate2::Compression::new(LEVEL), true))
    }

    /// `data` as a zlib stream.
    fn deflate(&mut self, data: &[u8]) -> Vec<u8> {
        let z = &mut self.0;
        z.reset();
        let mut out = Vec::with_capacity(data.len() / 3 + 64);
        loop {
            let read = z.total_in() as usize;
            let status = z
                .compress_vec(&data[read..], &mut out, flate2::FlushCompress::Finish)
                .expect("compressing to memory");
            if status == flate2::Status::StreamEnd {
                return out;
            }
            out.reserve(out.capacity().max(1024));
        }
    }

    /// `plain` compressed so that the data does not end in a carriage return: `pad` (what the
    /// stream's reader ignores at its end) is added to `plain` until it does not (one time in
    /// 256, rarely twice). The pack's reader refuses object streams in hexadecimal, so ours
    /// are padded.
    fn padded(&mut self, plain: &mut Vec<u8>, pad: &[u8]) -> Vec<u8> {
        let mut data = self.deflate(plain);
        for _ in 0..16 {
            if data.last() != Some(&b'\r') {
                break;
            }
            plain.extend_from_slice(pad);
            data = self.deflate(plain);
        }
        data
    }
}

fn hex(data: &[u8]) -> Vec<u8> {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = Vec::with_capacity(data.len() * 2 + 1);
    for b in data {
        out.push(DIGITS[usize::from(b >> 4)]);
        out.push(DIGITS[usize::from(b & 15)]);
    }
    out.push(b'>');
    out
}

/// Writes `id 0 obj` holding the Flate `data` with `dict` entries besides /Length and
/// /Filter; in hexadecimal as well if the data still ends in a carriage return.
fn write_stream(out: &mut Vec<u8>, id: u32, dict: &[u8], mut data: Vec<u8>) {
    let filter: &[u8] = if data.last() == Some(&b'\r') {
        data = hex(&data);
        b"/Filter[/ASCIIHexDecode/FlateDecode]"
    } else {
        b"/Filter/FlateDecode"
    };
    write!(out, "{id} 0 obj\n<<").expect("memory");
    out.extend_from_slice(dict);
    out.extend_from_slice(filter);
    write!(out, "/Length {}>>\nstream\n", data.len()).expect("memory");
    out.extend_from_slice(&data);
    out.extend_from_slice(b"\nendstream\nendobj\n");
}

/// A stream krilla leaves uncompressed (the settings ask it to: see `writer::write`): a page's
/// contents (a dictionary of /Length alone) or a font's character map (/Type/CMap). Its
/// dictionary's entries but /Length, and its data.
fn uncompressed<'b>(object: &'b Object) -> Option<(Vec<u8>, &'b [u8])> {
    let body: &[u8] = &object.body;
    let dict_end = find(body, b"\nstream\n")?;
    let dict = body[..dict_end].strip_prefix(b"<<")?.strip_suffix(b">>")?;
    let data = body[dict_end + b"\nstream\n".len()..].strip_suffix(b"\nendstream")?;
    let at = find(dict, b"/Length ")?;
    let digits = &dict[at + b"/Length ".len()..];
    let end = digits
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(digits.len());
    if number(&digits[..end]) != Some(data.len()) || find(dict, b"/Filter").is_some() {
        return None;
    }
    let rest = [&dict[..at], &digits[end..]].concat();
    (rest.is_empty() || find(&rest, b"/Type/CMap").is_some()).then_some((rest, data))
}

/// A stream object of krilla's, copied (compressed when krilla left it uncompressed); when its
/// data ends in a carriage return, with `ASCIIHexDecode` put before its filters.
fn copy_stream(
    out: &mut Vec<u8>,
    object: &Object,
    deflater: &mut Deflater,
) -> Result<(), CompactError> {
    if !object.verbatim {
        if let Some((dict, plain)) = uncompressed(object) {
            // Trailing white space ends a content stream or a character map harmlessly.
            let data = deflater.padded(&mut plain.to_vec(), b"\n");
            write_stream(out, object.id, &dict, data);
            return Ok(());
        }
    }
    let body: &[u8] = &object.body;
    let data_end = body.len() - b"\nendstream".len();
    writeln!(out, "{} 0 obj", object.id).expect("memory");
    if object.verbatim || body[..data_end].last() != Some(&b'\r') {
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
        return Ok(());
    }
    let dict_end = find(body, b">>\nstream\n").ok_or_else(|| unexpected("has a bad stream"))?;
    let data = &body[dict_end + b">>\nstream\n".len()..data_end];
    let dict = &body[..dict_end];
    let length = format!("/Length {}", data.len());
    let at = find(dict, length.as_bytes())
        .filter(|at| {
            !dict
                .get(at + length.len())
                .is_some_and(|b| b.is_ascii_digit())
        })
        .ok_or_else(|| unexpected("has a stream whose length is not where expected"))?;
    let mut dict = [
        &dict[..at],
        format!("/Length {}", data.len() * 2 + 1).as_bytes(),
        &dict[at + length.len()..],
    ]
    .concat();
    if let Some(f) = find(&dict, b"/Filter/FlateDecode") {
        dict.splice(
            f..f + b"/Filter/FlateDecode".len(),
            b"/Filter[/ASCIIHexDecode/FlateDecode]".iter().copied(),
        );
    } else if find(&dict, b"/Filter").is_none() {
        dict.extend_from_slice(b"/Filter/ASCIIHexDecode");
    } else {
        return Err(unexpected("has a stream with filters not expected"));
    }
    out.extend_from_slice(&dict);
    out.extend_from_slice(b">>\nstream\n");
    out.extend_from_slice(&hex(data));
    out.extend_from_slice(b"\nendstream\nendobj\n");
    Ok(())
}

/// krilla's file with its dictionaries in object streams and a compressed cross-reference
/// stream; every stream byte for byte (or in hexadecimal as well, see the module).
pub fn compact(pdf: &[u8]) -> Result<Vec<u8>, CompactError> {
    Written::split(pdf)?.finish()
}

/// krilla's file cut into its objects, to which objects and pages can be added before it is
/// finished.
pub struct Written<'a> {
    header: &'a [u8],
    objects: Vec<Object<'a>>,
    /// The trailer dictionary's entries but /Size.
    trailer: Vec<u8>,
}

/// The integer after the first `key` in a dictionary's bytes (`/Count 24`, `/Root 7 0 R`),
/// and where it ends. The first is the one: krilla writes these keys before any string.
fn integer_after(dict: &[u8], key: &[u8]) -> Option<(u32, usize)> {
    let mut i = find(dict, key)? + key.len();
    let space = i;
    while dict.get(i) == Some(&b' ') {
        i += 1;
    }
    let digits = i;
    while dict.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    // A name is followed by white space before a number (`/Pages 3`, never `/PagesX 3`).
    if digits == space || i == digits {
        return None;
    }
    Some((number(&dict[digits..i])? as u32, i))
}

impl<'a> Written<'a> {
    /// Cuts krilla's file at its cross-reference table's offsets.
    pub fn split(pdf: &'a [u8]) -> Result<Self, CompactError> {
        split(pdf)
    }

    /// The first object number not in use.
    pub fn next_id(&self) -> u32 {
        self.objects.iter().map(|o| o.id).max().unwrap_or(0) + 1
    }

    fn body(&self, id: u32) -> Option<&[u8]> {
        self.objects
            .iter()
            .find(|o| o.id == id)
            .map(|o| &o.body[..])
    }

    /// The page tree's root (the catalog's /Pages).
    pub fn page_tree(&self) -> Result<u32, CompactError> {
        let (root, _) =
            integer_after(&self.trailer, b"/Root").ok_or_else(|| unexpected("has no /Root"))?;
        let catalog = self
            .body(root)
            .ok_or_else(|| unexpected("has no catalog"))?;
        let (pages, _) =
            integer_after(catalog, b"/Pages").ok_or_else(|| unexpected("has no page tree"))?;
        Ok(pages)
    }

    /// Adds an object: `body` is what goes between `N 0 obj` and `endobj` (a stream's ends in
    /// `endstream`), numbered from [`Written::next_id`].
    pub fn append(&mut self, id: u32, body: Vec<u8>) {
        self.objects.push(Object {
            id,
            body: Cow::Owned(body),
            verbatim: true,
        });
    }

    /// Puts pages (added with [`Written::append`], each with the page tree as its /Parent)
    /// after the last page of the file.
    pub fn append_pages(&mut self, pages: &[u32]) -> Result<(), CompactError> {
        if pages.is_empty() {
            return Ok(());
        }
        let tree = self.page_tree()?;
        let object = self
            .objects
            .iter_mut()
            .find(|o| o.id == tree)
            .ok_or_else(|| unexpected("has no page tree"))?;
        let body = &object.body;
        let (count, count_end) =
            integer_after(body, b"/Count").ok_or_else(|| unexpected("has no page count"))?;
        let kids = find(body, b"/Kids")
            .and_then(|k| find(&body[k..], b"]").map(|e| k + e))
            .ok_or_else(|| unexpected("has no page list"))?;
        let count_start = count_end - count.to_string().len();
        if kids < count_end {
            return Err(unexpected("has its page list before its count"));
        }
        let mut new = Vec::with_capacity(body.len() + pages.len() * 10);
        new.extend_from_slice(&body[..count_start]);
        new.extend_from_slice((count as usize + pages.len()).to_string().as_bytes());
        new.extend_from_slice(&body[count_end..kids]);
        for page in pages {
            write!(new, " {page} 0 R").expect("memory");
        }
        new.extend_from_slice(&body[kids..]);
        object.body = Cow::Owned(new);
        Ok(())
    }

    /// The whole file: streams first, then the object streams, then the cross-reference stream.
    pub fn finish(self) -> Result<Vec<u8>, CompactError> {
        let Written {
            header,
            objects,
            trailer,
        } = self;
        let max = objects.iter().map(|o| o.id).max().unwrap_or(0);
        let (streams, packed): (Vec<&Object>, Vec<&Object>) =
            objects.iter().partition(|o| o.is_stream());
        // What the LA's reader of a pack opens (the catalog, the page tree, the pages, their
        // annotations, the attached files' specifications) goes in the first object streams, on
        // its own: a received pack is checked by inflating a few kilobytes of objects, not the
        // structure tree and fonts packed beside them.
        let (front, back): (Vec<&Object>, Vec<&Object>) =
            packed.into_iter().partition(|o| o.read_by_the_la());
        let size: usize = objects.iter().map(|o| o.body.len()).sum();
        let groups = (front.len().div_ceil(PER_STREAM) + back.len().div_ceil(PER_STREAM)) as u32;
        let xref_id = max + groups + 1;
        let mut places = vec![Place::Free; xref_id as usize + 1];
        let mut out = Vec::with_capacity(size * 2 / 3);
        out.extend_from_slice(header);
        let mut deflater = Deflater::new();
        for object in &streams {
            places[object.id as usize] = Place::At(out.len());
            copy_stream(&mut out, object, &mut deflater)?;
        }
        let mut index = Vec::new();
        let mut bodies = Vec::new();
        let chunks = front.chunks(PER_STREAM).chain(back.chunks(PER_STREAM));
        for (g, group) in chunks.enumerate() {
            let stream_id = max + 1 + g as u32;
            index.clear();
            bodies.clear();
            for (i, object) in group.iter().enumerate() {
                places[object.id as usize] = Place::In(stream_id, i as u32);
                write!(index, "{} {} ", object.id, bodies.len()).expect("memory");
                bodies.extend_from_slice(&object.body);
                bodies.push(b'\n');
            }
            let first = index.len();
            index.extend_from_slice(&bodies);
            places[stream_id as usize] = Place::At(out.len());
            let dict = format!("/Type/ObjStm/N {}/First {first}", group.len());
            let data = deflater.padded(&mut index, b"\n");
            write_stream(&mut out, stream_id, dict.as_bytes(), data);
        }
        // The cross-reference stream: type, offset or object stream (as wide as needed), index.
        let xref_at = out.len();
        places[xref_id as usize] = Place::At(xref_at);
        let width = (usize::BITS - xref_at.leading_zeros()).div_ceil(8).max(1) as usize;
        let mut entries = Vec::with_capacity((places.len() + 1) * (width + 3));
        for (id, place) in places.iter().enumerate() {
            let (kind, field, index) = match *place {
                Place::Free if id == 0 => (0u8, 0usize, 65535u16),
                Place::Free => (0, 0, 0),
                Place::At(at) => (1, at, 0),
                Place::In(stream, i) => (2, stream as usize, i as u16),
            };
            entries.push(kind);
            entries.extend_from_slice(&field.to_be_bytes()[usize::BITS as usize / 8 - width..]);
            entries.extend_from_slice(&index.to_be_bytes());
        }
        // Padded with free entries (each counted in /Size).
        let data = deflater.padded(&mut entries, &vec![0; width + 3]);
        let size = entries.len() / (width + 3);
        let mut dict = format!("/Type/XRef/Size {size}/W[1 {width} 2]").into_bytes();
        dict.extend_from_slice(&trailer);
        write_stream(&mut out, xref_id, &dict, data);
        write!(out, "startxref\n{xref_at}\n%%EOF").expect("memory");
        Ok(out)
    }
}

/// Whether some stream's data ends in a carriage return (see the module).
pub fn has_ambiguous_stream_end(pdf: &[u8]) -> bool {
    pdf.windows(11).any(|w| w == b"\r\nendstream")
}

#[cfg(test)]
mod tests {
    use super::*;
    use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};

    /// zlib data ends in the Adler-32 of what it holds, low byte last.
    fn adler_low_byte(data: &[u8]) -> u8 {
        let a = data.iter().fold(1u32, |a, b| (a + u32::from(*b)) % 65521);
        (a & 0xff) as u8
    }

    /// A one-page krilla file with `data` embedded (compressed).
    fn krilla_file(data: &[u8]) -> Vec<u8> {
        let mut doc = krilla::Document::new();
        doc.start_page();
        let file = EmbeddedFile {
            path: "case/pupil.yaml".into(),
            mime_type: MimeType::new("application/yaml"),
            description: Some("The case document".into()),
            association_kind: AssociationKind::Source,
            data: data.to_vec().into(),
            modification_date: None,
            compress: Some(true),
            location: None,
        };
        doc.embed_file(file).expect("one file");
        doc.finish().expect("a file")
    }

    fn embedded(pdf: &[u8]) -> Vec<u8> {
        let doc = lopdf::Document::load_mem(pdf).expect("reads");
        let stream = doc
            .objects
            .values()
            .filter_map(|o| o.as_stream().ok())
            .find(|s| s.dict.has_type(b"EmbeddedFile"))
            .expect("the embedded file");
        stream.decompressed_content().expect("decodes")
    }

    /// A stream whose data ends in a carriage return (about one in 256) comes out of `compact`
    /// without one, and decodes to the same bytes.
    #[test]
    fn a_stream_ending_in_a_carriage_return_is_written_unambiguously() {
        let data = (0..1000)
            .map(|i| format!("name: Zoë Brandon\nnote: {}\n", "a".repeat(i)).into_bytes())
            .find(|d| adler_low_byte(d) == b'\r')
            .expect("some text compresses to data ending in CR");
        let before = krilla_file(&data);
        assert!(has_ambiguous_stream_end(&before), "krilla writes it so");
        let after = compact(&before).unwrap();
        assert!(!has_ambiguous_stream_end(&after));
        assert_eq!(embedded(&after), data);
    }

    /// An object stream, the cross-reference stream and a page's contents are padded rather
    /// than written in hexadecimal (the pack's reader refuses an object stream so written).
    #[test]
    fn padding_moves_the_last_byte() {
        let mut plain = (0..1000)
            .map(|i| format!("1 0 <</Alt({})>>\n", "a".repeat(i)).into_bytes())
            .find(|d| adler_low_byte(d) == b'\r')
            .expect("some text compresses to data ending in CR");
        let original = plain.clone();
        let data = Deflater::new().padded(&mut plain, b"\n");
        assert_ne!(data.last(), Some(&b'\r'));
        assert!(plain.starts_with(&original) && plain.len() > original.len());
        let mut back = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::ZlibDecoder::new(&data[..]), &mut back)
            .unwrap();
        assert_eq!(back, plain);
    }

    /// One compressor used again and again writes what a new one would, whatever it
    /// compressed before.
    #[test]
    fn a_reused_compressor_writes_what_a_new_one_does() {
        let mut deflater = Deflater::new();
        for text in [
            "",
            "Seaham",
            &"Chester-le-Street, Stanley; ".repeat(5000),
            "Ōsaka",
        ] {
            let mut fresh =
                flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(LEVEL));
            fresh.write_all(text.as_bytes()).unwrap();
            assert_eq!(deflater.deflate(text.as_bytes()), fresh.finish().unwrap());
        }
    }

    /// The page contents and character maps krilla leaves uncompressed come out compressed,
    /// holding the same bytes; every other stream is copied as it was.
    #[test]
    fn uncompressed_contents_are_compressed() {
        let settings = krilla::SerializeSettings {
            compress_content_streams: false,
            ..krilla::SerializeSettings::default()
        };
        let mut doc = krilla::Document::new_with(settings);
        let mut page = doc.start_page();
        let mut surface = page.surface();
        let mut path = krilla::geom::PathBuilder::new();
        for i in 0..200 {
            path.push_rect(krilla::geom::Rect::from_xywh(i as f32, 10.0, 5.0, 5.0).unwrap());
        }
        surface.draw_path(&path.finish().unwrap());
        surface.finish();
        page.finish();
        let before = doc.finish().unwrap();
        let after = compact(&before).unwrap();
        assert!(
            after.len() < before.len() / 2,
            "{} < {}",
            after.len(),
            before.len()
        );
        let contents = |pdf: &[u8]| {
            let doc = lopdf::Document::load_mem(pdf).unwrap();
            let page = *doc.get_pages().values().next().unwrap();
            let stream = doc.get_page_content(page);
            let raw = doc
                .get_object(page)
                .and_then(|p| p.as_dict()?.get(b"Contents")?.as_reference())
                .and_then(|id| doc.get_object(id)?.as_stream().cloned())
                .unwrap();
            (stream, raw.dict.get(b"Filter").is_ok())
        };
        let (plain, filtered) = contents(&before);
        assert!(!filtered && plain.len() > 2000);
        assert_eq!(contents(&after), (plain, true));
    }

    /// Every object survives: the same numbers, the same dictionaries, the same stream data;
    /// the dictionaries are in object streams and the cross-reference is a stream.
    #[test]
    fn compact_keeps_every_object() {
        let data = b"name: Amara Okafor\nplace: Consett\n".repeat(40);
        let before = krilla_file(&data);
        let after = compact(&before).unwrap();
        assert!(
            after.len() < before.len(),
            "{} < {}",
            after.len(),
            before.len()
        );
        let (a, b) = (
            lopdf::Document::load_mem(&before).unwrap(),
            lopdf::Document::load_mem(&after).unwrap(),
        );
        let ids = |d: &lopdf::Document| {
            d.objects
                .iter()
                .filter(|(_, o)| {
                    o.as_stream().map_or(true, |s| {
                        !s.dict.has_type(b"ObjStm") && !s.dict.has_type(b"XRef")
                    })
                })
                .map(|(id, _)| *id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&a), ids(&b));
        for (id, object) in &a.objects {
            let other = b.get_object(*id).unwrap();
            match object {
                lopdf::Object::Stream(s) => {
                    let t = other.as_stream().unwrap();
                    assert_eq!(s.content, t.content, "stream {id:?}");
                }
                o => assert_eq!(o, other, "object {id:?}"),
            }
        }
        assert_eq!(a.trailer.get(b"Root").ok(), b.trailer.get(b"Root").ok());
        assert_eq!(a.trailer.get(b"ID").ok(), b.trailer.get(b"ID").ok());
        assert_eq!(embedded(&after), data);
        let text = String::from_utf8_lossy(&after);
        assert!(text.contains("/Type/ObjStm") && text.contains("/Type/XRef"));
        assert!(!text.contains("\ntrailer"));
    }

    /// Output of another shape is refused, never half-copied.
    #[test]
    fn an_unexpected_file_is_an_error() {
        assert!(compact(b"%PDF-1.7\n").is_err());
        let mut pdf = krilla_file(b"x");
        let at = rfind(&pdf, b"startxref\n").unwrap();
        pdf.truncate(at + 10);
        pdf.extend_from_slice(b"7\n%%EOF");
        assert!(compact(&pdf).is_err());
    }
}
