//! YAML text for a value the form sent: a scalar on one line (plain when that reads back the
//! same, else quoted), a block scalar for text over several lines, and lists and maps written out
//! at a given indentation.

use serde_json::Value as Json;

use super::{is_blank, is_unchanged};
use crate::load::yaml;

/// A scalar written on one line, as it will read back: plain when that is safe, else quoted.
/// `None` for a value that needs lines of its own.
pub(super) fn inline_scalar(value: &Json) -> Option<String> {
    match value {
        Json::Null => Some(String::new()),
        Json::Bool(b) => Some(b.to_string()),
        Json::Number(n) => Some(n.to_string()),
        Json::String(s) if s.contains('\n') => None,
        Json::String(s) => Some(scalar_text(s)),
        _ => None,
    }
}

/// Text as a YAML scalar on one line.
fn scalar_text(s: &str) -> String {
    if plain_is_safe(s) {
        s.to_string()
    } else if s.chars().all(|c| !c.is_control()) {
        format!("'{}'", s.replace('\'', "''"))
    } else {
        // JSON's string escapes are YAML's double-quoted escapes.
        serde_json::to_string(s).unwrap_or_else(|_| "''".into())
    }
}

fn plain_is_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let last = s.chars().last().unwrap_or(first);
    !first.is_whitespace()
        && !last.is_whitespace()
        && !"-?:,[]{}#&*!|>'\"%@`".contains(first)
        && !last.eq(&':')
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.chars().any(|c| c.is_control() || c == '\u{feff}')
        // What other YAML readers (YAML 1.1 editors) would take as yes/no.
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "y" | "n" | "yes" | "no" | "on" | "off"
        )
        && matches!(yaml::parse(&format!("v: {s}\n")), Ok(Some(ref n)) if n.get("v").and_then(|v| v.as_str()) == Some(s))
}

/// What follows `key:` for a value: ` text` on the same line, or lines of their own indented
/// under a key at column `indent`.
pub(super) fn render_after_key(value: &Json, indent: usize) -> String {
    if is_blank(value) {
        return String::new();
    }
    match value {
        Json::Object(_) | Json::Array(_) => format!("\n{}", render_block(value, indent + 2)),
        Json::String(s) if s.contains('\n') => block_scalar(s, indent + 2),
        other => format!(" {}", inline_scalar(other).unwrap_or_default()),
    }
}

/// A multi-line text as a literal block (`|`), or quoted when a block cannot keep it exactly.
fn block_scalar(s: &str, indent: usize) -> String {
    let first_line = s.lines().next().unwrap_or("");
    if first_line.starts_with(' ') || s.chars().any(|c| c.is_control() && c != '\n') {
        return format!(" {}", serde_json::to_string(s).unwrap_or_default());
    }
    let body = s.trim_end_matches('\n');
    let chomp = match s.len() - body.len() {
        0 => "-",
        1 => "",
        _ => "+",
    };
    let pad = " ".repeat(indent);
    let mut out = format!(" |{chomp}");
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
    }
    for _ in 1..(s.len() - body.len()) {
        out.push('\n');
    }
    out
}

/// A list or object as lines at column `indent` (no line break before, none after).
pub(super) fn render_block(value: &Json, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut lines = Vec::new();
    match value {
        Json::Object(fields) => {
            for (k, v) in fields {
                if is_blank(v) || is_unchanged(v) {
                    continue;
                }
                lines.push(format!("{pad}{k}:{}", render_after_key(v, indent)));
            }
        }
        Json::Array(items) => {
            for item in items {
                lines.push(render_item(item, indent));
            }
        }
        other => lines.push(format!("{pad}{}", inline_scalar(other).unwrap_or_default())),
    }
    lines.join("\n")
}

/// One list item, its dash at column `dash`.
pub(super) fn render_item(item: &Json, dash: usize) -> String {
    let pad = " ".repeat(dash);
    match item {
        Json::Object(_) if !is_blank(item) => {
            let inner = render_block(item, dash + 2);
            format!("{pad}- {}", &inner[dash + 2..])
        }
        Json::Object(_) => format!("{pad}- {{}}"),
        Json::String(s) if s.contains('\n') => format!("{pad}-{}", block_scalar(s, dash + 2)),
        Json::Array(_) => format!("{pad}- []"),
        other => format!("{pad}- {}", inline_scalar(other).unwrap_or_default()),
    }
}
