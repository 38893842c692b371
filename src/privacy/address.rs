//! Finding a protected address: the [`Redactor`] built from a case's pupil document (failing
//! closed), and the needles it searches any text for.
//!
//! The town is withheld only as part of the address: beside another part of it (separators and
//! field keys between: a line, the postcode, the block's `town:` under its `lines:`); never
//! alone, inside a name or an e-mail address (SECURITY.md, "What counts as the address").

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::gate::{cut_quotes, path_text, Redacted, WITHHELD};
use super::normalise::*;
use crate::load::case::{Case, Document, Kind};
use crate::load::yaml::{Node, Value};

/// Address lines shorter than this (letters and digits, after normalising) are too common to
/// call a leak ("Flat 2"); output still withholds them.
const MIN_LINE_CHARS: usize = 6;

/// Address values shorter than this are not searched for at all (a house number alone).
const MIN_VALUE_CHARS: usize = 4;

/// The parts of a protected address, normalised, ready to search for.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Postcodes, letters and digits only: they match with any separator or none inside.
    postcodes: Needles,
    /// The distinctive part of each address line (house number and street), and the whole
    /// line: separators ignored, street words in any of their forms. The rule reports these.
    lines: Needles,
    /// Every other text value in a protected address block, whatever its key: withheld from
    /// output even when the block itself is mistyped (a misspelt `postcode:` is still the
    /// postcode), but not called a leak. Matched between word boundaries only.
    block: Needles,
    /// The town (and county or locality): withheld only where it stands beside another part
    /// of the address, see [`Redactor::spans`]; never called a leak. Matched as whole words.
    places: Needles,
    /// Whether the pupil's address could be read with certainty. When it could not, no line of
    /// the case's files is quoted in snippets.
    pub known: bool,
}

impl crate::load::evidence::AddressFinder for Redactor {
    fn parts_in(&self, text: &str) -> Vec<&'static str> {
        Redactor::parts_in(self, text)
    }
}

impl Redactor {
    /// A redactor that withholds nothing: for output that is about no case (a path that does
    /// not exist, a stray file beside the case folders).
    pub fn none() -> Redactor {
        Redactor {
            known: true,
            ..Redactor::default()
        }
    }

    /// Built from the raw documents, so that it works even when the case has other errors.
    pub fn for_case(case: &Case) -> Redactor {
        Redactor::for_documents(&case.documents)
    }

    /// Built from every pupil-like document among `documents`, failing closed.
    pub fn for_documents(documents: &[Document]) -> Redactor {
        let pupils: Vec<&Document> = documents.iter().filter(|d| pupil_like(d)).collect();
        let mut r = Redactor {
            known: pupils.len() == 1,
            ..Redactor::default()
        };
        // Two pupil documents: which address is the pupil's cannot be known, so both are.
        let all_protected = pupils.len() > 1;
        for doc in pupils {
            match &doc.root {
                Some(root) => {
                    let addresses = address_nodes(root);
                    // A `protected` flag in the wrong place (top level, under `looked_after`)
                    // says the writer meant to protect the address: it is, and the case is
                    // treated as uncertain.
                    let misplaced = misplaced_flag(root, &addresses);
                    if misplaced {
                        r.known = false;
                    }
                    for address in addresses {
                        let (protected, certain) = protected_flag(address);
                        let (protected, certain) = (protected || misplaced, certain && !misplaced);
                        if !certain {
                            r.known = false;
                        }
                        if protected || all_protected || !certain {
                            r.add_address(address);
                        }
                    }
                }
                None => {
                    // Unreadable or not YAML: what looks like an address in it is withheld.
                    r.known = false;
                    r.add_unparsed(&doc.text);
                    // Every other way its bytes could be read (a file that reads as UTF-16 to
                    // ehcpack and as UTF-8 to an editor): its address is withheld in each.
                    for reading in &doc.other_readings {
                        r.add_unparsed(reading);
                    }
                }
            }
        }
        r
    }

    fn add_address(&mut self, address: &Node) {
        // The town, county or locality under its own key; and an address line that is only
        // the town (the schema's lines come before the town, but people write it there too).
        let places: Vec<&str> = match &address.value {
            Value::Map(entries) => entries
                .iter()
                .filter(|e| is_place_key(&e.key))
                .filter_map(|e| e.value.as_str())
                .collect(),
            _ => Vec::new(),
        };
        let mut place_lines: Vec<usize> = Vec::new();
        if let Some(Value::Seq(items)) = address.get("lines").map(|n| &n.value) {
            let texts: Vec<(usize, &str)> = items
                .iter()
                .enumerate()
                .filter_map(|(i, n)| Some((i, n.as_str()?)))
                .collect();
            for (j, &(i, line)) in texts.iter().enumerate() {
                let last = j + 1 == texts.len() && texts.len() > 1;
                if is_place_line(line, &places, last) {
                    place_lines.push(i);
                    self.add_place(line);
                } else {
                    self.add_line(line);
                }
            }
        }
        if let Some(pc) = address.get("postcode").and_then(Node::as_str) {
            self.add_postcode(pc);
        }
        // A value written as a list or a map (`postcode: [DH7, 9ZQ]`,
        // `postcode: {outward: DH7, inward: 9ZQ}`): its parts are read joined, as one value.
        if let Value::Map(entries) = &address.value {
            for e in entries.iter().filter(|e| e.key != "lines") {
                if is_place_key(&e.key) && matches!(e.value.value, Value::Seq(_) | Value::Map(_)) {
                    let mut parts = Vec::new();
                    e.value.strings("", &mut parts);
                    let joined: Vec<&str> = parts.iter().filter_map(|(_, n)| n.as_str()).collect();
                    self.add_place(&joined.join(" "));
                    continue;
                }
                if matches!(e.value.value, Value::Seq(_) | Value::Map(_)) {
                    let mut parts = Vec::new();
                    e.value.strings("", &mut parts);
                    let joined: Vec<&str> = parts.iter().filter_map(|(_, n)| n.as_str()).collect();
                    // Each part too, however short (`DH7`), as a whole word: a value split up
                    // this way is withheld wherever a part of it stands.
                    for part in &joined {
                        let v = squash(part);
                        if v.len() >= 2 {
                            self.block.push(Needle::plain(v, true));
                        }
                    }
                    let joined = joined.join(" ");
                    self.add_postcode(&joined);
                    self.add_line(&joined);
                    self.add_value(&joined);
                }
            }
        }
        let mut strings = Vec::new();
        address.strings("", &mut strings);
        // A block written wrongly (`lines:` as one string, the block nested a level deeper)
        // still has each of its values read as an address line (which finds a postcode too).
        let wrong_shape = !matches!(
            address.get("lines").map(|n| &n.value),
            None | Some(Value::Seq(_))
        ) || strings.iter().any(|(p, _)| {
            let depth = p.matches('/').count();
            depth > 2 || (depth == 2 && !p.starts_with("/lines/"))
        });
        for (pointer, node) in strings {
            // The flag's own value (`"true"`, `yes`) is no part of the address.
            if reads_as_protected(pointer.rsplit('/').next().unwrap_or_default()) {
                continue;
            }
            // The town is withheld as part of the address, not wherever its name stands.
            let first_key = pointer.split('/').nth(1).unwrap_or_default();
            let line_index = pointer
                .strip_prefix("/lines/")
                .and_then(|i| i.parse::<usize>().ok());
            if is_place_key(first_key) || line_index.is_some_and(|i| place_lines.contains(&i)) {
                if let Some(text) = node.as_str() {
                    self.add_place(text);
                }
                continue;
            }
            if let Some(text) = node.as_str() {
                if wrong_shape {
                    self.add_line(text);
                }
                self.add_value(text);
            }
        }
        if let Value::Str(text) = &address.value {
            // `address: 14 Larchfield Row, DH7 9ZQ` written as one string.
            self.add_value(text);
            let parts: Vec<&str> = text.split([',', '\n', ';']).collect();
            for (i, part) in parts.iter().enumerate() {
                // After the first line, a part with no number that is not the postcode is the
                // town or county (`Brandon`, `County Durham`).
                if i > 0 && !part.chars().any(|c| c.is_ascii_digit()) && squash(part).len() >= 3 {
                    self.add_place(part);
                } else {
                    self.add_line(part);
                    self.add_value(part);
                }
            }
        }
    }

    /// From the text of a pupil document that could not be parsed: the values under an
    /// `address:` line, and anything anywhere in it shaped like a postcode.
    fn add_unparsed(&mut self, text: &str) {
        let mut in_address: Option<usize> = None;
        for line in text.lines() {
            let indent = line.len() - line.trim_start().len();
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if let Some(base) = in_address {
                if indent <= base && !trimmed.starts_with('-') {
                    in_address = None;
                }
            }
            let key = trimmed.split(':').next().unwrap_or_default();
            if squash(key) == "address".chars().collect::<Vec<_>>() {
                in_address = Some(indent);
                let rest = trimmed.split_once(':').map_or("", |(_, v)| v);
                self.add_unparsed_value(rest);
                continue;
            }
            let value = trimmed.trim_start_matches('-').trim();
            let value = match value.split_once(':') {
                Some((k, v)) if !k.contains(' ') => v,
                _ => value,
            };
            if in_address.is_some() {
                self.add_unparsed_value(value);
            }
            for word_run in value.split([',', '"', '\'']) {
                if is_postcode_shaped(&squash(word_run)) {
                    self.add_postcode(word_run);
                }
            }
        }
    }

    fn add_unparsed_value(&mut self, value: &str) {
        let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
        if value.is_empty() || value.starts_with('#') {
            return;
        }
        for part in value.trim_matches(|c| c == '[' || c == ']').split(',') {
            self.add_line(part);
            self.add_value(part);
        }
    }

    /// Each `add_*` takes the value as written and, when it holds encodings (`DH7&nbsp;9ZQ`,
    /// `14%20Larchfield%20Row`, a literal `\u00a0`), as they read: the plain address in other
    /// text is then found too.
    fn add_postcode(&mut self, postcode: &str) {
        self.add_postcode_one(postcode);
        if let Some(d) = decoded(postcode) {
            self.add_postcode_one(&d);
        }
    }

    fn add_line(&mut self, line: &str) {
        self.add_line_one(line);
        if let Some(d) = decoded(line) {
            self.add_line_one(&d);
        }
    }

    fn add_value(&mut self, value: &str) {
        self.add_value_one(value);
        if let Some(d) = decoded(value) {
            self.add_value_one(&d);
        }
    }

    fn add_place(&mut self, place: &str) {
        self.add_place_one(place);
        if let Some(d) = decoded(place) {
            self.add_place_one(&d);
        }
    }

    fn add_place_one(&mut self, place: &str) {
        let tokens = tokens(place);
        if tokens.concat().len() >= 3 {
            let mut needle = Needle::words(&tokens);
            needle.words = true;
            self.places.push(needle);
        }
    }

    fn add_postcode_one(&mut self, postcode: &str) {
        let pc = squash(postcode);
        if pc.len() >= 5 {
            self.postcodes.push(Needle::plain(pc, false));
        }
    }

    fn add_line_one(&mut self, line: &str) {
        let tokens = tokens(line);
        let whole: Vec<char> = tokens.concat();
        if whole.len() >= MIN_LINE_CHARS {
            self.lines.push(Needle::words(&tokens));
        }
        // The distinctive part: from the last house number followed by a word.
        let number = (0..tokens.len()).rev().find(|&i| {
            tokens[i].iter().any(char::is_ascii_digit)
                && tokens[i + 1..]
                    .iter()
                    .any(|t| t.iter().any(|c| c.is_alphabetic()))
        });
        if let Some(i) = number {
            let part = &tokens[i..];
            if part.concat().len() >= MIN_LINE_CHARS {
                self.lines.push(Needle::words(part));
            }
            // The number and the street's name without its kind (`14 Larchfield` for
            // `14 Larchfield Row`: "Rd", "R." or no kind at all), and the number after the
            // street (`Larchfield Row 14`), as whole words. Only for a name of 5 letters or
            // more, so that `14 High Street` does not withhold "14 high marks".
            let last_is_kind = part.last().is_some_and(|t| {
                let word: String = t.iter().collect();
                STREET_WORDS.iter().any(|g| g.contains(&word.as_str()))
            });
            let name = if last_is_kind {
                &part[1..part.len() - 1]
            } else {
                &part[1..]
            };
            let letters = name.concat().iter().filter(|c| c.is_alphabetic()).count();
            if !name.is_empty() && letters >= 5 {
                let mut bare = Needle::words(&part[..1 + name.len()]);
                bare.words = true;
                self.lines.push(bare);
                let mut after: Vec<Vec<char>> = part[1..].to_vec();
                after.push(part[0].clone());
                let mut after = Needle::words(&after);
                after.words = true;
                self.lines.push(after);
            }
        }
        if is_postcode_shaped(&whole) {
            self.add_postcode(line);
        }
    }

    fn add_value_one(&mut self, value: &str) {
        let v = squash(value);
        if is_postcode_shaped(&v) {
            self.add_postcode(value);
        }
        if v.len() >= MIN_VALUE_CHARS {
            self.block.push(Needle::plain(v, true));
        }
    }

    /// Adds every part of `other`'s protected addresses, so that one redactor withholds the
    /// addresses of a whole batch: one case's address in another case's report, or in the name
    /// of a stray file beside them. Whether snippets may be quoted stays this redactor's own.
    pub fn merge(&mut self, other: &Redactor) {
        self.postcodes.merge(&other.postcodes);
        self.lines.merge(&other.lines);
        self.block.merge(&other.block);
        self.places.merge(&other.places);
    }

    pub fn is_protected(&self) -> bool {
        !self.postcodes.is_empty()
            || !self.lines.is_empty()
            || !self.block.is_empty()
            || !self.places.is_empty()
    }

    /// Which parts of the address a text contains: "the postcode", "a line of the address".
    pub fn parts_in(&self, text: &str) -> Vec<&'static str> {
        let mut parts = Vec::new();
        if !self.is_protected() {
            return parts;
        }
        let readings = Normal::readings(text);
        let found = |needles: &Needles| {
            readings.iter().any(|r| {
                let mut spans = Vec::new();
                needles.find_in(r, &mut spans);
                !spans.is_empty()
            })
        };
        if found(&self.postcodes) {
            parts.push("the postcode");
        }
        if found(&self.lines) {
            parts.push("a line of the address");
        }
        parts
    }

    /// Where parts of the protected address stand in `text`: byte spans, sorted and merged.
    pub fn spans(&self, text: &str) -> Vec<(usize, usize)> {
        let mut spans: Vec<(usize, usize)> = Vec::new();
        if !self.is_protected() {
            return spans;
        }
        for norm in Normal::readings(text) {
            let mut anchors: Vec<(usize, usize)> = Vec::new();
            for needles in [&self.postcodes, &self.lines, &self.block] {
                for (k, e, span) in needles.ranges_in(&norm) {
                    anchors.push((k, e));
                    spans.push(span);
                }
            }
            for (k, e, span) in self.places.ranges_in(&norm) {
                if anchors
                    .iter()
                    .any(|&(ak, ae)| norm.only_keys_between(ae, k) || norm.only_keys_between(e, ak))
                {
                    spans.push(span);
                }
            }
        }
        spans.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
        for (start, end) in spans {
            match merged.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        merged
    }

    /// The text with every part of the protected address replaced by [`WITHHELD`].
    pub fn redact(&self, text: &str) -> Redacted {
        let spans = self.spans(text);
        Redacted(cut_quotes(&replace_spans(text, &spans)))
    }

    /// Line `line` (1-based) of a whole file, redacted in the context of the whole file: an
    /// address wrapped over several lines is withheld from each line it touches, so a one-line
    /// snippet cannot show half of it. `spans` are [`Redactor::spans`] of `text`.
    pub fn line_in_context(
        &self,
        text: &str,
        spans: &[(usize, usize)],
        line: usize,
    ) -> Option<Redacted> {
        let mut start = 0;
        for _ in 1..line {
            start += text[start..].find('\n')? + 1;
        }
        let end = text[start..].find('\n').map_or(text.len(), |e| start + e);
        let clipped: Vec<(usize, usize)> = spans
            .iter()
            .filter(|(s, e)| *s < end && *e > start)
            .map(|(s, e)| ((*s).max(start) - start, (*e).min(end) - start))
            .collect();
        let line_text = text[start..end].trim_end_matches('\r');
        let clipped: Vec<(usize, usize)> = clipped
            .into_iter()
            .map(|(s, e)| (s.min(line_text.len()), e.min(line_text.len())))
            .filter(|(s, e)| s < e)
            .collect();
        Some(self.redact(&replace_spans(line_text, &clipped)))
    }

    /// A path for output: lossy where it is not UTF-8, then redacted.
    pub fn path(&self, path: &Path) -> Redacted {
        self.redact(&path_text(path))
    }
}

/// `text` with each of the (sorted, merged) byte spans replaced by [`WITHHELD`].
fn replace_spans(text: &str, spans: &[(usize, usize)]) -> String {
    if spans.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for &(start, end) in spans {
        out.push_str(&text[at..start.max(at)]);
        out.push_str(WITHHELD);
        at = end.max(at);
    }
    out.push_str(&text[at..]);
    out
}

/// Whether a document may be the pupil's: declared `kind: pupil`, or of no known kind and named
/// like one, declaring something like `kind: pupil`, or holding a pupil's fields.
fn pupil_like(doc: &Document) -> bool {
    if doc.kind == Some(Kind::Pupil) {
        return true;
    }
    if doc.kind.is_some() {
        return false;
    }
    let name = squash(&path_text(&doc.path));
    let named = windows_contain(&name, "pupil");
    // In its text, or in any other reading of its bytes.
    let declared = std::iter::once(&doc.text)
        .chain(&doc.other_readings)
        .flat_map(|t| t.lines())
        .any(|l| {
            let l = squash(l);
            l.starts_with(&['k', 'i', 'n', 'd']) && windows_contain(&l, "pupil")
        });
    let fields = doc.root.as_ref().is_some_and(|root| {
        root.get("legal_name").is_some()
            || root.get("upn").is_some()
            || root.get("address").is_some()
    });
    named || declared || fields
}

fn windows_contain(hay: &[char], needle: &str) -> bool {
    let needle: Vec<char> = needle.chars().collect();
    hay.windows(needle.len()).any(|w| w == needle.as_slice())
}

/// The address blocks of a pupil document: `address`, and any key that reads as it once
/// normalised (`Address`, `address `).
fn address_nodes(root: &Node) -> Vec<&Node> {
    let Value::Map(entries) = &root.value else {
        return Vec::new();
    };
    let want: Vec<char> = "address".chars().collect();
    entries
        .iter()
        .filter(|e| {
            squash(&e.key) == want || strsim::levenshtein(&e.key.to_lowercase(), "address") == 1
        })
        .map(|e| &e.value)
        .collect()
}

/// Whether a key that reads as `protected` stands anywhere in the document outside its address
/// blocks (walked without recursion).
fn misplaced_flag(root: &Node, addresses: &[&Node]) -> bool {
    flag_below(vec![root], addresses)
}

/// Whether a key reads as `protected` once normalised, misspelt by two letters at most.
fn reads_as_protected(key: &str) -> bool {
    let key: String = squash(key).into_iter().collect();
    key == "protected" || strsim::levenshtein(&key, "protected") <= 2
}

/// Whether a key that reads as `protected` stands in any map at or below `start`, leaving out
/// the nodes in `skip` (walked without recursion).
fn flag_below(start: Vec<&Node>, skip: &[&Node]) -> bool {
    let mut stack = start;
    while let Some(node) = stack.pop() {
        if skip.iter().any(|a| std::ptr::eq(*a, node)) {
            continue;
        }
        match &node.value {
            Value::Map(entries) => {
                if entries.iter().any(|e| reads_as_protected(&e.key)) {
                    return true;
                }
                stack.extend(entries.iter().map(|e| &e.value));
            }
            Value::Seq(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
    false
}

/// Whether an address block is protected, and whether its flag says so clearly. A clear
/// `protected: true`/`false` (or no flag at all) is certain; a flag left blank (`protected:`,
/// `protected: ~`: someone began to say something), misspelt or mistyped (`Protected:`,
/// `protected: yes`) counts as protected, and as uncertain.
fn protected_flag(address: &Node) -> (bool, bool) {
    let Value::Map(entries) = &address.value else {
        // An address written as one string, or a list: nothing says it is not protected.
        return (true, false);
    };
    // A flag nested deeper in the block (`address: home: protected: true`): the block has the
    // wrong shape, and the flag says to protect it.
    let nested = flag_below(entries.iter().map(|e| &e.value).collect(), &[]);
    let mut protected = nested;
    let mut certain = !nested;
    for e in entries {
        if e.key == "protected" {
            match e.value.value {
                Value::Bool(b) => protected |= b,
                _ => {
                    protected = true;
                    certain = false;
                }
            }
        } else if reads_as_protected(&e.key) {
            protected = true;
            certain = false;
        }
    }
    (protected, certain)
}

fn is_postcode_shaped(s: &[char]) -> bool {
    // A UK postcode: 1-2 letters, a digit, an optional letter or digit, then a digit and two
    // letters (5 to 7 characters once the space is gone).
    let n = s.len();
    if !(5..=7).contains(&n) {
        return false;
    }
    let inward = &s[n - 3..];
    let outward = &s[..n - 3];
    inward[0].is_ascii_digit()
        && inward[1].is_ascii_lowercase()
        && inward[2].is_ascii_lowercase()
        && outward[0].is_ascii_lowercase()
        && outward.iter().any(char::is_ascii_digit)
        && outward.iter().all(char::is_ascii_alphanumeric)
}

/// The keys of an address block's fields, as they read once normalised: between two parts of
/// an address they still leave the parts side by side (`lines: - 14 Larchfield Row` then
/// `town: Brandon`).
const ADDRESS_KEYS: &[&str] = &[
    "address", "lines", "line", "town", "city", "county", "locality", "village", "district",
    "postcode", "post", "code", "postal", "zip",
];

/// Whether a key of an address block names the place rather than the street: the town, city,
/// county, locality or village (`Town`, `town ` too).
fn is_place_key(key: &str) -> bool {
    let key: String = squash(key).into_iter().collect();
    [
        "town", "city", "county", "locality", "village", "district", "area",
    ]
    .contains(&key.as_str())
}

/// Whether an address line is only the place: the last of several lines, with no number, and
/// the block's town or, where the block names no town of its own, any such line. (A received
/// pack's block reads `(address withheld)` in every field: its one line stays a line.)
fn is_place_line(line: &str, places: &[&str], last: bool) -> bool {
    let squashed = squash(line);
    if !last || squashed.is_empty() || squashed.iter().any(char::is_ascii_digit) {
        return false;
    }
    (places.is_empty() && !is_postcode_shaped(&squashed))
        || places.iter().any(|p| squash(p) == squashed)
}

/// Street words and their common abbreviations: any form matches any other.
const STREET_WORDS: &[&[&str]] = &[
    &["road", "rd"],
    &["street", "st", "str"],
    &["avenue", "ave", "av"],
    &["terrace", "terr", "ter", "tce"],
    &["crescent", "cres", "cresc"],
    &["close", "cl"],
    &["drive", "dr"],
    &["lane", "ln"],
    &["grove", "gr"],
    &["gardens", "gdns"],
    &["place", "pl"],
    &["square", "sq"],
    &["court", "ct"],
    &["row", "rw"],
    &["way", "wy"],
    &["walk", "wlk"],
    &["park", "pk"],
    &["green", "grn"],
    &["parade", "pde"],
    &["boulevard", "blvd"],
    &["mount", "mt"],
    &["heights", "hts"],
    &["yard", "yd"],
    &["mews"],
    &["rise"],
    &["hill"],
    &["view"],
    &["vale"],
    &["gate"],
    &["croft"],
    &["chase"],
    &["wynd"],
    &["approach"],
    &["circus"],
];

/// What to search for: segments of letters and digits, each with its alternative forms (a
/// street word and its abbreviations), matched one after another with separators ignored.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Needle {
    segments: Vec<Vec<Vec<char>>>,
    /// Whether a match must begin and end at word boundaries.
    words: bool,
}

impl Needle {
    fn plain(chars: Vec<char>, words: bool) -> Needle {
        Needle {
            segments: vec![vec![chars]],
            words,
        }
    }

    /// From normalised words: street words take every form. Matched anywhere (an address
    /// line carries a number and a name, distinctive enough to withhold wherever it stands).
    fn words(tokens: &[Vec<char>]) -> Needle {
        let mut segments: Vec<Vec<Vec<char>>> = Vec::new();
        let mut plain: Vec<char> = Vec::new();
        for token in tokens {
            let word: String = token.iter().collect();
            match STREET_WORDS.iter().find(|g| g.contains(&word.as_str())) {
                Some(group) => {
                    if !plain.is_empty() {
                        segments.push(vec![std::mem::take(&mut plain)]);
                    }
                    segments.push(group.iter().map(|w| w.chars().collect()).collect());
                }
                None => plain.extend_from_slice(token),
            }
        }
        if !plain.is_empty() {
            segments.push(vec![plain]);
        }
        Needle {
            segments,
            words: false,
        }
    }
}

/// A set of needles, indexed by how a match of each must start, so that the redactor of a
/// batch of thousands of cases looks at a few candidates at each place in a text, not at all.
#[derive(Debug, Clone, Default)]
struct Needles {
    list: Vec<Needle>,
    seen: HashSet<Needle>,
    /// Needles by the first two letters or digits of every match of theirs.
    by_start: HashMap<[char; 2], Vec<u32>>,
    /// Needles that may start more than one way (with a street word) or with one character.
    anywhere: Vec<u32>,
}

impl Needles {
    fn push(&mut self, needle: Needle) {
        if needle.segments.is_empty() || self.seen.contains(&needle) {
            return;
        }
        let index = self.list.len() as u32;
        match needle.segments[0].as_slice() {
            [only] if only.len() >= 2 => self
                .by_start
                .entry([only[0], only[1]])
                .or_default()
                .push(index),
            _ => self.anywhere.push(index),
        }
        self.seen.insert(needle.clone());
        self.list.push(needle);
    }

    fn merge(&mut self, other: &Needles) {
        for needle in &other.list {
            self.push(needle.clone());
        }
    }

    fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Pushes the original byte span of every match in `norm` into `spans`.
    fn find_in(&self, norm: &Normal, spans: &mut Vec<(usize, usize)>) {
        spans.extend(self.ranges_in(norm).into_iter().map(|(_, _, span)| span));
    }

    /// Every match in `norm`: its first letter or digit, the one after its last, and its
    /// original byte span.
    fn ranges_in(&self, norm: &Normal) -> Vec<(usize, usize, (usize, usize))> {
        let mut found = Vec::new();
        if self.list.is_empty() {
            return found;
        }
        let n = norm.alnum.len();
        for k in 0..n {
            let pair =
                (k + 1 < n).then(|| [norm.chars[norm.alnum[k]], norm.chars[norm.alnum[k + 1]]]);
            let starting = pair
                .and_then(|p| self.by_start.get(&p))
                .map_or(&[][..], Vec::as_slice);
            for &i in starting.iter().chain(&self.anywhere) {
                if let Some((e, span)) = norm.match_at(k, &self.list[i as usize]) {
                    found.push((k, e, span));
                }
            }
        }
        found
    }
}

// Matching a needle reads the normalised text's parts: beside the needles it matches.
impl Normal {
    /// Whether the letters and digits from the `from`th to before the `to`th are nothing but
    /// the keys of an address's fields (`town:`, `postcode:`), at most three of them: the two
    /// sides stand beside each other in one address.
    fn only_keys_between(&self, from: usize, to: usize) -> bool {
        if from > to || to > self.alnum.len() || from == 0 {
            return false;
        }
        if from == to {
            return true;
        }
        let (start, end) = (self.alnum[from], self.alnum[to - 1] + 1);
        let between: String = self.chars[start..end].iter().collect();
        let words: Vec<&str> = between.split(' ').filter(|w| !w.is_empty()).collect();
        words.len() <= 3 && words.iter().all(|w| ADDRESS_KEYS.contains(w))
    }

    /// The original byte span of the longest match of `needle` starting at the `k`th letter or
    /// digit, separators in the text ignored.
    fn match_at(&self, k: usize, needle: &Needle) -> Option<(usize, (usize, usize))> {
        let n = self.alnum.len();
        let first_segment = needle.segments.first()?;
        {
            let c = self.chars[self.alnum[k]];
            if !first_segment.iter().any(|alt| alt.first() == Some(&c)) {
                return None;
            }
            let first = self.alnum[k];
            if needle.words && first > 0 && self.chars[first - 1] != ' ' {
                return None;
            }
            // Where each way through the segments can end (few segments, few alternatives).
            let mut ends = vec![k];
            for segment in &needle.segments {
                let mut next = Vec::new();
                for &at in &ends {
                    for alt in segment {
                        let fits = at + alt.len() <= n
                            && alt
                                .iter()
                                .enumerate()
                                .all(|(j, c)| self.chars[self.alnum[at + j]] == *c);
                        if fits && !next.contains(&(at + alt.len())) {
                            next.push(at + alt.len());
                        }
                    }
                }
                ends = next;
                if ends.is_empty() {
                    break;
                }
            }
            let end = ends.into_iter().filter(|&e| e > k).filter(|&e| {
                let last = self.alnum[e - 1];
                !needle.words || last + 1 == self.chars.len() || self.chars[last + 1] == ' '
            });
            end.max()
                .map(|e| (e, (self.spans[first].0, self.spans[self.alnum[e - 1]].1)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::yaml;
    use crate::privacy::{quote, terminal_safe};

    fn redactor(yaml_text: &str) -> Redactor {
        let mut r = Redactor::none();
        r.add_address(&yaml::parse(yaml_text).unwrap().unwrap());
        r
    }

    fn larchfield() -> Redactor {
        redactor("lines: [\"Flat 3, 14 Larchfield Row\"]\ntown: Cragwell\npostcode: DH7 9ZQ\nprotected: true\n")
    }

    #[test]
    fn withholds_postcode_and_lines_with_any_spacing_or_case() {
        let r = redactor("lines: [12 Example Row, Flat 2]\npostcode: DH1 9ZZ\nprotected: true\n");
        assert!(r.is_protected());
        let text = "Moved to 12  example row last May (dh19zz). Flat 2 is fine.";
        assert_eq!(
            r.parts_in(text),
            vec!["the postcode", "a line of the address"]
        );
        let out = r.redact(text);
        assert!(!out.to_lowercase().contains("example row"), "{out}");
        assert!(!out.to_uppercase().contains("DH19ZZ"), "{out}");
        assert_eq!(r.parts_in("Flat 2"), Vec::<&str>::new());
        assert!(!out.contains("Flat 2"), "{out}");
        assert_eq!(
            r.redact("Postcode DH1\n9ZZ").as_str(),
            format!("Postcode {WITHHELD}")
        );
    }

    #[test]
    fn every_variant_of_the_issue_is_withheld() {
        let r = larchfield();
        for text in [
            "DH7 9ZQ.",
            "DH7-9ZQ",
            "dh79zq",
            "DH7\u{200B}9ZQ",
            "D\u{200B}H7 9Z\u{00AD}Q",
            "ＤＨ７ ９ＺＱ",
            "DH7 \u{2014} 9ZQ",
            "14 Larchfield Row.",
            "Flat 3, 14 Larchfield Row",
            "Rose Cottage, 14 Larchfield Row",
            "14 Larchfield\n   Row",
            "14 LARCHFIELD ROW",
            "14, Larch\u{2011}field Row",
            "14 Larchfield Rw".replace("Rw", "Row").as_str(),
        ] {
            let out = r.redact(&format!("lives at {text} now"));
            assert!(out.contains(WITHHELD), "{text:?} -> {out}");
            assert!(!r.parts_in(text).is_empty(), "{text:?}");
            let n = Normal::of(&out);
            let squashed: String = n.alnum.iter().map(|&i| n.chars[i]).collect();
            assert!(!squashed.contains("dh79zq"), "{text:?} -> {out}");
            assert!(!squashed.contains("14larchfield"), "{text:?} -> {out}");
            assert!(out.starts_with("lives at "), "{out}");
            assert!(out.ends_with(" now"), "{out}");
        }
    }

    #[test]
    fn abbreviations_match_both_ways() {
        let r = redactor("lines: [7 Elm Terrace]\npostcode: DH1 1AA\nprotected: true\n");
        for text in ["7 Elm Terr", "7 elm tce.", "7 Elm Ter", "7 ELM TERRACE"] {
            assert_eq!(r.parts_in(text), vec!["a line of the address"], "{text}");
            assert_eq!(r.redact(text).trim_end_matches('.'), WITHHELD, "{text}");
        }
        let r = redactor("lines: [22 Mill Rd]\nprotected: true\n");
        assert_eq!(
            r.redact("22 Mill Road, then 22 Mill Lane").as_str(),
            format!("{WITHHELD}, then 22 Mill Lane")
        );
    }

    #[test]
    fn replacement_keeps_the_rest_of_the_original_text() {
        let r = larchfield();
        assert_eq!(
            r.redact("Café at Flat 3, 14 Larchfield Row — ok").as_str(),
            format!("Café at {WITHHELD} — ok")
        );
        // Other house numbers and streets stay.
        assert_eq!(r.redact("16 Larchfield Row").as_str(), "16 Larchfield Row");
        assert_eq!(r.redact("14 Larch Grove").as_str(), "14 Larch Grove");
        // A source line with YAML escapes reads as its reader reads it.
        assert_eq!(
            r.redact(r#"  note: "at 14 Larchfield\tRow\u000ADH7\x209ZQ""#)
                .as_str(),
            format!(r#"  note: "at {WITHHELD}\u000A{WITHHELD}""#)
        );
    }

    #[test]
    fn encoded_characters_read_as_what_they_encode() {
        let r = larchfield();
        for text in [
            r"DH7\\u00209ZQ",
            r"DH7\\\\u00209ZQ",
            r"DH7\\x209ZQ",
            r"DH7\\\x209ZQ",
            r"DH7\u{20}9ZQ",
            r"DH7\\n9ZQ",
            "DH7&#32;9ZQ",
            "DH7&#x20;9ZQ",
            "DH7&#X20;9ZQ",
            "DH7&nbsp;9ZQ",
            "DH7&NBSP;9ZQ",
            "DH7&amp;9ZQ",
            "DH7&amp;#32;9ZQ",
            "DH7&amp;nbsp;9ZQ",
            "DH7&bogus;9ZQ",
            "DH7%209ZQ",
            "DH7%2520ZQ".replace("20ZQ", "209ZQ").as_str(),
            "DH7%C2%A09ZQ",
            "DH7%E2%80%8B9ZQ",
            "&#68;&#x48;7 9ZQ",
            "%44H7 %39ZQ",
            r"\u0044H7 9\x5aQ",
            "14&#32;Larchfield%20Row",
        ] {
            assert!(!r.parts_in(text).is_empty(), "{text:?}");
            let out = r.redact(&format!("at {text} now"));
            assert_eq!(out.as_str(), format!("at {WITHHELD} now"), "{text:?}");
        }
        // Ordinary text with ampersands, percents and backslashes is left alone.
        for text in ["R&D at 50% off", r"C:\\temp\\x", "&#xZZ; %zz \\q"] {
            assert_eq!(r.redact(text).as_str(), text);
        }
    }

    #[test]
    fn look_alike_letters_and_other_digits_read_as_latin() {
        let r = larchfield();
        for text in [
            // Cyrillic capital En, Greek capital Eta, Cyrillic small o in a street name.
            "D\u{041D}7 9ZQ",
            "D\u{0397}7 9ZQ",
            "14 Larchfield R\u{043E}w",
            // Cyrillic a, e, c, r; Greek capital Zeta and Omicron-free Q.
            "14 L\u{0430}r\u{0441}hfi\u{0435}ld Row",
            "DH7 9\u{0396}Q",
            // Digits of other scripts: Arabic-Indic, Devanagari, fullwidth, mathematical.
            "DH\u{0667} \u{0669}ZQ",
            "DH\u{096D} \u{096F}ZQ",
            "DH\u{FF17} 9ZQ",
            "DH\u{1D7D5} \u{1D7EB}ZQ",
            "\u{0661}\u{0664} Larchfield Row",
            // Small capitals and Cherokee.
            "\u{13A0}H7 9ZQ",
            "14 \u{029F}archfield Row".replace('\u{029F}', "L").as_str(),
        ] {
            assert!(!r.parts_in(text).is_empty(), "{text:?}");
            let out = r.redact(&format!("at {text} now"));
            assert_eq!(out.as_str(), format!("at {WITHHELD} now"), "{text:?}");
        }
        // Greek and Cyrillic text that is not the address stays as written.
        for text in ["Νίκος Παπαδόπουλος", "Ольга Иванова", "٣ أيام"]
        {
            assert_eq!(r.redact(text).as_str(), text);
        }
    }

    #[test]
    fn the_number_and_street_name_match_without_the_street_word_or_in_another_order() {
        let r = larchfield();
        for text in [
            "14 Larchfield",
            "14 Larchfield Rd",
            "14 LARCHFIELD R.",
            "14 Larchfield St",
            "14 Larchfield Rw",
            "Flat 3, 14 Larchfield (the blue door)",
            "Larchfield Row 14",
            "Larchfield Rw, 14",
        ] {
            assert_eq!(r.parts_in(text), vec!["a line of the address"], "{text}");
            let out = r.redact(&format!("at {text}"));
            assert!(
                !out.contains("Larchfield") && !out.contains("LARCHFIELD"),
                "{out}"
            );
        }
        // Whole words only: another number, or the name inside a longer word, is left alone.
        for text in [
            "4 Larchfield",
            "14 Larchfields Academy",
            "Larchfield Row 15",
            "144 Larch",
        ] {
            assert!(r.parts_in(text).is_empty(), "{text}");
        }
        // A short street name is matched only with its street word, so "14 high marks" stays.
        let r = redactor("lines: [14 High Street]\npostcode: DH1 1AA\nprotected: true\n");
        assert_eq!(r.redact("14 high marks").as_str(), "14 high marks");
        assert_eq!(r.redact("14 High St").as_str(), WITHHELD);
    }

    #[test]
    fn a_protected_flag_in_the_wrong_place_protects_the_address() {
        for text in [
            "address:\n  lines: [14 Larchfield Row]\n  postcode: DH7 9ZQ\nprotected: true\n",
            "address:\n  lines: [14 Larchfield Row]\n  postcode: DH7 9ZQ\nlooked_after:\n  protected: true\n",
        ] {
            let r = Redactor::for_documents(&[doc("pupil.yaml", text)]);
            assert!(!r.known, "{text}");
            assert_eq!(r.redact("DH7 9ZQ").as_str(), WITHHELD, "{text}");
        }
    }

    #[test]
    fn a_blank_flag_an_encoded_address_or_a_block_of_the_wrong_shape_still_protects() {
        for text in [
            // A flag left blank.
            "address:\n  lines: [14 Larchfield Row]\n  postcode: DH7 9ZQ\n  protected:\n",
            "address:\n  lines: [14 Larchfield Row]\n  postcode: DH7 9ZQ\n  protected: ~\n",
            // `lines:` as one string; the block nested a level deeper.
            "address:\n  lines: 14 Larchfield Row\n  postcode: DH7 9ZQ\n  protected: true\n",
            "address:\n  home:\n    lines: [14 Larchfield Row]\n    postcode: DH7 9ZQ\n  protected: true\n",
            // The postcode as a list or a map; the whole block nested, flag and all.
            "address:\n  lines: [14 Larchfield Row]\n  postcode: [DH7, 9ZQ]\n  protected: true\n",
            "address:\n  lines: [14 Larchfield Row]\n  postcode: {outward: DH7, inward: 9ZQ}\n  protected: true\n",
            "address:\n  home:\n    lines: [14 Larchfield Row]\n    postcode: DH7 9ZQ\n    protected: true\n",
            // The address written encoded in the pupil's own file.
            "address:\n  lines: [\"14%20Larchfield%20Row\"]\n  postcode: \"DH7&nbsp;9ZQ\"\n  protected: true\n",
            "address:\n  lines: ['14\\u0020Larchfield Row']\n  postcode: 'DH7\\u00a09ZQ'\n  protected: true\n",
        ] {
            let r = Redactor::for_documents(&[doc("pupil.yaml", text)]);
            for plain in ["DH7 9ZQ", "14 Larchfield Rd"] {
                let out = r.redact(plain);
                assert!(out.starts_with(WITHHELD) && !out.contains("Larch"), "{text:?}: {out}");
                assert!(!r.parts_in(plain).is_empty(), "{text:?}: {plain}");
            }
        }
    }

    #[test]
    fn the_town_is_withheld_only_as_part_of_the_address() {
        for block in [
            "lines: [14 Larchfield Row]\ntown: Durham\npostcode: DH1 9ZQ\nprotected: true\n",
            "lines: [14 Larchfield Row, Durham]\npostcode: DH1 9ZQ\nprotected: true\n",
            "Lines: [14 Larchfield Row]\nTown : Durham\npostcode: DH1 9ZQ\nprotected: true\n",
        ] {
            let r = redactor(block);
            // Beside the street line or the postcode, in text or in an address block.
            for (text, want) in [
                (
                    "14 Larchfield Row, Durham",
                    format!("{WITHHELD}, {WITHHELD}"),
                ),
                ("Durham DH1 9ZQ", format!("{WITHHELD} {WITHHELD}")),
                (
                    "lives at 14 Larchfield Row\nDurham\n",
                    format!("lives at {WITHHELD}\n{WITHHELD}\n"),
                ),
                (
                    "  lines:\n    - 14 Larchfield Row\n  town: Durham\n",
                    format!("  lines:\n    - {WITHHELD}\n  town: {WITHHELD}\n"),
                ),
                (
                    "  town: \"Durham\"\n  postcode: DH1 9ZQ",
                    format!("  town: \"{WITHHELD}\"\n  postcode: {WITHHELD}"),
                ),
            ] {
                assert_eq!(r.redact(text).as_str(), want, "{block}: {text:?}");
            }
            // Never inside an organisation's name, an e-mail address, a school, a GP practice
            // or a rule's or profile's own words.
            for text in [
                "Durham County Council",
                "chloe.barraclough@durham.gov.uk",
                "Durham Johnston Comprehensive School",
                "Claypath Medical Practice, Durham",
                "  responsible_authority: Durham County Council",
                "the Durham County Council guidance date",
                "Durham Children Looked After Team 2",
                "born in Durham",
                "Durham",
                // Another address in the same town (a parent who lives apart).
                "  lines:\n    - 27 Wansbeck Terrace\n  town: Durham\n  postcode: DH7 4ZX\n",
            ] {
                assert_eq!(r.redact(text).as_str(), text, "{block}: {text:?}");
                assert!(
                    r.parts_in(text).is_empty(),
                    "the town alone is no leak: {text:?}"
                );
            }
        }
        // The pupil document's own block: every value withheld, nothing else.
        let r = redactor(
            "lines: [14 Larchfield Row]\ntown: Brandon\npostcode: DH7 9ZQ\nprotected: true\n",
        );
        let file =
            "address:\n  lines:\n    - 14 Larchfield Row\n  town: Brandon\n  postcode: DH7 9ZQ\n  \
                    protected: true\nschool: Brandon Primary School\n";
        let out = replace_spans(file, &r.spans(file));
        assert!(!out.contains("town: Brandon"), "{out}");
        assert!(out.contains("school: Brandon Primary School"), "{out}");
        // A town of several words, and an address written as one string.
        let r = redactor("lines: [3 Front Street]\ntown: Chester-le-Street\npostcode: DH3 3ZZ\nprotected: true\n");
        assert_eq!(
            r.redact("Chester-le-Street Library").as_str(),
            "Chester-le-Street Library"
        );
        assert_eq!(
            r.redact("3 Front Street, Chester-le-Street").as_str(),
            format!("{WITHHELD}, {WITHHELD}")
        );
        let mut r = Redactor::none();
        r.add_address(
            &yaml::parse("14 Larchfield Row, Seaham, SR7 9ZQ")
                .unwrap()
                .unwrap(),
        );
        assert_eq!(
            r.redact("Seaham Harbour Surgery").as_str(),
            "Seaham Harbour Surgery"
        );
        assert_eq!(
            r.redact("14 Larchfield Row, Seaham").as_str(),
            format!("{WITHHELD}, {WITHHELD}")
        );
    }

    #[test]
    fn unprotected_address_is_left_alone() {
        let docs = vec![doc(
            "pupil.yaml",
            "kind: pupil\naddress:\n  lines: [12 Example Row]\n  postcode: DH1 9ZZ\n",
        )];
        let r = Redactor::for_documents(&docs);
        assert!(!r.is_protected());
        assert!(r.known);
        assert_eq!(
            r.redact("12 Example Row DH1 9ZZ").as_str(),
            "12 Example Row DH1 9ZZ"
        );
    }

    fn doc(path: &str, text: &str) -> Document {
        let root = yaml::parse(text).ok().flatten();
        let kind = root
            .as_ref()
            .and_then(|r| r.get("kind"))
            .and_then(Node::as_str)
            .and_then(Kind::from_name);
        let mut document = Document::new(path.into(), crate::encoding::decode(text.as_bytes()));
        document.kind = kind;
        document.root = root;
        document
    }

    #[test]
    fn fails_closed() {
        let address = "address:\n  lines: [14 Larchfield Row]\n  postcode: DH7 9ZQ\n";
        // A mistyped flag.
        for flag in [
            "  Protected: true\n",
            "  protected: yes\n",
            "  protcted: true\n",
        ] {
            let r = Redactor::for_documents(&[doc(
                "pupil.yaml",
                &format!("kind: pupil\n{address}{flag}"),
            )]);
            assert!(r.is_protected(), "{flag}");
            assert!(!r.known, "{flag}");
            assert_eq!(r.redact("14 Larchfield Row").as_str(), WITHHELD);
        }
        // A pupil document that does not parse.
        let r = Redactor::for_documents(&[doc(
            "pupil.yaml",
            &format!("kind: pupil\n{address}  protected: [true\n"),
        )]);
        assert!(!r.known);
        assert_eq!(r.redact("dh7 9zq").as_str(), WITHHELD);
        assert_eq!(r.redact("14 Larchfield Row").as_str(), WITHHELD);
        // Two pupil documents, neither saying protected.
        let r = Redactor::for_documents(&[
            doc("pupil.yaml", &format!("kind: pupil\n{address}")),
            doc(
                "pupil-old.yaml",
                "kind: pupil\naddress:\n  lines: [3 Old Mill Lane]\n  postcode: DH1 4AB\n",
            ),
        ]);
        assert!(!r.known);
        assert_eq!(r.redact("DH1 4AB").as_str(), WITHHELD);
        assert_eq!(r.redact("DH7 9ZQ").as_str(), WITHHELD);
        // A pupil-like file of no known kind.
        let r = Redactor::for_documents(&[
            doc("pupil.yaml", &format!("kind: pupil\n{address}")),
            doc("pupil copy.yaml", &format!("kind: pupl\n{address}")),
        ]);
        assert_eq!(r.redact("DH7 9ZQ").as_str(), WITHHELD);
    }

    #[test]
    fn a_snippet_of_a_wrapped_line_is_redacted_in_context() {
        let r = larchfield();
        let file = "notes: >\n  Josh lives at 14\n  Larchfield Row, DH7\n  9ZQ with carers.\n";
        let spans = r.spans(file);
        let line = |n| r.line_in_context(file, &spans, n).unwrap().into_string();
        assert_eq!(line(2), format!("  Josh lives at {WITHHELD}"));
        assert_eq!(line(3), format!("{WITHHELD}, {WITHHELD}"));
        assert_eq!(line(4), format!("{WITHHELD} with carers."));
        assert!(r.line_in_context(file, &spans, 9).is_none());
    }

    #[test]
    fn quoted_values_are_cut_after_redaction() {
        let r = larchfield();
        let long = format!("x{}", "y".repeat(30));
        let message = format!(
            "`{}` is not a date",
            quote(&format!("{long} 14 Larchfield Row"))
        );
        let out = r.redact(&message);
        assert_eq!(
            out.as_str(),
            format!("`{long} {}...` is not a date", &WITHHELD[..8])
        );
        assert_eq!(Redactor::none().redact(&quote("short")).as_str(), "short");
    }

    #[test]
    fn terminal_safe_escapes_controls_and_bidi() {
        assert_eq!(
            terminal_safe("a\x1b[31mb\u{202E}c\u{7}\u{9b}d\te\n"),
            "a\\u{1b}[31mb\\u{202e}c\\u{7}\\u{9b}d\te\\u{a}"
        );
        assert_eq!(terminal_safe("Café — ok"), "Café — ok");
    }
}
