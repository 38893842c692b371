//! What the PATHs given to `validate` hold: case folders, pack PDFs, zip archives, and the
//! paths that cannot be checked (each a `case-structure` finding, so that one bad path never
//! stops the others). Case folders are found by [`super::folders`]; this adds the received
//! files beside them, and takes the list of every PATH at once ([`discover_all`]).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

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
/// links and stray files are found by [`super::folders::discover`], so a path that cannot be read,
/// a link, or a stray YAML file is an [`Item::Problem`] (a `case-structure` finding) while the
/// rest of the batch is checked.
pub fn discover(path: &Path) -> (Vec<Item>, bool) {
    let meta = fs::metadata(path);
    if meta.as_ref().is_ok_and(|m| m.is_file()) {
        if let Some(item) = Item::received_file(path) {
            return (vec![item], true);
        }
    }
    let found = super::folders::discover(path);
    let cases: BTreeSet<PathBuf> = found
        .items
        .iter()
        .filter_map(|i| match i {
            super::folders::Item::Case(p) => Some(p.clone()),
            super::folders::Item::Problem { .. } => None,
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
            super::folders::Item::Case(p) => Some(Item::Folder(p)),
            // "holds no case folder" is no problem when it holds packs or archives.
            super::folders::Item::Problem { path: p, .. } if p == path && !received.is_empty() => {
                None
            }
            super::folders::Item::Problem {
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

/// Every PATH named, none of which holds anything to check: why, one line a PATH.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .reasons.join("\n"))]
pub struct Unreadable {
    /// `cannot read PATH: why`, the path as reports show it.
    pub reasons: Vec<String>,
}

/// What every PATH holds, in the order given. Every PATH is looked at; one that cannot be read
/// is an [`Item::Problem`] and the others are checked. Only when none of them holds anything to
/// check is it an error.
pub fn discover_all(paths: &[PathBuf]) -> Result<Vec<Item>, Unreadable> {
    let mut items = Vec::new();
    let mut readable = false;
    for path in paths {
        let (found, ok) = discover(path);
        readable |= ok;
        items.extend(found);
    }
    if !readable {
        let reasons: Vec<String> = items
            .iter()
            .filter_map(|item| match item {
                Item::Problem { path, message, .. } => Some(format!(
                    "cannot read {}: {message}",
                    crate::privacy::path_text(path)
                )),
                _ => None,
            })
            .collect();
        return Err(Unreadable { reasons });
    }
    Ok(items)
}
