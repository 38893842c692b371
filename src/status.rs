//! `ehcpack status`: the case as a checklist, the way LA request forms list their evidence, each
//! item ticked or with what is missing, and the days left to the guidance date.

use std::io::{self, Write};

use chrono::NaiveDate;

use crate::diagnostic::catalogue::RuleId;
use crate::diagnostic::Diagnostic;
use crate::load::case::Case;
use crate::privacy::{terminal_safe, RedactedReport};

/// One item of the checklist, in the order a request form lists its evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Documents,
    SenSupport,
    NeedsDescribed,
    Plans,
    Outcomes,
    Provision,
    Attainment,
    PupilViews,
    ParentViews,
    Professionals,
    Health,
    Consent,
    Countersignature,
    DatesAndPrivacy,
    GuidanceDate,
}

impl Item {
    pub const ALL: &'static [Item] = &[
        Item::Documents,
        Item::SenSupport,
        Item::NeedsDescribed,
        Item::Plans,
        Item::Outcomes,
        Item::Provision,
        Item::Attainment,
        Item::PupilViews,
        Item::ParentViews,
        Item::Professionals,
        Item::Health,
        Item::Consent,
        Item::Countersignature,
        Item::DatesAndPrivacy,
        Item::GuidanceDate,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Item::Documents => "Every document reads correctly",
            Item::SenSupport => "Pupil on SEN support, parents notified",
            Item::NeedsDescribed => "Needs described: primary need, nature, extent and cause",
            Item::Plans => "Two support plans reviewed fully, plus the current plan",
            Item::Outcomes => "SMART outcomes (and Preparing for Adulthood from Year 9)",
            Item::Provision => "Provision recorded, with its cost",
            Item::Attainment => "Attainment and rate of progress",
            Item::PupilViews => "The child's views, wishes and feelings",
            Item::ParentViews => "The parents' views",
            Item::Professionals => "Professionals involved, with parental agreement",
            Item::Health => "Health, development and care",
            Item::Consent => "Parental consent, and consent to share",
            Item::Countersignature => "Headteacher's countersignature",
            Item::DatesAndPrivacy => "Dates in order; protected address kept out",
            Item::GuidanceDate => "Sent by the guidance date",
        }
    }

    /// The rules that decide this item, from the registry.
    pub fn rules(self) -> impl Iterator<Item = RuleId> {
        RuleId::ALL
            .iter()
            .copied()
            .filter(move |&rule| item_of(rule) == Some(self))
    }
}

/// The checklist item each rule belongs to. The match names every rule, so a rule added to the
/// registry without a place here is a compile error; `None` is for rules about something other
/// than one case folder (a received pack, an archive, a batch).
pub fn item_of(rule: RuleId) -> Option<Item> {
    use RuleId::*;
    Some(match rule {
        YamlSyntax | CaseStructure | Schema | FontCoverage => Item::Documents,
        SenSupportStatus | ParentsNotified | YearGroupAge => Item::SenSupport,
        NeedDescribed => Item::NeedsDescribed,
        ApdrCycles | PlanReviewComplete | PlanReviewDate | ReviewFrequency | PlanReferences => {
            Item::Plans
        }
        SmartOutcome | PfaOutcomes => Item::Outcomes,
        ProvisionRecorded | CostedProvision => Item::Provision,
        AttainmentProgress => Item::Attainment,
        PupilViews => Item::PupilViews,
        ParentViews => Item::ParentViews,
        SpecialistParentalAgreement | EvidenceFile | ReportAge => Item::Professionals,
        HealthDevelopment | LookedAfterPep | LookedAfter => Item::Health,
        ParentalConsent | ConsentToShare => Item::Consent,
        HeadteacherCountersignature => Item::Countersignature,
        DatesCoherent | ProtectedAddressLeak => Item::DatesAndPrivacy,
        GuidanceDate => Item::GuidanceDate,
        PackIntegrity | Archive | DuplicatePupil => return None,
    })
}

/// The details LA request forms ask for that no rule requires (docs/senco.md, "What LA request forms
/// ask, by example"), each with whether the case records it. Items that only apply to some
/// pupils (a looked-after child, a young person of 16) are listed only for them; items whose
/// absence means "none" (exclusions, earlier requests) are not listed.
pub fn form_details(case: &Case, submission: NaiveDate) -> Vec<(&'static str, bool)> {
    let mut items = Vec::new();
    let Some(pupil) = case.pupil.as_ref().map(|p| &p.value) else {
        return items;
    };
    items.push(("attendance", pupil.attendance.is_some()));
    items.push(("service child", pupil.service_child.is_some()));
    if let Some(la) = &pupil.looked_after {
        items.push(("legal status", la.legal_status.is_some()));
        items.push((
            "social worker's contact",
            la.social_worker_contact.is_some(),
        ));
    }
    if crate::calendar::age_on(pupil.date_of_birth, submission) >= 16 {
        items.push(("young person's own contact", pupil.own_contact.is_some()));
    }
    let family = case.family.as_ref().map(|f| &f.value);
    items.push((
        "how parents prefer to be contacted",
        family.is_some_and(|f| {
            f.people
                .iter()
                .filter(|p| p.parental_responsibility)
                .all(|p| p.preferred_contact.is_some())
        }),
    ));
    items.push(("household", family.is_some_and(|f| !f.household.is_empty())));
    items.push((
        "SEN history",
        case.needs
            .as_ref()
            .is_some_and(|n| n.value.history.is_some()),
    ));
    let health = case.health.as_ref().map(|h| &h.value);
    items.push(("GP practice", health.is_some_and(|h| h.gp.is_some())));
    items.push((
        "social care status",
        health.is_some_and(|h| h.care_status.is_some()),
    ));
    if let Some(professionals) = &case.professionals {
        let with_reports: Vec<_> = professionals
            .value
            .involvements
            .iter()
            .filter(|i| i.report.is_some())
            .collect();
        if !with_reports.is_empty() {
            items.push((
                "report dates",
                with_reports.iter().all(|i| i.report_date.is_some()),
            ));
        }
        items.push((
            "professionals' contacts",
            professionals
                .value
                .involvements
                .iter()
                .all(|i| i.contact.is_some()),
        ));
    }
    items
}

/// How far one checklist item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Done,
    /// Done, with warnings.
    Warnings,
    Errors,
    /// Not checked yet: a document does not read correctly, so the rules have not run.
    NotChecked,
}

/// The checklist of a case: each item, how far it is, and its findings, in order. `status`
/// prints it and `serve` shows it.
pub fn checklist(report: &RedactedReport) -> Vec<(Item, Mark, Vec<&Diagnostic>)> {
    // Until every document reads cleanly the rules have not run: say so rather than tick.
    let rules_ran = !report
        .diagnostics
        .iter()
        .any(|d| d.is_error() && d.rule.is_reading());
    Item::ALL
        .iter()
        .enumerate()
        .map(|(i, &item)| {
            let findings: Vec<&Diagnostic> = report
                .diagnostics
                .iter()
                .filter(|d| item_of(d.rule) == Some(item))
                .collect();
            let mark = if i > 0 && !rules_ran {
                Mark::NotChecked
            } else if findings.iter().any(|d| d.is_error()) {
                Mark::Errors
            } else if !findings.is_empty() {
                Mark::Warnings
            } else {
                Mark::Done
            };
            (item, mark, findings)
        })
        .collect()
}

/// Prints the checklist for one case.
pub fn print(
    case: &Case,
    report: &RedactedReport,
    today: NaiveDate,
    out: &mut dyn Write,
) -> io::Result<()> {
    let who = case.pupil.as_ref().map_or_else(
        || "pupil details not read yet".to_string(),
        |p| {
            let name = |y: i32| {
                if y == 0 {
                    "Reception".to_string()
                } else {
                    format!("Year {y}")
                }
            };
            let taught = p
                .value
                .taught_in_year_group
                .map(|y| format!(" (taught in {})", name(y)))
                .unwrap_or_default();
            format!(
                "{}, {}{taught}",
                p.value.legal_name.full(),
                name(p.value.year_group.value)
            )
        },
    );
    // Everything from the case passes the redactor, then is made safe for a terminal.
    let who = report.redact(&who).for_terminal();
    writeln!(out, "EHC needs assessment request: {who}")?;
    writeln!(out, "{}\n", report.path_text().for_terminal())?;
    let mut done = 0;
    for (i, (item, mark, findings)) in checklist(report).into_iter().enumerate() {
        // On a request from anyone but the school, an item that only the school's request
        // needs (the plans, the countersignature) is advice: say so beside it.
        let requester = case.requested_by();
        let advice = if requester != crate::load::model::RequestedBy::School
            && item
                .rules()
                .any(|r| r.applies() == crate::diagnostic::catalogue::Applies::School)
        {
            format!(
                " (advice only on {})",
                crate::rules::requester_phrase(requester)
            )
        } else {
            String::new()
        };
        // Nothing recorded for an item such a request does not need (a parent's request
        // without plans or a countersignature): not ticked as done, said to be not needed.
        let not_needed = !advice.is_empty()
            && match item {
                Item::Plans => case.plans.is_empty(),
                Item::Countersignature => case
                    .request
                    .as_ref()
                    .is_none_or(|r| r.value.countersignature.is_none()),
                _ => false,
            };
        let (mark, note) = match mark {
            Mark::Done if not_needed => {
                done += 1;
                (
                    "[-]",
                    format!(
                        " (none recorded: not needed on {})",
                        crate::rules::requester_phrase(requester)
                    ),
                )
            }
            Mark::NotChecked => (
                "[ ]",
                " (checked once every document reads correctly)".to_string(),
            ),
            Mark::Errors => ("[ ]", advice),
            Mark::Warnings => ("[~]", advice),
            Mark::Done => {
                done += 1;
                ("[x]", advice)
            }
        };
        writeln!(out, "{mark} {}{note}", item.title())?;
        let shown = if i == 0 { 5 } else { 3 };
        for d in findings.iter().take(shown) {
            let place = match (&d.file, d.line) {
                (Some(f), Some(l)) => format!(" ({}:{l})", f.display()),
                (Some(f), None) => format!(" ({})", f.display()),
                _ => String::new(),
            };
            writeln!(
                out,
                "      {}{}",
                terminal_safe(&d.message),
                terminal_safe(&place)
            )?;
        }
        if findings.len() > shown {
            writeln!(
                out,
                "      ... and {} more: run `ehcpack validate`",
                findings.len() - shown
            )?;
        }
    }
    writeln!(out, "\n{done} of {} done.", Item::ALL.len())?;
    let guidance_text = report.dates.guidance_text().unwrap_or_default();
    match (report.dates.guidance_date, report.dates.submission_date) {
        (Some(guidance), _) if guidance >= today => {
            let days = (guidance - today).num_days();
            writeln!(out, "{days} days left to the guidance date, {guidance_text}.")?;
        }
        (Some(_), _) => writeln!(
            out,
            "The guidance date, {guidance_text}, has passed: a request can still be sent; a manager will look at it."
        )?,
        (None, _) => {}
    }
    if let Some(submission) = report.dates.submission_date {
        let details = form_details(case, submission);
        let missing: Vec<&str> = details
            .iter()
            .filter(|(_, recorded)| !recorded)
            .map(|(what, _)| *what)
            .collect();
        if !details.is_empty() {
            writeln!(
                out,
                "\nAlso asked on LA request forms (optional): {} of {} recorded{}",
                details.len() - missing.len(),
                details.len(),
                if missing.is_empty() {
                    ".".to_string()
                } else {
                    format!("; not yet: {}.", missing.join(", "))
                }
            )?;
        }
    }
    Ok(())
}
