//! `--format json`: one JSON document, written case by case.
//!
//! Shape (stable; documented in docs/senco.md, "JSON"):
//! `{"tool": "ehcpack 0.1.0", "format_version": 1, "profile": "...", "today": "YYYY-MM-DD",
//!   "cases": [{"path", "received_as" (received packs and zips only), "verdict", "errors",
//!   "warnings", "pupil_reference", "submission_date", "guidance_date", "received_date",
//!   "decision_due", "final_plan_due", "overdue", "next_due", "legal_name", "date_of_birth",
//!   "year_group", "school", "primary_need", "requested_by", "by_hand" (`{"pages", "title"}`,
//!   PDFs that are not packs only), "action", "diagnostics": [{"rule",
//!   "severity", "file", "line", "column", "message", "help", "source"}]}],
//!   "summary": {"cases", "passed", "passed_with_warnings", "failed", "check_by_hand",
//!   "duplicate_pupils"}}`

use std::io::{self, Write};

use super::{Reporter, Summary};
use crate::privacy::RedactedReport;

pub struct Json {
    started: bool,
    header: serde_json::Value,
}

impl Json {
    pub fn new(profile: &str, today: chrono::NaiveDate) -> Json {
        Json {
            started: false,
            header: serde_json::json!({
                "tool": concat!("ehcpack ", env!("CARGO_PKG_VERSION")),
                "format_version": 1,
                "profile": profile,
                "today": today,
            }),
        }
    }

    fn start(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if !self.started {
            let header = serde_json::to_string(&self.header)?;
            // The header object, left open for the list of cases.
            write!(out, "{},\"cases\":[", &header[..header.len() - 1])?;
        }
        Ok(())
    }
}

impl Reporter for Json {
    fn case(&mut self, report: &RedactedReport, out: &mut dyn Write) -> io::Result<()> {
        let first = !self.started;
        self.start(out)?;
        self.started = true;
        if !first {
            out.write_all(b",")?;
        }
        // The report's own fields, and what to do with the request (the triage page's group).
        let mut value = serde_json::to_value(&**report)?;
        if let Some(object) = value.as_object_mut() {
            object.insert("action".into(), report.action().as_str().into());
        }
        serde_json::to_writer(&mut *out, &value)?;
        Ok(())
    }

    fn finish(&mut self, summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
        self.start(out)?;
        self.started = true;
        write!(out, "],\"summary\":{}}}", serde_json::to_string(summary)?)?;
        writeln!(out)
    }
}
