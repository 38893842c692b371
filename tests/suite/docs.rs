//! The guides that are generated, so they cannot drift: `docs/case-format.md` from the JSON
//! Schemas in `schemas/`, and the rule table in `docs/rules.md` from the rule registry
//! (`src/diagnostic/catalogue.rs`). Each test fails when the file on disk is not what the
//! generator makes, and says how to regenerate it:
//!
//! ```sh
//! EHCPACK_UPDATE_DOCS=1 cargo test --test suite -- docs::
//! ```
use std::path::Path;

use serde_json::Value;

use crate::common;

const REGENERATE: &str = "EHCPACK_UPDATE_DOCS=1 cargo test --test suite -- docs::";

/// Compares a generated guide with the file; with `EHCPACK_UPDATE_DOCS` set, writes it instead.
fn check_generated(relative: &str, generated: &str) {
    let path = common::root().join(relative);
    if std::env::var_os("EHCPACK_UPDATE_DOCS").is_some() {
        std::fs::write(&path, generated).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    if let Err(why) = compare(relative, &on_disk, generated) {
        panic!("{why}");
    }
}

/// Whether the file holds what was generated; if not, where they first differ and how to fix it.
fn compare(relative: &str, on_disk: &str, generated: &str) -> Result<(), String> {
    if on_disk == generated {
        return Ok(());
    }
    let first = on_disk
        .lines()
        .zip(generated.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| on_disk.lines().count().min(generated.lines().count()));
    Err(format!(
        "{relative} is not what its source generates (first difference at line {}):\n  \
         on disk:   {:?}\n  generated: {:?}\nRegenerate it with\n  {REGENERATE}\n\
         and review the diff.",
        first + 1,
        on_disk.lines().nth(first).unwrap_or("(end of file)"),
        generated.lines().nth(first).unwrap_or("(end of file)"),
    ))
}

/// Text for one Markdown table cell: one line, pipes escaped.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

/// A value as it is written in YAML, for the example and allowed-values columns.
fn yaml_value(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Follows a `$ref` into the schema's `$defs`.
fn resolve<'a>(schema: &'a Value, defs: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => &defs[r.rsplit('/').next().unwrap()],
        None => schema,
    }
}

/// What a field holds, in the words of the case folder.
fn type_of(schema: &Value, defs: &Value) -> String {
    let schema = resolve(schema, defs);
    if let Some(c) = schema.get("const") {
        return format!("always `{}`", yaml_value(c));
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let values: Vec<String> = values
            .iter()
            .map(|v| format!("`{}`", yaml_value(v)))
            .collect();
        return format!("one of {}", values.join(", "));
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let mut words: Vec<String> = types
        .iter()
        .map(|t| match *t {
            "string" => match schema.get("format").and_then(Value::as_str) {
                Some("date") => "date (YYYY-MM-DD)".to_string(),
                Some(other) => format!("text ({other})"),
                None => match schema.get("pattern").and_then(Value::as_str) {
                    Some(p) => format!("text matching `{p}`"),
                    None => "text".to_string(),
                },
            },
            "integer" => "whole number".to_string(),
            "number" => "number".to_string(),
            "boolean" => "`true` or `false`".to_string(),
            "null" => "empty".to_string(),
            "object" => "block of fields (below)".to_string(),
            "array" => {
                let item = schema
                    .get("items")
                    .map(|i| type_of(i, defs))
                    .unwrap_or_else(|| "anything".to_string());
                if item.starts_with("block") {
                    "list of blocks (fields below)".to_string()
                } else {
                    format!("list of: {item}")
                }
            }
            other => other.to_string(),
        })
        .collect();
    if words.is_empty() {
        words.push("anything".to_string());
    }
    let mut text = words.join(" or ");
    let bound = |key: &str| schema.get(key).map(yaml_value);
    match (bound("minimum"), bound("maximum")) {
        (Some(lo), Some(hi)) => text.push_str(&format!(", {lo} to {hi}")),
        (Some(lo), None) => text.push_str(&format!(", at least {lo}")),
        (None, Some(hi)) => text.push_str(&format!(", at most {hi}")),
        (None, None) => {}
    }
    if let Some(lo) = bound("exclusiveMinimum") {
        text.push_str(&format!(", more than {lo}"));
    }
    match (bound("minItems"), bound("maxItems")) {
        (Some(lo), Some(hi)) => text.push_str(&format!(", {lo} to {hi} entries")),
        (Some(lo), None) => text.push_str(&format!(", at least {lo} entries")),
        (None, Some(hi)) => text.push_str(&format!(", at most {hi} entries")),
        (None, None) => {}
    }
    text
}

/// One table row per field, depth first, with its dotted path (`[]` for a list's entries).
fn field_rows(schema: &Value, defs: &Value, prefix: &str, out: &mut Vec<String>) {
    let schema = resolve(schema, defs);
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, sub) in props {
        let path = format!("{prefix}{name}");
        let field = resolve(sub, defs);
        let description = field
            .get("description")
            .or_else(|| sub.get("description"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let example = field
            .get("examples")
            .and_then(Value::as_array)
            .and_then(|e| e.first())
            .filter(|e| !e.is_object() && !e.is_array())
            .map(|e| format!("`{}`", cell(&yaml_value(e))))
            .unwrap_or_default();
        out.push(format!(
            "| `{path}` | {} | {} | {} | {example} |",
            cell(&type_of(sub, defs)),
            if required.contains(&name.as_str()) {
                "yes"
            } else {
                ""
            },
            cell(description),
        ));
        field_rows(field, defs, &format!("{path}."), out);
        if let Some(items) = field.get("items") {
            field_rows(items, defs, &format!("{path}[]."), out);
        }
    }
}

/// `docs/case-format.md`, from the schemas alone.
fn case_format() -> String {
    let mut text = String::from(
        "<!-- Generated from schemas/*.schema.json by tests/suite/docs.rs; do not edit by hand.\n     \
         Regenerate: EHCPACK_UPDATE_DOCS=1 cargo test --test suite -- docs:: -->\n\
         # The case format, field by field\n\n\
         Every document of a case folder, every field, as the JSON Schemas in\n\
         [`schemas/`](../schemas/) define them (`ehcpack schema KIND` prints one). This page is\n\
         generated from those schemas and a test fails when it differs from them, so it is always\n\
         the format ehcpack checks. How to fill a case in, with a complete example, is the\n\
         [SENCO's guide](senco.md#the-case-folder); completion in an editor: [editor.md](editor.md).\n\n\
         A field is written `block.field`; `list[].field` is a field of each entry of a list.\n\
         \"Required\" is within the block that holds the field.\n\n",
    );
    for kind in ehcpack::case::Kind::ALL {
        text.push_str(&format!("- [`{0}`](#{0})\n", kind.name()));
    }
    for kind in ehcpack::case::Kind::ALL {
        let schema: Value = serde_json::from_str(ehcpack::schema::text(kind)).unwrap();
        let defs = &schema["$defs"];
        text.push_str(&format!("\n## `{}`\n\n", kind.name()));
        if let Some(title) = schema.get("title").and_then(Value::as_str) {
            text.push_str(&format!("**{title}**\n\n"));
        }
        if let Some(description) = schema.get("description").and_then(Value::as_str) {
            text.push_str(description);
            text.push_str("\n\n");
        }
        text.push_str(&format!(
            "Schema: [`schemas/{0}.schema.json`](../schemas/{0}.schema.json).\n\n",
            kind.name()
        ));
        text.push_str("| field | what it holds | required | what to write | example |\n");
        text.push_str("| --- | --- | --- | --- | --- |\n");
        let mut rows = Vec::new();
        field_rows(&schema, defs, "", &mut rows);
        for row in rows {
            text.push_str(&row);
            text.push('\n');
        }
    }
    text
}

/// The rule table of `docs/rules.md`, from the registry.
fn rule_table() -> String {
    let mut text = String::from(
        "<!-- rules:start (generated from src/diagnostic/catalogue.rs by tests/suite/docs.rs) -->\n\
         | id | severity | basis | applies to | what it checks | source |\n\
         | --- | --- | --- | --- | --- | --- |\n",
    );
    for rule in ehcpack::rules::catalogue::all() {
        text.push_str(&format!(
            "| [`{0}`](rules/{0}.md) | {1} | {2} | {3} | {4} | {5} |\n",
            rule.id,
            rule.severity.as_str(),
            cell(rule.basis.describe()),
            cell(rule.applies.as_str()),
            cell(rule.summary),
            cell(rule.source),
        ));
    }
    text.push_str("<!-- rules:end -->");
    text
}

#[test]
fn the_case_format_guide_is_generated_from_the_schemas() {
    check_generated("docs/case-format.md", &case_format());
}

#[test]
fn the_rule_table_is_generated_from_the_registry() {
    let path = common::root().join("docs/rules.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text
        .find("<!-- rules:start")
        .expect("docs/rules.md keeps the markers of its generated table");
    let end = text.find("<!-- rules:end -->").unwrap() + "<!-- rules:end -->".len();
    let generated = format!("{}{}{}", &text[..start], rule_table(), &text[end..]);
    check_generated("docs/rules.md", &generated);
}

#[test]
fn the_generated_guides_name_every_field_and_rule() {
    // The generators themselves: a field or rule they skip would pass the drift tests unseen.
    let format = case_format();
    fn names(schema: &Value, defs: &Value, out: &mut Vec<String>) {
        let schema = resolve(schema, defs);
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (name, sub) in props {
                out.push(name.clone());
                names(sub, defs, out);
            }
        }
        if let Some(items) = schema.get("items") {
            names(items, defs, out);
        }
    }
    for kind in ehcpack::case::Kind::ALL {
        let schema: Value = serde_json::from_str(ehcpack::schema::text(kind)).unwrap();
        let mut fields = Vec::new();
        names(&schema, &schema["$defs"], &mut fields);
        for field in fields {
            assert!(
                format.contains(&format!("{field}` |")),
                "{}: `{field}` has no row",
                kind.name()
            );
        }
    }
    let table = rule_table();
    for rule in ehcpack::rules::RuleId::ALL {
        assert!(
            table.contains(&format!("[`{rule}`](rules/{rule}.md)")),
            "{rule}"
        );
        assert!(Path::new(&common::root().join(format!("docs/rules/{rule}.md"))).exists());
    }
}

#[test]
fn a_drifted_guide_fails_with_how_to_regenerate() {
    let table = rule_table();
    assert_eq!(compare("docs/rules.md", &table, &table), Ok(()));
    let drifted = table.replacen("| error |", "| warning |", 1);
    let why = compare("docs/rules.md", &drifted, &table).unwrap_err();
    assert!(why.contains(REGENERATE), "{why}");
    assert!(why.contains("first difference at line 4"), "{why}");
    // A file cut short is caught too, at the first line it lacks.
    let short = &table[..table.find("<!-- rules:end").unwrap()];
    let why = compare("docs/rules.md", short, &table).unwrap_err();
    assert!(why.contains("(end of file)"), "{why}");
}

/// The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// A document's text with its fenced code blocks left out (a `# comment` there is no heading).
fn prose(text: &str) -> String {
    let mut inside = false;
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with("```") {
            inside = !inside;
            continue;
        }
        if !inside {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[test]
fn every_link_between_the_guides_leads_somewhere() {
    // The README was split into guides; a link to a moved section, or to a heading renamed
    // since, would otherwise fail only when a reader follows it.
    let root = common::root();
    let mut documents = vec![
        "README.md".to_string(),
        "SECURITY.md".to_string(),
        "sample-cases/README.md".to_string(),
    ];
    for folder in ["docs", "docs/rules"] {
        for entry in std::fs::read_dir(root.join(folder)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if name.ends_with(".md") {
                documents.push(format!("{folder}/{name}"));
            }
        }
    }
    let headings = |path: &Path| -> Vec<String> {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        prose(&text)
            .lines()
            .filter(|l| l.starts_with('#'))
            .map(|l| anchor(l.trim_start_matches('#')))
            .collect()
    };
    let mut broken = Vec::new();
    let mut checked = 0;
    for document in &documents {
        let path = root.join(document);
        let text = prose(&std::fs::read_to_string(&path).unwrap());
        for (at, _) in text.match_indices("](") {
            let rest = &text[at + 2..];
            let Some(end) = rest.find(')') else { continue };
            let target = &rest[..end];
            if target.contains("://") || target.starts_with("mailto:") || target.contains(' ') {
                continue;
            }
            let (file, fragment) = target.split_once('#').unwrap_or((target, ""));
            let linked = if file.is_empty() {
                path.clone()
            } else {
                path.parent().unwrap().join(file)
            };
            checked += 1;
            if !linked.exists() {
                broken.push(format!("{document}: `{target}`: no such file"));
            } else if !fragment.is_empty()
                && linked.extension().is_some_and(|e| e == "md")
                && !headings(&linked).iter().any(|h| h == fragment)
            {
                broken.push(format!("{document}: `{target}`: no such heading"));
            }
        }
    }
    assert!(checked > 50, "only {checked} links found");
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn the_link_check_knows_githubs_anchors() {
    assert_eq!(anchor(" A SENCO's first hour"), "a-sencos-first-hour");
    assert_eq!(anchor(" JSON (`--format json`)"), "json---format-json");
    assert_eq!(
        anchor(" Batches, CI and the LA's view"),
        "batches-ci-and-the-las-view"
    );
}
