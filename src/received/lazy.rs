//! The fast way into a received pack: only the trailer, the cross-reference data (classic
//! tables and cross-reference streams, with their `/Prev` chain) and the objects on the way to
//! the embedded files and the pages are read, not every object of the file (fonts, content
//! streams and the structure tree, most of a pack, are never parsed).
//!
//! It answers only for a PDF it reads without a doubt: anything unexpected (an encrypted file,
//! a hybrid cross-reference, an offset that does not hold the object it should, a stream whose
//! length is wrong, a page tree that loops, a cap reached) gives `None`, and the caller reads
//! the file the full way ([`super::pack`]'s lopdf load, with its pre-scan and every cap), so a
//! pack re-saved by another program is checked exactly as before, only not faster.
//!
//! Bounded: at most `max_objects` cross-reference entries and objects built (an object stream
//! counts every object its index lists), each stream inflated within `max_embedded_bytes`,
//! nesting 32 deep, at most 64 cross-reference sections; no recursion without a depth limit.

use std::collections::HashSet;

// Object numbers are the keys here: a fast hash (a pack has a thousand objects or so; SipHash
// and the table's growth were a tenth of reading one). Limits count entries, not this.
type HashMap<K, V> = rustc_hash::FxHashMap<K, V>;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use super::pdf_syntax::{bail, find_last, integer, object, skip_eol, skip_space, Res, MAX_NESTING};
use super::Limits;

const MAX_SECTIONS: usize = 64;
const MAX_PAGE_DEPTH: usize = 256;

#[derive(Clone, Copy)]
enum Entry {
    /// At this byte offset, with this generation.
    Plain(usize, u16),
    /// In this object stream.
    Packed(u32),
    Free,
}

/// A decoded object stream: its content and where each object starts in it.
struct Packed {
    content: Vec<u8>,
    starts: HashMap<u32, usize>,
}

struct Reader<'a> {
    bytes: &'a [u8],
    xref: HashMap<u32, Entry>,
    packed: HashMap<u32, Packed>,
    doc: Document,
    built: usize,
    limits: &'a Limits,
}

/// The objects a pack is checked by, read the fast way into a [`Document`] that holds only
/// them (the trailer, the catalog, the embedded-file tree, its file specifications and streams,
/// the page tree and the pages' annotations); and the number of pages' annotations that are
/// attached files. `None`: read the file the full way.
pub(super) fn read(bytes: &[u8], limits: &Limits) -> Option<(Document, usize)> {
    let mut reader = Reader {
        bytes,
        xref: HashMap::default(),
        packed: HashMap::default(),
        doc: Document::new(),
        built: 0,
        limits,
    };
    let read = reader.cross_reference().and_then(|()| {
        if reader.doc.trailer.get(b"Encrypt").is_ok() {
            return Err(bail!());
        }
        reader.walk()
    });
    read.ok().map(|attached| (reader.doc, attached))
}

impl Reader<'_> {
    fn count(&mut self, n: usize) -> Res<()> {
        self.built = self.built.saturating_add(n);
        if self.built > self.limits.max_objects {
            return Err(bail!());
        }
        Ok(())
    }

    /// Reads every cross-reference section from the last one back along `/Prev`; a newer
    /// section's entry wins.
    fn cross_reference(&mut self) -> Res<()> {
        let tail = &self.bytes[self.bytes.len().saturating_sub(1024)..];
        let at = find_last(tail, b"startxref").ok_or(bail!())?;
        let (mut offset, _) = integer(tail, at + 9)?;
        let mut seen = HashSet::new();
        let mut first = true;
        loop {
            let offset_usize = usize::try_from(offset).map_err(|_| bail!())?;
            if seen.len() >= MAX_SECTIONS || !seen.insert(offset_usize) {
                return Err(bail!());
            }
            let trailer = if self.bytes.get(offset_usize..offset_usize + 4) == Some(b"xref") {
                self.table(offset_usize + 4)?
            } else {
                self.xref_stream(offset_usize)?
            };
            // A hybrid file (a table and a stream for the same section): the full way.
            if trailer.get(b"XRefStm").is_ok() {
                return Err(bail!());
            }
            let prev = trailer.get(b"Prev").and_then(Object::as_i64).ok();
            if first {
                self.doc.trailer = trailer;
                first = false;
            }
            match prev {
                Some(p) => offset = p,
                None => return Ok(()),
            }
        }
    }

    fn add(&mut self, number: u32, entry: Entry) -> Res<()> {
        if let std::collections::hash_map::Entry::Vacant(v) = self.xref.entry(number) {
            v.insert(entry);
        }
        if self.xref.len() > self.limits.max_objects {
            return Err(bail!());
        }
        Ok(())
    }

    /// A classic table, after its `xref` keyword; returns its trailer.
    fn table(&mut self, mut pos: usize) -> Res<Dictionary> {
        let bytes = self.bytes;
        let mut entries = 0usize;
        loop {
            pos = skip_space(bytes, pos);
            if bytes[pos..].starts_with(b"trailer") {
                let (trailer, _) = object(bytes, pos + 7, 0)?;
                return trailer.as_dict().cloned().map_err(|_| bail!());
            }
            let (start, p) = integer(bytes, pos)?;
            let (count, p) = integer(bytes, p)?;
            pos = p;
            let start = u32::try_from(start).map_err(|_| bail!())?;
            for i in 0..u32::try_from(count).map_err(|_| bail!())? {
                entries += 1;
                if entries > self.limits.max_objects.saturating_mul(2) {
                    return Err(bail!());
                }
                let (offset, p) = integer(bytes, pos)?;
                let (generation, p) = integer(bytes, p)?;
                let p = skip_space(bytes, p);
                let kind = *bytes.get(p).ok_or(bail!())?;
                pos = p + 1;
                let number = start.checked_add(i).ok_or(bail!())?;
                let entry = match kind {
                    b'n' => Entry::Plain(
                        usize::try_from(offset).map_err(|_| bail!())?,
                        u16::try_from(generation).map_err(|_| bail!())?,
                    ),
                    b'f' => Entry::Free,
                    _ => return Err(bail!()),
                };
                self.add(number, entry)?;
            }
        }
    }

    /// A cross-reference stream at `offset`; returns its dictionary, the trailer.
    fn xref_stream(&mut self, offset: usize) -> Res<Dictionary> {
        let (_, stream) = self.indirect(offset)?;
        let Object::Stream(stream) = stream else {
            return Err(bail!());
        };
        if stream.dict.get_type().ok() != Some(b"XRef".as_slice()) {
            return Err(bail!());
        }
        let data = inflate(&stream, self.limits.max_embedded_bytes, false)?;
        let widths: Vec<usize> = stream
            .dict
            .get(b"W")
            .and_then(Object::as_array)
            .map_err(|_| bail!())?
            .iter()
            .map(|w| w.as_i64().ok().and_then(|w| usize::try_from(w).ok()))
            .collect::<Option<_>>()
            .ok_or(bail!())?;
        if widths.len() != 3 || widths.iter().any(|w| *w > 8) {
            return Err(bail!());
        }
        let size = stream
            .dict
            .get(b"Size")
            .and_then(Object::as_i64)
            .map_err(|_| bail!())?;
        let index: Vec<i64> = match stream.dict.get(b"Index") {
            Ok(Object::Array(a)) => a
                .iter()
                .map(|o| o.as_i64().map_err(|_| bail!()))
                .collect::<Res<_>>()?,
            _ => vec![0, size],
        };
        // Room for the entries this section declares, at most the limit on objects.
        let declared = usize::try_from(size).unwrap_or(0);
        self.xref.reserve(declared.min(self.limits.max_objects));
        let row: usize = widths.iter().sum();
        if row == 0 || !index.len().is_multiple_of(2) {
            return Err(bail!());
        }
        let field = |at: usize, width: usize| {
            data[at..at + width]
                .iter()
                .fold(0u64, |n, b| (n << 8) | u64::from(*b))
        };
        let mut at = 0usize;
        for pair in index.chunks(2) {
            let start = u32::try_from(pair[0]).map_err(|_| bail!())?;
            let count = usize::try_from(pair[1]).map_err(|_| bail!())?;
            for i in 0..count {
                if at + row > data.len() {
                    return Err(bail!());
                }
                let kind = if widths[0] == 0 {
                    1
                } else {
                    field(at, widths[0])
                };
                let second = field(at + widths[0], widths[1]);
                let third = field(at + widths[0] + widths[1], widths[2]);
                at += row;
                let number = start
                    .checked_add(u32::try_from(i).map_err(|_| bail!())?)
                    .ok_or(bail!())?;
                let entry = match kind {
                    0 => Entry::Free,
                    1 => Entry::Plain(
                        usize::try_from(second).map_err(|_| bail!())?,
                        u16::try_from(third).map_err(|_| bail!())?,
                    ),
                    2 => Entry::Packed(u32::try_from(second).map_err(|_| bail!())?),
                    // Unknown kinds are null objects (ISO 32000-1, 7.5.8.3).
                    _ => Entry::Free,
                };
                self.add(number, entry)?;
            }
        }
        Ok(stream.dict)
    }

    /// The object written at `offset` (`N G obj ... endobj`), a stream with its raw content.
    fn indirect(&mut self, offset: usize) -> Res<(ObjectId, Object)> {
        self.indirect_within(offset, true)
    }

    /// As [`Reader::indirect`]; a stream's length by reference is read only when `lengths` (so
    /// that a length's own object is never a stream whose length is read in turn).
    fn indirect_within(&mut self, offset: usize, lengths: bool) -> Res<(ObjectId, Object)> {
        let bytes = self.bytes;
        let (number, p) = integer(bytes, offset)?;
        let (generation, p) = integer(bytes, p)?;
        let p = skip_space(bytes, p);
        if !bytes.get(p..).is_some_and(|b| b.starts_with(b"obj")) {
            return Err(bail!());
        }
        let id = (
            u32::try_from(number).map_err(|_| bail!())?,
            u16::try_from(generation).map_err(|_| bail!())?,
        );
        let (value, p) = object(bytes, p + 3, 0)?;
        self.count(1)?;
        let p = skip_space(bytes, p);
        if !bytes[p..].starts_with(b"stream") {
            return Ok((id, value));
        }
        let Object::Dictionary(dict) = value else {
            return Err(bail!());
        };
        let mut start = p + 6;
        if bytes[start..].starts_with(b"\r\n") {
            start += 2;
        } else if bytes[start..].starts_with(b"\n") {
            start += 1;
        } else {
            return Err(bail!());
        }
        // A length given by reference is read from its own object, never from a stream.
        let length = match dict.get(b"Length").map_err(|_| bail!())? {
            Object::Integer(n) => *n,
            Object::Reference(rid) if lengths => match self.xref.get(&rid.0) {
                Some(Entry::Plain(at, g)) if *g == rid.1 => {
                    let at = *at;
                    self.indirect_within(at, false)?
                        .1
                        .as_i64()
                        .map_err(|_| bail!())?
                }
                _ => return Err(bail!()),
            },
            _ => return Err(bail!()),
        };
        let end = usize::try_from(length)
            .ok()
            .and_then(|l| start.checked_add(l))
            .filter(|e| *e <= bytes.len())
            .ok_or(bail!())?;
        // The stream must end where its length says: otherwise lopdf searches for the end,
        // and the full way decides.
        if !bytes[skip_eol(bytes, end)..].starts_with(b"endstream") {
            return Err(bail!());
        }
        let mut stream = Stream::new(dict, bytes[start..end].to_vec());
        stream.allows_compression = false;
        Ok((id, Object::Stream(stream)))
    }

    /// Makes sure object `id` is in the document, read from where the cross-reference puts it.
    fn fetch(&mut self, id: ObjectId) -> Res<()> {
        if self.doc.objects.contains_key(&id) {
            return Ok(());
        }
        let object = match self.xref.get(&id.0).copied() {
            Some(Entry::Plain(offset, generation)) => {
                if generation != id.1 {
                    return Err(bail!());
                }
                let (found, object) = self.indirect(offset)?;
                if found != id {
                    return Err(bail!());
                }
                object
            }
            Some(Entry::Packed(container)) => {
                if id.1 != 0 {
                    return Err(bail!());
                }
                self.unpack(container)?;
                let packed = &self.packed[&container];
                let start = *packed.starts.get(&id.0).ok_or(bail!())?;
                let (object, _) = object(&packed.content, start, 0)?;
                object
            }
            // A missing or free object is null, for lopdf too; a pack of ours has none on the
            // way to its files.
            Some(Entry::Free) | None => return Err(bail!()),
        };
        self.doc.objects.insert(id, object);
        Ok(())
    }

    /// Decodes an object stream once, counting every object its index lists.
    fn unpack(&mut self, container: u32) -> Res<()> {
        if self.packed.contains_key(&container) {
            return Ok(());
        }
        let Some(Entry::Plain(offset, 0)) = self.xref.get(&container).copied() else {
            return Err(bail!());
        };
        let (id, object) = self.indirect(offset)?;
        let Object::Stream(stream) = object else {
            return Err(bail!());
        };
        if id.0 != container || stream.dict.get_type().ok() != Some(b"ObjStm".as_slice()) {
            return Err(bail!());
        }
        let first = stream
            .dict
            .get(b"First")
            .and_then(Object::as_i64)
            .ok()
            .and_then(|f| usize::try_from(f).ok())
            .ok_or(bail!())?;
        let content = inflate(&stream, self.limits.max_embedded_bytes, true)?;
        let header = content.get(..first).ok_or(bail!())?;
        let mut starts = HashMap::default();
        let mut pos = 0;
        let mut listed = 0usize;
        loop {
            pos = skip_space(header, pos);
            if pos >= header.len() {
                break;
            }
            let (number, p) = integer(header, pos)?;
            let (at, p) = integer(header, p)?;
            pos = p;
            listed += 1;
            if listed > self.limits.max_objects {
                return Err(bail!());
            }
            let number = u32::try_from(number).map_err(|_| bail!())?;
            let at = usize::try_from(at)
                .ok()
                .and_then(|a| a.checked_add(first))
                .ok_or(bail!())?;
            starts.entry(number).or_insert(at);
        }
        self.count(listed)?;
        self.packed.insert(container, Packed { content, starts });
        Ok(())
    }

    /// The object itself: a reference is fetched and its object cloned (small dictionaries and
    /// arrays only: streams are fetched, never cloned).
    fn resolved(&mut self, object: &Object) -> Res<Object> {
        match object {
            Object::Reference(id) => {
                self.fetch(*id)?;
                match &self.doc.objects[id] {
                    Object::Stream(_) | Object::Reference(_) => Err(bail!()),
                    other => Ok(other.clone()),
                }
            }
            other => Ok(other.clone()),
        }
    }

    /// An object by its number, read if need be, lent rather than copied (what `resolved`
    /// refuses, a stream or a reference to a reference, is refused here too).
    fn borrowed(&mut self, id: ObjectId) -> Res<&Object> {
        self.fetch(id)?;
        match &self.doc.objects[&id] {
            Object::Stream(_) | Object::Reference(_) => Err(bail!()),
            other => Ok(other),
        }
    }

    fn fetch_if_ref(&mut self, object: &Object) -> Res<()> {
        match object {
            Object::Reference(id) => self.fetch(*id),
            _ => Ok(()),
        }
    }

    /// Reads what [`super::pack`] looks at: the catalog; its `/Names /EmbeddedFiles` tree and
    /// `/AF` array with every file specification and stream; the page tree, each page, and each
    /// page's annotations. Returns how many of those annotations are attached files.
    fn walk(&mut self) -> Res<usize> {
        let root = self.doc.trailer.get(b"Root").map_err(|_| bail!())?.clone();
        let Object::Reference(_) = root else {
            return Err(bail!());
        };
        let catalog = self.resolved(&root)?;
        let catalog = catalog.as_dict().map_err(|_| bail!())?;
        // An action when the pack opens, or a form: ehcpack writes neither; the full way
        // decides.
        if catalog.has(b"OpenAction") || catalog.has(b"AA") || catalog.has(b"AcroForm") {
            return Err(bail!());
        }
        if let Ok(names) = catalog.get(b"Names") {
            self.fetch_if_ref(names)?;
            if let Ok(tree) = self
                .resolved(names)?
                .as_dict()
                .and_then(|d| d.get(b"EmbeddedFiles"))
            {
                let tree = tree.clone();
                let mut visited = HashSet::new();
                self.tree(&tree, 0, &mut visited)?;
            }
        }
        if let Ok(af) = catalog.get(b"AF") {
            if let Object::Array(specs) = self.resolved(af)? {
                for spec in specs.iter().take(self.limits.max_embedded_files) {
                    self.spec(spec)?;
                }
            }
        }
        let pages = catalog.get(b"Pages").map_err(|_| bail!())?.clone();
        self.pages(&pages)
    }

    fn tree(&mut self, node: &Object, depth: usize, visited: &mut HashSet<ObjectId>) -> Res<()> {
        if depth > MAX_NESTING {
            return Err(bail!());
        }
        if let Object::Reference(id) = node {
            if !visited.insert(*id) {
                return Err(bail!());
            }
        }
        let node = self.resolved(node)?;
        let Ok(dict) = node.as_dict() else {
            return Ok(());
        };
        if let Ok(names) = dict.get(b"Names") {
            if let Object::Array(names) = self.resolved(names)? {
                for pair in names.chunks(2) {
                    if let [key, spec] = pair {
                        self.fetch_if_ref(key)?;
                        self.spec(spec)?;
                    }
                }
            }
        }
        if let Ok(kids) = dict.get(b"Kids") {
            if let Object::Array(kids) = self.resolved(kids)? {
                for kid in &kids {
                    self.tree(kid, depth + 1, visited)?;
                }
            }
        }
        Ok(())
    }

    /// A file specification, its name and its embedded file's stream.
    fn spec(&mut self, spec: &Object) -> Res<()> {
        let spec = self.resolved(spec)?;
        let Ok(spec) = spec.as_dict() else {
            return Ok(());
        };
        for key in [b"UF".as_slice(), b"F"] {
            if let Ok(name) = spec.get(key) {
                self.fetch_if_ref(name)?;
            }
        }
        if let Ok(ef) = spec.get(b"EF") {
            if let Ok(ef) = self.resolved(ef)?.as_dict() {
                for key in [b"F".as_slice(), b"UF"] {
                    if let Ok(stream) = ef.get(key) {
                        self.fetch_if_ref(stream)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// The page tree as lopdf walks it (kids by reference; `/Pages` nodes followed, `/Page`
    /// leaves counted), each node once; returns the attached files among the pages'
    /// annotations.
    fn pages(&mut self, root: &Object) -> Res<usize> {
        let Object::Reference(root) = root else {
            return Err(bail!());
        };
        let mut attached = 0;
        let mut visited = HashSet::new();
        let mut stack = vec![(*root, 0usize)];
        while let Some((id, depth)) = stack.pop() {
            if depth > MAX_PAGE_DEPTH || !visited.insert(id) {
                return Err(bail!());
            }
            // Borrowed, not cloned: only the list of kids or of annotations is copied out.
            let dict = self.borrowed(id)?.as_dict().map_err(|_| bail!())?;
            match dict.get_type().ok() {
                // Additional actions on a page or a node of the page tree, annotations on a
                // node: the full way decides.
                Some(b"Page" | b"Pages") if dict.has(b"AA") => return Err(bail!()),
                Some(b"Pages") if dict.has(b"Annots") => return Err(bail!()),
                Some(b"Pages") => {
                    let Ok(kids) = dict.get(b"Kids").cloned() else {
                        continue;
                    };
                    let Object::Array(kids) = self.resolved(&kids)? else {
                        return Err(bail!());
                    };
                    // Pushed in reverse, so pages are met in order.
                    for kid in kids.iter().rev() {
                        match kid {
                            Object::Reference(kid) => stack.push((*kid, depth + 1)),
                            _ => return Err(bail!()),
                        }
                    }
                }
                Some(b"Page") if depth > 0 => {
                    if let Ok(annots) = dict.get(b"Annots").cloned() {
                        let Object::Array(annots) = self.resolved(&annots)? else {
                            return Err(bail!());
                        };
                        for annot in &annots {
                            let annot = match annot {
                                Object::Reference(id) => self.borrowed(*id)?,
                                inline => inline,
                            };
                            let Ok(annot) = annot.as_dict() else {
                                continue;
                            };
                            // Ours are links to a destination in the pack, with the subtype
                            // written out. A subtype by reference, an action or a file
                            // specification: the full way decides (`pack::carries_a_file`).
                            let subtype = match annot.get(b"Subtype") {
                                Ok(Object::Name(name)) => name.as_slice(),
                                Ok(_) => return Err(bail!()),
                                Err(_) => b"".as_slice(),
                            };
                            if annot.has(b"A") || annot.has(b"FS") || annot.has(b"AA") {
                                return Err(bail!());
                            }
                            match subtype {
                                b"Link" => {}
                                b"FileAttachment" => attached += 1,
                                _ => return Err(bail!()),
                            }
                        }
                    }
                }
                _ => return Err(bail!()),
            }
        }
        Ok(attached)
    }
}

/// A stream's content decoded within `limit` bytes: an object stream only in Flate without a
/// predictor (as the full way's pre-scan allows), a cross-reference stream in what lopdf
/// decodes (qpdf writes them with a PNG predictor).
fn inflate(stream: &Stream, limit: usize, packed: bool) -> Res<Vec<u8>> {
    if stream.dict.get(b"Filter").is_err() {
        if stream.content.len() > limit {
            return Err(bail!());
        }
        return Ok(stream.content.clone());
    }
    let filters = stream.filters().map_err(|_| bail!())?;
    match filters.as_slice() {
        [f] if f == b"FlateDecode" && stream.dict.get(b"DecodeParms").is_err() => {
            super::inflate::zlib(&stream.content, limit).ok_or(bail!())
        }
        _ if !packed => stream
            .decompressed_content_with_limit(limit)
            .map_err(|_| bail!()),
        _ => Err(bail!()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::StringFormat;

    #[test]
    fn objects_parse_as_lopdf_writes_them() {
        let (o, _) = object(
            b"<< /A 1 0 R /B [1 2.5 (a\\)b) <4142>] /C#20d true >>",
            0,
            0,
        )
        .ok()
        .unwrap();
        let d = o.as_dict().unwrap();
        assert_eq!(d.get(b"A").unwrap(), &Object::Reference((1, 0)));
        let b = d.get(b"B").unwrap().as_array().unwrap();
        assert_eq!(b[0], Object::Integer(1));
        assert_eq!(b[2], Object::String(b"a)b".to_vec(), StringFormat::Literal));
        assert_eq!(
            b[3],
            Object::String(b"AB".to_vec(), StringFormat::Hexadecimal)
        );
        assert_eq!(d.get(b"C d").unwrap(), &Object::Boolean(true));
    }

    /// A stream whose length is given by another stream whose length is given by the first:
    /// given up, never a loop.
    #[test]
    fn lengths_that_refer_to_each_other_are_given_up() {
        let mut pdf = b"%PDF-1.7\n".to_vec();
        let a = pdf.len();
        pdf.extend_from_slice(b"1 0 obj\n<< /Length 2 0 R >>\nstream\nx\nendstream\nendobj\n");
        let b = pdf.len();
        pdf.extend_from_slice(b"2 0 obj\n<< /Length 1 0 R >>\nstream\nx\nendstream\nendobj\n");
        let xref = pdf.len();
        pdf.extend_from_slice(
            format!(
                "xref\n0 3\n0000000000 65535 f \n{a:010} 00000 n \n{b:010} 00000 n \ntrailer\n<< \
                 /Size 3 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
            )
            .as_bytes(),
        );
        assert!(read(&pdf, &Limits::default()).is_none());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        /// Any bytes changed anywhere in a small PDF: an answer or the full way, never a panic.
        #[test]
        fn changed_bytes_never_panic(at in 0usize..400, byte in proptest::prelude::any::<u8>()) {
            let mut pdf = small_pdf();
            let at = at % pdf.len();
            pdf[at] = byte;
            let _ = read(&pdf, &Limits::default());
        }
    }

    fn small_pdf() -> Vec<u8> {
        let mut pdf = b"%PDF-1.7\n".to_vec();
        let mut offsets = Vec::new();
        for body in [
            "<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(a) 4 0 R] >> >> >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /Annots [] >>",
            "<< /Type /Filespec /F (a) /EF << /F 5 0 R >> >>",
        ] {
            offsets.push(pdf.len());
            pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", offsets.len()).as_bytes());
        }
        offsets.push(pdf.len());
        pdf.extend_from_slice(b"5 0 obj\n<< /Length 3 >>\nstream\nabc\nendstream\nendobj\n");
        let xref = pdf.len();
        pdf.extend_from_slice(b"xref\n0 6\n0000000000 65535 f \n");
        for o in offsets {
            pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        pdf.extend_from_slice(
            format!("trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
        );
        pdf
    }

    #[test]
    fn a_small_pdf_is_read_with_its_objects() {
        let (doc, attached) = read(&small_pdf(), &Limits::default()).expect("read");
        assert_eq!(attached, 0);
        assert_eq!(doc.page_iter().count(), 1);
        assert!(doc.objects.contains_key(&(5, 0)));
    }

    #[test]
    fn nesting_past_the_limit_is_given_up() {
        let deep = "[".repeat(100);
        assert!(object(deep.as_bytes(), 0, 0).is_err());
    }
}
