//! One escaping table per output format, applied by every writer to every field it prints
//! (issue 18). Each starts from the table human output uses ([`terminal_safe`]: control
//! characters C0 and C1, ESC and BEL among them, format characters such as bidirectional
//! overrides, isolates and zero-width characters, line and paragraph separators, and
//! Unicode's noncharacters U+FFFE, U+FFFF and the rest, shown as `\u{1b}`), so no reader, a
//! terminal, a pull request's annotations, a browser or a spreadsheet, receives one raw; then
//! each adds its format's own syntax. Tabs stay (every format carries one as it is).
//!
//! A lone surrogate cannot be in a Rust string: the one decoder (`crate::encoding`) reads a
//! broken UTF-16 pair as U+FFFD, so XML's last forbidden class never reaches a writer.

use crate::privacy::terminal_safe;

/// JUnit XML text and attributes: after the common table every character left is one XML 1.0
/// allows (tab, and no other control); quick-junit escapes `<`, `&` and quotes.
pub fn xml(text: &str) -> String {
    terminal_safe(text)
}

/// SARIF message text: JSON's syntax is serde_json's; what a code-scanning page shows is
/// escaped as in human output.
pub fn sarif(text: &str) -> String {
    terminal_safe(text)
}

/// GitHub workflow command data (the annotation's message): GitHub's own escaping of `%`, CR
/// and LF after the common table, so a value can neither end the command nor start another
/// (`::add-mask::`), nor colour the log.
pub fn github_data(text: &str) -> String {
    github_syntax(&terminal_safe(text))
}

/// Lines ehcpack writes itself (message, help, source) joined for one annotation: each line
/// escaped, the joins kept as GitHub's `%0A`.
pub fn github_lines(lines: &[&str]) -> String {
    lines
        .iter()
        .map(|l| github_data(l))
        .collect::<Vec<_>>()
        .join("%0A")
}

/// A workflow command property (`file=`, `title=`): the data escaping, and `:` and `,`.
pub fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn github_syntax(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// HTML content and attribute values.
pub fn html(text: &str) -> String {
    let text = terminal_safe(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A CSV text cell: the common table, then a cell a spreadsheet would read as a formula (it
/// starts with `=`, `+`, `-`, `@`, a tab or a carriage return, as a file named
/// `=HYPERLINK(...).pdf`) gets a leading `'`, which spreadsheets show as text (OWASP's advice
/// for CSV injection). Quoting is the csv crate's.
pub fn csv(text: &str) -> String {
    let text = terminal_safe(text);
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_format_shows_what_it_cannot_carry() {
        let hostile = "a\u{1b}[31mb\u{202e}c\u{fffe}d\u{ffff}e\u{0}f\u{85}g\u{2028}h<i>&";
        assert_eq!(
            xml(hostile),
            "a\\u{1b}[31mb\\u{202e}c\\u{fffe}d\\u{ffff}e\\u{0}f\\u{85}g\\u{2028}h<i>&"
        );
        assert_eq!(
            html(hostile),
            "a\\u{1b}[31mb\\u{202e}c\\u{fffe}d\\u{ffff}e\\u{0}f\\u{85}g\\u{2028}h&lt;i&gt;&amp;"
        );
        assert_eq!(github_property("a:b,c%\n"), "a%3Ab%2Cc%25\\u{a}");
        assert_eq!(github_lines(&["one", "two"]), "one%0Atwo");
        assert_eq!(csv("=1+1"), "'=1+1");
        assert_eq!(csv("\u{1b}=1"), "\\u{1b}=1");
    }
}
