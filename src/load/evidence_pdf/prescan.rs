//! The pre-scan of an evidence PDF, before lopdf sees a byte: a small tokenizer of our own,
//! iterative and linear, that reads the whole file and refuses what could hurt (nesting, object
//! counts, stream lengths that are not plain numbers, compressed streams that would inflate past
//! the caps), counting without keeping the bytes.

use std::collections::HashSet;
use std::io::Read;

use super::{PdfProblem, MAX_INFLATED_BYTES, MAX_INFLATED_OBJECT_BYTES, MAX_NESTING};

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
