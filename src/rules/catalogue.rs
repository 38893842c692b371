//! The registry of rules: every rule id as a [`RuleId`], with its severity, summary, source and
//! full explanation.
//!
//! The text lives in `docs/rules/<id>.md`, compiled in, so `ehcpack explain`, the diagnostics'
//! severity and source, the `status` checklist, the pack's check summary, the report writers and
//! the README's rule table all come from one place. A rule id is a value of [`RuleId`], so a
//! misspelt id is a compile error, not a panic at run time.

use std::fmt;
use std::sync::OnceLock;

use serde::{Serialize, Serializer};

use crate::diagnostic::Severity;

/// Declares [`RuleId`] once: each variant with its id and its compiled-in documentation.
macro_rules! registry {
    ($($variant:ident => $id:literal,)*) => {
        /// A rule's stable id. `as_str` gives the kebab-case id users see.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum RuleId {
            $($variant,)*
        }

        impl RuleId {
            /// Every rule, in the order the catalogue lists them: errors, then warnings.
            pub const ALL: &'static [RuleId] = &[$(RuleId::$variant,)*];

            /// The id users see and type: `apdr-cycles`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(RuleId::$variant => $id,)*
                }
            }

            /// The rule's documentation, `docs/rules/<id>.md`, as `ehcpack explain` prints it.
            pub const fn doc_text(self) -> &'static str {
                match self {
                    $(RuleId::$variant => include_str!(concat!("../../docs/rules/", $id, ".md")),)*
                }
            }
        }
    };
}

registry! {
    YamlSyntax => "yaml-syntax",
    CaseStructure => "case-structure",
    Schema => "schema",
    ApdrCycles => "apdr-cycles",
    PlanReviewComplete => "plan-review-complete",
    SmartOutcome => "smart-outcome",
    PlanReviewDate => "plan-review-date",
    DatesCoherent => "dates-coherent",
    SenSupportStatus => "sen-support-status",
    ParentsNotified => "parents-notified",
    HeadteacherCountersignature => "headteacher-countersignature",
    ParentalConsent => "parental-consent",
    PupilViews => "pupil-views",
    ParentViews => "parent-views",
    AttainmentProgress => "attainment-progress",
    NeedDescribed => "need-described",
    ProvisionRecorded => "provision-recorded",
    SpecialistParentalAgreement => "specialist-parental-agreement",
    EvidenceFile => "evidence-file",
    ProtectedAddressLeak => "protected-address-leak",
    LookedAfter => "looked-after",
    PlanReferences => "plan-references",
    PackIntegrity => "pack-integrity",
    Archive => "archive",
    GuidanceDate => "guidance-date",
    ReviewFrequency => "review-frequency",
    PfaOutcomes => "pfa-outcomes",
    CostedProvision => "costed-provision",
    ConsentToShare => "consent-to-share",
    YearGroupAge => "year-group-age",
    LookedAfterPep => "looked-after-pep",
    HealthDevelopment => "health-development",
    ReportAge => "report-age",
    FontCoverage => "font-coverage",
    DuplicatePupil => "duplicate-pupil",
}

impl RuleId {
    /// The id a user typed, exactly.
    pub fn parse(id: &str) -> Option<RuleId> {
        RuleId::ALL.iter().copied().find(|r| r.as_str() == id)
    }

    /// The rule's catalogue entry.
    pub fn doc(self) -> &'static RuleDoc {
        &all()[self as usize]
    }

    pub fn severity(self) -> Severity {
        self.doc().severity
    }

    pub fn summary(self) -> &'static str {
        self.doc().summary
    }

    pub fn source(self) -> &'static str {
        self.doc().source
    }

    /// Whether the rule is about one case folder (as opposed to a received pack or archive, or
    /// a batch): these are the rules a pack's check summary lists.
    pub fn checks_a_case(self) -> bool {
        !matches!(
            self,
            RuleId::PackIntegrity | RuleId::Archive | RuleId::DuplicatePupil
        )
    }

    /// The rules that stop the others running until they are fixed: a document that does not
    /// read would set off a cascade of wrong findings elsewhere.
    pub fn is_reading(self) -> bool {
        matches!(
            self,
            RuleId::YamlSyntax | RuleId::CaseStructure | RuleId::Schema
        )
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for RuleId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl PartialEq<&str> for RuleId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// What the tool deliberately never checks, and why.
pub const NEVER: &str = include_str!("../../docs/rules/never.md");

#[derive(Debug, Clone)]
pub struct RuleDoc {
    pub id: RuleId,
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

/// Every rule's catalogue entry, in [`RuleId::ALL`] order.
pub fn all() -> &'static [RuleDoc] {
    static DOCS: OnceLock<Vec<RuleDoc>> = OnceLock::new();
    DOCS.get_or_init(|| {
        RuleId::ALL
            .iter()
            .map(|&id| {
                let text = id.doc_text();
                RuleDoc {
                    id,
                    severity: match field(text, "severity") {
                        "error" => Severity::Error,
                        "warning" => Severity::Warning,
                        other => panic!("rule {id} has an unknown severity {other}"),
                    },
                    summary: field(text, "summary"),
                    source: field(text, "source"),
                    text,
                }
            })
            .collect()
    })
}

/// The catalogue entry of an id a user typed.
pub fn get(id: &str) -> Option<&'static RuleDoc> {
    RuleId::parse(id).map(RuleId::doc)
}

/// The closest rule id to a mistyped one, for `explain`.
pub fn closest(id: &str) -> Option<&'static str> {
    RuleId::ALL
        .iter()
        .map(|r| (strsim::levenshtein(id, r.as_str()), r.as_str()))
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

    #[test]
    fn the_registry_is_in_catalogue_order_and_ids_are_unique() {
        for (i, id) in RuleId::ALL.iter().enumerate() {
            assert_eq!(*id as usize, i, "{id} sits at its own index");
            assert_eq!(RuleId::parse(id.as_str()), Some(*id));
        }
        // Errors first, then warnings, as `explain --list` and the README show them.
        let first_warning = all()
            .iter()
            .position(|r| r.severity == Severity::Warning)
            .unwrap();
        assert!(all()[first_warning..]
            .iter()
            .all(|r| r.severity == Severity::Warning));
        assert_eq!(RuleId::parse("apdr-cycle"), None);
        assert_eq!(closest("apdr-cycle"), Some("apdr-cycles"));
    }
}
