//! The one way ehcpack reads a file it was given: ordinary files only (never a device, a pipe or
//! a folder, so `/dev/zero` or a FIFO is refused at once instead of read without end), and never
//! more than a cap that each caller names. Case documents, profiles, templates and evidence files
//! all come through here, so a new kind of input cannot forget the limits.
//!
//! The caps themselves live beside what they limit (`case::MAX_DOCUMENT_BYTES`,
//! `profile::MAX_PROFILE_BYTES`, `render::templates::MAX_TEMPLATE_BYTES`,
//! `case::MAX_EVIDENCE_BYTES`) and are listed in SECURITY.md, "Limits and caps".

use std::fmt;
use std::fs::{self, File, Metadata};
use std::io::{self, Read};
use std::path::Path;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// It does not exist (or a folder on the way does not).
    NotFound,
    /// The operating system refused to open it.
    PermissionDenied,
    /// A folder, pipe, socket or device: never read.
    NotAFile,
    /// Larger than the cap: `size` bytes (at least), `cap` allowed.
    TooLarge { size: u64, cap: u64 },
    /// Any other failure of the operating system.
    Io(io::Error),
}

impl ReadError {
    fn from_io(e: io::Error) -> ReadError {
        match e.kind() {
            io::ErrorKind::NotFound => ReadError::NotFound,
            io::ErrorKind::PermissionDenied => ReadError::PermissionDenied,
            _ => ReadError::Io(e),
        }
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReadError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotFound => write!(f, "it does not exist"),
            ReadError::PermissionDenied => write!(f, "permission denied"),
            ReadError::NotAFile => write!(
                f,
                "it is not an ordinary file (a folder, pipe or device), so it was not read"
            ),
            ReadError::TooLarge { size, cap } => {
                write!(
                    f,
                    "it is {}; at most {} is read",
                    size_text(*size),
                    size_text(*cap)
                )
            }
            ReadError::Io(e) => write!(f, "{e}"),
        }
    }
}

/// A size as people say it: `512 KB`, `1.0 MB`, `2.0 GB`.
pub fn size_text(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * KB;
    const GB: u64 = 1024 * MB;
    if bytes >= GB {
        format!("{:.1} GB", bytes as f64 / GB as f64)
    } else if bytes >= MB {
        format!("{:.1} MB", bytes as f64 / MB as f64)
    } else if bytes >= KB {
        format!("{} KB", bytes.div_ceil(KB))
    } else {
        format!("{bytes} bytes")
    }
}

/// Opens an ordinary file for reading, refusing anything else before it is opened (opening a
/// FIFO would wait for a writer) and checking again on the open file. Returns the file and its
/// metadata (the size the caller checks against its cap).
pub fn open_file(path: &Path) -> Result<(File, Metadata), ReadError> {
    let meta = fs::metadata(path).map_err(ReadError::from_io)?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile);
    }
    open_looked_at(path)
}

/// As [`open_file`], for a path the caller has just looked at without following links
/// (`fs::symlink_metadata`) and found an ordinary file: the look before opening is that one.
fn open_looked_at(path: &Path) -> Result<(File, Metadata), ReadError> {
    // Without waiting: should the name become a FIFO between the look and the open, the open
    // returns at once instead of waiting for a writer (an ordinary file reads as usual).
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(ReadError::from_io)?;
    // What was opened, not what the name pointed to a moment ago.
    let meta = file.metadata().map_err(ReadError::from_io)?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile);
    }
    Ok((file, meta))
}

/// The whole of an ordinary file of at most `cap` bytes. A larger file is refused by its size
/// without reading it; one that grows past the cap while being read is refused too.
pub fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    read_opened(open_file(path)?, cap)
}

/// As [`read_capped`], for a path whose own metadata (`fs::symlink_metadata`, links not
/// followed) the caller has just read: when that says an ordinary file, it is not looked at a
/// second time before it is opened (it still is once open). A batch reads a dozen files a case.
pub fn read_capped_looked_at(
    path: &Path,
    cap: u64,
    looked: &Metadata,
) -> Result<Vec<u8>, ReadError> {
    let opened = if looked.file_type().is_file() {
        open_looked_at(path)?
    } else {
        open_file(path)?
    };
    read_opened(opened, cap)
}

/// As [`read_capped`], for a name a folder's listing has just shown as an ordinary file: opened
/// at once without following a link and without waiting (a link or pipe put in its place since
/// is refused, never followed or waited for), and checked again once open. `None` where the
/// system cannot open a file so (the caller reads it the usual way).
pub fn read_capped_listed(path: &Path, cap: u64) -> Option<Result<Vec<u8>, ReadError>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let opened = fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
            .open(path)
            .map_err(ReadError::from_io)
            .and_then(|file| {
                let meta = file.metadata().map_err(ReadError::from_io)?;
                if meta.is_file() {
                    Ok((file, meta))
                } else {
                    Err(ReadError::NotAFile)
                }
            });
        Some(opened.and_then(|opened| read_opened(opened, cap)))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, cap);
        None
    }
}

fn read_opened((file, meta): (File, Metadata), cap: u64) -> Result<Vec<u8>, ReadError> {
    if meta.len() > cap {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            cap,
        });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::from_io)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            cap,
        });
    }
    Ok(bytes)
}

/// Why a file was not read as text.
#[derive(Debug, thiserror::Error)]
pub enum ReadTextError {
    #[error(transparent)]
    Read(#[from] ReadError),
    /// A character had to be guessed: the line of the first, never the text itself.
    #[error("the file {problem} (line {line}); save it as UTF-8")]
    Encoding { problem: String, line: usize },
}

/// For callers whose errors are still messages.
impl From<ReadTextError> for String {
    fn from(e: ReadTextError) -> String {
        e.to_string()
    }
}

/// As [`read_capped`], as text read by the one decoder ([`crate::encoding`]: UTF-8, UTF-16 or
/// UTF-32). The error names the line of the first character that had to be guessed, never the
/// text itself.
pub fn read_text_capped(path: &Path, cap: u64) -> Result<String, ReadTextError> {
    let bytes = read_capped(path, cap)?;
    let decoded = crate::encoding::decode(&bytes);
    match decoded.problem() {
        None => Ok(decoded.into_text()),
        Some((problem, line, _)) => Err(ReadTextError::Encoding {
            problem: problem.to_string(),
            line,
        }),
    }
}

/// Streams an ordinary file of at most `cap` bytes through `consume`, a block at a time, in
/// constant memory (for hashing evidence files of any size). Returns the number of bytes read.
pub fn stream_capped(
    path: &Path,
    cap: u64,
    mut consume: impl FnMut(&[u8]),
) -> Result<u64, ReadError> {
    let (file, meta) = open_file(path)?;
    if meta.len() > cap {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            cap,
        });
    }
    let mut reader = file.take(cap + 1);
    let mut block = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut block) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ReadError::from_io(e)),
        };
        total += n as u64;
        if total > cap {
            return Err(ReadError::TooLarge { size: total, cap });
        }
        consume(&block[..n]);
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_and_refusals() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.yaml");
        fs::write(&file, "0123456789").unwrap();
        assert_eq!(read_capped(&file, 10).unwrap(), b"0123456789");
        assert!(matches!(
            read_capped(&file, 9),
            Err(ReadError::TooLarge { size: 10, cap: 9 })
        ));
        assert!(matches!(
            read_capped(dir.path(), 10),
            Err(ReadError::NotAFile)
        ));
        assert!(matches!(
            read_capped(&dir.path().join("missing"), 10),
            Err(ReadError::NotFound)
        ));
        let mut seen = 0;
        assert_eq!(stream_capped(&file, 10, |b| seen += b.len()).unwrap(), 10);
        assert_eq!(seen, 10);
        assert_eq!(size_text(1024 * 1024), "1.0 MB");
        assert_eq!(size_text(300), "300 bytes");
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_refused_at_once() {
        for device in ["/dev/zero", "/dev/urandom", "/dev/null"] {
            assert!(matches!(
                read_capped(Path::new(device), 1024),
                Err(ReadError::NotAFile)
            ));
        }
    }
}
