//! Writing the files ehcpack makes (the pack PDF): only ever an ordinary file, through a
//! temporary file that only its owner may read, so that the target is either the whole new file
//! or untouched, and no copy of a child's data is ever left readable by others.
//!
//! - `-o` naming a folder, a device, a pipe or a symbolic link is refused before any work.
//! - The temporary file is made in the target's folder (so the final rename is atomic), with
//!   mode 0600 on Unix, and removed on every failure path (a guard removes it when dropped).
//! - While it is written, the temporary file is locked (`File::try_lock`, an advisory lock on
//!   Unix, `LockFileEx` on Windows). A later run removes every temporary file of the same
//!   target that it can lock: the process that made it is gone (killed part way), since a lock
//!   ends with its process. No process table (`/proc`) is read, so this works everywhere.
//! - The rename replaces an existing pack on every platform: `std::fs::rename` documents that on
//!   Windows it replaces an existing file (`SetFileInformationByHandle` with
//!   `FILE_RENAME_FLAG_REPLACE_IF_EXISTS`, or `MoveFileExW` with `MOVEFILE_REPLACE_EXISTING`).
//!   The temporary file's handle, and so its lock, is closed before the rename, as Windows
//!   cannot rename a file that is open.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Why a file was not written. The messages name the file as the user gave it.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error(
        "{} is a symbolic link; ehcpack writes only ordinary files, so give the real file's name",
        path.display()
    )]
    Link { path: PathBuf },
    #[error(
        "{} is a folder; give the PDF's file name, e.g. {}",
        path.display(),
        path.join("pack.pdf").display()
    )]
    Folder { path: PathBuf },
    #[error(
        "{} is not an ordinary file (a device, pipe or socket); give the name of a PDF file to \
         write",
        path.display()
    )]
    NotAFile { path: PathBuf },
    #[error("{} is not a file name", path.display())]
    NoFileName { path: PathBuf },
    #[error("cannot write {}: {error}", path.display())]
    Write { path: PathBuf, error: io::Error },
    #[error("cannot make a file name: {0}")]
    Random(getrandom::Error),
    #[error("cannot lock the temporary file in {}: {error}", dir.display())]
    Lock {
        dir: PathBuf,
        error: fs::TryLockError,
    },
    #[error("cannot write into {}: {error}", dir.display())]
    Create { dir: PathBuf, error: io::Error },
}

/// For callers whose errors are still messages.
impl From<OutputError> for String {
    fn from(e: OutputError) -> String {
        e.to_string()
    }
}

/// Refuses a target that is not a plain file name to (re)write: a folder, a device, a pipe, a
/// socket or a symbolic link (whose target could be anything). A target that does not exist yet
/// is fine.
pub fn check_target(target: &Path) -> Result<(), OutputError> {
    let Ok(meta) = fs::symlink_metadata(target) else {
        return Ok(());
    };
    let file_type = meta.file_type();
    let path = target.to_path_buf();
    Err(if file_type.is_symlink() {
        OutputError::Link { path }
    } else if file_type.is_dir() {
        OutputError::Folder { path }
    } else if file_type.is_file() {
        return Ok(());
    } else {
        OutputError::NotAFile { path }
    })
}

/// A temporary file that is removed when dropped, unless it was renamed into place.
struct Temporary {
    path: PathBuf,
    file: Option<File>,
    renamed: bool,
}

impl Drop for Temporary {
    fn drop(&mut self) {
        drop(self.file.take());
        if !self.renamed {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Writes `bytes` to `target` through a private temporary file in the same folder, so that
/// `target` is either the whole new file or untouched. The finished file is readable by its
/// owner only (0600 on Unix): a pack holds a child's personal data.
pub fn write_atomically(target: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    check_target(target)?;
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .ok_or_else(|| OutputError::NoFileName {
            path: target.to_path_buf(),
        })?
        .to_string_lossy()
        .to_string();
    remove_leftovers(&dir, &name);
    let mut temporary = create_temporary(&dir, &name)?;
    let file = temporary.file.as_mut().expect("just created");
    file.write_all(bytes)
        .and_then(|_| file.sync_all())
        .map_err(|error| OutputError::Write {
            path: target.to_path_buf(),
            error,
        })?;
    // The lock ends with the handle; the file is complete, so nothing is lost if a clean-up
    // of another run removed it now (the rename below would then fail, and say so).
    drop(temporary.file.take());
    // Checked again at the last moment: a link or device put there meanwhile is not replaced.
    check_target(target)?;
    fs::rename(&temporary.path, target).map_err(|error| OutputError::Write {
        path: target.to_path_buf(),
        error,
    })?;
    temporary.renamed = true;
    Ok(())
}

/// The prefix and suffix of the temporary files for the target `name`.
fn temporary_affixes(name: &str) -> (String, &'static str) {
    (format!(".{name}."), ".tmp")
}

fn create_temporary(dir: &Path, name: &str) -> Result<Temporary, OutputError> {
    let (prefix, suffix) = temporary_affixes(name);
    let mut attempt = 0u32;
    loop {
        let mut random = [0u8; 6];
        getrandom::fill(&mut random).map_err(OutputError::Random)?;
        let tag: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let path = dir.join(format!("{prefix}{tag}{suffix}"));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(&path) {
            Ok(file) => {
                let temporary = Temporary {
                    path,
                    file: Some(file),
                    renamed: false,
                };
                let file = temporary.file.as_ref().expect("just set");
                file.try_lock().map_err(|error| OutputError::Lock {
                    dir: dir.to_path_buf(),
                    error,
                })?;
                return Ok(temporary);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1;
            }
            Err(error) => {
                return Err(OutputError::Create {
                    dir: dir.to_path_buf(),
                    error,
                })
            }
        }
    }
}

/// Removes temporary files that an earlier run for the same target left when it was killed
/// part way: any that can be locked, as a lock ends with the process that held it.
fn remove_leftovers(dir: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let (prefix, suffix) = temporary_affixes(name);
    for entry in entries.filter_map(Result::ok) {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if !(file_name.starts_with(&prefix) && file_name.ends_with(suffix)) {
            continue;
        }
        let path = entry.path();
        // Only ordinary files this run could have made; never follow a link.
        if !fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
            continue;
        }
        let Ok(file) = OpenOptions::new().write(true).open(&path) else {
            continue;
        };
        if file.try_lock().is_ok() {
            // Closed first: Windows removes a file no one has open.
            drop(file);
            let _ = fs::remove_file(&path);
        }
    }
}

#[cfg(test)]
// Tests read their own fixtures directly.
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;

    #[test]
    fn a_live_writer_keeps_its_file_and_a_dead_ones_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let live = create_temporary(dir.path(), "pack.pdf").unwrap();
        // Left by a killed run: unlocked.
        let dead = dir.path().join(".pack.pdf.0123456789ab.tmp");
        fs::write(&dead, b"half a pack").unwrap();
        // Another target's file is not touched.
        let other = dir.path().join(".other.pdf.0123456789ab.tmp");
        fs::write(&other, b"x").unwrap();
        remove_leftovers(dir.path(), "pack.pdf");
        assert!(live.path.exists(), "a run under way keeps its file");
        assert!(!dead.exists());
        assert!(other.exists());
        let path = live.path.clone();
        drop(live);
        assert!(!path.exists(), "removed when dropped");
    }

    #[cfg(unix)]
    #[test]
    fn private_and_whole() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("pack.pdf");
        write_atomically(&target, b"%PDF-1.7 one").unwrap();
        write_atomically(&target, b"%PDF-1.7 two").unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"%PDF-1.7 two");
        let mode = fs::metadata(&target).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
