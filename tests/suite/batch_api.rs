//! `ehcpack validate PATH...` as a library call (`ehcpack::batch::validate`): what a program that
//! uses the library gets is what the command prints, byte for byte, with the batch's own findings
//! (`duplicate-pupil`) and a path that cannot be read reported, not fatal.

use std::path::PathBuf;

use ehcpack::batch::{self, BatchError};
use ehcpack::privacy::RedactedReport;
use ehcpack::report::{Json, Reporter};

use crate::common::{self, copy_sample, sample};

const TODAY: &str = "2026-01-15";

fn ctx_profile() -> ehcpack::profile::Profile {
    ehcpack::profile::Profile::durham()
}

/// The library's JSON report of `paths`, as `validate --format json` writes it.
fn library_json(paths: &[PathBuf]) -> (String, batch::BatchReport) {
    let profile = ctx_profile();
    let today = TODAY.parse().unwrap();
    let ctx = ehcpack::rules::Context::new(&profile, today);
    let mut json = Json::new(&profile.name, today);
    let mut out = Vec::new();
    let done = batch::validate(
        paths,
        &ctx,
        &ehcpack::received::Options::default(),
        None,
        &mut |report: &RedactedReport| json.case(report, &mut out),
    )
    .unwrap();
    json.finish(&done.summary, &mut out).unwrap();
    (String::from_utf8(out).unwrap(), done)
}

#[test]
fn the_library_call_reports_what_the_command_prints() {
    let work = common::tempdir();
    let missing = work.path().join("no-such-folder");
    let paths = vec![
        sample("year5-passing"),
        sample("fail-no-consent"),
        sample("looked-after-durham"),
        missing.clone(),
    ];
    let (library, done) = library_json(&paths);
    let mut args = vec!["validate", "--format", "json", "--today", TODAY];
    let texts: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    args.extend(texts.iter().map(String::as_str));
    let cli = common::ehcpack(&args);
    assert_eq!(cli.status.code(), Some(1), "{}", common::stderr(&cli));
    assert_eq!(library, common::stdout(&cli));
    // Three cases and the path that cannot be read, which fails as a `case-structure` finding.
    assert_eq!(done.summary.cases, 4);
    assert_eq!(done.summary.failed, 2);
    assert!(library.contains("this path cannot be read"), "{library}");
}

#[test]
fn the_same_pupil_twice_is_a_warning_on_both_through_the_library() {
    let work = common::tempdir();
    let a = copy_sample(work.path(), "year5-passing", "ava-brandon");
    let b = copy_sample(work.path(), "year5-passing", "ava-seaham");
    let (library, done) = library_json(&[a, b]);
    assert_eq!(done.summary.duplicate_pupils, 1);
    assert_eq!(
        library.matches("\"rule\":\"duplicate-pupil\"").count(),
        2,
        "{library}"
    );
    assert!(library.contains("is also in"), "{library}");
}

#[test]
fn nothing_to_check_is_an_error_naming_every_path() {
    let work = common::tempdir();
    let paths = vec![work.path().join("stanley"), work.path().join("consett")];
    let profile = ctx_profile();
    let ctx = ehcpack::rules::Context::new(&profile, TODAY.parse().unwrap());
    let mut emitted = 0;
    let err = batch::validate(
        &paths,
        &ctx,
        &ehcpack::received::Options::default(),
        None,
        &mut |_| {
            emitted += 1;
            Ok(())
        },
    )
    .unwrap_err();
    let BatchError::Unreadable(unreadable) = err else {
        panic!("not an unreadable batch: {err}");
    };
    assert_eq!(unreadable.reasons.len(), 2, "{:?}", unreadable.reasons);
    assert!(unreadable.reasons[0].contains("stanley"));
    assert!(unreadable.reasons[1].contains("consett"));
    assert!(unreadable.reasons[0].contains("it does not exist"));
    assert_eq!(emitted, 0);
}
