//! The finishing pass over the laid-out pack, with lopdf: append the attached reports, build the
//! outline, merge duplicate streams (the font faces), compress, and make the file reproducible
//! (dates from the case, an id from the content, objects numbered in reading order).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use lopdf::{dictionary, Dictionary, Document, Object, ObjectId, StringFormat};
use sha2::{Digest, Sha256};

use super::context::Attachment;
use super::layout::Entry;

/// A PDF text string: plain when ASCII, else UTF-16BE with its byte order mark.
fn text_string(s: &str) -> Object {
    if s.is_ascii() {
        Object::String(s.as_bytes().to_vec(), StringFormat::Literal)
    } else {
        let mut bytes = vec![0xFE, 0xFF];
        bytes.extend(s.encode_utf16().flat_map(u16::to_be_bytes));
        Object::String(bytes, StringFormat::Hexadecimal)
    }
}

fn pdf_date(d: NaiveDate) -> Object {
    Object::String(
        format!("D:{}000000Z", d.format("%Y%m%d")).into_bytes(),
        StringFormat::Literal,
    )
}

/// Replaces every reference to a key of `map` with its value.
fn rewrite_refs(object: &mut Object, map: &HashMap<ObjectId, ObjectId>) {
    match object {
        Object::Reference(id) => {
            if let Some(new) = map.get(id) {
                *id = *new;
            }
        }
        Object::Array(items) => items.iter_mut().for_each(|o| rewrite_refs(o, map)),
        Object::Dictionary(d) => d.iter_mut().for_each(|(_, o)| rewrite_refs(o, map)),
        Object::Stream(s) => s.dict.iter_mut().for_each(|(_, o)| rewrite_refs(o, map)),
        _ => {}
    }
}

/// Points every reference to a duplicate stream (same dictionary and bytes) at the first copy.
fn merge_duplicate_streams(doc: &mut Document) {
    let mut first: HashMap<Vec<u8>, ObjectId> = HashMap::new();
    let mut map = HashMap::new();
    for (id, object) in &doc.objects {
        if let Object::Stream(s) = object {
            let mut key = Sha256::new();
            key.update(format!("{:?}", s.dict).as_bytes());
            key.update(&s.content);
            let key = key.finalize().to_vec();
            match first.get(&key) {
                Some(original) => {
                    map.insert(*id, *original);
                }
                None => {
                    first.insert(key, *id);
                }
            }
        }
    }
    if map.is_empty() {
        return;
    }
    for object in doc.objects.values_mut() {
        rewrite_refs(object, &map);
    }
    for id in map.keys() {
        doc.objects.remove(id);
    }
}

/// Renumbers the objects in the order they are reached from the trailer, so that the same
/// content always gives the same numbers, and drops what nothing reaches.
fn canonical(doc: &mut Document) {
    let mut order: Vec<ObjectId> = Vec::new();
    let mut seen: HashMap<ObjectId, u32> = HashMap::new();
    fn visit(
        object: &Object,
        doc: &Document,
        order: &mut Vec<ObjectId>,
        seen: &mut HashMap<ObjectId, u32>,
    ) {
        match object {
            Object::Reference(id) => {
                if seen.contains_key(id) || !doc.objects.contains_key(id) {
                    return;
                }
                order.push(*id);
                seen.insert(*id, order.len() as u32);
                visit(&doc.objects[id], doc, order, seen);
            }
            Object::Array(items) => items.iter().for_each(|o| visit(o, doc, order, seen)),
            Object::Dictionary(d) => d.iter().for_each(|(_, o)| visit(o, doc, order, seen)),
            Object::Stream(s) => s.dict.iter().for_each(|(_, o)| visit(o, doc, order, seen)),
            _ => {}
        }
    }
    let trailer = doc.trailer.clone();
    for key in [&b"Root"[..], b"Info"] {
        if let Ok(o) = trailer.get(key) {
            visit(o, doc, &mut order, &mut seen);
        }
    }
    let map: HashMap<ObjectId, ObjectId> = seen.iter().map(|(k, v)| (*k, (*v, 0))).collect();
    let mut objects = BTreeMap::new();
    for id in &order {
        if let Some(mut o) = doc.objects.remove(id) {
            rewrite_refs(&mut o, &map);
            objects.insert(map[id], o);
        }
    }
    doc.objects = objects;
    let mut trailer = Dictionary::new();
    for key in [&b"Root"[..], b"Info"] {
        if let Ok(o) = doc.trailer.get(key) {
            let mut o = o.clone();
            rewrite_refs(&mut o, &map);
            trailer.set(key.to_vec(), o);
        }
    }
    doc.trailer = trailer;
    doc.max_id = order.len() as u32;
}

/// Attributes a page may inherit from its page tree; copied onto each attached page.
const INHERITED: [&[u8]; 4] = [b"Resources", b"MediaBox", b"CropBox", b"Rotate"];

/// Adds the pages of `source` at the end of `doc`; returns the first added page.
fn append(
    doc: &mut Document,
    pages_id: ObjectId,
    mut source: Document,
) -> Result<ObjectId, String> {
    source.renumber_objects_with(doc.max_id + 1);
    let page_ids: Vec<ObjectId> = source.get_pages().into_values().collect();
    if page_ids.is_empty() {
        return Err("it has no pages".into());
    }
    // Resolve inherited attributes before the page tree is dropped.
    let mut inherited: Vec<Vec<(Vec<u8>, Object)>> = Vec::new();
    for id in &page_ids {
        let mut found = Vec::new();
        for key in INHERITED {
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
    let mut kept: Vec<(ObjectId, Object)> = Vec::new();
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
            kept.push((id, object));
        }
    }
    for (id, object) in kept {
        doc.objects.insert(id, object);
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
    Ok(page_ids[0])
}

/// One line of the outline.
struct Mark {
    title: String,
    page: ObjectId,
    children: Vec<Mark>,
}

fn write_outline(
    doc: &mut Document,
    parent: ObjectId,
    marks: &[Mark],
) -> (ObjectId, ObjectId, i64) {
    let ids: Vec<ObjectId> = marks.iter().map(|_| doc.new_object_id()).collect();
    let mut count = marks.len() as i64;
    for (i, mark) in marks.iter().enumerate() {
        let mut d = dictionary! {
            "Title" => text_string(&mark.title),
            "Parent" => parent,
            "Dest" => vec![Object::Reference(mark.page), "Fit".into()],
        };
        if i > 0 {
            d.set("Prev", ids[i - 1]);
        }
        if i + 1 < ids.len() {
            d.set("Next", ids[i + 1]);
        }
        if !mark.children.is_empty() {
            let (first, last, n) = write_outline(doc, ids[i], &mark.children);
            d.set("First", first);
            d.set("Last", last);
            d.set("Count", n);
            count += n;
        }
        doc.objects.insert(ids[i], Object::Dictionary(d));
    }
    (ids[0], ids[ids.len() - 1], count)
}

/// What finishing needs to know.
pub struct Finish<'a> {
    /// The pack was written with PDF base fonts (measured with the real ones): embed the real
    /// fonts in their place.
    pub embed_fonts: bool,
    pub entries: &'a [Entry],
    pub attachments: &'a [Attachment],
    pub title: &'a str,
    pub date: Option<NaiveDate>,
}

/// Finishes the pack; returns the file's bytes and how many attachments were appended.
pub fn finish(pack: &[u8], f: &Finish) -> Result<Vec<u8>, String> {
    let mut doc =
        Document::load_mem(pack).map_err(|e| format!("cannot read back the pack: {e}"))?;
    // Before the attachments join: their own fonts stay as they are.
    if f.embed_fonts {
        embed_fonts(&mut doc)?;
    }
    let pages_id = doc
        .catalog()
        .and_then(|c| c.get(b"Pages"))
        .and_then(Object::as_reference)
        .map_err(|e| format!("the pack has no page tree: {e}"))?;
    let pack_pages: Vec<ObjectId> = doc.get_pages().into_values().collect();

    // Sections: level 1 at the top of the outline, level 2 under the level 1 before it.
    let mut marks: Vec<Mark> = Vec::new();
    for e in f.entries.iter().filter(|e| e.level <= 2) {
        let page = pack_pages[(e.page.max(1) - 1).min(pack_pages.len() - 1)];
        let mark = Mark {
            title: e.text.clone(),
            page,
            children: Vec::new(),
        };
        match (e.level, marks.last_mut()) {
            (2, Some(parent)) => parent.children.push(mark),
            _ => marks.push(mark),
        }
    }
    for (i, a) in f.attachments.iter().enumerate() {
        let source = crate::evidence_pdf::load_checked(&a.path)
            .map_err(|e| format!("cannot read the attachment {}: {e}", a.label))?;
        let first = append(&mut doc, pages_id, source)
            .map_err(|e| format!("cannot attach {}: {e}", a.label))?;
        marks.push(Mark {
            title: format!("Appendix {}: {}", i + 1, a.title),
            page: first,
            children: Vec::new(),
        });
    }
    let outlines_id = doc.new_object_id();
    let mut outlines = dictionary! { "Type" => "Outlines" };
    if !marks.is_empty() {
        let (first, last, count) = write_outline(&mut doc, outlines_id, &marks);
        outlines.set("First", first);
        outlines.set("Last", last);
        outlines.set("Count", count);
    }
    doc.objects
        .insert(outlines_id, Object::Dictionary(outlines));
    let info_id = doc.add_object(Object::Dictionary({
        let mut info = dictionary! {
            "Title" => text_string(f.title),
            "Producer" => text_string(concat!("ehcpack ", env!("CARGO_PKG_VERSION"))),
            "Creator" => text_string("ehcpack render"),
        };
        if let Some(d) = f.date {
            info.set("CreationDate", pdf_date(d));
            info.set("ModDate", pdf_date(d));
        }
        info
    }));
    {
        let catalog = doc.catalog_mut().map_err(|e| e.to_string())?;
        catalog.set("Outlines", outlines_id);
        catalog.set("PageMode", "UseOutlines");
        catalog.remove(b"Metadata");
        catalog.set("Lang", text_string("en-GB"));
        catalog.set(
            "ViewerPreferences",
            dictionary! { "DisplayDocTitle" => true },
        );
    }
    doc.trailer.set("Info", info_id);
    doc.trailer.remove(b"ID");

    merge_duplicate_streams(&mut doc);
    for object in doc.objects.values_mut() {
        if let Object::Stream(s) = object {
            compress(s);
        }
    }
    canonical(&mut doc);

    // The id comes from the content, so the same pack always has the same id: save once with
    // a placeholder id, hash the file, and write the hash over the placeholder.
    let placeholder = Object::String(vec![0u8; 16], StringFormat::Hexadecimal);
    doc.trailer
        .set("ID", vec![placeholder.clone(), placeholder]);
    let mut out = Vec::new();
    doc.save_to(&mut out)
        .map_err(|e| format!("cannot write the pack: {e}"))?;
    let digest = Sha256::digest(&out);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02X}")).collect();
    let zeros = format!("<{}>", "0".repeat(32));
    let mut from = out.len();
    for _ in 0..2 {
        let at = out[..from]
            .windows(zeros.len())
            .rposition(|w| w == zeros.as_bytes())
            .ok_or("cannot set the pack's id")?;
        out[at + 1..at + 33].copy_from_slice(hex.as_bytes());
        from = at;
    }
    Ok(out)
}

/// The base fonts the quick layout passes write, and the fonts they were measured with.
const FONTS: [(&str, &str, &[u8], i64); 2] = [
    (
        "Helvetica",
        "AtkinsonHyperlegible-Regular",
        super::layout::REGULAR,
        80,
    ),
    (
        "Helvetica-Bold",
        "AtkinsonHyperlegible-Bold",
        super::layout::BOLD,
        140,
    ),
];

/// The characters of Windows-1252 codes 128 to 159 (the rest of 32 to 255 is Latin-1).
const WIN_1252_HIGH: [Option<char>; 32] = [
    Some('\u{20AC}'),
    None,
    Some('\u{201A}'),
    Some('\u{0192}'),
    Some('\u{201E}'),
    Some('\u{2026}'),
    Some('\u{2020}'),
    Some('\u{2021}'),
    Some('\u{02C6}'),
    Some('\u{2030}'),
    Some('\u{0160}'),
    Some('\u{2039}'),
    Some('\u{0152}'),
    None,
    Some('\u{017D}'),
    None,
    None,
    Some('\u{2018}'),
    Some('\u{2019}'),
    Some('\u{201C}'),
    Some('\u{201D}'),
    Some('\u{2022}'),
    Some('\u{2013}'),
    Some('\u{2014}'),
    Some('\u{02DC}'),
    Some('\u{2122}'),
    Some('\u{0161}'),
    Some('\u{203A}'),
    Some('\u{0153}'),
    None,
    Some('\u{017E}'),
    Some('\u{0178}'),
];

/// Replaces the base-font dictionaries (Helvetica, as written by the quick layout passes) with
/// the Atkinson Hyperlegible fonts the layout was measured with, embedded as simple TrueType
/// fonts in the same Windows-1252 encoding and with their own widths, so that every character
/// lands where the layout put it. Doing this here, rather than asking printpdf to embed, saves
/// a whole layout pass and printpdf's scan of every Unicode code point for each font.
fn embed_fonts(doc: &mut Document) -> Result<(), String> {
    for (base, name, bytes, stem) in FONTS {
        let targets: Vec<ObjectId> = doc
            .objects
            .iter()
            .filter(|(_, o)| {
                o.as_dict().is_ok_and(|d| {
                    d.get(b"Type")
                        .and_then(Object::as_name)
                        .is_ok_and(|n| n == b"Font")
                        && d.get(b"BaseFont")
                            .and_then(Object::as_name)
                            .is_ok_and(|n| n == base.as_bytes())
                })
            })
            .map(|(id, _)| *id)
            .collect();
        if targets.is_empty() {
            continue;
        }
        let font = rusttype::Font::from_bytes(bytes)
            .map_err(|e| format!("cannot read the font {name}: {e}"))?;
        let em = f32::from(font.units_per_em());
        let v = font.v_metrics_unscaled();
        // rusttype scales so that ascent - descent is the size asked for: this size gives
        // advances in thousandths of an em, as PDF widths are.
        let scale = rusttype::Scale::uniform(1000.0 * (v.ascent - v.descent) / em);
        let widths: Vec<Object> = (32u8..=255)
            .map(|code| {
                let c = match code {
                    128..=159 => WIN_1252_HIGH[usize::from(code - 128)],
                    _ => Some(char::from(code)),
                };
                let w = c.map_or(0.0, |c| {
                    font.glyph(c).scaled(scale).h_metrics().advance_width
                });
                Object::Integer(w.round() as i64)
            })
            .collect();
        let ascent = (v.ascent * 1000.0 / em).round() as i64;
        let descent = (v.descent * 1000.0 / em).round() as i64;
        let file = doc.add_object(lopdf::Stream::new(
            dictionary! { "Length1" => bytes.len() as i64 },
            bytes.to_vec(),
        ));
        let descriptor = doc.add_object(dictionary! {
            "Type" => "FontDescriptor",
            "FontName" => Object::Name(name.as_bytes().to_vec()),
            "Flags" => 32,
            "FontBBox" => vec![(-250).into(), descent.into(), 1300.into(), ascent.into()],
            "ItalicAngle" => 0,
            "Ascent" => ascent,
            "Descent" => descent,
            "CapHeight" => (ascent * 7 / 10),
            "StemV" => stem,
            "FontFile2" => file,
        });
        let replacement = dictionary! {
            "Type" => "Font",
            "Subtype" => "TrueType",
            "BaseFont" => Object::Name(name.as_bytes().to_vec()),
            "FirstChar" => 32,
            "LastChar" => 255,
            "Widths" => widths,
            "Encoding" => "WinAnsiEncoding",
            "FontDescriptor" => descriptor,
        };
        for id in targets {
            doc.objects
                .insert(id, Object::Dictionary(replacement.clone()));
        }
    }
    Ok(())
}

/// Compresses a stream that has no filter yet, at zlib's default level: lopdf's own
/// `compress` uses the best level, which costs a fifth of a render for a file a few per cent
/// smaller.
fn compress(stream: &mut lopdf::Stream) {
    use std::io::Write;
    if stream.dict.get(b"Filter").is_ok() {
        return;
    }
    let mut encoder = flate2::write::ZlibEncoder::new(
        Vec::with_capacity(stream.content.len() / 2),
        flate2::Compression::default(),
    );
    let Ok(compressed) = encoder
        .write_all(&stream.content)
        .and_then(|_| encoder.finish())
    else {
        return;
    };
    if compressed.len() + 19 < stream.content.len() {
        stream.dict.set("Filter", "FlateDecode");
        stream.set_content(compressed);
    }
}
