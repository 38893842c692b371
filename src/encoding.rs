//! How the bytes of a case file are read as text: the one decoder. Loading, the redactor, the
//! `protected-address-leak` rule and the copy embedded in a pack all read a document's text
//! from a [`Decoded`], which only this module makes, so no path can read a file one way while
//! the redactor reads it another (a `pupil.yaml` saved as UTF-16 without a byte-order mark was
//! once read for its address by one path and copied raw by another).
//!
//! The reading: a byte-order mark says UTF-8, UTF-16 or UTF-32 (either byte order). Without
//! one, NUL bytes (which no YAML text holds) say UTF-32 or UTF-16, and where they fall says
//! the byte order; otherwise the text is UTF-8, and each byte that is not part of UTF-8 is
//! read as its Latin-1 character (a file saved as Windows-1252 or Latin-1). A reading that had
//! to guess or replace anything is not [`Decoded::exact`]: the loader reports it and gives
//! the text to the redactor only.

/// How a file was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    Utf32Le,
    Utf32Be,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf16Le | Encoding::Utf16Be => "UTF-16",
            Encoding::Utf32Le | Encoding::Utf32Be => "UTF-32",
        }
    }
}

/// How much of a file's start decides its encoding when it has no byte-order mark.
const DETECT_BYTES: usize = 64 * 1024;

/// The encoding of a file that starts with `head`, and the length of its byte-order mark.
pub fn detect(head: &[u8]) -> (Encoding, usize) {
    const BOMS: [(&[u8], Encoding); 5] = [
        (&[0xEF, 0xBB, 0xBF], Encoding::Utf8),
        (&[0xFF, 0xFE, 0, 0], Encoding::Utf32Le),
        (&[0, 0, 0xFE, 0xFF], Encoding::Utf32Be),
        (&[0xFF, 0xFE], Encoding::Utf16Le),
        (&[0xFE, 0xFF], Encoding::Utf16Be),
    ];
    for (bom, encoding) in BOMS {
        if head.starts_with(bom) {
            return (encoding, bom.len());
        }
    }
    let head = &head[..head.len().min(DETECT_BYTES)];
    if !head.contains(&0) {
        return (Encoding::Utf8, 0);
    }
    // UTF-32: in every unit the top byte is 0 and the next at most 0x10.
    let units = head.chunks_exact(4);
    if units.len() > 0 {
        if units.clone().all(|u| u[3] == 0 && u[2] <= 0x10) {
            return (Encoding::Utf32Le, 0);
        }
        if units.clone().all(|u| u[0] == 0 && u[1] <= 0x10) {
            return (Encoding::Utf32Be, 0);
        }
    }
    // UTF-16: an ASCII character has its NUL byte second (little-endian) or first, and a YAML
    // document is mostly ASCII (its keys, colons, spaces, line breaks): a tenth of its units at
    // least. A few stray NULs in UTF-8 are not UTF-16 (they make the reading inexact instead).
    let odd = head.iter().skip(1).step_by(2).filter(|b| **b == 0).count();
    let even = head.iter().step_by(2).filter(|b| **b == 0).count();
    let units = head.len() / 2;
    if even.max(odd) * 10 < units.max(1) {
        return (Encoding::Utf8, 0);
    }
    if even > odd {
        (Encoding::Utf16Be, 0)
    } else {
        (Encoding::Utf16Le, 0)
    }
}

/// A file's text as the decoder read it. Only [`decode`] and [`Decoder`] make one.
#[derive(Debug, Clone)]
pub struct Decoded {
    text: String,
    encoding: Encoding,
    /// The byte offset in `text` of the first character that had to be guessed or replaced.
    first_guess: Option<usize>,
    /// Why the reading is not exact, in words.
    problem: Option<&'static str>,
    /// Other ways the same bytes could be read (UTF-8, UTF-16 either way, NULs dropped), for a
    /// file that holds NUL bytes or could not be read exactly: the redactor reads a pupil
    /// document that does not parse in every one of them, so a file made to be read one way
    /// by ehcpack and another by a person still has its address withheld (fail closed).
    other_readings: Vec<String>,
}

impl Decoded {
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn into_text(self) -> String {
        self.text
    }

    /// The text, leaving this empty (for [`Decoded::with_lines_kept`]).
    pub fn take_text(&mut self) -> String {
        std::mem::take(&mut self.text)
    }

    /// The same reading with only some of its lines kept (the start of a file too large to
    /// read whole): where the first guess stood is no longer known.
    pub fn with_lines_kept(mut self, kept: String) -> Decoded {
        self.text = kept;
        self.first_guess = None;
        self
    }

    /// See `other_readings`: empty for a file that can be read only one way.
    pub fn other_readings(&self) -> &[String] {
        &self.other_readings
    }

    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// Whether every character was read without a guess or a replacement.
    pub fn exact(&self) -> bool {
        self.problem.is_none()
    }

    /// Why it is not exact, and the line and column (1-based, in characters) of the first
    /// character that was guessed or replaced.
    pub fn problem(&self) -> Option<(&'static str, usize, usize)> {
        let problem = self.problem?;
        let at = self.first_guess.unwrap_or(0).min(self.text.len());
        let before = &self.text[..at];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |p| p + 1);
        let column = before[line_start..].chars().count() + 1;
        Some((problem, line, column))
    }
}

/// The text of a whole file.
pub fn decode(bytes: &[u8]) -> Decoded {
    let mut decoder = Decoder::new(bytes);
    let mut text = String::with_capacity(bytes.len());
    decoder.push(bytes, &mut text);
    let mut decoded = decoder.finish(text);
    if !decoded.exact() || bytes.contains(&0) {
        decoded.other_readings = other_readings(bytes);
    }
    decoded
}

/// The bytes read as UTF-8 and as UTF-16 in both byte orders, NUL characters dropped.
fn other_readings(bytes: &[u8]) -> Vec<String> {
    let utf16 = |le: bool| -> String {
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    let latin1: String = bytes.iter().map(|&b| char::from(b)).collect();
    [
        String::from_utf8_lossy(bytes).into_owned(),
        latin1,
        utf16(true),
        utf16(false),
    ]
    .into_iter()
    .map(|t| t.replace('\0', ""))
    .collect()
}

/// Reads a file a block at a time, as [`decode`] reads it whole (for the start of a file too
/// large to read whole). The encoding is decided by the first block.
#[derive(Debug)]
pub struct Decoder {
    encoding: Encoding,
    /// Byte-order mark still to be skipped.
    skip: usize,
    /// Bytes of a character cut by the end of the last block.
    carry: Vec<u8>,
    /// A UTF-16 high surrogate waiting for its pair.
    high: Option<u16>,
    first_guess: Option<usize>,
    problem: Option<&'static str>,
}

impl Decoder {
    /// A decoder for a file that starts with `head`.
    pub fn new(head: &[u8]) -> Decoder {
        let (encoding, skip) = detect(head);
        Decoder {
            encoding,
            skip,
            carry: Vec::new(),
            high: None,
            first_guess: None,
            problem: None,
        }
    }

    fn guessed(&mut self, out: &str, problem: &'static str) {
        if self.problem.is_none() {
            self.problem = Some(problem);
            self.first_guess = Some(out.len());
        }
    }

    fn push_char(&mut self, c: char, out: &mut String) {
        if c == '\0' {
            // No YAML text holds a NUL; one here means the encoding was guessed wrong.
            self.guessed(out, "has NUL characters, so its encoding cannot be told");
        }
        out.push(c);
    }

    /// Decodes the next block onto `out`.
    pub fn push(&mut self, block: &[u8], out: &mut String) {
        let skip = self.skip.min(block.len());
        let mut bytes = &block[skip..];
        self.skip -= skip;
        let joined: Vec<u8>;
        if !self.carry.is_empty() {
            joined = [std::mem::take(&mut self.carry).as_slice(), bytes].concat();
            bytes = &joined;
        }
        match self.encoding {
            Encoding::Utf8 => self.push_utf8(bytes, out),
            Encoding::Utf16Le | Encoding::Utf16Be => {
                let le = self.encoding == Encoding::Utf16Le;
                let units = bytes.chunks_exact(2);
                self.carry = units.remainder().to_vec();
                for u in units {
                    let unit = if le {
                        u16::from_le_bytes([u[0], u[1]])
                    } else {
                        u16::from_be_bytes([u[0], u[1]])
                    };
                    self.push_utf16(unit, out);
                }
            }
            Encoding::Utf32Le | Encoding::Utf32Be => {
                let le = self.encoding == Encoding::Utf32Le;
                let units = bytes.chunks_exact(4);
                self.carry = units.remainder().to_vec();
                for u in units {
                    let value = if le {
                        u32::from_le_bytes([u[0], u[1], u[2], u[3]])
                    } else {
                        u32::from_be_bytes([u[0], u[1], u[2], u[3]])
                    };
                    match char::from_u32(value) {
                        Some(c) => self.push_char(c, out),
                        None => {
                            self.guessed(out, "has values that are not characters");
                            out.push(char::REPLACEMENT_CHARACTER);
                        }
                    }
                }
            }
        }
    }

    fn push_utf16(&mut self, unit: u16, out: &mut String) {
        if let Some(high) = self.high.take() {
            if (0xDC00..0xE000).contains(&unit) {
                let c = 0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(unit) - 0xDC00);
                if let Some(c) = char::from_u32(c) {
                    out.push(c);
                }
                return;
            }
            self.guessed(out, "has a broken UTF-16 surrogate pair");
            out.push(char::REPLACEMENT_CHARACTER);
        }
        match unit {
            0xD800..=0xDBFF => self.high = Some(unit),
            0xDC00..=0xDFFF => {
                self.guessed(out, "has a broken UTF-16 surrogate pair");
                out.push(char::REPLACEMENT_CHARACTER);
            }
            _ => {
                let c = char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER);
                self.push_char(c, out);
            }
        }
    }

    /// Valid text, copied whole up to its first NUL (which [`Self::push_char`] looks for).
    fn push_text(&mut self, text: &str, out: &mut String) {
        let clean = text.find('\0').unwrap_or(text.len());
        out.push_str(&text[..clean]);
        for c in text[clean..].chars() {
            self.push_char(c, out);
        }
    }

    fn push_utf8(&mut self, mut bytes: &[u8], out: &mut String) {
        loop {
            match std::str::from_utf8(bytes) {
                Ok(text) => {
                    self.push_text(text, out);
                    return;
                }
                Err(e) => {
                    let good = e.valid_up_to();
                    // Safe: checked by from_utf8 just now.
                    self.push_text(std::str::from_utf8(&bytes[..good]).unwrap_or_default(), out);
                    match e.error_len() {
                        // A character cut by the end of the block: wait for the rest.
                        None => {
                            self.carry = bytes[good..].to_vec();
                            return;
                        }
                        Some(_) => {
                            // One byte that is not UTF-8: its Latin-1 character.
                            self.guessed(
                                out,
                                "has bytes that are not UTF-8 text (perhaps saved as \
                                 Windows-1252 or Latin-1)",
                            );
                            out.push(char::from(bytes[good]));
                            bytes = &bytes[good + 1..];
                        }
                    }
                }
            }
        }
    }

    /// The whole text: `out`, onto which every block was decoded.
    pub fn finish(mut self, mut out: String) -> Decoded {
        if self.high.take().is_some() {
            self.guessed(&out, "has a broken UTF-16 surrogate pair");
            out.push(char::REPLACEMENT_CHARACTER);
        }
        if !self.carry.is_empty() {
            let carry = std::mem::take(&mut self.carry);
            match self.encoding {
                Encoding::Utf8 => {
                    self.guessed(
                        &out,
                        "has bytes that are not UTF-8 text (perhaps saved as Windows-1252 or \
                         Latin-1)",
                    );
                    out.extend(carry.iter().map(|&b| char::from(b)));
                }
                _ => {
                    self.guessed(&out, "ends part-way through a character");
                    out.push(char::REPLACEMENT_CHARACTER);
                }
            }
        }
        Decoded {
            text: out,
            encoding: self.encoding,
            first_guess: self.first_guess,
            problem: self.problem,
            other_readings: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "kind: pupil\naddress:\n  town: Brandon\n  postcode: DH7 9ZQ # Zoë 😀\n";

    fn utf16(text: &str, le: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        for u in (if bom { "\u{feff}" } else { "" })
            .encode_utf16()
            .chain(text.encode_utf16())
        {
            out.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        out
    }

    fn utf32(text: &str, le: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        for c in (if bom { "\u{feff}" } else { "" })
            .chars()
            .chain(text.chars())
        {
            let u = c as u32;
            out.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        out
    }

    #[test]
    fn every_encoding_reads_as_the_same_text() {
        let mut all = vec![
            TEXT.as_bytes().to_vec(),
            [&[0xEF, 0xBB, 0xBF][..], TEXT.as_bytes()].concat(),
        ];
        for le in [true, false] {
            for bom in [true, false] {
                all.push(utf16(TEXT, le, bom));
                all.push(utf32(TEXT, le, bom));
            }
        }
        for bytes in all {
            let d = decode(&bytes);
            assert_eq!(d.text(), TEXT, "{:?}", d.encoding());
            assert!(d.exact());
            // A block at a time, cut anywhere, reads the same.
            for block in [1, 3, 7, 64] {
                let mut decoder = Decoder::new(&bytes);
                let mut out = String::new();
                for b in bytes.chunks(block) {
                    decoder.push(b, &mut out);
                }
                assert_eq!(decoder.finish(out).text(), TEXT);
            }
        }
    }

    #[test]
    fn latin1_is_read_byte_by_byte_and_located() {
        let d = decode(b"town: Brandon\npostcode: DH7 9ZQ \xa3 caf\xe9\n");
        assert_eq!(d.text(), "town: Brandon\npostcode: DH7 9ZQ £ café\n");
        let (problem, line, column) = d.problem().unwrap();
        assert!(problem.contains("not UTF-8"));
        assert_eq!((line, column), (2, 19));
    }

    #[test]
    fn stray_nuls_in_utf8_are_not_utf16_and_every_reading_is_kept() {
        let bytes = b"kind: pupil\naddress:\n  postcode: DH7 9ZQ\0\n";
        let d = decode(bytes);
        assert_eq!(d.encoding(), Encoding::Utf8);
        assert!(!d.exact());
        assert!(d
            .other_readings()
            .iter()
            .any(|r| r.contains("postcode: DH7 9ZQ\n")));
        // Padded with NULs until it reads as UTF-16: the plain reading is still kept.
        let mut padded = [b'#', 0].repeat(40);
        padded.extend_from_slice(b"\naddress:\n  postcode: DH7 9ZQ\n");
        let d = decode(&padded);
        assert_eq!(d.encoding(), Encoding::Utf16Le);
        assert!(d
            .other_readings()
            .iter()
            .any(|r| r.contains("postcode: DH7 9ZQ")));
    }

    #[test]
    fn broken_readings_are_not_exact() {
        assert!(!decode(b"a\0b").exact());
        assert!(!decode(&[0xFF, 0xFE, 0x00, 0xD8, 0x41, 0x00]).exact());
        assert!(!decode(&[0xFF, 0xFE, 0x41]).exact());
        assert!(!decode(&[0x41, 0, 0, 0, 0, 0, 0x11, 0]).exact());
        assert!(!decode(&[0xFF, 0xFE, 0, 0, 0, 0, 0, 0]).exact());
    }
}
