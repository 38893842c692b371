//! Where a case keeps the protected address: which documents are the pupil's (or look like it),
//! the address blocks in them, and whether a block is flagged protected. Every doubt (a mistyped
//! flag, a flag in the wrong place, two pupil-like documents) reads as protected: failing closed.

use crate::load::case::{Document, Kind};
use crate::load::yaml::{Node, Value};
use crate::privacy::gate::path_text;
use crate::privacy::normalise::squash;

/// Whether a document may be the pupil's: declared `kind: pupil`, or of no known kind and named
/// like one, declaring something like `kind: pupil`, or holding a pupil's fields.
pub(super) fn pupil_like(doc: &Document) -> bool {
    if doc.kind == Some(Kind::Pupil) {
        return true;
    }
    if doc.kind.is_some() {
        return false;
    }
    let name = squash(&path_text(&doc.path));
    let named = windows_contain(&name, "pupil");
    // In its text, or in any other reading of its bytes.
    let declared = std::iter::once(&doc.text)
        .chain(&doc.other_readings)
        .flat_map(|t| t.lines())
        .any(|l| {
            let l = squash(l);
            l.starts_with(&['k', 'i', 'n', 'd']) && windows_contain(&l, "pupil")
        });
    let fields = doc.root.as_ref().is_some_and(|root| {
        root.get("legal_name").is_some()
            || root.get("upn").is_some()
            || root.get("address").is_some()
    });
    named || declared || fields
}

pub(super) fn windows_contain(hay: &[char], needle: &str) -> bool {
    let needle: Vec<char> = needle.chars().collect();
    hay.windows(needle.len()).any(|w| w == needle.as_slice())
}

/// The address blocks of a pupil document: `address`, and any key that reads as it once
/// normalised (`Address`, `address `).
pub(super) fn address_nodes(root: &Node) -> Vec<&Node> {
    let Value::Map(entries) = &root.value else {
        return Vec::new();
    };
    let want: Vec<char> = "address".chars().collect();
    entries
        .iter()
        .filter(|e| {
            squash(&e.key) == want || strsim::levenshtein(&e.key.to_lowercase(), "address") == 1
        })
        .map(|e| &e.value)
        .collect()
}

/// Whether a key that reads as `protected` stands anywhere in the document outside its address
/// blocks (walked without recursion).
pub(super) fn misplaced_flag(root: &Node, addresses: &[&Node]) -> bool {
    flag_below(vec![root], addresses)
}

/// Whether a key reads as `protected` once normalised, misspelt by two letters at most.
pub(super) fn reads_as_protected(key: &str) -> bool {
    let key: String = squash(key).into_iter().collect();
    key == "protected" || strsim::levenshtein(&key, "protected") <= 2
}

/// Whether a key that reads as `protected` stands in any map at or below `start`, leaving out
/// the nodes in `skip` (walked without recursion).
pub(super) fn flag_below(start: Vec<&Node>, skip: &[&Node]) -> bool {
    let mut stack = start;
    while let Some(node) = stack.pop() {
        if skip.iter().any(|a| std::ptr::eq(*a, node)) {
            continue;
        }
        match &node.value {
            Value::Map(entries) => {
                if entries.iter().any(|e| reads_as_protected(&e.key)) {
                    return true;
                }
                stack.extend(entries.iter().map(|e| &e.value));
            }
            Value::Seq(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
    false
}

/// Whether an address block is protected, and whether its flag says so clearly. A clear
/// `protected: true`/`false` (or no flag at all) is certain; a flag left blank (`protected:`,
/// `protected: ~`: someone began to say something), misspelt or mistyped (`Protected:`,
/// `protected: yes`) counts as protected, and as uncertain.
pub(super) fn protected_flag(address: &Node) -> (bool, bool) {
    let Value::Map(entries) = &address.value else {
        // An address written as one string, or a list: nothing says it is not protected.
        return (true, false);
    };
    // A flag nested deeper in the block (`address: home: protected: true`): the block has the
    // wrong shape, and the flag says to protect it.
    let nested = flag_below(entries.iter().map(|e| &e.value).collect(), &[]);
    let mut protected = nested;
    let mut certain = !nested;
    for e in entries {
        if e.key == "protected" {
            match e.value.value {
                Value::Bool(b) => protected |= b,
                _ => {
                    protected = true;
                    certain = false;
                }
            }
        } else if reads_as_protected(&e.key) {
            protected = true;
            certain = false;
        }
    }
    (protected, certain)
}
