//! A case folder: finding its documents, reading them safely, and building the typed case.
//!
//! The pipeline for one folder is straight: read each YAML file (with its limits), parse it with
//! positions, check the folder's structure, check each document against its schema, and only
//! when all of that is clean, build the typed model the Durham rules read.

use std::fs;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use crate::diagnostic::catalogue::RuleId;
use crate::diagnostic::Diagnostic;
use crate::load::model::*;
use crate::load::schema;
use crate::load::spanned::Spanned;
use crate::load::yaml::{self, Node, Pos, Value};
use crate::read::ReadError;

pub use crate::load::evidence::{
    read_evidence, read_evidence_for, read_evidence_from, AddressScan, EvidenceFacts,
};
pub use crate::load::kind::Kind;
pub use crate::load::limits::{
    MAX_DOCUMENT_BYTES, MAX_EVIDENCE_BYTES, MAX_REDACTOR_BYTES, MAX_REDACTOR_LINE,
};
pub use crate::load::names::{is_yaml_name, near_miss};
use crate::load::names::{near_miss_with, HEAD_BYTES};
pub use crate::load::source::{Files, Source};

/// The version of the case format this build reads.
pub const FORMAT: &str = "ehcpack/1";

/// One YAML file of a case, as read.
#[derive(Debug, Clone)]
pub struct Document {
    /// The path relative to the case folder.
    pub path: PathBuf,
    pub kind: Option<Kind>,
    pub text: String,
    pub root: Option<Node>,
    /// Where each line of `text` starts, so that a snippet is found without reading the file
    /// from the top (a file with 250,000 findings stays linear). Worked out on the first
    /// snippet: most documents have none.
    line_starts: std::cell::OnceCell<Vec<usize>>,
    /// The file could not be read as a case document (not UTF-8, or too large): `text` is what
    /// could be made of it, kept only so that the redactor sees a protected address in it
    /// (fail closed). It is never parsed, checked or embedded in a pack.
    pub unreadable: bool,
    /// Other readings of the same bytes ([`crate::encoding::Decoded::other_readings`]), for the
    /// redactor only: never printed, parsed or embedded.
    pub other_readings: Vec<String>,
}

impl Document {
    /// A document read from `path` (relative to the case folder), not yet parsed. Its text
    /// comes only from the one decoder ([`crate::encoding`]).
    pub fn new(path: PathBuf, decoded: crate::encoding::Decoded) -> Document {
        let other_readings = decoded.other_readings().to_vec();
        let text = decoded.into_text();
        Document {
            path,
            kind: None,
            text,
            root: None,
            line_starts: std::cell::OnceCell::new(),
            unreadable: false,
            other_readings,
        }
    }

    /// The source line `line` (1-based), for snippets, without its line break.
    pub fn line(&self, line: usize) -> Option<&str> {
        let line_starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let start = *line_starts.get(line.checked_sub(1)?)?;
        let end = line_starts
            .get(line)
            .map_or(self.text.len(), |next| next - 1);
        if start >= self.text.len() {
            // As `str::lines`: no empty last line after a final line break.
            return None;
        }
        let text = &self.text[start..end];
        Some(text.strip_suffix('\r').unwrap_or(text))
    }
}

/// A value of the typed model and the document it came from.
#[derive(Debug, Clone)]
pub struct Typed<T> {
    pub doc: usize,
    pub value: T,
}

/// A case folder, read.
#[derive(Debug, Clone, Default)]
pub struct Case {
    /// The folder as the user named it.
    pub root: PathBuf,
    pub documents: Vec<Document>,
    pub pupil: Option<Typed<Pupil>>,
    pub family: Option<Typed<Family>>,
    pub needs: Option<Typed<Needs>>,
    pub health: Option<Typed<Health>>,
    /// Support plans, oldest first.
    pub plans: Vec<Typed<Plan>>,
    pub attainment: Option<Typed<Attainment>>,
    pub views: Option<Typed<Views>>,
    pub professionals: Option<Typed<Professionals>>,
    pub request: Option<Typed<Request>>,
    pub consent: Option<Typed<Consent>>,
    pub evidence: Option<Typed<Evidence>>,
    /// Each evidence file the case names (in `evidence.yaml` and as a professional's report),
    /// read once when the case is loaded.
    pub evidence_files: Vec<EvidenceFacts>,
}

impl Case {
    /// Whether every document read cleanly into the typed model (the rules may run).
    pub fn is_complete(&self) -> bool {
        self.pupil.is_some()
            && self.needs.is_some()
            && self.request.is_some()
            && self.consent.is_some()
            && (!self.plans.is_empty() || self.requested_by() != RequestedBy::School)
    }

    /// Who makes the request (request.yaml's `requested_by`): `school` where it cannot be read.
    pub fn requested_by(&self) -> RequestedBy {
        self.request
            .as_ref()
            .map_or(RequestedBy::School, |r| r.value.requested_by)
    }

    /// A finding placed at a JSON Pointer path inside document `doc`.
    pub fn at(&self, doc: usize, pointer: &str, diagnostic: Diagnostic) -> Diagnostic {
        self.place(doc, pointer, false, diagnostic)
    }

    /// A finding about a document's key (`countersignature:`), or where it would go.
    pub fn at_key(&self, doc: usize, pointer: &str, diagnostic: Diagnostic) -> Diagnostic {
        self.place(doc, pointer, true, diagnostic)
    }

    fn place(&self, doc: usize, pointer: &str, at_key: bool, diagnostic: Diagnostic) -> Diagnostic {
        let document = &self.documents[doc];
        let pos = document
            .root
            .as_ref()
            .map(|r| r.locate(pointer, at_key))
            .unwrap_or_default();
        diagnostic
            .in_file(&document.path)
            .at(pos.line.max(1), pos.column.max(1))
    }

    /// A finding placed at a field of document `doc`'s model, where its value is written.
    pub fn at_field<T>(
        &self,
        doc: usize,
        field: &Spanned<T>,
        diagnostic: Diagnostic,
    ) -> Diagnostic {
        self.placed(doc, field.pos, diagnostic)
    }

    /// A finding placed at a field's key (`date:`) in document `doc`.
    pub fn at_field_key<T>(
        &self,
        doc: usize,
        field: &Spanned<T>,
        diagnostic: Diagnostic,
    ) -> Diagnostic {
        self.placed(doc, field.key_pos, diagnostic)
    }

    fn placed(&self, doc: usize, pos: Pos, diagnostic: Diagnostic) -> Diagnostic {
        diagnostic
            .in_file(&self.documents[doc].path)
            .at(pos.line.max(1), pos.column.max(1))
    }

    /// The raw node at a path, for rules that look at the text rather than the model.
    pub fn node(&self, doc: usize, pointer: &str) -> Option<&Node> {
        self.documents[doc].root.as_ref()?.pointer(pointer)
    }

    /// What reading the evidence file at `path` (as the case gives it) found.
    pub fn evidence_facts(&self, path: &str) -> Option<&EvidenceFacts> {
        self.evidence_files.iter().find(|f| f.path == path)
    }

    /// The path of a document, for messages.
    pub fn file(&self, doc: usize) -> String {
        self.documents[doc].path.display().to_string()
    }
}

/// Builds the address finder for a case from its documents, once they are read: `None` when
/// no address in them is protected.
pub type FinderFor<'a> =
    &'a dyn Fn(&[Document]) -> Option<Box<dyn crate::load::evidence::AddressFinder>>;

/// Reads a case folder. The findings are those of reading, structure and schema; the Durham
/// rules run later, on a case that is complete.
pub fn load(root: &Path) -> (Case, Vec<Diagnostic>) {
    load_with(root, &[], &|_| None)
}

/// Reads a case folder as [`load`] does, with the text of some of its files given instead of
/// read (`ehcpack serve` checks a form's unsaved answers this way; nothing is written).
///
/// `finder` builds, from the documents read, what reads an evidence PDF for the pupil's
/// protected address (the redactor; [`crate::check`] passes it).
pub fn load_with(
    root: &Path,
    overrides: &[(PathBuf, String)],
    finder: FinderFor,
) -> (Case, Vec<Diagnostic>) {
    load_from(Source::Folder { root, overrides }, finder)
}

/// Reads a case from its folder or from files in memory ([`Source`]), as [`load_with`] does: a
/// received pack's files are read so, never written to disk, and give the findings the same
/// files would in a folder.
pub fn load_from(source: Source, finder: FinderFor) -> (Case, Vec<Diagnostic>) {
    let root = source.root();
    let mut case = Case {
        root: root.to_path_buf(),
        ..Case::default()
    };
    let mut found = Vec::new();
    let mut stray = Vec::new();
    // The folder's own canonical path, worked out only when a link is found (no link may lead
    // out of the folder): most folders hold none, and it costs a system call for each part of
    // the path.
    let canonical_root: std::cell::OnceCell<Option<PathBuf>> = std::cell::OnceCell::new();
    let canonical_root = || {
        canonical_root
            .get_or_init(|| fs::canonicalize(root).ok())
            .as_deref()
    };
    let all = match source {
        Source::Folder { .. } => match list_folder(root) {
            Ok(listed) => listed,
            Err(d) => {
                found.push(d);
                return (case, found);
            }
        },
        Source::Memory { files, .. } => Source::memory_entries(files)
            .into_iter()
            .map(|(name, folder)| (name, folder, false))
            .collect(),
    };
    // A file meant as a case document but saved under another name is named, never ignored.
    for (name, _, _) in all.iter().filter(|(_, folder, _)| !folder) {
        let miss = match source {
            Source::Folder { .. } => near_miss(root, name),
            Source::Memory { files, .. } => near_miss_with(name, || {
                let bytes = files.get(name.to_str()?)?;
                Some(bytes[..bytes.len().min(HEAD_BYTES)].to_vec())
            }),
        };
        if let Some((message, help)) = miss {
            found.push(Diagnostic::new(RuleId::CaseStructure, message, help).in_file(name));
        }
    }
    let names: Vec<(PathBuf, bool, bool)> = all
        .into_iter()
        .filter(|(name, _, _)| is_yaml_name(name))
        .collect();

    for (name, folder, listed_as_file) in names {
        let read = match source {
            Source::Folder { overrides, .. } => {
                match overrides.iter().find(|(file, _)| *file == name) {
                    // A form's unsaved answers go through the one decoder, as a file's bytes do.
                    Some((_, text)) => Ok(crate::encoding::decode(text.as_bytes())),
                    None => read_document(&root.join(&name), listed_as_file, canonical_root),
                }
            }
            Source::Memory { files, .. } => {
                let bytes = name.to_str().and_then(|n| files.get(n));
                match bytes {
                    Some(bytes) if !folder => document_bytes(Ok(bytes.clone()), || {
                        super::head::head_text_of(bytes.as_slice())
                    }),
                    _ => document_bytes(Err(ReadError::NotAFile), || None),
                }
            }
        };
        match read {
            Ok(decoded) => {
                let mut document = Document::new(name.clone(), decoded);
                classify(&mut document, &mut found, &mut stray);
                case.documents.push(document);
            }
            // A file that cannot be read at all is still placed on its first line, so that
            // every report format (and a CI annotation) can point at it.
            Err((d, lossy)) => {
                found.push(match d.line {
                    None => d.in_file(&name).at(1, 1),
                    Some(_) => d.in_file(&name),
                });
                // What could be made of it goes to the redactor only: a pupil document saved
                // as Latin-1 still has its protected address withheld everywhere.
                if let Some(text) = lossy {
                    let mut document = Document::new(name.clone(), text);
                    document.unreadable = true;
                    case.documents.push(document);
                }
            }
        }
    }

    check_structure(&mut case, &mut found);

    for document in &case.documents {
        if let (Some(kind), Some(node)) = (document.kind, &document.root) {
            for f in schema::check(kind, node, &document.text) {
                found.push(
                    Diagnostic::new(RuleId::Schema, f.message, f.help)
                        .in_file(&document.path)
                        .at(f.line, f.column),
                );
            }
        }
    }

    if found.iter().all(|d| !d.is_error()) {
        build_model(&mut case, &mut found);
        read_evidence_files(&mut case, source, finder);
    }
    found.extend(stray);
    (case, found)
}

/// The names at the top of a case folder, each with whether it is a folder and whether the
/// listing says it is an ordinary file (not a link), in order.
#[allow(clippy::result_large_err)]
fn list_folder(root: &Path) -> Result<Vec<(PathBuf, bool, bool)>, Diagnostic> {
    let entries = fs::read_dir(root).map_err(|e| {
        // A path that does not lead anywhere is told apart from a folder that may not be read.
        match fs::canonicalize(root) {
            Err(e) => Diagnostic::new(
                RuleId::CaseStructure,
                format!("the case folder cannot be read: {}", io_reason(&e)),
                "check the path and that you have permission to read the folder",
            ),
            Ok(_) => Diagnostic::new(
                RuleId::CaseStructure,
                format!("the case folder cannot be read: {}", io_reason(&e)),
                "check that you have permission to read the folder",
            ),
        }
    })?;
    let mut all: Vec<(PathBuf, bool, bool)> = entries
        .filter_map(Result::ok)
        .map(|e| {
            let kind = e.file_type();
            let folder = kind.as_ref().is_ok_and(|t| t.is_dir());
            let file = kind.as_ref().is_ok_and(|t| t.is_file());
            (PathBuf::from(e.file_name()), folder, file)
        })
        .collect();
    all.sort();
    Ok(all)
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "it does not exist".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Reads one YAML file with every guard: no links out of the folder, regular files only,
/// a size cap, the text read by the one decoder ([`crate::encoding`]: UTF-8, UTF-16 or UTF-32).
/// A file too large, or whose text had to be guessed (Latin-1 bytes, a broken UTF-16 pair),
/// comes back with what could be made of its text, for the redactor.
// A finding is the natural error here; files that fail are few, so its size does not matter.
#[allow(clippy::result_large_err)]
fn read_document<'r>(
    path: &Path,
    listed_as_file: bool,
    canonical_root: impl FnOnce() -> Option<&'r Path>,
) -> Result<crate::encoding::Decoded, (Diagnostic, Option<crate::encoding::Decoded>)> {
    // The folder's listing said an ordinary file: opened at once, without following a link (a
    // link put in its place since is refused there and looked at below, as is any other
    // failure, so that every finding is the one the long way gives).
    if listed_as_file {
        if let Some(Ok(bytes)) = crate::read::read_capped_listed(path, MAX_DOCUMENT_BYTES) {
            return document_bytes(Ok(bytes), || super::head::head_text(path));
        }
    }
    let no_text = |d: Diagnostic| (d, None);
    let meta = fs::symlink_metadata(path).map_err(|e| {
        no_text(Diagnostic::new(
            RuleId::CaseStructure,
            format!("this file cannot be read: {}", io_reason(&e)),
            "check that the file exists and you may read it",
        ))
    })?;
    if meta.file_type().is_symlink() {
        let inside = match (fs::canonicalize(path), canonical_root()) {
            (Ok(target), Some(root)) => target.starts_with(root),
            _ => false,
        };
        if !inside {
            return Err(no_text(Diagnostic::new(
                RuleId::CaseStructure,
                "this file is a link to somewhere outside the case folder, so it was not read",
                "copy the document into the case folder instead of linking to it",
            )));
        }
    }
    document_bytes(
        crate::read::read_capped_looked_at(path, MAX_DOCUMENT_BYTES, &meta),
        || super::head::head_text(path),
    )
}

/// A document's bytes, as read within [`MAX_DOCUMENT_BYTES`] from a folder or from memory,
/// decoded; or the finding, with what the redactor may read of a file too large (`head`).
#[allow(clippy::result_large_err)]
fn document_bytes(
    read: Result<Vec<u8>, ReadError>,
    head: impl FnOnce() -> Option<crate::encoding::Decoded>,
) -> Result<crate::encoding::Decoded, (Diagnostic, Option<crate::encoding::Decoded>)> {
    let no_text = |d: Diagnostic| (d, None);
    let read = match read {
        Ok(bytes) if bytes.len() as u64 > MAX_DOCUMENT_BYTES => Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            cap: MAX_DOCUMENT_BYTES,
        }),
        other => other,
    };
    let bytes = read.map_err(|e| match e {
        ReadError::NotAFile => no_text(Diagnostic::new(
            RuleId::CaseStructure,
            "this is not an ordinary file (a folder, pipe or device), so it was not read",
            "give a folder or special file a name that does not end in .yaml",
        )),
        ReadError::TooLarge { size, .. } => (
            Diagnostic::new(
                RuleId::YamlSyntax,
                format!(
                    "this file is {:.1} MB; a case document may be at most {} MB",
                    size as f64 / 1_048_576.0,
                    MAX_DOCUMENT_BYTES / 1_048_576
                ),
                "a case document holds a few pages of text; put long reports in a PDF and list it \
             in evidence.yaml",
            )
            .at(1, 1),
            head(),
        ),
        e => no_text(Diagnostic::new(
            RuleId::CaseStructure,
            format!("this file cannot be read: {e}"),
            "check that the file exists and you may read it",
        )),
    })?;
    let decoded = crate::encoding::decode(&bytes);
    match decoded.problem() {
        None => Ok(decoded),
        Some((problem, line, column)) => Err((
            unreadable_text(problem, decoded.encoding()).at(line, column),
            Some(decoded),
        )),
    }
}

/// The finding for a file whose text had to be guessed (see [`crate::encoding`]).
fn unreadable_text(problem: &str, encoding: crate::encoding::Encoding) -> Diagnostic {
    Diagnostic::new(
        RuleId::YamlSyntax,
        format!("this file {problem}"),
        match encoding {
            crate::encoding::Encoding::Utf8 => {
                "in your editor choose \"Save with encoding\" and pick UTF-8, then check the \
                 character at this place (often a curly quote, a pound sign or an accent)"
            }
            _ => {
                "the file reads as UTF-16 or UTF-32 text that is damaged; in your editor choose \
                 \"Save with encoding\" and pick UTF-8"
            }
        },
    )
}

/// Parses a document and works out its kind.
///
/// A stray character in a file that still reads goes to `stray`: an error to put right, which
/// does not stop the case being read (the rules still run and a draft still shows the case).
fn classify(
    document: &mut Document,
    found: &mut Vec<Diagnostic>,
    stray_found: &mut Vec<Diagnostic>,
) {
    let at = |d: Diagnostic, pos: yaml::Pos| d.in_file(&document.path).at(pos.line, pos.column);
    let node = match yaml::read(&document.text) {
        Ok((node, stray)) => {
            // A stray character in a file that still reads (a zero-width space in a name, a
            // byte-order mark before a field) is named; the document is read as well.
            for e in stray {
                stray_found.push(at(
                    Diagnostic::new(RuleId::YamlSyntax, e.message, e.help),
                    e.pos,
                ));
            }
            node
        }
        Err(errors) => {
            for e in errors {
                found.push(at(
                    Diagnostic::new(RuleId::YamlSyntax, e.message, e.help),
                    e.pos,
                ));
            }
            return;
        }
    };
    let node = match node {
        Some(node) => node,
        None => {
            found.push(
                Diagnostic::new(
                    RuleId::CaseStructure,
                    "this file is empty",
                    "every YAML file in a case folder is one document that starts with \
                     `format: ehcpack/1` and `kind:`; fill it in or delete it",
                )
                .in_file(&document.path)
                .at(1, 1),
            );
            return;
        }
    };
    let kinds = Kind::ALL.map(Kind::name).join(", ");
    match &node.value {
        Value::Map(_) => {}
        _ => {
            found.push(at(
                Diagnostic::new(
                    RuleId::CaseStructure,
                    "this file is not a case document: it should be a block of `field: value` lines",
                    "start it with `format: ehcpack/1` and `kind:` (see docs/case-format.md)",
                ),
                node.pos,
            ));
            return;
        }
    }
    match node.get("kind") {
        None => found.push(at(
            Diagnostic::new(
                RuleId::CaseStructure,
                "this file does not say what kind of document it is",
                format!("add a line `kind: ...` with one of: {kinds}"),
            ),
            node.pos,
        )),
        Some(k) => match k.as_str().and_then(Kind::from_name) {
            Some(kind) => document.kind = Some(kind),
            None => {
                let given = k.as_str().unwrap_or("");
                let close = Kind::ALL
                    .iter()
                    .map(|c| {
                        (
                            if given.len() > 64 {
                                usize::MAX
                            } else {
                                strsim::levenshtein(&given.to_lowercase(), c.name())
                            },
                            c.name(),
                        )
                    })
                    .filter(|(d, _)| *d <= 3)
                    .min();
                found.push(at(
                    Diagnostic::new(
                        RuleId::CaseStructure,
                        format!("{} is not a kind of case document", yaml::quoted(given)),
                        match close {
                            Some((_, c)) => format!("did you mean `kind: {c}`?"),
                            None => format!("use one of: {kinds}"),
                        },
                    ),
                    k.pos,
                ));
            }
        },
    }
    document.root = Some(node);
}

/// Whether the request document says a school makes the request (or cannot be read: then the
/// school's request is assumed, as before).
fn school_request(case: &Case) -> bool {
    let said = case
        .documents
        .iter()
        .filter(|d| d.kind == Some(Kind::Request))
        .filter_map(|d| d.root.as_ref()?.get("requested_by")?.as_str())
        .next();
    said.and_then(RequestedBy::parse)
        .is_none_or(|by| by == RequestedBy::School)
}

fn check_structure(case: &mut Case, found: &mut Vec<Diagnostic>) {
    for kind in Kind::ALL {
        let docs: Vec<&Document> = case
            .documents
            .iter()
            .filter(|d| d.kind == Some(kind))
            .collect();
        let (mut min, max) = kind.bounds();
        // A parent, a young person or another professional may ask for an assessment without
        // the school's support plans (Children and Families Act 2014 s36(1)).
        if kind == Kind::Plan && !school_request(case) {
            min = 0;
        }
        let unreadable = found
            .iter()
            .any(|d| d.file.is_some() && d.rule != RuleId::Schema && d.is_error());
        if docs.len() < min && !unreadable {
            found.push(Diagnostic::new(
                RuleId::CaseStructure,
                format!("the case folder has no `{}` document", kind.name()),
                format!(
                    "add a file such as {} with `kind: {}` (see docs/case-format.md)",
                    kind.usual_file(),
                    kind.name()
                ),
            ));
        }
        if let Some(max) = max {
            for extra in docs.iter().skip(max) {
                let first = &docs[0].path;
                let pos = extra
                    .root
                    .as_ref()
                    .and_then(|r| r.get("kind"))
                    .map(|k| k.pos)
                    .unwrap_or_default();
                found.push(
                    Diagnostic::new(
                        RuleId::CaseStructure,
                        format!(
                            "a second `{}` document: {} is one already",
                            kind.name(),
                            first.display()
                        ),
                        "keep one document of this kind; merge the two files",
                    )
                    .in_file(&extra.path)
                    .at(pos.line.max(1), pos.column.max(1)),
                );
            }
        }
    }
}

fn typed<T: DeserializeOwned>(
    case: &Case,
    doc: usize,
    found: &mut Vec<Diagnostic>,
) -> Option<Typed<T>> {
    let node = case.documents[doc].root.as_ref()?;
    match crate::load::de::from_node::<T>(node) {
        Ok(value) => Some(Typed { doc, value }),
        Err(e) => {
            found.push(case.at(
                doc,
                "",
                Diagnostic::new(
                    RuleId::Schema,
                    format!("this document could not be read: {e}"),
                    "check the values against the case format in docs/case-format.md",
                ),
            ));
            None
        }
    }
}

fn build_model(case: &mut Case, found: &mut Vec<Diagnostic>) {
    for doc in 0..case.documents.len() {
        let Some(kind) = case.documents[doc].kind else {
            continue;
        };
        match kind {
            Kind::Pupil => case.pupil = typed(case, doc, found),
            Kind::Family => case.family = typed(case, doc, found),
            Kind::Needs => case.needs = typed(case, doc, found),
            Kind::Health => case.health = typed(case, doc, found),
            Kind::Plan => {
                if let Some(plan) = typed(case, doc, found) {
                    case.plans.push(plan)
                }
            }
            Kind::Attainment => case.attainment = typed(case, doc, found),
            Kind::Views => case.views = typed(case, doc, found),
            Kind::Professionals => case.professionals = typed(case, doc, found),
            Kind::Request => case.request = typed(case, doc, found),
            Kind::Consent => case.consent = typed(case, doc, found),
            Kind::Evidence => case.evidence = typed(case, doc, found),
        }
    }
    case.plans.sort_by_key(|p| p.value.start.value);
}

/// Reads every evidence file the typed case names, each once.
fn read_evidence_files(case: &mut Case, source: Source, finder: FinderFor) {
    let mut paths: Vec<&str> = Vec::new();
    if let Some(e) = &case.evidence {
        paths.extend(e.value.files.iter().map(|f| f.path.as_str()));
    }
    if let Some(p) = &case.professionals {
        paths.extend(
            p.value
                .involvements
                .iter()
                .filter_map(|i| i.report.as_ref().map(|r| r.value.as_str())),
        );
    }
    // A PDF of a case whose address is protected is read for it too (its text and metadata).
    let finder = finder(&case.documents);
    let redactor = finder.as_deref();
    let mut seen = std::collections::HashSet::new();
    let files: Vec<EvidenceFacts> = paths
        .into_iter()
        .filter(|p| seen.insert(*p))
        .map(|p| read_evidence_from(source, p, redactor))
        .collect();
    case.evidence_files = files;
}
