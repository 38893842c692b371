//! What the pack may print of the family's contact details (docs/senco.md, "Contact details and the
//! protected address"): for a looked-after child with a protected address, nothing that could
//! lead to the home reaches the templates.

use crate::common;

use std::fs;

use chrono::NaiveDate;
use ehcpack::profile::Profile;
use ehcpack::rules::Context;

/// The template context of a sample, with `family.yaml` replaced.
fn context_with_family(sample: &str, family: &str) -> String {
    let (_tmp, dir) = common::sample_copy(sample);
    fs::write(dir.join("family.yaml"), family).unwrap();
    let profile = Profile::durham();
    let today = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
    let ctx = Context::new(&profile, today);
    let (case, report) = ehcpack::validate(&dir, &ctx);
    let (value, _) = ehcpack::render::context::build(&case, &report, true, today);
    value.to_string()
}

const FAMILY: &str = "format: ehcpack/1
kind: family
people:
  - name: Mrs Janet Dawson
    relationship: foster carer
    parental_responsibility: false
    lives_with_pupil: true
    phone: \"07700 900111\"
    email: janet.dawson@example.com
    preferred_contact: phone
  - name: Mrs Pat Carer
    relationship: relative carer
    parental_responsibility: false
    phone: \"07700 900222\"
  - name: Mrs Kelly Heslop
    relationship: mother
    parental_responsibility: true
    lives_with_pupil: false
    phone: \"07700 900412\"
household:
  - name: Daniel Dawson
    relationship: foster brother
    age: 14
";

#[test]
fn with_a_protected_address_the_household_cannot_be_traced_from_the_pack() {
    let text = context_with_family("fail-protected-address-leak", FAMILY);
    // Those who live with the child, or may (not recorded): no phone, no email, no address.
    for hidden in [
        "07700 900111",
        "janet.dawson@example.com",
        "07700 900222",
        "Daniel Dawson",
    ] {
        assert!(!text.contains(hidden), "{hidden} reached the templates");
    }
    // What the LA still needs: who they are, how they like to be contacted, that details are
    // withheld, the household by relationship; a parent living elsewhere keeps her contact.
    for shown in [
        "Mrs Janet Dawson",
        "foster brother",
        "\"contact_withheld\":true",
        "07700 900412",
        "03000 267 979",
    ] {
        assert!(text.contains(shown), "{shown} is missing");
    }
}

#[test]
fn without_a_protected_address_contact_details_are_printed() {
    let text = context_with_family("year5-passing", FAMILY);
    for shown in [
        "07700 900111",
        "janet.dawson@example.com",
        "07700 900222",
        "Daniel Dawson",
    ] {
        assert!(text.contains(shown), "{shown} is missing");
    }
    assert!(!text.contains("contact_withheld"));
}
