//! How a checked case waits for the end of the batch: `duplicate-pupil` and the LA's record of
//! receipt need every case seen before any is printed, so reports wait as JSON lines in a
//! [`crate::received::sealed`] file (unnamed, deleted by the system when closed) rather than in
//! memory.

use std::io::{self, BufRead, Write};
use std::path::PathBuf;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::diagnostic::case_report::{CaseReport, KeyDates};
use crate::diagnostic::catalogue;
use crate::diagnostic::{Diagnostic, Severity, Verdict};

use crate::received::sealed::Sealed;
use crate::rules::duplicates::{Candidates, Identity, Named};

use super::check::Checked;

/// How many bytes of names and keys [`Identities`] keeps in memory before its file is made.
const IDENTITIES_IN_MEMORY: usize = 64 * 1024;

/// Each case's name and pupil keys, set aside for `duplicate-pupil`: the batch keeps only their
/// hashes ([`crate::rules::duplicates::Pupils`]) and reads back the few whose hashes meet another's.
/// Sealed like the reports: a name or a key is the pupil's.
pub(super) struct Identities {
    sealed: Sealed,
}

impl Identities {
    pub(super) fn new() -> io::Result<Identities> {
        Ok(Identities {
            sealed: Sealed::keeping(IDENTITIES_IN_MEMORY)?,
        })
    }

    /// Sets aside the `index`th case's name as reports show it, and its keys (if it has any).
    pub(super) fn add(&mut self, index: u32, shown: &str, identity: &Identity) -> io::Result<()> {
        if identity.upn.is_none() && identity.name_dob.is_none() {
            return Ok(());
        }
        let line = (index, shown, &identity.upn, &identity.name_dob);
        serde_json::to_writer(&mut self.sealed, &line)?;
        self.sealed.write_all(b"\n")
    }

    /// The names and keys of the `candidates`, read back (nothing is read when there are none).
    pub(super) fn read(self, candidates: &Candidates) -> io::Result<Vec<Named>> {
        let mut named = Vec::new();
        if candidates.is_empty() {
            return Ok(named);
        }
        for line in io::BufReader::new(self.sealed.into_reader()?).lines() {
            let line = line?;
            // `[index,...`: only a candidate's line is parsed whole.
            let index = line
                .strip_prefix('[')
                .and_then(|rest| rest.split(',').next())
                .and_then(|i| i.parse::<usize>().ok());
            if !index.is_some_and(|i| candidates.contains(i)) {
                continue;
            }
            let (index, shown, upn, name_dob): (u32, String, Option<String>, Option<String>) =
                serde_json::from_str(&line)?;
            named.push(Named {
                index,
                shown,
                upn,
                name_dob,
            });
        }
        Ok(named)
    }
}

/// A report as it waits in the spill file.
#[derive(Serialize, Deserialize)]
pub(super) struct Spilled {
    path: PathBuf,
    received_as: Option<String>,
    pub(super) item: PathBuf,
    pub(super) case_received: bool,
    pub(super) upn: Option<String>,
    pub(super) at: Option<(PathBuf, usize, usize)>,
    pupil_reference: Option<String>,
    submission_date: Option<NaiveDate>,
    guidance_date: Option<NaiveDate>,
    #[serde(default)]
    guidance_date_estimated: bool,
    received_date: Option<NaiveDate>,
    decision_due: Option<NaiveDate>,
    final_plan_due: Option<NaiveDate>,
    particulars: crate::diagnostic::case_report::Particulars,
    by_hand: Option<crate::diagnostic::case_report::ByHand>,
    diagnostics: Vec<SpilledFinding>,
}

#[derive(Serialize, Deserialize)]
struct SpilledFinding {
    rule: String,
    /// As found: a rule that is advice on this requester's request stays advice.
    #[serde(default)]
    error: Option<bool>,
    file: Option<PathBuf>,
    line: Option<usize>,
    column: Option<usize>,
    message: String,
    help: String,
    snippet: Option<String>,
}

impl Spilled {
    pub(super) fn of(c: Checked) -> Spilled {
        let r = c.report;
        Spilled {
            path: r.path,
            received_as: r.received_as.map(str::to_string),
            item: c.item,
            case_received: c.case_received,
            upn: c.identity.upn,
            at: c.identity.at,
            pupil_reference: r.dates.pupil_reference,
            submission_date: r.dates.submission_date,
            guidance_date: r.dates.guidance_date,
            guidance_date_estimated: r.dates.guidance_date_estimated,
            received_date: r.dates.received_date,
            decision_due: r.dates.decision_due,
            final_plan_due: r.dates.final_plan_due,
            particulars: r.particulars,
            by_hand: r.by_hand,
            diagnostics: r
                .diagnostics
                .into_iter()
                .map(|d| SpilledFinding {
                    rule: d.rule.to_string(),
                    error: Some(d.is_error()),
                    file: d.file,
                    line: d.line,
                    column: d.column,
                    message: d.message,
                    help: d.help,
                    snippet: d.snippet,
                })
                .collect(),
        }
    }

    pub(super) fn report(self, today: NaiveDate) -> CaseReport {
        let diagnostics = self
            .diagnostics
            .into_iter()
            .filter_map(|d| {
                let rule = catalogue::get(&d.rule)?;
                Some(Diagnostic {
                    rule: rule.id,
                    severity: match d.error {
                        Some(true) => Severity::Error,
                        Some(false) => Severity::Warning,
                        None => rule.severity,
                    },
                    file: d.file,
                    line: d.line,
                    column: d.column,
                    message: d.message,
                    help: d.help,
                    source: rule.source,
                    basis: rule.basis,
                    snippet: d.snippet,
                })
            })
            .collect();
        let mut report = CaseReport {
            path: self.path,
            received_as: match self.received_as.as_deref() {
                Some("pack") => Some("pack"),
                Some(_) => Some("zip"),
                None => None,
            },
            verdict: Verdict::Pass,
            errors: 0,
            warnings: 0,
            dates: KeyDates {
                pupil_reference: self.pupil_reference,
                submission_date: self.submission_date,
                guidance_date: self.guidance_date,
                guidance_date_estimated: self.guidance_date_estimated,
                received_date: self.received_date,
                decision_due: self.decision_due,
                final_plan_due: self.final_plan_due,
                overdue: None,
                next_due: None,
            }
            .with_overdue(today),
            particulars: self.particulars,
            by_hand: self.by_hand,
            diagnostics,
        };
        report.recount();
        report
    }
}
