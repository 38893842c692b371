//! The limits on `--templates`: a school's or LA's own Tera templates are configuration, not
//! code anyone reviews, so a template that recurses or loops without end, or builds a value
//! that doubles, must end with a clear error, in bounded time and memory, never abort.
//!
//! Tera has no limits of its own: a macro that calls itself overflows the stack (which aborts
//! the process, and cannot be caught), `range(end=1000000000)` builds a list of a billion
//! values, and `{% set s = s ~ s %}` doubles a string each time. So each class is made
//! impossible before anything is rendered, from the template text and from Tera's parsed
//! templates, and what is left is bounded while rendering:
//!
//! - each file at most [`MAX_TEMPLATE_BYTES`], at most [`MAX_TEMPLATE_FILES`] files;
//! - tags and brackets nested at most [`MAX_NESTING`] deep (the parser recurses on nesting);
//! - no macro that can call itself, directly or through others, and no `include` loop;
//! - a `set` that reads a value set by a `set` may not grow it (`~`, macros, lists, filters
//!   other than a few numeric ones);
//! - `range` gives at most [`MAX_RANGE_ITEMS`] values in all, over one render;
//! - at most [`MAX_OUTPUT_BYTES`] of output;
//! - `for` loops nested at most [`MAX_LOOP_NESTING`] deep in one template or macro;
//! - and, whatever is left (loops over loops through macros, a large list looped over many
//!   times), the whole render finishes within [`MAX_RENDER_SECONDS`] or is abandoned with an
//!   error: it runs on its own thread, which ends with the process.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use tera::ast::{Expr, ExprVal, Node};
use tera::{Tera, Value};

/// The largest template file read.
pub const MAX_TEMPLATE_BYTES: u64 = 256 * 1024;
/// The most `.tera` files read from a templates folder.
pub const MAX_TEMPLATE_FILES: usize = 64;
/// The deepest nesting of tags (`if`, `for`, `macro`, ...) or of brackets in one template.
pub const MAX_NESTING: usize = 32;
/// The most operators and filters in one tag: Tera parses and evaluates a chain of them
/// (`1 + 1 + ...`, `a and b and ...`) by recursion, one level each.
pub const MAX_OPERATORS: usize = 100;
/// The most values `range` gives over one render (all calls together).
pub const MAX_RANGE_ITEMS: usize = 100_000;
/// The most text the templates may write (the built-in ones write about 100 KB for a case).
pub const MAX_OUTPUT_BYTES: usize = 8 * 1024 * 1024;
/// The deepest nesting of `for` loops in one template or macro (the built-in templates use 2).
pub const MAX_LOOP_NESTING: usize = 4;
/// The longest the templates may take to render (the built-in ones take well under a second).
pub const MAX_RENDER_SECONDS: u64 = 20;
/// The most memory the templates' thread may hold at once (the case's values, the text being
/// built, Tera's own): see [`crate::budget`].
pub const MAX_TEMPLATE_MEMORY: usize = 256 * 1024 * 1024;

/// Reads one template file, with the size cap.
pub fn read_template(path: &Path) -> Result<String, String> {
    crate::read::read_text_capped(path, MAX_TEMPLATE_BYTES)
        .map_err(|e| format!("cannot read the template {}: {e}", path.display()))
}

/// Refuses a templates folder of more than [`MAX_TEMPLATE_FILES`] files before reading them.
pub fn check_count(files: usize) -> Result<(), String> {
    if files > MAX_TEMPLATE_FILES {
        return Err(format!(
            "the templates folder has {files} templates; at most {MAX_TEMPLATE_FILES} are read"
        ));
    }
    Ok(())
}

/// Checks each file's text before Tera parses it.
pub fn check_sources(sources: &[(String, String)]) -> Result<(), String> {
    for (name, text) in sources {
        check_nesting(text).map_err(|(line, what)| {
            if what == "operators" {
                format!(
                    "the template {name} has more than {MAX_OPERATORS} operators and filters in \
                     one tag (line {line}); split the expression with `set`"
                )
            } else {
                format!(
                    "the template {name} nests {what} more than {MAX_NESTING} deep (line \
                     {line}); split it into smaller templates"
                )
            }
        })?;
    }
    Ok(())
}

/// The line where tags or brackets first nest deeper than [`MAX_NESTING`], and which.
fn check_nesting(text: &str) -> Result<(), (usize, &'static str)> {
    const OPENERS: [&str; 6] = ["if", "for", "macro", "block", "filter", "raw"];
    let mut tags = 0usize;
    let mut brackets = 0usize;
    let mut line = 1usize;
    let mut in_code = false;
    let mut operators = 0usize;
    // Inside a string literal of a tag (`"%}"` is text there, not the tag's end).
    let mut in_string: Option<u8> = None;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' {
            line += 1;
        }
        let rest = &bytes[i..];
        if !in_code && (rest.starts_with(b"{%") || rest.starts_with(b"{{")) {
            in_code = true;
            operators = 0;
            if rest.starts_with(b"{%") {
                // `{%` is ASCII, so the text after it starts on a character boundary.
                let tag = text[i + 2..]
                    .trim_start_matches(['-', '+'])
                    .trim_start()
                    .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                    .next()
                    .unwrap_or("");
                if OPENERS.contains(&tag) {
                    tags += 1;
                    if tags > MAX_NESTING {
                        return Err((line, "tags"));
                    }
                } else if tag.starts_with("end") {
                    tags = tags.saturating_sub(1);
                }
            }
            i += 2;
            continue;
        }
        if let Some(quote) = in_string {
            if b == quote {
                in_string = None;
            }
            i += 1;
            continue;
        }
        if in_code && matches!(b, b'"' | b'\'' | b'`') {
            in_string = Some(b);
            i += 1;
            continue;
        }
        if in_code {
            let word_start = b.is_ascii_alphabetic()
                && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'));
            let word_operator = word_start
                && [&b"and"[..], b"or", b"not", b"in", b"is"].iter().any(|w| {
                    rest.starts_with(w)
                        && rest
                            .get(w.len())
                            .is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
                });
            let symbol = matches!(
                b,
                b'+' | b'-' | b'*' | b'/' | b'~' | b'<' | b'>' | b'=' | b'!' | b'|'
            ) || (b == b'%' && !rest.starts_with(b"%}"));
            if word_operator || symbol {
                operators += 1;
                if operators > MAX_OPERATORS {
                    return Err((line, "operators"));
                }
            }
            match b {
                b'(' | b'[' | b'{' => {
                    brackets += 1;
                    if brackets > MAX_NESTING {
                        return Err((line, "brackets"));
                    }
                }
                b')' | b']' => brackets = brackets.saturating_sub(1),
                b'}' if rest.starts_with(b"}}") && brackets == 0 => in_code = false,
                b'%' if rest.starts_with(b"%}") => {
                    in_code = false;
                    brackets = 0;
                }
                b'}' => brackets = brackets.saturating_sub(1),
                _ => {}
            }
            if !in_code {
                i += 2;
                continue;
            }
        }
        i += 1;
    }
    Ok(())
}

/// Checks Tera's parsed templates: no recursion through macros or `include`, no value that a
/// `set` can grow. Call after the templates are added.
pub fn check_parsed(tera: &Tera) -> Result<(), String> {
    // Every template's names assigned by `set`: a value built from one of them may not grow.
    let mut set_names = HashSet::new();
    for template in tera.templates.values() {
        let mut walk = Walk::default();
        walk.nodes(&template.ast);
        for m in template.macros.values() {
            walk.nodes(&m.body);
        }
        if walk.deepest_loop > MAX_LOOP_NESTING {
            return Err(format!(
                "the template {} nests `for` loops {} deep; at most {MAX_LOOP_NESTING} are \
                 allowed, since loops over loops multiply the time a render takes",
                template.name, walk.deepest_loop
            ));
        }
        set_names.extend(walk.set_names);
    }
    // Macro calls and includes as one graph: (template, macro or "" for the body) -> callees.
    let mut graph: HashMap<(String, String), Vec<(String, String)>> = HashMap::new();
    for (name, template) in &tera.templates {
        let namespaces: HashMap<&str, &str> = template
            .imported_macro_files
            .iter()
            .map(|(file, namespace)| (namespace.as_str(), file.as_str()))
            .collect();
        let resolve = |walk: Walk| -> Result<Vec<(String, String)>, String> {
            if let Some(function) = refused_function(&walk) {
                return Err(format!(
                    "the template {name} calls the function `{}`; templates may call only {}, \
                     and cannot read the environment, the clock or files",
                    crate::privacy::terminal_safe(function),
                    ALLOWED_FUNCTIONS.map(|f| format!("`{f}`")).join(" and ")
                ));
            }
            for (key, value) in &walk.sets {
                if let Some(why) = grows(value, &set_names) {
                    return Err(format!(
                        "in the template {name}, `{{% set {key} = ... %}}` builds on a value \
                         set earlier with {why}, which can grow without end; build the text in \
                         the output instead"
                    ));
                }
            }
            let mut callees: Vec<(String, String)> = walk
                .includes
                .into_iter()
                .map(|file| (file, String::new()))
                .collect();
            for (namespace, called) in walk.calls {
                let file = match namespace.as_str() {
                    "self" => name.clone(),
                    other => namespaces.get(other).map_or(other, |f| f).to_string(),
                };
                callees.push((file, called));
            }
            Ok(callees)
        };
        let mut body = Walk::default();
        body.nodes(&template.ast);
        graph.insert((name.clone(), String::new()), resolve(body)?);
        for (macro_name, definition) in &template.macros {
            let mut walk = Walk::default();
            walk.nodes(&definition.body);
            graph.insert((name.clone(), macro_name.clone()), resolve(walk)?);
        }
    }
    if let Some((file, called)) = find_cycle(&graph) {
        return Err(if called.is_empty() {
            format!("the template {file} includes itself (directly or through others)")
        } else {
            format!(
                "the macro `{called}` in the template {file} calls itself (directly or through \
                 other macros); a template may not recurse, so rewrite it with a loop"
            )
        });
    }
    Ok(())
}

/// What a template's nodes do, collected without recursing on anything deeper than the
/// nesting already checked.
#[derive(Default)]
struct Walk {
    includes: Vec<String>,
    /// Functions called (`range(...)`, `get_env(...)`).
    functions: Vec<String>,
    calls: Vec<(String, String)>,
    sets: Vec<(String, Expr)>,
    set_names: HashSet<String>,
    /// `for` loops around the nodes being walked, and the most there have been.
    loops: usize,
    deepest_loop: usize,
}

impl Walk {
    fn nodes(&mut self, nodes: &[Node]) {
        for node in nodes {
            match node {
                Node::VariableBlock(_, e) => self.expr(e),
                Node::MacroDefinition(_, m, _) => self.nodes(&m.body),
                Node::Include(_, files, _) => self.includes.extend(files.iter().cloned()),
                Node::Set(_, set) => {
                    self.expr(&set.value);
                    self.set_names.insert(set.key.clone());
                    self.sets.push((set.key.clone(), set.value.clone()));
                }
                Node::FilterSection(_, f, _) => {
                    f.filter.args.values().for_each(|e| self.expr(e));
                    self.nodes(&f.body);
                }
                Node::Block(_, b, _) => self.nodes(&b.body),
                Node::Forloop(_, f, _) => {
                    self.expr(&f.container);
                    self.loops += 1;
                    self.deepest_loop = self.deepest_loop.max(self.loops);
                    self.nodes(&f.body);
                    self.loops -= 1;
                    if let Some(empty) = &f.empty_body {
                        self.nodes(empty);
                    }
                }
                Node::If(i, _) => {
                    for (_, condition, body) in &i.conditions {
                        self.expr(condition);
                        self.nodes(body);
                    }
                    if let Some((_, body)) = &i.otherwise {
                        self.nodes(body);
                    }
                }
                _ => {}
            }
        }
    }

    fn expr(&mut self, e: &Expr) {
        for f in &e.filters {
            f.args.values().for_each(|a| self.expr(a));
        }
        match &e.val {
            ExprVal::Math(m) => {
                self.expr(&m.lhs);
                self.expr(&m.rhs);
            }
            ExprVal::Logic(l) => {
                self.expr(&l.lhs);
                self.expr(&l.rhs);
            }
            ExprVal::In(i) => {
                self.expr(&i.lhs);
                self.expr(&i.rhs);
            }
            ExprVal::Test(t) => t.args.iter().for_each(|a| self.expr(a)),
            ExprVal::MacroCall(m) => {
                self.calls.push((m.namespace.clone(), m.name.clone()));
                m.args.values().for_each(|a| self.expr(a));
            }
            ExprVal::FunctionCall(f) => {
                self.functions.push(f.name.clone());
                f.args.values().for_each(|a| self.expr(a));
            }
            ExprVal::Array(items) => items.iter().for_each(|a| self.expr(a)),
            ExprVal::StringConcat(c) => {
                for v in &c.values {
                    self.expr(&Expr::new(v.clone()));
                }
            }
            _ => {}
        }
    }
}

/// The only functions a template may call: neither reads anything outside the template's
/// context. Tera's others read the environment (`get_env`, which could print the `--encrypt`
/// password into the pack), the clock (`now`) or chance (`get_random`); a name Tera adds later
/// is refused until it is listed here.
pub const ALLOWED_FUNCTIONS: [&str; 2] = ["range", "throw"];

/// The first function a walk called that templates may not call.
fn refused_function(walk: &Walk) -> Option<&str> {
    walk.functions
        .iter()
        .map(String::as_str)
        .find(|f| !ALLOWED_FUNCTIONS.contains(f))
}

/// Why a `set` value can grow a value set earlier: it names one and joins, lists, calls or
/// filters it.
fn grows(value: &Expr, set_names: &HashSet<String>) -> Option<&'static str> {
    // Filters that keep a value's size (numbers, lengths, defaults).
    const KEEP_SIZE: [&str; 8] = [
        "length", "round", "abs", "int", "float", "default", "first", "last",
    ];
    let mut names_set_value = false;
    let mut growth = None;
    let mut stack = vec![value];
    while let Some(e) = stack.pop() {
        if e.filters
            .iter()
            .any(|f| !KEEP_SIZE.contains(&f.name.as_str()))
        {
            growth.get_or_insert("a filter");
        }
        for f in &e.filters {
            stack.extend(f.args.values());
        }
        match &e.val {
            ExprVal::Ident(name) => {
                let root = name.split(['.', '[']).next().unwrap_or(name);
                if set_names.contains(root) {
                    names_set_value = true;
                }
            }
            ExprVal::StringConcat(_) => {
                growth.get_or_insert("`~`");
                if let ExprVal::StringConcat(c) = &e.val {
                    for v in &c.values {
                        if let ExprVal::Ident(name) = v {
                            let root = name.split(['.', '[']).next().unwrap_or(name);
                            if set_names.contains(root) {
                                names_set_value = true;
                            }
                        }
                    }
                }
            }
            ExprVal::MacroCall(m) => {
                growth.get_or_insert("a macro");
                stack.extend(m.args.values());
            }
            ExprVal::FunctionCall(f) => {
                growth.get_or_insert("a function");
                stack.extend(f.args.values());
            }
            ExprVal::Array(items) => {
                growth.get_or_insert("a list");
                stack.extend(items);
            }
            ExprVal::Math(m) => {
                // Numbers keep their size (an overflow is Tera's own error).
                stack.push(&m.lhs);
                stack.push(&m.rhs);
            }
            ExprVal::Logic(l) => {
                stack.push(&l.lhs);
                stack.push(&l.rhs);
            }
            ExprVal::In(i) => {
                stack.push(&i.lhs);
                stack.push(&i.rhs);
            }
            ExprVal::Test(t) => stack.extend(&t.args),
            _ => {}
        }
    }
    if names_set_value {
        growth
    } else {
        None
    }
}

/// A node of the call graph that can reach itself, if any (iterative depth-first search).
fn find_cycle(
    graph: &HashMap<(String, String), Vec<(String, String)>>,
) -> Option<(String, String)> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    let mut marks: HashMap<&(String, String), Mark> = HashMap::new();
    let mut starts: Vec<&(String, String)> = graph.keys().collect();
    starts.sort();
    for start in starts {
        if marks.contains_key(start) {
            continue;
        }
        // (node, index of the next callee to visit)
        let mut stack: Vec<(&(String, String), usize)> = vec![(start, 0)];
        marks.insert(start, Mark::Open);
        while let Some((node, next)) = stack.pop() {
            let callees = graph.get(node).map(Vec::as_slice).unwrap_or(&[]);
            if next < callees.len() {
                stack.push((node, next + 1));
                let callee = &callees[next];
                // A callee Tera does not know is Tera's own error when rendering.
                let Some((key, _)) = graph.get_key_value(callee) else {
                    continue;
                };
                match marks.get(key) {
                    Some(Mark::Open) => return Some(key.clone()),
                    Some(Mark::Done) => {}
                    None => {
                        marks.insert(key, Mark::Open);
                        stack.push((key, 0));
                    }
                }
            } else {
                marks.insert(node, Mark::Done);
            }
        }
    }
    None
}

thread_local! {
    /// How many more values `range` may give in the render under way on this thread.
    static RANGE_LEFT: Cell<usize> = const { Cell::new(MAX_RANGE_ITEMS) };
}

/// Replaces Tera's `range` with one that counts what it gives against [`MAX_RANGE_ITEMS`], and
/// every function that reads the world outside the template with one that refuses (a second
/// line behind [`check_parsed`]'s list).
pub fn limit_functions(tera: &mut Tera) {
    tera.register_function("range", bounded_range);
    for ambient in ["get_env", "now", "get_random"] {
        tera.register_function(ambient, move |_: &HashMap<String, Value>| {
            Err(tera::Error::msg(format!(
                "templates may not call `{ambient}`: they cannot read the environment, the \
                 clock or files"
            )))
        });
    }
}

fn bounded_range(args: &HashMap<String, Value>) -> tera::Result<Value> {
    let number = |key: &str, default: Option<i64>| -> tera::Result<i64> {
        match args.get(key) {
            Some(v) => v
                .as_i64()
                .ok_or_else(|| tera::Error::msg(format!("`range` needs a whole number `{key}`"))),
            None => default
                .ok_or_else(|| tera::Error::msg(format!("`range` was called without `{key}`"))),
        }
    };
    let start = number("start", Some(0))?;
    let end = number("end", None)?;
    let step = number("step_by", Some(1))?;
    if step <= 0 {
        return Err(tera::Error::msg("`range` needs a `step_by` above 0"));
    }
    let count = if end > start {
        ((end as i128 - start as i128 + step as i128 - 1) / step as i128) as u128
    } else {
        0
    };
    let left = RANGE_LEFT.with(Cell::get);
    if count > left as u128 {
        return Err(tera::Error::msg(format!(
            "`range` would give {count} values; the templates may use at most \
             {MAX_RANGE_ITEMS} in all"
        )));
    }
    RANGE_LEFT.with(|l| l.set(left - count as usize));
    Ok(Value::Array(
        (0..count as i64)
            .map(|i| Value::from(start + i * step))
            .collect(),
    ))
}

/// A message from Tera, shortened for the terminal: Tera quotes the template's line, which may
/// be the whole file. Each line is cut to 160 characters, and at most 20 lines are kept
/// (templates are configuration, never case data, so cutting cannot split an address).
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
}

impl Write for BoundedOutput {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > MAX_OUTPUT_BYTES {
            return Err(std::io::Error::other(OUTPUT_TOO_LARGE));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const OUTPUT_TOO_LARGE: &str = "the templates wrote more than the output limit";

/// Renders `name` with the output, `range` and time limits; the error is one line a person can
/// act on.
pub fn render(tera: &Tera, name: &str, ctx: &tera::Context) -> Result<String, String> {
    render_within(tera, name, ctx, Duration::from_secs(MAX_RENDER_SECONDS))
}

/// [`render`] with a time limit of `limit`: the render runs on its own thread, and when it has
/// not finished in time it is abandoned (the thread ends with the process, which exits with
/// the error).
fn render_within(
    tera: &Tera,
    name: &str,
    ctx: &tera::Context,
    limit: Duration,
) -> Result<String, String> {
    render_bounded(tera, name, ctx, limit, MAX_TEMPLATE_MEMORY)
}

/// [`render_within`] with a memory budget of `memory` bytes for the templates' thread.
fn render_bounded(
    tera: &Tera,
    name: &str,
    ctx: &tera::Context,
    limit: Duration,
    memory: usize,
) -> Result<String, String> {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::mpsc::RecvTimeoutError;
    let (tera, name, ctx) = (tera.clone(), name.to_string(), ctx.clone());
    let (send, receive) = std::sync::mpsc::channel();
    let spent = std::sync::Arc::new(AtomicBool::new(false));
    let budget = spent.clone();
    std::thread::Builder::new()
        .name("templates".into())
        // As much stack as the main thread: Tera recurses over the (bounded) nesting.
        .stack_size(8 * 1024 * 1024)
        .spawn(move || {
            let _budget = crate::budget::limit_this_thread(memory, budget);
            let result = render_here(&tera, &name, &ctx);
            let _ = send.send(result);
        })
        .map_err(|e| format!("cannot start rendering the templates: {e}"))?;
    let deadline = std::time::Instant::now() + limit;
    loop {
        let now = std::time::Instant::now();
        if now >= deadline {
            return Err(format!(
                "the templates did not finish within {} s (a loop too large?)",
                limit.as_secs_f64()
            ));
        }
        match receive.recv_timeout((deadline - now).min(Duration::from_millis(25))) {
            Ok(result) => return result,
            Err(RecvTimeoutError::Timeout) => {
                if spent.load(Ordering::SeqCst) {
                    return Err(format!(
                        "the templates needed more than {} MB of memory; a pack needs far \
                         less, so a template probably builds a value without end (a chain of \
                         `replace` or `~`?)",
                        memory / (1024 * 1024)
                    ));
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err("the templates stopped without finishing".into())
            }
        }
    }
}

/// The render itself, on the thread [`render_within`] starts.
fn render_here(tera: &Tera, name: &str, ctx: &tera::Context) -> Result<String, String> {
    RANGE_LEFT.with(|l| l.set(MAX_RANGE_ITEMS));
    let mut out = BoundedOutput { bytes: Vec::new() };
    let result = tera.render_to(name, ctx, &mut out);
    RANGE_LEFT.with(|l| l.set(MAX_RANGE_ITEMS));
    match result {
        Ok(()) => String::from_utf8(out.bytes)
            .map_err(|_| "the templates wrote text that is not UTF-8".to_string()),
        Err(e) => {
            let message = super::tera_error(&e);
            if message.contains(OUTPUT_TOO_LARGE) {
                Err(format!(
                    "the templates wrote more than {} MB of text; a pack is far smaller, so a \
                     template probably loops over more than it means to",
                    MAX_OUTPUT_BYTES / (1024 * 1024)
                ))
            } else {
                Err(format!(
                    "the templates could not be rendered: {}",
                    shorten(&message)
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tera(sources: &[(&str, &str)]) -> Result<Tera, String> {
        let sources: Vec<(String, String)> = sources
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        check_sources(&sources)?;
        let mut tera = Tera::default();
        tera.add_raw_templates(sources).map_err(|e| e.to_string())?;
        check_parsed(&tera)?;
        limit_functions(&mut tera);
        Ok(tera)
    }

    fn rendered(sources: &[(&str, &str)]) -> Result<String, String> {
        render(&tera(sources)?, sources[0].0, &tera::Context::new())
    }

    #[test]
    fn a_value_grown_inside_one_expression_stops_at_the_memory_budget() {
        // Each `replace` multiplies the text by 20: 20^7 characters (1.28 GB) at the end.
        let step = "| replace(from=\"x\", to=s) ";
        let source = format!(
            "{{% set s = \"xxxxxxxxxxxxxxxxxxxx\" %}}{{{{ s {} | length }}}}",
            step.repeat(7)
        );
        let big = tera(&[("a.tera", &source)]).unwrap();
        let started = std::time::Instant::now();
        let e = render_bounded(
            &big,
            "a.tera",
            &tera::Context::new(),
            Duration::from_secs(60),
            16 * 1024 * 1024,
        )
        .unwrap_err();
        assert!(e.contains("more than 16 MB of memory"), "{e}");
        assert!(started.elapsed() < Duration::from_secs(30));
        // Within the budget the same template works.
        let small = format!(
            "{{% set s = \"xxx\" %}}{{{{ s {} | length }}}}",
            step.repeat(2)
        );
        let tera = tera(&[("a.tera", &small)]).unwrap();
        assert_eq!(
            render_bounded(
                &tera,
                "a.tera",
                &tera::Context::new(),
                Duration::from_secs(60),
                16 * 1024 * 1024
            )
            .unwrap(),
            "27"
        );
    }

    #[test]
    fn loops_nested_too_deep_are_refused_before_rendering() {
        let nested = |depth: usize| {
            let mut s = String::new();
            for i in 0..depth {
                s.push_str(&format!("{{% for a{i} in [1, 2] %}}"));
            }
            s.push('x');
            for _ in 0..depth {
                s.push_str("{% endfor %}");
            }
            s
        };
        assert_eq!(
            rendered(&[("a.tera", &nested(MAX_LOOP_NESTING))]).unwrap(),
            "x".repeat(1 << MAX_LOOP_NESTING)
        );
        let e = rendered(&[("a.tera", &nested(MAX_LOOP_NESTING + 1))]).unwrap_err();
        assert!(e.contains("nests `for` loops 5 deep"), "{e}");
        // In a macro too.
        let in_macro = format!("{{% macro m() %}}{}{{% endmacro m %}}", nested(8));
        assert!(rendered(&[("a.tera", &in_macro)])
            .unwrap_err()
            .contains("nests `for` loops"));
    }

    #[test]
    fn a_render_that_takes_too_long_is_abandoned() {
        // Four loops over 300 items: 8 billion turns, far past the limit.
        let slow = "{% for a in items %}{% for b in items %}{% for c in items %}\
                    {% for d in items %}{% if false %}x{% endif %}\
                    {% endfor %}{% endfor %}{% endfor %}{% endfor %}";
        let tera = tera(&[("a.tera", slow)]).unwrap();
        let mut ctx = tera::Context::new();
        ctx.insert("items", &vec![0; 300]);
        let start = std::time::Instant::now();
        let e = render_within(&tera, "a.tera", &ctx, Duration::from_millis(300)).unwrap_err();
        assert_eq!(
            e,
            "the templates did not finish within 0.3 s (a loop too large?)"
        );
        assert!(start.elapsed() < Duration::from_secs(5));
        // A quick render is unchanged.
        ctx.insert("items", &vec![0; 2]);
        let fine = render_within(&tera, "a.tera", &ctx, Duration::from_secs(20));
        assert_eq!(fine.unwrap(), "");
    }

    #[test]
    fn recursion_is_refused_before_rendering() {
        let own = "{% macro m(n) %}{{ self::m(n=n) }}{% endmacro m %}{{ self::m(n=1) }}";
        assert!(rendered(&[("a.tera", own)])
            .unwrap_err()
            .contains("calls itself"));
        let mutual = "{% macro a() %}{{ self::b() }}{% endmacro a %}\
                      {% macro b() %}{{ self::a() }}{% endmacro b %}{{ self::a() }}";
        assert!(rendered(&[("a.tera", mutual)])
            .unwrap_err()
            .contains("calls itself"));
        let include = [
            ("a.tera", "{% include \"b.tera\" %}"),
            ("b.tera", "{% include \"a.tera\" %}"),
        ];
        assert!(rendered(&include).unwrap_err().contains("includes itself"));
        // Calling a macro many times is fine.
        let fine = "{% macro m(n) %}[{{ n }}]{% endmacro m %}\
                    {% for i in range(end=3) %}{{ self::m(n=i) }}{% endfor %}";
        assert_eq!(rendered(&[("a.tera", fine)]).unwrap(), "[0][1][2]");
    }

    #[test]
    fn huge_ranges_and_output_are_refused() {
        let huge = "{% for i in range(end=1000000000) %}{% endfor %}";
        assert!(rendered(&[("a.tera", huge)])
            .unwrap_err()
            .contains("at most 100000"));
        let nested = "{% for i in range(end=10000) %}{% for j in range(end=10000) %}\
                      {% endfor %}{% endfor %}";
        assert!(rendered(&[("a.tera", nested)])
            .unwrap_err()
            .contains("at most 100000"));
        let long = format!(
            "{{% for i in range(end=90000) %}}{}{{% endfor %}}",
            "x".repeat(100)
        );
        assert!(rendered(&[("a.tera", &long)])
            .unwrap_err()
            .contains("more than 8 MB"));
    }

    #[test]
    fn values_that_double_are_refused() {
        for doubling in [
            "{% set s = 'ab' %}{% for i in range(end=60) %}{% set s = s ~ s %}{% endfor %}",
            "{% set s = 'ab' %}{% set t = s ~ s %}{% set s = t ~ t %}",
            "{% set s = ['a'] %}{% for i in range(end=60) %}{% set s = s | concat(with=s) %}\
             {% endfor %}",
            "{% set s = ['a'] %}{% for i in range(end=60) %}{% set s = [s, s] %}{% endfor %}",
        ] {
            assert!(
                rendered(&[("a.tera", doubling)])
                    .unwrap_err()
                    .contains("can grow without end"),
                "{doubling}"
            );
        }
        // Counting and flags still work.
        let counting = "{% set n = 0 %}{% set n = n + 2 %}{% set ok = true %}{{ n }}";
        assert_eq!(rendered(&[("a.tera", counting)]).unwrap(), "2");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 2000,
            rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha,
            ..Default::default()
        })]
        /// The nesting check reads any text without panicking (it once sliced inside an `é`).
        #[test]
        fn the_nesting_check_reads_any_text(text in "[{}%()\\[\\]a-zé€ \n-]{0,200}") {
            let _ = check_nesting(&text);
        }
    }

    #[test]
    fn text_in_any_script_is_read() {
        let french = "@title Demande d'évaluation\n{{ 1 }} é {% if true %}€{% endif %}";
        assert_eq!(
            rendered(&[("a.tera", french)]).unwrap(),
            "@title Demande d'évaluation\n1 é €"
        );
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let deep = "{% if true %}".repeat(5000) + &"{% endif %}".repeat(5000);
        assert!(rendered(&[("a.tera", &deep)])
            .unwrap_err()
            .contains("nests tags more than 32 deep"));
        let brackets = format!("{{{{ {}1{} }}}}", "(".repeat(5000), ")".repeat(5000));
        assert!(rendered(&[("a.tera", &brackets)])
            .unwrap_err()
            .contains("nests brackets"));
        // Ordinary text with brackets outside tags is not code.
        assert_eq!(
            rendered(&[("a.tera", "((((((((((((((((((((((((((((((((((((x")]).unwrap(),
            "((((((((((((((((((((((((((((((((((((x"
        );
    }
}
