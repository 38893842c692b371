//! A looked-after child's protected address must not be shared on any document (Durham toolkit,
//! "Maintenance of SEN records"). This module finds its parts in text and withholds them from
//! every output: reports, messages, snippets and the PDF.

use crate::case::{Case, Kind};
use crate::yaml::{Node, Value};

/// What is printed in place of a protected address or any part of it.
pub const WITHHELD: &str = "[address withheld]";

/// Address lines shorter than this (after folding spaces) are too common to match on
/// ("Flat 2"); the postcode and the longer lines identify the address.
const MIN_LINE_CHARS: usize = 8;

/// The parts of a protected address, ready to search for.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// The postcode without spaces, upper case.
    postcode: Option<String>,
    /// Address lines, lower case, spaces folded.
    lines: Vec<String>,
    /// Every text value in a protected address block, whatever its key: withheld from output
    /// even when the block itself is mistyped (a misspelt `postcode:` is still the postcode).
    block: Vec<String>,
    /// Whether the pupil's address could be read at all. When it could not, nothing from the
    /// case's files is quoted.
    pub known: bool,
}

fn fold_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Redactor {
    /// Built from the raw pupil document, so that it works even when the case has other errors.
    pub fn for_case(case: &Case) -> Redactor {
        let pupil = case
            .documents
            .iter()
            .find(|d| d.kind == Some(Kind::Pupil))
            .and_then(|d| d.root.as_ref());
        match pupil.and_then(|p| p.get("address")) {
            Some(address) => Redactor::from_address(address),
            None => Redactor::default(),
        }
    }

    fn from_address(address: &Node) -> Redactor {
        // Anything but a clear `false` (or no flag) is taken as protected: a mistyped
        // `protected: yes` must not print the address.
        let protected = !matches!(
            address.get("protected").map(|n| &n.value),
            None | Some(Value::Bool(false)) | Some(Value::Null)
        );
        if !protected {
            return Redactor {
                known: true,
                ..Redactor::default()
            };
        }
        let postcode = address
            .get("postcode")
            .and_then(Node::as_str)
            .map(|p| p.split_whitespace().collect::<String>().to_uppercase())
            .filter(|p| p.len() >= 5);
        let lines = match address.get("lines").map(|n| &n.value) {
            Some(Value::Seq(items)) => items
                .iter()
                .filter_map(Node::as_str)
                .map(|l| fold_spaces(l).to_lowercase())
                .filter(|l| l.chars().count() >= MIN_LINE_CHARS)
                .collect(),
            _ => Vec::new(),
        };
        let mut strings = Vec::new();
        address.strings("", &mut strings);
        let block = strings
            .into_iter()
            .filter_map(|(_, n)| n.as_str())
            .map(|t| fold_spaces(t).to_lowercase())
            .filter(|t| t.chars().count() >= 4)
            .collect();
        Redactor {
            postcode,
            lines,
            block,
            known: true,
        }
    }

    pub fn is_protected(&self) -> bool {
        self.postcode.is_some() || !self.lines.is_empty() || !self.block.is_empty()
    }

    /// Which parts of the address a text contains: "the postcode", "an address line".
    pub fn parts_in(&self, text: &str) -> Vec<&'static str> {
        let mut parts = Vec::new();
        if let Some(pc) = &self.postcode {
            let squashed: String = text.split_whitespace().collect::<String>().to_uppercase();
            if squashed.contains(pc.as_str()) {
                parts.push("the postcode");
            }
        }
        let folded = fold_spaces(text).to_lowercase();
        if self.lines.iter().any(|l| folded.contains(l.as_str())) {
            parts.push("a line of the address");
        }
        parts
    }

    /// The text with every part of the protected address replaced by [`WITHHELD`].
    pub fn redact(&self, text: &str) -> String {
        if !self.is_protected() {
            return text.to_string();
        }
        let mut out = text.to_string();
        for line in self.lines.iter().chain(&self.block) {
            out = replace_folded(&out, line);
        }
        if let Some(pc) = &self.postcode {
            out = replace_postcode(&out, pc);
        }
        out
    }
}

/// Replaces `needle` (lower case, single spaces) in `text`, ignoring case and runs of spaces.
fn replace_folded(text: &str, needle: &str) -> String {
    let needle: Vec<char> = needle.chars().collect();
    replace_each(text, |hay| match_at(hay, &needle, char::is_whitespace))
}

/// Replaces a postcode (upper case, no spaces) wherever it stands, with any spacing.
fn replace_postcode(text: &str, postcode: &str) -> String {
    let needle: Vec<char> = postcode.chars().collect();
    replace_each(text, |hay| match_squashed(hay, &needle))
}

/// Replaces with [`WITHHELD`] every stretch of `text` that `matches` (given the rest of the
/// text, the length it matches at its start).
fn replace_each(text: &str, matches: impl Fn(&[char]) -> Option<usize>) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if let Some(len) = matches(&chars[i..]).filter(|len| *len > 0) {
            out.push_str(WITHHELD);
            i += len;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Length of `hay`'s prefix that equals `needle` when case is ignored and each space in the
/// needle may be any run of white space.
fn match_at(hay: &[char], needle: &[char], space: impl Fn(char) -> bool) -> Option<usize> {
    let mut h = 0;
    for &n in needle {
        if n == ' ' {
            if h >= hay.len() || !space(hay[h]) {
                return None;
            }
            while h < hay.len() && space(hay[h]) {
                h += 1;
            }
        } else {
            let c = *hay.get(h)?;
            if !c.to_lowercase().eq(n.to_lowercase()) {
                return None;
            }
            h += 1;
        }
    }
    Some(h)
}

/// Like [`match_at`], but white space may stand anywhere between the needle's characters.
fn match_squashed(hay: &[char], needle: &[char]) -> Option<usize> {
    let mut h = 0;
    for (k, &n) in needle.iter().enumerate() {
        if k > 0 {
            while h < hay.len() && hay[h].is_whitespace() {
                h += 1;
            }
        }
        let c = *hay.get(h)?;
        if !c.to_uppercase().eq(n.to_uppercase()) {
            return None;
        }
        h += 1;
    }
    Some(h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;

    fn redactor(yaml_text: &str) -> Redactor {
        Redactor::from_address(&yaml::parse(yaml_text).unwrap().unwrap())
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
        // The rule does not call a short line a leak, but output withholds it all the same.
        assert_eq!(r.parts_in("Flat 2"), Vec::<&str>::new());
        assert!(!out.contains("Flat 2"), "{out}");
        assert_eq!(
            r.redact("Postcode DH1\n9ZZ"),
            format!("Postcode {WITHHELD}")
        );
    }

    #[test]
    fn unprotected_address_is_left_alone() {
        let r = redactor("lines: [12 Example Row]\npostcode: DH1 9ZZ\n");
        assert!(!r.is_protected());
        assert!(r.known);
        assert_eq!(r.redact("12 Example Row DH1 9ZZ"), "12 Example Row DH1 9ZZ");
    }
}
