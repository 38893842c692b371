//! `ehcpack render`: the request pack as one PDF.
//!
//! The case is validated first; a case with errors is refused unless `--draft`. The wording comes
//! from Tera templates (built in, or `--templates DIR`) that write the pack markup
//! (README, "Templates and the pack markup"); [`markup`] reads it into blocks, [`layout`] lays them out with genpdf
//! (twice, so that the contents can give page numbers), and [`pdf`] appends the attached
//! reports, adds the outline and makes the file reproducible. The file is written atomically.

pub mod context;
pub mod layout;
pub mod markup;
pub mod pdf;

use std::collections::HashMap;
use std::fs;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde_json::Value;

use crate::cli::{self, Common, EXIT_FINDINGS, EXIT_OK};
use crate::privacy::Redactor;
use crate::report::{Reporter, Summary};
use crate::rules::Context;

pub use layout::DRAFT_MARK;

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
    /// A folder of Tera templates to use instead of the built-in ones (same file names)
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
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

/// The built-in templates, by file name. `pack.tera` is the one rendered; it includes the rest.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("pack.tera", include_str!("../../templates/pack.tera")),
    ("cover.tera", include_str!("../../templates/cover.tera")),
    ("checks.tera", include_str!("../../templates/checks.tera")),
    ("details.tera", include_str!("../../templates/details.tera")),
    ("needs.tera", include_str!("../../templates/needs.tera")),
    ("views.tera", include_str!("../../templates/views.tera")),
    ("plans.tera", include_str!("../../templates/plans.tera")),
    (
        "attainment.tera",
        include_str!("../../templates/attainment.tera"),
    ),
    (
        "professionals.tera",
        include_str!("../../templates/professionals.tera"),
    ),
    ("reasons.tera", include_str!("../../templates/reasons.tera")),
    ("consent.tera", include_str!("../../templates/consent.tera")),
    (
        "evidence.tera",
        include_str!("../../templates/evidence.tera"),
    ),
];

fn string_arg(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

type FilterFn = fn(&Value, &HashMap<String, Value>) -> tera::Result<Value>;

fn filter_text(v: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(Value::String(markup::text_line(&string_arg(v))))
}

fn filter_paras(v: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(Value::String(markup::paragraphs(&string_arg(v))))
}

fn filter_cell(v: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(Value::String(markup::cell(&string_arg(v))))
}

/// `2016-02-14` → `14 February 2016`; anything else unchanged.
fn filter_date(v: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let s = string_arg(v);
    Ok(Value::String(
        match NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
            Ok(d) => d.format("%-d %B %Y").to_string(),
            Err(_) => s,
        },
    ))
}

/// `7.5` → `£7.50`, `1650` → `£1,650.00`.
fn filter_money(v: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let Some(n) = v.as_f64() else {
        return Ok(Value::String(string_arg(v)));
    };
    let pence = (n * 100.0).round() as i64;
    let pounds = (pence / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in pounds.chars().enumerate() {
        if i > 0 && (pounds.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    Ok(Value::String(format!("£{grouped}.{:02}", pence % 100)))
}

/// A checksum in groups of eight, so that it wraps and can be read aloud.
fn filter_groups(v: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let s = string_arg(v);
    let chars: Vec<char> = s.chars().collect();
    Ok(Value::String(
        chars
            .chunks(8)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" "),
    ))
}

fn tera_error(e: &tera::Error) -> String {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    message
}

/// The templates: the built-in ones, each replaced by a file of the same name in `dir`.
fn load_templates(dir: Option<&Path>) -> Result<tera::Tera, String> {
    let mut sources: Vec<(String, String)> = TEMPLATES
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    if let Some(dir) = dir {
        let entries = fs::read_dir(dir)
            .map_err(|e| format!("cannot read the templates folder {}: {e}", dir.display()))?;
        let mut names: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "tera"))
            .collect();
        names.sort();
        if names.is_empty() {
            return Err(format!(
                "the templates folder {} has no .tera files (the built-in names are: {})",
                dir.display(),
                TEMPLATES.iter().map(|t| t.0).collect::<Vec<_>>().join(", ")
            ));
        }
        for path in names {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let text = fs::read_to_string(&path)
                .map_err(|e| format!("cannot read the template {}: {e}", path.display()))?;
            match sources.iter_mut().find(|(n, _)| *n == name) {
                Some(slot) => slot.1 = text,
                None => sources.push((name, text)),
            }
        }
    }
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![]);
    let filters: [(&str, FilterFn); 6] = [
        ("text", filter_text),
        ("paras", filter_paras),
        ("cell", filter_cell),
        ("date", filter_date),
        ("money", filter_money),
        ("groups", filter_groups),
    ];
    for (name, f) in filters {
        tera.register_filter(name, f);
    }
    tera.add_raw_templates(sources)
        .map_err(|e| format!("a template has an error: {}", tera_error(&e)))?;
    Ok(tera)
}

/// What rendering produced.
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub pages: usize,
    pub attachments: usize,
}

/// Renders a validated case into PDF bytes.
pub fn render_case(
    case: &crate::case::Case,
    report: &crate::CaseReport,
    draft: bool,
    today: NaiveDate,
    templates: Option<&Path>,
) -> Result<Rendered, String> {
    let tera = load_templates(templates)?;
    let (ctx, extras) = context::build(case, report, draft, today);
    let ctx = tera::Context::from_value(ctx).map_err(|e| tera_error(&e))?;
    let text = tera
        .render("pack.tera", &ctx)
        .map_err(|e| format!("the templates could not be rendered: {}", tera_error(&e)))?;
    // Whatever a template prints, no part of a protected address reaches the page.
    let text = Redactor::for_case(case).redact(&text);
    let blocks = markup::parse(&text).map_err(|e| {
        format!(
            "the templates wrote markup that cannot be laid out (line {} of their output): {}",
            e.line, e.message
        )
    })?;
    // Lay out until the page numbers settle and no table row breaks that need not (usually
    // two or three passes), measuring with the real fonts but writing base fonts (quick).
    // Text the quick fonts cannot write (outside Windows-1252) makes every pass embed.
    let mut known = layout::Layout::default();
    let mut bytes = Vec::new();
    let mut quick = true;
    for _ in 0..6 {
        bytes.clear();
        let found = match layout::render(&blocks, &extras, draft, &known, !quick, &mut bytes) {
            Ok(found) => found,
            Err(_) if quick => {
                quick = false;
                continue;
            }
            Err(e) => return Err(e),
        };
        let settled = found.pages == known.pages
            && found.entries.len() == known.entries.len()
            && found
                .entries
                .iter()
                .zip(&known.entries)
                .all(|(a, b)| a.page == b.page)
            && found.split_rows == known.split_rows;
        known = found;
        if settled {
            break;
        }
    }
    // When the quick fonts could write everything, the settled pass is the pack: finishing
    // embeds the real fonts in place of the base fonts it names.
    let finished = pdf::finish(
        &bytes,
        &pdf::Finish {
            embed_fonts: quick,
            entries: &known.entries,
            attachments: &extras.attachments,
            title: &extras.title,
            date: extras.submission,
        },
    )?;
    Ok(Rendered {
        bytes: finished,
        pages: known.pages,
        attachments: extras.attachments.len(),
    })
}

/// Writes `bytes` to `target` through a temporary file in the same folder, so that `target`
/// is either the whole new file or untouched.
pub fn write_atomically(target: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .ok_or_else(|| format!("{} is not a file name", target.display()))?
        .to_string_lossy()
        .to_string();
    remove_orphans(&dir, &name);
    let mut attempt = 0u32;
    let (tmp, mut file) = loop {
        let tmp = dir.join(format!(".{name}.{}.{attempt}.tmp", std::process::id()));
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1;
            }
            Err(e) => return Err(format!("cannot write into {}: {e}", dir.display())),
        }
    };
    let result = file
        .write_all(bytes)
        .and_then(|_| file.sync_all())
        .and_then(|_| {
            drop(file);
            fs::rename(&tmp, target)
        });
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        // Windows will not replace a file another program has open, as PDF readers keep theirs.
        let hint = if cfg!(windows) && e.kind() == std::io::ErrorKind::PermissionDenied {
            " (if the pack is open in a PDF reader, close it and run again)"
        } else {
            ""
        };
        return Err(format!("cannot write {}: {e}{hint}", target.display()));
    }
    Ok(())
}

/// Removes temporary files that an earlier render of the same target left when it was killed
/// part way (its process is gone), so that no partial file outlives the next run.
fn remove_orphans(dir: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{name}.");
    for entry in entries.filter_map(Result::ok) {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file
            .strip_prefix(&prefix)
            .and_then(|r| r.strip_suffix(".tmp"))
        else {
            continue;
        };
        let Some(pid) = rest.split('.').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid != std::process::id() && !may_be_writing(pid, &entry) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether the render that named a temporary file after process `pid` may still be writing it.
/// Linux tells through /proc. Elsewhere (Windows has no /proc, and process ids are reused
/// quickly) a file an hour old is an orphan: a render takes about a second.
#[cfg(target_os = "linux")]
fn may_be_writing(pid: u32, _file: &fs::DirEntry) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

#[cfg(not(target_os = "linux"))]
fn may_be_writing(_pid: u32, file: &fs::DirEntry) -> bool {
    let age = file
        .metadata()
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok());
    age.is_none_or(|age| age < std::time::Duration::from_secs(3600))
}

/// The output path: `-o`, else `<case folder name>.pdf` in the current folder, which must not
/// be inside the case folder.
fn output_path(args: &RenderArgs) -> Result<PathBuf, String> {
    let case_abs = fs::canonicalize(&args.case)
        .map_err(|e| format!("cannot read {}: {e}", args.case.display()))?;
    if let Some(o) = &args.output {
        if o.is_dir() {
            return Err(format!(
                "{} is a folder; give the PDF's file name, e.g. {}",
                o.display(),
                o.join("pack.pdf").display()
            ));
        }
        return Ok(o.clone());
    }
    let name = case_abs
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "pack".into());
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot find the current folder: {e}"))?;
    let cwd_abs = fs::canonicalize(&cwd).unwrap_or(cwd);
    if cwd_abs.starts_with(&case_abs) {
        return Err(format!(
            "the current folder is inside the case folder, and the pack is never written there \
             unless you ask: run from another folder or give -o FILE (e.g. -o ../{name}.pdf)"
        ));
    }
    Ok(PathBuf::from(format!("{name}.pdf")))
}

/// Runs `ehcpack render`; returns the exit status.
pub fn run(args: &RenderArgs, out: &mut dyn Write) -> Result<i32, String> {
    let profile = cli::load_profile(args.common.profile.as_ref())?;
    let today = cli::today(&args.common);
    let ctx = Context::new(&profile, today);
    if !args.case.is_dir() {
        return Err(format!("{} is not a case folder", args.case.display()));
    }
    let target = output_path(args)?;
    if let Some(dir) = &args.templates {
        if !dir.is_dir() {
            return Err(format!("{} is not a folder of templates", dir.display()));
        }
    }
    // Ask for the password before any work, so that a mistake there costs nothing.
    let password = match args.encrypt {
        true => Some(crate::protect::password(&args.password_env)?),
        false => None,
    };
    let (case, report) = crate::validate(&args.case, &ctx);
    let io_err = |e: std::io::Error| e.to_string();
    if report.errors > 0 && !args.draft {
        let mut human = crate::report::Human {
            colour: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            quiet: false,
        };
        let mut summary = Summary::default();
        summary.add(&report);
        human.case(&report, out).map_err(io_err)?;
        human.finish(&summary, out).map_err(io_err)?;
        out.flush().map_err(io_err)?;
        eprintln!(
            "ehcpack: not rendered: {} has {} error{}; fix them, or use --draft for a marked draft",
            args.case.display(),
            report.errors,
            if report.errors == 1 { "" } else { "s" }
        );
        return Ok(EXIT_FINDINGS);
    }
    let draft = args.draft;
    let rendered = render_case(&case, &report, draft, today, args.templates.as_deref())?;
    let bytes = match &password {
        Some(password) => crate::protect::encrypt(&rendered.bytes, password)?,
        None => rendered.bytes,
    };
    write_atomically(&target, &bytes)?;
    writeln!(
        out,
        "wrote {} ({} pages of pack{}, {} KB){}{}",
        target.display(),
        rendered.pages,
        match rendered.attachments {
            0 => String::new(),
            1 => " and 1 attached report".into(),
            n => format!(" and {n} attached reports"),
        },
        bytes.len().div_ceil(1024),
        if draft {
            format!(
                " - DRAFT: {} error{}, {} warning{}",
                report.errors,
                if report.errors == 1 { "" } else { "s" },
                report.warnings,
                if report.warnings == 1 { "" } else { "s" }
            )
        } else if report.warnings > 0 {
            format!(
                " - {} warning{} shown in the check summary",
                report.warnings,
                if report.warnings == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        },
        if password.is_some() {
            " - protected with the password"
        } else {
            ""
        }
    )
    .map_err(io_err)?;
    Ok(EXIT_OK)
}
