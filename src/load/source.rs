//! Where a case's files are read from: its folder on disk, or files already in memory (a
//! received pack's documents and reports, unpacked by `received`), so that a pack is checked
//! with nothing written to disk. The loader asks a [`Source`] the same questions either way
//! (what is at the top of the case, the first bytes of a file, a file's bytes within a cap), and
//! files in memory answer as the same files in a folder would.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// A case's files in memory: each file's path relative to the case folder, `/`-separated (no
/// empty, `.` or `..` part: [`crate::manifest::is_safe_relative_path`]), and its bytes.
pub type Files = BTreeMap<String, Vec<u8>>;

/// Where a case is read from.
#[derive(Clone, Copy)]
pub enum Source<'a> {
    /// A case folder, with the text of some of its files given instead of read (a form's unsaved
    /// answers in `ehcpack serve`).
    Folder {
        root: &'a Path,
        overrides: &'a [(PathBuf, String)],
    },
    /// Files in memory, shown under `shown` (the received pack they came from).
    Memory { shown: &'a Path, files: &'a Files },
}

/// What is at a path of a case in memory.
pub enum Found<'a> {
    File(&'a [u8]),
    Folder,
    Missing,
}

impl<'a> Source<'a> {
    /// The case folder, or the received file the case came from: what the case is shown as.
    pub fn root(&self) -> &'a Path {
        match self {
            Source::Folder { root, .. } => root,
            Source::Memory { shown, .. } => shown,
        }
    }

    /// The names at the top of the case in memory, each with whether it is a folder, in the
    /// order a folder's listing is read.
    pub fn memory_entries(files: &Files) -> Vec<(PathBuf, bool)> {
        let mut all: Vec<(PathBuf, bool)> = files
            .keys()
            .map(|path| match path.split_once('/') {
                Some((folder, _)) => (PathBuf::from(folder), true),
                None => (PathBuf::from(path), false),
            })
            .collect();
        all.sort();
        all.dedup();
        all
    }
}

/// What is at `path` (relative, as a case names it) among files in memory, found as the
/// operating system would find it in a folder: `.` parts and repeated `/` are nothing, a
/// folder is any path some file is under, and a file named with a `/` after it is not found.
pub fn find<'a>(files: &'a Files, path: &str) -> Found<'a> {
    let parts: Vec<&str> = Path::new(path)
        .components()
        .filter_map(|c| match c {
            Component::Normal(p) => p.to_str(),
            _ => None,
        })
        .collect();
    let key = parts.join("/");
    if key.is_empty() {
        return Found::Folder;
    }
    if let Some(bytes) = files.get(&key) {
        // `reports/a.pdf/` asks for a folder: no file answers it.
        let folder_asked = path.ends_with('/') || path.ends_with("/.");
        return if folder_asked {
            Found::Missing
        } else {
            Found::File(bytes)
        };
    }
    let under = format!("{key}/");
    if files
        .range(under.clone()..)
        .next()
        .is_some_and(|(k, _)| k.starts_with(&under))
    {
        return Found::Folder;
    }
    Found::Missing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_in_memory_are_found_as_in_a_folder() {
        let mut files = Files::new();
        files.insert("pupil.yaml".into(), b"kind: pupil".to_vec());
        files.insert("reports/salt.pdf".into(), b"%PDF".to_vec());
        assert!(matches!(find(&files, "reports/salt.pdf"), Found::File(_)));
        assert!(matches!(
            find(&files, "./reports//salt.pdf"),
            Found::File(_)
        ));
        assert!(matches!(find(&files, "reports/salt.pdf/"), Found::Missing));
        assert!(matches!(find(&files, "reports"), Found::Folder));
        assert!(matches!(find(&files, "report"), Found::Missing));
        assert!(matches!(find(&files, "."), Found::Folder));
        assert_eq!(
            Source::memory_entries(&files),
            vec![
                (PathBuf::from("pupil.yaml"), false),
                (PathBuf::from("reports"), true)
            ]
        );
    }
}
