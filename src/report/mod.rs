//! Output writers. They know nothing about rules: they print [`RedactedReport`]s as they arrive
//! (so a batch streams) and a [`Summary`] at the end. They take only a `RedactedReport`, which
//! only the redactor builds, so nothing reaches a report that has not been through it; each
//! writer escapes for its format after that.

mod ci;
pub(crate) mod escape;
mod html;
mod human;
mod json;

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use crate::diagnostic::case_report::CaseReport;
use crate::diagnostic::Verdict;
use crate::load::model::RequestedBy;
use crate::privacy::RedactedReport;

pub use ci::{Csv, Github, Junit, Sarif, CSV_HEADER};
pub use html::{escape, Html};
pub use human::Human;
pub use json::Json;

/// The request's particulars in one line, as a caseworker reads them: `Ava Thornton, born
/// 2016-03-14, Year 5, Brandon Primary School; primary need ASD; requested by the school;
/// submitted 2026-01-12`. Empty when nothing is known.
pub fn particulars_line(report: &RedactedReport) -> String {
    let p = &report.particulars;
    let mut who = Vec::new();
    if let Some(name) = &p.legal_name {
        who.push(name.clone());
    }
    if let Some(dob) = &p.date_of_birth {
        who.push(format!("born {dob}"));
    }
    if let Some(year) = p.year_group {
        who.push(year_group(year));
    }
    if let Some(school) = &p.school {
        who.push(school.clone());
    }
    let mut parts = Vec::new();
    if !who.is_empty() {
        parts.push(who.join(", "));
    }
    if let Some(need) = &p.primary_need {
        parts.push(format!("primary need {need}"));
    }
    if let Some(by) = &p.requested_by {
        parts.push(format!("requested by {}", requester(by)));
    }
    if let Some(date) = report.dates.submission_date {
        parts.push(format!("submitted {date}"));
    }
    // Again as a whole: two fields side by side cannot spell out a protected address.
    report.redact(&parts.join("; ")).into_string()
}

/// `Reception`, `Year 5`.
pub fn year_group(year: i64) -> String {
    if year == 0 {
        "Reception".into()
    } else {
        format!("Year {year}")
    }
}

/// Who made the request, in words: `the school`, `a parent`, `the young person`.
pub fn requester(code: &str) -> String {
    match RequestedBy::parse(code) {
        Some(RequestedBy::School) => "the school".into(),
        Some(RequestedBy::Parent) => "a parent".into(),
        Some(RequestedBy::YoungPerson) => "the young person".into(),
        _ => code.replace('-', " "),
    }
}

/// What can be told of a PDF to check by hand: `12 pages, titled "EHC request"`.
pub fn by_hand_line(hand: &crate::diagnostic::case_report::ByHand) -> String {
    let mut parts = vec!["not an ehcpack pack".to_string()];
    if let Some(pages) = hand.pages {
        parts.push(format!(
            "{pages} {}",
            if pages == 1 { "page" } else { "pages" }
        ));
    }
    if let Some(title) = &hand.title {
        parts.push(format!("titled \"{title}\""));
    }
    parts.join(", ")
}

/// Totals over a run, kept as cases stream past.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub cases: usize,
    pub passed: usize,
    pub passed_with_warnings: usize,
    pub failed: usize,
    /// Received PDFs that are not ehcpack packs, for a person to read: counted apart, never
    /// as failed.
    pub check_by_hand: usize,
    /// How many pupils are in more than one case of the batch (`duplicate-pupil`).
    pub duplicate_pupils: usize,
    /// How many cases broke each rule.
    #[serde(skip)]
    pub rules: BTreeMap<&'static str, usize>,
}

impl Summary {
    pub fn add(&mut self, report: &CaseReport) {
        self.cases += 1;
        match report.verdict {
            Verdict::Pass => self.passed += 1,
            Verdict::PassWithWarnings => self.passed_with_warnings += 1,
            Verdict::Fail => self.failed += 1,
            Verdict::CheckByHand => self.check_by_hand += 1,
        }
        let mut seen: Vec<&'static str> =
            report.diagnostics.iter().map(|d| d.rule.as_str()).collect();
        seen.sort_unstable();
        seen.dedup();
        for rule in seen {
            *self.rules.entry(rule).or_default() += 1;
        }
    }

    /// `12 cases: 8 passed, 1 passed with warnings, 2 failed, 1 to check by hand`.
    pub fn totals(&self) -> String {
        let mut text = format!(
            "{} cases: {} passed, {} passed with warnings, {} failed",
            self.cases, self.passed, self.passed_with_warnings, self.failed
        );
        if self.check_by_hand > 0 {
            text.push_str(&format!(", {} to check by hand", self.check_by_hand));
        }
        text
    }

    /// The rules broken in most cases, most first.
    pub fn most_broken(&self, n: usize) -> Vec<(&'static str, usize)> {
        let mut rules: Vec<_> = self.rules.iter().map(|(r, c)| (*r, *c)).collect();
        rules.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        rules.truncate(n);
        rules
    }
}

/// Something that prints reports.
pub trait Reporter {
    fn case(&mut self, report: &RedactedReport, out: &mut dyn Write) -> io::Result<()>;
    fn finish(&mut self, summary: &Summary, out: &mut dyn Write) -> io::Result<()>;
}
