//! Saving a form's answers into a YAML file in place, losslessly: only the values that changed
//! are rewritten, by their byte spans in the source; comments, key order, quoting, blank lines
//! and every value the form did not change stay exactly as they were.
//!
//! How a change is made, smallest first: a one-line value is replaced where it stands; a field
//! left blank (`baseline:`) gets its value after the colon; a field the file does not have is
//! added after the field before it in the schema's order, at the same indentation; items added
//! at the end of a list are written after its last item. A list whose items were removed or
//! reordered, and a value that changes shape, are written out again in full (only that value).
//!
//! Every edit is proved before it is kept: the new text is parsed again and each value the form
//! sent must read back exactly as typed (a leading zero, a date, text with a colon); if one does
//! not, nothing is written ([`apply`] returns an error).
//!
//! Its parts: [`spans`] (the document with each node's byte span), [`text`] (YAML text for a
//! value the form sent).

use serde_json::Value as Json;

use crate::load::yaml::{self, Value};

mod spans;
mod text;

use spans::{parse, Key, Kind, Spanned};
use text::{inline_scalar, render_after_key, render_item};

/// The form's way of saying "leave this value as it is in the file" (a value shown withheld).
pub const UNCHANGED: &str = "$unchanged";

/// One replacement of `start..end` by `text`.
#[derive(Debug)]
struct Edit {
    start: usize,
    end: usize,
    text: String,
}

/// Why a change could not be saved.
#[derive(Debug, PartialEq, Eq)]
pub struct Refused(pub String);

/// The file's text with the form's values `new` (an object, typed: strings, numbers, booleans,
/// null for blank, lists, objects) written into it. Fields the form did not send are untouched.
pub fn apply(text: &str, new: &Json) -> Result<String, Refused> {
    let root = parse(text)?;
    if !matches!(root.kind, Kind::Map(_)) || root.whole_only {
        return Err(Refused(
            "this file is not a block of `key: value` lines, so the form cannot change it".into(),
        ));
    }
    let mut edits = Vec::new();
    let doc = Doc { text };
    doc.map(&root, 0, new, &mut edits)?;
    edits.sort_by_key(|e| (e.start, e.end));
    let mut out = text.to_string();
    let mut last_start = usize::MAX;
    for e in edits.iter().rev() {
        if e.end > last_start {
            return Err(Refused("two changes overlap; nothing was saved".into()));
        }
        out.replace_range(e.start..e.end, &e.text);
        last_start = e.start;
    }
    prove(&out, new)?;
    Ok(out)
}

/// Every value the form sent reads back from `text` as it was typed.
fn prove(text: &str, new: &Json) -> Result<(), Refused> {
    let node = yaml::parse(text)
        .map_err(|e| Refused(format!("the change would not read back: {}", e.message)))?
        .ok_or_else(|| Refused("the change would empty the file".into()))?;
    let mut wrong = Vec::new();
    check_reads_back(&node, new, "", &mut wrong);
    match wrong.first() {
        None => Ok(()),
        Some(pointer) => Err(Refused(format!(
            "the value at {pointer} would not read back as typed; nothing was saved"
        ))),
    }
}

fn check_reads_back(node: &yaml::Node, new: &Json, pointer: &str, wrong: &mut Vec<String>) {
    match new {
        _ if is_unchanged(new) => {}
        Json::Object(fields) => {
            for (key, value) in fields {
                let p = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                match node.get(key) {
                    Some(child) => check_reads_back(child, value, &p, wrong),
                    None if is_blank(value) || is_unchanged(value) => {}
                    None => wrong.push(p),
                }
            }
        }
        Json::Array(items) => match &node.value {
            Value::Seq(nodes) if nodes.len() == items.len() => {
                for (i, (n, v)) in nodes.iter().zip(items).enumerate() {
                    check_reads_back(n, v, &format!("{pointer}/{i}"), wrong);
                }
            }
            Value::Null if items.is_empty() => {}
            _ => wrong.push(pointer.to_string()),
        },
        scalar => {
            if !(scalar_equals(&node.value, scalar) || (is_blank(scalar) && node.is_blank())) {
                wrong.push(pointer.to_string());
            }
        }
    }
}

fn is_unchanged(v: &Json) -> bool {
    v.get(UNCHANGED).is_some()
}

/// Null, an empty list, or an object whose values are all blank.
fn is_blank(v: &Json) -> bool {
    match v {
        Json::Null => true,
        Json::Array(a) => a.is_empty(),
        Json::Object(o) => !is_unchanged(v) && o.values().all(is_blank),
        Json::String(_) | Json::Bool(_) | Json::Number(_) => false,
    }
}

fn scalar_equals(old: &Value, new: &Json) -> bool {
    match (old, new) {
        (Value::Null, Json::Null) => true,
        (Value::Bool(a), Json::Bool(b)) => a == b,
        (Value::Int(a), Json::Number(b)) => b.as_i64() == Some(*a),
        (Value::Float(a), Json::Number(b)) => b.as_f64() == Some(*a),
        (Value::Str(a), Json::String(b)) => a == b,
        _ => false,
    }
}

/// Whether the file's node already holds `new` (so nothing is written).
fn equals(old: &Spanned, new: &Json) -> bool {
    if is_unchanged(new) {
        return true;
    }
    match (&old.kind, new) {
        (Kind::Scalar(Value::Null), n) => is_blank(n),
        (Kind::Scalar(v), n) => scalar_equals(v, n),
        (Kind::Seq(items), Json::Array(news)) => {
            items.len() == news.len() && items.iter().zip(news).all(|(o, n)| equals(o, n))
        }
        (Kind::Map(entries), Json::Object(fields)) => {
            fields.iter().all(
                |(k, v)| match entries.iter().find(|(key, _)| &key.name == k) {
                    Some((_, o)) => equals(o, v),
                    None => is_blank(v),
                },
            )
        }
        _ => false,
    }
}

struct Doc<'a> {
    text: &'a str,
}

impl Doc<'_> {
    fn line_start(&self, at: usize) -> usize {
        self.text[..at].rfind('\n').map_or(0, |i| i + 1)
    }

    fn line_end(&self, at: usize) -> usize {
        self.text[at..]
            .find('\n')
            .map_or(self.text.len(), |i| at + i)
    }

    /// The column (in characters) of byte `at` on its line.
    fn column(&self, at: usize) -> usize {
        self.text[self.line_start(at)..at].chars().count()
    }

    /// A block map's fields against the form's object.
    fn map(
        &self,
        node: &Spanned,
        indent: usize,
        new: &Json,
        edits: &mut Vec<Edit>,
    ) -> Result<(), Refused> {
        let (Kind::Map(entries), Json::Object(fields)) = (&node.kind, new) else {
            return Err(Refused("a block of fields was expected".into()));
        };
        for (i, (name, value)) in fields.iter().enumerate() {
            match entries.iter().find(|(k, _)| &k.name == name) {
                Some((key, old)) => self.entry(key, old, value, edits)?,
                None if is_blank(value) || is_unchanged(value) => {}
                None => {
                    // After the nearest field before it (in the form's order) that the file has.
                    let before = fields
                        .keys()
                        .take(i)
                        .rev()
                        .find_map(|k| entries.iter().find(|(key, _)| &key.name == k));
                    let key_indent = entries
                        .first()
                        .map_or(indent, |(k, _)| self.column(k.start));
                    let rendered = format!("{name}:{}", render_after_key(value, key_indent));
                    match before {
                        Some((key, old)) => {
                            // After the whole line, so a comment after the value stays on it.
                            let end = self.region_end(key, old);
                            let line_end = self.line_end(end);
                            let rest = self.text[end..line_end].trim();
                            let at = if rest.is_empty() || rest.starts_with('#') {
                                line_end
                            } else {
                                end
                            };
                            edits.push(Edit {
                                start: at,
                                end: at,
                                text: format!("\n{}{rendered}", " ".repeat(key_indent)),
                            });
                        }
                        None => match entries.first() {
                            Some((first, _)) => edits.push(Edit {
                                start: first.start,
                                end: first.start,
                                text: format!("{rendered}\n{}", " ".repeat(key_indent)),
                            }),
                            None => {
                                return Err(Refused("an empty block cannot be added to".into()))
                            }
                        },
                    }
                }
            }
        }
        Ok(())
    }

    /// One `key: value` field.
    fn entry(
        &self,
        key: &Key,
        old: &Spanned,
        new: &Json,
        edits: &mut Vec<Edit>,
    ) -> Result<(), Refused> {
        if equals(old, new) {
            return Ok(());
        }
        let key_indent = self.column(key.start);
        match (&old.kind, new) {
            (Kind::Map(_), Json::Object(_)) if !old.whole_only => {
                return self.map(old, key_indent + 2, new, edits)
            }
            (Kind::Seq(items), Json::Array(news)) if !old.whole_only => {
                let mut inner = Vec::new();
                if news.len() >= items.len()
                    && self.items(items, &news[..items.len()], &mut inner).is_ok()
                {
                    edits.extend(inner);
                    if news.len() > items.len() {
                        // New items after the last one, at the same dash column.
                        let last = items
                            .last()
                            .map(|i| self.line_end(self.last_content(i, key_indent)));
                        let dash = items
                            .first()
                            .map_or(key_indent + 2, |i| self.column(i.start).saturating_sub(2));
                        let mut text = String::new();
                        for item in &news[items.len()..] {
                            text.push('\n');
                            text.push_str(&render_item(item, dash));
                        }
                        match last {
                            Some(at) => edits.push(Edit {
                                start: at,
                                end: at,
                                text,
                            }),
                            None => return self.replace_value(key, old, new, edits),
                        }
                    }
                    return Ok(());
                }
            }
            (Kind::Scalar(v), n) if !old.whole_only && !matches!(v, Value::Null) => {
                if let Some(text) = inline_scalar(n) {
                    if !self.text[old.start..old.end].contains('\n') {
                        // A value blanked leaves `key:`, with no space after the colon.
                        let start = if text.is_empty() {
                            old.start
                                - (self.text[..old.start].len()
                                    - self.text[..old.start].trim_end_matches(' ').len())
                        } else {
                            old.start
                        };
                        edits.push(Edit {
                            start,
                            end: old.end,
                            text,
                        });
                        return Ok(());
                    }
                }
            }
            _ => {}
        }
        self.replace_value(key, old, new, edits)
    }

    /// Items of a list of the same length, one by one; an error asks for the whole list.
    fn items(
        &self,
        items: &[Spanned],
        news: &[Json],
        edits: &mut Vec<Edit>,
    ) -> Result<(), Refused> {
        for (old, new) in items.iter().zip(news) {
            if equals(old, new) {
                continue;
            }
            match (&old.kind, new) {
                (Kind::Map(_), Json::Object(_)) if !old.whole_only => {
                    let indent = self.column(old.start);
                    self.map(old, indent, new, edits)?;
                }
                (Kind::Scalar(v), n) if !old.whole_only && !matches!(v, Value::Null) => {
                    match inline_scalar(n) {
                        Some(text) if !self.text[old.start..old.end].contains('\n') => {
                            edits.push(Edit {
                                start: old.start,
                                end: old.end,
                                text,
                            })
                        }
                        _ => return Err(Refused("whole list".into())),
                    }
                }
                _ => return Err(Refused("whole list".into())),
            }
        }
        Ok(())
    }

    /// The last byte of a node's content (for a block node, the end of its last content line).
    fn last_content(&self, node: &Spanned, owner_indent: usize) -> usize {
        let mut end = node.end.min(self.text.len());
        // Block scalars and collections: their last line with content indented under the owner.
        let mut at = self.line_end(node.start);
        while at < self.text.len() {
            let next_start = at + 1;
            let next_end = self.line_end(next_start);
            let line = &self.text[next_start..next_end];
            let trimmed = line.trim_start_matches(' ');
            let indent = line.len() - trimmed.len();
            if trimmed.trim().is_empty() || trimmed.starts_with('#') {
                at = next_end;
                continue;
            }
            if indent > owner_indent {
                end = next_end;
                at = next_end;
            } else {
                break;
            }
        }
        if matches!(node.kind, Kind::Scalar(_)) && !node.whole_only {
            end = end.max(node.end);
        }
        end.min(self.text.len())
    }

    /// Where a field's value ends: the end of its last content line (comments after it stay
    /// with what follows).
    fn region_end(&self, key: &Key, old: &Spanned) -> usize {
        let key_indent = self.column(key.start);
        let value_start = self.value_start(key);
        let mut end = match &old.kind {
            Kind::Scalar(Value::Null) => value_start,
            Kind::Scalar(_) if !old.whole_only => old.end,
            // A flow collection: to its closing bracket.
            Kind::Seq(_) | Kind::Map(_) if old.whole_only => self
                .flow_end(old.start)
                .unwrap_or_else(|| self.line_end(value_start)),
            // A block scalar (or a flow collection whose end is not plain): to the end of the
            // key's line.
            _ => self.line_end(value_start).max(value_start),
        };
        let mut at = self.line_end(value_start);
        while at < self.text.len() {
            let next_start = at + 1;
            let next_end = self.line_end(next_start);
            let line = &self.text[next_start..next_end];
            let trimmed = line.trim_start_matches(' ');
            let indent = line.len() - trimmed.len();
            if trimmed.trim().is_empty() || trimmed.starts_with('#') {
                at = next_end;
                continue;
            }
            let indentless_item = matches!(old.kind, Kind::Seq(_))
                && indent == key_indent
                && (trimmed == "-" || trimmed.starts_with("- "));
            if indent > key_indent || indentless_item {
                end = next_end;
                at = next_end;
            } else {
                break;
            }
        }
        if end > value_start {
            // Keep a trailing comment on the last line out of the replaced text when it is
            // the key's own line and the value was a one-line scalar.
            if let Kind::Scalar(v) = &old.kind {
                if !old.whole_only && !matches!(v, Value::Null) && end == old.end {
                    return end;
                }
            }
        }
        end
    }

    /// Just after the bracket that closes the flow collection opening at `start` (quotes
    /// respected), if it closes.
    fn flow_end(&self, start: usize) -> Option<usize> {
        let mut depth = 0usize;
        let mut quote: Option<char> = None;
        let mut chars = self.text[start..].char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match (quote, c) {
                (Some('"'), '\\') => {
                    chars.next();
                }
                (Some('\''), '\'') if chars.peek().is_some_and(|(_, n)| *n == '\'') => {
                    chars.next();
                }
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '[' | '{') => depth += 1,
                (None, ']' | '}') => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(start + i + 1);
                    }
                }
                (None, '#') if self.text[..start + i].ends_with([' ', '\t', '\n']) => {
                    // A comment inside a flow collection: to the end of its line.
                    while chars.peek().is_some_and(|(_, n)| *n != '\n') {
                        chars.next();
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// Just after the colon that follows `key`.
    fn value_start(&self, key: &Key) -> usize {
        let rest = &self.text[key.end..];
        let colon = rest.find(':').unwrap_or(0);
        key.end + colon + 1
    }

    /// Writes a field's value out in full (only that value; the key and what follows stay).
    fn replace_value(
        &self,
        key: &Key,
        old: &Spanned,
        new: &Json,
        edits: &mut Vec<Edit>,
    ) -> Result<(), Refused> {
        let start = self.value_start(key);
        let mut end = self.region_end(key, old);
        let mut text = render_after_key(new, self.column(key.start));
        // A comment left on the key's line goes after the block's header, never inside it.
        let line_end = self.line_end(end);
        let rest = &self.text[end..line_end];
        if let Some(newline) = text.find('\n') {
            if rest.trim_start().starts_with('#') {
                text = format!("{} {}{}", &text[..newline], rest.trim(), &text[newline..]);
                end = line_end;
            }
        }
        edits.push(Edit { start, end, text });
        Ok(())
    }
}

#[cfg(test)]
// Tests read the sample cases directly.
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every string leaf of a JSON value, by pointer.
    fn leaves(v: &Json, path: String, out: &mut Vec<String>) {
        match v {
            Json::Object(o) => o
                .iter()
                .for_each(|(k, x)| leaves(x, format!("{path}/{k}"), out)),
            Json::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, x)| leaves(x, format!("{path}/{i}"), out)),
            Json::String(_) => out.push(path),
            _ => {}
        }
    }

    #[test]
    fn every_sample_file_round_trips_and_takes_a_change_to_any_value() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-cases");
        let mut files = 0;
        for case in std::fs::read_dir(&root).unwrap() {
            let case = case.unwrap().path();
            if !case.is_dir() {
                continue;
            }
            for file in std::fs::read_dir(&case).unwrap() {
                let file = file.unwrap().path();
                if file.extension().is_none_or(|e| e != "yaml") {
                    continue;
                }
                let text = std::fs::read_to_string(&file).unwrap();
                let Ok(Some(node)) = yaml::parse(&text) else {
                    continue;
                };
                files += 1;
                let mut values = node.to_json();
                // Unchanged answers leave the file byte for byte as it was.
                assert_eq!(apply(&text, &values).unwrap(), text, "{}", file.display());
                // Every value changed in turn, in the two passing samples (the others share
                // most of their text).
                let every = case.ends_with("year5-passing") || case.ends_with("year10-pfa-passing");
                let mut pointers = Vec::new();
                if every {
                    leaves(&values, String::new(), &mut pointers);
                }
                for p in pointers.iter().filter(|p| *p != "/format" && *p != "/kind") {
                    let old = values.pointer(p).unwrap().clone();
                    *values.pointer_mut(p).unwrap() =
                        json!("Changed: a value, with 'quotes' # and a hash");
                    let out = apply(&text, &values)
                        .unwrap_or_else(|e| panic!("{} {p}: {e:?}", file.display()));
                    // Only that value changed.
                    let back = yaml::parse(&out).unwrap().unwrap().to_json();
                    assert_eq!(back, values, "{} {p}", file.display());
                    *values.pointer_mut(p).unwrap() = old;
                }
            }
        }
        assert!(files > 50, "{files}");
    }

    fn edit(text: &str, new: Json) -> String {
        apply(text, &new).unwrap()
    }

    #[test]
    fn changes_one_value_and_keeps_everything_else() {
        let text = "# a comment\nformat: ehcpack/1\nkind: needs   # why\nsen_status: 'K'\nstrengths: Reads well\n\n# interests next\ninterests:\n";
        let out = edit(
            text,
            json!({"kind": "needs", "sen_status": "K", "strengths": "Reads well: aloud", "interests": "Trains"}),
        );
        assert_eq!(
            out,
            "# a comment\nformat: ehcpack/1\nkind: needs   # why\nsen_status: 'K'\nstrengths: 'Reads well: aloud'\n\n# interests next\ninterests: Trains\n"
        );
    }

    #[test]
    fn values_read_back_as_typed() {
        let text = "upn:\ndate_of_birth:\nyear_group:\nnote:\nflag:\n";
        let out = edit(
            text,
            json!({"upn": "0123", "date_of_birth": "2016-03-04", "year_group": 5, "note": "yes", "flag": true}),
        );
        assert_eq!(
            out,
            "upn: '0123'\ndate_of_birth: 2016-03-04\nyear_group: 5\nnote: 'yes'\nflag: true\n"
        );
    }

    #[test]
    fn adds_a_missing_field_in_schema_order_and_nested_blocks() {
        let text = "a: 1\nc: 3\nname:\n  first: Ava\n  # last name\n  last:\n";
        let out = edit(
            text,
            json!({"a": 1, "b": "two", "c": 3, "name": {"first": "Ava", "middle": "Zoë", "last": "Nowak"}}),
        );
        assert_eq!(
            out,
            "a: 1\nb: two\nc: 3\nname:\n  first: Ava\n  middle: Zoë\n  # last name\n  last: Nowak\n"
        );
    }

    #[test]
    fn lists_grow_in_place_and_are_rewritten_when_reordered() {
        let text = "needs:\n  - One   # first\n  - Two\nafter: x\n";
        let out = edit(text, json!({"needs": ["One", "Two", "Three"]}));
        assert_eq!(
            out,
            "needs:\n  - One   # first\n  - Two\n  - Three\nafter: x\n"
        );
        // Items of the same count are changed in place: the comment stays on its line.
        let out = edit(text, json!({"needs": ["Two", "One"]}));
        assert_eq!(out, "needs:\n  - Two   # first\n  - One\nafter: x\n");
        let out = edit(text, json!({"needs": ["Two"]}));
        assert_eq!(out, "needs:\n  - Two\nafter: x\n");
        let out = edit(
            "outcomes:\nb: 1\n",
            json!({"outcomes": [{"id": "O1", "description": "Reads\nwell"}]}),
        );
        assert_eq!(
            out,
            "outcomes:\n  - id: O1\n    description: |-\n      Reads\n      well\nb: 1\n"
        );
    }

    #[test]
    fn multi_line_text_and_blanking() {
        let text = "views: |\n  Line one\n  Line two\nnext: 1\n";
        let out = edit(text, json!({"views": "Only one\n", "next": null}));
        assert_eq!(out, "views: |\n  Only one\nnext:\n");
    }

    #[test]
    fn unchanged_values_are_left_alone() {
        let text = "address:\n  lines: [\"1 High St\"]\n";
        let out = edit(
            text,
            json!({"address": {"lines": {UNCHANGED: true}, "town": "Durham"}}),
        );
        assert_eq!(out, "address:\n  lines: [\"1 High St\"]\n  town: Durham\n");
    }

    #[test]
    fn list_items_and_blocks_are_edited_in_place() {
        // A field added to a list item's block, at the item's indentation.
        let text = "people:\n  - name: Ava Nowak   # mother\n    phone: '0191 000 0000'\n  - name: Kwame Mensah\n";
        let out = edit(
            text,
            json!({"people": [{"name": "Ava Nowak", "relationship": "mother", "phone": "0191 000 0000"}, {"name": "Kwame Mensah", "email": "k@example.org"}]}),
        );
        assert_eq!(
            out,
            "people:\n  - name: Ava Nowak   # mother\n    relationship: mother\n    phone: '0191 000 0000'\n  - name: Kwame Mensah\n    email: k@example.org\n"
        );
        // A blank block with a comment on its line gets its fields under it, the comment kept.
        let out = edit(
            "gp:   # the family's GP\nnext: 1\n",
            json!({"gp": {"practice": "Claypath Medical Practice, Durham"}}),
        );
        assert_eq!(
            out,
            "gp: # the family's GP\n  practice: Claypath Medical Practice, Durham\nnext: 1\n"
        );
        // A flow list is written out again when it changes; one that does not is left as it is.
        let text = "outcomes: [O1, O4]   # linked\nx: 1\n";
        assert_eq!(edit(text, json!({"outcomes": ["O1", "O4"], "x": 1})), text);
        assert_eq!(
            edit(text, json!({"outcomes": ["O1"]})),
            "outcomes: # linked\n  - O1\nx: 1\n"
        );
    }

    #[test]
    fn a_change_that_would_not_read_back_is_refused() {
        // Only files the checker reads are edited.
        assert!(apply("a: [unclosed\n", &json!({"a": "x"})).is_err());
        assert!(apply("- a\n- b\n", &json!({"a": "x"})).is_err());
        // Text with every kind of awkward character reads back exactly.
        for awkward in [
            "Durham: DH1 3HP",
            "# not a comment",
            "- not an item",
            "'quoted'",
            "\"double\"",
            "null",
            "true",
            "0123",
            "1e3",
            "2025-09-01",
            " leading space",
            "tab\there",
            "a: b\nc: d",
            "line one\n\n  indented\n",
            "Zoë Ó Súilleabháin",
            "\u{202e}reversed",
        ] {
            let out = edit("notes:\n", json!({"notes": awkward}));
            let node = yaml::parse(&out).unwrap().unwrap();
            assert_eq!(node.get("notes").unwrap().as_str(), Some(awkward), "{out}");
        }
    }
}
