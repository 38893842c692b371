//! ehcpack: checks a school's case folder for an EHC needs assessment request against the LA's
//! rules (Durham's built in) and renders the request pack.
//!
//! The pipeline for one case is straight: [`case::load`] (read, parse with positions, structure,
//! schema, typed model), then [`rules::check`], then [`validate`] puts the findings in order and
//! withholds any protected address; the [`report`] writers only print.

pub mod batch;
pub mod budget;
pub mod calendar;
pub mod case;
pub mod cli;
pub mod diagnostic;
pub mod evidence_pdf;
pub mod generate;
pub mod intake;
pub mod manifest;
pub mod model;
pub mod new_case;
pub mod output;
pub mod privacy;
pub mod profile;
pub mod protect;
pub mod read;
pub mod received;
pub mod render;
pub mod report;
pub mod rules;
pub mod schema;
pub mod status;
pub mod yaml;

use std::path::{Path, PathBuf};

/// The library's own tests allocate through [`budget::Budgeted`], as the `ehcpack` command does
/// (`src/main.rs`), so that the thread that renders templates keeps to its budget. A program
/// that uses the library declares it too, or has only the time limit on templates.
#[cfg(test)]
#[global_allocator]
static ALLOCATOR: budget::Budgeted = budget::Budgeted;

use chrono::NaiveDate;
use serde::Serialize;

use crate::calendar::AcademicYear;
use crate::case::Case;
use crate::diagnostic::{Diagnostic, Verdict};
use crate::privacy::{RedactedReport, Redactor};
use crate::rules::Context;

/// Dates that matter to the LA for one case.
#[derive(Debug, Clone, Serialize, Default)]
pub struct KeyDates {
    /// The pupil's UPN, for the LA's own records.
    pub pupil_reference: Option<String>,
    pub submission_date: Option<NaiveDate>,
    pub guidance_date: Option<NaiveDate>,
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
    /// `before`, `after` or `unknown`: the submission against the guidance date.
    pub fn guidance_status(&self) -> &'static str {
        match (self.submission_date, self.guidance_date) {
            (Some(s), Some(g)) if s > g => "after",
            (Some(_), Some(_)) => "before",
            _ => "unknown",
        }
    }

    fn with_overdue(mut self, today: NaiveDate) -> KeyDates {
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
const MAX_PARTICULAR_CHARS: usize = 200;

impl Particulars {
    pub fn of(case: &Case) -> Particulars {
        let doc = |kind| case.documents.iter().position(|d| d.kind == Some(kind));
        let text = |doc: Option<usize>, pointer: &str| {
            let node = case.node(doc?, pointer)?;
            let raw = match &node.value {
                yaml::Value::Str(s) => s.clone(),
                yaml::Value::Int(i) => i.to_string(),
                _ => return None,
            };
            let text: String = raw
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .chars()
                .filter(|c| !c.is_control())
                .take(MAX_PARTICULAR_CHARS)
                .collect();
            (!text.is_empty()).then_some(text)
        };
        let pupil = doc(case::Kind::Pupil);
        let request = doc(case::Kind::Request);
        let name: Vec<String> = [
            "/legal_name/first",
            "/legal_name/middle",
            "/legal_name/last",
        ]
        .iter()
        .filter_map(|p| text(pupil, p))
        .collect();
        Particulars {
            legal_name: (!name.is_empty()).then(|| name.join(" ")),
            date_of_birth: text(pupil, "/date_of_birth"),
            year_group: pupil
                .and_then(|d| case.node(d, "/year_group"))
                .and_then(|n| match n.value {
                    yaml::Value::Int(i) => Some(i),
                    _ => None,
                }),
            school: text(request, "/school/name"),
            primary_need: text(doc(case::Kind::Needs), "/primary_need"),
            requested_by: text(request, "/requested_by"),
            forename: text(pupil, "/legal_name/first"),
            surname: text(pupil, "/legal_name/last"),
        }
    }
}

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
        if self.received_as.is_some() && !path.contains(received::INSIDE) {
            format!("{path}{}{}", received::INSIDE, file.display())
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

/// Checks one case folder: every stage, every rule. The report comes back redacted: it is what
/// every writer prints.
pub fn validate(root: &Path, ctx: &Context) -> (Case, RedactedReport) {
    let (case, mut diagnostics) = case::load(root);
    diagnostics.extend(rules::check(&case, ctx));
    let redactor = Redactor::for_case(&case);
    // A file that could not be read is never quoted (its text is only for the redactor).
    let documents = case
        .documents
        .iter()
        .filter(|d| !d.unreadable)
        .map(|d| (d.path.as_path(), d))
        .collect();
    // Each file's address spans, found once, so a snippet is redacted in its file's context.
    let mut spans: std::collections::HashMap<&Path, Vec<(usize, usize)>> =
        std::collections::HashMap::new();
    for d in &mut diagnostics {
        finish(d, &documents, &redactor, &mut spans);
    }
    // Errors first, then in the order a SENCO works through a case: pupil, family, needs,
    // health, plans, attainment, views, professionals, request, consent, evidence.
    let kinds: std::collections::HashMap<&Path, usize> = case
        .documents
        .iter()
        .filter_map(|doc| {
            let k = doc.kind?;
            Some((
                doc.path.as_path(),
                1 + case::Kind::ALL.iter().position(|x| *x == k)?,
            ))
        })
        .collect();
    diagnostics.sort_by_cached_key(|d| {
        let rank = d
            .file
            .as_deref()
            .and_then(|f| kinds.get(f))
            .copied()
            .unwrap_or(0);
        (d.severity, rank, d.file.clone(), d.line, d.column)
    });
    let dates = key_dates(&case, ctx);
    let report = CaseReport {
        path: root.to_path_buf(),
        received_as: None,
        verdict: Verdict::of(&diagnostics),
        errors: diagnostics.iter().filter(|d| d.is_error()).count(),
        warnings: diagnostics.iter().filter(|d| !d.is_error()).count(),
        dates,
        particulars: Particulars::of(&case),
        by_hand: None,
        diagnostics,
    };
    let report = redactor.report(report);
    (case, report)
}

/// The longest source line quoted in a finding.
pub const MAX_SNIPPET_BYTES: usize = 1000;

/// Adds the source line, redacted in the context of its whole file (an address wrapped over two
/// lines is withheld from both). Withholding any protected address from everything printed is
/// [`Redactor::report`]'s; this only makes sure a line on its own cannot show half of one.
fn finish<'a>(
    d: &mut Diagnostic,
    documents: &std::collections::HashMap<&'a Path, &'a case::Document>,
    redactor: &Redactor,
    spans: &mut std::collections::HashMap<&'a Path, Vec<(usize, usize)>>,
) {
    if !redactor.known {
        return;
    }
    if let (Some(file), Some(line)) = (&d.file, d.line) {
        if let Some((path, doc)) = documents.get_key_value(file.as_path()) {
            // A line longer than a screen (a flow list of 300,000 items on one line) is not
            // quoted: the place is in `file:line:column`, and printing the line for each of a
            // hundred findings would be a hundred megabytes.
            if doc.line(line).is_none_or(|l| l.len() > MAX_SNIPPET_BYTES) {
                return;
            }
            let found = spans
                .entry(*path)
                .or_insert_with(|| redactor.spans(&doc.text));
            d.snippet = redactor
                .line_in_context(&doc.text, found, line)
                .map(privacy::Redacted::into_string);
        }
    }
}

fn key_dates(case: &Case, ctx: &Context) -> KeyDates {
    let Some(request) = &case.request else {
        return KeyDates::default();
    };
    let submission = ctx.submission_date(case);
    let received = request.value.received_date.or(ctx.received);
    KeyDates {
        pupil_reference: case.pupil.as_ref().map(|p| p.value.upn.clone()),
        submission_date: Some(submission),
        guidance_date: ctx
            .profile
            .guidance_date(AcademicYear::containing(submission))
            .date(),
        received_date: received,
        decision_due: received.map(|r| crate::calendar::plus_weeks(r, ctx.profile.decision_weeks)),
        final_plan_due: received
            .map(|r| crate::calendar::plus_weeks(r, ctx.profile.final_plan_weeks)),
        overdue: None,
        next_due: None,
    }
    .with_overdue(ctx.today)
}
