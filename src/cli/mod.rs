//! The command line. Flags carry their own docs; help, and later the man page and completions,
//! come from here. Exit status: 0 no errors, 1 errors found, 2 the tool could not run, decided
//! in one place ([`exit`]).

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostic::catalogue;
use crate::diagnostic::Severity;
use crate::load::case::Kind;
use crate::load::schema;
use crate::profile::Profile;
use crate::report::{self, Reporter};
use crate::rules::Context;

pub mod exit;
pub mod intake;
pub mod render;

pub use exit::{CliError, Exit};

#[derive(Parser, Debug)]
#[command(
    name = "ehcpack",
    version,
    about = "Checks a pupil's case folder for an EHC needs assessment request and renders the request pack",
    long_about = "Checks a school's folder of YAML files about one pupil against the JSON Schemas of \
                  the case format and the LA's rules (Durham's built in), and renders the request \
                  pack as one PDF.\n\nExit status: 0 when no errors were found, 1 when errors were \
                  found, 2 when ehcpack could not run (bad arguments, unreadable path)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Start a new case folder: every document, each field explained
    New(NewArgs),
    /// Check case folders against the schemas and the rules
    Validate(ValidateArgs),
    /// Show a case as a checklist, with the days left to the guidance date
    Status(StatusArgs),
    /// Render a case's request pack as one PDF
    Render(render::RenderArgs),
    /// Open the case folders as forms in your web browser, checked as you type
    Serve(ServeArgs),
    /// The LA's register of received requests: add, decide, plan, exception, withdraw, list,
    /// history, export (SEN2), backup
    Intake(intake::IntakeArgs),
    /// Explain a rule: what it checks, why, how to fix it, and its source
    Explain(ExplainArgs),
    /// Write out the JSON Schemas of the case format
    Schema(SchemaArgs),
    /// Show the LA profile in use
    Profile(ProfileArgs),
    /// Print shell completions (bash, zsh, fish, powershell, elvish)
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `ehcpack man > ehcpack.1`
    Man,
    /// Write a synthetic corpus of case folders (for benchmarks and batch tests)
    #[command(hide = true)]
    Generate(GenerateArgs),
}

#[derive(clap::Args, Debug)]
pub struct StatusArgs {
    /// The case folder
    #[arg(value_name = "CASE")]
    pub case: PathBuf,
    #[command(flatten)]
    pub common: Common,
}

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// The folder of case folders (default: the current folder)
    #[arg(value_name = "FOLDER", default_value = ".", hide_default_value = true)]
    pub folder: PathBuf,
    /// The port to listen on, on this computer only (default: any free port)
    #[arg(long, value_name = "N", default_value_t = 0, hide_default_value = true)]
    pub port: u16,
    /// Print the address without opening the browser
    #[arg(long)]
    pub no_open: bool,
    #[command(flatten)]
    pub common: Common,
}

#[derive(clap::Args, Debug)]
pub struct NewArgs {
    /// The new case folder (it must not exist yet, or be empty)
    #[arg(value_name = "FOLDER")]
    pub folder: PathBuf,
    /// The pupil's national curriculum year group (0 for Reception)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=14))]
    pub year_group: Option<u8>,
    /// The pupil is a looked-after child: adds the looked-after block and protects the address
    #[arg(long)]
    pub looked_after: bool,
    /// How many support plans to start with (Durham expects two reviewed plus the current one)
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(1..=12))]
    pub plans: u8,
}

#[derive(clap::Args, Debug)]
pub struct GenerateArgs {
    /// The folder to write the case folders into
    #[arg(value_name = "DIR")]
    pub out: PathBuf,
    /// How many case folders
    #[arg(long, default_value_t = 100)]
    pub count: usize,
    /// The seed: the same seed gives the same corpus
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The share of cases (0 to 1) that carry one fault each
    #[arg(long, default_value_t = 0.3)]
    pub faults: f64,
}

#[derive(clap::Args, Debug)]
pub struct Common {
    /// An LA profile file to use instead of the built-in Durham profile
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Take this date as today (YYYY-MM-DD), for reproducible runs
    #[arg(long, value_name = "DATE")]
    pub today: Option<NaiveDate>,
    /// A font (TTF or OTF) for characters the bundled fonts lack, e.g. Arabic or Chinese names;
    /// repeat for more (the first that has a character prints it)
    #[arg(long = "font", value_name = "FILE")]
    pub fonts: Vec<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct ValidateArgs {
    /// Case folders, pack PDFs made by `ehcpack render`, .zip archives of case folders, or
    /// folders of any of these (the LA's folder of received requests)
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// How to print the findings
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Print only the errors of failing cases and the summary; no progress bar
    #[arg(long, short)]
    pub quiet: bool,
    /// The date the LA received the requests (for cases that do not record `received_date`):
    /// gives each its decision date (6 weeks) and final plan date (20 weeks)
    #[arg(long, value_name = "DATE")]
    pub received: Option<NaiveDate>,
    /// The LA's record of receipt: a CSV file of rows `path or UPN,date` (header optional).
    /// A case's own `received_date` wins, then this file, then --received
    #[arg(long, value_name = "FILE")]
    pub received_from: Option<PathBuf>,
    /// The environment variable that holds the password of encrypted packs (as `render
    /// --encrypt` takes it); never given on the command line
    #[arg(long, value_name = "VAR", default_value = crate::protect::PASSWORD_ENV)]
    pub password_env: String,
    /// Check again every time a file in the case folders changes (stop with Ctrl-C)
    #[arg(long)]
    pub watch: bool,
    #[command(flatten)]
    pub common: Common,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Findings with the source line, for people
    Human,
    /// One JSON document (shape in docs/senco.md)
    Json,
    /// JUnit XML: a test case per case folder, failing with its errors
    Junit,
    /// SARIF 2.1.0, for code scanning
    Sarif,
    /// GitHub Actions annotations on the right file and line
    Github,
    /// A row per case: verdict, counts, and the LA's dates
    Csv,
    /// One self-contained HTML page: sortable, filterable, works offline
    Html,
}

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// The rule id, as shown in a finding (e.g. apdr-cycles)
    #[arg(value_name = "RULE", required_unless_present = "list")]
    pub rule: Option<String>,
    /// List every rule id with its severity and summary
    #[arg(long)]
    pub list: bool,
}

#[derive(clap::Args, Debug)]
pub struct SchemaArgs {
    /// Only this document kind's schema, printed to standard output
    #[arg(value_name = "KIND")]
    pub kind: Option<String>,
    /// Write every schema into this folder as <kind>.schema.json
    #[arg(long, value_name = "DIR", conflicts_with = "kind")]
    pub out: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct ProfileArgs {
    #[command(subcommand)]
    pub action: ProfileAction,
}

#[derive(Subcommand, Debug)]
pub enum ProfileAction {
    /// Print the profile (the built-in Durham one, or --profile FILE)
    Show {
        /// A profile file to show instead of the built-in one
        #[arg(long, value_name = "FILE")]
        profile: Option<PathBuf>,
    },
}

/// Runs the command line and returns the exit status.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // `--help` and `--version` come this way too, and are no failure.
            return if e.use_stderr() {
                Exit::CannotRun
            } else {
                Exit::Clean
            }
            .code();
        }
    };
    let stdout = io::stdout();
    // Every command writes through this: once the reader has gone (`| head`), the rest of the
    // output is dropped and the command finishes its work, so it ends quietly with its true
    // exit status instead of "Broken pipe" and 2.
    let mut out = ClosedPipeQuiet {
        inner: stdout.lock(),
        closed: false,
    };
    let result = match cli.command {
        Command::New(args) => new_case(&args, &mut out),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(shell, &mut Cli::command(), "ehcpack", &mut out);
            Ok(Exit::Clean)
        }
        Command::Man => {
            use clap::CommandFactory;
            clap_mangen::Man::new(Cli::command())
                .render(&mut out)
                .map_err(CliError::Output)
                .map(|_| Exit::Clean)
        }
        Command::Validate(args) => validate(&args, &mut out),
        Command::Status(args) => status(&args, &mut out),
        Command::Render(args) => render::run(&args, &mut out),
        Command::Serve(args) => serve(&args, &mut out),
        Command::Explain(args) => explain(&args, &mut out),
        Command::Intake(args) => intake::run(&args, &mut out),
        Command::Schema(args) => schema_out(&args, &mut out),
        Command::Generate(args) => crate::generate::corpus(
            &args.out,
            args.count,
            args.seed,
            args.faults.clamp(0.0, 1.0),
        )
        .map_err(|e| {
            CliError::Message(format!(
                "cannot write the corpus into {}: {e}",
                args.out.display()
            ))
        })
        .and_then(|faulty| {
            writeln!(
                out,
                "wrote {} case folders into {} ({faulty} with a fault)",
                args.count,
                args.out.display()
            )?;
            Ok(Exit::Clean)
        }),
        Command::Profile(ProfileArgs {
            action: ProfileAction::Show { profile },
        }) => profile_show(profile.as_ref(), &mut out),
    };
    match result {
        Ok(exit) => exit.code(),
        Err(error) => {
            let _ = out.flush();
            // Errors can quote a path or a value from input: never raw to the terminal.
            // Line by line: a message of several lines keeps its line breaks.
            let lines: Vec<String> = error
                .to_string()
                .split('\n')
                .map(crate::privacy::terminal_safe)
                .collect();
            let _ = writeln!(io::stderr(), "ehcpack: {}", lines.join("\n"));
            Exit::CannotRun.code()
        }
    }
}

/// Standard output that drops what is written after the reader closed the pipe.
struct ClosedPipeQuiet<W: Write> {
    inner: W,
    closed: bool,
}

impl<W: Write> ClosedPipeQuiet<W> {
    fn quiet<T>(&mut self, result: io::Result<T>, gone: T) -> io::Result<T> {
        match result {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(gone)
            }
            other => other,
        }
    }
}

impl<W: Write> Write for ClosedPipeQuiet<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        let result = self.inner.write(buf);
        self.quiet(result, buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let result = self.inner.flush();
        self.quiet(result, ())
    }
}

fn profile_show(path: Option<&PathBuf>, out: &mut dyn Write) -> Result<Exit, CliError> {
    let profile = load_profile(path)?;
    out.write_all(profile.to_yaml().as_bytes())?;
    Ok(Exit::Clean)
}

fn serve(args: &ServeArgs, out: &mut dyn Write) -> Result<Exit, CliError> {
    let profile = load_profile(args.common.profile.as_ref())?;
    let fonts = load_fonts(&args.common, &profile)?;
    crate::serve::run(
        crate::serve::Options {
            folder: args.folder.clone(),
            port: args.port,
            open: !args.no_open,
            profile,
            fonts,
            today: args.common.today,
        },
        out,
    )?;
    Ok(Exit::Clean)
}

pub fn load_profile(path: Option<&PathBuf>) -> Result<Profile, crate::profile::ProfileError> {
    match path {
        Some(p) => Profile::load(p),
        None => Ok(Profile::durham()),
    }
}

/// The fonts: the bundled ones, then the profile's `fonts:`, then each `--font`.
pub fn load_fonts(
    common: &Common,
    profile: &Profile,
) -> Result<crate::render::fonts::Fonts, crate::render::fonts::FontError> {
    let mut paths = profile.fonts.clone();
    paths.extend(common.fonts.iter().cloned());
    crate::render::fonts::Fonts::with_added(&paths)
}

pub fn today(common: &Common) -> NaiveDate {
    common
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive())
}

fn validate(args: &ValidateArgs, out: &mut dyn Write) -> Result<Exit, CliError> {
    if !args.watch {
        return validate_once(args, out);
    }
    // Re-check whenever a file's size or time changes: polling is plenty for a few folders
    // and works the same on every system and shared drive.
    let mut seen = None;
    loop {
        let now = fingerprint(&args.paths);
        if seen.as_ref() != Some(&now) {
            if seen.is_some() && io::stdout().is_terminal() {
                out.write_all(b"\x1b[2J\x1b[H")?;
            }
            validate_once(args, out)?;
            writeln!(out, "Watching for changes... (Ctrl-C to stop)")?;
            out.flush()?;
            seen = Some(now);
        }
        std::thread::sleep(std::time::Duration::from_millis(400));
    }
}

/// The size and modification time of every file under the paths, to notice a save.
fn fingerprint(paths: &[PathBuf]) -> Vec<(PathBuf, u64, Option<std::time::SystemTime>)> {
    let mut files = Vec::new();
    for path in paths {
        for entry in walkdir::WalkDir::new(path)
            .max_depth(4)
            .follow_links(false)
            .into_iter()
            .filter_map(Result::ok)
        {
            if let Ok(meta) = entry.metadata() {
                if meta.is_file() {
                    files.push((entry.path().to_path_buf(), meta.len(), meta.modified().ok()));
                }
            }
        }
    }
    files.sort();
    files
}

fn validate_once(args: &ValidateArgs, out: &mut dyn Write) -> Result<Exit, CliError> {
    let profile = load_profile(args.common.profile.as_ref())?;
    let fonts = load_fonts(&args.common, &profile)?;
    let mut ctx = Context::new(&profile, today(&args.common)).with_fonts(fonts);
    ctx.received = args.received;
    // Every PATH is looked at; one that cannot be read is a finding, and the others are checked.
    // Only when none of them holds anything to check does the run stop (exit status 2).
    let batch =
        crate::batch::Batch::discover(&args.paths).map_err(|e| e.reasons.join("\nehcpack: "))?;
    let received_from = args
        .received_from
        .as_deref()
        .map(crate::received::clock::ReceivedFrom::load)
        .transpose()?;
    let options = crate::received::Options {
        password: std::env::var(&args.password_env)
            .ok()
            .filter(|p| !p.is_empty()),
        limits: crate::received::Limits::default(),
    };
    let mut reporter = reporter(args, &profile.name, ctx.today);
    let items = batch.items().len();
    let progress = (items > 1 && !args.quiet && io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(items as u64);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} items {per_sec} {eta}")
        {
            bar.set_style(style);
        }
        bar
    });
    // The reader stopped reading (`| head`): the rest is checked without printing, quietly,
    // so that the exit status still tells whether any case has errors.
    let mut closed = false;
    let io_err = |e: io::Error, closed: &mut bool| -> Result<(), CliError> {
        if e.kind() == io::ErrorKind::BrokenPipe {
            *closed = true;
            Ok(())
        } else {
            Err(CliError::Report(e))
        }
    };
    let tick = || {
        if let Some(bar) = &progress {
            bar.inc(1);
        }
    };
    let done = batch
        .run(
            &ctx,
            &options,
            received_from.as_ref(),
            &tick,
            &mut |report| {
                // Redacted by its own case's redactor, and again by the whole batch's.
                if closed {
                    return Ok(());
                }
                let mut write = |out: &mut dyn Write| reporter.case(report, out);
                match match &progress {
                    Some(bar) => bar.suspend(|| write(out)),
                    None => write(out),
                } {
                    Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                        closed = true;
                        Ok(())
                    }
                    other => other,
                }
            },
        )
        .map_err(CliError::Report)?;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if !closed {
        if let Err(e) = reporter
            .finish(&done.summary, out)
            .and_then(|()| out.flush())
        {
            io_err(e, &mut closed)?;
        }
    }
    note_unmatched(&done.unmatched_rows);
    Ok(Exit::found(done.summary.failed > 0))
}

/// The writer `--format` names.
fn reporter(args: &ValidateArgs, profile: &str, today: NaiveDate) -> Box<dyn Reporter> {
    match args.format {
        Format::Human => Box::new(report::Human {
            colour: terminal_shows_colour(),
            quiet: args.quiet,
        }),
        Format::Json => Box::new(report::Json::new(profile, today)),
        Format::Junit => Box::<report::Junit>::default(),
        Format::Sarif => Box::<report::Sarif>::default(),
        Format::Github => Box::new(report::Github),
        Format::Csv => Box::new(report::Csv::new(today)),
        Format::Html => Box::new(report::Html::new(profile, today)),
    }
}

/// Says on standard error which rows of `--received-from` matched no case (the first five).
fn note_unmatched(rows: &[(crate::privacy::Redacted, usize)]) {
    if !rows.is_empty() {
        let shown: Vec<String> = rows
            .iter()
            .take(5)
            .map(|(key, line)| {
                // Redacted first, then cut: a path is shown as far as 60 characters.
                let shown = key.for_terminal();
                let cut: String = shown.chars().take(60).collect();
                let more = if cut.len() < shown.len() { "..." } else { "" };
                format!("line {line} ({cut}{more})")
            })
            .collect();
        eprintln!(
            "ehcpack: note: {} {} of --received-from matched no case: {}{}",
            rows.len(),
            if rows.len() == 1 { "row" } else { "rows" },
            shown.join(", "),
            if rows.len() > 5 { ", ..." } else { "" }
        );
    }
}

fn status(args: &StatusArgs, out: &mut dyn Write) -> Result<Exit, CliError> {
    let profile = load_profile(args.common.profile.as_ref())?;
    let fonts = load_fonts(&args.common, &profile)?;
    let ctx = Context::new(&profile, today(&args.common)).with_fonts(fonts);
    if !args.case.is_dir() {
        return Err(format!("cannot read {}: not a case folder", args.case.display()).into());
    }
    let (case, report) = crate::check::validate(&args.case, &ctx);
    crate::status::print(&case, &report, ctx.today, out)?;
    Ok(Exit::found(report.errors > 0))
}

fn new_case(args: &NewArgs, out: &mut dyn Write) -> Result<Exit, CliError> {
    let options = crate::new_case::NewCase {
        year_group: args.year_group,
        looked_after: args.looked_after,
        plans: usize::from(args.plans),
    };
    let files = crate::new_case::write(&args.folder, &options)
        .map_err(|e| format!("cannot create {}: {e}", args.folder.display()))?;
    // The folder is named by the user, yet printed for a terminal: escaped all the same.
    let folder = crate::privacy::terminal_safe(&args.folder.to_string_lossy());
    let text = format!(
        "Created the case folder {folder} with {} documents:\n  {}\n\
         Put reports (PDFs) in {folder}/reports and list them in evidence.yaml.\n\
         The schemas for your editor are in {}.\n\n\
         Next: open the files, fill in the answers, and run\n  ehcpack validate {folder}\n\
         to see what is left to do, in order.\n",
        files.len(),
        files.join(", "),
        crate::privacy::terminal_safe(
            &args
                .folder
                .parent()
                .map(|p| p.join("schemas"))
                .unwrap_or_else(|| "schemas".into())
                .to_string_lossy()
        )
    );
    out.write_all(text.as_bytes())?;
    Ok(Exit::Clean)
}

fn explain(args: &ExplainArgs, out: &mut dyn Write) -> Result<Exit, CliError> {
    let w = |out: &mut dyn Write, s: &str| out.write_all(s.as_bytes());
    if args.list {
        for rule in catalogue::all() {
            let sev = match rule.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            w(
                out,
                &format!("{:<30} {:<8} {}\n", rule.id, sev, rule.summary),
            )?;
        }
        w(
            out,
            "\nNever checked (not true in law): see `ehcpack explain never`.\n",
        )?;
        return Ok(Exit::Clean);
    }
    let id = args.rule.as_deref().unwrap_or_default();
    if id == "never" {
        w(out, catalogue::NEVER)?;
        return Ok(Exit::Clean);
    }
    match catalogue::get(id) {
        Some(rule) => {
            w(out, rule.text)?;
            Ok(Exit::Clean)
        }
        None => Err(match catalogue::closest(id) {
            Some(c) => {
                format!("no rule `{id}`; did you mean `{c}`? (`ehcpack explain --list` lists them)")
            }
            None => format!("no rule `{id}` (`ehcpack explain --list` lists them)"),
        }
        .into()),
    }
}

fn schema_out(args: &SchemaArgs, out: &mut dyn Write) -> Result<Exit, CliError> {
    if let Some(name) = &args.kind {
        let kind = Kind::from_name(name).ok_or_else(|| {
            format!(
                "no document kind `{name}`; the kinds are: {}",
                Kind::ALL.map(Kind::name).join(", ")
            )
        })?;
        out.write_all(schema::text(kind).as_bytes())?;
        return Ok(Exit::Clean);
    }
    let Some(dir) = &args.out else {
        return Err("name a KIND to print, or --out DIR to write every schema".into());
    };
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for kind in Kind::ALL {
        let path = dir.join(format!("{}.schema.json", kind.name()));
        std::fs::write(&path, schema::text(kind))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        writeln!(out, "wrote {}", path.display())?;
    }
    Ok(Exit::Clean)
}

/// Colour only on a terminal that shows it, and not with `NO_COLOR` set. A Windows console shows
/// the colour codes as text unless it is switched to them first; one that cannot be (before
/// Windows 10) gets plain text.
pub(crate) fn terminal_shows_colour() -> bool {
    if !io::stdout().is_terminal() || std::env::var_os("NO_COLOR").is_some() {
        return false;
    }
    #[cfg(windows)]
    {
        anstyle_query::windows::enable_ansi_colors().unwrap_or(false)
    }
    #[cfg(not(windows))]
    {
        true
    }
}
