//! A received PDF that is not an ehcpack pack (typed in Word, scanned, made by another tool) is
//! a request all the same: it gets the verdict `check-by-hand`, with what the caseworker needs to
//! find it in the pile: its page count and its document title, where it has them.
//!
//! The PDF is read with the same bounds as a pack (size, objects, decompression), on a thread of
//! its own with a large stack; anything it cannot tell is left out, never guessed.

use std::path::Path;

use super::Limits;
use crate::diagnostic::case_report::ByHand;

/// The longest title kept.
const MAX_TITLE_CHARS: usize = 200;

/// The page count and title of the PDF at `path`, as far as they can be read.
pub fn describe(path: &Path, limits: &Limits) -> ByHand {
    let Ok(bytes) = crate::read::read_capped(path, limits.max_pack_bytes) else {
        return ByHand::default();
    };
    // Objects counted where they really are (inside object streams too), by the one pre-scan
    // and loader a pack is read with: a small PDF that lists millions of objects is never built.
    if crate::load::evidence_pdf::prescan(&bytes, limits.max_objects, false).is_err() {
        return ByHand::default();
    }
    let max = limits.max_embedded_bytes;
    let max_objects = limits.max_objects;
    super::big_stack::run(move || read(&bytes, max, max_objects)).unwrap_or_default()
}

fn read(bytes: &[u8], max_decompressed: usize, max_objects: usize) -> ByHand {
    let options = lopdf::LoadOptions {
        max_decompressed_size: Some(max_decompressed),
        ..lopdf::LoadOptions::default()
    };
    let Ok(Ok(doc)) = crate::load::evidence_pdf::load_counted(bytes, options, max_objects) else {
        return ByHand::default();
    };
    let pages = doc.page_iter().count();
    let title = doc
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|info| match info {
            lopdf::Object::Reference(id) => doc.get_dictionary(*id).ok(),
            lopdf::Object::Dictionary(d) => Some(d),
            _ => None,
        })
        .and_then(|info| info.get(b"Title").ok())
        .and_then(|t| match t {
            lopdf::Object::String(bytes, _) => Some(text_string(bytes)),
            _ => None,
        })
        .filter(|t| !t.is_empty());
    ByHand {
        pages: Some(pages),
        title,
    }
}

/// A PDF text string as the one PDF-text decoder reads it ([`crate::load::evidence_pdf::text_string`]),
/// for a title: control characters dropped, runs of spaces made one, at most
/// [`MAX_TITLE_CHARS`] characters.
pub fn text_string(bytes: &[u8]) -> String {
    crate::load::evidence_pdf::text_string(bytes)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_TITLE_CHARS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_in_utf16_and_latin1() {
        let utf16: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("Zoë's request".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(text_string(&utf16), "Zoë's request");
        assert_eq!(text_string(b"EHC\tneeds  request\x07"), "EHC needs request");
        assert_eq!(text_string(b"Zo\xEB"), "Zoë");
    }
}
