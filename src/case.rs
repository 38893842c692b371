//! A case folder: finding its documents, reading them safely, and building the typed case.
//!
//! The pipeline for one folder is straight: read each YAML file (with its limits), parse it with
//! positions, check the folder's structure, check each document against its schema, and only
//! when all of that is clean, build the typed model the Durham rules read.

use std::fs;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use crate::diagnostic::Diagnostic;
use crate::model::*;
use crate::read::ReadError;
use crate::rules::catalogue::RuleId;
use crate::schema;
use crate::yaml::{self, Node, Value};

/// The largest YAML document read. Real case documents are a few kilobytes.
/// How much of a case file too large to read ([`MAX_DOCUMENT_BYTES`]) the redactor still reads,
/// to find a protected address in it (fail closed).
pub const MAX_REDACTOR_BYTES: u64 = 16 * 1024 * 1024;
/// The longest line of such a file the redactor keeps (an address line is far shorter).
pub const MAX_REDACTOR_LINE: usize = 4096;
pub const MAX_DOCUMENT_BYTES: u64 = 1024 * 1024;

/// The largest evidence file read. A long scanned report is a few megabytes; every evidence
/// file is embedded in the pack, which is sent by email.
pub const MAX_EVIDENCE_BYTES: u64 = 64 * 1024 * 1024;

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
}

impl EvidenceFacts {
    /// Whether the file is named as a PDF (only these are attached).
    pub fn is_pdf(&self) -> bool {
        is_pdf_name(&self.path)
    }

    /// Whether render attaches it: a PDF that read within the limits.
    pub fn attachable(&self) -> bool {
        self.problem.is_none() && self.pdf_pages.is_some()
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
    let mut facts = EvidenceFacts {
        path: path.to_string(),
        bytes: 0,
        sha256: String::new(),
        pdf_pages: None,
        problem: crate::rules::evidence_problem(root, path),
    };
    if facts.problem.is_some() {
        return facts;
    }
    let full = root.join(path);
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
    if is_pdf_name(path) {
        match crate::read::read_capped(&full, MAX_EVIDENCE_BYTES) {
            Ok(bytes) => {
                facts.bytes = bytes.len() as u64;
                facts.sha256 = crate::manifest::sha256_hex(&bytes);
                match crate::evidence_pdf::inspect(&bytes) {
                    Ok(pdf) => facts.pdf_pages = Some(pdf.pages),
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
        match crate::read::stream_capped(&full, MAX_EVIDENCE_BYTES, |block| hasher.update(block)) {
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

/// The version of the case format this build reads.
pub const FORMAT: &str = "ehcpack/1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Pupil,
    Family,
    Needs,
    Health,
    Plan,
    Attainment,
    Views,
    Professionals,
    Request,
    Consent,
    Evidence,
}

impl Kind {
    pub const ALL: [Kind; 11] = [
        Kind::Pupil,
        Kind::Family,
        Kind::Needs,
        Kind::Health,
        Kind::Plan,
        Kind::Attainment,
        Kind::Views,
        Kind::Professionals,
        Kind::Request,
        Kind::Consent,
        Kind::Evidence,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Pupil => "pupil",
            Kind::Family => "family",
            Kind::Needs => "needs",
            Kind::Health => "health",
            Kind::Plan => "plan",
            Kind::Attainment => "attainment",
            Kind::Views => "views",
            Kind::Professionals => "professionals",
            Kind::Request => "request",
            Kind::Consent => "consent",
            Kind::Evidence => "evidence",
        }
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// How many documents of this kind a case must have, and may have.
    pub fn bounds(self) -> (usize, Option<usize>) {
        match self {
            Kind::Pupil | Kind::Needs | Kind::Request | Kind::Consent => (1, Some(1)),
            Kind::Plan => (1, None),
            _ => (0, Some(1)),
        }
    }

    /// The file name `ehcpack new` and the samples use.
    pub fn usual_file(self) -> &'static str {
        match self {
            Kind::Plan => "plan-1.yaml",
            k => match k {
                Kind::Pupil => "pupil.yaml",
                Kind::Family => "family.yaml",
                Kind::Needs => "needs.yaml",
                Kind::Health => "health.yaml",
                Kind::Attainment => "attainment.yaml",
                Kind::Views => "views.yaml",
                Kind::Professionals => "professionals.yaml",
                Kind::Request => "request.yaml",
                Kind::Consent => "consent.yaml",
                _ => "evidence.yaml",
            },
        }
    }
}

/// One YAML file of a case, as read.
#[derive(Debug, Clone)]
pub struct Document {
    /// The path relative to the case folder.
    pub path: PathBuf,
    pub kind: Option<Kind>,
    pub text: String,
    pub root: Option<Node>,
    /// Where each line of `text` starts, so that a snippet is found without reading the file
    /// from the top (a file with 250,000 findings stays linear).
    line_starts: Vec<usize>,
    /// The file could not be read as a case document (not UTF-8, or too large): `text` is what
    /// could be made of it, kept only so that the redactor sees a protected address in it
    /// (fail closed). It is never parsed, checked or embedded in a pack.
    pub unreadable: bool,
}

impl Document {
    /// A document read from `path` (relative to the case folder), not yet parsed.
    pub fn new(path: PathBuf, text: String) -> Document {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Document {
            path,
            kind: None,
            text,
            root: None,
            line_starts,
            unreadable: false,
        }
    }

    /// The source line `line` (1-based), for snippets, without its line break.
    pub fn line(&self, line: usize) -> Option<&str> {
        let start = *self.line_starts.get(line.checked_sub(1)?)?;
        let end = self
            .line_starts
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
            && (!self.plans.is_empty() || self.requested_by() != "school")
    }

    /// Who makes the request (request.yaml's `requested_by`): `school` where it cannot be read.
    pub fn requested_by(&self) -> &str {
        self.request
            .as_ref()
            .map_or("school", |r| r.value.requested_by.as_str())
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

/// Reads a case folder. The findings are those of reading, structure and schema; the Durham
/// rules run later, on a case that is complete.
pub fn load(root: &Path) -> (Case, Vec<Diagnostic>) {
    let mut case = Case {
        root: root.to_path_buf(),
        ..Case::default()
    };
    let mut found = Vec::new();
    let canonical_root = match fs::canonicalize(root) {
        Ok(p) => p,
        Err(e) => {
            found.push(Diagnostic::new(
                RuleId::CaseStructure,
                format!("the case folder cannot be read: {}", io_reason(&e)),
                "check the path and that you have permission to read the folder",
            ));
            return (case, found);
        }
    };
    let entries = match fs::read_dir(root) {
        Ok(entries) => entries,
        Err(e) => {
            found.push(Diagnostic::new(
                RuleId::CaseStructure,
                format!("the case folder cannot be read: {}", io_reason(&e)),
                "check that you have permission to read the folder",
            ));
            return (case, found);
        }
    };
    let mut names: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| PathBuf::from(e.file_name()))
        .filter(|name| is_yaml_name(name))
        .collect();
    names.sort();

    for name in names {
        let path = root.join(&name);
        match read_document(&path, &canonical_root) {
            Ok(text) => {
                let mut document = Document::new(name.clone(), text);
                classify(&mut document, &mut found);
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
        read_evidence_files(&mut case);
    }
    (case, found)
}

fn is_yaml_name(name: &Path) -> bool {
    let text = name.to_string_lossy();
    !text.starts_with('.')
        && name
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "it does not exist".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// The text of a file that is not UTF-8 (or too large), made as well as it can be: for the
/// redactor only.
fn lossy_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let utf16 = |le: bool| -> String {
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    if bytes.starts_with(&[0xFF, 0xFE]) {
        utf16(true)
    } else if bytes.starts_with(&[0xFE, 0xFF]) {
        utf16(false)
    } else {
        // Latin-1 (and Windows-1252, near enough for letters and digits): every byte a character.
        bytes.iter().map(|&b| char::from(b)).collect()
    }
}

/// Reads one YAML file with every guard: no links out of the folder, regular files only,
/// a size cap, UTF-8 only. A file that fails the last two comes back with what could be made
/// of its text, for the redactor.
// A finding is the natural error here; files that fail are few, so its size does not matter.
#[allow(clippy::result_large_err)]
fn read_document(
    path: &Path,
    canonical_root: &Path,
) -> Result<String, (Diagnostic, Option<String>)> {
    let no_text = |d: Diagnostic| (d, None);
    let meta = fs::symlink_metadata(path).map_err(|e| {
        no_text(Diagnostic::new(
            RuleId::CaseStructure,
            format!("this file cannot be read: {}", io_reason(&e)),
            "check that the file exists and you may read it",
        ))
    })?;
    if meta.file_type().is_symlink() {
        let inside = fs::canonicalize(path)
            .map(|target| target.starts_with(canonical_root))
            .unwrap_or(false);
        if !inside {
            return Err(no_text(Diagnostic::new(
                RuleId::CaseStructure,
                "this file is a link to somewhere outside the case folder, so it was not read",
                "copy the document into the case folder instead of linking to it",
            )));
        }
    }
    let bytes = crate::read::read_capped(path, MAX_DOCUMENT_BYTES).map_err(|e| match e {
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
            head_text(path),
        ),
        e => no_text(Diagnostic::new(
            RuleId::CaseStructure,
            format!("this file cannot be read: {e}"),
            "check that the file exists and you may read it",
        )),
    })?;
    let valid =
        std::str::from_utf8(bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(&bytes)).is_ok();
    let lossy = (!valid).then(|| lossy_text(&bytes));
    decode(bytes).map_err(|d| (d, lossy))
}

/// Of a file too large to be a case document, what the redactor reads: the lines of at most
/// [`MAX_REDACTOR_LINE`] bytes among its first [`MAX_REDACTOR_BYTES`] (a protected address after
/// a long comment is still found), read a block at a time, so that memory stays small however
/// the file is made (one line of 100 MB keeps nothing).
fn head_text(path: &Path) -> Option<String> {
    use std::io::Read;
    let (file, _) = crate::read::open_file(path).ok()?;
    let mut reader = file.take(MAX_REDACTOR_BYTES);
    let mut kept: Vec<u8> = Vec::new();
    let mut line: Vec<u8> = Vec::new();
    let mut overlong = false;
    let mut block = vec![0u8; 64 * 1024];
    loop {
        let n = reader.read(&mut block).ok()?;
        if n == 0 {
            break;
        }
        let mut rest = &block[..n];
        while !rest.is_empty() {
            let end = rest.iter().position(|b| *b == b'\n');
            let (part, next) = match end {
                Some(e) => (&rest[..=e], &rest[e + 1..]),
                None => (rest, &rest[rest.len()..]),
            };
            if !overlong {
                line.extend_from_slice(part);
                if line.len() > MAX_REDACTOR_LINE {
                    overlong = true;
                    line.clear();
                }
            }
            if end.is_some() {
                if !overlong && kept.len() + line.len() <= MAX_DOCUMENT_BYTES as usize * 4 {
                    kept.extend_from_slice(&line);
                }
                line.clear();
                overlong = false;
            }
            rest = next;
        }
    }
    if !overlong {
        kept.extend_from_slice(&line);
    }
    Some(match String::from_utf8(kept) {
        Ok(text) => text,
        Err(e) => lossy_text(e.as_bytes()),
    })
}

/// UTF-8 text, with a byte-order mark allowed and dropped.
#[allow(clippy::result_large_err)]
pub fn decode(mut bytes: Vec<u8>) -> Result<String, Diagnostic> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Diagnostic::new(
            RuleId::YamlSyntax,
            "this file is saved as UTF-16 text; case files must be UTF-8",
            "in your editor choose \"Save with encoding\" and pick UTF-8",
        )
        .at(1, 1));
    }
    String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = good.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = good.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
        let column = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
        Diagnostic::new(
            RuleId::YamlSyntax,
            "this file has bytes that are not UTF-8 text (perhaps saved as Windows-1252 or \
             Latin-1)",
            "in your editor choose \"Save with encoding\" and pick UTF-8, then check the \
             character at this place (often a curly quote, a pound sign or an accent)",
        )
        .at(line, column)
    })
}

/// Parses a document and works out its kind.
fn classify(document: &mut Document, found: &mut Vec<Diagnostic>) {
    let at = |d: Diagnostic, pos: yaml::Pos| d.in_file(&document.path).at(pos.line, pos.column);
    let node = match yaml::parse(&document.text) {
        Ok(Some(node)) => node,
        Ok(None) => {
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
        Err(e) => {
            found.push(at(
                Diagnostic::new(RuleId::YamlSyntax, e.message, e.help),
                e.pos,
            ));
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
                    "start it with `format: ehcpack/1` and `kind:` (see the README, \"The case folder\")",
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
    !matches!(said, Some("parent" | "young-person" | "other"))
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
                    "add a file such as {} with `kind: {}` (see the README, \"The case folder\")",
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
    match serde_json::from_value::<T>(node.to_json()) {
        Ok(value) => Some(Typed { doc, value }),
        Err(e) => {
            found.push(case.at(
                doc,
                "",
                Diagnostic::new(
                    RuleId::Schema,
                    format!("this document could not be read: {e}"),
                    "check the values against the case format in the README",
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
    case.plans.sort_by_key(|p| p.value.start);
}

/// Reads every evidence file the typed case names, each once.
fn read_evidence_files(case: &mut Case) {
    let mut paths: Vec<&str> = Vec::new();
    if let Some(e) = &case.evidence {
        paths.extend(e.value.files.iter().map(|f| f.path.as_str()));
    }
    if let Some(p) = &case.professionals {
        paths.extend(
            p.value
                .involvements
                .iter()
                .filter_map(|i| i.report.as_deref()),
        );
    }
    let mut seen = std::collections::HashSet::new();
    let files: Vec<EvidenceFacts> = paths
        .into_iter()
        .filter(|p| seen.insert(*p))
        .map(|p| read_evidence(&case.root, p))
        .collect();
    case.evidence_files = files;
}
