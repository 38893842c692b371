//! The project's domain guide, kept outside the repository in `shared/` beside the clone (as CI
//! and the developers have it): every rule id its catalogue names is implemented.
// Tests read their fixtures and outputs directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use crate::common;

#[test]
fn every_catalogue_id_from_the_shared_rules_is_implemented() {
    let path = common::root().join("../shared/domain/rules.md");
    let catalogue = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the external suite needs the shared domain guide at {}: {e} \
             (clone the repository beside `shared/`, as CI does)",
            path.display()
        )
    });
    let mut ids = 0;
    for line in catalogue.lines().filter(|l| l.starts_with("| `")) {
        let id = line.split('`').nth(1).unwrap();
        assert!(
            ehcpack::rules::catalogue::get(id).is_some(),
            "rule {id} is not implemented"
        );
        ids += 1;
    }
    assert!(
        ids >= 10,
        "the catalogue names {ids} rules: is {} the guide?",
        path.display()
    );
}
