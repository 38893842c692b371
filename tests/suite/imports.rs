//! The crate's module graph has no import circle, and the nevers hold (`tests/suite/nevers.txt`: no
//! file matching FROM may import one matching TO).
//!
//! The graph is read as `../shared/tools/imports.py` reads it, ported here so that it needs
//! nothing but Rust: each file of `src/` is a node; its `use` lines and inline `crate::`,
//! `super::`, `self::` and child-module paths are its arrows, to the longest module each path
//! names. A child's `super::` use of its own parent is left out (that is how Rust modules share
//! private items), and so is a trailing `#[cfg(test)] mod tests { .. }`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module name (`crate::rules::dates`, or `main`) to its file, relative to `src/`.
fn modules(src: &Path) -> BTreeMap<String, String> {
    let mut mods = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src).unwrap();
            let rel_text = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let mut parts: Vec<&str> = rel_text.trim_end_matches(".rs").split('/').collect();
            if matches!(parts.last(), Some(&("mod" | "lib" | "main"))) {
                parts.pop();
            }
            let mut name = String::from("crate");
            for p in parts {
                name.push_str("::");
                name.push_str(p);
            }
            if rel_text == "main.rs" {
                name = "main".into();
            }
            mods.insert(name, rel_text);
        }
    }
    mods
}

/// `a::{b, c::{d, e}}` -> `[a::b, a::c::d, a::c::e]`.
fn expand(tree: &str) -> Vec<String> {
    let tree: String = tree.chars().filter(|c| !c.is_whitespace()).collect();
    let (Some(open), true) = (tree.find('{'), tree.ends_with('}')) else {
        return vec![tree];
    };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.len() - 1];
    let mut parts = Vec::new();
    let (mut depth, mut current) = (0usize, String::new());
    for c in inner.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if c == ',' && depth == 0 {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        parts.push(current);
    }
    let mut out = Vec::new();
    for part in parts {
        for e in expand(&part) {
            if e == "self" {
                out.push(prefix.trim_end_matches(':').to_string());
            } else {
                out.push(format!("{prefix}{e}"));
            }
        }
    }
    out
}

fn resolve(path: &str, here: &str, mods: &BTreeMap<String, String>) -> Option<String> {
    let segs: Vec<&str> = path.split("::").collect();
    let (base, rest): (Vec<&str>, Vec<&str>) = match segs[0] {
        "crate" => (vec!["crate"], segs[1..].to_vec()),
        "super" | "self" => {
            let mut base: Vec<&str> = here.split("::").collect();
            let mut i = 0;
            while i < segs.len() && matches!(segs[i], "super" | "self") {
                if segs[i] == "super" {
                    base.pop();
                }
                i += 1;
            }
            (base, segs[i..].to_vec())
        }
        first => {
            // A bare path: a child module of this one (`use records::x` in rules/mod.rs).
            if !mods.contains_key(&format!("{here}::{first}")) {
                return None;
            }
            (here.split("::").collect(), segs)
        }
    };
    let mut candidate: Vec<&str> = base.into_iter().chain(rest).collect();
    while !candidate.is_empty() {
        let name = candidate.join("::");
        if mods.contains_key(&name) {
            return Some(name);
        }
        candidate.pop();
    }
    None
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The code of a file without its test module at the end and without `//` comments.
fn code_of(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut end = lines.len();
    for (i, line) in lines.iter().enumerate() {
        if line.trim() != "#[cfg(test)]" {
            continue;
        }
        let next = lines[i + 1..].iter().find(|l| !l.trim().is_empty());
        let opens_mod = next.is_some_and(|l| {
            let l = l.trim();
            let l = l.strip_prefix("pub ").unwrap_or(l);
            l.strip_prefix("mod ").is_some_and(|rest| {
                let rest = rest.trim_end();
                rest.ends_with('{') && rest[..rest.len() - 1].trim().chars().all(is_word)
            })
        });
        if opens_mod {
            end = i;
            break;
        }
    }
    lines[..end]
        .iter()
        .map(|l| l.find("//").map_or(*l, |i| &l[..i]))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path a file's code names: the trees of its `use` items, and each inline path
/// (`crate::x::y`, `super::z`, `records::w`) whose first segment is a lower-case name.
fn paths_of(code: &str) -> Vec<String> {
    let chars: Vec<(usize, char)> = code.char_indices().collect();
    let mut paths = Vec::new();
    // `use TREE;`
    let mut at = 0;
    while let Some(i) = code[at..].find("use") {
        let start = at + i;
        at = start + 3;
        let before = code[..start].chars().next_back();
        let after = code[at..].chars().next();
        if before.is_some_and(is_word) || !after.is_some_and(char::is_whitespace) {
            continue;
        }
        if let Some(end) = code[at..].find(';') {
            paths.extend(expand(&code[at..at + end]));
        }
    }
    // Inline paths.
    let ident = |from: usize| -> usize {
        let mut k = from;
        while k < chars.len() && is_word(chars[k].1) {
            k += 1;
        }
        k
    };
    let mut k = 0;
    while k < chars.len() {
        let c = chars[k].1;
        let prev = k.checked_sub(1).map(|p| chars[p].1);
        if !(c.is_ascii_lowercase() || c == '_') || prev.is_some_and(|p| p == ':' || is_word(p)) {
            k += 1;
            continue;
        }
        let first_end = ident(k);
        let first: String = chars[k..first_end].iter().map(|(_, c)| c).collect();
        if !first
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            k = first_end;
            continue;
        }
        let mut path = first;
        let mut j = first_end;
        while j + 2 < chars.len()
            && chars[j].1 == ':'
            && chars[j + 1].1 == ':'
            && (chars[j + 2].1.is_ascii_alphabetic() || chars[j + 2].1 == '_')
        {
            let seg_end = ident(j + 2);
            path.push_str("::");
            path.extend(chars[j + 2..seg_end].iter().map(|(_, c)| c));
            j = seg_end;
        }
        if path.contains("::") {
            paths.push(path);
        }
        k = j.max(first_end);
    }
    paths
}

fn edges(src: &Path, mods: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, rel) in mods {
        let here = if name == "main" { "crate" } else { name };
        let text = std::fs::read_to_string(src.join(rel)).unwrap();
        let targets = out.entry(name.clone()).or_default();
        for path in paths_of(&code_of(&text)) {
            let path = match path.find(" as ") {
                Some(i) => path[..i].to_string(),
                None => path,
            };
            let path = path.trim_matches(':');
            if !path.contains("::") && !matches!(path, "crate" | "super" | "self") {
                continue;
            }
            let Some(target) = resolve(path, here, mods) else {
                continue;
            };
            if &target == name {
                continue;
            }
            // A child reaching its own parent with `super::` shares private items; a parent
            // using its child's items is an arrow.
            if name.starts_with(&format!("{target}::")) && path.starts_with("super") {
                continue;
            }
            targets.insert(target);
        }
    }
    out
}

/// The strongly connected groups of more than one module (Tarjan).
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'g> {
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        next: usize,
        found: Vec<Vec<String>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in &s.graph[v] {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut group = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on_stack.remove(w);
                group.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if group.len() > 1 {
                s.found.push(group);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !state.index.contains_key(v.as_str()) {
            visit(&mut state, v);
        }
    }
    state.found
}

/// `fnmatch` as the Python script uses it: `*` is any text (`/` too), `?` one character.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn nevers() -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(root().join("tests/suite/nevers.txt")).unwrap();
    text.lines()
        .filter_map(|line| {
            let (rule, why) = line.split_once('#').unwrap_or((line, ""));
            let (from, to) = rule.split_once("->")?;
            Some((from.trim().into(), to.trim().into(), why.trim().into()))
        })
        .collect()
}

#[test]
fn the_modules_import_no_circle_and_the_nevers_hold() {
    let src = root().join("src");
    let mods = modules(&src);
    let graph = edges(&src, &mods);
    let mut problems = Vec::new();
    for group in circles(&graph) {
        let mut files: Vec<&str> = group.iter().map(|m| mods[m].as_str()).collect();
        files.sort();
        problems.push(format!("circle: {}", files.join(", ")));
    }
    for (from, to, why) in nevers() {
        for (module, targets) in &graph {
            if !glob(&from, &mods[module]) {
                continue;
            }
            for target in targets {
                if glob(&to, &mods[target]) {
                    problems.push(format!(
                        "never broken: {} -> {} ({from} -> {to}: {why})",
                        mods[module], mods[target]
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "the module graph of src/ (see docs/development.md):\n{}",
        problems.join("\n")
    );
}

/// The reader itself: it sees a circle and a broken never where there is one.
#[test]
fn the_reader_sees_a_circle_use_trees_and_inline_paths() {
    assert_eq!(
        expand("crate::a::{b, c::{d, e}, self}"),
        [
            "crate::a::b",
            "crate::a::c::d",
            "crate::a::c::e",
            "crate::a"
        ]
    );
    let code = code_of(
        "use crate::x::Y; // crate::ignored::Z\nfn f() { crate::z::g(); Foo::bar(); }\n\
         #[cfg(test)]\nmod tests {\n    use crate::tested::T;\n}\n",
    );
    assert_eq!(
        paths_of(&code),
        ["crate::x::Y", "crate::x::Y", "crate::z::g"]
    );
    let mut graph = BTreeMap::new();
    for (a, b) in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")] {
        graph
            .entry(a.to_string())
            .or_insert_with(BTreeSet::new)
            .insert(b.to_string());
        graph.entry(b.to_string()).or_insert_with(BTreeSet::new);
    }
    let found = circles(&graph);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].iter().collect::<BTreeSet<_>>().len(), 3);
    assert!(glob("render/*", "render/layout.rs"));
    assert!(glob("cli*", "cli/mod.rs"));
    assert!(!glob("rules/*", "render/fonts.rs"));
}
