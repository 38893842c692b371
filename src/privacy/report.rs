//! A whole report redacted: every printed field of a [`CaseReport`] through the case's
//! [`Redactor`], once, before any writer sees it.

use std::ops::Deref;
use std::path::Path;

use serde::Serialize;

use super::gate::{path_text, Redacted};
use super::Redactor;
use crate::diagnostic::case_report::{ByHand, CaseReport, KeyDates, Particulars};
use crate::diagnostic::Diagnostic;

impl Redactor {
    /// Redacts every printed field of a report; the writers print only what this returns.
    pub fn report(&self, report: CaseReport) -> RedactedReport {
        // Taken apart with no `..`: a new field of a report or finding does not compile until
        // it is dealt with here.
        let CaseReport {
            path,
            verdict,
            errors,
            warnings,
            dates,
            diagnostics,
            received_as,
            particulars,
            by_hand,
        } = report;
        let Particulars {
            legal_name,
            date_of_birth,
            year_group,
            school,
            primary_need,
            requested_by,
            forename,
            surname,
        } = particulars;
        let text = |t: Option<String>| t.map(|t| self.redact(&t).into_string());
        let KeyDates {
            pupil_reference,
            submission_date,
            guidance_date,
            guidance_date_estimated,
            received_date,
            decision_due,
            final_plan_due,
            overdue,
            next_due,
        } = dates;
        let diagnostics = diagnostics
            .into_iter()
            .map(|d| {
                let Diagnostic {
                    rule,
                    severity,
                    file,
                    line,
                    column,
                    message,
                    help,
                    source,
                    basis,
                    snippet,
                } = d;
                Diagnostic {
                    rule,
                    severity,
                    file: file.map(|f| self.path(&f).into_string().into()),
                    line,
                    column,
                    message: self.redact(&message).into_string(),
                    help: self.redact(&help).into_string(),
                    source,
                    basis,
                    snippet: if self.known {
                        snippet.map(|s| self.redact(&s).into_string())
                    } else {
                        None
                    },
                }
            })
            .collect();
        RedactedReport {
            report: CaseReport {
                path: self.path(&path).into_string().into(),
                verdict,
                errors,
                warnings,
                dates: KeyDates {
                    pupil_reference: pupil_reference.map(|r| self.redact(&r).into_string()),
                    submission_date,
                    guidance_date,
                    guidance_date_estimated,
                    received_date,
                    decision_due,
                    final_plan_due,
                    overdue,
                    next_due,
                },
                particulars: Particulars {
                    legal_name: text(legal_name),
                    date_of_birth: text(date_of_birth),
                    year_group,
                    school: text(school),
                    primary_need: text(primary_need),
                    requested_by: text(requested_by),
                    forename: text(forename),
                    surname: text(surname),
                },
                by_hand: by_hand.map(|ByHand { pages, title }| ByHand {
                    pages,
                    title: text(title),
                }),
                diagnostics,
                received_as,
            },
            redactor: self.clone(),
        }
    }
}

/// A [`CaseReport`] whose every printed field has been redacted: paths (made UTF-8, lossily),
/// messages, help, snippets, the pupil reference. Only [`Redactor::report`] builds one; every
/// report writer, `status` and the PDF take one. Read it like a `CaseReport`.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct RedactedReport {
    report: CaseReport,
    #[serde(skip)]
    redactor: Redactor,
}

impl RedactedReport {
    /// Any further text printed alongside this report (a pupil's name in `status`, a template's
    /// output), through the same redactor.
    pub fn redact(&self, text: &str) -> Redacted {
        self.redactor.redact(text)
    }

    /// The report's redacted path as text (always UTF-8).
    pub fn path_text(&self) -> Redacted {
        Redacted(path_text(&self.report.path))
    }

    /// A finding's file joined to the case path, redacted again as a whole, so that a folder
    /// and a file name cannot spell out a postcode between them.
    /// A received pack's or archive's case shows as `ava.pdf › plan-1.yaml`.
    pub fn location(&self, file: Option<&Path>) -> Redacted {
        match file {
            Some(f) => self.redactor.redact(&self.report.location(f)),
            None => self.path_text(),
        }
    }

    /// The report, for code that only reads it (tests, summaries).
    pub fn into_inner(self) -> CaseReport {
        self.report
    }
}

impl Deref for RedactedReport {
    type Target = CaseReport;
    fn deref(&self) -> &CaseReport {
        &self.report
    }
}
