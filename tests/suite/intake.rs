//! The LA's desk: the triage report that names each request, the `check-by-hand` verdict, and
//! the intake register (`ehcpack intake`) on SQLite, as a caseworker uses them. The same
//! register commands against a real PostgreSQL server, and the pages in a real browser, are in
//! the external suite (tests/external/register.rs, tests/external/html.rs).
#![allow(clippy::disallowed_methods)]

use crate::common;
#[path = "intake/scenarios.rs"]
mod scenarios;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use chrono::NaiveDate;
use ehcpack::intake::{NewRequest, Register};

use scenarios::{synthetic, term, text, Reg};

fn intake(dir: &Path, args: &[&str]) -> Output {
    let register = dir.join("register.db");
    let mut all = vec!["intake", "--register", register.to_str().unwrap()];
    all.extend_from_slice(args);
    common::ehcpack_in(dir, &all)
}

// ----- the triage report -----

#[test]
fn the_triage_names_each_request_and_a_word_pdf_is_checked_by_hand_not_failed() {
    let dir = common::tempdir();
    let arrivals = term(dir.path());
    let out = common::ehcpack(&[
        "validate",
        arrivals.to_str().unwrap(),
        "--today",
        "2026-03-10",
        "--received",
        "2026-01-20",
    ]);
    let shown = text(&out);
    // Nothing failed: a PDF made in Word is for a person to read, and does not fail the run.
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(
        shown.contains(
            "Joshua Lee Heslop, born 2016-02-14, Year 5, Brackenfield Primary School; primary \
             need SLCN; requested by the school"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("Freya Louise Bainbridge, born 2010-11-23, Year 10"),
        "{shown}"
    );
    assert!(
        shown.contains("kowalczyk-request.pdf: check by hand"),
        "{shown}"
    );
    assert!(
        shown.contains(
            "not an ehcpack pack, 3 pages, titled \"EHC needs assessment request: Zoë \
             Kowalczyk, Seaham\""
        ),
        "{shown}"
    );
    assert!(
        shown.contains("3 cases: 2 passed, 0 passed with warnings, 0 failed, 1 to check by hand"),
        "{shown}"
    );

    // JSON and CSV carry the same, field by field.
    let json = common::ehcpack(&[
        "validate",
        arrivals.to_str().unwrap(),
        "--today",
        "2026-03-10",
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    let heslop = cases
        .iter()
        .find(|c| c["path"].as_str().unwrap().ends_with("heslop.pdf"))
        .unwrap();
    assert_eq!(heslop["legal_name"], "Joshua Lee Heslop");
    assert_eq!(heslop["date_of_birth"], "2016-02-14");
    assert_eq!(heslop["year_group"], 5);
    assert_eq!(heslop["school"], "Brackenfield Primary School");
    assert_eq!(heslop["primary_need"], "SLCN");
    assert_eq!(heslop["requested_by"], "school");
    assert_eq!(heslop["action"], "ready");
    let word = cases
        .iter()
        .find(|c| {
            c["path"]
                .as_str()
                .unwrap()
                .ends_with("kowalczyk-request.pdf")
        })
        .unwrap();
    assert_eq!(word["verdict"], "check-by-hand");
    assert_eq!(word["action"], "check-by-hand");
    assert_eq!(word["by_hand"]["pages"], 3);
    assert_eq!(doc["summary"]["check_by_hand"], 1);
    assert_eq!(doc["summary"]["failed"], 0);

    let csv = common::ehcpack(&[
        "validate",
        arrivals.to_str().unwrap(),
        "--today",
        "2026-03-10",
        "--format",
        "csv",
    ]);
    let mut reader = csv::Reader::from_reader(&csv.stdout[..]);
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let bainbridge = rows
        .iter()
        .find(|r| r[0].ends_with("bainbridge.pdf"))
        .unwrap();
    assert_eq!(&bainbridge[col("legal_name")], "Freya Louise Bainbridge");
    assert_eq!(&bainbridge[col("school")], "Moorfield Park Academy");
    assert_eq!(&bainbridge[col("primary_need")], "ASD");
    let word = rows
        .iter()
        .find(|r| r[0].ends_with("kowalczyk-request.pdf"))
        .unwrap();
    assert_eq!(&word[col("verdict")], "check-by-hand");
    assert_eq!(&word[col("pages")], "3");
}

#[test]
fn the_html_page_groups_requests_by_what_to_do() {
    let dir = common::tempdir();
    let arrivals = term(dir.path());
    let out = common::ehcpack(&[
        "validate",
        arrivals.to_str().unwrap(),
        "sample-cases/fail-no-consent",
        "sample-cases/fail-no-countersignature",
        "--today",
        "2026-03-10",
        "--received",
        "2026-01-20",
        "--format",
        "html",
    ]);
    let html = common::stdout(&out);
    // The groups, in the order a caseworker works through them.
    let at = |id: &str| {
        html.find(&format!("<section id=\"{id}\">"))
            .unwrap_or_else(|| panic!("no {id} group"))
    };
    assert!(at("ready") < at("send-back"));
    assert!(at("send-back") < at("check-by-hand"));
    assert!(at("check-by-hand") < at("altered"));
    assert!(at("altered") < at("duplicate"));
    let section = |id: &str| {
        let start = at(id);
        let end = html[start..].find("</section>").unwrap() + start;
        html[start..end].to_string()
    };
    assert!(section("check-by-hand").contains("EHC needs assessment request: Zoë Kowalczyk"));
    // The same pupil twice (the sample and its pack) is a duplicate, whatever else it is.
    assert!(section("duplicate").contains("Joshua Lee Heslop"));
    assert!(section("ready").contains("Freya Louise Bainbridge"));
    assert!(section("altered").contains("None."));
    // Findings sit in a row of their own, the table's full width.
    assert!(html.contains("<tr class=\"findings\"><td colspan=\"11\">"));
}

// ----- the register -----

#[test]
fn add_names_links_and_never_records_the_same_file_twice() {
    scenarios::add_names_links_and_never_records_the_same_file_twice(&Reg::sqlite());
}

#[test]
fn a_decided_request_is_never_overdue_and_the_history_keeps_everything() {
    scenarios::a_decided_request_is_never_overdue_and_the_history_keeps_everything(&Reg::sqlite());
}

#[test]
fn bad_dates_and_unknown_requests_are_clear_errors() {
    let dir = common::tempdir();
    let arrivals = term(dir.path());
    // No register yet: `list` says how to make one, and makes nothing.
    let out = intake(dir.path(), &["list"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("there is no register at"),
        "{}",
        text(&out)
    );
    assert!(!dir.path().join("register.db").exists());
    // A mistyped path records nothing.
    let out = intake(
        dir.path(),
        &["add", "recieved/autumn-2026", "--today", "2026-01-21"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("cannot read recieved/autumn-2026")
            && text(&out).contains("nothing was recorded"),
        "{}",
        text(&out)
    );
    assert!(!dir.path().join("register.db").exists());

    intake(
        dir.path(),
        &[
            "add",
            arrivals.to_str().unwrap(),
            "--received",
            "2026-01-20",
            "--today",
            "2026-01-21",
        ],
    );
    let out = intake(
        dir.path(),
        &[
            "decide",
            "99",
            "--assess",
            "--date",
            "2026-02-01",
            "--today",
            "2026-03-01",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("there is no request 99 in the register"),
        "{}",
        text(&out)
    );
    let out = intake(
        dir.path(),
        &["decide", "1", "--assess", "--date", "2026-02-30"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("2026-02-30"), "{}", text(&out));
    let out = intake(
        dir.path(),
        &[
            "decide",
            "1",
            "--assess",
            "--date",
            "2026-01-02",
            "--today",
            "2026-03-01",
        ],
    );
    assert!(
        text(&out).contains("2026-01-02 is before request 1 was received (2026-01-20)"),
        "{}",
        text(&out)
    );
    let out = intake(
        dir.path(),
        &[
            "decide",
            "1",
            "--assess",
            "--date",
            "2026-04-01",
            "--today",
            "2026-03-01",
        ],
    );
    assert!(
        text(&out).contains("is after today (2026-03-01)"),
        "{}",
        text(&out)
    );
    let out = intake(
        dir.path(),
        &[
            "plan",
            "1",
            "--issued",
            "--date",
            "2026-02-01",
            "--today",
            "2026-03-01",
        ],
    );
    assert!(
        text(&out).contains("has no decision to assess recorded"),
        "{}",
        text(&out)
    );
    let out = intake(
        dir.path(),
        &[
            "add",
            arrivals.to_str().unwrap(),
            "--received",
            "2026-05-01",
            "--today",
            "2026-03-01",
        ],
    );
    assert!(
        text(&out).contains("--received 2026-05-01 is after today"),
        "{}",
        text(&out)
    );
}

#[test]
fn an_item_that_cannot_be_read_is_recorded_never_lost() {
    scenarios::an_item_that_cannot_be_read_is_recorded_never_lost(&Reg::sqlite());
}

#[test]
fn the_register_holds_no_protected_address() {
    let dir = common::tempdir();
    let out = intake(
        dir.path(),
        &[
            "add",
            common::sample("fail-protected-address-leak")
                .to_str()
                .unwrap(),
            "--today",
            "2026-03-01",
        ],
    );
    assert!(text(&out).contains("1 new"), "{}", text(&out));
    let register = dir.path().join("register.db");
    // Every byte of the file, and the journal beside it if any.
    let mut bytes = std::fs::read(&register).unwrap();
    if let Ok(wal) = std::fs::read(dir.path().join("register.db-wal")) {
        bytes.extend(wal);
    }
    let pupil =
        std::fs::read_to_string(common::sample("fail-protected-address-leak").join("pupil.yaml"))
            .unwrap();
    let postcode = pupil
        .lines()
        .find_map(|l| l.trim().strip_prefix("postcode: "))
        .unwrap();
    assert!(
        !bytes
            .windows(postcode.len())
            .any(|w| w == postcode.as_bytes()),
        "the postcode {postcode} is in the register"
    );
    let squeezed: String = postcode.split_whitespace().collect();
    assert!(!bytes
        .windows(squeezed.len())
        .any(|w| w == squeezed.as_bytes()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&register).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the register names children: its owner's only");
    }
}

#[test]
fn an_add_that_fails_part_way_leaves_the_register_as_it_was() {
    let dir = common::tempdir();
    let path = dir.path().join("register.db");
    let location = path.to_str().unwrap().to_string();
    let mut register = Register::open(&location, true).unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 1, 20).unwrap();
    register.add(&[synthetic(1, day)], "first").unwrap();
    // A fault on the third row of five: none of the five is kept.
    register
        .execute_raw(
            "CREATE TRIGGER fault BEFORE INSERT ON requests WHEN NEW.file_name = 'term/4.pdf' \
             BEGIN SELECT RAISE(ABORT, 'the disk is full'); END",
        )
        .unwrap();
    let batch: Vec<NewRequest> = (2..7).map(|i| synthetic(i, day)).collect();
    let e = register.add(&batch, "second").unwrap_err().to_string();
    assert!(e.contains("the disk is full"), "{e}");
    register.execute_raw("DROP TRIGGER fault").unwrap();
    let profile = ehcpack::profile::Profile::durham();
    assert_eq!(register.requests(&profile).unwrap().len(), 1);
    // Whole again, the same add goes through.
    register.add(&batch, "second").unwrap();
    assert_eq!(register.requests(&profile).unwrap().len(), 6);
}

#[cfg(unix)]
#[test]
fn a_killed_add_leaves_the_register_whole() {
    let dir = common::tempdir();
    let corpus = dir.path().join("corpus");
    let out = common::ehcpack(&[
        "generate",
        corpus.to_str().unwrap(),
        "--count",
        "40",
        "--faults",
        "0.3",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let register = dir.path().join("register.db");
    let count = |register: &Path| -> usize {
        let mut r = Register::open(register.to_str().unwrap(), false).unwrap();
        r.requests(&ehcpack::profile::Profile::durham())
            .unwrap()
            .iter()
            .map(|r| r.versions)
            .sum()
    };
    // Killed at different moments: the register holds all 40 or none, and always opens.
    for delay in [50u64, 200, 400, 800] {
        let _ = std::fs::remove_file(&register);
        let mut child = common::ehcpack_command()
            .args([
                "intake",
                "--register",
                register.to_str().unwrap(),
                "add",
                corpus.to_str().unwrap(),
                "--today",
                "2026-03-01",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill();
        let _ = child.wait();
        if register.exists() {
            let n = count(&register);
            assert!(
                n == 0 || n == 40,
                "killed after {delay} ms: {n} of 40 recorded"
            );
        }
    }
}

#[test]
fn two_adds_at_once_both_land() {
    scenarios::two_adds_at_once_both_land(&Reg::sqlite());
}

/// Several people at the LA adding to a new register at the same moment: each process waits its
/// turn. SQLite answers "locked" at once (no wait) while another process switches a new file to
/// its write-ahead log; before the fix one of two adds at once was now and then told the file
/// "is not a register". Eight processes a round make the moment likelier (it was seen about once in twenty runs of
/// two adds, at load 8).
#[test]
fn many_adds_at_once_to_a_new_register_all_land() {
    let dir = common::tempdir();
    let cases = dir.path().join("cases");
    let out = common::ehcpack(&[
        "generate",
        cases.to_str().unwrap(),
        "--count",
        "6",
        "--seed",
        "11",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    for round in 0..4 {
        let register = format!("register-{round}.db");
        let adds: Vec<std::process::Child> = (0..8)
            .map(|_| {
                common::ehcpack_command()
                    .current_dir(dir.path())
                    .args(["intake", "--register", &register, "add", "cases"])
                    .args(["--today", "2026-03-01"])
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for add in adds {
            let out = add.wait_with_output().unwrap();
            assert!(
                matches!(out.status.code(), Some(0 | 1)),
                "round {round}: {}",
                text(&out)
            );
        }
        let listed = common::ehcpack_in(dir.path(), &["intake", "--register", &register, "list"]);
        assert!(
            matches!(listed.status.code(), Some(0 | 1)),
            "round {round}: {}",
            text(&listed)
        );
    }
}

#[test]
fn the_schema_version_is_checked_and_an_older_register_migrated() {
    scenarios::the_schema_version_is_checked_and_an_older_register_migrated(&Reg::sqlite());
}

#[test]
fn a_file_that_is_not_a_register_is_refused() {
    let dir = common::tempdir();
    std::fs::write(dir.path().join("notes.db"), "minutes of the panel").unwrap();
    let out = common::ehcpack_in(dir.path(), &["intake", "--register", "notes.db", "list"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("is not a register"), "{}", text(&out));
    assert_eq!(
        std::fs::read(dir.path().join("notes.db")).unwrap(),
        b"minutes of the panel"
    );
}

#[test]
fn backup_copies_every_request_and_event_into_a_new_file() {
    scenarios::backup_copies_every_request_and_event_into_a_new_file(&Reg::sqlite());
}

/// The register at an LA's scale: 10,000 requests. The figure (under a second here, alone) is
/// measured in docs/caseworker.md; in the suite, beside other tests, the bound only catches a
/// listing that has stopped scaling (a query per request, a missing index).
#[test]
fn a_register_of_ten_thousand_requests_lists_the_overdue_quickly() {
    let _alone = common::heavy();
    scenarios::a_register_of_ten_thousand_requests_lists_the_overdue_in_under_a_second(
        &Reg::sqlite(),
        std::time::Duration::from_secs(4),
    );
}
