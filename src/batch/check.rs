//! Checking one item of a batch: a case folder through [`crate::check::validate`], a pack or an
//! archive through [`crate::received`], a path that cannot be checked as its finding; each case
//! with what the rest of the batch needs of it (its pupil's [`Identity`], its redactor).

use std::path::{Path, PathBuf};

use crate::check::Context;
use crate::diagnostic::case_report::CaseReport;
use crate::diagnostic::Diagnostic;
use crate::load::case::Case;
use crate::privacy::Redactor;
use crate::received::Options;
use crate::rules::duplicates::Identity;

use super::discover::Item;

/// One case checked, with what the batch needs to know about it.
#[derive(Debug, Clone)]
pub struct Checked {
    pub report: CaseReport,
    /// The file or folder it arrived as.
    pub item: PathBuf,
    pub identity: Identity,
    /// Whether the case records its own `received_date` (which the LA's record does not replace).
    pub case_received: bool,
    /// The case's redactor, which joins the batch's.
    pub redactor: Redactor,
}

fn checked(report: CaseReport, item: &Path, case: Option<&Case>) -> Checked {
    checked_with(report, item, case, None)
}

/// As [`checked`], with the case's redactor when the check has built it already.
fn checked_with(
    mut report: CaseReport,
    item: &Path,
    case: Option<&Case>,
    redactor: Option<Redactor>,
) -> Checked {
    if let Some(case) = case {
        report.particulars = crate::diagnostic::case_report::Particulars::of(case);
    }
    Checked {
        report,
        // Kept as text (lossily where the name is not UTF-8), so that the batch can set it aside.
        item: PathBuf::from(item.to_string_lossy().into_owned()),
        identity: case.map(Identity::of).unwrap_or_default(),
        case_received: case
            .and_then(|c| c.request.as_ref())
            .is_some_and(|r| r.value.received_date.is_some()),
        redactor: redactor.unwrap_or_else(|| case.map_or_else(Redactor::none, Redactor::for_case)),
    }
}

/// Checks one item: a case folder gives one case, a pack one, an archive one for each case
/// folder in it (and one for the archive itself when an entry was refused or it holds no case).
pub fn check(item: &Item, ctx: &Context, options: &Options) -> Vec<Checked> {
    let mut checked = check_uncapped(item, ctx, options);
    // A school's own folder lists every finding; what arrives from outside (a pack, a zip) is
    // untrusted and lists at most `max_findings` (the run's byte budget covers both).
    if !matches!(item, Item::Pack(_) | Item::Zip(_)) {
        return checked;
    }
    for c in &mut checked {
        let keep = options.limits.max_findings;
        cap_findings(
            &mut c.report,
            keep,
            &format!("ehcpack lists at most {keep} findings for a received item"),
        );
    }
    checked
}

/// Keeps the first `keep` findings (errors first, in their order) and puts one in place of the
/// rest saying how many there were, of which kind. The verdict stays: when a dropped finding is
/// an error, every kept one is an error too. A received item is untrusted, and nothing it holds
/// may make the report (or the memory that holds it) as large as it likes.
pub(crate) fn cap_findings(report: &mut CaseReport, keep: usize, why: &str) {
    if report.diagnostics.len() <= keep {
        return;
    }
    report.diagnostics.sort_by_key(|d| d.severity);
    let dropped = report.diagnostics.split_off(keep);
    let errors = dropped.iter().filter(|d| d.is_error()).count();
    let warnings = dropped.len() - errors;
    let kinds = match (errors, warnings) {
        (0, w) => format!("{w} warning{}", if w == 1 { "" } else { "s" }),
        (e, 0) => format!("{e} error{}", if e == 1 { "" } else { "s" }),
        (e, w) => format!(
            "{e} error{} and {w} warning{}",
            if e == 1 { "" } else { "s" },
            if w == 1 { "" } else { "s" }
        ),
    };
    let mut summary = Diagnostic::new(
        dropped[0].rule,
        format!("and {kinds} more, not listed: {why}"),
        "deal with the findings listed and check again, or check this item by hand: so many \
         findings usually mean a damaged or altered file",
    );
    summary.severity = dropped[0].severity;
    report.diagnostics.push(summary);
    report.recount();
}

fn check_uncapped(item: &Item, ctx: &Context, options: &Options) -> Vec<Checked> {
    match item {
        Item::Folder(path) => {
            let source = crate::load::case::Source::Folder {
                root: path,
                overrides: &[],
            };
            let (case, report, redactor) = crate::check::validate_keeping_redactor(source, ctx);
            vec![checked_with(
                report.into_inner(),
                path,
                Some(&case),
                Some(redactor),
            )]
        }
        Item::Problem {
            path,
            message,
            help,
        } => vec![checked(
            super::folders::Item::problem_report(path, message, help).into_inner(),
            path,
            None,
        )],
        Item::Pack(path) => {
            let (report, case, redactor) = crate::received::check_pack(path, ctx, options);
            vec![checked_with(report, path, case.as_ref(), redactor)]
        }
        Item::Zip(path) => crate::received::check_zip(path, ctx, options)
            .into_iter()
            .map(|(report, case, redactor)| checked_with(report, path, case.as_ref(), redactor))
            .collect(),
    }
}
