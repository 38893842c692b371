//! The gate: text that may leave the process is a [`Redacted`], which only the privacy module
//! makes; and the small helpers every printer uses on it.

use std::fmt;
use std::ops::Deref;
use std::path::Path;

use serde::Serialize;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// What is printed in place of a protected address or any part of it.
pub const WITHHELD: &str = "[address withheld]";

/// Text that has passed through a [`Redactor`]: the only kind of text the printers take.
///
/// Only the privacy module can make one, so holding a `Redacted` proves the redactor has seen it.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Redacted(pub(super) String);

impl Redacted {
    /// Text written into the program itself (labels, rule ids), never read from input.
    pub fn literal(text: &'static str) -> Redacted {
        Redacted(text.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// For a terminal: control characters, escape sequences and bidirectional overrides shown
    /// escaped (see [`terminal_safe`]).
    pub fn for_terminal(&self) -> String {
        terminal_safe(&self.0)
    }
}

impl Deref for Redacted {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Redacted> for String {
    fn from(r: Redacted) -> String {
        r.0
    }
}

impl PartialEq<str> for Redacted {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Redacted {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// Text from input made safe to write to a terminal: every control character (other than tab),
/// every format character that can reorder or hide text (bidirectional overrides and isolates,
/// zero-width characters) and the line and paragraph separators are shown as `\u{..}`, so an
/// escape sequence or a bidi override in a case file can never act on the reader's terminal.
/// The one function every terminal printer uses.
pub fn terminal_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c != '\t' && needs_escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || is_noncharacter(c)
        || matches!(
            c.general_category(),
            GeneralCategory::Format
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
        )
}

/// The 66 code points Unicode keeps out of text (U+FDD0 to U+FDEF, and the last two of every
/// plane, U+FFFE and U+FFFF among them): XML 1.0 forbids the last two of the first plane, and
/// no reader should be handed any of them raw.
fn is_noncharacter(c: char) -> bool {
    let c = c as u32;
    (0xFDD0..=0xFDEF).contains(&c) || c & 0xFFFE == 0xFFFE
}

/// Marks the start and end of a quoted value that may be cut short (private-use characters).
const QUOTE_OPEN: char = '\u{F8F0}';
const QUOTE_CLOSE: char = '\u{F8F1}';
/// How many characters of a quoted value a message shows.
const QUOTE_CHARS: usize = 40;

/// A value to quote in a message, cut to 40 characters: the cut is made by the redactor after it
/// has redacted the whole message, so a cut can never break an address apart and let half of it
/// through.
pub fn quote(value: &str) -> String {
    let value: String = value
        .chars()
        .filter(|c| *c != QUOTE_OPEN && *c != QUOTE_CLOSE)
        .collect();
    format!("{QUOTE_OPEN}{value}{QUOTE_CLOSE}")
}

/// Cuts each quoted value to its length and removes the marks (any stray mark too).
pub(super) fn cut_quotes(text: &str) -> String {
    // Most text has no marks: copied whole (a pack's text is redacted three times, and a long
    // one is megabytes), found by a byte search rather than character by character.
    if !text.contains(QUOTE_OPEN) && !text.contains(QUOTE_CLOSE) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut inside: Option<usize> = None;
    for c in text.chars() {
        match (c, inside) {
            (QUOTE_OPEN, _) => inside = Some(0),
            (QUOTE_CLOSE, Some(n)) => {
                if n > QUOTE_CHARS {
                    out.push_str("...");
                }
                inside = None;
            }
            (QUOTE_CLOSE, None) => {}
            (c, Some(n)) => {
                if n < QUOTE_CHARS {
                    out.push(c);
                }
                inside = Some(n + 1);
            }
            (c, None) => out.push(c),
        }
    }
    if inside.is_some_and(|n| n > QUOTE_CHARS) {
        out.push_str("...");
    }
    out
}

/// A path as text for output: lossy where it is not UTF-8 (an invalid byte becomes U+FFFD).
pub fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}
