//! The register at an LA's scale: 10,000 requests, `list --overdue` in under a second. A test
//! binary of its own, so that it runs alone (Cargo runs test binaries one after another) and
//! the second it is held to is the register's, not the other tests'.
#![allow(clippy::disallowed_methods)]

mod common;
#[path = "intake/scenarios.rs"]
mod scenarios;

#[test]
fn a_register_of_ten_thousand_requests_lists_the_overdue_in_under_a_second() {
    scenarios::a_register_of_ten_thousand_requests_lists_the_overdue_in_under_a_second(
        &scenarios::Reg::sqlite(),
        std::time::Duration::from_secs(1),
    );
}
