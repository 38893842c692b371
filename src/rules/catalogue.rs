//! The rule catalogue: each rule's id, severity, summary, source and full explanation.
//!
//! The text lives in `docs/rules/<id>.md`, compiled in, so `ehcpack explain`, the diagnostics'
//! severity and source, and the README's rule table all come from one place.

use std::sync::OnceLock;

use crate::diagnostic::Severity;

/// Every rule, in the order the catalogue lists them: errors, then warnings.
const SOURCES: &[(&str, &str)] = &[
    (
        "yaml-syntax",
        include_str!("../../docs/rules/yaml-syntax.md"),
    ),
    (
        "case-structure",
        include_str!("../../docs/rules/case-structure.md"),
    ),
    ("schema", include_str!("../../docs/rules/schema.md")),
    (
        "apdr-cycles",
        include_str!("../../docs/rules/apdr-cycles.md"),
    ),
    (
        "plan-review-complete",
        include_str!("../../docs/rules/plan-review-complete.md"),
    ),
    (
        "smart-outcome",
        include_str!("../../docs/rules/smart-outcome.md"),
    ),
    (
        "plan-review-date",
        include_str!("../../docs/rules/plan-review-date.md"),
    ),
    (
        "dates-coherent",
        include_str!("../../docs/rules/dates-coherent.md"),
    ),
    (
        "sen-support-status",
        include_str!("../../docs/rules/sen-support-status.md"),
    ),
    (
        "parents-notified",
        include_str!("../../docs/rules/parents-notified.md"),
    ),
    (
        "headteacher-countersignature",
        include_str!("../../docs/rules/headteacher-countersignature.md"),
    ),
    (
        "parental-consent",
        include_str!("../../docs/rules/parental-consent.md"),
    ),
    (
        "pupil-views",
        include_str!("../../docs/rules/pupil-views.md"),
    ),
    (
        "parent-views",
        include_str!("../../docs/rules/parent-views.md"),
    ),
    (
        "attainment-progress",
        include_str!("../../docs/rules/attainment-progress.md"),
    ),
    (
        "need-described",
        include_str!("../../docs/rules/need-described.md"),
    ),
    (
        "provision-recorded",
        include_str!("../../docs/rules/provision-recorded.md"),
    ),
    (
        "specialist-parental-agreement",
        include_str!("../../docs/rules/specialist-parental-agreement.md"),
    ),
    (
        "evidence-file",
        include_str!("../../docs/rules/evidence-file.md"),
    ),
    (
        "protected-address-leak",
        include_str!("../../docs/rules/protected-address-leak.md"),
    ),
    (
        "guidance-date",
        include_str!("../../docs/rules/guidance-date.md"),
    ),
    (
        "review-frequency",
        include_str!("../../docs/rules/review-frequency.md"),
    ),
    (
        "pfa-outcomes",
        include_str!("../../docs/rules/pfa-outcomes.md"),
    ),
    (
        "costed-provision",
        include_str!("../../docs/rules/costed-provision.md"),
    ),
    (
        "consent-to-share",
        include_str!("../../docs/rules/consent-to-share.md"),
    ),
    (
        "year-group-age",
        include_str!("../../docs/rules/year-group-age.md"),
    ),
    (
        "looked-after-pep",
        include_str!("../../docs/rules/looked-after-pep.md"),
    ),
    (
        "health-development",
        include_str!("../../docs/rules/health-development.md"),
    ),
    (
        "font-coverage",
        include_str!("../../docs/rules/font-coverage.md"),
    ),
];

/// What the tool deliberately never checks, and why.
pub const NEVER: &str = include_str!("../../docs/rules/never.md");

#[derive(Debug, Clone)]
pub struct RuleDoc {
    pub id: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    pub source: &'static str,
    /// The whole explanation, as `ehcpack explain` prints it.
    pub text: &'static str,
}

fn field(text: &'static str, name: &str) -> &'static str {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
        .map(str::trim)
        .unwrap_or_else(|| panic!("rule doc lacks a `{name}:` line"))
}

pub fn all() -> &'static [RuleDoc] {
    static DOCS: OnceLock<Vec<RuleDoc>> = OnceLock::new();
    DOCS.get_or_init(|| {
        SOURCES
            .iter()
            .map(|(id, text)| RuleDoc {
                id,
                severity: match field(text, "severity") {
                    "error" => Severity::Error,
                    "warning" => Severity::Warning,
                    other => panic!("rule {id} has an unknown severity {other}"),
                },
                summary: field(text, "summary"),
                source: field(text, "source"),
                text,
            })
            .collect()
    })
}

pub fn get(id: &str) -> Option<&'static RuleDoc> {
    all().iter().find(|r| r.id == id)
}

/// The closest rule id to a mistyped one, for `explain`.
pub fn closest(id: &str) -> Option<&'static str> {
    all()
        .iter()
        .map(|r| (strsim::levenshtein(id, r.id), r.id))
        .filter(|(d, _)| *d <= 4)
        .min()
        .map(|(_, id)| id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_doc_parses_and_names_itself() {
        for rule in all() {
            assert!(
                rule.text.starts_with(&format!("# {}\n", rule.id)),
                "{} doc starts with its id",
                rule.id
            );
            for section in ["## What it checks", "## Why it matters", "## How to fix it"] {
                assert!(rule.text.contains(section), "{} lacks {section}", rule.id);
            }
        }
    }
}
