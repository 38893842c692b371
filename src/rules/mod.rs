//! The Durham rules. Each family of rules is one module; each rule's text is in
//! `docs/rules/<id>.md` (see [`catalogue`]). Rules read the typed case and produce diagnostics;
//! they never print.

/// The registry under its old path, for code written before it moved beside [`Diagnostic`],
/// apart from the rules' logic. Code inside the crate names `crate::diagnostic::catalogue`.
pub use crate::diagnostic::catalogue;
pub use crate::diagnostic::catalogue::RuleId;
mod dates;
pub mod duplicates;
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
use crate::load::model::RequestedBy;
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
            .and_then(|r| r.value.planned_submission_date.as_deref().copied())
            .unwrap_or(self.today)
    }
}

/// Runs every rule over a complete case. `redactor` is the case's, built once after loading
/// ([`crate::check`]): the rules that print or look for a protected address share it.
pub fn check(case: &Case, ctx: &Context, redactor: &crate::privacy::Redactor) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // Whether every character can be printed does not depend on the case being complete.
    fonts::check(case, ctx, redactor, &mut out);
    if !case.is_complete() {
        return out;
    }
    plans::check(case, ctx, &mut out);
    dates::check(case, ctx, &mut out);
    people::check(case, ctx, &mut out);
    records::check(case, ctx, redactor, &mut out);
    privacy::check(case, ctx, redactor, &mut out);
    by_requester(case, ctx, &mut out);
    out
}

/// Sets each finding's severity for who makes the request: what the profile sets for that
/// requester, else the registry's; a rule the toolkit ties to a school's request is advice on
/// anyone else's (Children and Families Act 2014 s36(1): a parent or a young person may ask for
/// an assessment, and anyone may bring a child to the LA's attention).
fn by_requester(case: &Case, ctx: &Context, out: &mut [Diagnostic]) {
    let requester = case.requested_by();
    for d in out.iter_mut() {
        let set = ctx.profile.severity_for(requester, d.rule);
        let advice = match set {
            Some(crate::profile::SetSeverity::Error) => {
                d.severity = crate::diagnostic::Severity::Error;
                false
            }
            Some(crate::profile::SetSeverity::Warning) => {
                d.severity = crate::diagnostic::Severity::Warning;
                false
            }
            Some(crate::profile::SetSeverity::Advice) => true,
            None => {
                d.rule.applies() == catalogue::Applies::School && requester != RequestedBy::School
            }
        };
        if advice {
            d.severity = crate::diagnostic::Severity::Warning;
            d.help.push_str(&format!(
                " (advice only on {}: the LA's policy ties this to a school's request, and it is \
                 no reason to return this one; Children and Families Act 2014 s36(1))",
                requester_phrase(requester)
            ));
        }
    }
}

/// "a parent's request", "a young person's request", "another professional's request".
pub fn requester_phrase(requester: RequestedBy) -> &'static str {
    match requester {
        RequestedBy::School => "a school's request",
        RequestedBy::Parent => "a parent's request",
        RequestedBy::YoungPerson => "a young person's request",
        RequestedBy::Other => "another professional's request",
    }
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
