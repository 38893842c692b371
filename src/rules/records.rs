//! What the LA weighs (toolkit, "EHC needs assessment"): views, attainment, the needs, health
//! and development, and the evidence files behind them.

use std::fs;
use std::path::{Component, Path};

use super::{filled, Context};
use crate::case::Case;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::RuleId;

pub(super) fn check(case: &Case, ctx: &Context, out: &mut Vec<Diagnostic>) {
    views(case, out);
    attainment(case, ctx, out);
    need_described(case, out);
    health_development(case, out);
    evidence_files(case, out);
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
                .find(|f| f.path == path)
                .and_then(|f| f.date)
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
        for (i, inv) in professionals.value.involvements.iter().enumerate() {
            let what = format!("the report of the {} ({})", inv.role, inv.service);
            match (inv.report_date, &inv.report) {
                (Some(date), _) => {
                    if let Some(path) = &inv.report {
                        dated_paths.push(path.clone());
                    }
                    if date < oldest {
                        out.push(case.at(
                            professionals.doc,
                            &format!("/involvements/{i}/report_date"),
                            too_old(what, date),
                        ));
                    }
                }
                // Dated in evidence.yaml instead: checked with the evidence below.
                (None, Some(path)) if evidence_date(path).is_some() => {}
                (None, Some(_)) => out.push(case.at(
                    professionals.doc,
                    &format!("/involvements/{i}/report"),
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
        for (i, file) in evidence.value.files.iter().enumerate() {
            let is_report = file.kind.as_deref() == Some("report")
                || case.professionals.as_ref().is_some_and(|p| {
                    p.value
                        .involvements
                        .iter()
                        .any(|inv| inv.report.as_deref() == Some(file.path.as_str()))
                });
            // A report the professional's own `report_date` dates is judged by that date.
            if !is_report || dated_paths.contains(&file.path) {
                continue;
            }
            if let Some(date) = file.date.filter(|d| *d < oldest) {
                out.push(case.at(
                    evidence.doc,
                    &format!("/files/{i}/date"),
                    too_old(format!("the report {}", file.title), date),
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
            out.push(place(
                case,
                doc,
                "/pupil",
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
        .map(|a| a.value.assessments.iter().map(|x| x.date).collect())
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
    let d = needs.value.description.clone().unwrap_or_default();
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
        out.push(case.at_key(
            needs.doc,
            if needs.value.description.is_some() {
                "/description"
            } else {
                ""
            },
            Diagnostic::new(
                RuleId::NeedDescribed,
                format!("needs.yaml does not record {}", missing.join(", ")),
                "describe the needs: the LA weighs their nature, extent and cause; where the \
                 cause is not known, say so and what assessments are under way",
            ),
        ));
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

/// The help for a path written with `\`, before the path spelt with `/`.
const PORTABLE_HELP: &str = "write it with `/`, which works on every computer";

/// How an evidence path is wrong, if it is.
pub fn evidence_problem(root: &Path, path: &str) -> Option<(String, String)> {
    let rel = Path::new(path);
    // Absolute on any system: `/...`, `\\server\...`, or a Windows drive such as `C:`.
    let drive =
        path.len() >= 2 && path.as_bytes()[0].is_ascii_alphabetic() && path.as_bytes()[1] == b':';
    if rel.is_absolute() || path.starts_with('/') || path.starts_with('\\') || drive {
        return Some((
            format!("the evidence path `{path}` is not inside the case folder"),
            "give the path relative to the case folder, e.g. reports/salt-report.pdf, and copy \
             the file into the folder"
                .into(),
        ));
    }
    // `\` separates folders only on Windows: a case folder written there must still check and
    // render the same on the LA's computers, so every path is written with `/`.
    if path.contains('\\') {
        return Some((
            format!("the evidence path `{path}` separates folders with `\\`"),
            format!("{PORTABLE_HELP}: {}", path.replace('\\', "/")),
        ));
    }
    if rel.components().any(|c| matches!(c, Component::ParentDir)) {
        return Some((
            format!("the evidence path `{path}` uses `..` to leave the case folder"),
            "copy the file into the case folder (for example into reports/) and give that path"
                .into(),
        ));
    }
    let full = root.join(rel);
    // Every step must be a real folder or file inside the case, not a link out of it.
    let canonical_root = fs::canonicalize(root).ok()?;
    match fs::canonicalize(&full) {
        Err(_) => {
            return Some((
                format!("the evidence file `{path}` is not in the case folder"),
                "check the spelling of the path (capital letters count) or add the file".into(),
            ))
        }
        Ok(target) if !target.starts_with(&canonical_root) => {
            return Some((
                format!(
                    "the evidence file `{path}` is a link to somewhere outside the case folder"
                ),
                "copy the file into the case folder instead of linking to it".into(),
            ))
        }
        Ok(_) => {}
    }
    let meta = fs::metadata(&full).ok()?;
    if !meta.is_file() {
        return Some((
            format!("the evidence path `{path}` is not an ordinary file"),
            "name the file itself, not a folder or a special file".into(),
        ));
    }
    // What is in the file (its size, whether a PDF reads) is case::read_evidence's part.
    None
}

fn evidence_files(case: &Case, out: &mut Vec<Diagnostic>) {
    // Each file was read once when the case was loaded (case::read_evidence).
    let redactor = crate::privacy::Redactor::for_case(case);
    let mut check = |doc: usize, pointer: String, path: &str| {
        let problem = match case.evidence_facts(path) {
            Some(facts) => facts.problem.clone(),
            None => crate::case::read_evidence(&case.root, path).problem,
        };
        if let Some((message, mut help)) = problem {
            // The path spelt again with `/` is a rewritten value, which the redactor would no
            // longer read as it reads the original (`\u0020` becomes `/u0020`): it is offered
            // only for a path that holds nothing withheld.
            if help.starts_with(PORTABLE_HELP) && redactor.redact(path).as_str() != path {
                help = format!("{PORTABLE_HELP}, in place of each `\\`");
            }
            out.push(case.at(
                doc,
                &pointer,
                Diagnostic::new(RuleId::EvidenceFile, message, help),
            ));
        }
    };
    if let Some(e) = &case.evidence {
        for (i, f) in e.value.files.iter().enumerate() {
            check(e.doc, format!("/files/{i}/path"), &f.path);
        }
    }
    if let Some(p) = &case.professionals {
        for (i, inv) in p.value.involvements.iter().enumerate() {
            if let Some(report) = &inv.report {
                check(p.doc, format!("/involvements/{i}/report"), report);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::evidence_problem;

    #[test]
    fn absolute_and_escaping_paths_are_refused_but_a_colon_in_a_name_is_not() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("reports")).unwrap();
        std::fs::write(dir.path().join("reports/SALT: 2025.txt"), "report").unwrap();
        assert_eq!(evidence_problem(dir.path(), "reports/SALT: 2025.txt"), None);
        for bad in [
            "/etc/passwd",
            "C:\\reports\\a.pdf",
            "c:/a.pdf",
            "\\\\server\\a.pdf",
            "../a.pdf",
            "reports/../../a.pdf",
        ] {
            assert!(evidence_problem(dir.path(), bad).is_some(), "{bad}");
        }
    }

    /// A path written on Windows with `\` checks the same on every computer: refused, with the
    /// `/` spelling to use instead, even where the file is there.
    #[test]
    fn a_windows_separator_is_refused_with_the_portable_spelling() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("reports")).unwrap();
        std::fs::write(dir.path().join("reports/salt.pdf"), "%PDF-1.4").unwrap();
        assert_eq!(evidence_problem(dir.path(), "reports/salt.pdf"), None);
        let (message, help) = evidence_problem(dir.path(), "reports\\salt.pdf").unwrap();
        assert!(message.contains("separates folders with `\\`"), "{message}");
        assert!(help.ends_with("reports/salt.pdf"), "{help}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Any file in sub-folders of the case: found when written with `/`, and refused with
        /// that spelling offered when written with `\`, on every system alike.
        #[test]
        fn a_path_checks_the_same_on_every_system(
            folders in proptest::collection::vec("[a-z0-9][a-z0-9 _-]{0,7}", 1..4),
            file in "[a-z0-9]{1,8}\\.txt",
        ) {
            let dir = tempfile::tempdir().unwrap();
            let folder = folders.iter().fold(dir.path().to_path_buf(), |p, f| p.join(f));
            std::fs::create_dir_all(&folder).unwrap();
            std::fs::write(folder.join(&file), "report").unwrap();
            let portable = format!("{}/{file}", folders.join("/"));
            proptest::prop_assert_eq!(evidence_problem(dir.path(), &portable), None);
            let windows = portable.replace('/', "\\");
            let (_, help) = evidence_problem(dir.path(), &windows).expect("refused");
            proptest::prop_assert!(help.ends_with(&portable), "{}", help);
        }
    }
}
