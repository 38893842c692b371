//! font-coverage: a character that none of the pack's fonts (the bundled ones and those added
//! with `--font` or the profile's `fonts:`) can print would show as a replacement mark in the
//! pack.

use super::glyphs::{describe, needs_no_glyph};
use super::Context;
use crate::diagnostic::catalogue::RuleId;
use crate::diagnostic::Diagnostic;
use crate::load::case::Case;

/// At most this many findings per document: one unreadable script is one problem.
const PER_DOCUMENT: usize = 10;

pub(super) fn check(
    case: &Case,
    ctx: &Context,
    redactor: &crate::privacy::Redactor,
    out: &mut Vec<Diagnostic>,
) {
    // Asked of the fonts only when a value has a character outside ASCII (making it reads
    // every font's tables).
    let mut coverage = None;
    // The pack prints each value redacted, so the characters that matter are those of the
    // redacted value; and a list of characters must not spell a protected address out one by
    // one (`U+FF24 Ｄ, U+FF28 Ｈ, ...`).
    for (doc, document) in case.documents.iter().enumerate() {
        let Some(root) = &document.root else { continue };
        // Only values with a character outside ASCII are read further (and only those are
        // given their place): the bundled fonts print every ASCII character.
        let mut strings = Vec::new();
        root.each_string(&mut |at, node| {
            if !node.as_str().unwrap_or_default().is_ascii() {
                strings.push((at.pointer(), node));
            }
        });
        let mut found = 0;
        for (pointer, node) in strings {
            let text = node.as_str().unwrap_or_default();
            let redacted = redactor.redact(text);
            let text = redacted.as_str();
            let mut missing: Vec<char> = Vec::new();
            let covers = &*coverage.get_or_insert_with(|| ctx.glyphs.covers());
            for c in text.chars() {
                if !c.is_ascii() && !needs_no_glyph(c) && !covers(c) && !missing.contains(&c) {
                    missing.push(c);
                }
            }
            if missing.is_empty() {
                continue;
            }
            found += 1;
            if found > PER_DOCUMENT {
                break;
            }
            let field = pointer.trim_start_matches('/').replace('/', ".");
            let shown: Vec<String> = missing.iter().take(5).map(|c| describe(*c)).collect();
            let more = match missing.len() {
                n if n > 5 => format!(" and {} more", n - 5),
                _ => String::new(),
            };
            out.push(case.at(
                doc,
                &pointer,
                Diagnostic::new(
                    RuleId::FontCoverage,
                    format!(
                        "`{field}` has {}{more} that no font of the pack can print; the pack would \
                         show a replacement mark (�) instead",
                        shown.join(", ")
                    ),
                    "render with a font that has these characters: `--font FILE` (a TTF or OTF, \
                     e.g. Noto Sans Arabic for Arabic), or list it under `fonts:` in the profile",
                ),
            ));
        }
    }
}
