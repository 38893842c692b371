//! `ehcpack intake`: the LA's register of received requests (see [`crate::intake`]).

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};
use sha2::{Digest, Sha256};

use super::{load_profile, today, CliError, Common, Exit};
use crate::diagnostic::Verdict;
use crate::intake::{self, Added, EventKind, NewEvent, NewRequest, Register};
use crate::privacy::{terminal_safe, Redactor};
use crate::rules::Context;

/// The register used when neither --register nor EHCPACK_REGISTER names one.
pub const DEFAULT_REGISTER: &str = "ehcpack-register.db";

#[derive(clap::Args, Debug)]
pub struct IntakeArgs {
    /// The register: an SQLite file (made by the first `add`), or a PostgreSQL server's
    /// address, postgres://user@host/database
    #[arg(long, global = true, value_name = "FILE or URL", env = "EHCPACK_REGISTER", default_value = DEFAULT_REGISTER, hide_env_values = true)]
    pub register: String,
    /// Who is recording (default: the login name)
    #[arg(long, global = true, value_name = "NAME")]
    pub by: Option<String>,
    #[command(subcommand)]
    pub action: IntakeAction,
}

#[derive(Subcommand, Debug)]
pub enum IntakeAction {
    /// Check received packs, archives and case folders as `validate` does, and record each once
    Add {
        /// Pack PDFs, .zip archives, case folders, or folders of any of these
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// The date the LA received them (default: today)
        #[arg(long, value_name = "DATE")]
        received: Option<NaiveDate>,
        /// The environment variable that holds the password of encrypted packs
        #[arg(long, value_name = "VAR", default_value = crate::protect::PASSWORD_ENV)]
        password_env: String,
        #[command(flatten)]
        common: Common,
    },
    /// Record the decision on whether to assess
    Decide {
        /// The request's number (from `intake list`)
        #[arg(value_name = "REQUEST")]
        id: i64,
        /// The LA decided to carry out an EHC needs assessment
        #[arg(
            long,
            conflicts_with = "no_assess",
            required_unless_present = "no_assess"
        )]
        assess: bool,
        /// The LA decided not to assess
        #[arg(long)]
        no_assess: bool,
        /// The date of the decision (YYYY-MM-DD)
        #[arg(long, value_name = "DATE")]
        date: NaiveDate,
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Record the decision after the assessment: the plan issued (its date), or no plan
    Plan {
        #[arg(value_name = "REQUEST")]
        id: i64,
        /// The final EHC plan was issued on --date
        #[arg(
            long,
            conflicts_with = "not_issued",
            required_unless_present = "not_issued"
        )]
        issued: bool,
        /// The LA decided on --date not to issue a plan
        #[arg(long)]
        not_issued: bool,
        #[arg(long, value_name = "DATE")]
        date: NaiveDate,
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Record an exception to the 20-week time limit (SEND Regulations 2014, regulation 13(3))
    Exception {
        #[arg(value_name = "REQUEST")]
        id: i64,
        #[arg(long, value_enum)]
        reason: Reason,
        /// The date it began to apply
        #[arg(long, value_name = "DATE")]
        date: NaiveDate,
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Record that the request was withdrawn
    Withdraw {
        #[arg(value_name = "REQUEST")]
        id: i64,
        #[arg(long, value_name = "DATE")]
        date: NaiveDate,
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// The open requests with their 6- and 20-week dates, and what is overdue
    List {
        /// Every request, closed ones too
        #[arg(long)]
        all: bool,
        /// Only the requests with a date overdue
        #[arg(long)]
        overdue: bool,
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
        #[command(flatten)]
        common: Common,
    },
    /// Everything recorded about one request, in order
    History {
        #[arg(value_name = "REQUEST")]
        id: i64,
        #[command(flatten)]
        common: Common,
    },
    /// One row per request, shaped like the DfE's SEN2 return
    Export {
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        #[command(flatten)]
        common: Common,
    },
    /// Copy the whole register into a new SQLite file
    Backup {
        #[arg(value_name = "FILE")]
        to: PathBuf,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Advice was asked of a school or college in the week before, or during, a closure of at
    /// least 4 weeks
    SchoolClosure,
    /// Exceptional personal circumstances affect the child or their parent, or the young person
    PersonalCircumstances,
    /// The child or their parent, or the young person, is away from the LA's area for at least
    /// 4 weeks
    AbsentFromArea,
    /// The child or young person did not keep an appointment for an examination or test
    MissedAppointment,
}

impl Reason {
    fn code(self) -> &'static str {
        match self {
            Reason::SchoolClosure => "school-closure",
            Reason::PersonalCircumstances => "personal-circumstances",
            Reason::AbsentFromArea => "absent-from-area",
            Reason::MissedAppointment => "missed-appointment",
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListFormat {
    Human,
    Json,
    Csv,
    /// The caseworker's daily page
    Html,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
}

/// The longest name or note recorded.
const MAX_TEXT: usize = 2000;

fn clean(text: &str, what: &str) -> Result<String, CliError> {
    let text: String = text.chars().filter(|c| !c.is_control()).collect();
    let text = text.trim().to_string();
    if text.chars().count() > MAX_TEXT {
        return Err(format!("{what} is longer than {MAX_TEXT} characters").into());
    }
    Ok(text)
}

fn recorder(by: Option<&str>) -> Result<String, CliError> {
    let name = match by {
        Some(b) => b.to_string(),
        None => std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .unwrap_or_else(|_| "unknown".into()),
    };
    let name = clean(&name, "--by")?;
    if name.is_empty() {
        return Err("--by is empty: say who is recording".into());
    }
    Ok(name)
}

pub fn run(args: &IntakeArgs, out: &mut dyn Write) -> Result<Exit, CliError> {
    let by = || recorder(args.by.as_deref());
    let write = |r: io::Result<()>| r.map_err(CliError::Write);
    match &args.action {
        IntakeAction::Add {
            paths,
            received,
            password_env,
            common,
        } => add(args, paths, *received, password_env, common, &by()?, out),
        IntakeAction::Decide {
            id,
            assess,
            date,
            note,
            common,
            ..
        } => record(
            args,
            common,
            NewEvent {
                request_id: *id,
                kind: EventKind::Decision,
                date: *date,
                detail: if *assess { "assess" } else { "no-assess" }.into(),
                note: note.as_deref().map(|n| clean(n, "--note")).transpose()?,
                by: by()?,
            },
            out,
        ),
        IntakeAction::Plan {
            id,
            issued,
            date,
            note,
            common,
            ..
        } => record(
            args,
            common,
            NewEvent {
                request_id: *id,
                kind: EventKind::Plan,
                date: *date,
                detail: if *issued { "issued" } else { "not-issued" }.into(),
                note: note.as_deref().map(|n| clean(n, "--note")).transpose()?,
                by: by()?,
            },
            out,
        ),
        IntakeAction::Exception {
            id,
            reason,
            date,
            note,
            common,
        } => record(
            args,
            common,
            NewEvent {
                request_id: *id,
                kind: EventKind::Exception,
                date: *date,
                detail: reason.code().into(),
                note: note.as_deref().map(|n| clean(n, "--note")).transpose()?,
                by: by()?,
            },
            out,
        ),
        IntakeAction::Withdraw {
            id,
            date,
            note,
            common,
        } => record(
            args,
            common,
            NewEvent {
                request_id: *id,
                kind: EventKind::Withdrawn,
                date: *date,
                detail: String::new(),
                note: note.as_deref().map(|n| clean(n, "--note")).transpose()?,
                by: by()?,
            },
            out,
        ),
        IntakeAction::List {
            all,
            overdue,
            format,
            common,
        } => {
            let profile = load_profile(common.profile.as_ref())?;
            let today = today(common);
            let mut register = Register::open(&args.register, false)?;
            let mut requests = register.requests(&profile)?;
            requests.retain(|r| (*all || r.is_open()) && (!*overdue || r.overdue(today).is_some()));
            intake::view::order(&mut requests, today);
            write(match format {
                ListFormat::Human => intake::view::human(&requests, today, out),
                ListFormat::Json => intake::view::json(&requests, today, out),
                ListFormat::Csv => intake::view::csv(&requests, today, out),
                ListFormat::Html => intake::view::html(&requests, today, out),
            })?;
            Ok(Exit::Clean)
        }
        IntakeAction::History { id, common } => {
            let profile = load_profile(common.profile.as_ref())?;
            let mut register = Register::open(&args.register, false)?;
            let requests = register.requests(&profile)?;
            let Some(r) = requests
                .iter()
                .find(|r| r.id == *id || r.latest.id == *id || r.first.id == *id)
            else {
                return Err(format!(
                    "there is no request {id} in the register; `ehcpack intake list --all` shows \
                     every request's number"
                )
                .into());
            };
            write(history(r, out))?;
            Ok(Exit::Clean)
        }
        IntakeAction::Export { format, common } => {
            let profile = load_profile(common.profile.as_ref())?;
            let mut register = Register::open(&args.register, false)?;
            let requests = register.requests(&profile)?;
            write(match format {
                ExportFormat::Csv => intake::sen2::csv(&requests, out),
                ExportFormat::Json => intake::sen2::json(&requests, out),
            })?;
            Ok(Exit::Clean)
        }
        IntakeAction::Backup { to } => {
            let mut register = Register::open(&args.register, false)?;
            let (requests, events) = register.backup(to)?;
            write(writeln!(
                out,
                "wrote {} ({requests} request rows, {events} events)",
                terminal_safe(&to.to_string_lossy())
            ))?;
            Ok(Exit::Clean)
        }
    }
}

fn history(r: &intake::Request, out: &mut dyn Write) -> io::Result<()> {
    let n = &r.first.request;
    writeln!(
        out,
        "Request {}: received {} as {} ({}), added by {} at {}",
        r.id,
        r.received_date,
        terminal_safe(&n.file_name),
        n.received_as,
        terminal_safe(&r.first.added_by),
        r.first.added_at
    )?;
    writeln!(
        out,
        "  decision due {}; final plan due {}",
        r.decision_due, r.final_plan_due
    )?;
    if r.versions > 1 {
        writeln!(
            out,
            "  {} versions; the latest: {} ({}), received {}",
            r.versions,
            terminal_safe(&r.latest.request.file_name),
            r.latest.request.verdict,
            r.latest.request.received_date
        )?;
    }
    for e in &r.events {
        writeln!(
            out,
            "  {} {}{}{} (recorded by {} at {})",
            e.date,
            e.kind.as_str(),
            if e.detail.is_empty() {
                String::new()
            } else {
                format!(": {}", e.detail)
            },
            e.note
                .as_deref()
                .map(|n| format!(" ({})", terminal_safe(n)))
                .unwrap_or_default(),
            terminal_safe(&e.recorded_by),
            e.recorded_at
        )?;
    }
    Ok(())
}

fn record(
    args: &IntakeArgs,
    common: &Common,
    event: NewEvent,
    out: &mut dyn Write,
) -> Result<Exit, CliError> {
    let profile = load_profile(common.profile.as_ref())?;
    let today = today(common);
    let mut register = Register::open(&args.register, false)?;
    let id = register.record(&event, &profile, today)?;
    writeln!(
        out,
        "request {id}: recorded {} {}{} on {}",
        event.kind.as_str(),
        event.detail,
        if id == event.request_id {
            String::new()
        } else {
            format!(
                " (request {} is a later version of request {id})",
                event.request_id
            )
        },
        event.date
    )?;
    Ok(Exit::Clean)
}

/// The SHA-256 of a file, or of a folder (every file's relative name and content, in name
/// order, links not followed): `None` when it cannot be read.
fn content_hash(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    let mut hasher = Sha256::new();
    let feed = |hasher: &mut Sha256, file: &Path| -> Option<()> {
        let (mut f, _) = crate::read::open_file(file).ok()?;
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let n = f.read(&mut buffer).ok()?;
            if n == 0 {
                return Some(());
            }
            hasher.update(&buffer[..n]);
        }
    };
    if meta.is_dir() {
        for entry in walkdir::WalkDir::new(path)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
        {
            let rel = entry.path().strip_prefix(path).unwrap_or(entry.path());
            let name = rel.to_string_lossy().replace('\\', "/");
            hasher.update((name.len() as u64).to_le_bytes());
            hasher.update(name.as_bytes());
            feed(&mut hasher, entry.path())?;
        }
    } else {
        feed(&mut hasher, path)?;
    }
    Some(format!("{:x}", hasher.finalize()))
}

#[allow(clippy::too_many_arguments)]
fn add(
    args: &IntakeArgs,
    paths: &[PathBuf],
    received: Option<NaiveDate>,
    password_env: &str,
    common: &Common,
    by: &str,
    out: &mut dyn Write,
) -> Result<Exit, CliError> {
    use rayon::prelude::*;
    let profile = load_profile(common.profile.as_ref())?;
    let today = today(common);
    let received = received.unwrap_or(today);
    if received > today {
        return Err(format!("--received {received} is after today ({today})").into());
    }
    let fonts = super::load_fonts(common, &profile)?;
    let mut ctx = Context::new(&profile, today).with_fonts(fonts);
    ctx.received = Some(received);
    let options = crate::received::Options {
        password: std::env::var(password_env).ok().filter(|p| !p.is_empty()),
        limits: crate::received::Limits::default(),
    };
    // A mistyped path is no request: when nothing named can be read, nothing is recorded.
    let mut items = crate::batch::discover_all(paths)
        .map_err(|e| format!("{}; nothing was recorded", e.reasons.join("\nehcpack: ")))?;
    // One request per path, however many ways it was found (a broken link is found both as a
    // link and as a file named like a pack).
    let mut seen = std::collections::HashSet::new();
    items.retain(|item| seen.insert(item.path().to_path_buf()));
    // Opened before any checking, so a register that cannot be used stops the run at once.
    let mut register = Register::open(&args.register, true)?;
    // Every item, checked; one that cannot be read is a request all the same (its finding says
    // why), recorded under its name so that it is never lost.
    let checked: Vec<(
        crate::batch::Item,
        Option<String>,
        Vec<crate::batch::Checked>,
    )> = items
        .par_iter()
        .map(|item| {
            let hash = content_hash(item.path());
            (
                item.clone(),
                hash,
                crate::batch::check(item, &ctx, &options),
            )
        })
        .collect();
    // The whole batch's redactor: no case's protected address reaches another's record.
    let mut batch = Redactor::none();
    for (_, _, cases) in &checked {
        for c in cases {
            batch.merge(&c.redactor);
        }
    }
    let mut records = Vec::new();
    let mut shown = Vec::new();
    let mut failed = false;
    for (item, hash, cases) in checked {
        let several = cases.len() > 1;
        for c in cases {
            let report = batch.report(c.report);
            failed |= report.verdict == Verdict::Fail;
            let file_name = report.path_text().into_string();
            let inner = file_name
                .split(crate::received::INSIDE)
                .nth(1)
                .map(str::to_string);
            let content_key = match (&hash, several, &inner) {
                (Some(h), true, Some(inner)) => format!("{h}{}{inner}", crate::received::INSIDE),
                (Some(h), true, None) => format!("{h}{}(archive)", crate::received::INSIDE),
                (Some(h), false, _) => h.clone(),
                // Unreadable: known by its name, so that adding it again changes nothing.
                (None, _, _) => {
                    let mut h = Sha256::new();
                    h.update(b"unreadable\0");
                    h.update(item.path().to_string_lossy().as_bytes());
                    format!("unreadable:{:x}", h.finalize())
                }
            };
            let p = &report.particulars;
            let name_key = c
                .identity
                .name_dob
                .clone()
                .map(|k| batch.redact(&k).into_string());
            let upn = c
                .identity
                .upn
                .clone()
                .map(|u| batch.redact(&u).into_string());
            shown.push((file_name.clone(), report.verdict, report.action()));
            records.push(NewRequest {
                content_key,
                sha256: hash.clone(),
                file_name,
                received_as: match (&hash, report.received_as) {
                    (None, _) => "unreadable".into(),
                    (_, Some(r)) => r.into(),
                    (_, None) => "folder".into(),
                },
                received_date: report.dates.received_date.unwrap_or(received),
                verdict: report.verdict.as_str().into(),
                action: report.action().as_str().into(),
                errors: report.errors as i64,
                warnings: report.warnings as i64,
                findings: intake::findings_summary(&report),
                upn,
                name_key,
                forename: p.forename.clone(),
                surname: p.surname.clone(),
                legal_name: p.legal_name.clone(),
                date_of_birth: p.date_of_birth.clone(),
                year_group: p.year_group,
                school: p.school.clone(),
                primary_need: p.primary_need.clone(),
                requested_by: p.requested_by.clone(),
                submission_date: report.dates.submission_date.map(|d| d.to_string()),
                document_title: report.by_hand.as_ref().and_then(|h| h.title.clone()),
                pages: report
                    .by_hand
                    .as_ref()
                    .and_then(|h| h.pages)
                    .map(|n| n as i64),
            });
        }
    }
    let added = register.add(&records, by)?;
    let mut counts = [0usize; 3];
    for ((name, verdict, action), added) in shown.iter().zip(&added) {
        let what = match added {
            Added::New { id } => {
                counts[0] += 1;
                format!("request {id}: added")
            }
            Added::Version { id, first } => {
                counts[1] += 1;
                format!("request {first}: added a later version (row {id}); the clock runs from the first")
            }
            Added::Already { id } => {
                counts[2] += 1;
                format!("already in the register (row {id}): nothing changed")
            }
        };
        writeln!(
            out,
            "{}: {what}; {} ({})",
            terminal_safe(name),
            verdict.words(),
            action.title().to_lowercase()
        )?;
    }
    writeln!(
        out,
        "{} new, {} later {}, {} already in the register",
        counts[0],
        counts[1],
        if counts[1] == 1 {
            "version"
        } else {
            "versions"
        },
        counts[2]
    )?;
    Ok(Exit::found(failed))
}
