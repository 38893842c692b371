//! The intake register on a real PostgreSQL server: the same scenarios as tests/intake.rs runs
//! on SQLite, each in a database of its own. `.ci/run` starts the server (`.ci/postgres.sh`)
//! and names it in EHCPACK_TEST_POSTGRES; without it these tests fail and say so.

// Tests read their fixtures and outputs directly.
#![allow(clippy::disallowed_methods)]

use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;
use ehcpack::intake::Register;

use crate::common;

use crate::register_scenarios as scenarios;
use scenarios::{synthetic, Reg};

/// A new, empty database on the test server, as a register address.
fn postgres() -> Reg {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let admin = std::env::var("EHCPACK_TEST_POSTGRES").unwrap_or_else(|_| {
        panic!(
            "the register tests need a PostgreSQL server named in EHCPACK_TEST_POSTGRES \
             (`bash .ci/postgres.sh start DIR` starts one and prints its address; `.ci/run` \
             does this, after `apt-get install postgresql`)"
        )
    });
    let name = format!(
        "ehcpack_test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    let mut client = postgres::Client::connect(&admin, postgres::NoTls)
        .unwrap_or_else(|e| panic!("cannot reach the test server {admin}: {e}"));
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let (base, _) = admin
        .rsplit_once('/')
        .expect("an address ending in /database");
    Reg {
        dir: common::tempdir(),
        location: format!("{base}/{name}"),
    }
}

#[test]
fn postgres_add_names_links_and_never_records_the_same_file_twice() {
    scenarios::add_names_links_and_never_records_the_same_file_twice(&postgres());
}

#[test]
fn postgres_a_decided_request_is_never_overdue_and_the_history_keeps_everything() {
    scenarios::a_decided_request_is_never_overdue_and_the_history_keeps_everything(&postgres());
}

#[test]
fn postgres_an_item_that_cannot_be_read_is_recorded_never_lost() {
    scenarios::an_item_that_cannot_be_read_is_recorded_never_lost(&postgres());
}

#[test]
fn postgres_a_register_of_ten_thousand_requests_lists_the_overdue_in_under_a_second() {
    // Over the loopback network, while the rest of the external suite runs Chromium and the
    // PDF checkers beside it: held to two seconds here.
    scenarios::a_register_of_ten_thousand_requests_lists_the_overdue_in_under_a_second(
        &postgres(),
        std::time::Duration::from_secs(2),
    );
}

#[test]
fn postgres_the_schema_version_is_checked_and_an_older_register_migrated() {
    scenarios::the_schema_version_is_checked_and_an_older_register_migrated(&postgres());
}

#[test]
fn postgres_backup_copies_every_request_and_event_into_a_new_file() {
    scenarios::backup_copies_every_request_and_event_into_a_new_file(&postgres());
}

#[test]
fn postgres_two_adds_at_once_both_land() {
    scenarios::two_adds_at_once_both_land(&postgres());
}

#[test]
fn postgres_an_add_that_fails_part_way_leaves_the_register_as_it_was() {
    let reg = postgres();
    let mut register = Register::open(&reg.location, true).unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 1, 20).unwrap();
    register.add(&[synthetic(1, day)], "first").unwrap();
    register
        .execute_raw(
            "CREATE FUNCTION fault() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF NEW.file_name = 'term/4.pdf' THEN RAISE EXCEPTION 'the disk is full'; END IF; \
             RETURN NEW; END $$",
        )
        .unwrap();
    register
        .execute_raw(
            "CREATE TRIGGER fault BEFORE INSERT ON requests FOR EACH ROW EXECUTE FUNCTION fault()",
        )
        .unwrap();
    let batch: Vec<_> = (2..7).map(|i| synthetic(i, day)).collect();
    let e = register.add(&batch, "second").unwrap_err().to_string();
    assert!(e.contains("the disk is full"), "{e}");
    register
        .execute_raw("DROP TRIGGER fault ON requests")
        .unwrap();
    let profile = ehcpack::profile::Profile::durham();
    assert_eq!(register.requests(&profile).unwrap().len(), 1);
    register.add(&batch, "second").unwrap();
    assert_eq!(register.requests(&profile).unwrap().len(), 6);
}

#[test]
fn postgres_the_register_holds_no_protected_address() {
    let reg = postgres();
    let case = common::sample("fail-protected-address-leak");
    let out = reg.intake(&["add", case.to_str().unwrap(), "--today", "2026-03-01"]);
    assert!(
        scenarios::text(&out).contains("1 new"),
        "{}",
        scenarios::text(&out)
    );
    let pupil = std::fs::read_to_string(case.join("pupil.yaml")).unwrap();
    let postcode = pupil
        .lines()
        .find_map(|l| l.trim().strip_prefix("postcode: "))
        .unwrap()
        .to_string();
    // Every value of every row, as text.
    let mut client = postgres::Client::connect(&reg.location, postgres::NoTls).unwrap();
    let rows = client
        .query(
            "SELECT row_to_json(r)::text FROM requests r UNION ALL \
             SELECT row_to_json(e)::text FROM events e",
            &[],
        )
        .unwrap();
    assert!(!rows.is_empty());
    let squeezed: String = postcode.split_whitespace().collect();
    for row in rows {
        let text: String = row.get(0);
        assert!(
            !text.contains(&postcode) && !text.replace(' ', "").contains(&squeezed),
            "{text}"
        );
    }
}
