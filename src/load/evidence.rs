//! Evidence files, read once when the case is loaded: where each is (never outside the case
//! folder), its size against the cap, its SHA-256 and, for a PDF, what [`crate::load::evidence_pdf`]
//! finds. Rules and render read these facts and never read the file again to check it.

use std::fs;
use std::path::{Component, Path};

use crate::load::limits::MAX_EVIDENCE_BYTES;
use crate::load::source::{find, Files, Found, Source};
use crate::read::ReadError;

/// Finds parts of a pupil's protected address in text. The redactor (`privacy`) implements it,
/// so loading reads an evidence PDF for the address without depending on privacy, which is
/// built from what loading read.
pub trait AddressFinder {
    /// The parts of the address ("the postcode", "an address line") found in `text`.
    fn parts_in(&self, text: &str) -> Vec<&'static str>;
}

/// What reading one evidence file found, once, when the case is loaded: the rules and render
/// use this and never read the file again to check it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceFacts {
    /// The path as the case gives it (relative to the case folder).
    pub path: String,
    /// The file's size in bytes (0 when it could not be read).
    pub bytes: u64,
    /// Lower-case hex SHA-256 of the file (empty when it could not be read).
    pub sha256: String,
    /// For a PDF that reads within the limits (`evidence_pdf`): its number of pages.
    pub pdf_pages: Option<usize>,
    /// Why the file cannot be used, if it cannot: the `evidence-file` finding's message and
    /// help.
    pub problem: Option<(String, String)>,
    /// For a PDF of a case whose address is protected: whether its text or metadata holds it.
    pub address: AddressScan,
}

/// What reading an evidence PDF for the pupil's protected address found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AddressScan {
    /// Not read for it (no protected address, not a PDF, or a PDF that cannot be used).
    #[default]
    NotScanned,
    /// Read through: no part of the address.
    Clear,
    /// Parts of the address ("the postcode"), and where ("its text", "its metadata").
    Found {
        parts: Vec<&'static str>,
        place: &'static str,
    },
    /// Part of it could not be read (why, as the end of a sentence about the file).
    Unread(String),
}

/// Whether a PDF's text holds the protected address: each page and each piece of metadata,
/// in overlapping windows so that memory stays small however long a piece is.
fn scan_pdf_text(
    redactor: &dyn AddressFinder,
    text: &crate::load::evidence_pdf::PdfText,
) -> AddressScan {
    const WINDOW: usize = 64 * 1024;
    const OVERLAP: usize = 1024;
    let parts_in = |pieces: &[String]| -> Vec<&'static str> {
        let mut parts: Vec<&'static str> = Vec::new();
        for piece in pieces {
            let mut start = 0;
            while start < piece.len() {
                let mut end = (start + WINDOW).min(piece.len());
                while !piece.is_char_boundary(end) {
                    end += 1;
                }
                for part in redactor.parts_in(&piece[start..end]) {
                    if !parts.contains(&part) {
                        parts.push(part);
                    }
                }
                if end == piece.len() {
                    break;
                }
                start = end - OVERLAP;
                while !piece.is_char_boundary(start) {
                    start += 1;
                }
            }
        }
        parts
    };
    let in_text = parts_in(&text.pages);
    let in_metadata = parts_in(&text.metadata);
    let place = match (in_text.is_empty(), in_metadata.is_empty()) {
        (false, false) => "its text and its metadata",
        (false, true) => "its text",
        (true, false) => {
            "its metadata (title, outline, annotations, form fields or attached files' names)"
        }
        (true, true) => {
            return match &text.unread {
                Some(why) => AddressScan::Unread(why.clone()),
                None => AddressScan::Clear,
            }
        }
    };
    let mut parts = in_text;
    for part in in_metadata {
        if !parts.contains(&part) {
            parts.push(part);
        }
    }
    AddressScan::Found { parts, place }
}

impl EvidenceFacts {
    /// Whether the file is named as a PDF (only these are attached).
    pub fn is_pdf(&self) -> bool {
        is_pdf_name(&self.path)
    }

    /// Whether render attaches it: a PDF that read within the limits, and whose text and
    /// metadata do not hold the protected address.
    pub fn attachable(&self) -> bool {
        self.problem.is_none() && self.pdf_pages.is_some() && !self.carries_address()
    }

    /// Whether its text or metadata holds the protected address: such a file is never put in a
    /// pack, not even a draft's.
    pub fn carries_address(&self) -> bool {
        matches!(self.address, AddressScan::Found { .. })
    }
}

fn is_pdf_name(path: &str) -> bool {
    Path::new(path)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
}

/// Reads one evidence file once: where it is (no leaving the case folder), its size against
/// [`MAX_EVIDENCE_BYTES`], its SHA-256 (streamed, in constant memory, for any file not named
/// .pdf) and, for a PDF, what `evidence_pdf::inspect` finds.
pub fn read_evidence(root: &Path, path: &str) -> EvidenceFacts {
    read_evidence_for(root, path, None)
}

/// As [`read_evidence`], and a PDF read for the protected address `redactor` holds.
pub fn read_evidence_for(
    root: &Path,
    path: &str,
    redactor: Option<&dyn AddressFinder>,
) -> EvidenceFacts {
    read_evidence_from(
        Source::Folder {
            root,
            overrides: &[],
        },
        path,
        redactor,
    )
}

/// As [`read_evidence_for`], from a case's folder or its files in memory (a received pack's),
/// with the same facts and findings for the same files.
pub fn read_evidence_from(
    source: Source,
    path: &str,
    redactor: Option<&dyn AddressFinder>,
) -> EvidenceFacts {
    let (problem, looked) = match source {
        Source::Folder { root, .. } => evidence_problem_looked_at(root, path),
        Source::Memory { files, .. } => (memory_problem(files, path), None),
    };
    let mut facts = EvidenceFacts {
        path: path.to_string(),
        bytes: 0,
        sha256: String::new(),
        pdf_pages: None,
        problem,
        address: AddressScan::NotScanned,
    };
    if facts.problem.is_some() {
        return facts;
    }
    let unreadable = |e: ReadError| {
        match e {
        ReadError::TooLarge { size, cap } => (
            format!(
                "the evidence file `{path}` is {}; an evidence file may be at most {}",
                crate::read::size_text(size),
                crate::read::size_text(cap)
            ),
            "make the file smaller (scan at 150 to 200 dpi, in greyscale, or export it again              as a PDF), or split it into parts and list each one"
                .to_string(),
        ),
        e => (
            format!("the evidence file `{path}` cannot be read: {e}"),
            "check that the file exists, is an ordinary file, and you may read it".to_string(),
        ),
    }
    };
    let in_memory = match source {
        Source::Folder { .. } => None,
        Source::Memory { files, .. } => match find(files, path) {
            Found::File(bytes) if bytes.len() as u64 > MAX_EVIDENCE_BYTES => {
                Some(Err(ReadError::TooLarge {
                    size: bytes.len() as u64,
                    cap: MAX_EVIDENCE_BYTES,
                }))
            }
            Found::File(bytes) => Some(Ok(bytes)),
            Found::Folder => Some(Err(ReadError::NotAFile)),
            Found::Missing => Some(Err(ReadError::NotFound)),
        },
    };
    let full = source.root().join(path);
    if is_pdf_name(path) {
        let read = match in_memory {
            Some(bytes) => bytes.map(std::borrow::Cow::Borrowed),
            None => match &looked {
                Some(meta) => crate::read::read_capped_looked_at(&full, MAX_EVIDENCE_BYTES, meta),
                None => crate::read::read_capped(&full, MAX_EVIDENCE_BYTES),
            }
            .map(std::borrow::Cow::Owned),
        };
        match read {
            Ok(bytes) => {
                facts.bytes = bytes.len() as u64;
                facts.sha256 = crate::manifest::sha256_hex(&bytes);
                let read = match redactor {
                    Some(redactor) => crate::load::evidence_pdf::inspect_with_text(&bytes)
                        .map(|(pdf, text)| (pdf, Some(scan_pdf_text(redactor, &text)))),
                    None => crate::load::evidence_pdf::inspect(&bytes).map(|pdf| (pdf, None)),
                };
                match read {
                    Ok((pdf, scan)) => {
                        facts.pdf_pages = Some(pdf.pages);
                        facts.address = scan.unwrap_or_default();
                    }
                    Err(reason) => {
                        facts.problem = Some((
                            format!("the evidence file `{path}` {reason}"),
                            "save or export the report as a PDF again (for example with                              \"Print to PDF\"), and check that it opens"
                                .into(),
                        ))
                    }
                }
            }
            Err(e) => facts.problem = Some(unreadable(e)),
        }
    } else {
        use sha2::Digest;
        let mut hasher = sha2::Sha256::new();
        let hashed = match in_memory {
            Some(bytes) => bytes.map(|b| {
                hasher.update(b);
                b.len() as u64
            }),
            None => {
                crate::read::stream_capped(&full, MAX_EVIDENCE_BYTES, |block| hasher.update(block))
            }
        };
        match hashed {
            Ok(n) => {
                facts.bytes = n;
                facts.sha256 = hasher
                    .finalize()
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
            }
            Err(e) => facts.problem = Some(unreadable(e)),
        }
    }
    facts
}

/// The help for a path written with `\`, before the path spelt with `/`.
pub(crate) const PORTABLE_HELP: &str = "write it with `/`, which works on every computer";

/// How an evidence path is wrong among files in memory, as [`evidence_problem`] says it of the
/// same files in a folder (no link can be among them).
fn memory_problem(files: &Files, path: &str) -> Option<(String, String)> {
    if let Some(problem) = path_problem(path) {
        return Some(problem);
    }
    match find(files, path) {
        Found::File(_) => None,
        Found::Missing => Some((
            format!("the evidence file `{path}` is not in the case folder"),
            "check the spelling of the path (capital letters count) or add the file".into(),
        )),
        Found::Folder => Some((
            format!("the evidence path `{path}` is not an ordinary file"),
            "name the file itself, not a folder or a special file".into(),
        )),
    }
}

/// How an evidence path is wrong by its spelling alone: absolute, with `\\`, or leaving the
/// case folder with `..`.
fn path_problem(path: &str) -> Option<(String, String)> {
    let rel = Path::new(path);
    // Absolute on any system: `/...`, `\\server\...`, or a Windows drive such as `C:`.
    let drive =
        path.len() >= 2 && path.as_bytes()[0].is_ascii_alphabetic() && path.as_bytes()[1] == b':';
    if rel.is_absolute() || path.starts_with('/') || path.starts_with('\\') || drive {
        return Some((
            format!("the evidence path `{path}` is not inside the case folder"),
            "give the path relative to the case folder, e.g. reports/salt-report.pdf, and copy \
             the file into the folder"
                .into(),
        ));
    }
    // `\` separates folders only on Windows: a case folder written there must still check and
    // render the same on the LA's computers, so every path is written with `/`.
    if path.contains('\\') {
        return Some((
            format!("the evidence path `{path}` separates folders with `\\`"),
            format!("{PORTABLE_HELP}: {}", path.replace('\\', "/")),
        ));
    }
    if rel.components().any(|c| matches!(c, Component::ParentDir)) {
        return Some((
            format!("the evidence path `{path}` uses `..` to leave the case folder"),
            "copy the file into the case folder (for example into reports/) and give that path"
                .into(),
        ));
    }
    None
}

/// How an evidence path is wrong, if it is.
pub fn evidence_problem(root: &Path, path: &str) -> Option<(String, String)> {
    evidence_problem_looked_at(root, path).0
}

/// As [`evidence_problem`], and the file's own metadata when every step of the path inside the
/// case folder was looked at and none is a link: then the path is inside the folder as written,
/// and the two calls that resolve every part of both paths (`canonicalize`) are not needed.
fn evidence_problem_looked_at(
    root: &Path,
    path: &str,
) -> (Option<(String, String)>, Option<fs::Metadata>) {
    if let Some(problem) = path_problem(path) {
        return (Some(problem), None);
    }
    if let Some(meta) = plain_steps(root, path) {
        let problem = (!meta.is_file()).then(|| not_a_file(path));
        return (problem, Some(meta));
    }
    (evidence_problem_resolved(root, path), None)
}

/// The metadata of `root/path` when each step below `root` exists and none is a link.
fn plain_steps(root: &Path, path: &str) -> Option<fs::Metadata> {
    // `reports/a.pdf/` names a folder, which the parts below would not show.
    if path.ends_with('/') || path.ends_with("/.") {
        return None;
    }
    let mut at = root.to_path_buf();
    let mut last = None;
    for part in Path::new(path).components() {
        match part {
            Component::Normal(p) => at.push(p),
            Component::CurDir => continue,
            _ => return None,
        }
        let meta = fs::symlink_metadata(&at).ok()?;
        if meta.file_type().is_symlink() {
            return None;
        }
        last = Some(meta);
    }
    last
}

fn not_a_file(path: &str) -> (String, String) {
    (
        format!("the evidence path `{path}` is not an ordinary file"),
        "name the file itself, not a folder or a special file".into(),
    )
}

/// [`evidence_problem`] the long way, for a path through a link or one that is not there.
fn evidence_problem_resolved(root: &Path, path: &str) -> Option<(String, String)> {
    let full = root.join(path);
    // Every step must be a real folder or file inside the case, not a link out of it.
    let canonical_root = fs::canonicalize(root).ok()?;
    match fs::canonicalize(&full) {
        Err(_) => {
            return Some((
                format!("the evidence file `{path}` is not in the case folder"),
                "check the spelling of the path (capital letters count) or add the file".into(),
            ))
        }
        Ok(target) if !target.starts_with(&canonical_root) => {
            return Some((
                format!(
                    "the evidence file `{path}` is a link to somewhere outside the case folder"
                ),
                "copy the file into the case folder instead of linking to it".into(),
            ))
        }
        Ok(_) => {}
    }
    let meta = fs::metadata(&full).ok()?;
    if !meta.is_file() {
        return Some(not_a_file(path));
    }
    // What is in the file (its size, whether a PDF reads) is case::read_evidence's part.
    None
}

#[cfg(test)]
mod tests {
    use super::evidence_problem;

    #[test]
    fn absolute_and_escaping_paths_are_refused_but_a_colon_in_a_name_is_not() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("reports")).unwrap();
        std::fs::write(dir.path().join("reports/SALT: 2025.txt"), "report").unwrap();
        assert_eq!(evidence_problem(dir.path(), "reports/SALT: 2025.txt"), None);
        for bad in [
            "/etc/passwd",
            "C:\\reports\\a.pdf",
            "c:/a.pdf",
            "\\\\server\\a.pdf",
            "../a.pdf",
            "reports/../../a.pdf",
        ] {
            assert!(evidence_problem(dir.path(), bad).is_some(), "{bad}");
        }
    }

    /// A path written on Windows with `\` checks the same on every computer: refused, with the
    /// `/` spelling to use instead, even where the file is there.
    #[test]
    fn a_windows_separator_is_refused_with_the_portable_spelling() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("reports")).unwrap();
        std::fs::write(dir.path().join("reports/salt.pdf"), "%PDF-1.4").unwrap();
        assert_eq!(evidence_problem(dir.path(), "reports/salt.pdf"), None);
        let (message, help) = evidence_problem(dir.path(), "reports\\salt.pdf").unwrap();
        assert!(message.contains("separates folders with `\\`"), "{message}");
        assert!(help.ends_with("reports/salt.pdf"), "{help}");
    }

    /// The quick look (each step, no link) and the long one (`canonicalize`) agree: a file
    /// asked for as a folder, a folder, a missing file, and on Unix links in and out.
    #[test]
    fn the_quick_look_finds_what_resolving_the_path_finds() {
        use super::evidence_problem_resolved;
        let dir = tempfile::tempdir().unwrap();
        let case = dir.path().join("case");
        std::fs::create_dir_all(case.join("reports")).unwrap();
        std::fs::write(case.join("reports/salt.pdf"), "%PDF-1.4").unwrap();
        std::fs::write(dir.path().join("outside.pdf"), "%PDF-1.4").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("salt.pdf", case.join("reports/in.pdf")).unwrap();
            std::os::unix::fs::symlink("../../outside.pdf", case.join("reports/out.pdf")).unwrap();
            std::os::unix::fs::symlink("..", case.join("reports/up")).unwrap();
        }
        for path in [
            "reports/salt.pdf",
            "./reports/salt.pdf",
            "reports//salt.pdf",
            "reports/salt.pdf/",
            "reports/salt.pdf/.",
            "reports",
            "reports/",
            "reports/missing.pdf",
            "missing/salt.pdf",
            "reports/in.pdf",
            "reports/out.pdf",
            "reports/up/reports/salt.pdf",
            ".",
            "",
        ] {
            assert_eq!(
                evidence_problem(&case, path),
                evidence_problem_resolved(&case, path),
                "{path}"
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Any file in sub-folders of the case: found when written with `/`, and refused with
        /// that spelling offered when written with `\`, on every system alike.
        #[test]
        fn a_path_checks_the_same_on_every_system(
            folders in proptest::collection::vec("[a-z0-9][a-z0-9 _-]{0,7}", 1..4),
            file in "[a-z0-9]{1,8}\\.txt",
        ) {
            let dir = tempfile::tempdir().unwrap();
            let folder = folders.iter().fold(dir.path().to_path_buf(), |p, f| p.join(f));
            std::fs::create_dir_all(&folder).unwrap();
            std::fs::write(folder.join(&file), "report").unwrap();
            let portable = format!("{}/{file}", folders.join("/"));
            proptest::prop_assert_eq!(evidence_problem(dir.path(), &portable), None);
            let windows = portable.replace('/', "\\");
            let (_, help) = evidence_problem(dir.path(), &windows).expect("refused");
            proptest::prop_assert!(help.ends_with(&portable), "{}", help);
        }
    }
}
