//! The result of checking one case: its findings in order, its verdict and the dates that
//! matter to the LA. Every stage fills one in; [`crate::privacy`] redacts it; the writers print it.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;

use super::{Diagnostic, Verdict};
use crate::calendar;
use crate::profile;

/// Between a received file and a file inside it, as reports show it: `ava.pdf › pupil.yaml`.
pub const INSIDE: &str = " › ";

/// Dates that matter to the LA for one case.
#[derive(Debug, Clone, Serialize, Default)]
pub struct KeyDates {
    /// The pupil's UPN, for the LA's own records.
    pub pupil_reference: Option<String>,
    pub submission_date: Option<NaiveDate>,
    pub guidance_date: Option<NaiveDate>,
    /// Whether the guidance date is an estimate: the profile does not list the academic year,
    /// so it is the profile's rule on the usual end of the summer term.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub guidance_date_estimated: bool,
    /// When the LA received the request: the case's `received_date`, else `--received`.
    pub received_date: Option<NaiveDate>,
    /// The LA's decision on whether to assess is due this many weeks after receipt (6).
    pub decision_due: Option<NaiveDate>,
    /// The final EHC plan, if one is issued, is due this many weeks after receipt (20).
    pub final_plan_due: Option<NaiveDate>,
    /// Which statutory date has passed on `--today`: `decision` or `final-plan`.
    pub overdue: Option<&'static str>,
    /// The next statutory date: the decision date until it has passed, then the final plan
    /// date. Reports sort by it.
    pub next_due: Option<NaiveDate>,
}

impl KeyDates {
    /// The guidance date as people read it: `Monday 22 March 2027`, with `(estimated: ...)`
    /// where it is an estimate.
    pub fn guidance_text(&self) -> Option<String> {
        self.guidance_date.map(|d| {
            let mut text = crate::calendar::long_date(d);
            if self.guidance_date_estimated {
                text.push_str(&format!(" ({})", crate::profile::ESTIMATE_NOTE));
            }
            text
        })
    }

    /// `before`, `after` or `unknown`: the submission against the guidance date.
    pub fn guidance_status(&self) -> &'static str {
        match (self.submission_date, self.guidance_date) {
            (Some(s), Some(g)) if s > g => "after",
            (Some(_), Some(_)) => "before",
            _ => "unknown",
        }
    }

    pub(crate) fn with_overdue(mut self, today: NaiveDate) -> KeyDates {
        self.overdue = self.overdue(today);
        self.next_due = match self.decision_due {
            Some(d) if today <= d => Some(d),
            _ => self.final_plan_due,
        };
        self
    }

    /// The dates for a request received on `received` (from the LA's own record): the decision
    /// and final plan dates after the profile's weeks, and what is overdue on `today`.
    pub fn received_on(
        self,
        received: NaiveDate,
        profile: &profile::Profile,
        today: NaiveDate,
    ) -> KeyDates {
        KeyDates {
            received_date: Some(received),
            decision_due: Some(calendar::plus_weeks(received, profile.decision_weeks)),
            final_plan_due: Some(calendar::plus_weeks(received, profile.final_plan_weeks)),
            ..self
        }
        .with_overdue(today)
    }

    /// Which statutory date has passed on `today`, if any: `decision` or `final-plan`.
    pub fn overdue(&self, today: NaiveDate) -> Option<&'static str> {
        if self.final_plan_due.is_some_and(|d| today > d) {
            Some("final-plan")
        } else if self.decision_due.is_some_and(|d| today > d) {
            Some("decision")
        } else {
            None
        }
    }
}

/// The result of checking one case folder.
#[derive(Debug, Clone, Serialize)]
pub struct CaseReport {
    /// The case folder; for a received pack the PDF file, and for a case in a zip archive
    /// `archive.zip` (files at its top level) or `archive.zip › folder`.
    pub path: PathBuf,
    /// How a received case arrived: `pack` (a pack PDF) or `zip` (a zip archive); absent for a
    /// case folder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received_as: Option<&'static str>,
    pub verdict: Verdict,
    pub errors: usize,
    pub warnings: usize,
    #[serde(flatten)]
    pub dates: KeyDates,
    pub diagnostics: Vec<Diagnostic>,
}

impl CaseReport {
    /// Where a file of the case is, as reports show it: `case/plan-1.yaml` for a case folder,
    /// `ava.pdf › plan-1.yaml` for a pack, `term.zip › ava/plan-1.yaml` for a case in an archive.
    pub fn location(&self, file: &Path) -> String {
        let path = self.path.display().to_string();
        if self.received_as.is_some() && !path.contains(INSIDE) {
            format!("{path}{}{}", INSIDE, file.display())
        } else {
            self.path.join(file).display().to_string()
        }
    }

    /// Counts the findings again and sets the verdict, after findings were added or removed.
    pub fn recount(&mut self) {
        self.verdict = Verdict::of(&self.diagnostics);
        self.errors = self.diagnostics.iter().filter(|d| d.is_error()).count();
        self.warnings = self.diagnostics.len() - self.errors;
    }
}
