//! Each enum of the typed model has exactly the values its schema lists, so renaming a value in a
//! schema cannot silently turn a rule off; and every enum a schema declares is typed in the
//! model (17 of them, 13 Rust enums: a list the schemas share, such as the SEN type codes, is one
//! enum).

use std::collections::BTreeSet;

use ehcpack::model::{
    CareLevel, CostPer, EvidenceType, ExclusionType, GatheredHow, LegalStatus, PfaArea,
    PreferredContact, PreviousRequestKind, Rating, RequestedBy, SenStatus, SenType,
};
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

/// Each enum's values as the case file writes them, in its order.
macro_rules! values {
    ($name:ident) => {
        $name::ALL
            .iter()
            .map(|v| v.as_str().to_string())
            .collect::<Vec<String>>()
    };
}

/// Every enum the schemas declare: schema, where in it, and the model's values.
fn typed() -> Vec<(&'static str, &'static str, Vec<String>)> {
    vec![
        (
            "evidence",
            "/properties/files/items/properties/type",
            values!(EvidenceType),
        ),
        (
            "family",
            "/properties/people/items/properties/preferred_contact",
            values!(PreferredContact),
        ),
        (
            "health",
            "/properties/care_status/properties/status",
            values!(CareLevel),
        ),
        ("needs", "/properties/sen_status", values!(SenStatus)),
        ("needs", "/properties/primary_need", values!(SenType)),
        (
            "needs",
            "/properties/secondary_needs/items",
            values!(SenType),
        ),
        (
            "needs",
            "/properties/history/properties/provision/items/properties/status",
            values!(SenStatus),
        ),
        (
            "needs",
            "/properties/history/properties/needs/items/properties/type",
            values!(SenType),
        ),
        (
            "plan",
            "/properties/provision/items/properties/cost/properties/per",
            values!(CostPer),
        ),
        (
            "plan",
            "/properties/outcomes/items/properties/pfa_area",
            values!(PfaArea),
        ),
        (
            "plan",
            "/properties/review/properties/progress/items/properties/rating",
            values!(Rating),
        ),
        (
            "pupil",
            "/properties/looked_after/properties/legal_status",
            values!(LegalStatus),
        ),
        (
            "pupil",
            "/properties/exclusions/items/properties/type",
            values!(ExclusionType),
        ),
        (
            "pupil",
            "/properties/own_contact/properties/preferred_contact",
            values!(PreferredContact),
        ),
        ("request", "/properties/requested_by", values!(RequestedBy)),
        (
            "request",
            "/properties/previous_requests/items/properties/what",
            values!(PreviousRequestKind),
        ),
        (
            "views",
            "/properties/pupil/properties/gathered_how/items",
            values!(GatheredHow),
        ),
    ]
}

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
fn every_schema_enum_is_typed() {
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
    let known: BTreeSet<String> = typed().iter().map(|(k, p, _)| format!("{k} {p}")).collect();
    assert_eq!(declared, known);
}
