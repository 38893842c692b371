//! What the LA weighs (toolkit, "EHC needs assessment"): views, attainment, the needs, health
//! and development, and the evidence files behind them.

use super::{filled, Context};
use crate::diagnostic::catalogue::RuleId;
use crate::diagnostic::Diagnostic;
use crate::load::case::Case;
use crate::load::evidence::PORTABLE_HELP;
use crate::load::spanned::Spanned;

pub(super) fn check(
    case: &Case,
    ctx: &Context,
    redactor: &crate::privacy::Redactor,
    out: &mut Vec<Diagnostic>,
) {
    views(case, out);
    attainment(case, ctx, out);
    need_described(case, out);
    health_development(case, out);
    evidence_files(case, redactor, out);
    report_age(case, ctx, out);
}

/// Reports older than the profile's limit on the submission date, and attached reports with no
/// date at all. Only when the profile sets `max_report_age_months` (Durham sets none).
fn report_age(case: &Case, ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(months) = ctx.profile.max_report_age_months else {
        return;
    };
    let submission = ctx.submission_date(case);
    let oldest = submission
        .checked_sub_months(chrono::Months::new(months))
        .unwrap_or(chrono::NaiveDate::MIN);
    let evidence_date = |path: &str| {
        case.evidence.as_ref().and_then(|e| {
            e.value
                .files
                .iter()
                .find(|f| f.path.value == path)
                .and_then(|f| f.date.as_ref().map(|d| d.value))
        })
    };
    let too_old = |what: String, date: chrono::NaiveDate| {
        Diagnostic::new(
            RuleId::ReportAge,
            format!(
                "{what} is dated {date}, more than {months} months before the submission date \
                 {submission}; the profile asks for reports from the last {months} months"
            ),
            "ask for an updated report, or, if this is still the latest, say why in `reasons` \
             in request.yaml",
        )
    };
    let mut dated_paths = Vec::new();
    if let Some(professionals) = &case.professionals {
        for inv in &professionals.value.involvements {
            let what = format!("the report of the {} ({})", inv.role, inv.service);
            match (&inv.report_date, &inv.report) {
                (Some(date), _) => {
                    if let Some(path) = &inv.report {
                        dated_paths.push(path.clone());
                    }
                    if date.value < oldest {
                        out.push(case.at_field(professionals.doc, date, too_old(what, date.value)));
                    }
                }
                // Dated in evidence.yaml instead: checked with the evidence below.
                (None, Some(path)) if evidence_date(path).is_some() => {}
                (None, Some(report)) => out.push(case.at_field(
                    professionals.doc,
                    report,
                    Diagnostic::new(
                        RuleId::ReportAge,
                        format!(
                            "{what} has no date, so its age cannot be shown; the profile asks \
                             for reports from the last {months} months"
                        ),
                        "add `report_date:` with the date on the report",
                    ),
                )),
                (None, None) => {}
            }
        }
    }
    if let Some(evidence) = &case.evidence {
        for file in &evidence.value.files {
            let is_report = file.kind == Some(crate::load::model::EvidenceType::Report)
                || case.professionals.as_ref().is_some_and(|p| {
                    p.value
                        .involvements
                        .iter()
                        .any(|inv| inv.report.as_ref() == Some(&file.path))
                });
            // A report the professional's own `report_date` dates is judged by that date.
            if !is_report || dated_paths.contains(&file.path) {
                continue;
            }
            if let Some(date) = file.date.as_ref().filter(|d| d.value < oldest) {
                out.push(case.at_field(
                    evidence.doc,
                    date,
                    too_old(format!("the report {}", file.title), date.value),
                ));
            }
        }
    }
}

/// Where a finding about a document that may be missing goes: into it when present, else on the
/// case folder.
fn place(case: &Case, doc: Option<usize>, pointer: &str, d: Diagnostic) -> Diagnostic {
    match doc {
        Some(doc) => case.at_key(doc, pointer, d),
        None => d,
    }
}

/// A finding at a field's key in a document that is there (the field comes from it).
fn place_field<T>(
    case: &Case,
    doc: Option<usize>,
    field: &Spanned<T>,
    d: Diagnostic,
) -> Diagnostic {
    match doc {
        Some(doc) => case.at_field_key(doc, field, d),
        None => d,
    }
}

fn views(case: &Case, out: &mut Vec<Diagnostic>) {
    let doc = case.views.as_ref().map(|v| v.doc);
    let views = case.views.as_ref().map(|v| &v.value);
    match views.and_then(|v| v.pupil.as_ref()) {
        None => out.push(place(
            case,
            doc,
            "",
            Diagnostic::new(
                RuleId::PupilViews,
                "the child's views, wishes and feelings are not recorded",
                "in views.yaml add `pupil:` with `views` (in the child's words where you can) \
                 and `gathered_how` (my-story, pecs, conversation, advocate, drawing, \
                 questionnaire or other)",
            ),
        )),
        Some(p) if !super::says_something(&p.views) || p.gathered_how.is_empty() => {
            out.push(place_field(
                case,
                doc,
                p,
                Diagnostic::new(
                    RuleId::PupilViews,
                    if p.gathered_how.is_empty() {
                        "the child's views do not say how they were gathered"
                    } else {
                        "the child's views are empty"
                    },
                    "fill in `views` and `gathered_how` under `pupil`",
                ),
            ))
        }
        Some(_) => {}
    }
    match views.and_then(|v| v.parents.as_ref()) {
        Some(p) if super::says_something(&p.views) => {}
        _ => out.push(place(
            case,
            doc,
            "",
            Diagnostic::new(
                RuleId::ParentViews,
                "the parents' views are not recorded",
                "in views.yaml add `parents:` with `views` (what the parents say about their \
                 child's needs, the support so far and what they hope for), `given_by` and \
                 `date`",
            ),
        )),
    }
}

fn attainment(case: &Case, ctx: &Context, out: &mut Vec<Diagnostic>) {
    let min = ctx.profile.min_attainment_records;
    let mut dates: Vec<_> = case
        .attainment
        .as_ref()
        .map(|a| a.value.assessments.iter().map(|x| x.date.value).collect())
        .unwrap_or_default();
    dates.sort();
    dates.dedup();
    if dates.len() < min {
        out.push(place(
            case,
            case.attainment.as_ref().map(|a| a.doc),
            "",
            Diagnostic::new(
                RuleId::AttainmentProgress,
                format!(
                    "{} dated attainment {} recorded, so no rate of progress can be seen (at \
                     least {min} on different dates are needed)",
                    dates.len(),
                    if dates.len() == 1 {
                        "record is"
                    } else {
                        "records are"
                    }
                ),
                "in attainment.yaml list the assessments under `assessments`, each with its \
                 `date`, `area`, `measure`, `result` and the `expected` level for the age",
            ),
        ));
    }
}

fn need_described(case: &Case, out: &mut Vec<Diagnostic>) {
    let Some(needs) = &case.needs else { return };
    let mut missing = Vec::new();
    if needs.value.primary_need.is_none() {
        missing.push("the primary need (`primary_need`, a DfE SEN type code such as SLCN)");
    }
    let d = needs
        .value
        .description
        .as_ref()
        .map(|d| d.value.clone())
        .unwrap_or_default();
    for (text, what) in [
        (&d.nature, "the nature of the needs (`description.nature`)"),
        (&d.extent, "their extent (`description.extent`)"),
        (&d.cause, "their cause (`description.cause`)"),
    ] {
        if !filled(text) {
            missing.push(what);
        }
    }
    if !missing.is_empty() {
        let d = Diagnostic::new(
            RuleId::NeedDescribed,
            format!("needs.yaml does not record {}", missing.join(", ")),
            "describe the needs: the LA weighs their nature, extent and cause; where the \
             cause is not known, say so and what assessments are under way",
        );
        // At the `description` block when there is one, else at the top of needs.yaml.
        out.push(match &needs.value.description {
            Some(description) => case.at_field_key(needs.doc, description, d),
            None => case.at_key(needs.doc, "", d),
        });
    }
}

fn health_development(case: &Case, out: &mut Vec<Diagnostic>) {
    let has_something = case.health.as_ref().is_some_and(|h| {
        let h = &h.value;
        let dev = h.development.clone().unwrap_or_default();
        filled(&dev.physical)
            || filled(&dev.emotional)
            || filled(&dev.social)
            || filled(&h.medical_needs)
            || !h.diagnoses.is_empty()
            || !h.therapies.is_empty()
    });
    if !has_something {
        out.push(place(
            case,
            case.health.as_ref().map(|h| h.doc),
            "",
            Diagnostic::new(
                RuleId::HealthDevelopment,
                "nothing is recorded on the pupil's physical, emotional and social development \
                 or health needs",
                "add health.yaml with `development` (physical, emotional, social) and any \
                 `diagnoses`, `medical_needs` or `therapies`",
            ),
        ));
    }
}

fn evidence_files(case: &Case, redactor: &crate::privacy::Redactor, out: &mut Vec<Diagnostic>) {
    // Each file was read once when the case was loaded (case::read_evidence).
    let mut check = |doc: usize, field: &Spanned<String>| {
        let path = field.value.as_str();
        let problem = match case.evidence_facts(path) {
            Some(facts) => facts.problem.clone(),
            None => crate::load::evidence::read_evidence(&case.root, path).problem,
        };
        if let Some((message, mut help)) = problem {
            // The path spelt again with `/` is a rewritten value, which the redactor would no
            // longer read as it reads the original (`\u0020` becomes `/u0020`): it is offered
            // only for a path that holds nothing withheld.
            if help.starts_with(PORTABLE_HELP) && redactor.redact(path).as_str() != path {
                help = format!("{PORTABLE_HELP}, in place of each `\\`");
            }
            out.push(case.at_field(
                doc,
                field,
                Diagnostic::new(RuleId::EvidenceFile, message, help),
            ));
        }
    };
    if let Some(e) = &case.evidence {
        for f in &e.value.files {
            check(e.doc, &f.path);
        }
    }
    if let Some(p) = &case.professionals {
        for inv in &p.value.involvements {
            if let Some(report) = &inv.report {
                check(p.doc, report);
            }
        }
    }
}
