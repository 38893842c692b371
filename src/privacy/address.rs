//! Finding a protected address: the [`Redactor`] built from a case's pupil document (failing
//! closed), and the needles it searches any text for.
//!
//! The town is withheld only as part of the address: beside another part of it (separators and
//! field keys between: a line, the postcode, the block's `town:` under its `lines:`); never
//! alone, inside a name or an e-mail address (SECURITY.md, "What counts as the address").
//!
//! Its parts: [`pupil`] (where a case keeps the address, and its protected flag), [`needles`]
//! (what is searched for in normalised text, and how a match is made).

use std::path::Path;

use super::gate::{cut_quotes, path_text, Redacted, WITHHELD};
use super::normalise::*;
use crate::load::case::{Case, Document};
use crate::load::yaml::{Node, Value};

mod needles;
mod pupil;

use needles::{is_place_key, is_place_line, is_postcode_shaped, Needle, Needles, STREET_WORDS};
use pupil::{address_nodes, misplaced_flag, protected_flag, pupil_like, reads_as_protected};

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

#[cfg(test)]
mod tests;
