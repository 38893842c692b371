//! `ehcpack render` on the command line: flags, the output path, printing. The work is
//! [`crate::render::render_case`], a library function.

use std::fs;
use std::io::Write;
use std::path::PathBuf;

use super::{CliError, Common, Exit};
use crate::privacy::RedactedReport;
use crate::render::fonts::describe;
use crate::render::{self, Evidence, Options};
use crate::report::{Reporter, Summary};

#[derive(clap::Args, Debug)]
pub struct RenderArgs {
    /// The case folder
    #[arg(value_name = "CASE")]
    pub case: PathBuf,
    /// Where to write the PDF (default: <case folder name>.pdf in the current folder)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Render even when the case has errors, marking every page "DRAFT - not ready to send"
    #[arg(long)]
    pub draft: bool,
    /// A folder of Jinja templates (.jinja) to use instead of the built-in ones (same file names)
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Also append the pages of each attached PDF report after the pack (they are always
    /// embedded as files). The file then claims neither PDF/UA nor PDF/A, because those pages
    /// are not tagged
    #[arg(long)]
    pub evidence_pages: bool,
    /// Protect the PDF with a password (AES-256), for sending by email. The password is read
    /// from the environment variable EHCPACK_PASSWORD (or --password-env), or typed at a prompt
    #[arg(long)]
    pub encrypt: bool,
    /// The environment variable that holds the password for --encrypt
    #[arg(long, value_name = "VAR", default_value = crate::protect::PASSWORD_ENV, requires = "encrypt")]
    pub password_env: String,
    #[command(flatten)]
    pub common: Common,
}

/// The output path: `-o`, else `<case folder name>.pdf` in the current folder, which must not
/// be inside the case folder.
///
/// A file name is output too: one that would spell the pupil's protected address is refused
/// when given with `-o`, and the default name has the address left out.
fn output_path(args: &RenderArgs, report: &RedactedReport) -> Result<PathBuf, CliError> {
    let case_abs = fs::canonicalize(&args.case)
        .map_err(|e| format!("cannot read {}: {e}", args.case.display()))?;
    if let Some(o) = &args.output {
        crate::output::check_target(o)?;
        let name = o.file_name().map(|n| n.to_string_lossy().to_string());
        if name.is_some_and(|n| report.redact(&n).as_str() != n) {
            return Err(format!(
                "the file name {} would show the pupil's protected address; choose a name \
                 without it",
                report.redact(&o.to_string_lossy())
            )
            .into());
        }
        return Ok(o.clone());
    }
    let name = case_abs
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "pack".into());
    let name = report
        .redact(&name)
        .as_str()
        .replace(crate::privacy::WITHHELD, "address withheld");
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot find the current folder: {e}"))?;
    let cwd_abs = fs::canonicalize(&cwd).unwrap_or(cwd);
    if cwd_abs.starts_with(&case_abs) {
        return Err(format!(
            "the current folder is inside the case folder, and the pack is never written there \
             unless you ask: run from another folder or give -o FILE (e.g. -o ../{name}.pdf)"
        )
        .into());
    }
    Ok(PathBuf::from(format!("{name}.pdf")))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Runs `ehcpack render`; returns the exit status.
pub fn run(args: &RenderArgs, out: &mut dyn Write) -> Result<Exit, CliError> {
    let profile = super::load_profile(args.common.profile.as_ref())?;
    let fonts = super::load_fonts(&args.common, &profile)?;
    let today = super::today(&args.common);
    let ctx = crate::rules::Context::new(&profile, today).with_fonts(fonts.clone());
    if !args.case.is_dir() {
        return Err(format!("{} is not a case folder", args.case.display()).into());
    }
    let (case, report) = crate::check::validate(&args.case, &ctx);
    // From here on every error is about this case, and may name its files or the output path:
    // each passes through the case's redactor, as everything else that is printed does.
    render_checked(args, &case, &report, &profile, &fonts, today, out)
        .map_err(|error| CliError::Message(report.redact(&error.to_string()).into_string()))
}

/// Renders a case that has been checked: the output path, the password, the pack.
fn render_checked(
    args: &RenderArgs,
    case: &crate::load::case::Case,
    report: &RedactedReport,
    profile: &crate::profile::Profile,
    fonts: &crate::render::fonts::Fonts,
    today: chrono::NaiveDate,
    out: &mut dyn Write,
) -> Result<Exit, CliError> {
    let target = output_path(args, report)?;
    if let Some(dir) = &args.templates {
        if !dir.is_dir() {
            return Err(format!("{} is not a folder of templates", dir.display()).into());
        }
    }
    // Ask for the password before any work, so that a mistake there costs nothing.
    let password = match args.encrypt {
        true => Some(crate::protect::password(&args.password_env)?),
        false => None,
    };
    if report.errors > 0 && !args.draft {
        let mut human = crate::report::Human {
            colour: super::terminal_shows_colour(),
            quiet: false,
        };
        let mut summary = Summary::default();
        summary.add(report);
        human.case(report, out)?;
        human.finish(&summary, out)?;
        out.flush()?;
        eprintln!(
            "ehcpack: not rendered: {} has {}; fix them, or use --draft for a marked draft",
            report.path_text().for_terminal(),
            plural(report.errors, "error", "errors"),
        );
        return Ok(Exit::Findings);
    }
    let draft = args.draft;
    let options = Options {
        draft,
        today,
        templates: args.templates.as_deref(),
        fonts,
        profile: &profile.name,
        evidence: if args.evidence_pages {
            Evidence::AppendPages
        } else {
            Evidence::Embedded
        },
    };
    let rendered = render::render_case(case, report, &options)?;
    let bytes = match &password {
        Some(password) => crate::protect::encrypt(&rendered.bytes, password)?,
        None => rendered.bytes,
    };
    render::write_atomically(&target, &bytes)?;
    writeln!(
        out,
        "wrote {} ({} of pack{}, {} KB){}{}",
        report.redact(&target.to_string_lossy()).for_terminal(),
        plural(rendered.pages, "page", "pages"),
        match rendered.attachments {
            0 => String::new(),
            n if args.evidence_pages => format!(
                " and {} attached and appended",
                plural(n, "report", "reports")
            ),
            n => format!(" and {} embedded", plural(n, "report", "reports")),
        },
        bytes.len().div_ceil(1024),
        if draft {
            format!(
                " - DRAFT: {}, {}",
                plural(report.errors, "error", "errors"),
                plural(report.warnings, "warning", "warnings")
            )
        } else if report.warnings > 0 {
            format!(
                " - {} shown in the check summary",
                plural(report.warnings, "warning", "warnings")
            )
        } else {
            String::new()
        },
        if password.is_some() {
            " - protected with the password"
        } else {
            ""
        }
    )?;
    if !rendered.missing.is_empty() {
        let list: Vec<String> = rendered.missing.iter().map(|c| describe(*c)).collect();
        writeln!(
            out,
            "warning: no font can print {} ({}); the pack shows a replacement mark for each. \
             Add a font that has them with --font FILE (see `ehcpack explain font-coverage`)",
            plural(list.len(), "character", "characters"),
            crate::privacy::terminal_safe(&list.join(", "))
        )?;
    }
    if !rendered.conformance {
        writeln!(
            out,
            "note: with --evidence-pages the file claims neither PDF/UA nor PDF/A (the appended \
             pages are not tagged)"
        )?;
    }
    // A draft of a case with errors is written, and the status still says the case has errors
    // (docs/senco.md, "Commands": 1 when errors were found), so a script cannot mistake it for a pack
    // ready to send.
    Ok(Exit::found(report.errors > 0))
}
