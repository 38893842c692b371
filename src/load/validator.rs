//! Our JSON Schemas compiled once into a validator that walks the YAML tree itself: no copy of
//! the document into JSON, no JSON Schema engine at run time.
//!
//! Only the keywords the case format uses are supported, with JSON Schema 2020-12's meaning,
//! and compiling fails on any other, so that a schema edit cannot silently check less
//! ([`compile`] is run over every schema by a test). A document is read as the schema always
//! read it: a field left blank (`baseline:`), or a block whose fields are all blank, is absent;
//! a number YAML reads as NaN or infinity is the text it was. The errors come in the order the
//! `jsonschema` crate gives them (the suite checks the two agree on mutated sample documents),
//! because the findings that share a place keep that order.

use std::collections::HashMap;

use serde_json::Value as Json;

use crate::load::yaml::{Node, Place, Step, Value};

/// The keywords a schema may use. Anything else fails compilation.
const ANNOTATIONS: &[&str] = &[
    "$schema",
    "$id",
    "$comment",
    "$defs",
    "title",
    "description",
    "examples",
    "default",
];

/// What a value is checked against: one schema object, compiled.
#[derive(Debug)]
struct Rules {
    /// The schema object itself, for the messages (its description, its properties).
    here: &'static Json,
    ty: Option<&'static str>,
    constant: Option<&'static Json>,
    one_of_values: Option<&'static Json>,
    minimum: Option<&'static Json>,
    maximum: Option<&'static Json>,
    exclusive_minimum: Option<&'static Json>,
    min_length: Option<u64>,
    max_length: Option<u64>,
    min_items: Option<u64>,
    max_items: Option<u64>,
    required: Vec<&'static str>,
    pattern: Option<regex::Regex>,
    format: Option<&'static str>,
    unique_items: bool,
    properties: Option<Vec<(&'static str, usize)>>,
    additional_false: bool,
    items: Option<usize>,
    if_then: Option<(usize, usize)>,
    reference: Option<usize>,
}

/// A compiled schema: its objects, the document's at index 0.
#[derive(Debug)]
pub struct Validator {
    rules: Vec<Rules>,
}

/// What a value failed, with what the messages need.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorKind {
    Type(&'static str),
    Const(&'static Json),
    Enum(&'static Json),
    Minimum(&'static Json),
    Maximum(&'static Json),
    ExclusiveMinimum(&'static Json),
    MinLength(u64),
    MaxLength(u64),
    MinItems(u64),
    MaxItems(u64),
    Required(&'static str),
    Pattern,
    Format(&'static str),
    UniqueItems,
    AdditionalProperties(Vec<String>),
}

impl ErrorKind {
    /// The keyword, as JSON Schema names it.
    pub fn keyword(&self) -> &'static str {
        match self {
            ErrorKind::Type(_) => "type",
            ErrorKind::Const(_) => "const",
            ErrorKind::Enum(_) => "enum",
            ErrorKind::Minimum(_) => "minimum",
            ErrorKind::Maximum(_) => "maximum",
            ErrorKind::ExclusiveMinimum(_) => "exclusiveMinimum",
            ErrorKind::MinLength(_) => "minLength",
            ErrorKind::MaxLength(_) => "maxLength",
            ErrorKind::MinItems(_) => "minItems",
            ErrorKind::MaxItems(_) => "maxItems",
            ErrorKind::Required(_) => "required",
            ErrorKind::Pattern => "pattern",
            ErrorKind::Format(_) => "format",
            ErrorKind::UniqueItems => "uniqueItems",
            ErrorKind::AdditionalProperties(_) => "additionalProperties",
        }
    }
}

/// One schema error: where in the document (a JSON Pointer), the value, the schema object whose
/// keyword failed, and what failed.
#[derive(Debug, Clone)]
pub struct SchemaError<'n> {
    pub path: String,
    pub instance: &'n Node,
    pub here: &'static Json,
    pub kind: ErrorKind,
}

/// A schema the validator cannot compile: where in the schema (a JSON pointer), and why. Only
/// the built-in schemas are compiled, so this is a bug in ehcpack (a test compiles each).
#[derive(Debug, thiserror::Error)]
#[error("{at}: {problem}")]
pub struct CompileError {
    pub at: String,
    pub problem: String,
}

fn bad(at: &str, problem: impl Into<String>) -> CompileError {
    CompileError {
        at: at.to_string(),
        problem: problem.into(),
    }
}

/// Compiles a schema (kept for the life of the process: the schemas are compiled in).
pub fn compile(schema: &'static Json) -> Result<Validator, CompileError> {
    let mut compiler = Compiler {
        root: schema,
        rules: Vec::new(),
        refs: HashMap::new(),
    };
    compiler.compile(schema, "")?;
    Ok(Validator {
        rules: compiler.rules,
    })
}

struct Compiler {
    root: &'static Json,
    rules: Vec<Rules>,
    refs: HashMap<String, usize>,
}

impl Compiler {
    fn compile(&mut self, schema: &'static Json, at: &str) -> Result<usize, CompileError> {
        let object = schema
            .as_object()
            .ok_or_else(|| bad(at, "a schema here must be an object"))?;
        let index = self.rules.len();
        self.rules.push(Rules {
            here: schema,
            ty: None,
            constant: None,
            one_of_values: None,
            minimum: None,
            maximum: None,
            exclusive_minimum: None,
            min_length: None,
            max_length: None,
            min_items: None,
            max_items: None,
            required: Vec::new(),
            pattern: None,
            format: None,
            unique_items: false,
            properties: None,
            additional_false: false,
            items: None,
            if_then: None,
            reference: None,
        });
        let count = |v: &Json, k: &str| {
            v.as_u64()
                .ok_or_else(|| bad(&format!("{at}/{k}"), "a count must be a whole number"))
        };
        let number = |v: &'static Json, k: &str| {
            v.is_number()
                .then_some(v)
                .ok_or_else(|| bad(&format!("{at}/{k}"), "a limit must be a number"))
        };
        let mut if_then = (None, None);
        for (key, value) in object {
            let k = key.as_str();
            let here = format!("{at}/{k}");
            match k {
                "type" => {
                    let name = value.as_str().filter(|t| {
                        matches!(
                            *t,
                            "string"
                                | "integer"
                                | "number"
                                | "boolean"
                                | "array"
                                | "object"
                                | "null"
                        )
                    });
                    self.rules[index].ty =
                        Some(name.ok_or_else(|| bad(&here, "one type name is supported"))?);
                }
                "const" => self.rules[index].constant = Some(value),
                "enum" => {
                    value
                        .as_array()
                        .ok_or_else(|| bad(&here, "enum must be a list"))?;
                    self.rules[index].one_of_values = Some(value);
                }
                "minimum" => self.rules[index].minimum = Some(number(value, k)?),
                "maximum" => self.rules[index].maximum = Some(number(value, k)?),
                "exclusiveMinimum" => self.rules[index].exclusive_minimum = Some(number(value, k)?),
                "minLength" => self.rules[index].min_length = Some(count(value, k)?),
                "maxLength" => self.rules[index].max_length = Some(count(value, k)?),
                "minItems" => self.rules[index].min_items = Some(count(value, k)?),
                "maxItems" => self.rules[index].max_items = Some(count(value, k)?),
                "uniqueItems" => {
                    self.rules[index].unique_items = value
                        .as_bool()
                        .ok_or_else(|| bad(&here, "uniqueItems must be true or false"))?
                }
                "required" => {
                    self.rules[index].required = value
                        .as_array()
                        .and_then(|names| names.iter().map(Json::as_str).collect())
                        .ok_or_else(|| bad(&here, "required must be a list of names"))?
                }
                "pattern" => {
                    let text = value
                        .as_str()
                        .ok_or_else(|| bad(&here, "a pattern must be text"))?;
                    self.rules[index].pattern =
                        Some(pattern(text).map_err(|e| bad(&here, e.to_string()))?);
                }
                "format" => {
                    let name = value.as_str().filter(|f| matches!(*f, "date" | "email"));
                    self.rules[index].format =
                        Some(name.ok_or_else(|| bad(&here, "formats supported: date, email"))?);
                }
                "properties" => {
                    let map = value
                        .as_object()
                        .ok_or_else(|| bad(&here, "properties must be an object"))?;
                    let mut properties = Vec::new();
                    for (name, sub) in map {
                        let i = self.compile(sub, &format!("{here}/{name}"))?;
                        properties.push((name.as_str(), i));
                    }
                    self.rules[index].properties = Some(properties);
                }
                "additionalProperties" => match value {
                    Json::Bool(false) => self.rules[index].additional_false = true,
                    Json::Bool(true) => {}
                    _ => return Err(bad(&here, "only false or true is supported")),
                },
                "items" => {
                    let i = self.compile(value, &here)?;
                    self.rules[index].items = Some(i);
                }
                "if" => if_then.0 = Some(self.compile(value, &here)?),
                "then" => if_then.1 = Some(self.compile(value, &here)?),
                "$ref" => {
                    let target = value
                        .as_str()
                        .and_then(|r| r.strip_prefix('#'))
                        .ok_or_else(|| bad(&here, "only references inside the schema"))?;
                    let i = match self.refs.get(target) {
                        Some(i) => *i,
                        None => {
                            let sub = self.root.pointer(target).ok_or_else(|| {
                                bad(&here, format!("{target} is not in the schema"))
                            })?;
                            let i = self.compile(sub, target)?;
                            self.refs.insert(target.to_string(), i);
                            i
                        }
                    };
                    self.rules[index].reference = Some(i);
                }
                _ if ANNOTATIONS.contains(&k) => {}
                _ => return Err(bad(&here, format!("the keyword `{k}` is not supported"))),
            }
        }
        match if_then {
            (Some(i), Some(t)) => self.rules[index].if_then = Some((i, t)),
            (None, None) => {}
            _ => return Err(bad(at, "`if` without `then` (or `then` alone)")),
        }
        Ok(index)
    }
}

/// A pattern as JSON Schema means it (ECMA-262, found anywhere in the text unless anchored):
/// `\d` is an ASCII digit there, not any Unicode digit as in Rust's regex.
fn pattern(text: &str) -> Result<regex::Regex, regex::Error> {
    regex::Regex::new(&text.replace(r"\d", "[0-9]"))
}

/// The value as the schema reads it: what a YAML value is in JSON.
enum Seen<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(std::borrow::Cow<'a, str>),
    List(&'a [Node]),
    Block(&'a [crate::load::yaml::Entry]),
}

fn seen(node: &Node) -> Seen<'_> {
    match &node.value {
        Value::Null => Seen::Null,
        Value::Bool(b) => Seen::Bool(*b),
        Value::Int(i) => Seen::Int(*i),
        Value::Float(f) if f.is_finite() => Seen::Float(*f),
        Value::Float(f) => Seen::Text(f.to_string().into()),
        Value::Str(s) => Seen::Text(s.as_str().into()),
        Value::Seq(items) => Seen::List(items),
        Value::Map(entries) => Seen::Block(entries),
    }
}

/// A block's fields that are not blank: those the schema sees.
fn fields(entries: &[crate::load::yaml::Entry]) -> impl Iterator<Item = &crate::load::yaml::Entry> {
    entries.iter().filter(|e| !e.value.is_blank())
}

fn number(node: &Node) -> Option<f64> {
    match seen(node) {
        Seen::Int(i) => Some(i as f64),
        Seen::Float(f) => Some(f),
        _ => None,
    }
}

/// `value` compared with `limit`: exactly for whole numbers, else as floating point.
fn compare(node: &Node, limit: &Json) -> Option<std::cmp::Ordering> {
    if let (Value::Int(i), Some(l)) = (&node.value, limit.as_i64()) {
        return Some(i.cmp(&l));
    }
    number(node)?.partial_cmp(&limit.as_f64()?)
}

/// JSON equality of a value with a schema's constant (1 and 1.0 are equal).
fn equals(node: &Node, json: &Json) -> bool {
    match (seen(node), json) {
        (Seen::Null, Json::Null) => true,
        (Seen::Bool(a), Json::Bool(b)) => a == *b,
        (Seen::Int(_) | Seen::Float(_), Json::Number(_)) => {
            compare(node, json).is_some_and(|o| o.is_eq())
        }
        (Seen::Text(a), Json::String(b)) => a == b.as_str(),
        (Seen::List(items), Json::Array(values)) => {
            items.len() == values.len() && items.iter().zip(values).all(|(a, b)| equals(a, b))
        }
        (Seen::Block(entries), Json::Object(map)) => {
            fields(entries).count() == map.len()
                && fields(entries).all(|e| map.get(&e.key).is_some_and(|v| equals(&e.value, v)))
        }
        _ => false,
    }
}

/// A text that two values share exactly when they are equal as JSON, for uniqueItems.
fn canonical(node: &Node, out: &mut String) {
    use std::fmt::Write;
    match seen(node) {
        Seen::Null => out.push('n'),
        Seen::Bool(b) => out.push(if b { 't' } else { 'f' }),
        Seen::Int(i) if (i as f64) as i64 == i => {
            let _ = write!(out, "#{:?};", i as f64);
        }
        Seen::Int(i) => {
            let _ = write!(out, "#{i};");
        }
        Seen::Float(f) => {
            let _ = write!(out, "#{f:?};");
        }
        Seen::Text(s) => {
            let _ = write!(out, "s{}:{s}", s.len());
        }
        Seen::List(items) => {
            out.push('[');
            for item in items {
                canonical(item, out);
            }
            out.push(']');
        }
        Seen::Block(entries) => {
            let mut sorted: Vec<_> = fields(entries).collect();
            sorted.sort_by(|a, b| a.key.cmp(&b.key));
            out.push('{');
            for e in sorted {
                let _ = write!(out, "{}:{}", e.key.len(), e.key);
                canonical(&e.value, out);
            }
            out.push('}');
        }
    }
}

fn is_type(node: &Node, ty: &str) -> bool {
    match (seen(node), ty) {
        (Seen::Null, "null") | (Seen::Bool(_), "boolean") | (Seen::Text(_), "string") => true,
        (Seen::Int(_), "integer" | "number") | (Seen::Float(_), "number") => true,
        (Seen::Float(f), "integer") => f.fract() == 0.0,
        (Seen::List(_), "array") | (Seen::Block(_), "object") => true,
        _ => false,
    }
}

fn format_holds(format: &str, text: &str) -> bool {
    match format {
        "date" => crate::load::formats::is_date(text),
        "email" => crate::load::formats::is_email(text),
        _ => true,
    }
}

impl Validator {
    /// Every error of a document, in jsonschema's order.
    pub fn errors<'n>(&self, root: &'n Node) -> Vec<SchemaError<'n>> {
        let mut walk = Walk {
            rules: &self.rules,
            steps: Vec::new(),
            out: Vec::new(),
        };
        walk.check(0, root);
        walk.out
    }

    /// Whether a document has no error.
    pub fn is_valid(&self, root: &Node) -> bool {
        self.errors(root).is_empty()
    }
}

struct Walk<'v, 'n> {
    rules: &'v [Rules],
    steps: Vec<Step<'n>>,
    out: Vec<SchemaError<'n>>,
}

impl<'v, 'n> Walk<'v, 'n> {
    fn error(&mut self, rules: &'v Rules, node: &'n Node, kind: ErrorKind) {
        self.out.push(SchemaError {
            path: Place { steps: &self.steps }.pointer(),
            instance: node,
            here: rules.here,
            kind,
        });
    }

    fn check(&mut self, index: usize, node: &'n Node) {
        let all = self.rules;
        let rules = &all[index];
        // In jsonschema's order: cheap assertions first, then the applicators.
        if let Some(ty) = rules.ty {
            if !is_type(node, ty) {
                self.error(rules, node, ErrorKind::Type(ty));
            }
        }
        if let Some(c) = rules.constant {
            if !equals(node, c) {
                self.error(rules, node, ErrorKind::Const(c));
            }
        }
        if let Some(values) = rules.one_of_values {
            let listed = values
                .as_array()
                .is_some_and(|v| v.iter().any(|v| equals(node, v)));
            if !listed {
                self.error(rules, node, ErrorKind::Enum(values));
            }
        }
        use std::cmp::Ordering::{Greater, Less};
        if let Some(limit) = rules.minimum {
            if compare(node, limit) == Some(Less) {
                self.error(rules, node, ErrorKind::Minimum(limit));
            }
        }
        if let Some(limit) = rules.maximum {
            if compare(node, limit) == Some(Greater) {
                self.error(rules, node, ErrorKind::Maximum(limit));
            }
        }
        if let Some(limit) = rules.exclusive_minimum {
            if compare(node, limit).is_some_and(|o| o != Greater) {
                self.error(rules, node, ErrorKind::ExclusiveMinimum(limit));
            }
        }
        let text = match seen(node) {
            Seen::Text(t) => Some(t),
            _ => None,
        };
        // Counted only where a length is asked (most text has no limit).
        if let Some(t) = text
            .as_ref()
            .filter(|_| rules.min_length.is_some() || rules.max_length.is_some())
        {
            let chars = t.chars().count() as u64;
            if rules.min_length.is_some_and(|m| chars < m) {
                self.error(
                    rules,
                    node,
                    ErrorKind::MinLength(rules.min_length.unwrap_or(0)),
                );
            }
            if rules.max_length.is_some_and(|m| chars > m) {
                self.error(
                    rules,
                    node,
                    ErrorKind::MaxLength(rules.max_length.unwrap_or(0)),
                );
            }
        }
        if let Value::Seq(items) = &node.value {
            let n = items.len() as u64;
            if let Some(m) = rules.min_items.filter(|m| n < *m) {
                self.error(rules, node, ErrorKind::MinItems(m));
            }
            if let Some(m) = rules.max_items.filter(|m| n > *m) {
                self.error(rules, node, ErrorKind::MaxItems(m));
            }
        }
        if let Value::Map(entries) = &node.value {
            for name in &rules.required {
                if !fields(entries).any(|e| e.key == *name) {
                    self.error(rules, node, ErrorKind::Required(name));
                }
            }
        }
        if let Some(t) = &text {
            if rules.pattern.as_ref().is_some_and(|p| !p.is_match(t)) {
                self.error(rules, node, ErrorKind::Pattern);
            }
            if let Some(f) = rules.format.filter(|f| !format_holds(f, t)) {
                self.error(rules, node, ErrorKind::Format(f));
            }
        }
        drop(text);
        if rules.unique_items {
            if let Value::Seq(items) = &node.value {
                let mut seen_before = std::collections::HashSet::new();
                let mut key = String::new();
                let repeated = items.iter().any(|item| {
                    key.clear();
                    canonical(item, &mut key);
                    !seen_before.insert(key.clone())
                });
                if repeated {
                    self.error(rules, node, ErrorKind::UniqueItems);
                }
            }
        }
        if let Value::Map(entries) = &node.value {
            if rules.properties.is_some() || rules.additional_false {
                let properties = rules.properties.as_deref().unwrap_or_default();
                let mut unexpected = Vec::new();
                for e in fields(entries) {
                    match properties.iter().find(|(name, _)| *name == e.key) {
                        Some((_, sub)) => {
                            self.steps.push(Step::Key(&e.key));
                            self.check(*sub, &e.value);
                            self.steps.pop();
                        }
                        None if rules.additional_false => unexpected.push(e.key.clone()),
                        None => {}
                    }
                }
                if !unexpected.is_empty() {
                    self.error(rules, node, ErrorKind::AdditionalProperties(unexpected));
                }
            }
        }
        if let (Some(sub), Value::Seq(items)) = (rules.items, &node.value) {
            for (i, item) in items.iter().enumerate() {
                self.steps.push(Step::Index(i));
                self.check(sub, item);
                self.steps.pop();
            }
        }
        if let Some((condition, then)) = rules.if_then {
            let mut probe = Walk {
                rules: self.rules,
                steps: Vec::new(),
                out: Vec::new(),
            };
            probe.check(condition, node);
            if probe.out.is_empty() {
                self.check(then, node);
            }
        }
        if let Some(target) = rules.reference {
            self.check(target, node);
        }
    }
}
