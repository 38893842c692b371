//! What a file's name says: whether it is read as a case document, and a file meant as one but
//! saved under another name (`plan-1.yaml.txt`, `pupil.yml.docx`, `~$pupil.yaml`), named beside
//! the documents rather than ignored.

use std::path::Path;

use crate::load::kind::Kind;
use crate::load::yaml;

/// Whether a file name is read as a case document: it ends in `.yaml` or `.yml` (any case),
/// and it is neither hidden (`.name`) nor the lock file Office leaves beside an open document
/// (`~$name`). The batch finder uses the same test.
pub fn is_yaml_name(name: &Path) -> bool {
    let text = name.to_string_lossy();
    !text.starts_with('.')
        && !text.starts_with("~$")
        && name
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// The usual names of case documents (`plan-1`, `pupil`, ...), without their extension.
fn is_document_stem(stem: &str) -> bool {
    let stem = stem.trim().to_lowercase();
    Kind::ALL.iter().any(|k| {
        stem == k.name()
            || stem.strip_prefix(k.name()).is_some_and(|rest| {
                rest.trim_start_matches([' ', '-', '_'])
                    .chars()
                    .all(|c| c.is_ascii_digit())
            })
    })
}

/// Extensions a word processor or a plain-text editor gives a file saved from it.
const SAVED_AS: &[&str] = &["txt", "text", "docx", "doc", "rtf", "odt", "pages", "md"];

/// A file beside the case documents whose name shows it was meant to be one, and why it was
/// not read (with the fix): `plan-1.yaml.txt` (Notepad's default), `pupil.yml.docx`,
/// `Plan 1.YAML ` (a trailing space), `needs.ymal`, `~$pupil.yaml` (a lock file), or a text
/// file that starts like a case document. `None` for any other file, which is left alone.
pub fn near_miss(dir: &Path, name: &Path) -> Option<(String, String)> {
    near_miss_with(name, || head_of(&dir.join(name)))
}

/// As [`near_miss`], with `head` giving the file's first [`HEAD_BYTES`] (a file in a folder or
/// in memory).
pub(crate) fn near_miss_with(
    name: &Path,
    head: impl FnOnce() -> Option<Vec<u8>>,
) -> Option<(String, String)> {
    let text = name.to_string_lossy();
    if is_yaml_name(name) || text.starts_with('.') {
        return None;
    }
    let shown = yaml::quoted(&text);
    if let Some(document) = text.strip_prefix("~$") {
        return Some((
            format!(
                "{shown} is the lock file Word (or another Office program) keeps while a \
                 document is open; it is not a case document and was not read"
            ),
            format!(
                "close {} in Word and the lock file goes away; if Word is closed, delete it",
                yaml::quoted(&format!("…{document}"))
            ),
        ));
    }
    let trimmed = text.trim_end_matches([' ', '.', '\u{a0}']).trim_start();
    if trimmed != text && is_yaml_name(Path::new(trimmed)) {
        return Some((
            format!(
                "{shown} ends in a space or a dot after `.yaml`, so it was not read as a case \
                 document"
            ),
            format!("rename it to {}", yaml::quoted(trimmed)),
        ));
    }
    let lower = text.to_lowercase();
    for inner in [".yaml.", ".yml."] {
        if let Some(at) = lower.find(inner) {
            let keep = &text[..at + inner.len() - 1];
            let extra = &text[at + inner.len() - 1..];
            return Some((
                format!(
                    "{shown} looks like a case document, but its name ends in {} after the \
                     `.yaml`, so it was not read",
                    yaml::quoted(extra)
                ),
                if SAVED_AS.contains(&extra[1..].to_lowercase().as_str())
                    && !extra.eq_ignore_ascii_case(".txt")
                {
                    format!(
                        "it was saved by a word processor: open it, copy its text into a \
                         plain-text editor and save that as {}",
                        yaml::quoted(keep)
                    )
                } else {
                    format!(
                        "rename it to {} (Notepad adds `.txt` unless \"Save as type\" is \"All \
                         files\"; in Windows Explorer, View > Show > File name extensions \
                         shows the whole name)",
                        yaml::quoted(keep)
                    )
                },
            ));
        }
    }
    let (stem, extension) = match text.rsplit_once('.') {
        Some((stem, ext)) => (stem, ext),
        None => (text.as_ref(), ""),
    };
    let ext = extension.to_lowercase();
    let misspelt = ext.starts_with('y')
        && ["yaml", "yml"]
            .iter()
            .any(|good| strsim::damerau_levenshtein(&ext, good) == 1);
    if misspelt {
        return Some((
            format!(
                "{shown} ends in {} rather than `.yaml`, so it was not read",
                yaml::quoted(&format!(".{extension}"))
            ),
            format!("rename it to {}", yaml::quoted(&format!("{stem}.yaml"))),
        ));
    }
    let saved_as = SAVED_AS.contains(&ext.as_str()) || ext.is_empty();
    if saved_as && (is_document_stem(stem) || head().is_some_and(|h| starts_like_a_document(&h))) {
        let plain_text = matches!(ext.as_str(), "txt" | "text" | "md" | "");
        return Some((
            format!(
                "{shown} looks like a case document, but its name does not end in `.yaml`, so \
                 it was not read"
            ),
            if plain_text {
                format!("rename it to {}", yaml::quoted(&format!("{stem}.yaml")))
            } else {
                format!(
                    "it was saved by a word processor: open it, copy its text into a plain-text \
                     editor and save that as {}",
                    yaml::quoted(&format!("{stem}.yaml"))
                )
            },
        ));
    }
    None
}

/// How much of a file is read to tell whether it starts like a case document.
pub(crate) const HEAD_BYTES: usize = 4096;

/// The first [`HEAD_BYTES`] of a file, read through the one capped reader.
fn head_of(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let (file, _) = crate::read::open_file(path).ok()?;
    let mut head = Vec::new();
    file.take(HEAD_BYTES as u64).read_to_end(&mut head).ok()?;
    Some(head)
}

/// Whether a plain file's first bytes start like a case document (a `format: ehcpack/1` or
/// `kind:` line).
fn starts_like_a_document(head: &[u8]) -> bool {
    String::from_utf8_lossy(head).lines().any(|l| {
        let l = l.trim_start_matches('\u{feff}').trim();
        l.starts_with("format: ehcpack/")
            || l.strip_prefix("kind:")
                .is_some_and(|k| Kind::from_name(k.trim()).is_some())
    })
}
