//! Issue 18's classes, each through the program as a user runs it: templates that try to read
//! the world outside them, output formats fed every kind of code point, commands whose output
//! pipe closes early, `render --draft` of a case with errors, a file that is not a profile,
//! passwords in either Unicode normal form, and evidence reports that carry the address.
// Tests read their fixtures and outputs directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

mod common;

use std::fs;
use std::path::Path;

use common::{ehcpack_command, ehcpack_in, sample, stderr, stdout, TODAY};

// ----- templates cannot read the environment, the clock or files -----

/// Every spelling of a call to a function that reads the world outside the template: at the
/// top, in a `set`, a macro, a loop, a condition, a filter section, a filter's argument.
const AMBIENT_CALLS: [&str; 10] = [
    "{{ get_env(name=\"EHCPACK_PASSWORD\") }}",
    "{{ get_env(name=\"HOME\", default=\"none\") | upper }}",
    "{% set p = get_env(name=\"EHCPACK_PASSWORD\") %}{{ p }}",
    "{% macro m() %}{{ get_env(name=\"EHCPACK_PASSWORD\") }}{% endmacro m %}{{ self::m() }}",
    "{% for c in [get_env(name=\"EHCPACK_PASSWORD\")] %}{{ c }}{% endfor %}",
    "{% if get_env(name=\"EHCPACK_PASSWORD\") %}yes{% endif %}",
    "{% filter upper %}{{ get_env(name=\"EHCPACK_PASSWORD\") }}{% endfilter %}",
    "{{ \"x\" | replace(from=\"x\", to=get_env(name=\"EHCPACK_PASSWORD\")) }}",
    "{{ now() }}",
    "{{ get_random(start=1, end=9) }}",
];

const PASSWORD: &str = "Brandon-Seaham-7731";

#[test]
fn a_template_that_reads_the_environment_is_refused_and_the_password_never_reaches_the_pack() {
    let tmp = tempfile::tempdir().unwrap();
    let templates = tmp.path().join("templates");
    fs::create_dir(&templates).unwrap();
    for (n, call) in AMBIENT_CALLS.iter().enumerate() {
        fs::write(
            templates.join("cover.tera"),
            format!("@title Request\n@centre {call}\n"),
        )
        .unwrap();
        let pdf = tmp.path().join(format!("pack-{n}.pdf"));
        let out = ehcpack_command()
            .current_dir(tmp.path())
            .env("EHCPACK_PASSWORD", PASSWORD)
            .args([
                "render",
                sample("year5-passing").to_str().unwrap(),
                "--today",
                TODAY,
                "--encrypt",
                "--templates",
                templates.to_str().unwrap(),
                "-o",
                pdf.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        let (text, err) = (stdout(&out), stderr(&out));
        assert_eq!(out.status.code(), Some(2), "{call}: {text}{err}");
        assert!(
            err.contains("templates may call only `range` and `throw`"),
            "{call}: {err}"
        );
        assert!(!pdf.exists(), "{call}: a pack was written");
        assert!(
            !text.contains(PASSWORD) && !err.contains(PASSWORD),
            "{call}"
        );
    }
}
