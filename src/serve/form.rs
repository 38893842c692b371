//! A document's form, generated from its JSON Schema, so that the form cannot drift from the
//! format: titles and descriptions as labels and help, examples as hints, enums as choices,
//! dates as date fields, lists as groups of items that can be added, removed and reordered.
//!
//! Every field is named by its JSON Pointer (`/outcomes/0/baseline`), the same path that places
//! a finding, so a finding is shown beside its field.

use std::fmt::Write as _;

use serde_json::{Map, Value as Json};

use crate::load::case::Kind;
use crate::load::schema;
use crate::load::yaml::{Node, Value};
use crate::privacy::Redactor;

use super::page::esc;

/// The parsed schema of a kind, with `$ref`s resolved on demand.
pub struct Schema {
    root: Json,
}

impl Schema {
    pub fn of(kind: Kind) -> Schema {
        Schema {
            root: serde_json::from_str(schema::text(kind)).expect("built-in schemas are JSON"),
        }
    }

    pub fn root(&self) -> &Json {
        &self.root
    }

    /// A schema node with its `$ref` followed; the referring node's own words win.
    pub fn resolve(&self, node: &Json) -> Json {
        let Some(reference) = node.get("$ref").and_then(Json::as_str) else {
            return node.clone();
        };
        let target = reference
            .strip_prefix("#/$defs/")
            .and_then(|name| self.root.get("$defs")?.get(name))
            .cloned()
            .unwrap_or(Json::Object(Map::new()));
        let mut merged = target.as_object().cloned().unwrap_or_default();
        if let Some(own) = node.as_object() {
            for (k, v) in own {
                if k != "$ref" {
                    merged.insert(k.clone(), v.clone());
                }
            }
        }
        Json::Object(merged)
    }

    fn kind_of(node: &Json) -> &str {
        node.get("type").and_then(Json::as_str).unwrap_or("string")
    }
}

/// Why a file cannot be shown as a form (a field the format does not have, a value of the
/// wrong shape), if it cannot.
pub fn unrepresentable(schema: &Schema, node: &Node) -> Option<(String, crate::load::yaml::Pos)> {
    fn walk(
        schema: &Schema,
        s: &Json,
        node: &Node,
        path: &str,
    ) -> Option<(String, crate::load::yaml::Pos)> {
        let s = schema.resolve(s);
        match (&node.value, Schema::kind_of(&s)) {
            (Value::Null, _) => None,
            (Value::Map(entries), "object") => {
                let props = s.get("properties").and_then(Json::as_object);
                for e in entries {
                    match props.and_then(|p| p.get(&e.key)) {
                        Some(sub) => {
                            if let Some(found) = walk(schema, sub, &e.value, &format!("{path}/{}", e.key)) {
                                return Some(found);
                            }
                        }
                        None => {
                            return Some((
                                format!(
                                    "the field {} is not part of the format, so the form cannot show this file",
                                    crate::load::yaml::quoted(&e.key)
                                ),
                                e.key_pos,
                            ))
                        }
                    }
                }
                None
            }
            (Value::Seq(items), "array") => {
                let item = s.get("items").cloned().unwrap_or(Json::Null);
                items
                    .iter()
                    .enumerate()
                    .find_map(|(i, n)| walk(schema, &item, n, &format!("{path}/{i}")))
            }
            (Value::Map(_) | Value::Seq(_), _) | (_, "object" | "array") => Some((
                format!(
                    "the value at {} has a different shape from the format's, so the form cannot show this file",
                    if path.is_empty() { "/" } else { path }
                ),
                node.pos,
            )),
            _ => None,
        }
    }
    walk(schema, schema.root(), node, "")
}

/// Turns the form's answers (text as typed, `null` for blank) into typed values by the schema:
/// a whole number for an integer field, `true`/`false` for a yes/no field. Text that is not a
/// number is kept as text, so the schema's finding says what is wrong.
pub fn typed(schema: &Schema, s: &Json, value: &Json) -> Json {
    let s = schema.resolve(s);
    if value.get(super::edit::UNCHANGED).is_some() {
        return value.clone();
    }
    match (Schema::kind_of(&s), value) {
        ("object", Json::Object(fields)) => {
            let props = s.get("properties").and_then(Json::as_object);
            let mut out = Map::new();
            // In the schema's order, so a field the file lacks is added where it belongs.
            if let Some(props) = props {
                for (k, sub) in props {
                    if let Some(v) = fields.get(k) {
                        out.insert(k.clone(), typed(schema, sub, v));
                    }
                }
            }
            Json::Object(out)
        }
        ("array", Json::Array(items)) => {
            let item = s.get("items").cloned().unwrap_or(Json::Null);
            Json::Array(items.iter().map(|v| typed(schema, &item, v)).collect())
        }
        ("integer", Json::String(t)) => t
            .trim()
            .parse::<i64>()
            .map(Json::from)
            .unwrap_or_else(|_| value.clone()),
        ("number", Json::String(t)) => match t.trim().parse::<i64>() {
            Ok(i) => Json::from(i),
            Err(_) => t
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Json::Number)
                .unwrap_or_else(|| value.clone()),
        },
        ("boolean", Json::String(t)) => match t.as_str() {
            "true" => Json::Bool(true),
            "false" => Json::Bool(false),
            _ => value.clone(),
        },
        (_, Json::String(t)) if t.is_empty() => Json::Null,
        _ => value.clone(),
    }
}

/// What the form shows of the file's values: the case's redactor withholds the protected
/// address from every field except the pupil's own address fields.
pub struct Shown<'a> {
    pub redactor: &'a Redactor,
    /// The pupil's own address fields may show the address (the pupil document only).
    pub pupil: bool,
    /// Values shown in the pupil's address fields, put in after the page has passed the
    /// redactor (see `page::Gate`).
    pub gate: &'a mut super::page::Gate,
}

/// Writes the form's fields for a document.
pub fn fields(out: &mut String, schema: &Schema, node: Option<&Node>, shown: &mut Shown) {
    let root = schema.root().clone();
    let required = required_of(&root);
    if let Some(props) = root.get("properties").and_then(Json::as_object) {
        for (key, sub) in props {
            if sub.get("const").is_some() {
                continue; // format and kind: always as written
            }
            let value = node.and_then(|n| n.get(key));
            component(
                out,
                schema,
                sub,
                key,
                &format!("/{key}"),
                value,
                required.contains(key),
                shown,
            );
        }
    }
}

fn required_of(s: &Json) -> Vec<String> {
    s.get("required")
        .and_then(Json::as_array)
        .map(|r| {
            r.iter()
                .filter_map(|k| k.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// `date_of_birth` as a label: `Date of birth`.
pub fn label_of(key: &str) -> String {
    let words = key.replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
    .replace("Senco", "SENCO")
    .replace("Sen ", "SEN ")
    .replace("Upn", "UPN")
    .replace("Nhs", "NHS")
    .replace("Gp", "GP")
    .replace("Pep ", "PEP ")
    .replace("Pfa ", "PfA ")
    .replace("Urn", "URN")
}

/// The id of a field's control, its help and its error, from its pointer.
pub fn ids(pointer: &str) -> (String, String, String) {
    (
        format!("f{pointer}"),
        format!("h{pointer}"),
        format!("e{pointer}"),
    )
}

fn example_text(s: &Json) -> Option<String> {
    let ex = s.get("examples")?.as_array()?.first()?;
    match ex {
        Json::String(t) => Some(t.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(if *b { "Yes" } else { "No" }.into()),
        Json::Array(items) => {
            let texts: Vec<String> = items
                .iter()
                .filter_map(|i| match i {
                    Json::String(t) => Some(t.clone()),
                    Json::Object(_) => None,
                    other => Some(other.to_string()),
                })
                .collect();
            (!texts.is_empty()).then(|| texts.join("; "))
        }
        _ => None,
    }
}

fn help(out: &mut String, s: &Json, hint_id: &str) {
    let _ = write!(out, "<div class=\"hint\" id=\"{}\">", esc(hint_id));
    if let Some(d) = s.get("description").and_then(Json::as_str) {
        let _ = write!(out, "<p>{}</p>", esc(d));
    }
    if let Some(e) = example_text(s) {
        let _ = write!(out, "<p class=\"example\">For example: {}</p>", esc(&e));
    }
    out.push_str("</div>");
}

#[allow(clippy::too_many_arguments)]
fn component(
    out: &mut String,
    schema: &Schema,
    s: &Json,
    key: &str,
    pointer: &str,
    value: Option<&Node>,
    required: bool,
    shown: &mut Shown,
) {
    let s = schema.resolve(s);
    let label = label_of(key);
    let req = if required {
        " <span class=\"required\">(required)</span>"
    } else {
        ""
    };
    let (id, hint_id, error_id) = ids(pointer);
    match Schema::kind_of(&s) {
        "object" => {
            let _ = write!(
                out,
                "<fieldset class=\"group\" data-kind=\"object\" data-key=\"{}\" id=\"{}\" aria-describedby=\"{} {}\"><legend>{}{req}</legend>",
                esc(key), esc(&id), esc(&hint_id), esc(&error_id), esc(&label)
            );
            help(out, &s, &hint_id);
            let _ = write!(
                out,
                "<p class=\"error-message\" id=\"{}\"></p><div class=\"fields\">",
                esc(&error_id)
            );
            let inner_required = required_of(&s);
            if let Some(props) = s.get("properties").and_then(Json::as_object) {
                for (k, sub) in props {
                    let v = value.and_then(|n| n.get(k));
                    component(
                        out,
                        schema,
                        sub,
                        k,
                        &format!("{pointer}/{k}"),
                        v,
                        inner_required.contains(k),
                        shown,
                    );
                }
            }
            out.push_str("</div></fieldset>");
        }
        "array" => {
            let item_schema = schema.resolve(s.get("items").unwrap_or(&Json::Null));
            let item_label = singular(&label);
            let _ = write!(
                out,
                "<fieldset class=\"group list\" data-kind=\"list\" data-key=\"{}\" data-item-label=\"{}\" id=\"{}\" aria-describedby=\"{} {}\"><legend>{}{req}</legend>",
                esc(key), esc(&item_label), esc(&id), esc(&hint_id), esc(&error_id), esc(&label)
            );
            help(out, &s, &hint_id);
            let _ = write!(
                out,
                "<p class=\"error-message\" id=\"{}\"></p><ol class=\"items\">",
                esc(&error_id)
            );
            let items: Vec<&Node> = match value.map(|v| &v.value) {
                Some(Value::Seq(items)) => items.iter().collect(),
                _ => Vec::new(),
            };
            for (i, item) in items.iter().enumerate() {
                list_item(
                    out,
                    schema,
                    &item_schema,
                    &item_label,
                    &format!("{pointer}/{i}"),
                    i,
                    Some(item),
                    shown,
                );
            }
            out.push_str("</ol>");
            let _ = write!(
                out,
                "<button type=\"button\" class=\"button secondary add\">Add {}</button><template>",
                esc(&article(&item_label))
            );
            list_item(
                out,
                schema,
                &item_schema,
                &item_label,
                &format!("{pointer}/-"),
                0,
                None,
                shown,
            );
            out.push_str("</template></fieldset>");
        }
        kind => scalar(out, &s, kind, key, pointer, value, &label, req, shown),
    }
}

fn singular(label: &str) -> String {
    let lower = label.to_lowercase();
    match lower.as_str() {
        "people" => "person".into(),
        "diagnoses" => "diagnosis".into(),
        "therapies" => "therapy".into(),
        "lines" => "address line".into(),
        "needs" => "need".into(),
        "parental" => "parent's consent".into(),
        "progress" => "progress rating".into(),
        "provision" => "provision".into(),
        "history" => "history".into(),
        "gathered how" => "way of gathering".into(),
        _ => lower
            .strip_suffix('s')
            .map_or(lower.clone(), str::to_string),
    }
}

fn article(noun: &str) -> String {
    if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {noun}")
    } else {
        format!("a {noun}")
    }
}

#[allow(clippy::too_many_arguments)]
fn list_item(
    out: &mut String,
    schema: &Schema,
    item_schema: &Json,
    item_label: &str,
    pointer: &str,
    index: usize,
    value: Option<&Node>,
    shown: &mut Shown,
) {
    let title = format!("{} {}", capitalise(item_label), index + 1);
    let _ = write!(
        out,
        "<li class=\"item\" data-kind=\"{}\"><div class=\"item-head\"><p class=\"item-title\">{}</p>\
         <button type=\"button\" class=\"button small up\">Move up<span class=\"visually-hidden\"> {}</span></button>\
         <button type=\"button\" class=\"button small down\">Move down<span class=\"visually-hidden\"> {}</span></button>\
         <button type=\"button\" class=\"button small warning remove\">Remove<span class=\"visually-hidden\"> {}</span></button></div><div class=\"fields\">",
        if Schema::kind_of(item_schema) == "object" { "object-item" } else { "scalar-item" },
        esc(&title), esc(&title), esc(&title), esc(&title)
    );
    if Schema::kind_of(item_schema) == "object" {
        let required = required_of(item_schema);
        if let Some(props) = item_schema.get("properties").and_then(Json::as_object) {
            for (k, sub) in props {
                let v = value.and_then(|n| n.get(k));
                component(
                    out,
                    schema,
                    sub,
                    k,
                    &format!("{pointer}/{k}"),
                    v,
                    required.contains(k),
                    shown,
                );
            }
        }
    } else {
        let kind = Schema::kind_of(item_schema).to_string();
        scalar(
            out,
            item_schema,
            &kind,
            "",
            pointer,
            value,
            &title,
            "",
            shown,
        );
    }
    out.push_str("</div></li>");
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The text a scalar shows in its field.
fn scalar_text(node: Option<&Node>) -> String {
    match node.map(|n| &n.value) {
        None | Some(Value::Null) => String::new(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Int(i)) => i.to_string(),
        Some(Value::Float(f)) => f.to_string(),
        Some(Value::Str(s)) => s.clone(),
        Some(_) => String::new(),
    }
}

fn is_pupil_address(pointer: &str) -> bool {
    pointer == "/address/town"
        || pointer == "/address/postcode"
        || pointer.starts_with("/address/lines/")
}

/// One field: label, help, error and control, in a `div.field`.
#[allow(clippy::too_many_arguments)]
fn scalar(
    out: &mut String,
    s: &Json,
    kind: &str,
    key: &str,
    pointer: &str,
    node: Option<&Node>,
    label: &str,
    req: &str,
    shown: &mut Shown,
) {
    scalar_parts(out, s, kind, key, pointer, node, label, req, shown);
    out.push_str("</div>");
}

/// Fields that hold sentences or paragraphs (a text box of several lines), by their key or,
/// for an item of a list, the list's key.
const LONG_TEXT: &[&str] = &[
    "description",
    "baseline",
    "measure",
    "what",
    "evidence",
    "strengths",
    "aspirations",
    "advice",
    "acted_on",
    "notes",
    "views",
    "summary",
    "parent_views",
    "pupil_views",
    "professional_feedback",
    "next_steps",
    "target",
    "medical_needs",
    "medication",
    "physical",
    "emotional",
    "social",
    "why_resources_not_enough",
    "notional_budget",
    "top_up_funding",
    "hoped_for",
    "nature",
    "extent",
    "cause",
    "interests",
    "early_help",
    "social_care",
    "needs",
    "reason",
    "outcome",
];

/// The key that decides a field's kind of text box: its own, or for a list's item the list's.
fn text_key_of(pointer: &str) -> &str {
    pointer
        .rsplit('/')
        .find(|seg| !seg.is_empty() && seg.parse::<usize>().is_err() && *seg != "-")
        .unwrap_or("")
}

#[allow(clippy::too_many_arguments)]
fn scalar_parts(
    out: &mut String,
    s: &Json,
    kind: &str,
    key: &str,
    pointer: &str,
    node: Option<&Node>,
    label: &str,
    req: &str,
    shown: &mut Shown,
) {
    let (id, hint_id, error_id) = ids(pointer);
    let text_key = text_key_of(pointer);
    let raw = scalar_text(node);
    // Everything shown passes the redactor; only the pupil's own address fields show the
    // address (put in after the page has passed the redactor as a whole).
    let own_address = shown.pupil && is_pupil_address(pointer);
    let redacted = shown.redactor.redact(&raw).into_string();
    let withheld = !own_address && redacted != raw;
    let value_html = if own_address && shown.redactor.is_protected() {
        shown.gate.hold(&raw)
    } else {
        esc(&redacted)
    };
    let keep = if withheld { " data-keep=\"1\"" } else { "" };
    let _ = write!(
        out,
        "<div class=\"field\" data-kind=\"scalar\" data-key=\"{}\" data-type=\"{}\">\
         <label for=\"{}\">{}{req}</label>",
        esc(key),
        esc(kind),
        esc(&id),
        esc(label)
    );
    help(out, s, &hint_id);
    if withheld {
        out.push_str("<p class=\"hint withheld\">Part of this is the pupil's protected address, which must not be written here, so it is shown as [address withheld]. Rewrite the text without the address. Left as it is, the file keeps what it has.</p>");
    }
    let _ = write!(
        out,
        "<p class=\"error-message\" id=\"{}\"></p>",
        esc(&error_id)
    );
    let described = format!("{hint_id} {error_id}");
    let enumeration = s.get("enum").and_then(Json::as_array);
    let is_date = s.get("format").and_then(Json::as_str) == Some("date");
    if kind == "boolean" || enumeration.is_some() {
        let options: Vec<(String, String)> = match enumeration {
            Some(values) => values
                .iter()
                .filter_map(|v| v.as_str())
                .map(|v| (v.to_string(), v.to_string()))
                .collect(),
            None => vec![("true".into(), "Yes".into()), ("false".into(), "No".into())],
        };
        let _ = write!(
            out,
            "<select id=\"{}\" name=\"{}\" aria-describedby=\"{}\"{keep}>",
            esc(&id),
            esc(pointer),
            esc(&described)
        );
        let _ = write!(
            out,
            "<option value=\"\"{}>Not answered</option>",
            if raw.is_empty() { " selected" } else { "" }
        );
        let mut known = raw.is_empty();
        for (value, text) in &options {
            let selected = *value == raw;
            known |= selected;
            let _ = write!(
                out,
                "<option value=\"{}\"{}>{}</option>",
                esc(value),
                if selected { " selected" } else { "" },
                esc(text)
            );
        }
        if !known {
            // A value the format does not list stays visible (and its finding says so).
            let _ = write!(
                out,
                "<option value=\"{v}\" selected>{v}</option>",
                v = value_html
            );
        }
        out.push_str("</select>");
        return;
    }
    let long = kind == "string"
        && !is_date
        && s.get("pattern").is_none()
        && (LONG_TEXT.contains(&text_key)
            || example_text(s).is_some_and(|e| e.len() > 60)
            || raw.contains('\n')
            || raw.len() > 80);
    if long {
        let _ = write!(
            out,
            "<textarea id=\"{}\" name=\"{}\" rows=\"4\" aria-describedby=\"{}\"{keep}>{}</textarea>",
            esc(&id),
            esc(pointer),
            esc(&described),
            value_html
        );
        return;
    }
    // A date field only for a value a date field can hold: anything else stays as written.
    let valid_date = raw.is_empty() || chrono::NaiveDate::parse_from_str(&raw, "%Y-%m-%d").is_ok();
    let (input_type, extra) = match kind {
        "integer" => ("text", " inputmode=\"numeric\""),
        "number" => ("text", " inputmode=\"decimal\""),
        _ if is_date && valid_date => ("date", ""),
        _ if s.get("format").and_then(Json::as_str) == Some("email") => {
            ("email", " autocomplete=\"off\"")
        }
        _ => ("text", ""),
    };
    let _ = write!(
        out,
        "<input type=\"{input_type}\" id=\"{}\" name=\"{}\" value=\"{}\" aria-describedby=\"{}\"{extra}{keep}>",
        esc(&id),
        esc(pointer),
        value_html,
        esc(&described)
    );
}
