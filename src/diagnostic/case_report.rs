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

/// Who and what a request is about, as the LA triages it: read from the documents' own text, so
/// that a case with errors is still named. Names are for the LA, the request's recipient; a
/// protected address is never among them, and every field goes through the redactor.
#[derive(Debug, Clone, Serialize, serde::Deserialize, Default, PartialEq, Eq)]
pub struct Particulars {
    /// The pupil's legal name, `first middle last`.
    pub legal_name: Option<String>,
    /// As the pupil document writes it (`YYYY-MM-DD`).
    pub date_of_birth: Option<String>,
    pub year_group: Option<i64>,
    /// The school's name, from the request.
    pub school: Option<String>,
    /// The DfE SEN type code (`ASD`, `SEMH`...).
    pub primary_need: Option<String>,
    /// Who made the request: `school`, `parent`, `young-person` or `other`.
    pub requested_by: Option<String>,
    /// The legal name's parts, for the register's SEN2 export (the report shows them joined).
    #[serde(skip)]
    pub forename: Option<String>,
    #[serde(skip)]
    pub surname: Option<String>,
}

/// The longest particular kept (a name or a school is far shorter): a crafted case cannot make
/// the triage page or the register carry megabytes per request.
pub(crate) const MAX_PARTICULAR_CHARS: usize = 200;

/// A received PDF that is not an ehcpack pack (typed in Word, scanned, made by another tool):
/// what can be told of it, for the caseworker who checks it by hand.
#[derive(Debug, Clone, Serialize, serde::Deserialize, Default, PartialEq, Eq)]
pub struct ByHand {
    /// The number of pages, where the PDF could be read.
    pub pages: Option<usize>,
    /// The document's title (its Info dictionary's `/Title`), where it has one.
    pub title: Option<String>,
}

/// What the LA does next with a request: the triage page's groups, in the order it shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// No errors: ready for the panel to consider.
    Ready,
    /// Errors the school must put right.
    SendBack,
    /// Not an ehcpack pack: read by a person.
    CheckByHand,
    /// A pack whose contents do not match what was rendered (or that could not be opened).
    Altered,
    /// The same pupil is in another request of the batch.
    Duplicate,
}

impl Action {
    pub const ALL: [Action; 5] = [
        Action::Ready,
        Action::SendBack,
        Action::CheckByHand,
        Action::Altered,
        Action::Duplicate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Ready => "ready",
            Action::SendBack => "send-back",
            Action::CheckByHand => "check-by-hand",
            Action::Altered => "altered",
            Action::Duplicate => "duplicate",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Action::Ready => "Ready to consider",
            Action::SendBack => "Send back to the school",
            Action::CheckByHand => "Check by hand",
            Action::Altered => "Altered after rendering",
            Action::Duplicate => "Duplicate",
        }
    }

    pub fn parse(text: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == text)
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
    #[serde(flatten)]
    pub particulars: Particulars,
    /// Set for a received PDF that is not an ehcpack pack: its verdict is `check-by-hand`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_hand: Option<ByHand>,
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

    /// What the LA does next with this request (the triage page's group).
    pub fn action(&self) -> Action {
        let has = |rule: &str| {
            self.diagnostics
                .iter()
                .any(|d| d.rule == rule && (d.is_error() || rule == "duplicate-pupil"))
        };
        if self.verdict == Verdict::CheckByHand {
            Action::CheckByHand
        } else if has("pack-integrity") {
            Action::Altered
        } else if has("duplicate-pupil") {
            Action::Duplicate
        } else if self.verdict == Verdict::Fail {
            Action::SendBack
        } else {
            Action::Ready
        }
    }

    /// Counts the findings again and sets the verdict, after findings were added or removed.
    pub fn recount(&mut self) {
        self.verdict = if self.by_hand.is_some() {
            Verdict::CheckByHand
        } else {
            Verdict::of(&self.diagnostics)
        };
        self.errors = self.diagnostics.iter().filter(|d| d.is_error()).count();
        self.warnings = self.diagnostics.len() - self.errors;
    }
}
