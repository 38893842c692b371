//! Each enum of the typed model has exactly the values its schema lists, so renaming a value in a
//! schema cannot silently turn a rule off; and every enum a schema declares is either typed in
//! the model or listed here as still a string.

use std::collections::BTreeSet;

use ehcpack::model::{EvidenceType, RequestedBy, SenStatus};
use serde_json::Value;

fn schema(kind: &str) -> Value {
    let path = crate::common::root().join(format!("schemas/{kind}.schema.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn listed(kind: &str, pointer: &str) -> Vec<String> {
    schema(kind)
        .pointer(&format!("{pointer}/enum"))
        .unwrap_or_else(|| panic!("{kind}.schema.json has no enum at {pointer}"))
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn names(all: impl IntoIterator<Item = &'static str>) -> Vec<String> {
    all.into_iter().map(String::from).collect()
}

/// The typed enums: schema, where in it, and the model's values.
fn typed() -> Vec<(&'static str, &'static str, Vec<String>)> {
    vec![
        (
            "request",
            "/properties/requested_by",
            names(RequestedBy::ALL.iter().map(|v| v.as_str())),
        ),
        (
            "needs",
            "/properties/sen_status",
            names(SenStatus::ALL.iter().map(|v| v.as_str())),
        ),
        (
            "evidence",
            "/properties/files/items/properties/type",
            names(EvidenceType::ALL.iter().map(|v| v.as_str())),
        ),
    ]
}

/// Enums the model still reads as strings (no rule compares them). Typing one moves it to
/// `typed`.
const AS_STRINGS: &[(&str, &str)] = &[
    (
        "family",
        "/properties/people/items/properties/preferred_contact",
    ),
    ("health", "/properties/care_status/properties/status"),
    ("needs", "/properties/primary_need"),
    ("needs", "/properties/secondary_needs/items"),
    (
        "needs",
        "/properties/history/properties/provision/items/properties/status",
    ),
    (
        "needs",
        "/properties/history/properties/needs/items/properties/type",
    ),
    (
        "plan",
        "/properties/provision/items/properties/cost/properties/per",
    ),
    ("plan", "/properties/outcomes/items/properties/pfa_area"),
    (
        "plan",
        "/properties/review/properties/progress/items/properties/rating",
    ),
    ("pupil", "/properties/looked_after/properties/legal_status"),
    ("pupil", "/properties/exclusions/items/properties/type"),
    (
        "pupil",
        "/properties/own_contact/properties/preferred_contact",
    ),
    (
        "request",
        "/properties/previous_requests/items/properties/what",
    ),
    ("views", "/properties/pupil/properties/gathered_how/items"),
];

#[test]
fn each_typed_enum_has_exactly_its_schemas_values() {
    for (kind, pointer, values) in typed() {
        assert_eq!(
            values,
            listed(kind, pointer),
            "{kind}.schema.json {pointer}"
        );
    }
}

fn enums_in(node: &Value, at: String, out: &mut BTreeSet<String>) {
    match node {
        Value::Object(map) => {
            if map.contains_key("enum") {
                out.insert(at.clone());
            }
            for (key, value) in map {
                enums_in(value, format!("{at}/{key}"), out);
            }
        }
        Value::Array(items) => {
            for (i, value) in items.iter().enumerate() {
                enums_in(value, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_schema_enum_is_typed_or_listed_as_a_string() {
    let mut declared = BTreeSet::new();
    for entry in std::fs::read_dir(crate::common::root().join("schemas")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let Some(kind) = name.strip_suffix(".schema.json") else {
            continue;
        };
        let mut found = BTreeSet::new();
        enums_in(&schema(kind), String::new(), &mut found);
        declared.extend(found.into_iter().map(|p| format!("{kind} {p}")));
    }
    let known: BTreeSet<String> = typed()
        .iter()
        .map(|(k, p, _)| format!("{k} {p}"))
        .chain(AS_STRINGS.iter().map(|(k, p)| format!("{k} {p}")))
        .collect();
    assert_eq!(declared, known);
}
