//! The Durham rules. Each family of rules is one module; each rule's text is in
//! `docs/rules/<id>.md` (see [`catalogue`]). Rules read the typed case and produce diagnostics;
//! they never print.

/// The registry under its old path, for code written before it moved beside [`Diagnostic`],
/// apart from the rules' logic. Code inside the crate names `crate::diagnostic::catalogue`.
pub use crate::diagnostic::catalogue;
pub use crate::diagnostic::catalogue::RuleId;
mod dates;
mod fonts;
pub mod glyphs;
mod people;
mod plans;
mod privacy;
mod records;

pub use crate::load::evidence::evidence_problem;

use std::sync::Arc;

use chrono::NaiveDate;

use crate::diagnostic::Diagnostic;
use crate::load::case::Case;
use crate::profile::Profile;
use glyphs::GlyphCoverage;

/// What the rules need besides the case. `Context::new` and `with_fonts` are in
/// [`crate::check`], which gives it the pack's fonts (the bundled ones unless the user adds some):
/// the rules themselves only ask a [`GlyphCoverage`].
#[derive(Debug, Clone)]
pub struct Context<'a> {
    pub profile: &'a Profile,
    /// "Today", fixed by `--today` for reproducible runs.
    pub today: NaiveDate,
    /// The date the LA received the request, for cases that do not record one.
    pub received: Option<NaiveDate>,
    /// What the fonts the pack is printed with can print (rule `font-coverage`).
    pub glyphs: Arc<dyn GlyphCoverage>,
}

impl<'a> Context<'a> {
    /// A context whose pack is printed in the fonts `glyphs` describes.
    pub fn with_glyphs(
        profile: &'a Profile,
        today: NaiveDate,
        glyphs: Arc<dyn GlyphCoverage>,
    ) -> Context<'a> {
        Context {
            profile,
            today,
            received: None,
            glyphs,
        }
    }

    /// The request's planned submission date where set, else today.
    pub fn submission_date(&self, case: &Case) -> NaiveDate {
        case.request
            .as_ref()
            .and_then(|r| r.value.planned_submission_date)
            .unwrap_or(self.today)
    }
}

/// Runs every rule over a complete case.
pub fn check(case: &Case, ctx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // Whether every character can be printed does not depend on the case being complete.
    fonts::check(case, ctx, &mut out);
    if !case.is_complete() {
        return out;
    }
    plans::check(case, ctx, &mut out);
    dates::check(case, ctx, &mut out);
    people::check(case, ctx, &mut out);
    records::check(case, ctx, &mut out);
    privacy::check(case, ctx, &mut out);
    out
}

/// Whether free text says something (not blank, not a placeholder such as "TODO").
pub(crate) fn filled(text: &Option<String>) -> bool {
    text.as_deref().is_some_and(says_something)
}

pub(crate) fn says_something(text: &str) -> bool {
    let t = text.trim().to_lowercase();
    !t.is_empty() && !matches!(t.as_str(), "todo" | "tbc" | "tbd" | "n/a" | "-" | "...")
}

/// "1 plan", "2 plans".
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
