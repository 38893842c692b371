//! Finding the case folders among the PATHs of `validate`, so that a batch never stops: a path
//! that cannot be read, a link, or a stray YAML file beside the case folders becomes a finding
//! (`case-structure`) in the report, and every other case is still checked.
//!
//! **A case folder or a folder of case folders?** A folder is a case folder when it holds a YAML
//! file (`.yaml` or `.yml`) and either one of its YAML files says `kind: pupil`, or none of its
//! subfolders holds YAML files. Otherwise it is a folder of case folders: each subfolder is looked
//! at the same way (folders whose names start with `.` are skipped), and a YAML file lying beside
//! the case folders is a finding, never a reason to read the batch as one case.

use std::fs;
use std::path::{Path, PathBuf};

use crate::diagnostic::case_report::{CaseReport, KeyDates};
use crate::diagnostic::{Diagnostic, Verdict};
use crate::privacy::{RedactedReport, Redactor};
use crate::rules::RuleId;

/// How deep folders of case folders may nest.
const MAX_DEPTH: usize = 8;

/// One thing a batch reports on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A case folder, to check.
    Case(PathBuf),
    /// A path that is not checked, and why: reported as a `case-structure` error.
    Problem {
        path: PathBuf,
        message: String,
        help: String,
    },
}

impl Item {
    fn problem(path: &Path, message: impl Into<String>, help: impl Into<String>) -> Item {
        Item::Problem {
            path: path.to_path_buf(),
            message: message.into(),
            help: help.into(),
        }
    }

    /// The report of a path that is not checked: one `case-structure` error.
    pub fn problem_report(path: &Path, message: &str, help: &str) -> RedactedReport {
        let diagnostics = vec![Diagnostic::new(RuleId::CaseStructure, message, help)];
        Redactor::none().report(CaseReport {
            path: path.to_path_buf(),
            verdict: Verdict::of(&diagnostics),
            errors: 1,
            warnings: 0,
            dates: KeyDates::default(),
            particulars: crate::diagnostic::case_report::Particulars::default(),
            by_hand: None,
            diagnostics,
            received_as: None,
        })
    }
}

/// What a PATH named on the command line holds.
pub struct Found {
    pub items: Vec<Item>,
    /// Whether the PATH itself could be read as a folder holding at least one case folder.
    pub readable: bool,
}

fn reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "it does not exist".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// The case folders and problems under one PATH, in name order.
pub fn discover(path: &Path) -> Found {
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            return Found {
                items: vec![Item::problem(
                    path,
                    format!("this path cannot be read: {}", reason(&e)),
                    "check the path, and that you may read it; the other paths were checked",
                )],
                readable: false,
            }
        }
    };
    if !meta.is_dir() {
        return Found {
            items: vec![Item::problem(
                path,
                "this path is not a folder",
                "name a case folder or a folder of case folders",
            )],
            readable: false,
        };
    }
    let mut items = Vec::new();
    walk(path, 0, &mut items);
    let readable = items.iter().any(|i| matches!(i, Item::Case(_)));
    if items.is_empty() {
        items.push(Item::problem(
            path,
            "this folder holds no case folder (a folder with .yaml files in it)",
            "name a case folder, or a folder of case folders",
        ));
    }
    Found { items, readable }
}

/// The case folder's own test of a document name (a lock file `~$pupil.yaml` is not one).
fn is_yaml(name: &Path) -> bool {
    crate::load::case::is_yaml_name(name)
}

fn is_hidden(name: &Path) -> bool {
    name.to_string_lossy().starts_with('.')
}

struct Listing {
    yaml: Vec<PathBuf>,
    folders: Vec<PathBuf>,
    links: Vec<(PathBuf, &'static str)>,
    /// Files named like case documents but not read as one (`plan-1.yaml.txt`).
    near: Vec<PathBuf>,
}

/// What a folder holds. `near` asks for the near misses too (which may read a file's head);
/// only a folder that may be a case folder is asked.
fn list(dir: &Path, near: bool) -> std::io::Result<Listing> {
    // Each name once (a sort by `DirEntry::file_name` makes a copy of two names a comparison).
    let mut entries: Vec<(std::ffi::OsString, fs::DirEntry)> = fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| (e.file_name(), e))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut listing = Listing {
        yaml: Vec::new(),
        folders: Vec::new(),
        links: Vec::new(),
        near: Vec::new(),
    };
    for (name, entry) in entries {
        let path = entry.path();
        let name = PathBuf::from(name);
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_symlink() {
            match fs::metadata(&path) {
                Ok(m) if m.is_dir() && !is_hidden(&name) => {
                    listing.links.push((path, "a link to a folder"))
                }
                Ok(_) => {
                    if is_yaml(&name) {
                        listing.yaml.push(path);
                    }
                }
                Err(_) if is_yaml(&name) || !is_hidden(&name) => listing
                    .links
                    .push((path, "a link that leads nowhere, or round in a loop")),
                Err(_) => {}
            }
        } else if kind.is_dir() {
            if !is_hidden(&name) {
                listing.folders.push(path);
            }
        } else if is_yaml(&name) {
            listing.yaml.push(path);
        } else if near && crate::load::case::near_miss(dir, &name).is_some() {
            listing.near.push(name);
        }
    }
    Ok(listing)
}

/// Whether a folder, or a folder below it (a few levels), holds YAML files.
fn holds_yaml_below(dir: &Path, depth: usize) -> bool {
    let Ok(listing) = list(dir, false) else {
        return false;
    };
    !listing.yaml.is_empty()
        || (depth < 3
            && listing
                .folders
                .iter()
                .any(|f| holds_yaml_below(f, depth + 1)))
}

/// Whether one of these YAML files says `kind: pupil` (read no further than needed).
fn declares_pupil(files: &[PathBuf]) -> bool {
    use std::io::Read;
    files.iter().any(|f| {
        let mut bytes = Vec::new();
        // Through the one reader (a FIFO or device named like YAML is never opened) and the
        // one decoder (a UTF-16 file declares what it declares).
        crate::read::open_file(f)
            .ok()
            .and_then(|(file, _)| {
                file.take(crate::load::limits::MAX_DOCUMENT_BYTES)
                    .read_to_end(&mut bytes)
                    .ok()
            })
            .is_some()
            && crate::encoding::decode(&bytes).text().lines().any(|l| {
                let l = l.trim();
                l.strip_prefix("kind:")
                    .is_some_and(|k| k.trim().trim_matches(['"', '\'']) == "pupil")
            })
    })
}

fn walk(dir: &Path, depth: usize, out: &mut Vec<Item>) {
    let listing = match list(dir, true) {
        Ok(l) => l,
        Err(e) => {
            out.push(Item::problem(
                dir,
                format!("this folder cannot be read: {}", reason(&e)),
                "check that you may read the folder; the other case folders were checked",
            ));
            return;
        }
    };
    // The subfolders are looked at first: a case folder's (`reports/`) hold no YAML, and then
    // its documents need not be read here at all (they are read once, when it is checked).
    if !listing.yaml.is_empty()
        && (!listing.folders.iter().any(|f| holds_yaml_below(f, 0))
            || declares_pupil(&listing.yaml))
    {
        out.push(Item::Case(dir.to_path_buf()));
        return;
    }
    // A case folder whose documents were all saved under other names (`pupil.yaml.txt`) is
    // named, never passed over in silence.
    if listing.yaml.is_empty() && !listing.near.is_empty() {
        let names: Vec<String> = listing
            .near
            .iter()
            .take(5)
            .map(|n| crate::load::yaml::quoted(&n.to_string_lossy()))
            .collect();
        out.push(Item::problem(
            dir,
            format!(
                "this folder holds no .yaml file, but {}{} {} named like case documents, so it \
                 was not checked",
                names.join(", "),
                if listing.near.len() > 5 {
                    " and more"
                } else {
                    ""
                },
                if listing.near.len() == 1 { "is" } else { "are" },
            ),
            "give each case document a name that ends in .yaml (Notepad adds .txt unless \
             \"Save as type\" is \"All files\"), then check the folder again",
        ));
        if listing.folders.is_empty() {
            return;
        }
    }
    for file in &listing.yaml {
        out.push(Item::problem(
            file,
            "a YAML file beside the case folders, in no case folder of its own, so it was not checked",
            "move it into its case folder (a folder of its own with the case's other files), \
             or out of the folder of case folders",
        ));
    }
    for (link, what) in &listing.links {
        out.push(Item::problem(
            link,
            format!(
                "{what}: links are not followed in a folder of case folders, so it was not checked"
            ),
            "name the folder itself on the command line, or move the case folder here",
        ));
    }
    if depth >= MAX_DEPTH {
        if !listing.folders.is_empty() {
            out.push(Item::problem(
                dir,
                format!(
                    "folders nest more than {MAX_DEPTH} deep here, so those below were not checked"
                ),
                "name the deeper folders on the command line",
            ));
        }
        return;
    }
    for folder in &listing.folders {
        walk(folder, depth + 1, out);
    }
}
