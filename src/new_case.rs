//! `ehcpack new`: a case folder with every document, each field commented in plain English.
//!
//! The files are written from the JSON Schemas themselves, so every comment is the schema's own
//! description and example (what to write, and which guidance asks for it) and cannot drift.

use std::fs;
use std::io;
use std::path::Path;

use serde_json::Value as Json;

use crate::load::case::Kind;
use crate::load::model::{RequestedBy, SenStatus};
use crate::load::schema;

/// Options a SENCO gives `ehcpack new`.
#[derive(Debug, Clone, Default)]
pub struct NewCase {
    pub year_group: Option<u8>,
    pub looked_after: bool,
    /// How many support plans to start with (Durham expects three).
    pub plans: usize,
}

const WIDTH: usize = 96;

/// Writes `bytes` to a new file at `path`: fails if anything (a file, a link) is there.
fn create_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?
        .write_all(bytes)
}

/// Writes the case folder (which must not exist, or be empty) and the schemas beside it in
/// `../schemas/` (for editors) unless they are there already. Returns the files written.
pub fn write(folder: &Path, options: &NewCase) -> io::Result<Vec<String>> {
    if folder.exists() && fs::read_dir(folder)?.next().is_some() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "the folder exists and is not empty; choose a new folder name so nothing is overwritten",
        ));
    }
    let schemas = folder
        .parent()
        .map(|p| p.join("schemas"))
        .unwrap_or_else(|| "schemas".into());
    // Only into real folders: a `schemas` link planted beside the case folder (or a link in
    // its place) would have the files written wherever it points.
    if fs::symlink_metadata(&schemas).is_ok_and(|m| !m.is_dir()) {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "{} is a link or a file, not a folder; ehcpack writes the schemas only into a \
                 real folder (remove it, or make the case folder elsewhere)",
                schemas.display()
            ),
        ));
    }
    fs::create_dir_all(folder.join("reports"))?;
    let mut written = Vec::new();
    fs::create_dir_all(&schemas)?;
    for kind in Kind::ALL {
        let path = schemas.join(format!("{}.schema.json", kind.name()));
        // A new file only: never through a link, never over a file that is there.
        if fs::symlink_metadata(&path).is_err() {
            create_new(&path, schema::text(kind).as_bytes())?;
        }
    }
    for kind in Kind::ALL {
        let count = if kind == Kind::Plan {
            options.plans.max(1)
        } else {
            1
        };
        for n in 1..=count {
            let name = if kind == Kind::Plan {
                format!("plan-{n}.yaml")
            } else {
                kind.usual_file().to_string()
            };
            let text = document(kind, options, n, count);
            create_new(&folder.join(&name), text.as_bytes())?;
            written.push(name);
        }
    }
    Ok(written)
}

/// The text of one commented, blank document.
pub fn document(kind: Kind, options: &NewCase, plan: usize, plans: usize) -> String {
    let schema: Json = serde_json::from_str(schema::text(kind)).expect("schemas are valid JSON");
    let mut out = format!(
        "# yaml-language-server: $schema=../schemas/{}.schema.json\n",
        kind.name()
    );
    comment(
        &mut out,
        "",
        schema["description"].as_str().unwrap_or_default(),
    );
    out.push_str(
        "#\n# Write each answer after its colon; fields marked (required) must be filled in, and a\n\
         # field left blank counts as not filled in. Long answers can go on the lines after a `|`.\n\
         # Run `ehcpack validate` on the folder to see what is left to do.\n",
    );
    if kind.bounds().0 == 0 {
        out.push_str(
            "#\n# This document is optional to the format: if it does not apply (for example no outside\n\
             # professionals are involved, or no reports are attached), delete this file. The rules\n\
             # say when the LA expects it.\n",
        );
    }
    if kind == Kind::Plan {
        out.push_str(&format!(
            "#\n# Plan {plan} of {plans}. {}\n",
            if plan < plans {
                "A past plan: fill in its `review` when the plan has been reviewed."
            } else {
                "The current plan: leave out the `review` until it has been reviewed."
            }
        ));
    }
    out.push_str(&format!("format: ehcpack/1\nkind: {}\n", kind.name()));
    let defs = schema.get("$defs").cloned().unwrap_or(Json::Null);
    let required = required_of(&schema);
    if let Some(props) = schema["properties"].as_object() {
        for (name, sub) in props {
            if name == "format" || name == "kind" {
                continue;
            }
            if kind == Kind::Plan && name == "review" && plan == plans {
                continue;
            }
            if kind == Kind::Pupil && name == "looked_after" && !options.looked_after {
                out.push_str("\n# looked_after: only for a looked-after child (see `ehcpack new --looked-after`).\n");
                continue;
            }
            let value = match (kind, name.as_str()) {
                (Kind::Pupil, "year_group") => options.year_group.map(|y| y.to_string()),
                (Kind::Pupil, "address") if options.looked_after => None,
                (Kind::Request, "requested_by") => Some(RequestedBy::School.as_str().into()),
                (Kind::Needs, "sen_status") => Some(SenStatus::SenSupport.as_str().into()),
                (Kind::Plan, "title") => Some(format!("Support plan {plan}")),
                _ => None,
            };
            out.push('\n');
            let start = out.len();
            field(
                &mut out,
                0,
                name,
                sub,
                &defs,
                required.contains(name),
                value,
            );
            if kind == Kind::Pupil && name == "address" && options.looked_after {
                // The block already has an empty `protected:`: fill it in, once.
                let block = out.split_off(start);
                out.push_str(&block.replacen("\n  protected:\n", "\n  protected: true\n", 1));
            }
        }
    }
    out
}

fn required_of(schema: &Json) -> Vec<String> {
    schema["required"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(Json::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

fn resolve<'a>(schema: &'a Json, defs: &'a Json) -> &'a Json {
    match schema.get("$ref").and_then(Json::as_str) {
        Some(r) => &defs[r.rsplit('/').next().unwrap_or_default()],
        None => schema,
    }
}

/// A comment block, wrapped, at an indent.
fn comment(out: &mut String, indent: &str, text: &str) {
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && indent.len() + 2 + line.len() + 1 + word.len() > WIDTH {
            out.push_str(&format!("{indent}# {line}\n"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(&format!("{indent}# {line}\n"));
    }
}

fn example_text(sub: &Json) -> Option<String> {
    let example = sub.get("examples")?.get(0)?;
    Some(match example {
        Json::String(s) => s.lines().next().unwrap_or_default().to_string(),
        Json::Array(items) => items
            .iter()
            .map(|i| match i {
                Json::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join("; "),
        Json::Object(_) => return None,
        other => other.to_string(),
    })
}

/// A value as a one-line YAML flow value, quoting text only where YAML needs it.
fn yaml_flow(value: &Json) -> String {
    match value {
        Json::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{k}: {}", yaml_flow(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Json::Array(items) => format!(
            "[{}]",
            items.iter().map(yaml_flow).collect::<Vec<_>>().join(", ")
        ),
        Json::String(s) => {
            let plain = !s.is_empty()
                && !s.contains([',', ':', '#', '{', '}', '[', ']', '"', '\''])
                && !s.starts_with(|c: char| c.is_ascii_digit() && !s.contains('-'))
                && s.trim() == s;
            if plain {
                s.clone()
            } else {
                Json::String(s.clone()).to_string()
            }
        }
        other => other.to_string(),
    }
}

fn field(
    out: &mut String,
    depth: usize,
    name: &str,
    sub: &Json,
    defs: &Json,
    required: bool,
    value: Option<String>,
) {
    let indent = "  ".repeat(depth);
    let resolved = resolve(sub, defs);
    let description = sub
        .get("description")
        .or_else(|| resolved.get("description"))
        .and_then(Json::as_str)
        .unwrap_or_default();
    let mut text = String::new();
    if required {
        text.push_str("(required) ");
    }
    text.push_str(description);
    if let Some(options) = resolved.get("enum").and_then(Json::as_array) {
        let options: Vec<String> = options
            .iter()
            .map(|o| o.as_str().map_or(o.to_string(), String::from))
            .collect();
        text.push_str(&format!(" One of: {}.", options.join(", ")));
    }
    // A list of entries is shown as the YAML entries would be written, each on its own line.
    let entries: Vec<&Json> = sub
        .get("examples")
        .and_then(|e| e.get(0))
        .and_then(Json::as_array)
        .map(|items| items.iter().filter(|i| i.is_object()).collect())
        .unwrap_or_default();
    if entries.is_empty() {
        if let Some(example) = example_text(sub).or_else(|| example_text(resolved)) {
            text.push_str(&format!(" Example: {example}"));
        }
    }
    comment(out, &indent, &text);
    if !entries.is_empty() {
        out.push_str(&format!("{indent}# Example:\n"));
        for entry in entries {
            out.push_str(&format!("{indent}#   - {}\n", yaml_flow(entry)));
        }
    }
    let kind = resolved
        .get("type")
        .and_then(Json::as_str)
        .unwrap_or("string");
    match kind {
        "object" => {
            out.push_str(&format!("{indent}{name}:\n"));
            object_fields(out, depth + 1, resolved, defs);
        }
        "array" => {
            let items = resolve(&resolved["items"], defs);
            if items.get("type").and_then(Json::as_str) == Some("object") && required {
                out.push_str(&format!("{indent}{name}:\n{indent}  -\n"));
                object_fields(out, depth + 2, items, defs);
            } else if items.get("type").and_then(Json::as_str) == Some("object") {
                let fields: Vec<String> = items["properties"]
                    .as_object()
                    .map(|p| {
                        let req = required_of(items);
                        p.keys()
                            .map(|k| {
                                if req.contains(k) {
                                    format!("{k} (required)")
                                } else {
                                    k.clone()
                                }
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                comment(
                    out,
                    &indent,
                    &format!(
                        "Each entry starts with `- ` and has: {}.",
                        fields.join(", ")
                    ),
                );
                out.push_str(&format!("{indent}{name}:\n"));
            } else {
                comment(
                    out,
                    &indent,
                    "A list: write each item on its own line, starting with `- `.",
                );
                out.push_str(&format!("{indent}{name}:\n"));
            }
        }
        _ => match value {
            Some(v) => out.push_str(&format!("{indent}{name}: {v}\n")),
            None => out.push_str(&format!("{indent}{name}:\n")),
        },
    }
}

fn object_fields(out: &mut String, depth: usize, schema: &Json, defs: &Json) {
    let required = required_of(schema);
    if let Some(props) = schema["properties"].as_object() {
        for (name, sub) in props {
            field(out, depth, name, sub, defs, required.contains(name), None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every list example in the schemas, written as `new` writes it, reads back as the same
    /// value: the commented example is YAML a SENCO can uncomment.
    #[test]
    fn list_examples_are_yaml_that_reads_back() {
        fn walk(schema: &Json, seen: &mut usize) {
            if let Some(items) = schema
                .get("examples")
                .and_then(|e| e.get(0))
                .and_then(Json::as_array)
            {
                for item in items.iter().filter(|i| i.is_object()) {
                    let text = format!("- {}\n", yaml_flow(item));
                    let node = crate::load::yaml::parse(&text).unwrap().unwrap();
                    assert_eq!(node.to_json(), Json::Array(vec![item.clone()]), "{text}");
                    *seen += 1;
                }
            }
            match schema {
                Json::Object(map) => map.values().for_each(|v| walk(v, seen)),
                Json::Array(items) => items.iter().for_each(|v| walk(v, seen)),
                _ => {}
            }
        }
        let mut seen = 0;
        for kind in Kind::ALL {
            walk(
                &serde_json::from_str(schema::text(kind)).unwrap(),
                &mut seen,
            );
        }
        assert!(seen >= 5, "{seen} list examples");
    }

    #[test]
    fn text_that_yaml_would_misread_is_quoted() {
        for text in [
            "a: b",
            "x, y",
            "# not a comment",
            "007",
            " padded",
            "",
            "[list]",
        ] {
            let written = yaml_flow(&Json::String(text.into()));
            let node = crate::load::yaml::parse(&format!("v: {written}\n"))
                .unwrap()
                .unwrap();
            assert_eq!(
                node.get("v").and_then(|v| v.as_str()),
                Some(text),
                "{written}"
            );
        }
    }
}
