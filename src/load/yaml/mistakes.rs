//! The mistakes people really make in a YAML file, explained at their line: stray characters
//! (tabs, no-break spaces, invisible characters, a byte-order mark mid-file) named by their code
//! point, curly quotes, and a key without its colon.

use super::{Pos, SyntaxError};

/// At most this many stray characters are named per file (the rest are the same mistake).
pub(super) const MAX_STRAY: usize = 20;

/// What a character is called in a message: `a non-breaking space (U+00A0)`.
pub(super) fn character_name(c: char) -> String {
    let name = match c {
        '\u{00A0}' => "a non-breaking space",
        '\u{202F}' => "a narrow non-breaking space",
        '\u{2007}' => "a figure space",
        '\t' => "a tab",
        '\u{FEFF}' => "a byte-order mark",
        '\u{200B}' => "a zero-width space",
        '\u{2060}' => "a word joiner",
        '\u{180E}' => "a Mongolian vowel separator",
        '\u{00AD}' => "a soft hyphen",
        '\u{2028}' => "a line separator",
        '\u{2029}' => "a paragraph separator",
        '\u{FFFC}' => "an object replacement character",
        '\u{FFFD}' => "a replacement character (text that was damaged when it was converted)",
        '\u{2018}' => "a curly opening single quote",
        '\u{2019}' => "a curly closing single quote",
        '\u{201C}' => "a curly opening double quote",
        '\u{201D}' => "a curly closing double quote",
        '\u{201E}' => "a low double quote",
        c if c.is_control() => "a control character",
        c if c.is_whitespace() => "a special space",
        _ => "a character",
    };
    format!("{name} (U+{:04X})", c as u32)
}

/// Characters nobody types on purpose in a case file and nobody can see: always an error.
pub(super) fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{FEFF}'
            | '\u{200B}'
            | '\u{2060}'
            | '\u{180E}'
            | '\u{00AD}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{FFFC}'
            | '\u{FFFD}'
    ) || (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// A space that YAML does not count as one (only the space and the tab are), pasted from a
/// word processor. Harmless inside text; in the indentation or after a `:` or `-` it breaks the
/// structure without being seen.
fn is_other_space(c: char) -> bool {
    c != ' ' && c != '\t' && c != '\n' && c != '\r' && c.is_whitespace() && !is_invisible(c)
}

/// Each stray character of `text`, located (line and column counted in characters, from 1):
/// the invisible ones anywhere, and apart from them the tabs and pasted spaces where YAML's
/// structure is (the indentation, after a `key:` or a list's `-`), which matter only when the
/// file does not read.
pub(super) fn stray_characters(text: &str) -> (Vec<SyntaxError>, Vec<SyntaxError>) {
    let mut invisible = Vec::new();
    let mut structural = Vec::new();
    for (number, line) in lines_not_ascii(text) {
        let line = line.strip_suffix('\r').unwrap_or(line);
        // Printable ASCII holds no invisible character, no tab and no other space: most lines
        // of most files are read no further.
        if line.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            continue;
        }
        let chars: Vec<char> = line.chars().collect();
        let indent_end = chars
            .iter()
            .position(|c| !(*c == ' ' || *c == '\t' || is_other_space(*c)))
            .unwrap_or(chars.len());
        let comment = chars.get(indent_end) == Some(&'#');
        let after_key = key_colon(&chars[indent_end..]).map(|k| indent_end + k + 1);
        let after_dash = chars[indent_end..]
            .iter()
            .position(|c| *c != '-')
            .filter(|n| *n > 0)
            .map(|n| indent_end + n);
        // The run of spaces that follows a `key:` or a `-`, worked out once per line (a line
        // of a million spaces stays linear).
        let run = |start: Option<usize>| {
            start.map_or(0..0, |k| {
                let len = chars[k..]
                    .iter()
                    .take_while(|c| is_other_space(**c) || **c == '\t')
                    .count();
                k..k + len
            })
        };
        let (after_key, after_dash) = (run(after_key), run(after_dash));
        for (i, &c) in chars.iter().enumerate() {
            let pos = Pos {
                line: number,
                column: i + 1,
            };
            let structural_place =
                !comment && (i < indent_end || after_key.contains(&i) || after_dash.contains(&i));
            if is_invisible(c) {
                if invisible.len() < MAX_STRAY {
                    invisible.push(SyntaxError {
                        pos,
                        message: format!(
                            "{} is here: it cannot be seen, and changes what the file says",
                            character_name(c)
                        ),
                        help: "delete it: put the cursor just after it and press Backspace \
                               (pasting from Word or a web page brings these in; paste as plain \
                               text)"
                            .into(),
                    });
                }
            } else if structural_place && structural.len() < MAX_STRAY {
                if c == '\t' {
                    structural.push(SyntaxError {
                        pos,
                        message: format!(
                            "{} is used to indent or to separate a field from its value",
                            character_name(c)
                        ),
                        help: "YAML reads spaces only: replace the tab with spaces (set your \
                               editor to insert spaces for the Tab key)"
                            .into(),
                    });
                } else if is_other_space(c) {
                    structural.push(SyntaxError {
                        pos,
                        message: format!(
                            "{} is used where YAML needs an ordinary space (pasted from Word \
                             or a web page?)",
                            character_name(c)
                        ),
                        help: "delete it and type an ordinary space; it looks the same, but \
                               YAML does not read it as a space"
                            .into(),
                    });
                }
            }
        }
    }
    (invisible, structural)
}

/// The lines of `text` (each numbered from 1, without its `\n`) that hold a byte other than
/// printable ASCII. Printable ASCII holds no invisible character, no tab and no other space, so
/// the rest of the file (most of most files) is only scanned, never split into lines.
fn lines_not_ascii(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    let (mut at, mut number, mut counted) = (0, 1, 0);
    std::iter::from_fn(move || {
        let found = at + first_not_plain(bytes.get(at..)?)?;
        let start = bytes[..found]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let end = bytes[found..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(bytes.len(), |i| found + i);
        number += bytes[counted..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        counted = start;
        at = end + 1;
        // Both ends are at a `\n` or an end of the text: character boundaries.
        Some((number, &text[start..end]))
    })
}

/// Where the first byte other than printable ASCII or `\n` is. Blocks of 32 bytes are tested
/// whole, without stopping inside one, which the compiler turns into a few vector instructions.
fn first_not_plain(bytes: &[u8]) -> Option<usize> {
    let plain = |b: u8| (0x20..0x7f).contains(&b) || b == b'\n';
    let mut start = 0;
    for block in bytes.chunks_exact(32) {
        if !block.iter().fold(true, |all, b| all & plain(*b)) {
            break;
        }
        start += 32;
    }
    bytes[start..]
        .iter()
        .position(|b| !plain(*b))
        .map(|i| start + i)
}

/// If `rest` (a line after its indentation, and after any list dashes) starts with a field
/// name and its colon, the index of the colon.
fn key_colon(rest: &[char]) -> Option<usize> {
    let start = rest
        .iter()
        .position(|c| !(*c == '-' || *c == ' ' || *c == '\t' || is_other_space(*c)))?;
    let mut i = start;
    while i < rest.len() && (rest[i].is_alphanumeric() || rest[i] == '_') {
        i += 1;
    }
    (i > start && rest.get(i) == Some(&':')).then_some(i)
}

/// A better account of why a file does not read: the line that lacks its colon, or the curly
/// quotes that YAML does not read as quotes; else the parser's own message.
pub(super) fn explain(text: &str, error: SyntaxError) -> SyntaxError {
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let at = error.pos.line.clamp(1, lines.len().max(1));
    // The lines with content from the parser's place back up to the last field that read.
    let candidates: Vec<usize> = (1..=at)
        .rev()
        .filter(|n| {
            let t = lines.get(n - 1).map_or("", |l| l.trim());
            !t.is_empty() && !t.starts_with('#')
        })
        .take(4)
        .collect();
    // Nearest line first: the mistake is where the parser stopped or just before.
    for &n in &candidates {
        if let Some(e) = curly_quotes(lines[n - 1], n).or_else(|| missing_colon(&lines, n)) {
            return e;
        }
    }
    error
}

/// A value that opens with a curly quote on line `number`.
fn curly_quotes(line: &str, number: usize) -> Option<SyntaxError> {
    let chars: Vec<char> = line.chars().collect();
    let value_start = key_colon(&chars).map_or_else(
        || chars.iter().position(|c| !matches!(c, ' ' | '-'))?.into(),
        |k| Some(k + 1),
    )?;
    let offset = chars[value_start..].iter().position(|c| *c != ' ')?;
    let open = chars[value_start + offset];
    if !matches!(
        open,
        '\u{2018}' | '\u{201C}' | '\u{201E}' | '\u{2019}' | '\u{201D}'
    ) {
        return None;
    }
    // Curly quotes around text with no `: ` or ` #` in it break nothing (a child's words in
    // quotes read as text); only where real quotes were needed are they the mistake.
    let inside: String = chars[value_start + offset + 1..].iter().collect();
    if !(inside.contains(": ") || inside.contains(" #") || inside.trim_end().ends_with(':')) {
        return None;
    }
    Some(SyntaxError {
        pos: Pos {
            line: number,
            column: value_start + offset + 1,
        },
        message: format!(
            "this value starts with {}, which YAML does not read as a quote, so a `:` or `#` \
             inside it breaks the line",
            character_name(open)
        ),
        help: "type straight quotes (\" or ') around the value instead of curly ones (Word \
               changes them as you type: turn off \"smart quotes\", or paste as plain text)"
            .into(),
    })
}

/// Line `number` is a field name and its value with no colon between them (`middle Lee`), at
/// the indentation of the fields beside it.
fn missing_colon(lines: &[&str], number: usize) -> Option<SyntaxError> {
    let line = lines[number - 1];
    let indent = line.len() - line.trim_start_matches(' ').len();
    let rest = line[indent..].trim_start_matches("- ");
    let name_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let name = &rest[..name_len];
    let after = &rest[name_len..];
    let bare = after.trim().is_empty() || after.starts_with(' ');
    if name.is_empty()
        || !name.starts_with(|c: char| c.is_ascii_lowercase())
        || !bare
        || rest.contains(": ")
        || rest.ends_with(':')
    {
        return None;
    }
    // A field beside it (above or below, at the same indentation) says this is a field too,
    // not the second line of a long text.
    let sibling = |n: usize| {
        let l = lines[n];
        let i = l.len() - l.trim_start_matches(' ').len();
        let chars: Vec<char> = l[i..].chars().collect();
        i == indent && key_colon(&chars).is_some()
    };
    let beside = (0..number - 1).rev().find(|n| {
        let t = lines[*n].trim();
        !t.is_empty() && !t.starts_with('#')
    });
    let below = (number..lines.len()).find(|n| {
        let t = lines[*n].trim();
        !t.is_empty() && !t.starts_with('#')
    });
    if !beside.is_some_and(sibling) && !below.is_some_and(sibling) {
        return None;
    }
    let column = line[..indent + (line[indent..].len() - rest.len()) + name_len]
        .chars()
        .count()
        + 1;
    Some(SyntaxError {
        pos: Pos {
            line: number,
            column,
        },
        message: format!("the field `{name}` has no `:` after its name"),
        help: format!(
            "write a colon and a space after the name: `{name}:{}`",
            if after.trim().is_empty() {
                String::new()
            } else {
                format!(" {}", after.trim())
            }
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::lines_not_ascii;

    /// The lines handed on are those a split into lines would find not printable ASCII, with
    /// the same numbers.
    #[test]
    fn lines_not_ascii_are_numbered_as_the_file_s_lines() {
        for text in [
            "",
            "a: 1\n",
            "\tb\n",
            "a: 1\nb:\u{a0}2\n\nc: 3\r\nd\te\n",
            "é",
            "a\n\n\u{200b}\n",
            "x\r\ny\r\n",
        ] {
            let expected: Vec<(usize, &str)> = text
                .split('\n')
                .enumerate()
                .filter(|(_, l)| !l.bytes().all(|b| (0x20..0x7f).contains(&b)))
                .map(|(i, l)| (i + 1, l))
                .collect();
            assert_eq!(
                lines_not_ascii(text).collect::<Vec<_>>(),
                expected,
                "{text:?}"
            );
        }
    }

    #[test]
    fn the_first_byte_not_plain_is_found_in_any_block() {
        for len in [0, 1, 31, 32, 33, 64, 100] {
            let plain = "a: b\n".repeat(len).into_bytes();
            assert_eq!(super::first_not_plain(&plain), None);
            for at in [0, plain.len() / 2, plain.len().saturating_sub(1)] {
                if at < plain.len() {
                    let mut bytes = plain.clone();
                    bytes[at] = b'\t';
                    assert_eq!(super::first_not_plain(&bytes), Some(at), "{len} {at}");
                }
            }
        }
    }
}
