//! Formats that CI systems read: JUnit XML, SARIF 2.1.0, GitHub workflow annotations, CSV.

use std::io::{self, Write};
use std::path::Path;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::escape;
use super::{Reporter, Summary};
use crate::diagnostic::catalogue;
use crate::diagnostic::{Diagnostic, Severity};
use crate::privacy::RedactedReport;
use crate::received::sealed::Sealed;

fn location(case: &RedactedReport, d: &Diagnostic) -> String {
    let place = case.location(d.file.as_deref());
    match d.line {
        Some(l) if d.file.is_some() => format!("{place}:{l}"),
        _ => place.into_string(),
    }
}

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// A CSV writer's error as the io::Error it wraps, when it does (a closed pipe stays one).
fn csv_error(e: csv::Error) -> io::Error {
    let text = e.to_string();
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        _ => io::Error::other(text),
    }
}

/// `--format junit`: a test case per case folder, failing with every error it has.
/// JUnit is one XML document whose counts come first, so each case's XML waits, sealed, in a
/// spill file until the end (memory stays flat however many cases a batch holds).
#[derive(Default)]
pub struct Junit {
    cases: Option<Sealed>,
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

const JUNIT_SUITE: &str = "ehcpack validate";

/// A JUnit document of one suite, as quick-junit writes it.
fn junit_xml(suite: TestSuite) -> io::Result<Vec<u8>> {
    let mut report = Report::new("ehcpack");
    report.add_test_suite(suite);
    let mut xml = Vec::new();
    report.serialize(&mut xml).map_err(other)?;
    Ok(xml)
}

/// Where a one-suite JUnit document's test cases start (after the suite's opening tag) and end
/// (before its closing tag): the cases of many such documents, put together there, are the
/// document of them all, as quick-junit indents each element by its depth alone.
fn junit_cases(xml: &[u8]) -> io::Result<(usize, usize)> {
    let text = std::str::from_utf8(xml).map_err(other)?;
    let start = text
        .find("<testsuite ")
        .and_then(|at| text[at..].find('>').map(|end| at + end + 1));
    let end = text.rfind("\n    </testsuite>");
    match (start, end) {
        (Some(start), Some(end)) if start <= end => Ok((start, end)),
        _ => Err(io::Error::other("quick-junit wrote an unexpected suite")),
    }
}

impl Reporter for Junit {
    fn case(&mut self, report: &RedactedReport, _out: &mut dyn Write) -> io::Result<()> {
        let name = escape::xml(&report.path_text());
        let errors: Vec<&Diagnostic> = report.diagnostics.iter().filter(|d| d.is_error()).collect();
        let status = if errors.is_empty() {
            TestCaseStatus::success()
        } else {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let mut rules: Vec<&str> = errors.iter().map(|d| d.rule.as_str()).collect();
            rules.dedup();
            status.set_type(rules[0]);
            status.set_message(format!(
                "{} {}: {}",
                errors.len(),
                if errors.len() == 1 { "error" } else { "errors" },
                rules.join(", ")
            ));
            let text: Vec<String> = errors
                .iter()
                .map(|d| {
                    format!(
                        "{}: error[{}]: {}\n  help: {}",
                        escape::xml(&location(report, d)),
                        d.rule,
                        escape::xml(&d.message),
                        escape::xml(&d.help)
                    )
                })
                .collect();
            status.set_description(text.join("\n"));
            status
        };
        let mut case = TestCase::new(name, status);
        case.set_classname("ehcpack.validate");
        let warnings: Vec<String> = report
            .diagnostics
            .iter()
            .filter(|d| !d.is_error())
            .map(|d| {
                format!(
                    "{}: warning[{}]: {}",
                    escape::xml(&location(report, d)),
                    d.rule,
                    escape::xml(&d.message)
                )
            })
            .collect();
        if !warnings.is_empty() {
            case.set_system_out(warnings.join("\n"));
        }
        let mut suite = TestSuite::new(JUNIT_SUITE);
        suite.add_test_case(case);
        self.tests += suite.tests;
        self.failures += suite.failures;
        self.errors += suite.errors;
        self.skipped += suite.skipped;
        let xml = junit_xml(suite)?;
        let (start, end) = junit_cases(&xml)?;
        let cases = match &mut self.cases {
            Some(cases) => cases,
            None => self.cases.insert(Sealed::new()?),
        };
        cases.write_all(&xml[start..end])
    }

    fn finish(&mut self, _summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
        let mut suite = TestSuite::new(JUNIT_SUITE);
        let Some(cases) = self.cases.take() else {
            // No case: the suite is empty (and written as one empty tag).
            out.write_all(&junit_xml(suite)?)?;
            return writeln!(out);
        };
        // The document around one stand-in case, with the counts of them all; the cases set
        // aside take the stand-in's place. Each part is built whole first, so that an error
        // writing it (a closed pipe) reaches the caller as the io::Error it is.
        suite.add_test_case(TestCase::new("stand-in", TestCaseStatus::success()));
        suite.tests = self.tests;
        suite.failures = self.failures;
        suite.errors = self.errors;
        suite.skipped = self.skipped;
        let xml = junit_xml(suite)?;
        let (start, end) = junit_cases(&xml)?;
        out.write_all(&xml[..start])?;
        io::copy(&mut cases.into_reader()?, out)?;
        out.write_all(&xml[end..])?;
        writeln!(out)
    }
}

/// `--format sarif`: SARIF 2.1.0 for code scanning. Built as JSON and checked against
/// serde-sarif's typed model of the SARIF schema before it is written: each result as its case
/// is handed on (the results come first in the log, so nothing waits in memory), the rest of
/// the log at the end.
#[derive(Default)]
pub struct Sarif {
    /// The log after its list of results, once the log up to it is written.
    tail: Option<String>,
    /// Whether a result is written (the next one follows a comma).
    any: bool,
}

/// The log without its results, as the two parts either side of the list's contents.
fn sarif_around() -> io::Result<(String, String)> {
    let rules: Vec<serde_json::Value> = catalogue::all()
        .iter()
        .map(|r| {
            serde_json::json!({
                "id": r.id.as_str(),
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.text},
                "help": {"text": format!("Run `ehcpack explain {}`. Source: {}", r.id, r.source)},
                "defaultConfiguration": {"level": r.severity.as_str()},
            })
        })
        .collect();
    let log = serde_json::json!({
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{
            "tool": {"driver": {
                "name": "ehcpack",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://example.invalid/ehcpack",
                "rules": rules,
            }},
            "results": [],
        }],
    });
    let typed: serde_sarif::sarif::Sarif = serde_json::from_value(log).map_err(other)?;
    let json = serde_json::to_string(&typed).map_err(other)?;
    // A key: a quote inside a JSON string is always escaped, so only the key can match.
    let list = "\"results\":[";
    let at = json
        .find(&format!("{list}]"))
        .ok_or_else(|| io::Error::other("serde-sarif wrote no list of results"))?
        + list.len();
    Ok((json[..at].to_string(), json[at..].to_string()))
}

impl Sarif {
    fn start(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if self.tail.is_none() {
            let (head, tail) = sarif_around()?;
            out.write_all(head.as_bytes())?;
            self.tail = Some(tail);
        }
        Ok(())
    }
}

impl Reporter for Sarif {
    fn case(&mut self, report: &RedactedReport, out: &mut dyn Write) -> io::Result<()> {
        for d in &report.diagnostics {
            let uri = std::path::PathBuf::from(report.location(d.file.as_deref()).into_string());
            let mut region = serde_json::Map::new();
            if let Some(line) = d.line {
                region.insert("startLine".into(), line.into());
            }
            if let Some(column) = d.column {
                region.insert("startColumn".into(), column.into());
            }
            let mut physical = serde_json::json!({
                "artifactLocation": {"uri": uri_of(&uri)}
            });
            if !region.is_empty() {
                physical["region"] = serde_json::Value::Object(region);
            }
            let result = serde_json::json!({
                "ruleId": d.rule.as_str(),
                "ruleIndex": d.rule as usize,
                "level": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
                "message": {"text": format!("{} (help: {})", escape::sarif(&d.message), escape::sarif(&d.help))},
                "locations": [{"physicalLocation": physical}],
            });
            let typed: serde_sarif::sarif::Result =
                serde_json::from_value(result).map_err(other)?;
            let json = serde_json::to_vec(&typed).map_err(other)?;
            self.start(out)?;
            if self.any {
                out.write_all(b",")?;
            }
            self.any = true;
            out.write_all(&json)?;
        }
        Ok(())
    }

    fn finish(&mut self, _summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
        self.start(out)?;
        out.write_all(self.tail.take().unwrap_or_default().as_bytes())?;
        writeln!(out)
    }
}

/// A relative path as a URI reference: forward slashes, spaces and the like escaped.
fn uri_of(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut out = String::new();
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `--format github`: workflow commands, so findings show on the right lines of a pull request.
pub struct Github;

impl Reporter for Github {
    fn case(&mut self, report: &RedactedReport, out: &mut dyn Write) -> io::Result<()> {
        for d in &report.diagnostics {
            let level = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let file = report.location(d.file.as_deref());
            let mut props = vec![format!("file={}", escape::github_property(&file))];
            if let Some(line) = d.line {
                props.push(format!("line={line}"));
            }
            if let Some(col) = d.column {
                props.push(format!("col={col}"));
            }
            props.push(format!(
                "title={}",
                escape::github_property(&format!("ehcpack {}", d.rule))
            ));
            writeln!(
                out,
                "::{level} {}::{}",
                props.join(","),
                escape::github_lines(&[
                    &d.message,
                    &format!("help: {}", d.help),
                    &format!("source: {} (basis: {})", d.source, d.basis.describe()),
                ])
            )?;
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "ehcpack: {}", summary.totals())
    }
}

/// `--format csv`: a row per case, for a caseworker's spreadsheet.
pub struct Csv {
    header_written: bool,
    today: chrono::NaiveDate,
}

impl Csv {
    pub fn new(today: chrono::NaiveDate) -> Csv {
        Csv {
            header_written: false,
            today,
        }
    }

    fn header(&mut self, writer: &mut csv::Writer<&mut dyn Write>) -> io::Result<()> {
        if !self.header_written {
            writer.write_record(CSV_HEADER).map_err(csv_error)?;
            self.header_written = true;
        }
        Ok(())
    }
}

pub const CSV_HEADER: [&str; 23] = [
    "path",
    "pupil_reference",
    "verdict",
    "errors",
    "warnings",
    "submission_date",
    "guidance_date",
    "guidance_date_status",
    "received_date",
    "decision_due",
    "final_plan_due",
    "overdue",
    "next_due",
    "received_as",
    "action",
    "legal_name",
    "date_of_birth",
    "year_group",
    "school",
    "primary_need",
    "requested_by",
    "pages",
    "document_title",
];

impl Reporter for Csv {
    fn case(&mut self, report: &RedactedReport, out: &mut dyn Write) -> io::Result<()> {
        let mut writer = csv::Writer::from_writer(out);
        self.header(&mut writer)?;
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        let dates = &report.dates;
        let p = &report.particulars;
        let hand = report.by_hand.as_ref();
        let text = |t: &Option<String>| escape::csv(t.as_deref().unwrap_or_default());
        writer
            .write_record([
                escape::csv(&report.path_text()),
                escape::csv(dates.pupil_reference.as_deref().unwrap_or_default()),
                report.verdict.as_str().to_string(),
                report.errors.to_string(),
                report.warnings.to_string(),
                date(dates.submission_date),
                date(dates.guidance_date),
                dates.guidance_status().to_string(),
                date(dates.received_date),
                date(dates.decision_due),
                date(dates.final_plan_due),
                dates.overdue(self.today).unwrap_or("").to_string(),
                date(dates.next_due),
                report.received_as.unwrap_or("folder").to_string(),
                report.action().as_str().to_string(),
                text(&p.legal_name),
                text(&p.date_of_birth),
                p.year_group.map(|y| y.to_string()).unwrap_or_default(),
                text(&p.school),
                text(&p.primary_need),
                text(&p.requested_by),
                hand.and_then(|h| h.pages)
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
                text(&hand.and_then(|h| h.title.clone())),
            ])
            .map_err(csv_error)?;
        writer.flush()
    }

    fn finish(&mut self, _summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
        let mut writer = csv::Writer::from_writer(out);
        self.header(&mut writer)?;
        writer.flush()
    }
}
