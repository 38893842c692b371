//! What a command that cannot run prints, and its exit status: the library's typed errors keep
//! their words, each after `ehcpack: ` on one line, and the status is 2; `--help` is no failure.

use crate::common::{ehcpack, sample, stderr, tempdir};

/// Runs ehcpack and returns (exit status, standard error).
fn run(args: &[&str]) -> (Option<i32>, String) {
    let output = ehcpack(args);
    (output.status.code(), stderr(&output))
}

#[test]
fn a_profile_that_cannot_be_used_is_named_with_the_line_and_the_reason() {
    let dir = tempdir();
    let case = sample("year5-passing");
    let case = case.to_str().unwrap();
    let cases = [
        ("empty.yaml", "", "the profile is empty".to_string()),
        (
            "requester.yaml",
            &format!(
                "{}\nseverity_by_requester:\n  parents:\n    parent-views: advice\n",
                ehcpack::profile::DURHAM
            ),
            "`parents` is not a requester; write one of: school, parent, young-person, other"
                .to_string(),
        ),
        (
            "shape.yaml",
            "name: Seaham\n",
            "this is not an ehcpack profile".to_string(),
        ),
    ];
    for (name, text, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let path = path.to_str().unwrap();
        let (code, err) = run(&["validate", "--profile", path, case]);
        assert_eq!(code, Some(2), "{name}: {err}");
        assert!(
            err.starts_with(&format!("ehcpack: {path}: ")),
            "{name}: {err}"
        );
        assert!(err.contains(&expected), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{name}: {err}");
    }
    let missing = dir.path().join("Durham profile.yaml");
    let (code, err) = run(&["validate", "--profile", missing.to_str().unwrap(), case]);
    assert_eq!(code, Some(2));
    assert_eq!(
        err.trim_end(),
        format!(
            "ehcpack: cannot read the profile {}: it does not exist",
            missing.display()
        )
    );
}

#[test]
fn each_ending_has_its_exit_status() {
    let pass = sample("year5-passing");
    let fail = sample("fail-no-countersignature");
    assert_eq!(run(&["validate", pass.to_str().unwrap()]).0, Some(0));
    assert_eq!(run(&["validate", fail.to_str().unwrap()]).0, Some(1));
    assert_eq!(run(&["--help"]).0, Some(0));
    assert_eq!(run(&["--no-such-flag"]).0, Some(2));
    let (code, err) = run(&["explain", "consent-to-shar"]);
    assert_eq!(code, Some(2));
    assert_eq!(
        err.trim_end(),
        "ehcpack: no rule `consent-to-shar`; did you mean `consent-to-share`? (`ehcpack explain \
         --list` lists them)"
    );
    let (code, err) = run(&["schema"]);
    assert_eq!(code, Some(2));
    assert_eq!(
        err.trim_end(),
        "ehcpack: name a KIND to print, or --out DIR to write every schema"
    );
}
