//! A looked-after child's protected address must not be shared on any document (Durham toolkit,
//! "Maintenance of SEN records"). This module finds its parts in text and withholds them from
//! every output: reports, messages, snippets, paths, errors and the PDF.
//!
//! **One gate.** Text that may leave the process is a [`Redacted`]: a string only this module can
//! build, and only by passing it through a [`Redactor`]. The report writers print a
//! [`RedactedReport`], which only [`Redactor::report`] builds, after redacting every printed
//! field of the report; so a new output format, or a new field, cannot forget it.
//!
//! **Matching.** Both the address and the text are normalised before they are compared: Unicode
//! NFKD with combining marks dropped (so NFKC-equivalent forms, full-width letters and accents
//! all compare equal), look-alike letters of other scripts read as Latin ones and any script's
//! digits as digits, case folded, format and zero-width characters removed, every run of
//! anything that is not a letter or digit (spaces, line breaks, hyphens, dashes, punctuation) one
//! separator, and the common street abbreviations (Rd, St, Ave, Terr, Cres, Cl, Dr, Ln) read as
//! the words. A postcode matches with any separator or none anywhere inside it; an address line
//! matches on its distinctive part (house number and street name), whatever comes before it.
//! Every normalised character keeps the span of the original text it came from, so a match is
//! replaced in the original text, with [`WITHHELD`].
//!
//! **Fail closed.** When the pupil document cannot be read or parsed, when its `protected` flag is
//! mistyped, or when there is more than one pupil-like document, every address value in any of
//! them is withheld, and no line of the case's files is quoted.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::Deref;
use std::path::Path;

use serde::Serialize;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use crate::case::{Case, Document, Kind};
use crate::yaml::{Node, Value};
use crate::CaseReport;

/// What is printed in place of a protected address or any part of it.
pub const WITHHELD: &str = "[address withheld]";

/// Address lines shorter than this (letters and digits, after normalising) are too common to
/// call a leak ("Flat 2"); output still withholds them.
const MIN_LINE_CHARS: usize = 6;

/// Address values shorter than this are not searched for at all (a house number alone).
const MIN_VALUE_CHARS: usize = 4;

/// Text that has passed through a [`Redactor`]: the only kind of text the printers take.
///
/// Only this module can make one, so holding a `Redacted` proves the redactor has seen it.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Redacted(String);

impl Redacted {
    /// Text written into the program itself (labels, rule ids), never read from input.
    pub fn literal(text: &'static str) -> Redacted {
        Redacted(text.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// For a terminal: control characters, escape sequences and bidirectional overrides shown
    /// escaped (see [`terminal_safe`]).
    pub fn for_terminal(&self) -> String {
        terminal_safe(&self.0)
    }
}

impl Deref for Redacted {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Redacted> for String {
    fn from(r: Redacted) -> String {
        r.0
    }
}

impl PartialEq<str> for Redacted {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Redacted {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// Text from input made safe to write to a terminal: every control character (other than tab),
/// every format character that can reorder or hide text (bidirectional overrides and isolates,
/// zero-width characters) and the line and paragraph separators are shown as `\u{..}`, so an
/// escape sequence or a bidi override in a case file can never act on the reader's terminal.
/// The one function every terminal printer uses.
pub fn terminal_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c != '\t' && needs_escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c.general_category(),
            GeneralCategory::Format
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
        )
}

/// Marks the start and end of a quoted value that may be cut short (private-use characters).
const QUOTE_OPEN: char = '\u{F8F0}';
const QUOTE_CLOSE: char = '\u{F8F1}';
/// How many characters of a quoted value a message shows.
const QUOTE_CHARS: usize = 40;

/// A value to quote in a message, cut to 40 characters: the cut is made by the redactor after it
/// has redacted the whole message, so a cut can never break an address apart and let half of it
/// through.
pub fn quote(value: &str) -> String {
    let value: String = value
        .chars()
        .filter(|c| *c != QUOTE_OPEN && *c != QUOTE_CLOSE)
        .collect();
    format!("{QUOTE_OPEN}{value}{QUOTE_CLOSE}")
}

/// Cuts each quoted value to its length and removes the marks (any stray mark too).
fn cut_quotes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut inside: Option<usize> = None;
    for c in text.chars() {
        match (c, inside) {
            (QUOTE_OPEN, _) => inside = Some(0),
            (QUOTE_CLOSE, Some(n)) => {
                if n > QUOTE_CHARS {
                    out.push_str("...");
                }
                inside = None;
            }
            (QUOTE_CLOSE, None) => {}
            (c, Some(n)) => {
                if n < QUOTE_CHARS {
                    out.push(c);
                }
                inside = Some(n + 1);
            }
            (c, None) => out.push(c),
        }
    }
    if inside.is_some_and(|n| n > QUOTE_CHARS) {
        out.push_str("...");
    }
    out
}

/// A path as text for output: lossy where it is not UTF-8 (an invalid byte becomes U+FFFD).
pub fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

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
    /// Whether the pupil's address could be read with certainty. When it could not, no line of
    /// the case's files is quoted in snippets.
    pub known: bool,
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
                }
            }
        }
        r
    }

    fn add_address(&mut self, address: &Node) {
        if let Some(Value::Seq(items)) = address.get("lines").map(|n| &n.value) {
            for line in items.iter().filter_map(Node::as_str) {
                self.add_line(line);
            }
        }
        if let Some(pc) = address.get("postcode").and_then(Node::as_str) {
            self.add_postcode(pc);
        }
        // A value written as a list or a map (`postcode: [DH7, 9ZQ]`,
        // `postcode: {outward: DH7, inward: 9ZQ}`): its parts are read joined, as one value.
        if let Value::Map(entries) = &address.value {
            for e in entries.iter().filter(|e| e.key != "lines") {
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
            for part in text.split([',', '\n', ';']) {
                self.add_line(part);
                self.add_value(part);
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
    }

    pub fn is_protected(&self) -> bool {
        !self.postcodes.is_empty() || !self.lines.is_empty() || !self.block.is_empty()
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
            for needles in [&self.postcodes, &self.lines, &self.block] {
                needles.find_in(&norm, &mut spans);
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

    /// Redacts every printed field of a report; the writers print only what this returns.
    pub fn report(&self, report: CaseReport) -> RedactedReport {
        // Taken apart with no `..`: a new field of a report or finding does not compile until
        // it is dealt with here.
        let CaseReport {
            path,
            verdict,
            errors,
            warnings,
            dates,
            diagnostics,
            received_as,
            particulars,
            by_hand,
        } = report;
        let crate::Particulars {
            legal_name,
            date_of_birth,
            year_group,
            school,
            primary_need,
            requested_by,
            forename,
            surname,
        } = particulars;
        let text = |t: Option<String>| t.map(|t| self.redact(&t).into_string());
        let crate::KeyDates {
            pupil_reference,
            submission_date,
            guidance_date,
            received_date,
            decision_due,
            final_plan_due,
            overdue,
            next_due,
        } = dates;
        let diagnostics = diagnostics
            .into_iter()
            .map(|d| {
                let crate::diagnostic::Diagnostic {
                    rule,
                    severity,
                    file,
                    line,
                    column,
                    message,
                    help,
                    source,
                    snippet,
                } = d;
                crate::diagnostic::Diagnostic {
                    rule,
                    severity,
                    file: file.map(|f| self.path(&f).into_string().into()),
                    line,
                    column,
                    message: self.redact(&message).into_string(),
                    help: self.redact(&help).into_string(),
                    source,
                    snippet: if self.known {
                        snippet.map(|s| self.redact(&s).into_string())
                    } else {
                        None
                    },
                }
            })
            .collect();
        RedactedReport {
            report: CaseReport {
                path: self.path(&path).into_string().into(),
                verdict,
                errors,
                warnings,
                dates: crate::KeyDates {
                    pupil_reference: pupil_reference.map(|r| self.redact(&r).into_string()),
                    submission_date,
                    guidance_date,
                    received_date,
                    decision_due,
                    final_plan_due,
                    overdue,
                    next_due,
                },
                particulars: crate::Particulars {
                    legal_name: text(legal_name),
                    date_of_birth: text(date_of_birth),
                    year_group,
                    school: text(school),
                    primary_need: text(primary_need),
                    requested_by: text(requested_by),
                    forename: text(forename),
                    surname: text(surname),
                },
                by_hand: by_hand.map(|crate::ByHand { pages, title }| crate::ByHand {
                    pages,
                    title: text(title),
                }),
                diagnostics,
                received_as,
            },
            redactor: self.clone(),
        }
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

/// A [`CaseReport`] whose every printed field has been redacted: paths (made UTF-8, lossily),
/// messages, help, snippets, the pupil reference. Only [`Redactor::report`] builds one; every
/// report writer, `status` and the PDF take one. Read it like a `CaseReport`.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct RedactedReport {
    report: CaseReport,
    #[serde(skip)]
    redactor: Redactor,
}

impl RedactedReport {
    /// Any further text printed alongside this report (a pupil's name in `status`, a template's
    /// output), through the same redactor.
    pub fn redact(&self, text: &str) -> Redacted {
        self.redactor.redact(text)
    }

    /// The report's redacted path as text (always UTF-8).
    pub fn path_text(&self) -> Redacted {
        Redacted(path_text(&self.report.path))
    }

    /// A finding's file joined to the case path, redacted again as a whole, so that a folder
    /// and a file name cannot spell out a postcode between them.
    /// A received pack's or archive's case shows as `ava.pdf › plan-1.yaml`.
    pub fn location(&self, file: Option<&Path>) -> Redacted {
        match file {
            Some(f) => {
                let path = path_text(&self.report.path);
                if self.report.received_as.is_some() && !path.contains(crate::received::INSIDE) {
                    self.redactor.redact(&format!(
                        "{path}{}{}",
                        crate::received::INSIDE,
                        path_text(f)
                    ))
                } else {
                    self.redactor.path(&self.report.path.join(f))
                }
            }
            None => self.path_text(),
        }
    }

    /// The report, for code that only reads it (tests, summaries).
    pub fn into_inner(self) -> CaseReport {
        self.report
    }
}

impl Deref for RedactedReport {
    type Target = CaseReport;
    fn deref(&self) -> &CaseReport {
        &self.report
    }
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
    let declared = doc.text.lines().any(|l| {
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
        if self.list.is_empty() {
            return;
        }
        let n = norm.alnum.len();
        for k in 0..n {
            let pair =
                (k + 1 < n).then(|| [norm.chars[norm.alnum[k]], norm.chars[norm.alnum[k + 1]]]);
            let starting = pair
                .and_then(|p| self.by_start.get(&p))
                .map_or(&[][..], Vec::as_slice);
            for &i in starting.iter().chain(&self.anywhere) {
                if let Some(span) = norm.match_at(k, &self.list[i as usize]) {
                    spans.push(span);
                }
            }
        }
    }
}

/// Characters that vanish before matching: format characters (zero-width spaces and joiners,
/// soft hyphens, bidirectional controls, the byte order mark) and invisible fillers.
fn ignorable(c: char) -> bool {
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
fn fold_char(c: char, mut each: impl FnMut(Option<char>)) {
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
const LOOK_ALIKES: &[(char, char)] = &[
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
    ('\u{026A}', 'i'),
    ('\u{0274}', 'n'),
    ('\u{0280}', 'r'),
    ('\u{028F}', 'y'),
    ('\u{0299}', 'b'),
    ('\u{029C}', 'h'),
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
fn look_alike(c: char) -> char {
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
fn decimal_digit(c: char) -> Option<char> {
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
fn tokens(text: &str) -> Vec<Vec<char>> {
    let norm = Normal::of(text);
    norm.chars
        .split(|c| *c == ' ')
        .filter(|t| !t.is_empty())
        .map(<[char]>::to_vec)
        .collect()
}

/// The letters and digits of a text, normalised, with no separators.
fn squash(text: &str) -> Vec<char> {
    Normal::of(text)
        .chars
        .into_iter()
        .filter(|c| *c != ' ')
        .collect()
}

/// How many times [`Normal::readings`] decodes encodings inside encodings.
const MAX_DECODE_ROUNDS: usize = 6;

/// HTML named character references a reader may meet in a case file, with what they stand
/// for. Any other name (`&foo;`) is read as a separator.
const NAMED_REFERENCES: &[(&str, char)] = &[
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
fn decoded(text: &str) -> Option<String> {
    decoded_spanned(text).map(|chars| chars.into_iter().map(|(c, _)| c).collect())
}

/// [`decoded`], each character with the byte span of the original text it stands for.
fn decoded_spanned(text: &str) -> Option<Vec<(char, (usize, usize))>> {
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
fn decode_once(text: &[(char, (usize, usize))]) -> Option<Vec<(char, (usize, usize))>> {
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
struct Normal {
    chars: Vec<char>,
    spans: Vec<(usize, usize)>,
    /// Indices into `chars` of the letters and digits (everything but separators).
    alnum: Vec<usize>,
}

impl Normal {
    fn of(text: &str) -> Normal {
        Normal::of_spanned(
            text.char_indices()
                .map(|(start, c)| (c, (start, start + c.len_utf8()))),
        )
    }

    /// Characters, each with the byte span of the original text it stands for.
    fn of_spanned(text: impl IntoIterator<Item = (char, (usize, usize))>) -> Normal {
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
    fn readings(text: &str) -> Vec<Normal> {
        let plain = Normal::of(text);
        match decoded_spanned(text) {
            Some(chars) => vec![plain, Normal::of_spanned(chars)],
            None => vec![plain],
        }
    }

    /// The original byte span of the longest match of `needle` starting at the `k`th letter or
    /// digit, separators in the text ignored.
    fn match_at(&self, k: usize, needle: &Needle) -> Option<(usize, usize)> {
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
                .map(|e| (self.spans[first].0, self.spans[self.alnum[e - 1]].1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;

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
        let mut document = Document::new(path.into(), text.into());
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
