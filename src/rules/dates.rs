//! Dates: their order, the guidance date, and the year group against the date of birth.

use chrono::NaiveDate;

use super::Context;
use crate::calendar::{self, AcademicYear};
use crate::diagnostic::catalogue::RuleId;
use crate::diagnostic::Diagnostic;
use crate::load::case::Case;
use crate::load::spanned::Spanned;

/// A date the case records as having happened: the field itself, so a finding is placed where
/// the date was written.
struct Recorded<'a> {
    doc: usize,
    field: &'a Spanned<NaiveDate>,
    what: &'static str,
}

/// Every date that records something already done (not targets, agreed future reviews, the
/// end of an involvement still going on, or the LA's receipt).
fn recorded_dates<'a>(case: &'a Case) -> Vec<Recorded<'a>> {
    let mut out = Vec::new();
    let mut push = |doc: usize, field: Option<&'a Spanned<NaiveDate>>, what: &'static str| {
        if let Some(field) = field {
            out.push(Recorded { doc, field, what });
        }
    };
    if let Some(p) = &case.pupil {
        push(p.doc, p.value.date_admitted.as_ref(), "the date admitted");
        push(
            p.doc,
            p.value
                .looked_after
                .as_ref()
                .and_then(|l| l.pep_date.as_ref()),
            "the Personal Education Plan date",
        );
        for x in &p.value.exclusions {
            push(p.doc, Some(&x.start), "a suspension or exclusion");
        }
        for s in &p.value.previous_schools {
            push(p.doc, s.from.as_ref(), "a previous school's start");
        }
    }
    if let Some(n) = &case.needs {
        push(
            n.doc,
            n.value.sen_register_date.as_ref(),
            "the SEN register date",
        );
        push(
            n.doc,
            n.value.parents_notified_date.as_ref(),
            "the date parents were notified",
        );
        if let Some(history) = &n.value.history {
            for x in &history.provision {
                push(
                    n.doc,
                    Some(&x.start),
                    "the start of a period of SEN provision",
                );
                push(
                    n.doc,
                    x.end.as_ref(),
                    "the end of a period of SEN provision",
                );
            }
            for x in &history.needs {
                push(n.doc, Some(&x.start), "the date a need was first recorded");
                push(
                    n.doc,
                    x.end.as_ref(),
                    "the date a need stopped being recorded",
                );
            }
        }
    }
    if let Some(h) = &case.health {
        for d in &h.value.diagnoses {
            push(h.doc, d.date.as_ref(), "a diagnosis date");
        }
        push(
            h.doc,
            h.value.care_status.as_ref().and_then(|c| c.since.as_ref()),
            "the start of the early help or social care status",
        );
    }
    for plan in &case.plans {
        push(plan.doc, Some(&plan.value.start), "the plan's start");
        if let Some(r) = &plan.value.review {
            push(plan.doc, r.date.as_ref(), "the review date");
        }
    }
    if let Some(a) = &case.attainment {
        for x in &a.value.assessments {
            push(a.doc, Some(&x.date), "an assessment date");
        }
    }
    if let Some(v) = &case.views {
        push(
            v.doc,
            v.value.pupil.as_ref().and_then(|p| p.date.as_ref()),
            "the date the pupil's views were gathered",
        );
        push(
            v.doc,
            v.value.parents.as_ref().and_then(|p| p.date.as_ref()),
            "the date of the parents' views",
        );
    }
    if let Some(p) = &case.professionals {
        for inv in &p.value.involvements {
            push(p.doc, inv.from.as_ref(), "the start of an involvement");
            push(
                p.doc,
                inv.parental_agreement
                    .as_ref()
                    .and_then(|a| a.date.as_ref()),
                "the date of parental agreement",
            );
            push(p.doc, inv.report_date.as_ref(), "a report's date");
        }
    }
    if let Some(r) = &case.request {
        push(
            r.doc,
            Some(&r.value.completed_by.date),
            "the date the request was completed",
        );
        for x in &r.value.previous_requests {
            push(r.doc, Some(&x.date), "an earlier request or assessment");
        }
    }
    if let Some(e) = &case.evidence {
        for f in &e.value.files {
            push(e.doc, f.date.as_ref(), "a document's date");
        }
    }
    out
}

pub(super) fn check(case: &Case, ctx: &Context, out: &mut Vec<Diagnostic>) {
    let submission = ctx.submission_date(case);
    dates_coherent(case, submission, out);
    guidance_date(case, ctx, submission, out);
    year_group_age(case, submission, out);
}

fn dates_coherent(case: &Case, submission: NaiveDate, out: &mut Vec<Diagnostic>) {
    let birth = case.pupil.as_ref().map(|p| p.value.date_of_birth);
    for r in recorded_dates(case) {
        let date = r.field.value;
        if date > submission {
            out.push(case.at_field(
                r.doc,
                r.field,
                Diagnostic::new(
                    RuleId::DatesCoherent,
                    format!(
                        "{} ({}) is after the submission date {submission}",
                        capitalise(r.what),
                        date
                    ),
                    "a request records what has already happened: check the date, or the \
                     request's `planned_submission_date`",
                ),
            ));
        }
        if let Some(birth) = birth {
            if date < birth {
                out.push(case.at_field(
                    r.doc,
                    r.field,
                    Diagnostic::new(
                        RuleId::DatesCoherent,
                        format!(
                            "{} ({}) is before the pupil was born",
                            capitalise(r.what),
                            date
                        ),
                        "check the year of this date and the pupil's `date_of_birth`",
                    ),
                ));
            }
        }
    }
    for plan in &case.plans {
        if let Some(review) = plan.value.review.as_ref().and_then(|r| r.date.as_ref()) {
            if review.value < plan.value.start.value {
                out.push(case.at_field(
                    plan.doc,
                    review,
                    Diagnostic::new(
                        RuleId::DatesCoherent,
                        format!(
                            "the review on {} is before the plan began on {}",
                            review.value, plan.value.start.value
                        ),
                        "check the plan's `start` and the review's `date`",
                    ),
                ));
            }
        }
    }
    for pair in case.plans.windows(2) {
        let (earlier, later) = (&pair[0], &pair[1]);
        let Some(end) = earlier.value.review.as_ref().and_then(|r| r.date.as_ref()) else {
            continue;
        };
        let end = end.value;
        if later.value.start.value < end {
            out.push(case.at_field(
                later.doc,
                &later.value.start,
                Diagnostic::new(
                    RuleId::DatesCoherent,
                    format!(
                        "this plan starts on {}, before the previous plan ({}) was reviewed on \
                         {end}: the plans overlap",
                        later.value.start.value,
                        case.file(earlier.doc)
                    ),
                    "each plan follows the review of the one before: check the `start` dates",
                ),
            ));
        }
    }
}

fn guidance_date(case: &Case, ctx: &Context, submission: NaiveDate, out: &mut Vec<Diagnostic>) {
    let Some(request) = &case.request else { return };
    let year = AcademicYear::containing(submission);
    let place = |d: Diagnostic| match &request.value.planned_submission_date {
        Some(date) => case.at_field(request.doc, date, d),
        None => case.at(request.doc, "", d),
    };
    let guidance = ctx.profile.guidance_date(year);
    let date = guidance.date();
    if submission > date {
        // An estimated date says so, and never warns on its own account: only a request sent
        // after it does.
        let estimate = if guidance.is_estimate() {
            format!(" ({})", crate::profile::ESTIMATE_NOTE)
        } else {
            String::new()
        };
        out.push(place(Diagnostic::new(
            RuleId::GuidanceDate,
            format!(
                "the request goes to the LA on {}, after the {} guidance date, {}{estimate}: a \
                 manager will look at it and may ask to hold it until September",
                calendar::long_date(submission),
                year.label(),
                calendar::long_date(date)
            ),
            "send it as soon as it is ready; this is guidance, not a statutory deadline, \
             and a later request is still considered",
        )));
    }
}

fn year_group_age(case: &Case, submission: NaiveDate, out: &mut Vec<Diagnostic>) {
    let Some(pupil) = &case.pupil else { return };
    // With `taught_in_year_group` the school says where the pupil is taught, so `year_group`
    // must be their age's and is checked; `taught_out_of_year: true` alone says only that they
    // are taught out of year, and the check is left to the school.
    if pupil.value.taught_out_of_year && pupil.value.taught_in_year_group.is_none() {
        return;
    }
    let year = AcademicYear::containing(submission);
    let expected = calendar::expected_year_group(pupil.value.date_of_birth, year);
    let recorded = &pupil.value.year_group;
    if expected != recorded.value {
        let name = |y: i32| {
            if y == 0 {
                "Reception".to_string()
            } else {
                format!("Year {y}")
            }
        };
        out.push(case.at_field(
            pupil.doc,
            recorded,
            Diagnostic::new(
                RuleId::YearGroupAge,
                format!(
                    "the pupil is recorded in {}, but a child born on {} is in {} in {}",
                    name(recorded.value),
                    pupil.value.date_of_birth,
                    name(expected),
                    year.label()
                ),
                match pupil.value.taught_in_year_group {
                    Some(_) => format!(
                        "`year_group` is the year group for the pupil's age ({}) and \
                         `taught_in_year_group` the one they are taught in: check both and \
                         `date_of_birth`",
                        name(expected)
                    ),
                    None => format!(
                        "check `year_group` and `date_of_birth`; if the pupil is taught out of \
                         their year group, write `year_group: {expected}` (their age's) and \
                         `taught_in_year_group: {}`",
                        pupil.value.year_group
                    ),
                },
            ),
        ));
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
