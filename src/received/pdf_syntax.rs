//! The little of PDF syntax the fast pack reader ([`super::lazy`]) needs: white space and
//! comments, integers, and one object (dictionaries, arrays, names with `#` escapes, literal and
//! hexadecimal strings, numbers, references, booleans, null), nesting at most [`MAX_NESTING`]
//! deep. Anything else gives up ([`Bail`]), and the pack is read the full way.

use lopdf::{Dictionary, Object, StringFormat};

/// Why the fast way gave up (the line that did, seen with `{:?}` when debugging): the caller
/// reads the file the full way.
#[derive(Debug)]
pub(super) struct Bail(#[allow(dead_code)] pub(super) u32);

macro_rules! bail {
    () => {
        $crate::received::pdf_syntax::Bail(line!())
    };
}
pub(super) use bail;

pub(super) type Res<T> = Result<T, Bail>;

/// How deep objects may nest.
pub(super) const MAX_NESTING: usize = 32;

pub(super) fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

pub(super) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

pub(super) fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

/// Past white space and comments.
pub(super) fn skip_space(bytes: &[u8], mut pos: usize) -> usize {
    while pos < bytes.len() {
        if is_space(bytes[pos]) {
            pos += 1;
        } else if bytes[pos] == b'%' {
            while pos < bytes.len() && bytes[pos] != b'\n' && bytes[pos] != b'\r' {
                pos += 1;
            }
        } else {
            break;
        }
    }
    pos
}

pub(super) fn skip_eol(bytes: &[u8], mut pos: usize) -> usize {
    while pos < bytes.len() && is_space(bytes[pos]) {
        pos += 1;
    }
    pos
}

/// A non-negative integer (as offsets, counts and object numbers are).
pub(super) fn integer(bytes: &[u8], pos: usize) -> Res<(i64, usize)> {
    let start = skip_space(bytes, pos);
    let mut end = start;
    let mut value: i64 = 0;
    while end < bytes.len() && bytes[end].is_ascii_digit() {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(bytes[end] - b'0')))
            .ok_or(bail!())?;
        end += 1;
    }
    if end == start {
        return Err(bail!());
    }
    Ok((value, end))
}

/// One PDF object at `pos` (after white space), and where it ends: `n g R` is a reference.
pub(super) fn object(bytes: &[u8], pos: usize, depth: usize) -> Res<(Object, usize)> {
    if depth > MAX_NESTING {
        return Err(bail!());
    }
    let pos = skip_space(bytes, pos);
    let first = *bytes.get(pos).ok_or(bail!())?;
    match first {
        b'<' if bytes.get(pos + 1) == Some(&b'<') => {
            let mut dict = Dictionary::new();
            let mut p = pos + 2;
            loop {
                p = skip_space(bytes, p);
                if bytes[p..].starts_with(b">>") {
                    return Ok((Object::Dictionary(dict), p + 2));
                }
                let (key, q) = object(bytes, p, depth + 1)?;
                let Object::Name(key) = key else {
                    return Err(bail!());
                };
                let (value, q) = object(bytes, q, depth + 1)?;
                // A key written twice gives up, whatever the insertion did to the dictionary
                // (one hash of the key for both): the full way decides (lopdf, as qpdf and
                // poppler, reads the last).
                if dict.as_hashmap_mut().insert(key, value).is_some() {
                    return Err(bail!());
                }
                p = q;
            }
        }
        b'<' => {
            let mut out = Vec::new();
            let mut half: Option<u8> = None;
            let mut p = pos + 1;
            loop {
                let b = *bytes.get(p).ok_or(bail!())?;
                p += 1;
                let digit = match b {
                    b'>' => break,
                    b if is_space(b) => continue,
                    b'0'..=b'9' => b - b'0',
                    b'a'..=b'f' => b - b'a' + 10,
                    b'A'..=b'F' => b - b'A' + 10,
                    _ => return Err(bail!()),
                };
                match half.take() {
                    Some(h) => out.push(h << 4 | digit),
                    None => half = Some(digit),
                }
            }
            if let Some(h) = half {
                out.push(h << 4);
            }
            Ok((Object::String(out, StringFormat::Hexadecimal), p))
        }
        b'(' => literal(bytes, pos + 1),
        b'[' => {
            let mut items = Vec::new();
            let mut p = pos + 1;
            loop {
                p = skip_space(bytes, p);
                if bytes.get(p) == Some(&b']') {
                    return Ok((Object::Array(items), p + 1));
                }
                let (item, q) = object(bytes, p, depth + 1)?;
                items.push(item);
                p = q;
            }
        }
        b'/' => {
            let mut name = Vec::new();
            let mut p = pos + 1;
            while let Some(&b) = bytes.get(p) {
                if is_space(b) || is_delimiter(b) {
                    break;
                }
                if b == b'#' {
                    let hex = bytes.get(p + 1..p + 3).ok_or(bail!())?;
                    let text = std::str::from_utf8(hex).map_err(|_| bail!())?;
                    name.push(u8::from_str_radix(text, 16).map_err(|_| bail!())?);
                    p += 3;
                } else {
                    name.push(b);
                    p += 1;
                }
            }
            Ok((Object::Name(name), p))
        }
        b'0'..=b'9' | b'+' | b'-' | b'.' => {
            let mut end = pos + 1;
            while end < bytes.len() && (bytes[end].is_ascii_digit() || bytes[end] == b'.') {
                end += 1;
            }
            let text = std::str::from_utf8(&bytes[pos..end]).map_err(|_| bail!())?;
            if text.contains('.') {
                let value: f32 = text.parse().map_err(|_| bail!())?;
                return Ok((Object::Real(value), end));
            }
            let value: i64 = text.parse().map_err(|_| bail!())?;
            // `n g R`: a reference.
            if first.is_ascii_digit() {
                if let Ok((generation, q)) = integer(bytes, end) {
                    let r = skip_space(bytes, q);
                    if bytes.get(r) == Some(&b'R')
                        && bytes
                            .get(r + 1)
                            .is_none_or(|b| is_space(*b) || is_delimiter(*b))
                        && q > end
                        && is_space(bytes[end])
                    {
                        let id = (
                            u32::try_from(value).map_err(|_| bail!())?,
                            u16::try_from(generation).map_err(|_| bail!())?,
                        );
                        return Ok((Object::Reference(id), r + 1));
                    }
                }
            }
            Ok((Object::Integer(value), end))
        }
        _ => {
            let mut end = pos;
            while end < bytes.len() && !is_space(bytes[end]) && !is_delimiter(bytes[end]) {
                end += 1;
            }
            match &bytes[pos..end] {
                b"true" => Ok((Object::Boolean(true), end)),
                b"false" => Ok((Object::Boolean(false), end)),
                b"null" => Ok((Object::Null, end)),
                _ => Err(bail!()),
            }
        }
    }
}

/// A literal string after its `(`: escapes, and balanced parentheses kept.
pub(super) fn literal(bytes: &[u8], mut p: usize) -> Res<(Object, usize)> {
    let mut out = Vec::new();
    let mut open = 0usize;
    loop {
        let b = *bytes.get(p).ok_or(bail!())?;
        p += 1;
        match b {
            b'(' => {
                open += 1;
                out.push(b);
            }
            b')' if open == 0 => return Ok((Object::String(out, StringFormat::Literal), p)),
            b')' => {
                open -= 1;
                out.push(b);
            }
            b'\\' => {
                let e = *bytes.get(p).ok_or(bail!())?;
                p += 1;
                match e {
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'b' => out.push(8),
                    b'f' => out.push(12),
                    b'0'..=b'7' => {
                        let mut value = u32::from(e - b'0');
                        for _ in 0..2 {
                            match bytes.get(p) {
                                Some(d @ b'0'..=b'7') => {
                                    value = value * 8 + u32::from(d - b'0');
                                    p += 1;
                                }
                                _ => break,
                            }
                        }
                        out.push(value as u8);
                    }
                    b'\r' => {
                        if bytes.get(p) == Some(&b'\n') {
                            p += 1;
                        }
                    }
                    b'\n' => {}
                    other => out.push(other),
                }
            }
            // An end of line in a string is a line feed, however it was written.
            b'\r' => {
                if bytes.get(p) == Some(&b'\n') {
                    p += 1;
                }
                out.push(b'\n');
            }
            other => out.push(other),
        }
    }
}
