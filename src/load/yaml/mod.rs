//! Reading one YAML document into a tree that keeps the line and column of every value.
//!
//! serde_yaml is archived upstream and forgets positions, so case files are read with
//! `saphyr-parser` (a maintained YAML 1.2 event parser) and the tree is built here. Building it
//! ourselves is also where the hostile-input limits live: no anchors or aliases (so no alias
//! bombs), a depth limit, duplicate keys refused, one document per file.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

mod mistakes;
#[cfg(test)]
use mistakes::MAX_STRAY;
use mistakes::{explain, stray_characters};

/// Deepest nesting a case document may have. The deepest real field is about six levels down.
pub const MAX_DEPTH: usize = 64;

/// A position in a source file, both numbers counted from 1 (column in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    fn from_span(span: &Span) -> Pos {
        Pos {
            line: span.start.line(),
            column: span.start.col() + 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_pos: Pos,
    pub value: Node,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

/// Why a file could not be read as YAML, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub pos: Pos,
    pub message: String,
    pub help: String,
}

impl Node {
    /// The value at a JSON Pointer path (`/plans/0/outcome`), if present.
    pub fn pointer(&self, pointer: &str) -> Option<&Node> {
        let mut node = self;
        for token in pointer.split('/').skip(1) {
            let token = token.replace("~1", "/").replace("~0", "~");
            node = match &node.value {
                Value::Map(entries) => &entries.iter().find(|e| e.key == token)?.value,
                Value::Seq(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// The closest position for a JSON Pointer path: the value itself, or its nearest parent
    /// that exists (for a missing field, the object that should hold it). When `at_key` is set
    /// and the last step is a mapping key, the key's own position is given.
    pub fn locate(&self, pointer: &str, at_key: bool) -> Pos {
        let tokens: Vec<String> = pointer
            .split('/')
            .skip(1)
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect();
        let mut node = self;
        let mut pos = self.pos;
        for (i, token) in tokens.iter().enumerate() {
            let last = i + 1 == tokens.len();
            let next = match &node.value {
                Value::Map(entries) => match entries.iter().find(|e| &e.key == token) {
                    Some(e) if last && at_key => return e.key_pos,
                    Some(e) => &e.value,
                    None => return pos,
                },
                Value::Seq(items) => match token.parse::<usize>().ok().and_then(|i| items.get(i)) {
                    Some(n) => n,
                    None => return pos,
                },
                _ => return pos,
            };
            node = next;
            pos = node.pos;
        }
        pos
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| e.key == key).map(|e| &e.value),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Whether a value was left blank: empty, or a block whose fields are all blank (as in the
    /// skeleton `ehcpack new` writes).
    pub fn is_blank(&self) -> bool {
        match &self.value {
            Value::Null => true,
            Value::Map(entries) => entries.iter().all(|e| e.value.is_blank()),
            _ => false,
        }
    }

    /// The JSON form, for schema validation and for the typed model. A field left blank
    /// (`baseline:`), or a block left blank, counts as absent, as a SENCO means it.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            // JSON has no NaN or infinity; keep the text so the schema reports a wrong type.
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(J::Number)
                .unwrap_or_else(|| J::String(f.to_string())),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .filter(|e| !e.value.is_blank())
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }

    /// Every string value below this node, with its JSON Pointer path.
    pub fn strings<'a>(&'a self, path: &str, out: &mut Vec<(String, &'a Node)>) {
        self.each_string(&mut |at, node| out.push((format!("{path}{}", at.pointer()), node)));
    }

    /// Calls `f` with every string value below this node and where it is. The path is kept as
    /// a stack of keys and indexes, and written out as a JSON Pointer only when `f` asks for it
    /// (most values need no location: a rule reads thousands and reports none).
    pub fn each_string<'a>(&'a self, f: &mut dyn FnMut(&Place<'_, 'a>, &'a Node)) {
        let mut stack = Vec::new();
        self.visit_strings(&mut stack, f);
    }

    fn visit_strings<'a>(
        &'a self,
        stack: &mut Vec<Step<'a>>,
        f: &mut dyn FnMut(&Place<'_, 'a>, &'a Node),
    ) {
        match &self.value {
            Value::Str(_) => f(&Place { steps: stack }, self),
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    stack.push(Step::Index(i));
                    item.visit_strings(stack, f);
                    stack.pop();
                }
            }
            Value::Map(entries) => {
                for e in entries {
                    stack.push(Step::Key(&e.key));
                    e.value.visit_strings(stack, f);
                    stack.pop();
                }
            }
            _ => {}
        }
    }
}

/// One step down a document: a key of a map or an index of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// Where a value is, as [`Node::each_string`] passes it: the steps from the node walked.
pub struct Place<'s, 'a> {
    pub steps: &'s [Step<'a>],
}

impl Place<'_, '_> {
    /// The JSON Pointer (`/plans/0/outcomes`), written out now.
    pub fn pointer(&self) -> String {
        use std::fmt::Write;
        let mut out = String::with_capacity(32);
        for step in self.steps {
            out.push('/');
            match step {
                Step::Index(i) => {
                    let _ = write!(out, "{i}");
                }
                // A key with no `~` or `/` (every key of the case format) is written as it is.
                Step::Key(k) if !k.contains(['~', '/']) => out.push_str(k),
                Step::Key(k) => out.push_str(&k.replace('~', "~0").replace('/', "~1")),
            }
        }
        out
    }
}

/// Parse the text of one file (already checked to be UTF-8) into one document.
/// `Ok(None)` means the file holds no document at all (empty, or only comments).
pub fn parse(text: &str) -> Result<Option<Node>, SyntaxError> {
    let mut parser = Parser::new_from_str(text);
    let mut builder = Builder::default();
    let mut documents = 0usize;
    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(|e| {
            let pos = Pos {
                line: e.marker().line(),
                column: e.marker().col() + 1,
            };
            // The parser's own limit on flow nesting (`[[[[...`) is the same finding as ours.
            if e.info().contains("recursion limit") {
                return too_deep(pos);
            }
            SyntaxError {
                pos,
                message: format!("this is not valid YAML: {}", e.info()),
                help: "check the indentation (spaces, not tabs) and that every `key: value` \
                       has a space after the colon; text with a colon or # in it goes in quotes"
                    .into(),
            }
        })?;
        let pos = Pos::from_span(&span);
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(SyntaxError {
                        pos,
                        message: "this file holds more than one YAML document".into(),
                        help: "put each document (each `kind:`) in a file of its own; \
                               remove the `---` line"
                            .into(),
                    });
                }
            }
            Event::Alias(_) => {
                return Err(SyntaxError {
                    pos,
                    message: "aliases (`*name`) are not allowed in case files".into(),
                    help: "write the value out in full where it is needed".into(),
                })
            }
            Event::Scalar(text, style, anchor, tag) => {
                no_anchor(anchor, pos)?;
                let forced_string = tag.as_ref().is_some_and(|t| t.suffix == "str");
                let value = if style == ScalarStyle::Plain && !forced_string {
                    resolve_plain(&text)
                } else {
                    Value::Str(text.into_owned())
                };
                builder.push(Node { pos, value })?;
            }
            Event::SequenceStart(anchor, _) => {
                no_anchor(anchor, pos)?;
                builder.open(Node {
                    pos,
                    value: Value::Seq(Vec::new()),
                })?;
            }
            Event::MappingStart(anchor, _) => {
                no_anchor(anchor, pos)?;
                builder.open(Node {
                    pos,
                    value: Value::Map(Vec::new()),
                })?;
            }
            Event::SequenceEnd | Event::MappingEnd => builder.close()?,
            Event::StreamEnd => break,
            _ => {}
        }
    }
    Ok(builder.root)
}

/// Reads a case document as [`parse`] does, and names the mistakes people make in it at the
/// place they made them (docs/mistakes.md): a character that is not what it looks like (a
/// non-breaking space, a tab, a byte-order mark or another invisible character, named with its
/// code point) is an error wherever YAML's structure depends on it, or wherever it is invisible;
/// and when the file does not read, a missing colon is placed on the line that lacks it and
/// curly quotes are named, instead of where the parser gave up.
///
/// `Ok` holds the document and any stray characters (each an error the caller reports); `Err`
/// holds the errors that explain why the file does not read (at least one).
pub fn read(text: &str) -> Result<(Option<Node>, Vec<SyntaxError>), Vec<SyntaxError>> {
    let (invisible, structural) = stray_characters(text);
    match parse(text) {
        Ok(node) => Ok((node, invisible)),
        Err(e) => {
            // A tab or a pasted space where the structure is, up to where the parser stopped,
            // is why (one further on may be a tab inside a block of text, which YAML allows).
            // The parser may stop on the line before it, still reading a value that goes on.
            let mut errors = invisible;
            let before: Vec<_> = structural
                .into_iter()
                .filter(|s| s.pos.line <= e.pos.line + 1)
                .collect();
            if before.is_empty() {
                errors.push(explain(text, e));
            } else {
                errors.extend(before);
            }
            errors.sort_by_key(|e| (e.pos.line, e.pos.column));
            Err(errors)
        }
    }
}

fn too_deep(pos: Pos) -> SyntaxError {
    SyntaxError {
        pos,
        message: format!("this file is nested more than {MAX_DEPTH} levels deep"),
        help: "case documents are only a few levels deep; check the indentation".into(),
    }
}

fn no_anchor(anchor: usize, pos: Pos) -> Result<(), SyntaxError> {
    if anchor == 0 {
        Ok(())
    } else {
        Err(SyntaxError {
            pos,
            message: "anchors (`&name`) are not allowed in case files".into(),
            help: "remove the anchor and write each value out in full".into(),
        })
    }
}

/// Builds the tree from events with an explicit stack, so deep input cannot overflow ours.
#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    root: Option<Node>,
}

struct Frame {
    node: Node,
    /// For a mapping: the key read and waiting for its value.
    pending_key: Option<(String, Pos)>,
    /// For a mapping of more than [`FEW_KEYS`] keys: the line of each key read so far, so that
    /// a repeated key is found in constant time (a file of 100,000 keys stays linear). A
    /// smaller mapping (nearly all of them) is searched as it stands, with no copy of its keys.
    seen: Option<HashMap<String, usize>>,
}

/// Up to this many keys, a mapping is searched key by key for a repeated one.
const FEW_KEYS: usize = 24;

impl Builder {
    fn open(&mut self, node: Node) -> Result<(), SyntaxError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(too_deep(node.pos));
        }
        if let Some(frame) = self.stack.last() {
            if matches!(frame.node.value, Value::Map(_)) && frame.pending_key.is_none() {
                return Err(SyntaxError {
                    pos: node.pos,
                    message: "a list or mapping is used as a key".into(),
                    help: "keys are plain field names such as `date`".into(),
                });
            }
        }
        self.stack.push(Frame {
            node,
            pending_key: None,
            seen: None,
        });
        Ok(())
    }

    fn close(&mut self) -> Result<(), SyntaxError> {
        let frame = self
            .stack
            .pop()
            .expect("parser balances start and end events");
        self.push(frame.node)
    }

    fn push(&mut self, node: Node) -> Result<(), SyntaxError> {
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        match &mut frame.node.value {
            Value::Seq(items) => items.push(node),
            Value::Map(entries) => match frame.pending_key.take() {
                None => {
                    let key = match node.value {
                        Value::Str(s) => s,
                        Value::Int(i) => i.to_string(),
                        Value::Bool(b) => b.to_string(),
                        Value::Float(f) => f.to_string(),
                        Value::Null => "null".to_string(),
                        _ => unreachable!("collections are refused as keys in open()"),
                    };
                    // Every key read before this one has its value by now, in `entries`.
                    let first_line = match &frame.seen {
                        Some(seen) => seen.get(&key).copied(),
                        None => entries
                            .iter()
                            .find(|e| e.key == key)
                            .map(|e| e.key_pos.line),
                    };
                    if let Some(first_line) = first_line {
                        return Err(SyntaxError {
                            pos: node.pos,
                            message: format!(
                                "the field {} appears twice in the same block \
                                 (first on line {first_line})",
                                quoted(&key)
                            ),
                            help: "keep one of them; YAML would silently drop the other".into(),
                        });
                    }
                    if frame.seen.is_none() && entries.len() >= FEW_KEYS {
                        frame.seen = Some(
                            entries
                                .iter()
                                .map(|e| (e.key.clone(), e.key_pos.line))
                                .collect(),
                        );
                    }
                    if let Some(seen) = &mut frame.seen {
                        seen.insert(key.clone(), node.pos.line);
                    }
                    frame.pending_key = Some((key, node.pos));
                }
                Some((key, key_pos)) => entries.push(Entry {
                    key,
                    key_pos,
                    value: node,
                }),
            },
            _ => unreachable!("only collections are pushed on the stack"),
        }
        Ok(())
    }
}

/// A name from the file as a message quotes it: in backquotes when it is at most 80 characters,
/// else only its length, so that a message never prints a whole file. It is never cut short: a
/// part of a protected address could not be recognised and withheld.
pub fn quoted(text: &str) -> String {
    let chars = text.chars().count();
    if chars > 80 {
        format!("(a name {chars} characters long)")
    } else {
        format!("`{text}`")
    }
}

/// YAML 1.2 core schema resolution of a plain (unquoted) scalar.
fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(i) = text.parse::<i64>() {
            return Value::Int(i);
        }
    }
    if let Some(hex) = text.strip_prefix("0x") {
        if let Ok(i) = i64::from_str_radix(hex, 16) {
            return Value::Int(i);
        }
    }
    if let Some(oct) = text.strip_prefix("0o") {
        if let Ok(i) = i64::from_str_radix(oct, 8) {
            return Value::Int(i);
        }
    }
    let looks_numeric = digits
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_digit() || b == b'.')
        && digits
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        && digits.bytes().any(|b| b.is_ascii_digit());
    if looks_numeric {
        if let Ok(f) = text.parse::<f64>() {
            return Value::Float(f);
        }
    }
    Value::Str(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_positions_and_types() {
        let doc = parse("kind: pupil\nyear_group: 5\nname:\n  first: Ava\nurn: '123456'\n")
            .unwrap()
            .unwrap();
        assert_eq!(doc.pointer("/year_group").unwrap().value, Value::Int(5));
        assert_eq!(
            doc.pointer("/name/first").unwrap().pos,
            Pos {
                line: 4,
                column: 10
            }
        );
        assert_eq!(
            doc.pointer("/urn").unwrap().value,
            Value::Str("123456".into())
        );
        assert_eq!(
            doc.locate("/name/missing", false),
            Pos { line: 4, column: 3 }
        );
        assert_eq!(doc.locate("/name", true), Pos { line: 3, column: 1 });
    }

    #[test]
    fn dates_stay_strings() {
        let doc = parse("d: 2025-09-01\n").unwrap().unwrap();
        assert_eq!(doc.get("d").unwrap().as_str(), Some("2025-09-01"));
    }

    #[test]
    fn refuses_aliases_duplicates_and_depth() {
        assert!(parse("a: &x 1\nb: *x\n")
            .unwrap_err()
            .message
            .contains("anchor"));
        let dup = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(dup.pos.line, 3);
        assert!(dup.message.contains("twice"));
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert!(parse(&deep).is_err());
        let deep_block: String = (0..200)
            .map(|i| format!("{}a:\n", "  ".repeat(i)))
            .collect();
        assert!(parse(&deep_block).unwrap_err().message.contains("nested"));
        assert!(parse("a: 1\n---\nb: 2\n").is_err());
    }

    /// A repeated key is found, with its first line, in a small mapping (searched key by key)
    /// and in a large one (searched through its index), wherever the first one is.
    #[test]
    fn a_repeated_key_is_found_in_small_and_large_mappings() {
        for keys in [3, super::FEW_KEYS, 100] {
            for (first, again) in [(0, keys), (keys - 1, keys + 1), (keys / 2, keys + 5)] {
                // Line `again + 1` repeats the key of line `first + 1`.
                let mut lines: Vec<String> = (0..keys + 10).map(|i| format!("k{i}: {i}")).collect();
                lines.insert(again, format!("k{first}: again"));
                let text = lines.join("\n");
                let err = parse(&text).unwrap_err();
                assert_eq!(err.pos.line, again + 1, "{keys} {first} {again}");
                assert!(
                    err.message.contains(&format!(
                        "`k{first}` appears twice in the same block (first on line {})",
                        first + 1
                    )),
                    "{}",
                    err.message
                );
            }
        }
    }

    /// The errors `read` gives for `text`, as (line, column, message).
    fn mistakes(text: &str) -> Vec<(usize, usize, String)> {
        match read(text) {
            Ok((_, stray)) => stray,
            Err(errors) => errors,
        }
        .into_iter()
        .map(|e| (e.pos.line, e.pos.column, e.message))
        .collect()
    }

    #[test]
    fn a_missing_colon_is_found_in_a_list_item_and_not_in_long_text() {
        let found =
            mistakes("outcomes:\n  - id: O1\n    description Read 20 words\n    target: 20\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].0, found[0].1), (3, 16), "{found:?}");
        // The second line of a long plain text is not a field, and the file reads.
        assert_eq!(
            mistakes(
                "views:\n  text: Josh likes football\n    and drawing cars\n  date: 2026-01-14\n"
            ),
            vec![]
        );
    }

    #[test]
    fn curly_quotes_that_protect_nothing_do_not_hide_a_missing_colon() {
        let found = mistakes("said: “I like maths”\nname Josh\nyear: 5\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].0, found[0].1), (2, 5), "{found:?}");
        let found = mistakes("a: 1\nsaid: “Reading: hard”\nyear: 5\n");
        assert_eq!((found[0].0, found[0].1), (2, 7), "{found:?}");
        assert!(found[0].2.contains("U+201C"), "{found:?}");
    }

    #[test]
    fn tabs_and_pasted_spaces_inside_text_are_left_alone() {
        assert_eq!(
            mistakes("views: |\n  \tI like maths\n  and\u{a0}football\n"),
            vec![]
        );
        assert_eq!(mistakes("name: Mrs\u{a0}Robson\nnote: a\tb\n"), vec![]);
    }

    /// A line of a million spaces after a colon, or of tabs, is read in linear time.
    #[test]
    fn long_runs_of_spaces_stay_linear() {
        let started = std::time::Instant::now();
        let text = format!("a:{}x\n- {}y\n", " ".repeat(1 << 20), "\t".repeat(1 << 20));
        let _ = mistakes(&text);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn stray_characters_are_capped_and_never_quote_the_text() {
        let text: String = (0..100).map(|i| format!("a{i}: x\u{200b}\n")).collect();
        let found = mistakes(&text);
        assert_eq!(found.len(), MAX_STRAY);
        assert!(found
            .iter()
            .all(|(_, _, m)| m.contains("U+200B") && !m.contains('x')));
    }

    #[test]
    fn empty_file_has_no_document() {
        assert_eq!(parse("").unwrap(), None);
        assert_eq!(parse("# only a comment\n").unwrap(), None);
    }
}
