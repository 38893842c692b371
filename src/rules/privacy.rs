//! protected-address-leak: any part of a protected address outside the pupil's own address
//! block (Durham toolkit, "Maintenance of SEN records").

use super::Context;
use crate::case::{Case, Kind};
use crate::diagnostic::Diagnostic;
use crate::privacy::Redactor;
use crate::rules::catalogue::RuleId;

pub(super) fn check(case: &Case, _ctx: &Context, out: &mut Vec<Diagnostic>) {
    let redactor = Redactor::for_case(case);
    if !redactor.is_protected() {
        return;
    }
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
