//! Output writers. They know nothing about rules: they print [`RedactedReport`]s as they arrive
//! (so a batch streams) and a [`Summary`] at the end. They take only a `RedactedReport`, which
//! only the redactor builds, so nothing reaches a report that has not been through it; each
//! writer escapes for its format after that.

mod ci;
pub mod escape;
mod html;
mod human;
mod json;

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use crate::diagnostic::case_report::CaseReport;
use crate::diagnostic::Verdict;
use crate::privacy::RedactedReport;

pub use ci::{Csv, Github, Junit, Sarif, CSV_HEADER};
pub use html::Html;
pub use human::Human;
pub use json::Json;

/// Totals over a run, kept as cases stream past.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub cases: usize,
    pub passed: usize,
    pub passed_with_warnings: usize,
    pub failed: usize,
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
        }
        let mut seen: Vec<&'static str> =
            report.diagnostics.iter().map(|d| d.rule.as_str()).collect();
        seen.sort_unstable();
        seen.dedup();
        for rule in seen {
            *self.rules.entry(rule).or_default() += 1;
        }
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
