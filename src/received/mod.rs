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
//! Finding received files among the PATHs, checking them in parallel and ordering the reports
//! is the batch's job ([`crate::batch`]); this module opens one pack or one archive
//! ([`check_pack`], [`check_zip`]), within its [`Limits`], and records when a request was
//! received ([`clock`]).

pub(crate) mod archive;
pub(crate) mod big_stack;
pub(crate) mod by_hand;
pub mod clock;
mod inflate;
mod lazy;
pub mod pack;
mod pdf_syntax;
pub(crate) mod sealed;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::check::Context;
use crate::diagnostic::case_report::{CaseReport, KeyDates};
use crate::diagnostic::catalogue::RuleId;
use crate::diagnostic::{Diagnostic, Verdict};
use crate::load::case::Case;
use crate::privacy::Redactor;

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

/// The most findings one received item (a pack, a case in an archive, an archive itself)
/// reports one by one; beyond them, one finding says how many more there were.
pub const MAX_FINDINGS_PER_ITEM: usize = 200;

/// The most bytes of findings (messages, help, quoted lines, file names) one run keeps; past
/// it, each further item's report is cut to its first finding and the count of the rest. A
/// batch of hostile items can then never make a report of any size.
pub const MAX_FINDINGS_BYTES_PER_RUN: usize = 32 * 1024 * 1024;

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

/// A received case as checked: its report; the case as read (none when nothing could be read
/// from the pack or archive), from which the batch takes the pupil's identity; and the case's
/// redactor, built once for the check and handed on, so that the batch, which keeps it to
/// withhold the address from every other report, need not build it again.
pub type Received = (CaseReport, Option<Case>, Option<Redactor>);

/// Checks a pack PDF: its integrity, and the case embedded in it, read from memory.
pub fn check_pack(path: &Path, ctx: &Context, options: &Options) -> Received {
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
            return (report, None, None);
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
    let (case, report, redactor) = crate::check::validate_keeping_redactor(source, ctx);
    drop(files);
    let mut report = report.into_inner();
    report
        .diagnostics
        .retain(|d| d.rule != "evidence-file" || !missing.iter().any(|m| d.message.contains(m)));
    report.path = path.to_path_buf();
    report.received_as = Some("pack");
    merge(&mut report, integrity, &redactor);
    (report, Some(case), Some(redactor))
}

/// Checks a zip archive: one report for each case folder in it, and one for the archive itself
/// when an entry was refused or it holds no case.
pub fn check_zip(path: &Path, ctx: &Context, options: &Options) -> Vec<Received> {
    let unpacked = match archive::unpack(path, &options.limits) {
        Ok(u) => u,
        Err(d) => return vec![(whole_item(path, "zip", vec![d]), None, None)],
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
        out.push((
            whole_item(path, "zip", std::mem::take(&mut findings)),
            None,
            None,
        ));
    }
    for (dir, rel) in cases {
        let source = crate::load::case::Source::Folder {
            root: &dir,
            overrides: &[],
        };
        let (case, report, redactor) = crate::check::validate_keeping_redactor(source, ctx);
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
        merge(&mut report, std::mem::take(&mut findings), &redactor);
        out.push((report, Some(case), Some(redactor)));
    }
    out
}
