//! One finding about a case. Every stage produces these; every output format only prints them.
//! Beside it: the registry of rules ([`catalogue`]) and the report of one case ([`case_report`]).

use serde::Serialize;
use std::path::PathBuf;

pub mod case_report;
pub mod catalogue;

pub use catalogue::RuleId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The rule, from the registry (`apdr-cycles`).
    pub rule: RuleId,
    pub severity: Severity,
    /// The file, relative to the case folder; none for a finding about the folder as a whole.
    pub file: Option<PathBuf>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    pub help: String,
    /// The guidance the rule comes from.
    pub source: &'static str,
    /// What the rule rests on: `law`, `code-of-practice-must`, `code-of-practice-should`,
    /// `la-policy` or `design`.
    pub basis: crate::diagnostic::catalogue::Basis,
    /// The source line the finding points at, for human output (already redacted).
    #[serde(skip)]
    pub snippet: Option<String>,
}

impl Diagnostic {
    /// A finding for `rule`, with severity and source taken from the rule catalogue.
    pub fn new(rule: RuleId, message: impl Into<String>, help: impl Into<String>) -> Self {
        let doc = rule.doc();
        Diagnostic {
            rule,
            severity: rule.severity(),
            file: None,
            line: None,
            column: None,
            message: message.into(),
            help: help.into(),
            source: doc.source,
            basis: rule.basis(),
            snippet: None,
        }
    }

    pub fn in_file(mut self, file: impl Into<PathBuf>) -> Self {
        self.file = Some(file.into());
        self
    }

    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The outcome of checking one case, as reports show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Pass,
    PassWithWarnings,
    Fail,
    /// A received PDF that is not an ehcpack pack: a person reads it. Not a failure.
    CheckByHand,
}

impl Verdict {
    pub fn of(diagnostics: &[Diagnostic]) -> Verdict {
        if diagnostics.iter().any(Diagnostic::is_error) {
            Verdict::Fail
        } else if diagnostics.is_empty() {
            Verdict::Pass
        } else {
            Verdict::PassWithWarnings
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::PassWithWarnings => "pass-with-warnings",
            Verdict::Fail => "fail",
            Verdict::CheckByHand => "check-by-hand",
        }
    }

    /// As people read it: `pass with warnings`, `check by hand`.
    pub fn words(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::PassWithWarnings => "pass with warnings",
            Verdict::Fail => "fail",
            Verdict::CheckByHand => "check by hand",
        }
    }
}
