//! Checking one case folder, the pipeline in order: [`crate::load::case::load`] (read, parse with
//! positions, structure, schema, typed model, evidence facts), the case's
//! [`Redactor`](crate::privacy::Redactor), [`crate::rules::check`], then the findings in order
//! and redacted into the report every writer prints. The command line, the received packs and
//! the batch all check a case through here.

use std::collections::HashMap;
use std::path::Path;

use crate::calendar::{self, AcademicYear};
use crate::diagnostic::case_report::{CaseReport, KeyDates, Particulars, MAX_PARTICULAR_CHARS};
use crate::diagnostic::{Diagnostic, Verdict};
use crate::load::case::{self, Case};
use crate::privacy::{self, RedactedReport, Redactor};
use crate::profile::Profile;
use crate::render::fonts::Fonts;
use crate::rules;
// What the rules need besides the case, as callers of the checker build it.
pub use crate::rules::Context;

impl<'a> Context<'a> {
    /// The context for checking a case whose pack is printed in the bundled fonts.
    pub fn new(profile: &'a Profile, today: chrono::NaiveDate) -> Context<'a> {
        Context::with_glyphs(profile, today, std::sync::Arc::new(Fonts::bundled()))
    }

    /// With the fonts the pack will be printed in (the bundled ones and the user's).
    pub fn with_fonts(mut self, fonts: Fonts) -> Context<'a> {
        self.glyphs = std::sync::Arc::new(fonts);
        self
    }
}

/// Checks one case folder: every stage, every rule. The report comes back redacted: it is what
/// every writer prints.
pub fn validate(root: &Path, ctx: &Context) -> (Case, RedactedReport) {
    validate_with(root, ctx, &[])
}

/// Checks one case folder as [`validate`] does, with the text of some files given instead of
/// read from the folder (a form's unsaved answers).
pub fn validate_with(
    root: &Path,
    ctx: &Context,
    overrides: &[(std::path::PathBuf, String)],
) -> (Case, RedactedReport) {
    validate_from(case::Source::Folder { root, overrides }, ctx)
}

/// Checks one case as [`validate`] does, from its folder or from its files in memory (a
/// received pack's, never written to disk).
pub fn validate_from(source: case::Source, ctx: &Context) -> (Case, RedactedReport) {
    let (case, report, _) = validate_keeping_redactor(source, ctx);
    (case, report)
}

/// As [`validate_from`], with the case's redactor, so that a batch, which keeps it to withhold
/// the address from every other report, need not build it again.
pub fn validate_keeping_redactor(
    source: case::Source,
    ctx: &Context,
) -> (Case, RedactedReport, Redactor) {
    let root = source.root();
    // The case's redactor, built once: for reading its evidence files (when loading gets that
    // far, from the documents as they are then, which are the case's), for the rules, and for
    // the report.
    let built: std::cell::OnceCell<Redactor> = std::cell::OnceCell::new();
    let (case, mut diagnostics) = case::load_from(source, &|documents| {
        let redactor = built.get_or_init(|| Redactor::for_documents(documents));
        redactor
            .is_protected()
            .then(|| Box::new(redactor.clone()) as Box<dyn crate::load::evidence::AddressFinder>)
    });
    let redactor = built
        .into_inner()
        .unwrap_or_else(|| Redactor::for_case(&case));
    diagnostics.extend(rules::check(&case, ctx, &redactor));
    // A file that could not be read is never quoted (its text is only for the redactor).
    let documents = case
        .documents
        .iter()
        .filter(|d| !d.unreadable)
        .map(|d| (d.path.as_path(), d))
        .collect();
    // Each file's address spans, found once, so a snippet is redacted in its file's context.
    let mut spans: HashMap<&Path, Vec<(usize, usize)>> = HashMap::new();
    for d in &mut diagnostics {
        finish(d, &documents, &redactor, &mut spans);
    }
    // Errors first, then in the order a SENCO works through a case: pupil, family, needs,
    // health, plans, attainment, views, professionals, request, consent, evidence.
    let kinds: HashMap<&Path, usize> = case
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
    (case, report, redactor)
}

/// The longest source line quoted in a finding.
pub const MAX_SNIPPET_BYTES: usize = 1000;

/// Adds the source line, redacted in the context of its whole file (an address wrapped over two
/// lines is withheld from both). Withholding any protected address from everything printed is
/// [`Redactor::report`]'s; this only makes sure a line on its own cannot show half of one.
fn finish<'a>(
    d: &mut Diagnostic,
    documents: &HashMap<&'a Path, &'a case::Document>,
    redactor: &Redactor,
    spans: &mut HashMap<&'a Path, Vec<(usize, usize)>>,
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
    let guidance = ctx
        .profile
        .guidance_date(AcademicYear::containing(submission));
    KeyDates {
        pupil_reference: case.pupil.as_ref().map(|p| p.value.upn.clone()),
        submission_date: Some(submission),
        guidance_date: Some(guidance.date()),
        guidance_date_estimated: guidance.is_estimate(),
        received_date: received,
        decision_due: received.map(|r| calendar::plus_weeks(r, ctx.profile.decision_weeks)),
        final_plan_due: received.map(|r| calendar::plus_weeks(r, ctx.profile.final_plan_weeks)),
        overdue: None,
        next_due: None,
    }
    .with_overdue(ctx.today)
}

impl Particulars {
    pub fn of(case: &Case) -> Particulars {
        let doc = |kind| case.documents.iter().position(|d| d.kind == Some(kind));
        let text = |doc: Option<usize>, pointer: &str| {
            let node = case.node(doc?, pointer)?;
            let raw = match &node.value {
                crate::load::yaml::Value::Str(s) => s.clone(),
                crate::load::yaml::Value::Int(i) => i.to_string(),
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
        let pupil = doc(crate::load::kind::Kind::Pupil);
        let request = doc(crate::load::kind::Kind::Request);
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
                    crate::load::yaml::Value::Int(i) => Some(i),
                    _ => None,
                }),
            school: text(request, "/school/name"),
            primary_need: text(doc(crate::load::kind::Kind::Needs), "/primary_need"),
            requested_by: text(request, "/requested_by"),
            forename: text(pupil, "/legal_name/first"),
            surname: text(pupil, "/legal_name/last"),
        }
    }
}
