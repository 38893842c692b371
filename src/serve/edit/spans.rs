//! The document as the editor sees it: each node with its byte span in the source, read with
//! saphyr's event parser after the case reader's own parser has accepted the file.

use saphyr_parser::{Event, Parser, ScalarStyle};

use super::Refused;
use crate::load::yaml::{self, Value};

/// A node of the document with its place in the source, in bytes.
#[derive(Debug)]
pub(super) struct Spanned {
    pub(super) start: usize,
    pub(super) end: usize,
    /// A flow collection (`[a, b]`, `{a: 1}`) or a block scalar (`|`, `>`): edited as a whole.
    pub(super) whole_only: bool,
    pub(super) kind: Kind,
}

#[derive(Debug)]
pub(super) enum Kind {
    Scalar(Value),
    Seq(Vec<Spanned>),
    Map(Vec<(Key, Spanned)>),
}

#[derive(Debug)]
pub(super) struct Key {
    pub(super) name: String,
    pub(super) start: usize,
    pub(super) end: usize,
}

/// The document with byte spans. Refuses what the case reader refuses (it parses with
/// [`yaml::parse`] first), so only files the checker reads are edited.
pub(super) fn parse(text: &str) -> Result<Spanned, Refused> {
    yaml::parse(text)
        .map_err(|e| Refused(format!("line {}: {}", e.pos.line, e.message)))?
        .ok_or_else(|| Refused("the file holds no fields".into()))?;
    // saphyr's markers count characters; edits need bytes.
    let bytes: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    let at = |char_index: usize| bytes.get(char_index).copied().unwrap_or(text.len());
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<(Spanned, Option<Key>)> = Vec::new();
    let mut root = None;
    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(|e| Refused(e.info().to_string()))?;
        let (start, end) = (at(span.start.index()), at(span.end.index()));
        let node = match event {
            Event::Scalar(value, style, _, tag) => {
                let forced = tag.as_ref().is_some_and(|t| t.suffix == "str");
                let resolved = if style == ScalarStyle::Plain && !forced {
                    match yaml::parse(&format!("v: {value}\n")) {
                        Ok(Some(n)) => n.get("v").map_or(Value::Null, |v| v.value.clone()),
                        _ => Value::Str(value.to_string()),
                    }
                } else {
                    Value::Str(value.into_owned())
                };
                Some(Spanned {
                    start,
                    end,
                    whole_only: matches!(style, ScalarStyle::Literal | ScalarStyle::Folded),
                    kind: Kind::Scalar(resolved),
                })
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                let flow = matches!(text[start..].chars().next(), Some('[' | '{'));
                let kind = if matches!(event, Event::SequenceStart(..)) {
                    Kind::Seq(Vec::new())
                } else {
                    Kind::Map(Vec::new())
                };
                stack.push((
                    Spanned {
                        start,
                        end,
                        whole_only: flow,
                        kind,
                    },
                    None,
                ));
                None
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (mut node, _) = stack.pop().ok_or_else(|| Refused("unbalanced".into()))?;
                node.end = end.max(node.start);
                Some(node)
            }
            Event::StreamEnd => break,
            _ => None,
        };
        let Some(node) = node else { continue };
        match stack.last_mut() {
            None => root = Some(node),
            Some((parent, pending)) => match &mut parent.kind {
                Kind::Seq(items) => items.push(node),
                Kind::Map(entries) => match pending.take() {
                    None => {
                        let name = match &node.kind {
                            Kind::Scalar(Value::Str(s)) => s.clone(),
                            Kind::Scalar(Value::Int(i)) => i.to_string(),
                            Kind::Scalar(Value::Bool(b)) => b.to_string(),
                            Kind::Scalar(Value::Float(f)) => f.to_string(),
                            Kind::Scalar(Value::Null) => "null".into(),
                            _ => return Err(Refused("a list or block used as a key".into())),
                        };
                        *pending = Some(Key {
                            name,
                            start: node.start,
                            end: node.end,
                        });
                    }
                    Some(key) => entries.push((key, node)),
                },
                Kind::Scalar(_) => unreachable!("only collections are on the stack"),
            },
        }
    }
    root.ok_or_else(|| Refused("the file holds no fields".into()))
}
