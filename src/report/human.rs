//! Human output, laid out like rustc's: what, where (with the line and a caret), how to fix it,
//! and the guidance behind it.

use std::io::{self, Write};

use super::{Reporter, Summary};
use crate::diagnostic::{Diagnostic, Severity, Verdict};
use crate::privacy::terminal_safe;
use crate::privacy::RedactedReport;

pub struct Human {
    pub colour: bool,
    /// Print only failing cases' findings and the summary.
    pub quiet: bool,
}

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const GREEN: &str = "\x1b[1;32m";
const BLUE: &str = "\x1b[1;34m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

impl Human {
    fn paint(&self, style: &str, text: &str) -> String {
        if self.colour {
            format!("{style}{text}{RESET}")
        } else {
            text.to_string()
        }
    }

    fn diagnostic(
        &self,
        case: &RedactedReport,
        d: &Diagnostic,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let (label, style) = match d.severity {
            Severity::Error => ("error", RED),
            Severity::Warning => ("warning", YELLOW),
        };
        writeln!(
            out,
            "{}{}",
            self.paint(style, &format!("{label}[{}]", d.rule)),
            self.paint(BOLD, &format!(": {}", terminal_safe(&d.message)))
        )?;
        let place = case.location(d.file.as_deref()).for_terminal();
        let location = match (&d.file, d.line, d.column) {
            (Some(_), Some(l), Some(c)) => format!("{place}:{l}:{c}"),
            (Some(_), _, _) => place,
            _ => format!(
                "{place} ({})",
                match case.received_as {
                    Some(_) => "as received",
                    None => "the case folder",
                }
            ),
        };
        let gutter = d.line.map_or(1, |l| l.to_string().len());
        let pad = " ".repeat(gutter);
        writeln!(out, "{pad}{} {location}", self.paint(BLUE, "-->"))?;
        if let (Some(snippet), Some(line)) = (&d.snippet, d.line) {
            let snippet = terminal_safe(snippet);
            let bar = self.paint(BLUE, "|");
            writeln!(out, "{pad} {bar}")?;
            writeln!(
                out,
                "{} {bar} {}",
                self.paint(BLUE, &line.to_string()),
                snippet.trim_end()
            )?;
            let column = d.column.unwrap_or(1).saturating_sub(1);
            let indent: String = snippet
                .chars()
                .take(column)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            writeln!(out, "{pad} {bar} {indent}{}", self.paint(style, "^"))?;
        }
        if !d.help.is_empty() {
            writeln!(
                out,
                "{pad} {} help: {}",
                self.paint(BLUE, "="),
                terminal_safe(&d.help)
            )?;
        }
        writeln!(
            out,
            "{pad} {} source: {} (basis: {})",
            self.paint(BLUE, "="),
            d.source,
            d.basis.describe()
        )?;
        writeln!(out)
    }
}

impl Reporter for Human {
    fn case(&mut self, report: &RedactedReport, out: &mut dyn Write) -> io::Result<()> {
        if self.quiet && !matches!(report.verdict, Verdict::Fail | Verdict::CheckByHand) {
            return Ok(());
        }
        for d in &report.diagnostics {
            if self.quiet && !d.is_error() {
                continue;
            }
            self.diagnostic(report, d, out)?;
        }
        let verdict = match report.verdict {
            Verdict::Pass => self.paint(GREEN, "pass"),
            Verdict::PassWithWarnings => self.paint(YELLOW, "pass with warnings"),
            Verdict::Fail => self.paint(RED, "fail"),
            Verdict::CheckByHand => self.paint(BLUE, "check by hand"),
        };
        writeln!(
            out,
            "{}: {verdict} ({} {}, {} {})",
            report.path_text().for_terminal(),
            report.errors,
            if report.errors == 1 {
                "error"
            } else {
                "errors"
            },
            report.warnings,
            if report.warnings == 1 {
                "warning"
            } else {
                "warnings"
            },
        )?;
        let who = super::particulars_line(report);
        if !who.is_empty() {
            writeln!(out, "  {}", terminal_safe(&who))?;
        }
        if let Some(hand) = &report.by_hand {
            writeln!(
                out,
                "  {}: read it and check the request by hand",
                terminal_safe(&super::by_hand_line(hand))
            )?;
        }
        let dates = &report.dates;
        if let (Some(received), Some(decision), Some(final_plan)) = (
            dates.received_date,
            dates.decision_due,
            dates.final_plan_due,
        ) {
            let mark = |which: &str| {
                if dates.overdue == Some(which) {
                    self.paint(RED, " (overdue)")
                } else {
                    String::new()
                }
            };
            writeln!(
                out,
                "  received {received}: decision on whether to assess due {decision}{}; final plan due {final_plan}{}",
                mark("decision"),
                mark("final-plan"),
            )?;
        }
        if !self.quiet {
            writeln!(out)?;
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
        if summary.cases < 2 {
            return Ok(());
        }
        writeln!(out, "{}", summary.totals())?;
        if summary.duplicate_pupils > 0 {
            writeln!(
                out,
                "{} {} in more than one case (duplicate-pupil)",
                summary.duplicate_pupils,
                if summary.duplicate_pupils == 1 {
                    "pupil is"
                } else {
                    "pupils are"
                }
            )?;
        }
        let most = summary.most_broken(5);
        if !most.is_empty() {
            let list: Vec<String> = most.iter().map(|(r, n)| format!("{r} ({n})")).collect();
            writeln!(out, "rules broken in most cases: {}", list.join(", "))?;
        }
        Ok(())
    }
}
