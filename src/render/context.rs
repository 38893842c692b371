//! What the templates see: the case as plain data, every string already cleared of any
//! protected address, plus what the pack adds (check results, costs, checksums, attachments).

use std::path::PathBuf;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::diagnostic::catalogue;
use crate::diagnostic::Severity;
use crate::load::case::Case;
use crate::load::model::{CostPer, EvidenceType, Plan, Provision, Rating, RequestedBy};
use crate::privacy::RedactedReport;
use crate::privacy::Redactor;

/// A PDF appended after the pack.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// The path as the case names it (relative to the case folder), already redacted.
    pub label: String,
    pub title: String,
    pub path: PathBuf,
    /// Its name inside the pack (`evidence/...`), as [`super::embedded`] attaches it.
    pub embedded_as: String,
}

/// A dated plan for the drawn time line.
#[derive(Debug, Clone)]
pub struct PlanSpan {
    pub label: String,
    pub start: NaiveDate,
    pub review: Option<NaiveDate>,
    /// The review has not happened yet: the date is the planned one.
    pub planned: bool,
}

/// Outcome ratings at one plan's review, for the chart.
#[derive(Debug, Clone, Default)]
pub struct Ratings {
    pub label: String,
    pub achieved: usize,
    pub partly: usize,
    pub not: usize,
    pub unrated: usize,
}

/// Everything rendering needs beyond the template context.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    pub initials: String,
    pub title: String,
    pub plans: Vec<PlanSpan>,
    pub guidance: Option<NaiveDate>,
    /// Whether the guidance date is the profile's estimate (the year is not listed).
    pub guidance_estimated: bool,
    pub submission: Option<NaiveDate>,
    pub ratings: Vec<Ratings>,
    pub attachments: Vec<Attachment>,
}

fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Replaces every string in `value` with its redacted form.
fn redact_all(value: &mut Value, redactor: &Redactor) {
    match value {
        Value::String(s) => {
            let r = redactor.redact(s);
            if r.as_str() != s.as_str() {
                *s = r.into_string();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| redact_all(v, redactor)),
        Value::Object(map) => map.values_mut().for_each(|v| redact_all(v, redactor)),
        _ => {}
    }
}

fn weeks_between(from: NaiveDate, to: NaiveDate) -> f64 {
    ((to - from).num_days().max(0) as f64 / 7.0).round()
}

/// The costs of a plan: per unit, and an estimate over the plan where the unit allows one.
fn plan_costs(plan: &Plan) -> Value {
    let mut per: Vec<(CostPer, f64)> = Vec::new();
    for p in &plan.provision {
        if let Some(c) = &p.cost {
            match per.iter_mut().find(|(u, _)| *u == c.per) {
                Some((_, total)) => *total += c.amount,
                None => per.push((c.per, c.amount)),
            }
        }
    }
    // The widest unit first.
    let order = [
        CostPer::Plan,
        CostPer::Year,
        CostPer::Term,
        CostPer::Week,
        CostPer::Session,
    ];
    per.sort_by_key(|(u, _)| order.iter().position(|o| o == u).unwrap_or(order.len()));
    let weeks = plan
        .review_date
        .as_ref()
        .map(|r| weeks_between(plan.start.value, r.value));
    let mut estimate = 0.0;
    let mut estimated = true;
    let mut not_estimated = Vec::new();
    for (unit, amount) in &per {
        match (*unit, weeks) {
            (CostPer::Plan, _) => estimate += amount,
            (CostPer::Week, Some(w)) => estimate += amount * w,
            (CostPer::Term, Some(w)) => estimate += amount * (w / 13.0).ceil().max(1.0),
            (CostPer::Year, Some(w)) => estimate += amount * (w / 39.0).max(0.0),
            _ => {
                estimated = false;
                not_estimated.push(unit.as_str());
            }
        }
    }
    json!({
        "per": per.iter().map(|(u, a)| json!({"per": u.as_str(), "amount": a})).collect::<Vec<_>>(),
        "weeks": weeks,
        "estimate": if per.is_empty() { Value::Null } else { json!(estimate) },
        "complete_estimate": estimated,
        "not_estimated": not_estimated,
        "costed": plan.provision.iter().filter(|p| p.cost.is_some()).count(),
        "uncosted": plan.provision.iter().filter(|p| p.cost.is_none()).count(),
    })
}

/// The family as the pack may print it. With a protected address, the contact details of anyone
/// who lives with the pupil (or may: `lives_with_pupil` not recorded) and the names of household
/// members are removed, since they could lead to the child's home; `contact_withheld` says so.
fn family_value(family: &crate::load::model::Family, protected: bool) -> Value {
    let mut v = to_value(family);
    if !protected {
        return v;
    }
    if let Some(people) = v["people"].as_array_mut() {
        for (person, typed) in people.iter_mut().zip(&family.people) {
            if typed.lives_with_pupil != Some(false) {
                if let Some(map) = person.as_object_mut() {
                    for field in ["phone", "email", "address"] {
                        map.remove(field);
                    }
                    map.insert("contact_withheld".into(), json!(true));
                }
            }
        }
    }
    if let Some(household) = v["household"].as_array_mut() {
        for member in household.iter_mut() {
            if let Some(map) = member.as_object_mut() {
                map.remove("name");
            }
        }
    }
    v
}

/// Who the LA reaches the family through when the carers' contacts are withheld: the social
/// worker (with their contact), else the virtual school, else the responsible authority; a
/// contact that the case records, never one it does not.
fn contact_route(pupil: &crate::model::Pupil) -> String {
    let Some(la) = &pupil.looked_after else {
        return "the pupil's social worker or the responsible authority".into();
    };
    fn said(t: &Option<String>) -> Option<&str> {
        t.as_deref().filter(|t| crate::rules::says_something(t))
    }
    if let Some(name) = said(&la.social_worker) {
        let contact: Vec<&str> = la
            .social_worker_contact
            .iter()
            .flat_map(|c| [said(&c.phone), said(&c.email), said(&c.team)])
            .flatten()
            .collect();
        return if contact.is_empty() {
            format!("the social worker, {name}")
        } else {
            format!("the social worker, {name} ({})", contact.join(", "))
        };
    }
    if let Some(school) = said(&la.virtual_school) {
        return format!("the virtual school, {school}");
    }
    format!("the responsible authority, {}", la.responsible_authority)
}

fn provision_value(p: &Provision) -> Value {
    to_value(p)
}

/// The template context and the extras, from a validated case.
pub fn build(
    case: &Case,
    report: &RedactedReport,
    draft: bool,
    today: NaiveDate,
) -> (Value, Extras) {
    let redactor = Redactor::for_case(case);
    let mut extras = Extras::default();
    let mut ctx = Map::new();

    // The pupil: never the protected address itself.
    let pupil = case.pupil.as_ref().map(|p| &p.value);
    if let Some(p) = pupil {
        let mut v = to_value(p);
        let protected = p.address.protected || redactor.is_protected();
        if protected {
            v["address"] = json!({"protected": true, "withheld": true, "lines": [], "town": null, "postcode": null});
        } else {
            v["address"]["withheld"] = json!(false);
        }
        if protected {
            // The young person's own contact could lead to the protected home: the LA reaches
            // a looked-after young person through the social worker (docs/senco.md, "Contact details
            // and the protected address").
            if let Some(map) = v.as_object_mut() {
                map.remove("own_contact");
            }
        }
        if let Some(a) = &p.attendance {
            // One decimal place always (91.0%, not 91%), as attendance figures are written.
            v["attendance"]["worked_out_percent"] =
                json!(a.percent_attended().map(|p| format!("{p:.1}")));
        }
        v["full_name"] = json!(p.legal_name.full());
        v["initials"] = json!(p.legal_name.initials());
        extras.initials = p.legal_name.initials();
        ctx.insert("pupil".into(), v);
    } else {
        ctx.insert("pupil".into(), Value::Null);
    }
    if extras.initials.is_empty() {
        extras.initials = "(pupil not identified)".into();
    }
    let put = |ctx: &mut Map<String, Value>, key: &str, v: Value| {
        ctx.insert(key.into(), v);
    };
    let protected = pupil.is_some_and(|p| p.address.protected) || redactor.is_protected();
    put(&mut ctx, "contact_route", json!(pupil.map(contact_route)));
    put(
        &mut ctx,
        "family",
        case.family
            .as_ref()
            .map_or(Value::Null, |d| family_value(&d.value, protected)),
    );
    put(
        &mut ctx,
        "needs",
        case.needs
            .as_ref()
            .map_or(Value::Null, |d| to_value(&d.value)),
    );
    put(
        &mut ctx,
        "health",
        case.health
            .as_ref()
            .map_or(Value::Null, |d| to_value(&d.value)),
    );
    put(
        &mut ctx,
        "attainment",
        case.attainment
            .as_ref()
            .map_or(Value::Null, |d| to_value(&d.value)),
    );
    put(
        &mut ctx,
        "views",
        case.views
            .as_ref()
            .map_or(Value::Null, |d| to_value(&d.value)),
    );
    put(
        &mut ctx,
        "professionals",
        case.professionals
            .as_ref()
            .map_or(Value::Null, |d| to_value(&d.value)),
    );
    put(
        &mut ctx,
        "request",
        case.request
            .as_ref()
            .map_or(Value::Null, |d| to_value(&d.value)),
    );
    put(
        &mut ctx,
        "consent",
        case.consent
            .as_ref()
            .map_or(Value::Null, |d| to_value(&d.value)),
    );

    // Plans, with each outcome's review and the costs.
    let mut plans = Vec::new();
    for (i, typed) in case.plans.iter().enumerate() {
        let plan = &typed.value;
        let number = i + 1;
        let mut v = to_value(plan);
        v["number"] = json!(number);
        v["file"] = json!(case.documents[typed.doc].path.display().to_string());
        let mut ratings = Ratings {
            label: format!("Plan {number}"),
            ..Ratings::default()
        };
        let outcomes: Vec<Value> = plan
            .outcomes
            .iter()
            .map(|o| {
                let mut ov = to_value(o);
                let progress = plan
                    .review
                    .as_ref()
                    .and_then(|r| r.progress.iter().find(|p| p.outcome == o.id));
                match progress.map(|p| p.rating) {
                    Some(Rating::Achieved) => ratings.achieved += 1,
                    Some(Rating::PartlyAchieved) => ratings.partly += 1,
                    Some(Rating::NotAchieved) => ratings.not += 1,
                    None => ratings.unrated += 1,
                }
                ov["progress"] = progress.map_or(Value::Null, to_value);
                ov["rating_text"] = json!(match progress.map(|p| p.rating) {
                    Some(Rating::Achieved) => "Achieved",
                    Some(Rating::PartlyAchieved) => "Partly achieved",
                    Some(Rating::NotAchieved) => "Not achieved",
                    None => "Not reviewed",
                });
                ov
            })
            .collect();
        v["outcomes"] = Value::Array(outcomes);
        v["provision"] = Value::Array(
            plan.provision
                .iter()
                .map(|p| provision_value(&p.value))
                .collect(),
        );
        v["costs"] = plan_costs(plan);
        extras.ratings.push(ratings);
        extras.plans.push(PlanSpan {
            label: format!("Plan {number}"),
            start: plan.start.value,
            review: plan
                .review
                .as_ref()
                .and_then(|r| r.date.as_ref().map(|d| d.value))
                .or(plan.review_date.as_ref().map(|d| d.value)),
            planned: plan.review.as_ref().and_then(|r| r.date.as_ref()).is_none(),
        });
        plans.push(v);
    }
    put(&mut ctx, "plans", Value::Array(plans));

    // Evidence: each file checked as the rules check it; PDFs that pass are attached.
    let mut evidence = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    let mut add = |path: &str,
                   title: &str,
                   author: Option<&str>,
                   date: Option<NaiveDate>,
                   kind: Option<&str>,
                   from: &str| {
        if seen.iter().any(|s| s == path) {
            return;
        }
        seen.push(path.to_string());
        // Each file was read and checked once, when the case was loaded.
        let read = case
            .evidence_facts(path)
            .cloned()
            .unwrap_or_else(|| not_read(path));
        let problem = read.problem.clone();
        let full = case.root.join(path);
        let sha = problem.is_none().then(|| read.sha256.clone());
        let attach = read.attachable();
        // Every readable file travels inside the pack (render::embedded), under this name.
        let embedded_as = format!(
            "{}{}",
            crate::manifest::EVIDENCE_PREFIX,
            redactor.redact(&path.replace('\\', "/")).as_str()
        );
        let embedded = problem.is_none()
            && crate::manifest::is_safe_relative_path(
                &embedded_as[crate::manifest::EVIDENCE_PREFIX.len()..],
            );
        let appendix = if attach {
            extras.attachments.push(Attachment {
                label: redactor.redact(path).into_string(),
                title: redactor.redact(title).into_string(),
                path: full.clone(),
                embedded_as: embedded_as.clone(),
            });
            Some(extras.attachments.len())
        } else {
            None
        };
        evidence.push(json!({
            "path": path,
            "title": title,
            "author": author,
            "date": date,
            "type": kind,
            "from": from,
            "sha256": sha,
            "attached": attach,
            "embedded": embedded,
            "embedded_as": embedded_as,
            "appendix": appendix,
            "problem": problem.map(|(m, _)| m),
        }));
    };
    if let Some(e) = &case.evidence {
        for f in &e.value.files {
            add(
                &f.path,
                &f.title,
                f.author.as_deref(),
                f.date.as_ref().map(|d| d.value),
                f.kind.map(|k| k.as_str()),
                "evidence",
            );
        }
    }
    if let Some(p) = &case.professionals {
        for inv in &p.value.involvements {
            if let Some(r) = &inv.report {
                let title = format!("Report: {} ({})", inv.role, inv.service);
                add(
                    r,
                    &title,
                    inv.name.as_deref(),
                    None,
                    Some(EvidenceType::Report.as_str()),
                    "professionals",
                );
            }
        }
    }
    put(&mut ctx, "evidence", Value::Array(evidence));

    // The check summary, for the pack's readers (render::checks); and, for templates of
    // one's own, every rule about a case folder with its result.
    let complete = case.is_complete();
    // A parent or young person asks without the school's plans or professionals' reports: a
    // group with nothing recorded is said to be so, not "Met" (the rules do not ask for them).
    let mut none_recorded = Vec::new();
    if case.requested_by() != RequestedBy::School {
        if case.plans.is_empty() {
            none_recorded.push(super::checks::Asks::Support);
        }
        if case
            .professionals
            .as_ref()
            .is_none_or(|p| p.value.involvements.is_empty())
            && case.evidence_files.is_empty()
        {
            none_recorded.push(super::checks::Asks::Advice);
        }
    }
    let (groups, tool_findings) = super::checks::summary(report, complete, &none_recorded);
    put(&mut ctx, "check_groups", groups);
    put(&mut ctx, "tool_findings", tool_findings);
    let checks: Vec<Value> = catalogue::all()
        .iter()
        .filter(|rule| rule.id.checks_a_case())
        .map(|rule| {
            let found: Vec<_> = report.diagnostics.iter().filter(|d| d.rule == rule.id).collect();
            let status = if found.iter().any(|d| d.is_error()) {
                "not-met"
            } else if !found.is_empty() {
                "warning"
            } else if !complete && !rule.id.is_reading() {
                "not-checked"
            } else {
                "met"
            };
            json!({
                "id": rule.id.as_str(),
                "summary": rule.summary,
                "source": rule.source,
                "basis": rule.basis.as_str(),
                "basis_text": rule.basis.describe(),
                "applies": rule.applies.as_str(),
                "advice_here": rule.applies == crate::diagnostic::catalogue::Applies::School
                    && case.requested_by() != RequestedBy::School,
                "severity": match rule.severity { Severity::Error => "error", Severity::Warning => "warning" },
                "status": status,
                "status_text": match status {
                    "not-met" => "Not met",
                    "warning" => "Warning",
                    "not-checked" => "Not checked",
                    _ => "Met",
                },
                "messages": found.iter().map(|d| d.message.clone()).collect::<Vec<_>>(),
            })
        })
        .collect();
    put(&mut ctx, "checks", Value::Array(checks));
    put(
        &mut ctx,
        "report",
        json!({
            "verdict": report.verdict.as_str(),
            "errors": report.errors,
            "warnings": report.warnings,
        }),
    );
    let d = &report.dates;
    extras.guidance = d.guidance_date;
    extras.guidance_estimated = d.guidance_date_estimated;
    extras.submission = d.submission_date;
    put(
        &mut ctx,
        "dates",
        json!({
            "submission": d.submission_date,
            "guidance": d.guidance_date,
            "guidance_status": d.guidance_status(),
            "guidance_estimated": d.guidance_date_estimated,
            "guidance_note": if d.guidance_date_estimated { crate::profile::ESTIMATE_NOTE } else { "" },
        }),
    );
    put(&mut ctx, "draft", json!(draft));
    put(&mut ctx, "today", json!(today));

    let mut ctx = Value::Object(ctx);
    redact_all(&mut ctx, &redactor);
    extras.title = format!("Request for an EHC needs assessment: {}", extras.initials);
    (ctx, extras)
}

/// A file loading did not read (render never reads one itself): shown as not attached.
/// Loading reads every file the case lists, so only a case built otherwise meets this.
fn not_read(path: &str) -> crate::load::case::EvidenceFacts {
    crate::load::case::EvidenceFacts {
        path: path.to_string(),
        bytes: 0,
        sha256: String::new(),
        pdf_pages: None,
        problem: Some((
            format!("{path} was not read when the case was loaded"),
            "validate the case folder again".into(),
        )),
        address: crate::load::case::AddressScan::NotScanned,
    }
}
