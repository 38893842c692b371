//! protected-address-leak: any part of a protected address outside the pupil's own address
//! block (Durham toolkit, "Maintenance of SEN records").

use super::Context;
use crate::diagnostic::catalogue::RuleId;
use crate::diagnostic::Diagnostic;
use crate::load::case::{Case, Kind};
use crate::load::spanned::Spanned;
use crate::privacy::Redactor;

pub(super) fn check(case: &Case, _ctx: &Context, redactor: &Redactor, out: &mut Vec<Diagnostic>) {
    if !redactor.is_protected() {
        return;
    }
    for document in case.documents.iter().filter(|d| !d.unreadable) {
        comments(document, redactor, out);
    }
    evidence(case, out);
    for (doc, document) in case.documents.iter().enumerate() {
        let Some(root) = &document.root else { continue };
        let mut strings = Vec::new();
        root.strings("", &mut strings);
        for (pointer, node) in strings {
            if document.kind == Some(Kind::Pupil) && pointer.starts_with("/address/") {
                continue;
            }
            let parts = redactor.parts_in(node.as_str().unwrap_or_default());
            if parts.is_empty() {
                continue;
            }
            // The message names the field and which part, never the address itself.
            out.push(case.at(
                doc,
                &pointer,
                Diagnostic::new(
                    RuleId::ProtectedAddressLeak,
                    format!(
                        "the pupil's address is protected, and {} {} in `{}`",
                        parts.join(" and "),
                        if parts.len() == 1 {
                            "appears"
                        } else {
                            "appear"
                        },
                        pointer.trim_start_matches('/').replace('/', ".")
                    ),
                    "remove the address from this text; a protected address must not be shared \
                     on any document, and the pack says only that it is withheld",
                ),
            ));
        }
    }
}

/// An evidence PDF whose text or metadata holds the address goes to the LA as it is: the
/// finding stands at its entry (evidence.yaml, or a professional's `report:`). One that could
/// not be read far enough to tell is said so, as a warning.
fn evidence(case: &Case, out: &mut Vec<Diagnostic>) {
    use crate::load::evidence::AddressScan;
    let mut entries: Vec<(usize, &Spanned<String>)> = Vec::new();
    if let Some(e) = &case.evidence {
        for f in &e.value.files {
            entries.push((e.doc, &f.path));
        }
    }
    if let Some(p) = &case.professionals {
        for inv in &p.value.involvements {
            if let Some(report) = &inv.report {
                entries.push((p.doc, report));
            }
        }
    }
    for (doc, field) in entries {
        let path = field.value.as_str();
        let Some(facts) = case.evidence_facts(path) else {
            continue;
        };
        match &facts.address {
            AddressScan::Found { parts, place } => {
                out.push(case.at_field(
                    doc,
                    field,
                    Diagnostic::new(
                        RuleId::ProtectedAddressLeak,
                        format!(
                        "the pupil's address is protected, and {} {} in {place} of the evidence \
                         file `{}`",
                        parts.join(" and "),
                        if parts.len() == 1 { "appears" } else { "appear" },
                        path
                    ),
                        "ask the author for a copy without the address and put that in the case \
                     folder; a protected address must not be shared on any document, and the \
                     pack carries the file as it is",
                    ),
                ))
            }
            AddressScan::Unread(why) => {
                let mut d = case.at_field(
                    doc,
                    field,
                    Diagnostic::new(
                        RuleId::ProtectedAddressLeak,
                        format!(
                            "ehcpack cannot tell whether the evidence file `{}` shows the \
                             pupil's protected address: it {why}",
                            path
                        ),
                        "check the file by eye before sending it; if it shows the address, ask \
                         the author for a copy without it",
                    ),
                );
                d.severity = crate::diagnostic::Severity::Warning;
                out.push(d);
            }
            AddressScan::NotScanned | AddressScan::Clear => {}
        }
    }
}

/// A comment (`# Josh lives at ...`) is no value, yet it is in the file the school keeps and in
/// the copy inside the pack (withheld there): an address in one is a leak like any other.
fn comments(
    document: &crate::load::case::Document,
    redactor: &Redactor,
    out: &mut Vec<Diagnostic>,
) {
    for (n, line) in document.text.lines().enumerate() {
        let Some(at) = comment_start(line) else {
            continue;
        };
        let parts = redactor.parts_in(&line[at..]);
        if parts.is_empty() {
            continue;
        }
        out.push(
            Diagnostic::new(
                RuleId::ProtectedAddressLeak,
                format!(
                    "the pupil's address is protected, and {} {} in a comment",
                    parts.join(" and "),
                    if parts.len() == 1 {
                        "appears"
                    } else {
                        "appear"
                    },
                ),
                "remove the address from the comment; a protected address must not be shared \
                 on any document, and the pack says only that it is withheld",
            )
            .in_file(&document.path)
            .at(n + 1, line[..at].chars().count() + 1),
        );
    }
}

/// Where a YAML comment starts on a line: a `#` at the start or after a space or tab, outside
/// quotes.
fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let (mut single, mut double) = (false, false);
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\'' if !double => single = !single,
            b'"' if !single => double = !double,
            b'#' if !single && !double && (i == 0 || matches!(bytes[i - 1], b' ' | b'\t')) => {
                return Some(i)
            }
            _ => {}
        }
    }
    None
}
