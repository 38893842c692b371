//! The registry of rules: every rule id as a [`RuleId`], with its severity, summary, source and
//! full explanation.
//!
//! The text lives in `docs/rules/<id>.md`, compiled in, so `ehcpack explain`, the diagnostics'
//! severity and source, the `status` checklist, the pack's check summary, the report writers and
//! the rule table of docs/rules.md all come from one place. A rule id is a value of [`RuleId`], so a
//! misspelt id is a compile error, not a panic at run time.

use std::fmt;
use std::sync::OnceLock;

use serde::{Serialize, Serializer};

use super::Severity;

/// Declares [`RuleId`] once: each variant with its id and its compiled-in documentation.
macro_rules! registry {
    ($($variant:ident => $id:literal, $severity:ident, $basis:ident, $applies:ident;)*) => {
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

            /// The rule's severity on a request it applies to in full.
            pub const fn severity(self) -> Severity {
                match self {
                    $(RuleId::$variant => Severity::$severity,)*
                }
            }

            /// What the rule rests on: the law, the Code of Practice, the LA's policy or
            /// ehcpack's design.
            pub const fn basis(self) -> Basis {
                match self {
                    $(RuleId::$variant => Basis::$basis,)*
                }
            }

            /// Which requests the rule applies to in full.
            pub const fn applies(self) -> Applies {
                match self {
                    $(RuleId::$variant => Applies::$applies,)*
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
    YamlSyntax => "yaml-syntax", Error, Design, Every;
    CaseStructure => "case-structure", Error, Design, Every;
    Schema => "schema", Error, Design, Every;
    ApdrCycles => "apdr-cycles", Error, LaPolicy, School;
    PlanReviewComplete => "plan-review-complete", Error, CodeShould, School;
    SmartOutcome => "smart-outcome", Error, CodeShould, School;
    PlanReviewDate => "plan-review-date", Error, CodeShould, School;
    DatesCoherent => "dates-coherent", Error, Design, Every;
    SenSupportStatus => "sen-support-status", Error, LaPolicy, School;
    ParentsNotified => "parents-notified", Error, Law, School;
    HeadteacherCountersignature => "headteacher-countersignature", Error, LaPolicy, School;
    ParentalConsent => "parental-consent", Error, LaPolicy, School;
    PupilViews => "pupil-views", Error, CodeShould, Every;
    ParentViews => "parent-views", Error, CodeShould, Every;
    AttainmentProgress => "attainment-progress", Error, LaPolicy, School;
    NeedDescribed => "need-described", Error, LaPolicy, Every;
    ProvisionRecorded => "provision-recorded", Error, CodeShould, School;
    SpecialistParentalAgreement => "specialist-parental-agreement", Error, CodeShould, Every;
    EvidenceFile => "evidence-file", Error, Design, Every;
    ProtectedAddressLeak => "protected-address-leak", Error, LaPolicy, Every;
    LookedAfter => "looked-after", Error, Law, Every;
    PlanReferences => "plan-references", Error, Design, Every;
    PackIntegrity => "pack-integrity", Error, Design, Every;
    Archive => "archive", Error, Design, Every;
    GuidanceDate => "guidance-date", Warning, LaPolicy, School;
    ReviewFrequency => "review-frequency", Warning, CodeShould, School;
    PfaOutcomes => "pfa-outcomes", Warning, LaPolicy, School;
    CostedProvision => "costed-provision", Warning, LaPolicy, School;
    ConsentToShare => "consent-to-share", Warning, LaPolicy, School;
    YearGroupAge => "year-group-age", Warning, Design, Every;
    LookedAfterPep => "looked-after-pep", Warning, LaPolicy, Every;
    HealthDevelopment => "health-development", Warning, LaPolicy, Every;
    ReportAge => "report-age", Warning, LaPolicy, Every;
    FontCoverage => "font-coverage", Warning, Design, Every;
    DuplicatePupil => "duplicate-pupil", Warning, Design, Every;
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

/// What a rule rests on (Children and Families Act 2014 s36(1): a parent, a young person or the
/// school may ask for an assessment; the Durham toolkit ties its expectations to a school's
/// request). Shown by `explain`, every report and the pack's check summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Basis {
    /// The Children and Families Act 2014, the SEND Regulations 2014, or other law.
    Law,
    /// The SEND Code of Practice where it says "must" (restating the law).
    CodeMust,
    /// The SEND Code of Practice where it says "should" (guidance).
    CodeShould,
    /// The LA's own policy: the Durham SEND toolkit, and the numbers in the LA profile.
    LaPolicy,
    /// ehcpack's own design: the case format and its checks.
    Design,
}

impl Basis {
    /// The value reports carry (`basis` in JSON).
    pub const fn as_str(self) -> &'static str {
        match self {
            Basis::Law => "law",
            Basis::CodeMust => "code-of-practice-must",
            Basis::CodeShould => "code-of-practice-should",
            Basis::LaPolicy => "la-policy",
            Basis::Design => "design",
        }
    }

    /// What people read.
    pub const fn describe(self) -> &'static str {
        match self {
            Basis::Law => "the law (Act or Regulations)",
            Basis::CodeMust => "the SEND Code of Practice (must)",
            Basis::CodeShould => "the SEND Code of Practice (should)",
            Basis::LaPolicy => "the LA's own policy",
            Basis::Design => "ehcpack's design",
        }
    }
}

impl Serialize for Basis {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Which requests a rule applies to in full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Applies {
    /// Every request, whoever makes it.
    Every,
    /// A school's request; on a request from a parent, a young person or another professional
    /// the rule is advice (a warning), never a failure: the toolkit ties it to a school's request
    /// ("if a school requests an Education, Health, Care Plan assessment...").
    School,
}

impl Applies {
    pub const fn as_str(self) -> &'static str {
        match self {
            Applies::Every => "every request",
            Applies::School => "a school's request; advice on a request from anyone else",
        }
    }
}

/// What the tool deliberately never checks, and why.
pub const NEVER: &str = include_str!("../../docs/rules/never.md");

#[derive(Debug, Clone)]
pub struct RuleDoc {
    pub id: RuleId,
    pub severity: Severity,
    pub basis: Basis,
    pub applies: Applies,
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
                    severity: id.severity(),
                    basis: id.basis(),
                    applies: id.applies(),
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
    let near = RuleId::ALL
        .iter()
        .map(|r| (strsim::levenshtein(id, r.as_str()), r.as_str()))
        .filter(|(d, _)| *d <= 4)
        .min()
        .map(|(_, id)| id);
    // Or part of a rule's id, as a user remembers it (`countersignature`, `smart`): the first
    // rule, in the catalogue's order, whose id holds it.
    let word = id.trim().to_lowercase();
    near.or_else(|| {
        (word.len() >= 4)
            .then(|| {
                RuleId::ALL
                    .iter()
                    .map(|r| r.as_str())
                    .find(|r| r.contains(word.as_str()))
            })
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_id_or_a_word_of_one_finds_the_rule() {
        assert_eq!(
            closest("headteacher-countersignatur"),
            Some("headteacher-countersignature")
        );
        assert_eq!(
            closest("countersignature"),
            Some("headteacher-countersignature")
        );
        assert_eq!(
            closest("Countersignature"),
            Some("headteacher-countersignature")
        );
        assert_eq!(closest("smart"), Some("smart-outcome"));
        assert_eq!(closest("xyzzy"), None);
        assert_eq!(closest("ab"), None);
    }

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
    fn the_rule_docs_agree_with_the_registry() {
        for &id in RuleId::ALL {
            let text = id.doc_text();
            assert_eq!(field(text, "severity"), id.severity().as_str(), "{id}");
            assert_eq!(field(text, "basis"), id.basis().as_str(), "{id}");
            assert_eq!(field(text, "applies to"), id.applies().as_str(), "{id}");
        }
        // The seeds tie these to a school's request (Durham toolkit, "Applying for an EHC needs
        // assessment"): never a failure on a parent's or young person's own request.
        for id in [
            RuleId::ApdrCycles,
            RuleId::HeadteacherCountersignature,
            RuleId::CostedProvision,
        ] {
            assert_eq!(id.applies(), Applies::School, "{id}");
        }
    }

    #[test]
    fn the_registry_is_in_catalogue_order_and_ids_are_unique() {
        for (i, id) in RuleId::ALL.iter().enumerate() {
            assert_eq!(*id as usize, i, "{id} sits at its own index");
            assert_eq!(RuleId::parse(id.as_str()), Some(*id));
        }
        // Errors first, then warnings, as `explain --list` and docs/rules.md show them.
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
