//! The schema check that walks the YAML tree (src/load/validator.rs) against a JSON Schema
//! engine (the `jsonschema` crate, run on the tree's JSON form as ehcpack did before): on real
//! sample documents, mutated, both must say valid or invalid alike and name the same places
//! with the same keywords.

use std::path::Path;

use ehcpack::load::kind::Kind;
use ehcpack::load::schema;
use ehcpack::load::yaml::{self, Entry, Node, Value};
use proptest::prelude::*;

type Samples = Vec<(Kind, Node)>;
type Engines = Vec<(Kind, jsonschema::Validator)>;

/// Every document of the sample cases, with its kind.
fn samples() -> Samples {
    let mut out = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-cases");
    let mut dirs: Vec<_> = std::fs::read_dir(&root).unwrap().flatten().collect();
    dirs.sort_by_key(|d| d.path());
    for dir in dirs.iter().filter(|d| d.path().is_dir()) {
        let mut files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        files.sort_by_key(|f| f.path());
        for file in files {
            let path = file.path();
            if path.extension().is_none_or(|e| e != "yaml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let node = yaml::parse(&text).unwrap().unwrap();
            let kind = node
                .get("kind")
                .and_then(Node::as_str)
                .and_then(Kind::from_name);
            out.push((kind.unwrap(), node));
        }
    }
    assert!(out.len() > 50, "the sample cases are where they were");
    out
}

/// A replacement value: the kinds of mistake a school makes, and a few a program makes.
fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        prop_oneof![
            Just(0i64),
            Just(-1),
            Just(5),
            Just(13),
            Just(400),
            any::<i64>()
        ]
        .prop_map(Value::Int),
        prop_oneof![
            Just(0.5f64),
            Just(5.0),
            Just(-2.5),
            Just(f64::NAN),
            Just(f64::INFINITY)
        ]
        .prop_map(Value::Float),
        prop_oneof![
            Just(String::new()),
            Just("2025-02-30".to_string()),
            Just("2024-02-29".to_string()),
            Just("14/05/2016".to_string()),
            Just("٢٠٢٥-01-01".to_string()),
            Just("jane.doe@example.org".to_string()),
            Just("jane@-x.org".to_string()),
            Just("A12345678901B".to_string()),
            Just("485 777 3456".to_string()),
            Just("123456".to_string()),
            Just("school".to_string()),
            Just("SEMH".to_string()),
            Just("report".to_string()),
            Just("E".to_string()),
            "[a-zA-Z0-9 @.-]{0,12}",
        ]
        .prop_map(Value::Str),
        Just(Value::Seq(Vec::new())),
        Just(Value::Map(Vec::new())),
    ]
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the value at this (wrapped) index of the walk.
    Replace(usize, Value),
    /// Remove a field of the n-th block.
    Remove(usize, usize),
    /// Add a field, known elsewhere or unknown, to the n-th block.
    Add(usize, String, Value),
    /// Repeat the first item of the n-th list.
    Repeat(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), value()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(i, j)| Mutation::Remove(i, j)),
        1 => (
            any::<usize>(),
            prop_oneof![Just("kind"), Just("date"), Just("name"), Just("extra"), Just("upn")],
            value()
        )
            .prop_map(|(i, k, v)| Mutation::Add(i, k.to_string(), v)),
        1 => any::<usize>().prop_map(Mutation::Repeat),
    ]
}

/// How many nodes, depth first, `f` holds for.
fn count(node: &Node, f: &dyn Fn(&Node) -> bool) -> usize {
    usize::from(f(node))
        + match &node.value {
            Value::Seq(items) => items.iter().map(|n| count(n, f)).sum(),
            Value::Map(entries) => entries.iter().map(|e| count(&e.value, f)).sum(),
            _ => 0,
        }
}

/// The k-th node, depth first, that `f` holds for.
fn nth<'a>(node: &'a mut Node, f: &dyn Fn(&Node) -> bool, k: &mut usize) -> Option<&'a mut Node> {
    if f(node) {
        if *k == 0 {
            return Some(node);
        }
        *k -= 1;
    }
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().find_map(|n| nth(n, f, k)),
        Value::Map(entries) => entries.iter_mut().find_map(|e| nth(&mut e.value, f, k)),
        _ => None,
    }
}

fn apply(node: &mut Node, m: &Mutation) {
    fn pick<'a>(node: &'a mut Node, i: usize, f: &dyn Fn(&Node) -> bool) -> Option<&'a mut Node> {
        let n = count(node, f);
        let mut k = i % n.max(1);
        if n == 0 {
            return None;
        }
        nth(node, f, &mut k)
    }
    match m {
        Mutation::Replace(i, v) => {
            if let Some(n) = pick(node, *i, &|_| true) {
                n.value = v.clone();
            }
        }
        Mutation::Remove(i, j) => {
            if let Some(n) = pick(
                node,
                *i,
                &|n| matches!(&n.value, Value::Map(e) if !e.is_empty()),
            ) {
                if let Value::Map(entries) = &mut n.value {
                    entries.remove(j % entries.len());
                }
            }
        }
        Mutation::Add(i, key, v) => {
            if let Some(n) = pick(node, *i, &|n| matches!(n.value, Value::Map(_))) {
                let pos = n.pos;
                if let Value::Map(entries) = &mut n.value {
                    if entries.iter().all(|e| &e.key != key) {
                        entries.push(Entry {
                            key: key.clone(),
                            key_pos: pos,
                            value: Node {
                                pos,
                                value: v.clone(),
                            },
                        });
                    }
                }
            }
        }
        Mutation::Repeat(i) => {
            if let Some(n) = pick(
                node,
                *i,
                &|n| matches!(&n.value, Value::Seq(s) if !s.is_empty()),
            ) {
                if let Value::Seq(items) = &mut n.value {
                    items.push(items[0].clone());
                }
            }
        }
    }
}

fn engines() -> Engines {
    schema::SCHEMAS
        .iter()
        .map(|(kind, text)| {
            let json: serde_json::Value = serde_json::from_str(text).unwrap();
            let v = jsonschema::options()
                .should_validate_formats(true)
                .build(&json)
                .unwrap();
            (*kind, v)
        })
        .collect()
}

/// (place, keyword) of each error, as each side gives them.
fn compare(kind: Kind, node: &Node, engine: &jsonschema::Validator) -> Result<(), String> {
    let json = node.to_json();
    let mut theirs: Vec<(String, String)> = engine
        .iter_errors(&json)
        .map(|e| {
            (
                e.instance_path().as_str().to_string(),
                e.kind().keyword().to_string(),
            )
        })
        .collect();
    let mut ours: Vec<(String, String)> = schema::errors(kind, node)
        .into_iter()
        .map(|e| (e.path, e.kind.keyword().to_string()))
        .collect();
    theirs.sort();
    ours.sort();
    if theirs.is_empty() != ours.is_empty() || theirs != ours {
        return Err(format!(
            "{kind:?}: jsonschema {theirs:?}\nthe validator {ours:?}\n{json}"
        ));
    }
    Ok(())
}

#[test]
fn every_sample_document_agrees_unchanged() {
    let engines = engines();
    for (kind, node) in samples() {
        let engine = &engines.iter().find(|(k, _)| *k == kind).unwrap().1;
        compare(kind, &node, engine).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("EHCPACK_SCHEMA_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(512),
        ..ProptestConfig::default()
    })]

    #[test]
    fn mutated_sample_documents_agree(
        pick in any::<usize>(),
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        thread_local! {
            static STATE: (Samples, Engines) =
                (samples(), engines());
        }
        STATE.with(|(docs, engines)| {
            let (kind, original) = &docs[pick % docs.len()];
            let mut node = original.clone();
            for m in &mutations {
                apply(&mut node, m);
            }
            let engine = &engines.iter().find(|(k, _)| k == kind).unwrap().1;
            if let Err(e) = compare(*kind, &node, engine) {
                panic!("{mutations:?}\n{e}");
            }
        });
    }
}
