//! A finding is placed where its field was written: the rules name a model field (`Spanned<T>`),
//! not a pointer string, so the line and column a user sees are the field's own. Each test edits
//! one field of a copy of `sample-cases/year5-passing` and finds that field's place in the text
//! itself, apart from the loader, to compare with the finding.

use std::fs;
use std::path::Path;

use ehcpack::diagnostic::Diagnostic;
use ehcpack::profile::Profile;
use ehcpack::rules::{Context, RuleId};

use crate::common;

/// Replaces `from` with `to` in `file` of the case (the text must be there), and returns the
/// line and column (1-based, in characters) where `to` now starts.
fn edit(case: &Path, file: &str, from: &str, to: &str) -> (usize, usize) {
    let path = case.join(file);
    let text = fs::read_to_string(&path).unwrap();
    let at = text
        .find(from)
        .unwrap_or_else(|| panic!("{from:?} not in {file}"));
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before[before.rfind('\n').map_or(0, |n| n + 1)..]
        .chars()
        .count()
        + 1;
    (line, column)
}

fn findings(case: &Path) -> Vec<Diagnostic> {
    let profile = Profile::durham();
    let ctx = Context::new(&profile, "2026-01-15".parse().unwrap());
    ehcpack::validate(case, &ctx).1.into_inner().diagnostics
}

/// The one finding of `rule` in `file`, with its line and column.
fn placed(found: &[Diagnostic], rule: RuleId, file: &str) -> (usize, usize) {
    let hits: Vec<&Diagnostic> = found
        .iter()
        .filter(|d| d.rule == rule && d.file.as_ref().is_some_and(|f| f.ends_with(file)))
        .collect();
    assert_eq!(hits.len(), 1, "{rule:?} in {file}: {found:#?}");
    (hits[0].line.unwrap(), hits[0].column.unwrap())
}

#[test]
fn a_review_date_before_the_start_is_placed_at_the_date() {
    let (_tmp, case) = common::sample_copy("year5-passing");
    let (line, column) = edit(&case, "plan-3.yaml", "2026-02-13", "2025-11-01");
    let found = findings(&case);
    assert_eq!(
        placed(&found, RuleId::PlanReviewDate, "plan-3.yaml"),
        (line, column)
    );
}

#[test]
fn an_unsigned_countersignature_is_placed_at_signed() {
    let (_tmp, case) = common::sample_copy("year5-passing");
    let (line, column) = edit(&case, "request.yaml", "true", "false");
    let found = findings(&case);
    assert_eq!(
        placed(&found, RuleId::HeadteacherCountersignature, "request.yaml"),
        (line, column)
    );
}

/// An item of a flow list inside an item of a block list: the place is the item's own.
#[test]
fn an_unknown_outcome_in_provision_is_placed_at_the_reference() {
    let (_tmp, case) = common::sample_copy("year5-passing");
    let (line, column) = edit(&case, "plan-3.yaml", "O4]", "O9]");
    let found = findings(&case);
    assert_eq!(
        placed(&found, RuleId::PlanReferences, "plan-3.yaml"),
        (line, column)
    );
}

#[test]
fn a_request_for_a_pupil_with_a_plan_is_placed_at_the_status() {
    let (_tmp, case) = common::sample_copy("year5-passing");
    let (line, column) = edit(&case, "needs.yaml", "sen_status: K", "sen_status: E");
    let found = findings(&case);
    // The value, after `sen_status: `.
    assert_eq!(
        placed(&found, RuleId::SenSupportStatus, "needs.yaml"),
        (line, column + "sen_status: ".len())
    );
}
