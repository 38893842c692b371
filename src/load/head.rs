//! What the redactor reads of a case document too large to load: its first lines, bounded
//! (see [`head_text`]), so that a protected address in an oversized file is still withheld.

use std::path::Path;

use super::limits::{MAX_DOCUMENT_BYTES, MAX_REDACTOR_BYTES, MAX_REDACTOR_LINE};

/// Of a file too large to be a case document, what the redactor reads: the lines of at most
/// [`MAX_REDACTOR_LINE`] bytes among its first [`MAX_REDACTOR_BYTES`] (a protected address after
/// a long comment is still found), read a block at a time through the one decoder, so that
/// memory stays small however the file is made (one line of 100 MB keeps nothing).
pub(super) fn head_text(path: &Path) -> Option<crate::encoding::Decoded> {
    let (file, _) = crate::read::open_file(path).ok()?;
    head_text_of(file)
}

/// As [`head_text`], from any reader (a file, or a document's bytes in memory).
pub(super) fn head_text_of(from: impl std::io::Read) -> Option<crate::encoding::Decoded> {
    use std::io::Read;
    let mut reader = from.take(MAX_REDACTOR_BYTES);
    let mut kept = String::new();
    let mut line = String::new();
    let mut overlong = false;
    let mut block = vec![0u8; 64 * 1024];
    let mut decoder: Option<crate::encoding::Decoder> = None;
    let mut text = String::new();
    let mut keep = |text: &mut String, kept: &mut String, last: bool| {
        let mut rest = &text[..];
        while !rest.is_empty() {
            let end = rest.find('\n');
            let (part, next) = match end {
                Some(e) => (&rest[..=e], &rest[e + 1..]),
                None => (rest, &rest[rest.len()..]),
            };
            if !overlong {
                line.push_str(part);
                if line.len() > MAX_REDACTOR_LINE {
                    overlong = true;
                    line.clear();
                }
            }
            if end.is_some() {
                if !overlong && kept.len() + line.len() <= MAX_DOCUMENT_BYTES as usize * 4 {
                    kept.push_str(&line);
                }
                line.clear();
                overlong = false;
            }
            rest = next;
        }
        text.clear();
        if last && !overlong {
            kept.push_str(&line);
        }
    };
    loop {
        let n = reader.read(&mut block).ok()?;
        if n == 0 {
            break;
        }
        decoder
            .get_or_insert_with(|| crate::encoding::Decoder::new(&block[..n]))
            .push(&block[..n], &mut text);
        keep(&mut text, &mut kept, false);
    }
    let decoder = decoder.unwrap_or_else(|| crate::encoding::Decoder::new(&[]));
    let mut whole = decoder.finish(text);
    let mut tail = whole.take_text();
    keep(&mut tail, &mut kept, true);
    Some(whole.with_lines_kept(kept))
}
