//! Why the templates could not be loaded or rendered. Each message is one line a person can
//! act on: the template, its line and the limit reached.

use std::path::PathBuf;

use super::{FUEL, MAX_OUTPUT_BYTES, MAX_RECURSION, MAX_TEMPLATE_FILES, TEMPLATES};
use crate::read::ReadTextError;

/// Why the templates could not be loaded or rendered.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot read the templates folder {}: {source}", .dir.display())]
    ReadFolder {
        dir: PathBuf,
        source: std::io::Error,
    },
    /// A folder of Tera templates from before the move to minijinja.
    #[error(
        "the templates folder {} has Tera templates (.tera); ehcpack's templates are Jinja \
         templates named .jinja now: docs/templates.md, \"From Tera\", says what to change",
        .dir.display()
    )]
    Tera { dir: PathBuf },
    #[error(
        "the templates folder {} has no .jinja files (the built-in names are: {})",
        .dir.display(),
        built_in_names()
    )]
    NoJinja { dir: PathBuf },
    #[error("the templates folder has {files} templates; at most {MAX_TEMPLATE_FILES} are read")]
    TooMany { files: usize },
    #[error("cannot read the template {}: {source}", .path.display())]
    ReadTemplate {
        path: PathBuf,
        source: ReadTextError,
    },
    /// A tag with a chain of operators too long for minijinja's parser ([`super::limits`]).
    #[error(
        "the template {name} has more than {max} operators and filters in one tag (line \
         {line}); split the expression with `set`",
        max = super::limits::MAX_OPERATORS
    )]
    Operators { name: String, line: usize },
    /// A template minijinja refused to parse (the description names the template and line).
    #[error("a template has an error: {0}")]
    Syntax(String),
    #[error("cannot start rendering the templates: {0}")]
    Start(std::io::Error),
    #[error("the templates did not finish within {seconds} s (a loop too large?)")]
    TimedOut { seconds: f64 },
    #[error(
        "the templates needed more than {megabytes} MB of memory; a pack needs far less, so a \
         template probably builds a value without end (a list joined to itself?)"
    )]
    Memory { megabytes: usize },
    #[error("the templates stopped without finishing")]
    Stopped,
    #[error("the templates wrote text that is not UTF-8")]
    NotUtf8,
    #[error(
        "the templates wrote more than {mb} MB of text ({at}); a pack is far smaller, so a \
         template probably loops over more than it means to",
        mb = MAX_OUTPUT_BYTES / (1024 * 1024)
    )]
    TooMuchText { at: String },
    #[error(
        "the templates ran out of fuel ({at}): a render may take {FUEL} steps or make about \
         {mb} MB of values, and a pack needs far less, so a template probably loops over more \
         than it means to or builds a value that keeps growing",
        mb = FUEL * 64 / 1_000_000
    )]
    OutOfFuel { at: String },
    #[error(
        "the templates call into themselves too deep ({at}): a macro that calls itself or an \
         include loop? (at most {MAX_RECURSION} levels)"
    )]
    TooDeep { at: String },
    /// Any other error minijinja reported while rendering (described with its place).
    #[error("the templates could not be rendered: {0}")]
    Render(String),
}

fn built_in_names() -> String {
    TEMPLATES.iter().map(|t| t.0).collect::<Vec<_>>().join(", ")
}
