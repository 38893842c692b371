//! `--received-from FILE`: the LA's own record of when each request arrived, as CSV rows of
//! `path or UPN,date`. A header row is optional; dates are `YYYY-MM-DD` or `DD/MM/YYYY` (as a
//! UK spreadsheet saves them). Bad rows are errors located at their line.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;

/// The most rows read from the file: a term's requests are hundreds.
pub const MAX_ROWS: usize = 1_000_000;
/// The longest path or UPN a row of `--received-from` may give.
const MAX_KEY_BYTES: usize = 4096;

/// Why `--received-from` cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ReceivedFromError {
    #[error(
        "--received-from {} is larger than 64 MB; it should hold one short row per request",
        path.display()
    )]
    TooLarge { path: std::path::PathBuf },
    #[error("cannot read --received-from {}: {error}", path.display())]
    Unreadable {
        path: std::path::PathBuf,
        error: crate::read::ReadError,
    },
    /// Every bad row, each on a line of its own.
    #[error(
        "--received-from has {} bad {}:\n  {}",
        rows.len(),
        if rows.len() == 1 { "row" } else { "rows" },
        rows.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n  ")
    )]
    BadRows { rows: Vec<BadRow> },
}

/// For callers whose errors are still messages.
impl From<ReceivedFromError> for String {
    fn from(e: ReceivedFromError) -> String {
        e.to_string()
    }
}

/// One bad row, located as `FILE:LINE: what is wrong`. No value of the file is quoted: it is
/// read before any case, so no redactor yet knows what in it may be a protected address.
#[derive(Debug, thiserror::Error)]
pub enum BadRow {
    #[error("{name}: more than {MAX_ROWS} rows")]
    TooMany { name: String },
    #[error("{name}:{line}: this row cannot be read: {error}")]
    Unreadable {
        name: String,
        line: usize,
        error: csv::Error,
    },
    #[error("{name}:{line}: a row has two values, `path or UPN,date`; this one has {count}")]
    Values {
        name: String,
        line: usize,
        count: usize,
    },
    #[error(
        "{name}:{line}: the row is longer than a path or UPN and a date can be (at most \
         {MAX_KEY_BYTES} bytes for the path)"
    )]
    TooLong { name: String, line: usize },
    #[error(
        "{name}:{line}: the second value is not a date; write YYYY-MM-DD (2026-01-15) or \
         DD/MM/YYYY (15/01/2026)"
    )]
    NotADate { name: String, line: usize },
    #[error("{name}:{line}: the row has a date but no path or UPN")]
    NoKey { name: String, line: usize },
    #[error(
        "{name}:{line}: the path or UPN of this row is given {date} here and {other} on line \
         {first}"
    )]
    Twice {
        name: String,
        line: usize,
        date: NaiveDate,
        other: NaiveDate,
        first: usize,
    },
}

/// The dates of receipt, by UPN and by path.
#[derive(Debug, Default)]
pub struct ReceivedFrom {
    by_upn: HashMap<String, (NaiveDate, usize)>,
    by_path: HashMap<String, (NaiveDate, usize)>,
}

/// Whether `text` is a UPN: a letter and twelve more letters or digits.
fn upn_key(text: &str) -> Option<String> {
    let upn: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    let ok = upn.len() == 13
        && upn.starts_with(|c: char| c.is_ascii_alphabetic())
        && upn.chars().all(|c| c.is_ascii_alphanumeric());
    ok.then_some(upn)
}

/// A path as a key: `/` separators, no leading `./`, no trailing `/`.
fn path_key(text: &str) -> String {
    let mut key = text.trim().replace('\\', "/");
    while let Some(rest) = key.strip_prefix("./") {
        key = rest.to_string();
    }
    key.trim_end_matches('/').to_string()
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y"))
        .ok()
}

impl ReceivedFrom {
    /// Reads the file; `Err` lists every bad row as `FILE:LINE: what is wrong`.
    pub fn load(path: &Path) -> Result<ReceivedFrom, ReceivedFromError> {
        let bytes = crate::read::read_capped(path, 64 * 1024 * 1024).map_err(|e| match e {
            crate::read::ReadError::TooLarge { .. } => ReceivedFromError::TooLarge {
                path: path.to_path_buf(),
            },
            error => ReceivedFromError::Unreadable {
                path: path.to_path_buf(),
                error,
            },
        })?;
        Self::parse(&bytes, &path.display().to_string())
    }

    /// Parses the CSV text; `name` is used in the located errors.
    pub fn parse(bytes: &[u8], name: &str) -> Result<ReceivedFrom, ReceivedFromError> {
        let name = name.to_string();
        let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .comment(Some(b'#'))
            .from_reader(bytes);
        let mut table = ReceivedFrom::default();
        let mut errors = Vec::new();
        for (index, record) in reader.records().enumerate() {
            if index >= MAX_ROWS {
                errors.push(BadRow::TooMany { name });
                break;
            }
            let record = match record {
                Ok(r) => r,
                Err(error) => {
                    let line = error.position().map_or(index + 1, |p| p.line() as usize);
                    errors.push(BadRow::Unreadable {
                        name: name.clone(),
                        line,
                        error,
                    });
                    continue;
                }
            };
            let line = record.position().map_or(index + 1, |p| p.line() as usize);
            if record.iter().all(str::is_empty) {
                continue;
            }
            if record.len() != 2 {
                errors.push(BadRow::Values {
                    name: name.clone(),
                    line,
                    count: record.len(),
                });
                continue;
            }
            let (key, date) = (&record[0], &record[1]);
            // A path or a UPN is short; a longer value is no row of the LA's record, and is
            // never read further nor printed whole.
            if key.len() > MAX_KEY_BYTES || date.len() > 64 {
                errors.push(BadRow::TooLong {
                    name: name.clone(),
                    line,
                });
                continue;
            }
            let Some(date) = parse_date(date) else {
                // The first row may be a header (`case,received`).
                if index == 0 {
                    continue;
                }
                // The value is not quoted: this file is read before any case, so no redactor
                // yet knows what in it may be a protected address.
                errors.push(BadRow::NotADate {
                    name: name.clone(),
                    line,
                });
                continue;
            };
            if key.is_empty() {
                errors.push(BadRow::NoKey {
                    name: name.clone(),
                    line,
                });
                continue;
            }
            let (map, key) = match upn_key(key) {
                Some(upn) => (&mut table.by_upn, upn),
                None => (&mut table.by_path, path_key(key)),
            };
            if let Some((other, first)) = map.get(&key) {
                if *other != date {
                    errors.push(BadRow::Twice {
                        name: name.clone(),
                        line,
                        date,
                        other: *other,
                        first: *first,
                    });
                }
                continue;
            }
            map.insert(key, (date, line));
        }
        if errors.is_empty() {
            Ok(table)
        } else {
            Err(ReceivedFromError::BadRows { rows: errors })
        }
    }

    /// The date for a case shown as `shown` (its path, or `archive › folder`), that arrived as the
    /// file or folder `item`, with this UPN; with the line of the row that gave it. A path row
    /// matches the whole path or its last parts (`ava.pdf` matches `term/ava.pdf`); a UPN row
    /// matches the pupil. A path row wins over a UPN row.
    pub fn date_for(
        &self,
        shown: &str,
        item: &Path,
        upn: Option<&str>,
    ) -> Option<(NaiveDate, usize)> {
        let shown_key = path_key(shown);
        if let Some(hit) = self.by_path.get(&shown_key) {
            return Some(*hit);
        }
        let parts: Vec<String> = item
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .filter(|c| c != "." && c != "/")
            .collect();
        for start in 0..parts.len() {
            if let Some(hit) = self.by_path.get(&parts[start..].join("/")) {
                return Some(*hit);
            }
        }
        upn.and_then(upn_key)
            .and_then(|u| self.by_upn.get(&u))
            .copied()
    }

    /// Every row's key and line, for telling which rows matched no case.
    pub fn rows(&self) -> impl Iterator<Item = (&str, usize)> {
        self.by_upn
            .iter()
            .chain(self.by_path.iter())
            .map(|(k, (_, line))| (k.as_str(), *line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_optional_both_date_styles_upn_and_paths() {
        let t = ReceivedFrom::parse(
            b"case,received\nterm/ava.pdf,2026-01-05\nB123456789012, 07/01/2026\n",
            "r.csv",
        )
        .unwrap();
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            t.date_for("x/term/ava.pdf", Path::new("x/term/ava.pdf"), None),
            Some((d("2026-01-05"), 2))
        );
        assert_eq!(
            t.date_for("other.pdf", Path::new("other.pdf"), Some("b123 4567 89012")),
            Some((d("2026-01-07"), 3))
        );
        assert_eq!(t.date_for("ava.pdf", Path::new("ava.pdf"), None), None);
    }

    #[test]
    fn bad_rows_are_located() {
        let e = ReceivedFrom::parse(
            b"ava.pdf,2026-01-05\nbob.pdf,2026-13-01\ncat.pdf\nava.pdf,2026-01-06\n",
            "r.csv",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("r.csv:2: the second value is not a date"), "{e}");
        assert!(e.contains("r.csv:3: a row has two values"), "{e}");
        assert!(
            e.contains(
                "r.csv:4: the path or UPN of this row is given 2026-01-06 here and 2026-01-05 \
                 on line 1"
            ),
            "{e}"
        );
        // No value of the file is quoted: it is read before any case's redactor exists.
        assert!(!e.contains("ava.pdf") && !e.contains("2026-13-01"), "{e}");
    }
}
