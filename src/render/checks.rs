//! The pack's check summary, for its readers: the panel, the caseworker and the parents.
//!
//! The rules are grouped under what the local authority asks a request to show (Durham SEND
//! toolkit, "Applying for an EHC needs assessment"; the request form's sections), and each group
//! is met, not met or has points to note. The tool's own checks on how the case files are
//! written (YAML, the case format, fonts, the protected address) are not the reader's business:
//! they stay in `ehcpack validate`, and a draft pack only says how many there are.

use serde_json::{json, Value};

use crate::diagnostic::Severity;
use crate::privacy::RedactedReport;
use crate::rules::RuleId;

/// What the local authority asks a request to show, in the order of the request form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asks {
    Needs,
    Views,
    Support,
    Progress,
    Advice,
    Agreement,
    Timing,
}

impl Asks {
    pub const ALL: [Asks; 7] = [
        Asks::Needs,
        Asks::Views,
        Asks::Support,
        Asks::Progress,
        Asks::Advice,
        Asks::Agreement,
        Asks::Timing,
    ];

    /// A short title, for the heading above the group's findings.
    pub fn title(self) -> &'static str {
        match self {
            Asks::Needs => "The child's needs",
            Asks::Views => "The views of the child and the family",
            Asks::Support => "Support the school has given",
            Asks::Progress => "Progress over time",
            Asks::Advice => "Advice from other professionals",
            Asks::Agreement => "Agreement and signatures",
            Asks::Timing => "Dates",
        }
    }

    /// The question, in the words a parent or a panel member would use.
    pub fn question(self) -> &'static str {
        match self {
            Asks::Needs => {
                "What are the child's special educational needs, and what is known about their \
                 health and development?"
            }
            Asks::Views => "What do the child and the parents think, and what do they want?",
            Asks::Support => {
                "What support has the school given, in plans that were reviewed with the family, \
                 and what did it cost?"
            }
            Asks::Progress => "What progress has the child made over time?",
            Asks::Advice => "What have other professionals found and advised?",
            Asks::Agreement => {
                "Do the parents (or the young person) agree, and has the school signed the request?"
            }
            Asks::Timing => "Do the dates fit together, and is the request in time?",
        }
    }
}

/// The group a rule's findings appear under in the pack, or `None` for the tool's own checks
/// (they stay in `validate`). Every rule is named here, without a catch-all, so that a new rule
/// is placed by a decision rather than by default.
pub fn asks(rule: RuleId) -> Option<Asks> {
    Some(match rule {
        RuleId::NeedDescribed
        | RuleId::HealthDevelopment
        | RuleId::YearGroupAge
        | RuleId::SenSupportStatus
        | RuleId::LookedAfter
        | RuleId::LookedAfterPep => Asks::Needs,
        RuleId::PupilViews | RuleId::ParentViews => Asks::Views,
        RuleId::ApdrCycles
        | RuleId::PlanReviewComplete
        | RuleId::PlanReferences
        | RuleId::SmartOutcome
        | RuleId::PlanReviewDate
        | RuleId::ReviewFrequency
        | RuleId::PfaOutcomes
        | RuleId::ProvisionRecorded
        | RuleId::CostedProvision => Asks::Support,
        RuleId::AttainmentProgress => Asks::Progress,
        RuleId::SpecialistParentalAgreement | RuleId::ReportAge | RuleId::EvidenceFile => {
            Asks::Advice
        }
        RuleId::ParentalConsent
        | RuleId::HeadteacherCountersignature
        | RuleId::ParentsNotified
        | RuleId::ConsentToShare => Asks::Agreement,
        RuleId::GuidanceDate | RuleId::DatesCoherent => Asks::Timing,
        RuleId::YamlSyntax
        | RuleId::CaseStructure
        | RuleId::Schema
        | RuleId::ProtectedAddressLeak
        | RuleId::FontCoverage
        | RuleId::PackIntegrity
        | RuleId::Archive
        | RuleId::DuplicatePupil => return None,
    })
}

/// The check summary's context: `check_groups` (each with `title`, `question`, `status`,
/// `status_text` and `findings`, each finding with `message`, `severity` and `basis`) and
/// `tool_findings` (how many of the tool's own checks failed, which the pack does not list).
/// `none_recorded`: the groups with nothing recorded on a request that does not need them (a
/// parent's or young person's request without support plans or professionals' advice), shown
/// as such rather than "Met".
pub fn summary(report: &RedactedReport, complete: bool, none_recorded: &[Asks]) -> (Value, Value) {
    let mut groups = Vec::new();
    for group in Asks::ALL {
        let found: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| asks(d.rule) == Some(group))
            .collect();
        let status = if found.iter().any(|d| d.is_error()) {
            "not-met"
        } else if !found.is_empty() {
            "to-note"
        } else if !complete {
            "not-checked"
        } else if none_recorded.contains(&group) {
            "none-recorded"
        } else {
            "met"
        };
        groups.push(json!({
            "title": group.title(),
            "question": group.question(),
            "status": status,
            "status_text": match status {
                "not-met" => "Not met",
                "to-note" => "To note",
                "not-checked" => "Not checked",
                "none-recorded" => "None recorded (not needed on this request)",
                _ => "Met",
            },
            "findings": found.iter().map(|d| json!({
                "message": d.message,
                "severity": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
                "basis": d.basis.describe(),
            })).collect::<Vec<_>>(),
        }));
    }
    let tool = report
        .diagnostics
        .iter()
        .filter(|d| asks(d.rule).is_none())
        .count();
    (Value::Array(groups), json!(tool))
}
