//! `ehcpack render`: the request pack as one PDF.
//!
//! The case is validated first (by the caller); a case with errors is refused unless `--draft`.
//! The wording comes from Jinja templates (minijinja) (built in, or `--templates DIR`) that write the pack
//! markup (docs/templates.md); [`markup`] reads it into blocks, [`layout`]
//! lays them out in one pass with the shaped words of [`fonts`], and [`writer`] writes the
//! tagged PDF with krilla, with the case and its evidence embedded as files ([`embedded`]).
//!
//! Every piece of text that reaches the PDF (page text, metadata, outline, embedded file names
//! and the embedded documents) passes through [`public`], the one point where a protected
//! address is withheld.

pub mod checks;
pub mod compact;
pub mod context;
pub mod embedded;
pub mod fonts;
pub mod layout;
pub mod markup;
pub mod templates;
pub mod writer;

use std::path::Path;

use chrono::NaiveDate;

use crate::privacy::{Redacted, Redactor};

pub use layout::DRAFT_MARK;

pub use templates::TEMPLATES;

/// The one gate for text on its way into the PDF: page text, metadata, outline entries,
/// embedded file names and descriptions. Whatever a template or a file name holds, no part of
/// a protected address passes.
pub fn public(redactor: &Redactor, text: &str) -> Redacted {
    redactor.redact(text)
}

/// The most support plans a pack shows: twenty years of termly reviews. More stops the render
/// with an error that names the first plan past the limit.
pub const MAX_PLANS: usize = 60;

/// How evidence travels with the pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Evidence {
    /// Each evidence file embedded byte for byte (always); the pack claims PDF/UA-1 and
    /// PDF/A-3a, and krilla checks both.
    #[default]
    Embedded,
    /// Also each PDF report's pages appended after the pack. Those pages are not tagged, so
    /// the file claims neither PDF/UA nor PDF/A.
    AppendPages,
}

/// What a render needs besides the case.
pub struct Options<'a> {
    pub draft: bool,
    pub today: NaiveDate,
    pub templates: Option<&'a Path>,
    pub fonts: &'a fonts::Fonts,
    /// The name of the profile the case was validated with (for the manifest).
    pub profile: &'a str,
    pub evidence: Evidence,
}

/// What rendering produced.
pub struct Rendered {
    pub bytes: Vec<u8>,
    /// Pages of the pack itself (without appended reports).
    pub pages: usize,
    /// Evidence files embedded.
    pub attachments: usize,
    /// Characters no font could print (each also a `font-coverage` warning from validate).
    pub missing: Vec<char>,
    /// Whether the file claims PDF/UA-1 and PDF/A-3a.
    pub conformance: bool,
}

/// Why a case could not be rendered. Each message may name the case's files: a caller that
/// prints one passes it through the case's redactor (paths here are already [`public`]).
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// `at`: the first plan past the limit, with the case folder; `from`: its path in the case.
    #[error(
        "{at}: the case has {plans} support plans, and a pack shows at most {MAX_PLANS}; keep \
         the most recent plans in the case folder and move older ones out (from {from} on)"
    )]
    TooManyPlans {
        at: String,
        plans: usize,
        from: String,
    },
    #[error(transparent)]
    Templates(#[from] templates::TemplateError),
    #[error(
        "the templates wrote markup that cannot be laid out (line {line} of their output): \
         {message}"
    )]
    Markup { line: usize, message: String },
    #[error(transparent)]
    Layout(#[from] layout::LayoutError),
    #[error(transparent)]
    Embed(#[from] embedded::EmbedError),
    #[error(transparent)]
    Writer(#[from] writer::WriterError),
    #[error(transparent)]
    Compact(#[from] compact::CompactError),
}

/// Renders a validated case into PDF bytes.
pub fn render_case(
    case: &crate::load::case::Case,
    report: &crate::privacy::RedactedReport,
    options: &Options,
) -> Result<Rendered, RenderError> {
    let redactor = Redactor::for_case(case);
    if let Some(plan) = case.plans.get(MAX_PLANS) {
        let path = case
            .documents
            .get(plan.doc)
            .map_or_else(String::new, |d| d.path.display().to_string());
        return Err(RenderError::TooManyPlans {
            at: public(&redactor, &case.root.join(&path).display().to_string()).into_string(),
            plans: case.plans.len(),
            from: public(&redactor, &path).into_string(),
        });
    }
    let templates = templates::load(options.templates)?;
    let (mut ctx, extras) = context::build(case, report, options.draft, options.today);
    // What the pack says about its reports must be what it does with them (docs/pack.md).
    ctx["evidence_pages"] = serde_json::json!(options.evidence == Evidence::AppendPages);
    let text = templates::render(&templates, templates::PACK, &ctx)?;
    let text = public(&redactor, &text);
    let blocks = markup::parse(&text).map_err(|e| RenderError::Markup {
        line: e.line,
        message: e.message,
    })?;
    let mut shaper = fonts::Shaper::new(options.fonts);
    let laid = layout::layout(&blocks, &extras, options.draft, &mut shaper)?;
    let missing = std::mem::take(&mut shaper.missing);
    // Freed before the writing, whose memory can then be theirs (a long pack's text is
    // several megabytes at each step).
    drop((shaper, blocks, text));
    let pages = laid.pages.len();

    let files = embedded::files(case, &extras, &redactor, options, pages)?;
    // Attached reports in the outline, under the Evidence section when there is one.
    let evidence_heading = laid
        .headings
        .iter()
        .position(|h| h.level == 1 && h.text == "Evidence")
        .unwrap_or(laid.headings.len().saturating_sub(1));
    let extra: Vec<writer::ExtraOutline> = extras
        .attachments
        .iter()
        .enumerate()
        .map(|(i, a)| writer::ExtraOutline {
            title: public(
                &redactor,
                &format!("Attached report {}: {}", i + 1, a.title),
            ),
            under: evidence_heading,
        })
        .collect();
    let conformance = options.evidence == Evidence::Embedded;
    let title = public(&redactor, &extras.title);
    // The file's date: the submission date, else "today" (`--today` keeps it reproducible);
    // PDF/A needs one.
    let meta = writer::Meta {
        title: &title,
        date: Some(extras.submission.unwrap_or(options.today)),
        conformance,
    };
    // The reports printed after the pack come from the bytes attached (read once).
    let reports: Vec<writer::Attached> = if options.evidence == Evidence::AppendPages {
        files
            .iter()
            .filter(|f| extras.attachments.iter().any(|a| a.embedded_as == f.name))
            .map(|f| writer::Attached {
                name: f.name.clone(),
                mime: f.mime,
                description: String::new(),
                data: f.data.clone(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let written = writer::write(laid, options.fonts, &meta, files, &extra)?;
    // One pass over what krilla wrote: the reports' pages, then object streams.
    let mut pack = compact::Written::split(&written)?;
    if options.evidence == Evidence::AppendPages {
        embedded::append_reports(&mut pack, &extras.attachments, &reports)?;
    }
    let bytes = pack.finish()?;
    Ok(Rendered {
        bytes,
        pages,
        attachments: extras.attachments.len(),
        missing,
        conformance,
    })
}

pub use crate::output::write_atomically;
