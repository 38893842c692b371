//! The HTML report in a real browser: headless Chromium loads the page from a file, runs its
//! script, and the counts it fills in are what a caseworker sees.

use std::process::Command;

use crate::common;
use crate::require;

#[test]
fn html_loads_in_headless_chromium() {
    let chromium = require("chromium", "apt install chromium");
    let out = common::ehcpack(&[
        "validate",
        "sample-cases",
        "--today",
        "2026-06-30",
        "--received",
        "2026-02-10",
        "--format",
        "html",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    let dir = common::tempdir();
    let page = dir.path().join("report.html");
    std::fs::write(&page, &out.stdout).unwrap();
    let profile = dir.path().join("profile");
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            &format!("--user-data-dir={}", profile.display()),
            "--dump-dom",
            &format!("file://{}", page.display()),
        ])
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(dom.contains("8 of 8 cases shown"), "the script ran: {dom}");
    assert_eq!(dom.matches("<tr data-verdict=").count(), 8);
}
