//! Unpacking a received `.zip` of case folders, as untrusted input, into a private temporary
//! folder (mode 0700, removed when dropped).
//!
//! Before a byte of an entry is read: its name must be a plain relative path (no zip slip), it
//! must not be a symbolic link or encrypted, it must be stored or deflated, and its size, the
//! archive's running total and its compression ratio must be within [`Limits`]. The number of
//! entries is read from the archive's end record before the central directory is loaded. While
//! reading, an entry may not unpack to more than it declares, and its checksum must match. Each
//! violation is an `archive` finding placed at the entry; the entry is skipped and the rest of
//! the archive is unpacked.

use std::collections::HashSet;
use std::fs;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::Limits;
use crate::batch::discover::Item;
use crate::diagnostic::catalogue::RuleId;
use crate::diagnostic::Diagnostic;
use crate::manifest::is_safe_relative_path;

/// An archive unpacked into a private folder, and the findings about entries left out.
pub struct Unpacked {
    pub dir: super::PrivateDir,
    pub findings: Vec<Diagnostic>,
}

fn finding(message: impl Into<String>, help: impl Into<String>) -> Diagnostic {
    Diagnostic::new(RuleId::Archive, message, help)
}

fn skip(d: Diagnostic) -> Stop {
    Stop::Skip(Box::new(d))
}

const RESEND: &str = "ask the sender for the case folder zipped again with an ordinary tool, or \
                      for the PDF pack `ehcpack render` makes";

/// Unpacks the archive at `path`. `Err` is a finding about the archive as a whole (it cannot be
/// opened at all, or has too many entries).
#[allow(clippy::result_large_err)]
pub fn unpack(path: &Path, limits: &Limits) -> Result<Unpacked, Diagnostic> {
    let (mut file, _) = crate::read::open_file(path).map_err(|e| {
        finding(
            format!("the archive cannot be read: {e}"),
            "check the file exists and you may read it",
        )
    })?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len > limits.max_archive_bytes {
        return Err(finding(
            format!(
                "the archive is {:.0} MB; ehcpack reads archives of at most {} MB",
                len as f64 / 1_048_576.0,
                limits.max_archive_bytes / 1_048_576
            ),
            RESEND,
        ));
    }
    let declared = declared_entries(&mut file);
    match declared {
        Some(n) if n > limits.max_entries as u64 => {
            return Err(finding(
                format!(
                    "the archive has {n} entries; ehcpack reads archives of at most {} entries",
                    limits.max_entries
                ),
                RESEND,
            ))
        }
        Some(_) => {}
        None => {
            return Err(finding(
                "this file is not a zip archive, or it is cut short (its end record is missing)",
                RESEND,
            ))
        }
    }
    let _ = file.seek(SeekFrom::Start(0));
    let mut archive = zip::ZipArchive::new(io::BufReader::new(file))
        .map_err(|e| finding(format!("the archive cannot be opened: {e}"), RESEND))?;
    if archive.len() > limits.max_entries {
        return Err(finding(
            format!(
                "the archive has {} entries; ehcpack reads archives of at most {}",
                archive.len(),
                limits.max_entries
            ),
            RESEND,
        ));
    }
    let dir = super::private_dir().map_err(|e| {
        finding(
            format!("no private temporary folder could be made to unpack the archive: {e}"),
            "check the temporary folder (TMPDIR) has room and may be written",
        )
    })?;
    let mut findings = Vec::new();
    // The zip reader keeps one entry per name (the last): two entries under one name are told
    // by the count the archive itself declares. Which of them an unzip tool gives differs, so it
    // is an error, never a silent choice.
    if let Some(n) = declared.filter(|n| *n > archive.len() as u64) {
        findings.push(finding(
            format!(
                "the archive lists {} more {} under a name it already uses (two files with one \
                 name); only the last of each was read, and other tools may unpack the other",
                n - archive.len() as u64,
                if n - archive.len() as u64 == 1 {
                    "entry"
                } else {
                    "entries"
                },
            ),
            RESEND,
        ));
    }
    let mut total: u64 = 0;
    let mut names = HashSet::new();
    for i in 0..archive.len() {
        match unpack_entry(&mut archive, i, dir.path(), limits, &mut total, &mut names) {
            Ok(()) => {}
            Err(Stop::Skip(d)) => findings.push(*d),
            Err(Stop::All(d)) => {
                findings.push(*d);
                break;
            }
        }
    }
    Ok(Unpacked { dir, findings })
}

enum Stop {
    /// This entry was left out.
    Skip(Box<Diagnostic>),
    /// Nothing more is unpacked.
    All(Box<Diagnostic>),
}

/// How an entry's name is shown: control characters escaped, so a crafted name cannot drive the
/// terminal.
fn shown(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

fn unpack_entry<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    index: usize,
    root: &Path,
    limits: &Limits,
    total: &mut u64,
    names: &mut HashSet<String>,
) -> Result<(), Stop> {
    let (name, is_dir, size, compressed) = {
        let entry = archive.by_index_raw(index).map_err(|e| {
            skip(finding(
                format!("entry {} of the archive cannot be read: {e}", index + 1),
                RESEND,
            ))
        })?;
        let name = entry.name().to_string();
        let at = |d: Diagnostic| skip(d.in_file(shown(&name)));
        let trimmed = name.trim_end_matches('/');
        if !is_safe_relative_path(trimmed) {
            let escapes = trimmed.starts_with('/')
                || trimmed.starts_with('\\')
                || trimmed.split(['/', '\\']).any(|p| p == "..")
                || matches!(trimmed.as_bytes(), [d, b':', ..] if d.is_ascii_alphabetic());
            return Err(at(finding(
                if escapes {
                    "this entry's name leads outside the archive (zip slip), so it was not unpacked"
                        .to_string()
                } else {
                    "this entry's name is not a plain file name (a backslash, a control \
                     character, an empty or over-long part), so it was not unpacked"
                        .to_string()
                },
                RESEND,
            )));
        }
        if entry.is_symlink() {
            return Err(at(finding(
                "this entry is a symbolic link; links are never followed, so it was not unpacked",
                "put the file itself in the case folder, not a link to it, and zip it again",
            )));
        }
        if entry.encrypted() {
            return Err(at(finding(
                "this entry is encrypted; ehcpack does not open password-protected zip entries",
                "send the pack PDF protected with `ehcpack render --encrypt` instead, or the \
                 archive without a zip password",
            )));
        }
        if !matches!(
            entry.compression(),
            zip::CompressionMethod::Stored | zip::CompressionMethod::Deflated
        ) {
            return Err(at(finding(
                format!(
                    "this entry is compressed with {}; ehcpack reads stored and deflated entries only",
                    entry.compression()
                ),
                RESEND,
            )));
        }
        (
            name.clone(),
            entry.is_dir(),
            entry.size(),
            entry.compressed_size(),
        )
    };
    let at = |d: Diagnostic| d.in_file(shown(&name));
    let trimmed = name.trim_end_matches('/').to_string();
    if !names.insert(trimmed.clone()) {
        return Err(skip(at(finding(
            "the archive has two entries with this name; the second was not unpacked",
            RESEND,
        ))));
    }
    let target = root.join(&trimmed);
    if is_dir {
        return fs::create_dir_all(&target).map_err(|e| {
            skip(at(finding(
                match e.kind() {
                    io::ErrorKind::AlreadyExists | io::ErrorKind::NotADirectory => {
                        "this folder was not unpacked: the archive has a file and a folder of \
                         the same name"
                            .to_string()
                    }
                    _ => format!("this folder could not be unpacked: {e}"),
                },
                RESEND,
            )))
        });
    }
    if size > limits.max_entry_bytes {
        return Err(skip(at(finding(
            format!(
                "this entry unpacks to {:.0} MB; ehcpack unpacks files of at most {} MB",
                size as f64 / 1_048_576.0,
                limits.max_entry_bytes / 1_048_576
            ),
            RESEND,
        ))));
    }
    if size > limits.ratio_floor_bytes && size / compressed.max(1) > limits.max_ratio {
        return Err(skip(at(finding(
            format!(
                "this entry unpacks to {} times its packed size ({size} bytes from {compressed}): \
                 a zip bomb, so it was not unpacked",
                size / compressed.max(1)
            ),
            RESEND,
        ))));
    }
    if total.saturating_add(size) > limits.max_archive_total {
        return Err(Stop::All(Box::new(at(finding(
            format!(
                "the archive unpacks to more than {} MB; this entry and the rest were not unpacked",
                limits.max_archive_total / 1_048_576
            ),
            RESEND,
        )))));
    }
    *total += size;
    let fail = |what: String| skip(at(finding(what, RESEND)));
    let unpack_error = |e: io::Error| match e.kind() {
        io::ErrorKind::AlreadyExists | io::ErrorKind::NotADirectory => fail(
            "this entry was not unpacked: the archive has a file and a folder of the same name"
                .into(),
        ),
        _ => fail(format!("this entry could not be unpacked: {e}")),
    };
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent).map_err(unpack_error)?;
    }
    let entry = archive
        .by_index(index)
        .map_err(|e| fail(format!("this entry cannot be read: {e}")))?;
    let mut out = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&target)
        .map_err(unpack_error)?;
    let copied = io::copy(&mut entry.take(size + 1), &mut out);
    drop(out);
    match copied {
        Ok(n) if n > size => {
            let _ = fs::remove_file(&target);
            Err(fail(format!(
                "this entry unpacks to more than the {size} bytes the archive says; it was not \
                 unpacked"
            )))
        }
        Ok(_) => Ok(()),
        Err(e) => {
            let _ = fs::remove_file(&target);
            Err(fail(format!("this entry is damaged: {e}")))
        }
    }
}

/// The number of entries the archive's end record declares (zip64 too), read before the
/// central directory is, so that a crafted count cannot make the reader allocate for millions.
/// `None` when there is no end record.
fn declared_entries<F: Read + Seek>(file: &mut F) -> Option<u64> {
    let len = file.seek(SeekFrom::End(0)).ok()?;
    let tail_len = len.min(22 + 65_535 + 20);
    file.seek(SeekFrom::Start(len - tail_len)).ok()?;
    let mut tail = vec![0u8; tail_len as usize];
    file.read_exact(&mut tail).ok()?;
    let eocd = tail
        .windows(4)
        .rposition(|w| w == [0x50, 0x4b, 0x05, 0x06])?;
    let record = tail.get(eocd..eocd + 22)?;
    let count = u16::from_le_bytes([record[10], record[11]]);
    if count != 0xFFFF {
        return Some(u64::from(count));
    }
    // Zip64: the locator sits just before the end record and gives the zip64 end record's place.
    let locator = tail.get(eocd.checked_sub(20)?..eocd)?;
    if locator[..4] != [0x50, 0x4b, 0x06, 0x07] {
        return Some(u64::from(count));
    }
    let offset = u64::from_le_bytes(locator[8..16].try_into().ok()?);
    file.seek(SeekFrom::Start(offset)).ok()?;
    let mut record = [0u8; 56];
    file.read_exact(&mut record).ok()?;
    if record[..4] != [0x50, 0x4b, 0x06, 0x06] {
        return None;
    }
    Some(u64::from_le_bytes(record[32..40].try_into().ok()?))
}

/// The case folders inside an unpacked archive, with the name each is shown by: the archive's own
/// name for files at the top level, else `archive › folder`.
///
/// The archive is read as a folder given to `validate` is ([`crate::batch::discover`]): a
/// YAML file beside the case folders is a finding of its own, never a reason to read the whole
/// archive as one case; and a pack or an archive inside the archive (outside any case folder)
/// is a finding, not checked: the LA asks for it on its own. Returns the case folders and the
/// findings, each at its entry.
pub fn cases(unpacked: &Unpacked) -> (Vec<(PathBuf, Option<String>)>, Vec<Diagnostic>) {
    let root = unpacked.dir.path();
    let relative = |path: &Path| {
        path.strip_prefix(root)
            .ok()
            .filter(|r| !r.as_os_str().is_empty())
            .map(|r| r.to_string_lossy().replace('\\', "/"))
    };
    let (items, _) = crate::batch::discover::discover(root);
    let mut cases = Vec::new();
    let mut findings = Vec::new();
    for item in items {
        match item {
            Item::Folder(dir) => {
                let rel = relative(&dir);
                cases.push((dir, rel));
            }
            Item::Pack(path) | Item::Zip(path) => {
                let mut d = finding(
                    "a pack or an archive inside the archive is not checked",
                    "ask the sender for it on its own (or unpack this archive and check the \
                     folder), so that nothing inside is missed",
                );
                if let Some(rel) = relative(&path) {
                    d = d.in_file(rel);
                }
                findings.push(d);
            }
            Item::Problem {
                path,
                message,
                help,
            } => {
                // "holds no case folder" is said once, by the caller, for the whole archive.
                let Some(rel) = relative(&path) else { continue };
                findings.push(finding(message, help).in_file(rel));
            }
        }
    }
    (cases, findings)
}
