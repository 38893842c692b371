//! The graduated approach: support plans, their outcomes, provision and reviews.
//! Durham toolkit, "SEN Support Plans", "Reviewing SEN Support", "Applying for an EHC needs
//! assessment"; Code of Practice 6.44-6.56, 6.65.

use chrono::NaiveDate;

use super::{count, filled, Context};
use crate::calendar;
use crate::diagnostic::catalogue::RuleId;
use crate::diagnostic::Diagnostic;
use crate::load::case::{Case, Typed};
use crate::load::model::{Plan, RequestedBy};
use crate::load::spanned::Spanned;

/// What a review lacks to count as a full review (toolkit, "Reviewing SEN Support").
pub(crate) fn review_gaps(plan: &Plan) -> Vec<String> {
    let Some(review) = &plan.review else {
        return vec!["a review".into()];
    };
    let mut gaps = Vec::new();
    if review.date.is_none() {
        gaps.push("the review `date`".to_string());
    }
    let missing: Vec<&str> = plan
        .outcomes
        .iter()
        .filter(|o| !review.progress.iter().any(|p| p.outcome == o.id))
        .map(|o| o.id.as_str())
        .collect();
    if !missing.is_empty() {
        gaps.push(format!(
            "`progress` for outcome{} {}",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", ")
        ));
    }
    if !filled(&review.parent_views) {
        gaps.push("the parents' views (`parent_views`)".into());
    }
    if !filled(&review.pupil_views) {
        gaps.push("the pupil's views (`pupil_views`)".into());
    }
    gaps
}

/// The current plan: the latest plan, when it has no review.
pub(crate) fn current_plan(case: &Case) -> Option<&Typed<Plan>> {
    case.plans.last().filter(|p| p.value.review.is_none())
}

pub(super) fn check(case: &Case, ctx: &Context, out: &mut Vec<Diagnostic>) {
    apdr_cycles(case, ctx, out);
    for (i, plan) in case.plans.iter().enumerate() {
        let is_current = i + 1 == case.plans.len() && plan.value.review.is_none();
        if !is_current {
            plan_review_complete(case, plan, out);
        }
        smart_outcomes(case, plan, out);
        plan_review_date(case, plan, out);
        provision(case, plan, out);
        plan_references(case, plan, out);
    }
    review_frequency(case, ctx, out);
    pfa_outcomes(case, out);
}

fn plan_title(case: &Case, plan: &Typed<Plan>) -> String {
    match &plan.value.title {
        Some(t) if !t.trim().is_empty() => format!("{} ({})", t.trim(), case.file(plan.doc)),
        _ => case.file(plan.doc),
    }
}

fn apdr_cycles(case: &Case, ctx: &Context, out: &mut Vec<Diagnostic>) {
    // A request from anyone but the school needs no support plans: with none, nothing to say.
    if case.plans.is_empty() && case.requested_by() != RequestedBy::School {
        return;
    }
    let required = ctx.profile.reviewed_plans_required;
    let current = current_plan(case);
    let past: Vec<&Typed<Plan>> = case
        .plans
        .iter()
        .filter(|p| current.is_none_or(|c| c.doc != p.doc))
        .collect();
    let full = past
        .iter()
        .filter(|p| review_gaps(&p.value).is_empty())
        .count();
    let first_plan = case.plans.first().map_or(0, |p| p.doc);
    if full < required {
        let partial = past.len() - full;
        let mut message = format!(
            "{} reviewed fully; {} expects at least {required} before a school requests an \
             assessment",
            count(full, "support plan is", "support plans are"),
            ctx.profile.name
        );
        // The other plans: those with no review at all, and those whose review lacks a part.
        let unreviewed = past.iter().filter(|p| p.value.review.is_none()).count();
        let incomplete = partial - unreviewed;
        let mut others = Vec::new();
        if unreviewed > 0 {
            others.push(format!(
                "{} no review",
                count(unreviewed, "other plan has", "other plans have")
            ));
        }
        if incomplete > 0 {
            others.push(format!(
                "{} a review that is not complete: see plan-review-complete",
                count(incomplete, "other plan has", "other plans have")
            ));
        }
        if !others.is_empty() {
            message.push_str(&format!(" ({})", others.join("; ")));
        }
        out.push(case.at(
            first_plan,
            "",
            Diagnostic::new(
                RuleId::ApdrCycles,
                message,
                format!(
                    "add a plan file for each earlier Assess-Plan-Do-Review cycle with its \
                     `review` filled in; if the pupil has had fewer than {required} full \
                     cycles, carry on with SEN support and review it before requesting"
                ),
            ),
        ));
    }
    match current {
        None => {
            // Every plan has been reviewed, so the last one has a review to point at.
            let place = |d| match case.plans.last() {
                Some(last) => match &last.value.review {
                    Some(review) => case.at_field(last.doc, review, d),
                    None => case.at(last.doc, "", d),
                },
                None => case.at(first_plan, "", d),
            };
            out.push(place(Diagnostic::new(
                RuleId::ApdrCycles,
                "there is no current support plan: every plan has been reviewed",
                "add the plan now in place (a plan file with no `review` block) that starts \
                     after the last review",
            )));
        }
        Some(current) => {
            // The plans that count are the fully reviewed ones (rule doc, apdr-cycles).
            let last_review = past
                .iter()
                .filter(|p| review_gaps(&p.value).is_empty())
                .filter_map(|p| p.value.review.as_ref()?.date.as_ref().map(|d| d.value))
                .max();
            if let Some(last_review) = last_review {
                if current.value.start.value < last_review {
                    out.push(case.at_field(
                        current.doc,
                        &current.value.start,
                        Diagnostic::new(
                            RuleId::ApdrCycles,
                            format!(
                                "the current plan starts on {}, before the last review on {}",
                                current.value.start.value, last_review
                            ),
                            "the current plan follows the last review: check its `start` date",
                        ),
                    ));
                }
            }
        }
    }
}

fn plan_review_complete(case: &Case, plan: &Typed<Plan>, out: &mut Vec<Diagnostic>) {
    let title = plan_title(case, plan);
    if plan.value.review.is_none() {
        out.push(case.at_field_key(
            plan.doc,
            &plan.value.start,
            Diagnostic::new(
                RuleId::PlanReviewComplete,
                format!("{title} has no review, but a later plan follows it"),
                "add a `review` block: its date, who took part, the parents' and the pupil's \
                 views, and progress on every outcome",
            ),
        ));
        return;
    }
    let gaps = review_gaps(&plan.value);
    if let (false, Some(review)) = (gaps.is_empty(), &plan.value.review) {
        out.push(case.at_field_key(
            plan.doc,
            review,
            Diagnostic::new(
                RuleId::PlanReviewComplete,
                format!("the review of {title} lacks {}", join_and(&gaps)),
                "fill these in under `review`; a review records what the parents and the pupil \
                 said and how far each outcome was met",
            ),
        ));
    }
}

/// The references inside one plan: each outcome id once, and provision and review progress only
/// for outcomes the plan has (rule `plan-references`).
fn plan_references(case: &Case, plan: &Typed<Plan>, out: &mut Vec<Diagnostic>) {
    let outcomes = &plan.value.outcomes;
    let ids: Vec<&str> = outcomes.iter().map(|o| o.id.as_str()).collect();
    let known = |id: &str| ids.iter().any(|k| k.trim() == id.trim());
    let help = || format!("use one of this plan's outcome ids: {}", ids.join(", "));
    for (j, outcome) in outcomes.iter().enumerate() {
        if let Some(first) = outcomes[..j]
            .iter()
            .position(|o| o.id.trim() == outcome.id.trim())
        {
            out.push(case.at_field(
                plan.doc,
                &outcome.id,
                Diagnostic::new(
                    RuleId::PlanReferences,
                    format!(
                        "outcome id `{}` is listed twice: outcomes {} and {} of this plan",
                        outcome.id.value,
                        first + 1,
                        j + 1
                    ),
                    "give each outcome its own id (O1, O2, ...), and point provision and the \
                     review's progress at the right one",
                ),
            ));
        }
    }
    for item in &plan.value.provision {
        for id in &item.outcomes {
            if !known(id) {
                out.push(case.at_field(
                    plan.doc,
                    id,
                    Diagnostic::new(
                        RuleId::PlanReferences,
                        format!(
                            "this provision is for outcome `{}`, which this plan does not have",
                            id.value
                        ),
                        help(),
                    ),
                ));
            }
        }
    }
    if let Some(review) = &plan.value.review {
        for progress in &review.progress {
            if !known(&progress.outcome) {
                out.push(case.at_field(
                    plan.doc,
                    &progress.outcome,
                    Diagnostic::new(
                        RuleId::PlanReferences,
                        format!(
                            "this progress entry is for outcome `{}`, which this plan does not \
                             have",
                            progress.outcome.value
                        ),
                        help(),
                    ),
                ));
            }
        }
    }
}

fn smart_outcomes(case: &Case, plan: &Typed<Plan>, out: &mut Vec<Diagnostic>) {
    for outcome in plan.value.outcomes.iter() {
        let mut missing = Vec::new();
        if !filled(&Some(outcome.description.clone())) {
            missing.push("`description` (what exactly)");
        }
        if !filled(&outcome.baseline) {
            missing.push("`baseline` (where the pupil is now)");
        }
        if !filled(&outcome.measure) {
            missing.push("`measure` (how success is measured)");
        }
        if !filled(&outcome.target) {
            missing.push("`target` (what counts as success)");
        }
        if outcome.by.is_none() {
            missing.push("`by` (the date by which)");
        }
        if !missing.is_empty() {
            let missing: Vec<String> = missing.into_iter().map(String::from).collect();
            out.push(case.at_field(
                plan.doc,
                outcome,
                Diagnostic::new(
                    RuleId::SmartOutcome,
                    format!(
                        "outcome {} is not SMART: it has no {}",
                        outcome.id.value,
                        join_and(&missing).replace(" and ", " and no ")
                    ),
                    "add the missing fields to the outcome, so that the review can show whether \
                     it was met",
                ),
            ));
        }
    }
}

fn plan_review_date(case: &Case, plan: &Typed<Plan>, out: &mut Vec<Diagnostic>) {
    let title = plan_title(case, plan);
    match &plan.value.review_date {
        None => out.push(case.at_field_key(
            plan.doc,
            &plan.value.start,
            Diagnostic::new(
                RuleId::PlanReviewDate,
                format!("{title} has no agreed review date"),
                "add `review_date:` with the date agreed with the parents for the review",
            ),
        )),
        Some(date) if date.value <= plan.value.start.value => out.push(case.at_field(
            plan.doc,
            date,
            Diagnostic::new(
                RuleId::PlanReviewDate,
                format!(
                    "the agreed review date {} is not after the plan's start {}",
                    date.value, plan.value.start.value
                ),
                "the review date comes after the plan starts: check both dates",
            ),
        )),
        Some(_) => {}
    }
}

fn provision(case: &Case, plan: &Typed<Plan>, out: &mut Vec<Diagnostic>) {
    let title = plan_title(case, plan);
    if plan.value.provision.is_empty() {
        out.push(case.at_field_key(
            plan.doc,
            &plan.value.needs,
            Diagnostic::new(
                RuleId::ProvisionRecorded,
                format!("{title} records no provision"),
                "add a `provision` list: for each intervention or adjustment, `what`, \
                 `how_often` and `delivered_by`",
            ),
        ));
        return;
    }
    let uncosted: Vec<&Spanned<crate::load::model::Provision>> = plan
        .value
        .provision
        .iter()
        .filter(|p| p.cost.is_none())
        .collect();
    if let Some(first) = uncosted.first() {
        out.push(case.at_field(
            plan.doc,
            *first,
            Diagnostic::new(
                RuleId::CostedProvision,
                format!(
                    "{} of {} in {title} {} no cost",
                    uncosted.len(),
                    count(
                        plan.value.provision.len(),
                        "provision item",
                        "provision items"
                    ),
                    if uncosted.len() == 1 { "has" } else { "have" }
                ),
                "add `cost:` with `amount` and `per` (session, week, term, year or plan) so the \
                 use of the notional budget can be shown; no particular amount is ever required",
            ),
        ));
    }
}

/// The dates `review-frequency` measures, in order, each with where it is: the start of the first
/// plan, then each plan's review (a past plan's `review.date`, the current plan's agreed
/// `review_date`). A plan with neither adds no date; other rules report it. This is the one
/// definition, and docs/rules/review-frequency.md says the same.
fn review_points(case: &Case) -> Vec<ReviewPoint<'_>> {
    let mut points = Vec::new();
    if let Some(first) = case.plans.first() {
        points.push(ReviewPoint {
            doc: first.doc,
            field: &first.value.start,
            is_start: true,
        });
    }
    for plan in &case.plans {
        let date = match &plan.value.review {
            Some(review) => review.date.as_ref(),
            None => plan.value.review_date.as_ref(),
        };
        if let Some(field) = date {
            points.push(ReviewPoint {
                doc: plan.doc,
                field,
                is_start: false,
            });
        }
    }
    points
}

/// A measured date for review-frequency: the field (for its place) and whether it is the first
/// plan's start rather than a review.
#[derive(Clone, Copy)]
struct ReviewPoint<'a> {
    doc: usize,
    field: &'a Spanned<NaiveDate>,
    is_start: bool,
}

/// The days from `since` up to `review` that fall in school terms: holidays do not count.
fn school_days(terms: &[crate::profile::Term], since: NaiveDate, review: NaiveDate) -> i64 {
    terms
        .iter()
        .map(|t| {
            let from = since.max(t.starts);
            let to = review.min(t.ends + chrono::Days::new(1));
            (to - from).num_days().max(0)
        })
        .sum()
}

/// One definition, as `ehcpack explain review-frequency` gives it: between two measured dates,
/// a whole school term with no review, or more school days than the profile's
/// `max_review_gap_days` (holidays not counted), is a finding. The terms are the profile's for
/// a year that has them, else the usual English pattern.
fn review_frequency(case: &Case, ctx: &Context, out: &mut Vec<Diagnostic>) {
    let max = ctx.profile.max_review_gap_days;
    let points = review_points(case);
    for pair in points.windows(2) {
        let (from, to) = (pair[0], pair[1]);
        let (since, review) = (from.field.value, to.field.value);
        if review <= since {
            continue; // dates-coherent reports dates out of order
        }
        let what = if from.is_start {
            "the first plan's start"
        } else {
            "the review"
        };
        let terms = ctx.profile.school_terms(since, review);
        let missed = terms.iter().find(|t| since < t.starts && t.ends < review);
        let message = match missed {
            Some(t) => Some(format!(
                "no review between {what} on {since} and the review on {review}: the whole {} \
                 ({} to {}) passed without one",
                calendar::term_name(t.starts),
                t.starts,
                t.ends
            )),
            None => {
                let days = school_days(&terms, since, review);
                (days > max).then(|| {
                    format!(
                        "{days} days of school time (holidays not counted) pass between {what} \
                         on {since} and the review on {review}; the profile allows at most {max}"
                    )
                })
            }
        };
        if let Some(message) = message {
            out.push(case.at_field(
                to.doc,
                to.field,
                Diagnostic::new(
                    RuleId::ReviewFrequency,
                    message,
                    "SEN support is reviewed at least three times a year, once a term: review \
                     the plan sooner, or record the reviews that took place in between",
                ),
            ));
        }
    }
}

fn pfa_outcomes(case: &Case, out: &mut Vec<Diagnostic>) {
    let Some(pupil) = &case.pupil else { return };
    if pupil.value.year_group.value < 9 {
        return;
    }
    let Some(current) = current_plan(case).or(case.plans.last()) else {
        return;
    };
    if !current.value.outcomes.iter().any(|o| o.pfa_area.is_some()) {
        out.push(case.at_field_key(
            current.doc,
            &current.value.outcomes,
            Diagnostic::new(
                RuleId::PfaOutcomes,
                format!(
                    "the pupil is in Year {} and no outcome of the current plan names a \
                     Preparing for Adulthood area",
                    pupil.value.year_group
                ),
                "give the outcomes that lead towards adult life a `pfa_area`: good-health, \
                 friendships-relationships-community, independent-living or employment",
            ),
        ));
    }
}

/// "a, b and c".
pub(crate) fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
