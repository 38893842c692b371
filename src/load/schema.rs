//! The JSON Schemas of the case format (schemas/*.schema.json, compiled in), and schema errors
//! turned into plain-English findings with a line and column.

use std::sync::OnceLock;

use serde_json::Value as Json;

use crate::load::kind::Kind;
use crate::load::validator::{ErrorKind, SchemaError, Validator};
use crate::load::yaml::{Node, Value};

/// Each kind's schema text, as shipped in `schemas/`.
pub const SCHEMAS: &[(Kind, &str)] = &[
    (Kind::Pupil, include_str!("../../schemas/pupil.schema.json")),
    (
        Kind::Family,
        include_str!("../../schemas/family.schema.json"),
    ),
    (Kind::Needs, include_str!("../../schemas/needs.schema.json")),
    (
        Kind::Health,
        include_str!("../../schemas/health.schema.json"),
    ),
    (Kind::Plan, include_str!("../../schemas/plan.schema.json")),
    (
        Kind::Attainment,
        include_str!("../../schemas/attainment.schema.json"),
    ),
    (Kind::Views, include_str!("../../schemas/views.schema.json")),
    (
        Kind::Professionals,
        include_str!("../../schemas/professionals.schema.json"),
    ),
    (
        Kind::Request,
        include_str!("../../schemas/request.schema.json"),
    ),
    (
        Kind::Consent,
        include_str!("../../schemas/consent.schema.json"),
    ),
    (
        Kind::Evidence,
        include_str!("../../schemas/evidence.schema.json"),
    ),
];

struct Compiled {
    kind: Kind,
    validator: Validator,
}

fn compiled() -> &'static [Compiled] {
    static COMPILED: OnceLock<Vec<Compiled>> = OnceLock::new();
    COMPILED.get_or_init(|| {
        SCHEMAS
            .iter()
            .map(|(kind, _)| Compiled {
                kind: *kind,
                validator: compile(*kind).unwrap_or_else(|e| panic!("{e}")),
            })
            .collect()
    })
}

/// A kind's schema, parsed (once, for the life of the process).
pub fn json(kind: Kind) -> &'static Json {
    static PARSED: OnceLock<Vec<(Kind, Json)>> = OnceLock::new();
    let parsed = PARSED.get_or_init(|| {
        SCHEMAS
            .iter()
            .map(|(kind, text)| {
                let schema: Json = serde_json::from_str(text)
                    .unwrap_or_else(|e| panic!("schemas/{}.schema.json: {e}", kind.name()));
                (*kind, schema)
            })
            .collect()
    });
    &parsed
        .iter()
        .find(|(k, _)| *k == kind)
        .expect("every kind has a schema")
        .1
}

/// Compiles a kind's schema into the validator of the tree; a keyword the validator does not
/// support is an error (a test compiles every schema).
pub fn compile(kind: Kind) -> Result<Validator, SchemaCompileError> {
    crate::load::validator::compile(json(kind))
        .map_err(|source| SchemaCompileError { kind, source })
}

/// A built-in schema the validator cannot compile (a bug in ehcpack), named by its file.
#[derive(Debug, thiserror::Error)]
#[error("schemas/{}.schema.json: {source}", .kind.name())]
pub struct SchemaCompileError {
    pub kind: Kind,
    pub source: crate::load::validator::CompileError,
}

/// Every schema error of a document, as the validator finds them (before they are described).
pub fn errors(kind: Kind, root: &Node) -> Vec<SchemaError<'_>> {
    compiled()
        .iter()
        .find(|c| c.kind == kind)
        .expect("every kind has a schema")
        .validator
        .errors(root)
}

/// The schema text for a kind.
pub fn text(kind: Kind) -> &'static str {
    SCHEMAS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, t)| *t)
        .expect("every kind has a schema")
}

/// One schema finding, before it is placed in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub help: String,
}

/// Checks one document against its kind's schema. `source` is the document's text, so that help
/// can quote a value exactly as it was typed.
pub fn check(kind: Kind, root: &Node, source: &str) -> Vec<Finding> {
    let mut findings: Vec<Finding> = Vec::new();
    // Which (place, class) pairs have a finding already: a set, so that a list of 250,000
    // wrong items stays linear.
    let mut seen: std::collections::HashSet<(String, &'static str)> =
        std::collections::HashSet::new();
    for error in errors(kind, root) {
        let (class, finding) = describe(
            root,
            &error.path,
            error.here,
            &error.kind,
            error.instance,
            source,
        );
        // A date that fails both its pattern and its format is one mistake, not two.
        if class != "field" && !seen.insert((error.path, class)) {
            continue;
        }
        findings.push(finding);
    }
    let mut out = findings;
    out.extend(beyond_the_schema(kind, root));
    out.sort_by_key(|f| (f.line, f.column));
    out.dedup();
    if out.len() > MAX_FINDINGS {
        let more = out.len() - MAX_FINDINGS;
        let next = &out[MAX_FINDINGS];
        let (line, column) = (next.line, next.column);
        out.truncate(MAX_FINDINGS);
        out.push(Finding {
            line,
            column,
            message: format!(
                "{more} more schema finding{} in this file, from here on, are not shown",
                if more == 1 { "" } else { "s" }
            ),
            help: format!(
                "the first {MAX_FINDINGS} are listed; fix those (often one mistake repeated) and \
                 check again"
            ),
        });
    }
    out
}

/// The most schema findings listed for one document; the rest are counted in one last finding,
/// so that a file of 250,000 wrong list items gives a report a person can read, quickly.
pub const MAX_FINDINGS: usize = 100;

/// The most unknown field names one finding lists.
const MAX_NAMED_FIELDS: usize = 10;

/// What the format requires that JSON Schema cannot say: one field compared with another.
fn beyond_the_schema(kind: Kind, root: &Node) -> Vec<Finding> {
    let mut out = Vec::new();
    if kind == Kind::Pupil {
        // As the schema reads them: whole numbers from zero up (a blank one is absent).
        let sessions = |name: &str| match root.get("attendance")?.get(name)?.value {
            Value::Int(i) => u64::try_from(i).ok(),
            _ => None,
        };
        if let (Some(possible), Some(attended)) =
            (sessions("sessions_possible"), sessions("sessions_attended"))
        {
            if attended > possible {
                let pos = root.locate("/attendance/sessions_attended", false);
                out.push(Finding {
                    line: pos.line,
                    column: pos.column,
                    message: format!(
                        "`attendance.sessions_attended` ({attended}) is more than \
                         `sessions_possible` ({possible})"
                    ),
                    help: "copy both numbers from the same attendance report for the same \
                           period: sessions attended can be at most the sessions possible"
                        .into(),
                });
            }
        }
    }
    out
}

/// The field name a JSON Pointer ends in, for messages (`outcomes[2]` for list items).
fn field_name(path: &str) -> String {
    let mut name = String::new();
    for token in path.split('/').skip(1) {
        if token.parse::<usize>().is_ok() {
            name = format!("{name}[{}]", token.parse::<usize>().unwrap_or(0) + 1);
        } else {
            name = token.to_string();
        }
    }
    if name.is_empty() {
        "this document".into()
    } else {
        format!("`{name}`")
    }
}

/// A JSON Pointer as a SENCO reads a field's place: `/people/0/name` -> `people[1].name`.
fn dotted(path: &str) -> String {
    let mut out = String::new();
    for token in path.split('/').skip(1) {
        match token.parse::<usize>() {
            Ok(i) => out.push_str(&format!("[{}]", i + 1)),
            Err(_) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(token);
            }
        }
    }
    out
}

fn description(subschema: Option<&Json>) -> Option<String> {
    subschema?
        .get("description")?
        .as_str()
        .map(|s| s.trim().to_string())
}

/// What a value is, in a SENCO's words (as the schema reads it: NaN is text).
fn type_name(value: &Node) -> &'static str {
    match &value.value {
        Value::Null => "empty",
        Value::Bool(_) => "true or false",
        Value::Int(_) => "a whole number",
        Value::Float(f) if f.is_finite() => "a number",
        Value::Float(_) | Value::Str(_) => "text",
        Value::Seq(_) => "a list",
        Value::Map(_) => "a block of fields",
    }
}

/// A value of the document quoted in a message, as JSON writes it.
fn short_node(value: &Node) -> String {
    match &value.value {
        Value::Str(s) => crate::privacy::gate::quote(s),
        _ => short(&value.to_json()),
    }
}

fn expected_type_name(name: &str) -> &'static str {
    match name {
        "string" => "text",
        "integer" => "a whole number",
        "number" => "a number",
        "boolean" => "true or false",
        "array" => "a list (lines starting with `- `)",
        "object" => "a block of fields",
        "null" => "empty",
        _ => "another type",
    }
}

/// A value quoted in a message, cut to 40 characters only after the redactor has seen it whole
/// (see [`crate::privacy::quote`]).
fn short(value: &Json) -> String {
    let text = match value {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    };
    crate::privacy::gate::quote(&text)
}

/// The plain scalar that starts at `pos`, exactly as typed: up to a space, a comment or the end
/// of a flow item. Only numbers, true/false and null reach here, and none of them has a space.
fn as_typed(source: &str, pos: crate::load::yaml::Pos) -> Option<String> {
    let line = source.lines().nth(pos.line.checked_sub(1)?)?;
    let rest: String = line.chars().skip(pos.column.checked_sub(1)?).collect();
    let typed: String = rest
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | ']' | '}' | '#'))
        .collect();
    (!typed.is_empty() && typed.chars().count() <= 40).then_some(typed)
}

fn describe(
    root: &Node,
    path: &str,
    here: &Json,
    kind: &ErrorKind,
    instance: &Node,
    source: &str,
) -> (&'static str, Finding) {
    let here = Some(here);
    let field = field_name(path);
    let locate = |p: &str, at_key: bool| root.locate(p, at_key);
    let mut pos = locate(path, false);
    let (class, message, help) = match kind {
        ErrorKind::Required(name) => {
            let name = *name;
            let what = description(
                here.and_then(|s| s.get("properties"))
                    .and_then(|p| p.get(name)),
            );
            let field_path = format!("{path}/{}", name.replace('~', "~0").replace('/', "~1"));
            let left_blank = root.pointer(&field_path).is_some();
            if left_blank {
                pos = locate(&field_path, true);
            }
            let message = if left_blank {
                format!("`{}` is empty", dotted(&field_path))
            } else if path.is_empty() {
                format!("the required field `{name}` is missing")
            } else {
                format!("{field} lacks the required field `{name}`")
            };
            let help = match what {
                Some(d) => format!("add `{name}:`. {d}"),
                None => format!("add `{name}:`"),
            };
            ("field", message, help)
        }
        ErrorKind::AdditionalProperties(unexpected) => {
            let name = unexpected.first().cloned().unwrap_or_default();
            let key_path = format!("{path}/{}", name.replace('~', "~0").replace('/', "~1"));
            pos = locate(&key_path, true);
            let allowed: Vec<&str> = here
                .and_then(|s| s.get("properties"))
                .and_then(Json::as_object)
                .map(|p| p.keys().map(String::as_str).collect())
                .unwrap_or_default();
            // Only a name of a sensible length can be a typing slip (and the distance costs
            // the product of the two lengths).
            let suggestion = allowed
                .iter()
                .filter(|_| name.len() <= 64)
                .map(|a| (strsim::damerau_levenshtein(&name, a), *a))
                .filter(|(d, a)| *d <= 3.max(a.len() / 3))
                .min();
            let help = match suggestion {
                Some((_, a)) => format!("did you mean `{a}`?"),
                None if allowed.is_empty() => "remove this field".into(),
                None => format!("the fields allowed here are: {}", allowed.join(", ")),
            };
            // A message names a few fields, each cut short, never the whole file.
            let named = |u: &String| crate::load::yaml::quoted(u);
            let message = if unexpected.len() > MAX_NAMED_FIELDS {
                format!(
                    "unknown fields {} and {} more",
                    unexpected[..MAX_NAMED_FIELDS]
                        .iter()
                        .map(named)
                        .collect::<Vec<_>>()
                        .join(", "),
                    unexpected.len() - MAX_NAMED_FIELDS
                )
            } else if unexpected.len() > 1 {
                format!(
                    "unknown fields {}",
                    unexpected.iter().map(named).collect::<Vec<_>>().join(", ")
                )
            } else {
                format!("unknown field {}", named(&name))
            };
            ("field", message, help)
        }
        ErrorKind::Type(ty) => {
            let expected = expected_type_name(ty);
            let mut help = description(here).unwrap_or_default();
            let text_or_empty = matches!(type_name(instance), "text" | "empty");
            if expected == "text" && !text_or_empty {
                // Quote what the school typed (`07700900731`), not the number YAML read from it
                // (7700900731), which has lost its leading zero.
                let typed = root
                    .pointer(path)
                    .and_then(|node| as_typed(source, node.pos))
                    .unwrap_or_else(|| short_node(instance));
                help = format!("put the value in quotes, e.g. `\"{typed}\"`. {help}");
            }
            (
                "type",
                format!(
                    "{field} should be {expected}, but it is {}",
                    type_name(instance)
                ),
                help.trim().to_string(),
            )
        }
        ErrorKind::Enum(options) => {
            let options: Vec<String> = options
                .as_array()
                .map(|a| a.iter().map(short).collect())
                .unwrap_or_default();
            let suggestion = instance.as_str().and_then(|v| {
                options
                    .iter()
                    .map(|o| (strsim::levenshtein(&v.to_lowercase(), &o.to_lowercase()), o))
                    .filter(|(d, _)| *d <= 2)
                    .min()
                    .map(|(_, o)| o.clone())
            });
            let mut help = format!("use one of: {}", options.join(", "));
            if let Some(s) = suggestion {
                help = format!("did you mean `{s}`? ({help})");
            }
            (
                "value",
                format!(
                    "{field} is `{}`, which is not an allowed value",
                    short_node(instance)
                ),
                help,
            )
        }
        ErrorKind::Const(expected_value) => (
            "value",
            format!("{field} should be `{}`", short(expected_value)),
            format!("write `{}`", short(expected_value)),
        ),
        ErrorKind::Format("date") => (
            "date",
            format!(
                "{field} is `{}`, which is not a real date",
                short_node(instance)
            ),
            "write dates as YYYY-MM-DD, for example 2025-09-08".into(),
        ),
        ErrorKind::Pattern if looks_like_date_field(here) => (
            "date",
            format!(
                "{field} is `{}`, which is not a date written YYYY-MM-DD",
                short_node(instance)
            ),
            instance.as_str().and_then(day_first).map_or_else(
                || "write dates as YYYY-MM-DD, for example 2025-09-08".into(),
                |date| {
                    format!(
                        "write dates as YYYY-MM-DD: `{}` if you meant {} (day first, as \
                             dates are written in the UK)",
                        date.format("%Y-%m-%d"),
                        date.format("%-d %B %Y")
                    )
                },
            ),
        ),
        ErrorKind::Pattern => (
            "value",
            format!("{field} does not have the expected form"),
            description(here).unwrap_or_else(|| "check the value".into()),
        ),
        ErrorKind::MinLength(_) => (
            "value",
            format!("{field} is empty"),
            description(here).map_or("fill it in".into(), |d| format!("fill it in. {d}")),
        ),
        ErrorKind::MaxLength(limit) => (
            "value",
            format!("{field} is longer than {limit} characters"),
            "shorten it".into(),
        ),
        ErrorKind::MinItems(limit) => (
            "value",
            format!(
                "{field} needs at least {limit} {}",
                if *limit == 1 { "entry" } else { "entries" }
            ),
            description(here).unwrap_or_default(),
        ),
        ErrorKind::MaxItems(limit) => (
            "value",
            format!("{field} has more than {limit} entries"),
            description(here).unwrap_or_default(),
        ),
        ErrorKind::Minimum(limit) | ErrorKind::ExclusiveMinimum(limit) => (
            "value",
            format!(
                "{field} is {}, below the lowest allowed value {limit}",
                short_node(instance)
            ),
            description(here).unwrap_or_default(),
        ),
        ErrorKind::Maximum(limit) => (
            "value",
            format!(
                "{field} is {}, above the highest allowed value {limit}",
                short_node(instance)
            ),
            description(here).unwrap_or_default(),
        ),
        ErrorKind::UniqueItems => (
            "value",
            format!("{field} lists the same entry twice"),
            "remove the repeated entry".into(),
        ),
        other => (
            "value",
            format!("{field} does not fit the case format ({})", other.keyword()),
            description(here).unwrap_or_default(),
        ),
    };
    (
        class,
        Finding {
            line: pos.line,
            column: pos.column,
            message,
            help,
        },
    )
}

fn looks_like_date_field(here: Option<&Json>) -> bool {
    here.and_then(|s| s.get("format"))
        .and_then(Json::as_str)
        .is_some_and(|f| f == "date")
}

/// A date written day first, as in the UK (`14/02/2016`, `5-12-2025`, `05.12.2025`): the date,
/// when it is a real one.
fn day_first(text: &str) -> Option<chrono::NaiveDate> {
    let parts: Vec<&str> = text.trim().split(['/', '-', '.']).collect();
    let [day, month, year] = parts.as_slice() else {
        return None;
    };
    if year.len() != 4 || day.len() > 2 || month.len() > 2 {
        return None;
    }
    chrono::NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::yaml;

    fn findings(kind: Kind, text: &str) -> Vec<Finding> {
        check(kind, &yaml::parse(text).unwrap().unwrap(), text)
    }

    #[test]
    fn every_schema_compiles_and_describes_every_field() {
        fn walk(kind: Kind, path: &str, schema: &Json) {
            if let Some(props) = schema.get("properties").and_then(Json::as_object) {
                for (name, sub) in props {
                    assert!(
                        sub.get("description").is_some(),
                        "{}: {path}/{name} has no description",
                        kind.name()
                    );
                    walk(kind, &format!("{path}/{name}"), sub);
                }
            }
            for key in ["items", "$defs"] {
                match schema.get(key) {
                    Some(Json::Object(map)) if key == "$defs" => {
                        for (n, s) in map {
                            walk(kind, &format!("{path}/$defs/{n}"), s)
                        }
                    }
                    Some(s) => walk(kind, &format!("{path}/{key}"), s),
                    None => {}
                }
            }
        }
        for c in compiled() {
            walk(c.kind, "", json(c.kind));
        }
    }

    /// Every field a SENCO fills in has an example (a list of blocks has them on its fields).
    #[test]
    fn every_field_has_an_example() {
        fn walk(kind: Kind, path: &str, schema: &Json, defs: &Json) {
            let resolved = match schema.get("$ref").and_then(Json::as_str) {
                Some(r) => &defs[r.rsplit('/').next().unwrap_or_default()],
                None => schema,
            };
            let has_example =
                schema.get("examples").is_some() || resolved.get("examples").is_some();
            match resolved.get("type").and_then(Json::as_str) {
                Some("object") => {
                    for (name, sub) in resolved["properties"].as_object().into_iter().flatten() {
                        walk(kind, &format!("{path}/{name}"), sub, defs);
                    }
                }
                Some("array")
                    if resolved["items"].get("type").and_then(Json::as_str) == Some("object") =>
                {
                    walk(kind, &format!("{path}[]"), &resolved["items"], defs)
                }
                _ if path.ends_with("/format") || path.ends_with("/kind") => {}
                _ => assert!(has_example, "{}: {path} has no example", kind.name()),
            }
        }
        for c in compiled() {
            walk(
                c.kind,
                "",
                json(c.kind),
                json(c.kind).get("$defs").unwrap_or(&Json::Null),
            );
        }
    }

    #[test]
    fn every_schema_compiles_to_the_tree_validator() {
        for (kind, _) in SCHEMAS {
            compile(*kind).unwrap();
        }
    }

    #[test]
    fn a_keyword_the_validator_does_not_know_fails_compilation() {
        // A schema edit that uses a keyword outside the supported set must fail (the test above
        // runs every shipped schema through the same compiler), never check less in silence.
        for (keyword, value) in [
            ("oneOf", serde_json::json!([{"type": "string"}])),
            ("maxProperties", serde_json::json!(3)),
            (
                "additionalProperties",
                serde_json::json!({"type": "string"}),
            ),
            ("format", serde_json::json!("uri")),
            ("type", serde_json::json!(["string", "null"])),
            ("dependentRequired", serde_json::json!({"a": ["b"]})),
            ("if", serde_json::json!({"required": ["a"]})),
        ] {
            let schema = serde_json::json!({
                "type": "object",
                "properties": {"a": {"type": "string", keyword: value}},
            });
            let schema: &'static Json = Box::leak(Box::new(schema));
            let error = crate::load::validator::compile(schema)
                .unwrap_err()
                .to_string();
            assert!(error.contains("/properties/a"), "{keyword}: {error}");
        }
    }

    #[test]
    fn unknown_field_suggests_the_right_one() {
        let f = findings(
            Kind::Plan,
            "format: ehcpack/1\nkind: plan\nstart: 2025-09-08\nreveiw_date: 2025-12-12\nneeds: [a]\n\
             outcomes:\n  - id: O1\n    description: x\n",
        );
        let unknown = f
            .iter()
            .find(|f| f.message.contains("reveiw_date"))
            .unwrap();
        assert_eq!((unknown.line, unknown.column), (4, 1));
        assert!(unknown.help.contains("`review_date`"), "{}", unknown.help);
    }

    #[test]
    fn blank_required_field_is_empty_and_blank_optional_is_absent() {
        let f = findings(
            Kind::Plan,
            "format: ehcpack/1\nkind: plan\nstart:\nreview_date:\nneeds: [a]\n\
             outcomes:\n  - id: O1\n    description: x\n",
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].message, "`start` is empty");
        assert_eq!((f[0].line, f[0].column), (3, 1));
    }

    #[test]
    fn bad_date_is_one_finding() {
        let f = findings(
            Kind::Plan,
            "format: ehcpack/1\nkind: plan\nstart: 2025-02-30\nneeds: [a]\n\
             outcomes:\n  - id: O1\n    description: x\n",
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("not a real date"));
        assert_eq!(f[0].line, 3);
    }

    #[test]
    fn a_date_written_day_first_gets_its_yyyy_mm_dd_form() {
        let f = findings(
            Kind::Plan,
            "format: ehcpack/1\nkind: plan\nstart: 05/12/2025\nneeds: [a]\n\
             outcomes:\n  - id: O1\n    description: x\n",
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].help
                .contains("`2025-12-05` if you meant 5 December 2025"),
            "{f:?}"
        );
        // Not a real date day first (13th month): the general help.
        let f = findings(
            Kind::Plan,
            "format: ehcpack/1\nkind: plan\nstart: 12/13/2025\nneeds: [a]\n\
             outcomes:\n  - id: O1\n    description: x\n",
        );
        assert_eq!(
            f[0].help,
            "write dates as YYYY-MM-DD, for example 2025-09-08"
        );
        assert_eq!(
            day_first("5-12-2025"),
            chrono::NaiveDate::from_ymd_opt(2025, 12, 5)
        );
        assert_eq!(
            day_first("05.12.2025"),
            chrono::NaiveDate::from_ymd_opt(2025, 12, 5)
        );
        assert_eq!(day_first("2025/12/05"), None);
        assert_eq!(day_first("31/02/2025"), None);
    }

    #[test]
    fn help_quotes_the_value_as_typed() {
        // The school typed 07700900731; YAML reads the number 7700900731. The help must keep
        // the leading zero, in a block and in a flow mapping.
        for text in [
            "format: ehcpack/1\nkind: request\nschool:\n  senco:\n    phone: 07700900731  # mobile\n",
            "format: ehcpack/1\nkind: request\nschool:\n  senco: {name: A, phone: 07700900731}\n",
        ] {
            let f = findings(Kind::Request, text);
            let phone = f
                .iter()
                .find(|f| f.message.contains("phone"))
                .unwrap_or_else(|| panic!("{f:?}"));
            assert!(
                phone.help.contains("`\"07700900731\"`"),
                "{}",
                phone.help
            );
        }
    }

    #[test]
    fn more_sessions_attended_than_possible_is_a_finding() {
        let text = "format: ehcpack/1\nkind: pupil\nattendance:\n  sessions_possible: 280\n  \
                    sessions_attended: 300\n";
        let f = findings(Kind::Pupil, text);
        let wrong = f
            .iter()
            .find(|f| f.message.contains("sessions_attended"))
            .unwrap_or_else(|| panic!("{f:?}"));
        assert_eq!((wrong.line, wrong.column), (5, 22));
        assert!(wrong
            .message
            .contains("(300) is more than `sessions_possible` (280)"));
        let fine = text.replace("300", "280");
        assert!(!findings(Kind::Pupil, &fine)
            .iter()
            .any(|f| f.message.contains("sessions_attended")));
    }

    proptest::proptest! {
        /// Whatever number-like value is typed where text is needed, the help quotes it exactly
        /// as typed: leading zeros, signs, exponents and all.
        #[test]
        fn help_quotes_any_number_as_typed(
            typed in "(0[0-9]{1,14}|[1-9][0-9]{0,12}|-?[0-9]{1,5}\\.[0-9]{1,4}|[1-9]e[1-9])",
            flow in proptest::bool::ANY,
        ) {
            let text = if flow {
                format!("format: ehcpack/1\nkind: request\nschool:\n  senco: {{name: A, phone: {typed}}}\n")
            } else {
                format!("format: ehcpack/1\nkind: request\nschool:\n  senco:\n    phone: {typed}   # a comment\n")
            };
            let f = findings(Kind::Request, &text);
            let phone = f.iter().find(|f| f.message.contains("phone"));
            proptest::prop_assert!(phone.is_some(), "{:?}", f);
            let help = &phone.unwrap().help;
            let quoted = format!("`\"{typed}\"`");
            proptest::prop_assert!(help.contains(&quoted), "{}", help);
        }
    }
}
