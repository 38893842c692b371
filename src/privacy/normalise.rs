//! How both a protected address and the text searched are normalised before they are compared
//! (see the module's doc): the folding, the look-alike and digit tables, and the decoding of
//! escaped characters.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// Characters that vanish before matching: format characters (zero-width spaces and joiners,
/// soft hyphens, bidirectional controls, the byte order mark) and invisible fillers.
pub(super) fn ignorable(c: char) -> bool {
    matches!(c.general_category(), GeneralCategory::Format)
        || matches!(
            c,
            '\u{034F}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{3164}'
                | '\u{FFA0}'
        )
        || ('\u{FE00}'..='\u{FE0F}').contains(&c)
}

/// One character folded for matching: a sequence of letters and digits, or `None` for a
/// separator. Pushes into `out`.
pub(super) fn fold_char(c: char, mut each: impl FnMut(Option<char>)) {
    // Most text is ASCII: no decomposition, look-alike or format character there.
    if c.is_ascii() {
        each(c.is_ascii_alphanumeric().then(|| c.to_ascii_lowercase()));
        return;
    }
    if ignorable(c) {
        return;
    }
    for d in std::iter::once(c).nfkd() {
        if ignorable(d) || is_combining_mark(d) {
            continue;
        }
        if let Some(digit) = decimal_digit(d) {
            each(Some(digit));
            continue;
        }
        for l in look_alike(d).to_lowercase() {
            match l {
                'ß' => {
                    each(Some('s'));
                    each(Some('s'));
                }
                'ſ' => each(Some('s')),
                l if l.is_alphanumeric() => each(Some(l)),
                _ => each(None),
            }
        }
    }
}

/// Letters of other scripts that look like a Latin letter, read as that letter (a skeleton,
/// as in Unicode's confusables): a Cyrillic `Н` in `DН7 9ZQ` is an `H` to the eye. Capitals
/// and small letters apart, because a Greek capital `Ν` looks like `N` and a small `ν` like `v`.
pub(super) const LOOK_ALIKES: &[(char, char)] = &[
    // Cyrillic capitals
    ('\u{0410}', 'A'),
    ('\u{0412}', 'B'),
    ('\u{0415}', 'E'),
    ('\u{041A}', 'K'),
    ('\u{041C}', 'M'),
    ('\u{041D}', 'H'),
    ('\u{041E}', 'O'),
    ('\u{0420}', 'P'),
    ('\u{0421}', 'C'),
    ('\u{0422}', 'T'),
    ('\u{0423}', 'Y'),
    ('\u{0425}', 'X'),
    ('\u{0405}', 'S'),
    ('\u{0406}', 'I'),
    ('\u{0408}', 'J'),
    ('\u{04AE}', 'Y'),
    ('\u{04C0}', 'I'),
    ('\u{0417}', '3'),
    ('\u{0411}', '6'),
    ('\u{051A}', 'Q'),
    ('\u{051C}', 'W'),
    ('\u{050C}', 'G'),
    // Cyrillic small letters
    ('\u{0430}', 'a'),
    ('\u{0435}', 'e'),
    ('\u{043E}', 'o'),
    ('\u{0440}', 'p'),
    ('\u{0441}', 'c'),
    ('\u{0443}', 'y'),
    ('\u{0445}', 'x'),
    ('\u{0455}', 's'),
    ('\u{0456}', 'i'),
    ('\u{0458}', 'j'),
    ('\u{0501}', 'd'),
    ('\u{04BB}', 'h'),
    ('\u{051B}', 'q'),
    ('\u{051D}', 'w'),
    ('\u{04CF}', 'l'),
    ('\u{0432}', 'b'),
    ('\u{043A}', 'k'),
    ('\u{043C}', 'm'),
    ('\u{043D}', 'h'),
    ('\u{0442}', 't'),
    ('\u{044C}', 'b'),
    ('\u{0437}', '3'),
    // Greek capitals
    ('\u{0391}', 'A'),
    ('\u{0392}', 'B'),
    ('\u{0395}', 'E'),
    ('\u{0396}', 'Z'),
    ('\u{0397}', 'H'),
    ('\u{0399}', 'I'),
    ('\u{039A}', 'K'),
    ('\u{039C}', 'M'),
    ('\u{039D}', 'N'),
    ('\u{039F}', 'O'),
    ('\u{03A1}', 'P'),
    ('\u{03A4}', 'T'),
    ('\u{03A5}', 'Y'),
    ('\u{03A7}', 'X'),
    ('\u{03DC}', 'F'),
    // Greek small letters
    ('\u{03B1}', 'a'),
    ('\u{03B9}', 'i'),
    ('\u{03BA}', 'k'),
    ('\u{03BD}', 'v'),
    ('\u{03BF}', 'o'),
    ('\u{03C1}', 'p'),
    ('\u{03C4}', 't'),
    ('\u{03C5}', 'u'),
    ('\u{03C7}', 'x'),
    ('\u{03F2}', 'c'),
    ('\u{03F3}', 'j'),
    // Armenian, Cherokee and Latin look-alikes
    ('\u{0585}', 'o'),
    ('\u{057D}', 'u'),
    ('\u{0570}', 'h'),
    ('\u{0578}', 'n'),
    ('\u{0566}', 'q'),
    ('\u{0555}', 'O'),
    ('\u{054D}', 'U'),
    ('\u{0131}', 'i'),
    ('\u{0237}', 'j'),
    ('\u{0251}', 'a'),
    ('\u{0261}', 'g'),
    ('\u{0262}', 'g'),
    ('\u{026A}', 'i'),
    ('\u{0274}', 'n'),
    ('\u{0280}', 'r'),
    ('\u{028F}', 'y'),
    ('\u{0299}', 'b'),
    ('\u{029C}', 'h'),
    ('\u{029F}', 'l'),
    ('\u{1D00}', 'a'),
    ('\u{1D04}', 'c'),
    ('\u{1D05}', 'd'),
    ('\u{1D07}', 'e'),
    ('\u{1D0A}', 'j'),
    ('\u{1D0B}', 'k'),
    ('\u{1D0D}', 'm'),
    ('\u{1D0F}', 'o'),
    ('\u{1D18}', 'p'),
    ('\u{1D1B}', 't'),
    ('\u{1D1C}', 'u'),
    ('\u{1D20}', 'v'),
    ('\u{1D21}', 'w'),
    ('\u{1D22}', 'z'),
    ('\u{A730}', 'f'),
    ('\u{A731}', 's'),
    ('\u{A7AF}', 'q'),
    ('\u{13A0}', 'D'),
    ('\u{13A1}', 'R'),
    ('\u{13A2}', 'T'),
    ('\u{13A9}', 'Y'),
    ('\u{13AA}', 'A'),
    ('\u{13AB}', 'J'),
    ('\u{13AC}', 'E'),
    ('\u{13B3}', 'W'),
    ('\u{13B7}', 'M'),
    ('\u{13BB}', 'H'),
    ('\u{13BD}', 'Y'),
    ('\u{13C0}', 'G'),
    ('\u{13C2}', 'h'),
    ('\u{13C3}', 'Z'),
    ('\u{13CF}', 'b'),
    ('\u{13D2}', 'R'),
    ('\u{13DA}', 'V'),
    ('\u{13DE}', 'L'),
    ('\u{13DF}', 'C'),
    ('\u{13E2}', 'P'),
    ('\u{13E6}', 'K'),
    ('\u{13F4}', 'B'),
    ('\u{A4D0}', 'B'),
    ('\u{A4D1}', 'P'),
    ('\u{A4D2}', 'd'),
    ('\u{A4D3}', 'D'),
    ('\u{A4D4}', 'T'),
    ('\u{A4D6}', 'G'),
    ('\u{A4D7}', 'K'),
    ('\u{A4D9}', 'J'),
    ('\u{A4DA}', 'C'),
    ('\u{A4DC}', 'Z'),
    ('\u{A4DD}', 'F'),
    ('\u{A4DF}', 'M'),
    ('\u{A4E0}', 'N'),
    ('\u{A4E2}', 'S'),
    ('\u{A4E3}', 'R'),
    ('\u{A4E6}', 'V'),
    ('\u{A4E7}', 'H'),
    ('\u{A4EA}', 'W'),
    ('\u{A4EB}', 'X'),
    ('\u{A4EC}', 'Y'),
    ('\u{A4EE}', 'A'),
    ('\u{A4F0}', 'E'),
    ('\u{A4F2}', 'I'),
    ('\u{A4F3}', 'O'),
    ('\u{A4F4}', 'U'),
];

/// A letter of another script that looks like a Latin one, as that Latin letter; any other
/// character as itself.
pub(super) fn look_alike(c: char) -> char {
    if c.is_ascii() {
        return c;
    }
    LOOK_ALIKES
        .iter()
        .find(|(from, _)| *from == c)
        .map_or(c, |(_, to)| *to)
}

/// A decimal digit of any script (Arabic-Indic `٧`, Devanagari `७`, fullwidth and mathematical
/// digits) as the ASCII digit: what a reader reads is the number.
pub(super) fn decimal_digit(c: char) -> Option<char> {
    if c.is_ascii() {
        return None;
    }
    if c.general_category() != GeneralCategory::DecimalNumber {
        return None;
    }
    // Unicode gives each script's digits as runs of ten, zero first, and runs may follow one
    // another (the mathematical digits): the digit is the distance from the first of the run.
    let mut first = c as u32;
    while first > 0 {
        match char::from_u32(first - 1) {
            Some(p) if p.general_category() == GeneralCategory::DecimalNumber => first -= 1,
            _ => break,
        }
    }
    let value = (c as u32 - first) % 10;
    char::from_digit(value, 10)
}

/// The words of a text, normalised (abbreviations expanded).
pub(super) fn tokens(text: &str) -> Vec<Vec<char>> {
    let norm = Normal::of(text);
    norm.chars
        .split(|c| *c == ' ')
        .filter(|t| !t.is_empty())
        .map(<[char]>::to_vec)
        .collect()
}

/// The letters and digits of a text, normalised, with no separators.
pub(super) fn squash(text: &str) -> Vec<char> {
    Normal::of(text)
        .chars
        .into_iter()
        .filter(|c| *c != ' ')
        .collect()
}

/// How many times [`Normal::readings`] decodes encodings inside encodings.
pub(super) const MAX_DECODE_ROUNDS: usize = 6;

/// HTML named character references a reader may meet in a case file, with what they stand
/// for. Any other name (`&foo;`) is read as a separator.
pub(super) const NAMED_REFERENCES: &[(&str, char)] = &[
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("nbsp", '\u{a0}'),
    ("ensp", '\u{2002}'),
    ("emsp", '\u{2003}'),
    ("thinsp", '\u{2009}'),
    ("shy", '\u{ad}'),
    ("hyphen", '\u{2010}'),
    ("dash", '\u{2010}'),
    ("ndash", '\u{2013}'),
    ("mdash", '\u{2014}'),
    ("minus", '\u{2212}'),
    ("comma", ','),
    ("period", '.'),
    ("sol", '/'),
    ("bsol", '\\'),
    ("percnt", '%'),
    ("num", '#'),
    ("semi", ';'),
    ("colon", ':'),
    ("lowbar", '_'),
    ("newline", '\n'),
    ("tab", '\t'),
    ("zwsp", '\u{200b}'),
    ("zwj", '\u{200d}'),
    ("zwnj", '\u{200c}'),
    ("lrm", '\u{200e}'),
    ("rlm", '\u{200f}'),
];

/// A text with its encodings read as what they encode ([`decode_once`] until nothing changes),
/// or `None` when it holds none.
pub(super) fn decoded(text: &str) -> Option<String> {
    decoded_spanned(text).map(|chars| chars.into_iter().map(|(c, _)| c).collect())
}

/// [`decoded`], each character with the byte span of the original text it stands for.
pub(super) fn decoded_spanned(text: &str) -> Option<Vec<(char, (usize, usize))>> {
    if !text.contains(['\\', '&', '%']) {
        return None;
    }
    let mut chars: Vec<(char, (usize, usize))> = text
        .char_indices()
        .map(|(start, c)| (c, (start, start + c.len_utf8())))
        .collect();
    let mut changed = false;
    for _ in 0..MAX_DECODE_ROUNDS {
        match decode_once(&chars) {
            Some(next) => {
                chars = next;
                changed = true;
            }
            None => break,
        }
    }
    changed.then_some(chars)
}

/// One pass of decoding over characters with their original spans: backslash escapes (after
/// any number of backslashes), HTML/XML character references and percent-encoding, each read
/// as the character it encodes and spanning the whole encoding. `None` when nothing changed.
pub(super) fn decode_once(text: &[(char, (usize, usize))]) -> Option<Vec<(char, (usize, usize))>> {
    let mut out = Vec::with_capacity(text.len());
    let mut changed = false;
    let mut i = 0;
    let at = |k: usize| text.get(k).map(|t| t.0);
    let hex_at = |from: usize, len: usize| -> Option<u32> {
        let digits: String = text.get(from..from + len)?.iter().map(|t| t.0).collect();
        if digits.len() != len || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(&digits, 16).ok()
    };
    while i < text.len() {
        let (c, (start, _)) = text[i];
        // (the character decoded, how many characters of `text` it takes)
        let decoded: Option<(char, usize)> = match c {
            '\\' => {
                let mut j = i;
                while at(j) == Some('\\') {
                    j += 1;
                }
                let code = |len: usize| {
                    hex_at(j + 1, len)
                        .and_then(char::from_u32)
                        .map(|d| (d, j + 1 + len - i))
                };
                match at(j) {
                    Some('x') => code(2),
                    Some('u') => code(4).or_else(|| {
                        // `\u{41}` as Rust and JavaScript write it.
                        if at(j + 1) != Some('{') {
                            return None;
                        }
                        let close =
                            (j + 2..text.len().min(j + 10)).find(|&k| at(k) == Some('}'))?;
                        hex_at(j + 2, close - j - 2)
                            .and_then(char::from_u32)
                            .map(|d| (d, close + 1 - i))
                    }),
                    Some('U') => code(8),
                    Some(
                        'n' | 't' | 'r' | '0' | 'a' | 'b' | 'e' | 'f' | 'v' | 'N' | '_' | 'L' | 'P'
                        | ' ' | '/' | '"',
                    ) => Some((' ', j + 1 - i)),
                    _ if j - i >= 2 => Some((' ', j - i)),
                    _ => None,
                }
            }
            '&' => {
                let end = (i + 1..text.len().min(i + 34)).find(
                    |&k| !matches!(at(k), Some(ch) if ch.is_ascii_alphanumeric() || ch == '#'),
                );
                let end = end.unwrap_or(text.len().min(i + 34));
                let body: String = text[i + 1..end].iter().map(|t| t.0).collect();
                let semi = at(end) == Some(';');
                let taken = end - i + usize::from(semi);
                if let Some(num) = body.strip_prefix('#') {
                    let value = match num.strip_prefix(['x', 'X']) {
                        Some(h) => u32::from_str_radix(h, 16).ok(),
                        None => num.parse::<u32>().ok(),
                    };
                    value.map(|v| (char::from_u32(v).unwrap_or(' '), taken))
                } else if semi && !body.is_empty() {
                    let name = body.to_ascii_lowercase();
                    let d = NAMED_REFERENCES
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map_or(' ', |(_, d)| *d);
                    Some((d, taken))
                } else {
                    None
                }
            }
            '%' => hex_at(i + 1, 2).map(|first| {
                // A run of percent-encoded bytes read as UTF-8, else each byte as Latin-1.
                let mut bytes = vec![first as u8];
                let mut k = i + 3;
                while bytes.len() < 4 && at(k) == Some('%') {
                    match hex_at(k + 1, 2) {
                        Some(b) if (0x80..0xc0).contains(&b) => bytes.push(b as u8),
                        _ => break,
                    }
                    k += 3;
                }
                for n in (1..=bytes.len()).rev() {
                    if let Ok(s) = std::str::from_utf8(&bytes[..n]) {
                        if let Some(d) = s.chars().next() {
                            return (d, 3 * n);
                        }
                    }
                }
                (char::from(bytes[0]), 3)
            }),
            _ => None,
        };
        match decoded {
            Some((d, len)) if len > 0 => {
                let end = text[i + len - 1].1 .1;
                out.push((d, (start, end)));
                i += len;
                changed = true;
            }
            _ => {
                out.push(text[i]);
                i += 1;
            }
        }
    }
    changed.then_some(out)
}

/// A text normalised for matching, each character with the byte span of the original it came
/// from. Separators are single spaces; there is none at the start.
pub(super) struct Normal {
    pub(super) chars: Vec<char>,
    pub(super) spans: Vec<(usize, usize)>,
    /// Indices into `chars` of the letters and digits (everything but separators).
    pub(super) alnum: Vec<usize>,
}

impl Normal {
    pub(super) fn of(text: &str) -> Normal {
        Normal::of_spanned(
            text.char_indices()
                .map(|(start, c)| (c, (start, start + c.len_utf8()))),
        )
    }

    /// Characters, each with the byte span of the original text it stands for.
    pub(super) fn of_spanned(text: impl IntoIterator<Item = (char, (usize, usize))>) -> Normal {
        let mut chars: Vec<char> = Vec::new();
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for (c, (start, end)) in text {
            fold_char(c, |f| match f {
                Some(l) => {
                    chars.push(l);
                    spans.push((start, end));
                }
                None => {
                    if chars.last() == Some(&' ') {
                        if let Some(last) = spans.last_mut() {
                            last.1 = end;
                        }
                    } else if !chars.is_empty() {
                        chars.push(' ');
                        spans.push((start, end));
                    }
                }
            });
        }
        let alnum = chars
            .iter()
            .enumerate()
            .filter(|(_, c)| **c != ' ')
            .map(|(i, _)| i)
            .collect();
        Normal {
            chars,
            spans,
            alnum,
        }
    }

    /// The text read two ways: as written, and with every encoded character read as the
    /// character it encodes, each mapped back to the whole encoding: escape sequences (`\t`,
    /// `\u00A0`, `\x41`, as YAML and JSON write them in a quoted value, after any number of
    /// backslashes), HTML and XML character references (`&#32;`, `&#x20;`, `&nbsp;`, `&amp;`)
    /// and percent-encoding (`%20`, `%C2%A0`). Decoded again until nothing changes (`%2520`,
    /// `&amp;#32;`), at most [`MAX_DECODE_ROUNDS`] times. A source line quoted in a snippet
    /// shows the encodings, and a reader reads them.
    pub(super) fn readings(text: &str) -> Vec<Normal> {
        let plain = Normal::of(text);
        match decoded_spanned(text) {
            Some(chars) => vec![plain, Normal::of_spanned(chars)],
            None => vec![plain],
        }
    }
}
