//! The LA's side: what arrives is checked as it arrived. `validate` takes, beside case folders,
//! pack PDFs made by `ehcpack render` ([`pack`]) and `.zip` archives of case folders
//! ([`archive`]), mixed in one batch; a folder of received files works too.
//!
//! A pack's case is checked from memory (its files handed to [`crate::check::validate_from`],
//! nothing written to disk); a zip's case folders are unpacked into a private temporary folder
//! (mode 0700, removed when the zip is done) and read by [`crate::check::validate`]. Either way
//! the same loader and rules run as for a case folder, so the findings are the folder's own. Reports show where a file came from: `ava.pdf › plan-1.yaml:12:3`,
//! `term.zip › ava/pupil.yaml:5:1` ([`INSIDE`]), never the temporary folder.
//!
//! Over the whole batch, [`run`] finds the same pupil in more than one case (`duplicate-pupil`)
//! and applies the LA's own record of receipt (`--received-from`, [`clock`]). Both need every
//! case seen before any is printed, so reports wait in an unnamed temporary file (deleted by the
//! system when closed) rather than in memory: memory holds only each case's identity keys and
//! name, a few dozen bytes a case.

pub mod archive;
pub mod by_hand;
pub mod clock;
mod lazy;
pub mod pack;
mod pdf_syntax;
pub(crate) mod sealed;

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::check::Context;
use crate::diagnostic::case_report::{CaseReport, KeyDates};
use crate::diagnostic::catalogue::{self, RuleId};
use crate::diagnostic::{Diagnostic, Severity, Verdict};
use crate::load::case::{Case, Kind};
use crate::privacy::{Redacted, RedactedReport, Redactor};

/// What separates a received file from a file inside it, in reports: `ava.pdf › pupil.yaml`.
pub use crate::diagnostic::case_report::INSIDE;

/// The bounds on reading received files. Far above any real pack or archive; each one keeps a
/// crafted file from taking the machine's memory, disk or time.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The largest pack PDF read.
    pub max_pack_bytes: u64,
    /// The most a single embedded file (or any PDF stream) may unpack to.
    pub max_embedded_bytes: usize,
    /// The most all of a pack's embedded files together may unpack to.
    pub max_pack_total: usize,
    /// The most embedded files read from a pack.
    pub max_embedded_files: usize,
    /// The most PDF objects in a pack, counted as they are built (inside object streams too).
    pub max_objects: usize,
    /// The most findings one received item lists ([`MAX_FINDINGS_PER_ITEM`]).
    pub max_findings: usize,
    /// The most bytes of findings one run keeps ([`MAX_FINDINGS_BYTES_PER_RUN`]).
    pub max_findings_bytes: usize,
    /// The most a pack's manifest may unpack to: a few hundred bytes an entry, so room for
    /// [`Limits::max_embedded_files`] entries and no more.
    pub max_manifest_bytes: usize,
    /// The largest zip archive read.
    pub max_archive_bytes: u64,
    /// The most entries in a zip archive.
    pub max_entries: usize,
    /// The most one zip entry may unpack to.
    pub max_entry_bytes: u64,
    /// The most all of an archive's entries together may unpack to.
    pub max_archive_total: u64,
    /// The largest unpacked-to-packed size ratio of a zip entry...
    pub max_ratio: u64,
    /// ...for entries larger than this (small files of repeated text compress very well).
    pub ratio_floor_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        const MB: usize = 1024 * 1024;
        Limits {
            max_pack_bytes: 256 * MB as u64,
            max_embedded_bytes: 64 * MB,
            max_pack_total: 512 * MB,
            max_embedded_files: 10_000,
            max_objects: crate::load::evidence_pdf::MAX_OBJECTS,
            max_manifest_bytes: 4 * MB,
            max_findings: MAX_FINDINGS_PER_ITEM,
            max_findings_bytes: MAX_FINDINGS_BYTES_PER_RUN,
            max_archive_bytes: 1024 * MB as u64,
            max_entries: 10_000,
            max_entry_bytes: 64 * MB as u64,
            max_archive_total: 1024 * MB as u64,
            max_ratio: 200,
            ratio_floor_bytes: MB as u64,
        }
    }
}

/// How received items are opened.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The password for encrypted packs (from `EHCPACK_PASSWORD` or `--password-env`).
    pub password: Option<String>,
    pub limits: Limits,
}

/// What a private folder's name starts with, in the temporary folder.
const PRIVATE_PREFIX: &str = ".ehcpack-received-";
/// The lock file inside a private folder, held for as long as the folder is in use.
const PRIVATE_LOCK: &str = ".ehcpack-lock";

/// A private temporary folder (0700) that a received pack or archive is unpacked into, removed
/// when dropped. While it is in use, a lock file inside it is locked (`File::try_lock`), so that
/// a folder left by a run that was killed or interrupted (Ctrl-C, a cancelled CI job) is told
/// from one in use, and removed by the next run.
pub struct PrivateDir {
    // Dropped in this order: the lock file is closed first, because Windows removes no folder
    // that holds an open file (a sweeping run that removes the folder in between does no harm:
    // it is done with).
    _lock: fs::File,
    dir: tempfile::TempDir,
}

impl PrivateDir {
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Makes a private folder, after removing any that runs which ended without removing theirs
/// left in the temporary folder (once per run).
pub fn private_dir() -> io::Result<PrivateDir> {
    static SWEPT: std::sync::Once = std::sync::Once::new();
    SWEPT.call_once(|| remove_leftovers(&std::env::temp_dir()));
    let mut builder = tempfile::Builder::new();
    builder.prefix(PRIVATE_PREFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o700));
    }
    let dir = builder.tempdir()?;
    let lock = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(dir.path().join(PRIVATE_LOCK))?;
    lock.try_lock()
        .map_err(|e| io::Error::other(format!("cannot lock the private folder: {e}")))?;
    Ok(PrivateDir { _lock: lock, dir })
}

/// Removes the private folders in `temp` whose lock no live run holds: left by a run that was
/// killed. A folder without its lock file (a run killed while making it) is removed once it is
/// an hour old. Only folders are removed, never through a link.
fn remove_leftovers(temp: &Path) {
    let Ok(entries) = fs::read_dir(temp) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        if !entry
            .file_name()
            .to_string_lossy()
            .starts_with(PRIVATE_PREFIX)
        {
            continue;
        }
        let path = entry.path();
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        if !meta.is_dir() {
            continue;
        }
        let lock = path.join(PRIVATE_LOCK);
        let older_than = |seconds: u64| {
            meta.modified()
                .ok()
                .and_then(|m| m.elapsed().ok())
                .is_some_and(|age| age > std::time::Duration::from_secs(seconds))
        };
        let abandoned = match fs::OpenOptions::new().write(true).open(&lock) {
            // A minute old at least, so that a folder another run has only just made (and
            // not yet locked) is never taken. Closed before the folder is removed (Windows
            // removes nothing that is open).
            Ok(file) => file.try_lock().is_ok() && older_than(60),
            Err(_) => older_than(3600),
        };
        if abandoned {
            let _ = fs::remove_dir_all(&path);
        }
    }
}

/// One thing given to `validate`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Item {
    /// A case folder.
    Folder(PathBuf),
    /// A pack PDF.
    Pack(PathBuf),
    /// A zip archive of one or more case folders.
    Zip(PathBuf),
    /// A path that is not checked, and why: reported as a `case-structure` error.
    Problem {
        path: PathBuf,
        message: String,
        help: String,
    },
}

impl Item {
    pub fn path(&self) -> &Path {
        match self {
            Item::Folder(p) | Item::Pack(p) | Item::Zip(p) => p,
            Item::Problem { path, .. } => path,
        }
    }

    /// A received file by its name: `.pdf` or `.zip` (any capitals).
    pub fn received_file(path: &Path) -> Option<Item> {
        let ext = path.extension()?.to_string_lossy().to_ascii_lowercase();
        match ext.as_str() {
            "pdf" => Some(Item::Pack(path.to_path_buf())),
            "zip" => Some(Item::Zip(path.to_path_buf())),
            _ => None,
        }
    }
}

/// What a path given to `validate` holds: a pack PDF, a zip archive, a case folder, or a folder
/// of any of these (searched below, not inside a case folder, not following links, not in
/// hidden folders), in path order; and whether the path held anything to check. Case folders,
/// links and stray files are found by [`crate::batch::discover`], so a path that cannot be read,
/// a link, or a stray YAML file is an [`Item::Problem`] (a `case-structure` finding) while the
/// rest of the batch is checked.
pub fn discover(path: &Path) -> (Vec<Item>, bool) {
    let meta = fs::metadata(path);
    if meta.as_ref().is_ok_and(|m| m.is_file()) {
        if let Some(item) = Item::received_file(path) {
            return (vec![item], true);
        }
    }
    let found = crate::batch::discover(path);
    let cases: BTreeSet<PathBuf> = found
        .items
        .iter()
        .filter_map(|i| match i {
            crate::batch::Item::Case(p) => Some(p.clone()),
            crate::batch::Item::Problem { .. } => None,
        })
        .collect();
    let mut received = Vec::new();
    let is_case_folder = cases.len() == 1 && cases.contains(path);
    if meta.is_ok_and(|m| m.is_dir()) && !is_case_folder {
        let mut walker = walkdir::WalkDir::new(path)
            .min_depth(1)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter();
        while let Some(entry) = walker.next() {
            let Ok(entry) = entry else { continue };
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            if entry.file_type().is_dir() {
                // A case folder's PDFs are its evidence, not received packs.
                if hidden || cases.contains(entry.path()) {
                    walker.skip_current_dir();
                }
                continue;
            }
            if hidden {
                continue;
            }
            if let Some(item) = Item::received_file(entry.path()) {
                if entry.file_type().is_file() {
                    received.push(item);
                } else {
                    // A link or a special file (a FIFO) named like a pack or an archive: said,
                    // never read and never skipped without a word.
                    received.push(Item::Problem {
                        path: entry.path().to_path_buf(),
                        message: if entry.path_is_symlink() {
                            "this is a link, not a pack or archive, so it was not checked".into()
                        } else {
                            "this is not an ordinary file (a pipe or device), so it was not \
                             checked"
                                .into()
                        },
                        help: "copy the file itself into the folder".into(),
                    });
                }
            }
        }
    }
    let readable = found.readable || !received.is_empty();
    let mut items: Vec<Item> = found
        .items
        .into_iter()
        .filter_map(|i| match i {
            crate::batch::Item::Case(p) => Some(Item::Folder(p)),
            // "holds no case folder" is no problem when it holds packs or archives.
            crate::batch::Item::Problem { path: p, .. } if p == path && !received.is_empty() => {
                None
            }
            crate::batch::Item::Problem {
                path,
                message,
                help,
            } => Some(Item::Problem {
                path,
                message,
                help,
            }),
        })
        .collect();
    items.extend(received);
    items.sort_by(|a, b| a.path().cmp(b.path()));
    (items, readable)
}

/// Who a case is about, for finding the same pupil twice in a batch.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Identity {
    /// The UPN, upper case, without spaces.
    pub upn: Option<String>,
    /// `first last|date of birth`, lower case, runs of spaces as one.
    pub name_dob: Option<String>,
    /// The pupil document and the place of the UPN, for the warning.
    pub at: Option<(PathBuf, usize, usize)>,
}

impl Identity {
    /// Read from the pupil document's own text, so that a case with errors elsewhere is still
    /// recognised.
    pub fn of(case: &Case) -> Identity {
        let Some(doc) = case
            .documents
            .iter()
            .position(|d| d.kind == Some(Kind::Pupil))
        else {
            return Identity::default();
        };
        let text = |pointer: &str| {
            case.node(doc, pointer)
                .and_then(|n| n.as_str())
                .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|s| !s.is_empty())
        };
        let upn = text("/upn").map(|u| u.replace(' ', "").to_uppercase());
        let name_dob = match (
            text("/legal_name/first"),
            text("/legal_name/last"),
            text("/date_of_birth"),
        ) {
            (Some(first), Some(last), Some(dob)) => Some(format!(
                "{} {}|{dob}",
                first.to_lowercase(),
                last.to_lowercase()
            )),
            _ => None,
        };
        let placed = case.at(doc, "/upn", Diagnostic::new(RuleId::DuplicatePupil, "", ""));
        Identity {
            upn,
            name_dob,
            at: placed
                .file
                .map(|f| (f, placed.line.unwrap_or(1), placed.column.unwrap_or(1))),
        }
    }
}

/// One case checked, with what the batch needs to know about it.
#[derive(Debug, Clone)]
pub struct Checked {
    pub report: CaseReport,
    /// The file or folder it arrived as.
    pub item: PathBuf,
    pub identity: Identity,
    /// Whether the case records its own `received_date` (which the LA's record does not replace).
    pub case_received: bool,
    /// The case's redactor, which joins the batch's.
    pub redactor: Redactor,
}

fn whole_item(path: &Path, received_as: &'static str, findings: Vec<Diagnostic>) -> CaseReport {
    let mut report = CaseReport {
        path: path.to_path_buf(),
        received_as: Some(received_as),
        verdict: Verdict::Pass,
        errors: 0,
        warnings: 0,
        dates: KeyDates::default(),
        particulars: crate::diagnostic::case_report::Particulars::default(),
        by_hand: None,
        diagnostics: findings,
    };
    report.recount();
    report
}

fn checked(mut report: CaseReport, item: &Path, case: Option<&Case>) -> Checked {
    if let Some(case) = case {
        report.particulars = crate::diagnostic::case_report::Particulars::of(case);
    }
    Checked {
        report,
        // Kept as text (lossily where the name is not UTF-8), so that the batch can set it aside.
        item: PathBuf::from(item.to_string_lossy().into_owned()),
        identity: case.map(Identity::of).unwrap_or_default(),
        case_received: case
            .and_then(|c| c.request.as_ref())
            .is_some_and(|r| r.value.received_date.is_some()),
        redactor: case.map_or_else(Redactor::none, Redactor::for_case),
    }
}

/// Checks one item: a case folder gives one case, a pack one, an archive one for each case
/// folder in it (and one for the archive itself when an entry was refused or it holds no case).
pub fn check(item: &Item, ctx: &Context, options: &Options) -> Vec<Checked> {
    let mut checked = check_uncapped(item, ctx, options);
    // A school's own folder lists every finding; what arrives from outside (a pack, a zip) is
    // untrusted and lists at most `max_findings` (the run's byte budget covers both).
    if !matches!(item, Item::Pack(_) | Item::Zip(_)) {
        return checked;
    }
    for c in &mut checked {
        let keep = options.limits.max_findings;
        cap_findings(
            &mut c.report,
            keep,
            &format!("ehcpack lists at most {keep} findings for a received item"),
        );
    }
    checked
}

/// Keeps the first `keep` findings (errors first, in their order) and puts one in place of the
/// rest saying how many there were, of which kind. The verdict stays: when a dropped finding is
/// an error, every kept one is an error too. A received item is untrusted, and nothing it holds
/// may make the report (or the memory that holds it) as large as it likes.
fn cap_findings(report: &mut CaseReport, keep: usize, why: &str) {
    if report.diagnostics.len() <= keep {
        return;
    }
    report.diagnostics.sort_by_key(|d| d.severity);
    let dropped = report.diagnostics.split_off(keep);
    let errors = dropped.iter().filter(|d| d.is_error()).count();
    let warnings = dropped.len() - errors;
    let kinds = match (errors, warnings) {
        (0, w) => format!("{w} warning{}", if w == 1 { "" } else { "s" }),
        (e, 0) => format!("{e} error{}", if e == 1 { "" } else { "s" }),
        (e, w) => format!(
            "{e} error{} and {w} warning{}",
            if e == 1 { "" } else { "s" },
            if w == 1 { "" } else { "s" }
        ),
    };
    let mut summary = Diagnostic::new(
        dropped[0].rule,
        format!("and {kinds} more, not listed: {why}"),
        "deal with the findings listed and check again, or check this item by hand: so many \
         findings usually mean a damaged or altered file",
    );
    summary.severity = dropped[0].severity;
    report.diagnostics.push(summary);
    report.recount();
}

fn check_uncapped(item: &Item, ctx: &Context, options: &Options) -> Vec<Checked> {
    match item {
        Item::Folder(path) => {
            let (case, report) = crate::check::validate(path, ctx);
            vec![checked(report.into_inner(), path, Some(&case))]
        }
        Item::Problem {
            path,
            message,
            help,
        } => vec![checked(
            crate::batch::Item::problem_report(path, message, help).into_inner(),
            path,
            None,
        )],
        Item::Pack(path) => vec![check_pack(path, ctx, options)],
        Item::Zip(path) => check_zip(path, ctx, options),
    }
}

/// Puts `extra` findings in front of the case's own (errors stay first) and recounts.
fn merge(report: &mut CaseReport, extra: Vec<Diagnostic>, redactor: &Redactor) {
    let mut all: Vec<Diagnostic> = extra
        .into_iter()
        .map(|mut d| {
            d.message = redactor.redact(&d.message).into_string();
            d.help = redactor.redact(&d.help).into_string();
            d
        })
        .collect();
    all.append(&mut report.diagnostics);
    all.sort_by_key(|d| d.severity);
    report.diagnostics = all;
    report.recount();
}

/// Removes any mention of the private folder from the findings (none is expected: findings
/// name files relative to the case), showing the received item instead.
fn hide_private(report: &mut CaseReport, dir: &Path, shown: &str) {
    let private = dir.display().to_string();
    for d in &mut report.diagnostics {
        if d.message.contains(&private) {
            d.message = d.message.replace(&private, shown);
        }
        if d.help.contains(&private) {
            d.help = d.help.replace(&private, shown);
        }
    }
}

fn check_pack(path: &Path, ctx: &Context, options: &Options) -> Checked {
    let opened = match pack::open(path, options.password.as_deref(), &options.limits) {
        Ok(o) => o,
        Err(d) => {
            // A PDF made some other way is a request all the same, for a person to read.
            let hand = d
                .message
                .starts_with(pack::NOT_A_PACK)
                .then(|| by_hand::describe(path, &options.limits));
            let mut report = whole_item(path, "pack", vec![d]);
            report.by_hand = hand;
            report.recount();
            return checked(report, path, None);
        }
    };
    let mut integrity = pack::verify(&opened);
    // An attachment missing from the pack is reported once, as the pack's fault, not again as
    // a missing evidence file.
    let missing: Vec<String> = opened
        .manifest
        .attachments
        .iter()
        .filter(|e| {
            !opened
                .files
                .contains_key(&format!("{}{}", crate::manifest::EVIDENCE_PREFIX, e.path))
        })
        .map(|e| format!("`{}`", e.path))
        .collect();
    // The case is checked from memory: nothing of a pack is written to disk.
    let files = pack::case_files(opened, &mut integrity);
    let source = crate::load::case::Source::Memory {
        shown: path,
        files: &files,
    };
    let (case, report) = crate::check::validate_from(source, ctx);
    drop(files);
    let mut report = report.into_inner();
    report
        .diagnostics
        .retain(|d| d.rule != "evidence-file" || !missing.iter().any(|m| d.message.contains(m)));
    report.path = path.to_path_buf();
    report.received_as = Some("pack");
    merge(&mut report, integrity, &Redactor::for_case(&case));
    checked(report, path, Some(&case))
}

fn check_zip(path: &Path, ctx: &Context, options: &Options) -> Vec<Checked> {
    let unpacked = match archive::unpack(path, &options.limits) {
        Ok(u) => u,
        Err(d) => return vec![checked(whole_item(path, "zip", vec![d]), path, None)],
    };
    let (cases, found) = archive::cases(&unpacked);
    let mut findings = unpacked.findings.clone();
    findings.extend(found);
    if cases.is_empty() && findings.is_empty() {
        findings.push(Diagnostic::new(
            RuleId::Archive,
            "the archive holds no case folder (a folder with .yaml files in it)",
            "ask the sender for the zipped case folder, or the pack PDF `ehcpack render` makes",
        ));
    }
    let single_top = cases.len() == 1 && cases[0].1.is_none();
    let mut out = Vec::new();
    if !findings.is_empty() && !single_top {
        out.push(checked(
            whole_item(path, "zip", std::mem::take(&mut findings)),
            path,
            None,
        ));
    }
    for (dir, rel) in cases {
        let (case, report) = crate::check::validate(&dir, ctx);
        let mut report = report.into_inner();
        report.path = match &rel {
            Some(rel) => PathBuf::from(format!("{}{INSIDE}{rel}", path.display())),
            None => path.to_path_buf(),
        };
        report.received_as = Some("zip");
        hide_private(
            &mut report,
            unpacked.dir.path(),
            &path.display().to_string(),
        );
        merge(
            &mut report,
            std::mem::take(&mut findings),
            &Redactor::for_case(&case),
        );
        out.push(checked(report, path, Some(&case)));
    }
    out
}

/// A report as it waits in the spill file.
#[derive(Serialize, Deserialize)]
struct Spilled {
    path: PathBuf,
    received_as: Option<String>,
    item: PathBuf,
    case_received: bool,
    upn: Option<String>,
    at: Option<(PathBuf, usize, usize)>,
    pupil_reference: Option<String>,
    submission_date: Option<NaiveDate>,
    guidance_date: Option<NaiveDate>,
    #[serde(default)]
    guidance_date_estimated: bool,
    received_date: Option<NaiveDate>,
    decision_due: Option<NaiveDate>,
    final_plan_due: Option<NaiveDate>,
    particulars: crate::diagnostic::case_report::Particulars,
    by_hand: Option<crate::diagnostic::case_report::ByHand>,
    diagnostics: Vec<SpilledFinding>,
}

#[derive(Serialize, Deserialize)]
struct SpilledFinding {
    rule: String,
    /// As found: a rule that is advice on this requester's request stays advice.
    #[serde(default)]
    error: Option<bool>,
    file: Option<PathBuf>,
    line: Option<usize>,
    column: Option<usize>,
    message: String,
    help: String,
    snippet: Option<String>,
}

impl Spilled {
    fn of(c: Checked) -> Spilled {
        let r = c.report;
        Spilled {
            path: r.path,
            received_as: r.received_as.map(str::to_string),
            item: c.item,
            case_received: c.case_received,
            upn: c.identity.upn,
            at: c.identity.at,
            pupil_reference: r.dates.pupil_reference,
            submission_date: r.dates.submission_date,
            guidance_date: r.dates.guidance_date,
            guidance_date_estimated: r.dates.guidance_date_estimated,
            received_date: r.dates.received_date,
            decision_due: r.dates.decision_due,
            final_plan_due: r.dates.final_plan_due,
            particulars: r.particulars,
            by_hand: r.by_hand,
            diagnostics: r
                .diagnostics
                .into_iter()
                .map(|d| SpilledFinding {
                    rule: d.rule.to_string(),
                    error: Some(d.is_error()),
                    file: d.file,
                    line: d.line,
                    column: d.column,
                    message: d.message,
                    help: d.help,
                    snippet: d.snippet,
                })
                .collect(),
        }
    }

    fn report(self, today: NaiveDate) -> CaseReport {
        let diagnostics = self
            .diagnostics
            .into_iter()
            .filter_map(|d| {
                let rule = catalogue::get(&d.rule)?;
                Some(Diagnostic {
                    rule: rule.id,
                    severity: match d.error {
                        Some(true) => Severity::Error,
                        Some(false) => Severity::Warning,
                        None => rule.severity,
                    },
                    file: d.file,
                    line: d.line,
                    column: d.column,
                    message: d.message,
                    help: d.help,
                    source: rule.source,
                    basis: rule.basis,
                    snippet: d.snippet,
                })
            })
            .collect();
        let mut report = CaseReport {
            path: self.path,
            received_as: match self.received_as.as_deref() {
                Some("pack") => Some("pack"),
                Some(_) => Some("zip"),
                None => None,
            },
            verdict: Verdict::Pass,
            errors: 0,
            warnings: 0,
            dates: KeyDates {
                pupil_reference: self.pupil_reference,
                submission_date: self.submission_date,
                guidance_date: self.guidance_date,
                guidance_date_estimated: self.guidance_date_estimated,
                received_date: self.received_date,
                decision_due: self.decision_due,
                final_plan_due: self.final_plan_due,
                overdue: None,
                next_due: None,
            }
            .with_overdue(today),
            particulars: self.particulars,
            by_hand: self.by_hand,
            diagnostics,
        };
        report.recount();
        report
    }
}

/// What the batch found beyond each case's own report, for the end of the run.
#[derive(Debug, Default)]
pub struct Notes {
    /// Pupils found in more than one case.
    pub duplicate_pupils: usize,
    /// Rows of `--received-from` that matched no case: (key, line), the key redacted.
    pub unmatched_rows: Vec<(Redacted, usize)>,
}

/// The most other cases a `duplicate-pupil` warning names.
const NAMED_OTHERS: usize = 10;

/// The most findings one received item (a pack, a case in an archive, an archive itself)
/// reports one by one; beyond them, one finding says how many more there were.
pub const MAX_FINDINGS_PER_ITEM: usize = 200;

/// The most bytes of findings (messages, help, quoted lines, file names) one run keeps; past
/// it, each further item's report is cut to its first finding and the count of the rest. A
/// batch of hostile items can then never make a report of any size.
pub const MAX_FINDINGS_BYTES_PER_RUN: usize = 32 * 1024 * 1024;

/// The bytes of a report's findings, as [`MAX_FINDINGS_BYTES_PER_RUN`] counts them.
fn findings_bytes(report: &CaseReport) -> usize {
    report
        .diagnostics
        .iter()
        .map(|d| {
            d.message.len()
                + d.help.len()
                + d.snippet.as_ref().map_or(0, String::len)
                + d.file.as_ref().map_or(0, |f| f.as_os_str().len())
                + 64
        })
        .sum()
}

/// How many items are checked in parallel at a time.
pub const CHUNK: usize = 256;

/// Checks every item (in parallel, [`CHUNK`] at a time), then hands each case's report to
/// `emit`, in order, with its `duplicate-pupil` warnings and the dates from `received_from`.
/// `tick` is called as each item is done (for a progress bar).
///
/// Each report is redacted twice: by its own case's redactor as the case is checked, and, as it
/// is handed on, by the redactor of the whole batch (every case's protected address), so that no
/// case's address shows in another case's report, in a stray file's name or in a `duplicate-pupil`
/// warning. Until then the reports wait in a [`sealed`] file.
pub fn run(
    items: &[Item],
    ctx: &Context,
    options: &Options,
    received_from: Option<&clock::ReceivedFrom>,
    tick: &(dyn Fn() + Sync),
    emit: &mut dyn FnMut(&RedactedReport) -> io::Result<()>,
) -> io::Result<Notes> {
    use rayon::prelude::*;

    let mut spill = sealed::Sealed::new()?;
    let mut batch = Redactor::none();
    let mut shown: Vec<String> = Vec::new();
    let mut keys: HashMap<String, Vec<u32>> = HashMap::new();
    // The bytes of findings kept so far in this run.
    let mut spent = 0usize;
    for chunk in items.chunks(CHUNK) {
        let done: Vec<Vec<Checked>> = chunk
            .par_iter()
            .map(|item| {
                let c = check(item, ctx, options);
                tick();
                c
            })
            .collect();
        for mut c in done.into_iter().flatten() {
            let size = findings_bytes(&c.report);
            let most = options.limits.max_findings_bytes;
            if spent.saturating_add(size) > most {
                cap_findings(
                    &mut c.report,
                    1,
                    &format!(
                        "this run's findings passed {} MB, so each further item lists its first \
                         only",
                        (most / (1024 * 1024)).max(1)
                    ),
                );
            }
            spent = spent.saturating_add(findings_bytes(&c.report));
            batch.merge(&c.redactor);
            let index = shown.len() as u32;
            shown.push(c.report.path.display().to_string());
            if let Some(upn) = &c.identity.upn {
                keys.entry(format!("upn:{upn}")).or_default().push(index);
            }
            if let Some(name) = &c.identity.name_dob {
                keys.entry(format!("name:{name}")).or_default().push(index);
            }
            serde_json::to_writer(&mut spill, &Spilled::of(c))?;
            spill.write_all(b"\n")?;
        }
    }
    // Each case that shares a key with another: the others, and on what grounds.
    let mut same: HashMap<u32, (BTreeSet<u32>, BTreeSet<&'static str>)> = HashMap::new();
    for (key, indices) in &keys {
        if indices.len() < 2 {
            continue;
        }
        let ground = if key.starts_with("upn:") {
            "the same UPN"
        } else {
            "the same legal name and date of birth"
        };
        // At most a few others are named per case, so a batch of one pupil many times over
        // stays small.
        for &i in indices {
            let entry = same.entry(i).or_default();
            for &j in indices.iter().filter(|j| **j != i) {
                if entry.0.len() > NAMED_OTHERS {
                    break;
                }
                entry.0.insert(j);
            }
            entry.1.insert(ground);
        }
    }
    let mut notes = Notes {
        duplicate_pupils: count_pupils(&same),
        ..Notes::default()
    };
    drop(keys);
    let file = spill.into_reader()?;
    let mut matched_rows = BTreeSet::new();
    for (index, line) in io::BufReader::new(file).lines().enumerate() {
        let spilled: Spilled = serde_json::from_str(&line?)?;
        let (item, case_received, upn, at) = (
            spilled.item.clone(),
            spilled.case_received,
            spilled.upn.clone(),
            spilled.at.clone(),
        );
        let mut report = spilled.report(ctx.today);
        if let (Some(table), false) = (received_from, case_received) {
            let shown_path = report.path.display().to_string();
            if let Some((date, row)) = table.date_for(&shown_path, &item, upn.as_deref()) {
                matched_rows.insert(row);
                report.dates = report
                    .dates
                    .clone()
                    .received_on(date, ctx.profile, ctx.today);
            }
        }
        // The clock runs from receipt even for a request ehcpack could not read (a PDF that is
        // not a pack, a broken archive, a case without its request document).
        if let (None, Some(received)) = (report.dates.received_date, ctx.received) {
            report.dates = report
                .dates
                .clone()
                .received_on(received, ctx.profile, ctx.today);
        }
        if let Some((others, grounds)) = same.get(&(index as u32)) {
            let names: Vec<&str> = others
                .iter()
                .take(NAMED_OTHERS)
                .map(|j| shown[*j as usize].as_str())
                .collect();
            let more = others.len() > NAMED_OTHERS;
            let mut d = Diagnostic::new(
                RuleId::DuplicatePupil,
                format!(
                    "the same pupil ({}) is also in {}{}",
                    grounds.iter().copied().collect::<Vec<_>>().join("; "),
                    names.join(", "),
                    if more { " and others" } else { "" }
                ),
                "compare the cases: deal with the request once, keep the later or more complete \
                 one, and keep the first date of receipt",
            );
            if let Some((file, line, column)) = at {
                d = d.in_file(file).at(line, column);
            }
            report.diagnostics.push(d);
            report.recount();
        }
        emit(&batch.report(report))?;
    }
    if let Some(table) = received_from {
        notes.unmatched_rows = table
            .rows()
            .filter(|(_, line)| !matched_rows.contains(line))
            .map(|(k, l)| (batch.redact(k), l))
            .collect();
        notes.unmatched_rows.sort_by_key(|(_, l)| *l);
    }
    Ok(notes)
}

/// How many distinct pupils the duplicate groups are (connected groups of cases).
fn count_pupils(same: &HashMap<u32, (BTreeSet<u32>, BTreeSet<&'static str>)>) -> usize {
    let mut seen = BTreeSet::new();
    let mut groups = 0;
    for &start in same.keys() {
        if !seen.insert(start) {
            continue;
        }
        groups += 1;
        let mut stack = vec![start];
        while let Some(i) = stack.pop() {
            if let Some((others, _)) = same.get(&i) {
                for &j in others {
                    if seen.insert(j) {
                        stack.push(j);
                    }
                }
            }
        }
    }
    groups
}
