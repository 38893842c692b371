//! The templates that write the pack's wording, on minijinja (Jinja syntax; docs/templates.md).
//!
//! A school's or LA's own templates (`--templates`) are configuration, not code anyone reviews,
//! so a template that recurses, loops without end or builds a value that doubles must end with
//! a clear error, in bounded time and memory. minijinja bounds these itself, so ehcpack keeps no
//! sandbox of its own:
//!
//! - **fuel** ([`FUEL`]): every step costs one, and so does every 64 bytes of text or lists a
//!   template makes (values are refused before they are made when their size is known), so one
//!   budget bounds both the time and the memory of a render;
//! - **recursion** ([`MAX_RECURSION`]): a macro that calls itself or an `include` loop ends
//!   with an error, never a stack overflow; the parser refuses nesting past its own limit;
//! - **operators in one tag** ([`limits::MAX_OPERATORS`]): the one limit minijinja lacks;
//! - **no ambient functions**: minijinja has no function that reads the environment, the clock,
//!   chance or a file, and templates are only the ones ehcpack loaded;
//! - and ehcpack caps each file ([`MAX_TEMPLATE_BYTES`], [`MAX_TEMPLATE_FILES`]) and the output
//!   ([`MAX_OUTPUT_BYTES`]).
//!
//! Two gaps in minijinja 3.1 keep two of ehcpack's own limits: a flat chain of operators in
//! one tag overflows the stack ([`limits`]), and a list joined to itself (`l + l`) grows
//! without costing fuel, so the render runs on its own thread under a memory budget
//! ([`MAX_TEMPLATE_MEMORY`], kept by the program's allocator, [`crate::budget`]) and a time
//! limit ([`MAX_RENDER_SECONDS`]), as backstops behind the fuel.
//!
//! The built-in templates are compiled once per process ([`built_in`]); a templates folder adds
//! or replaces files in a copy of that environment, under the same limits.

mod error;
pub mod filters;
pub mod limits;

use std::borrow::Cow;
use std::cell::Cell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::OnceLock;
use std::time::Duration;

use minijinja::syntax::SyntaxConfig;
use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior};

pub use error::TemplateError;

/// The largest template file read.
pub const MAX_TEMPLATE_BYTES: u64 = 256 * 1024;
/// The most `.jinja` files read from a templates folder.
pub const MAX_TEMPLATE_FILES: usize = 64;
/// The most text the templates may write (the built-in ones write about 100 KB for a case).
pub const MAX_OUTPUT_BYTES: usize = 8 * 1024 * 1024;
/// The work one render may do, in minijinja's fuel: one per step, one per 64 bytes of data
/// made. 4,000,000 bounds the data a template makes to about 256 MB and a render to about a
/// second; the built-in templates use under 0.2% of it for a sample case and 1.3% for one with
/// 1 MB of text (bench/README.md).
pub const FUEL: u64 = 4_000_000;
/// A backstop behind the fuel: the longest a render may take (the built-in templates take a
/// few milliseconds; fuel ends any template within about a second).
pub const MAX_RENDER_SECONDS: u64 = 20;
/// A backstop behind the fuel: the most memory the templates' thread may hold at once, kept by
/// the program's allocator ([`crate::budget`]). Fuel does not count a list joined to itself
/// (`l + l` is lazy in minijinja until 32 joins deep, then made at once, uncharged), so 33
/// doublings would otherwise ask for 200 GB.
pub const MAX_TEMPLATE_MEMORY: usize = 256 * 1024 * 1024;
/// How deep macros, includes and blocks may call into each other while rendering (minijinja
/// counts an include or a macro call as several levels, a loop or condition as one).
pub const MAX_RECURSION: usize = 100;

/// The template rendered; it includes the rest.
pub const PACK: &str = "pack.jinja";

/// The built-in templates, by file name.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("pack.jinja", include_str!("../../../templates/pack.jinja")),
    (
        "cover.jinja",
        include_str!("../../../templates/cover.jinja"),
    ),
    (
        "checks.jinja",
        include_str!("../../../templates/checks.jinja"),
    ),
    (
        "details.jinja",
        include_str!("../../../templates/details.jinja"),
    ),
    (
        "needs.jinja",
        include_str!("../../../templates/needs.jinja"),
    ),
    (
        "views.jinja",
        include_str!("../../../templates/views.jinja"),
    ),
    (
        "plans.jinja",
        include_str!("../../../templates/plans.jinja"),
    ),
    (
        "attainment.jinja",
        include_str!("../../../templates/attainment.jinja"),
    ),
    (
        "professionals.jinja",
        include_str!("../../../templates/professionals.jinja"),
    ),
    (
        "reasons.jinja",
        include_str!("../../../templates/reasons.jinja"),
    ),
    (
        "consent.jinja",
        include_str!("../../../templates/consent.jinja"),
    ),
    (
        "evidence.jinja",
        include_str!("../../../templates/evidence.jinja"),
    ),
];

/// An environment with ehcpack's settings, limits and filters, and no templates.
fn configured() -> Environment<'static> {
    let mut env = Environment::new();
    // Tera kept a template's last line break; so does the pack markup.
    env.set_syntax(
        SyntaxConfig::builder()
            .keep_trailing_newline(true)
            .build()
            .expect("the default delimiters"),
    );
    // The output is pack markup, never HTML: values are escaped by the markup filters.
    env.set_auto_escape_callback(|_| AutoEscape::None);
    // As Tera did: printing a missing value is an error, testing one (`{% if x.y %}`) is not.
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    // As Tera printed them: a null as nothing (not `none`), a whole number held as a float
    // (`16.0` weeks) without its `.0`.
    env.set_formatter(|out, state, value| {
        if value.is_none() {
            return Ok(());
        }
        if let Some(whole) = whole_float(value) {
            return minijinja::escape_formatter(out, state, &Value::from(whole));
        }
        minijinja::escape_formatter(out, state, value)
    });
    env.set_fuel(Some(FUEL));
    env.set_recursion_limit(MAX_RECURSION);
    filters::register(&mut env);
    env
}

/// A float that holds a whole number (within `i64`), as that number.
fn whole_float(value: &Value) -> Option<i64> {
    if !value.is_number() || value.is_integer() {
        return None;
    }
    let f = f64::try_from(value.clone()).ok()?;
    (f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
}

/// The built-in templates, compiled once per process.
pub fn built_in() -> &'static Environment<'static> {
    static BUILT_IN: OnceLock<Environment<'static>> = OnceLock::new();
    BUILT_IN.get_or_init(|| {
        let mut env = configured();
        for (name, text) in TEMPLATES {
            env.add_template(name, text)
                .unwrap_or_else(|e| panic!("the built-in template {name}: {}", describe(&e)));
        }
        env
    })
}

/// The templates for a render: the built-in ones, each replaced by a file of the same name in
/// `dir`, which may also add files for `{% include %}`. A file in error stops here, before
/// anything is rendered.
pub fn load(dir: Option<&Path>) -> Result<Cow<'static, Environment<'static>>, TemplateError> {
    let Some(dir) = dir else {
        return Ok(Cow::Borrowed(built_in()));
    };
    let entries = std::fs::read_dir(dir).map_err(|source| TemplateError::ReadFolder {
        dir: dir.to_path_buf(),
        source,
    })?;
    let paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    let mut names: Vec<&PathBuf> = paths
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "jinja"))
        .collect();
    names.sort();
    check_count(names.len())?;
    if names.is_empty() {
        // A folder of Tera templates from before the move to minijinja.
        let tera = paths
            .iter()
            .any(|p| p.extension().is_some_and(|x| x == "tera"));
        let dir = dir.to_path_buf();
        return Err(if tera {
            TemplateError::Tera { dir }
        } else {
            TemplateError::NoJinja { dir }
        });
    }
    let mut env = built_in().clone();
    for path in names {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let text = read_template(path)?;
        limits::check_source(&name, &text)?;
        env.add_template_owned(name.to_string(), text)
            .map_err(|e| TemplateError::Syntax(describe(&e)))?;
    }
    Ok(Cow::Owned(env))
}

/// Reads one template file, with the size cap.
pub fn read_template(path: &Path) -> Result<String, TemplateError> {
    crate::read::read_text_capped(path, MAX_TEMPLATE_BYTES).map_err(|source| {
        TemplateError::ReadTemplate {
            path: path.to_path_buf(),
            source,
        }
    })
}

/// Refuses a templates folder of more than [`MAX_TEMPLATE_FILES`] files before reading them.
pub fn check_count(files: usize) -> Result<(), TemplateError> {
    if files > MAX_TEMPLATE_FILES {
        return Err(TemplateError::TooMany { files });
    }
    Ok(())
}

/// Renders `name` with `context`, within the fuel, recursion and output limits and the
/// backstops; the error is one line a person can act on, naming the template, its line and the
/// limit reached.
pub fn render(
    env: &Environment<'static>,
    name: &str,
    context: &serde_json::Value,
) -> Result<String, TemplateError> {
    render_bounded(
        env,
        name,
        context,
        Duration::from_secs(MAX_RENDER_SECONDS),
        MAX_TEMPLATE_MEMORY,
    )
}

/// [`render`] with a time limit and a memory budget for the templates' thread: when the render
/// has not finished in time, or its thread passed the budget (and stopped there for good), it
/// is abandoned (the thread ends with the process, which exits with the error).
fn render_bounded(
    env: &Environment<'static>,
    name: &str,
    context: &serde_json::Value,
    limit: Duration,
    memory: usize,
) -> Result<String, TemplateError> {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::mpsc::RecvTimeoutError;
    // Owned, for a thread that may outlive this call: the templates are shared (`Arc`), and
    // the context is converted once, here.
    let (env, name) = (env.clone(), name.to_string());
    let context = Value::from(minijinja::value::Serde(context));
    let (send, receive) = std::sync::mpsc::channel();
    let spent = std::sync::Arc::new(AtomicBool::new(false));
    let budget = spent.clone();
    std::thread::Builder::new()
        .name("templates".into())
        // As much stack as the main thread: minijinja's recursion limit assumes it.
        .stack_size(8 * 1024 * 1024)
        .spawn(move || {
            let _budget = crate::budget::limit_this_thread(memory, budget);
            let _ = send.send(render_here(&env, &name, context));
        })
        .map_err(TemplateError::Start)?;
    let deadline = std::time::Instant::now() + limit;
    loop {
        let now = std::time::Instant::now();
        if now >= deadline {
            return Err(TemplateError::TimedOut {
                seconds: limit.as_secs_f64(),
            });
        }
        match receive.recv_timeout((deadline - now).min(Duration::from_millis(25))) {
            Ok(result) => return result,
            Err(RecvTimeoutError::Timeout) => {
                if spent.load(Ordering::SeqCst) {
                    return Err(TemplateError::Memory {
                        megabytes: memory / (1024 * 1024),
                    });
                }
            }
            Err(RecvTimeoutError::Disconnected) => return Err(TemplateError::Stopped),
        }
    }
}

/// The render itself, on the thread [`render_bounded`] starts.
fn render_here(
    env: &Environment<'static>,
    name: &str,
    context: Value,
) -> Result<String, TemplateError> {
    let template = env
        .get_template(name)
        .map_err(|e| TemplateError::Render(describe(&e)))?;
    let over = Rc::new(Cell::new(false));
    let mut out = BoundedOutput {
        bytes: Vec::new(),
        over: over.clone(),
    };
    let result = template.render_captured_to(context, &mut out);
    let e = match result {
        Ok(_) => return String::from_utf8(out.bytes).map_err(|_| TemplateError::NotUtf8),
        Err(e) => e,
    };
    // An error inside an included template comes wrapped in the include's own.
    let inner = innermost(&e);
    let at = || location(inner).unwrap_or_else(|| name.to_string());
    Err(if over.get() {
        TemplateError::TooMuchText { at: at() }
    } else if inner.kind() == ErrorKind::OutOfFuel {
        TemplateError::OutOfFuel { at: at() }
    } else if inner.detail() == Some("recursion limit exceeded") {
        TemplateError::TooDeep { at: at() }
    } else {
        TemplateError::Render(describe(inner))
    })
}

/// The error at the root of `e`'s chain: the one that says what went wrong, and where.
fn innermost(e: &minijinja::Error) -> &minijinja::Error {
    let mut inner = e;
    while let Some(next) =
        std::error::Error::source(inner).and_then(|s| s.downcast_ref::<minijinja::Error>())
    {
        inner = next;
    }
    inner
}

/// Where an error happened: `pack.jinja line 3`.
fn location(e: &minijinja::Error) -> Option<String> {
    match (e.name(), e.line()) {
        (Some(name), Some(line)) => Some(format!("{name} line {line}")),
        (Some(name), None) => Some(name.to_string()),
        _ => None,
    }
}

/// A minijinja error as one short line: what went wrong, then where.
fn describe(e: &minijinja::Error) -> String {
    let what = match e.detail() {
        Some(detail) => format!("{}: {detail}", e.kind()),
        None => e.kind().to_string(),
    };
    match location(e) {
        Some(at) => shorten(&format!("{what} ({at})")),
        None => shorten(&what),
    }
}

/// A message shortened for the terminal: a message may quote a template's text, which may be
/// one long line. Each line is cut to 160 characters, and at most 20 lines are kept (templates
/// are configuration, never case data, so cutting cannot split an address).
pub fn shorten(message: &str) -> String {
    const LINE: usize = 160;
    const LINES: usize = 20;
    let mut out: Vec<String> = message
        .lines()
        .take(LINES)
        .map(|line| {
            if line.chars().count() > LINE {
                format!("{}...", line.chars().take(LINE).collect::<String>())
            } else {
                line.to_string()
            }
        })
        .collect();
    if message.lines().count() > LINES {
        out.push("...".into());
    }
    out.join("\n")
}

/// Output that stops the render once it passes [`MAX_OUTPUT_BYTES`].
struct BoundedOutput {
    bytes: Vec<u8>,
    /// Set when a write would pass the limit (minijinja reports a failed write as its own).
    over: Rc<Cell<bool>>,
}

impl Write for BoundedOutput {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > MAX_OUTPUT_BYTES {
            self.over.set(true);
            return Err(std::io::Error::other("the output limit"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests;
