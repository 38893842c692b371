//! The HTML pages in a real browser: headless Chromium loads each page from a file and runs its
//! script; what it shows is what a caseworker sees. Screenshots at 1280 pixels wide, and the
//! page printed to PDF, are kept in target/screenshots/ (CI keeps them as artifacts).

// Tests read their fixtures and outputs directly.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common;
use crate::require;

/// Chromium, headless, on `page`, with `extra` arguments.
fn chromium(page: &Path, extra: &[String]) -> Output {
    let chromium = require("chromium", "apt install chromium");
    let profile = common::tempdir();
    Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            &format!("--user-data-dir={}", profile.path().display()),
        ])
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap()
}

fn screenshots() -> PathBuf {
    let dir = common::root().join("target").join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Takes a screenshot 1280 pixels wide and prints the page to PDF, keeping both.
fn picture_and_print(page: &Path, name: &str) {
    let png = screenshots().join(format!("{name}.png"));
    let pdf = screenshots().join(format!("{name}.pdf"));
    let _ = std::fs::remove_file(&png);
    let _ = std::fs::remove_file(&pdf);
    chromium(
        page,
        &[
            "--window-size=1280,1600".into(),
            format!("--screenshot={}", png.display()),
        ],
    );
    let bytes = std::fs::read(&png).unwrap_or_else(|_| panic!("no screenshot {}", png.display()));
    assert!(bytes.starts_with(b"\x89PNG"), "{}", png.display());
    // The PNG's width, from its header: the page at a laptop's 1280 pixels.
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    assert_eq!(width, 1280);
    chromium(
        page,
        &[
            "--no-pdf-header-footer".into(),
            format!("--print-to-pdf={}", pdf.display()),
        ],
    );
    let printed = lopdf::Document::load(&pdf).unwrap();
    assert!(!printed.get_pages().is_empty());
}

#[test]
fn html_loads_in_headless_chromium() {
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
    let out = chromium(&page, &["--dump-dom".into()]);
    let dom = String::from_utf8_lossy(&out.stdout);
    let samples = std::fs::read_dir(common::root().join("sample-cases"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().is_dir())
        .count();
    let shown = format!("{samples} of {samples} requests shown");
    assert!(dom.contains(&shown), "the script ran ({shown}): {dom}");
    assert_eq!(dom.matches("<tr data-verdict=").count(), samples);
}

#[test]
fn the_triage_page_in_chromium_groups_sorts_and_prints() {
    let dir = common::tempdir();
    let arrivals = dir.path().join("arrivals");
    std::fs::create_dir_all(&arrivals).unwrap();
    for (case, name) in [
        ("year5-passing", "heslop.pdf"),
        ("year10-pfa-passing", "bainbridge.pdf"),
    ] {
        let pdf = common::render_pack(dir.path(), &common::sample(case), &[]);
        std::fs::rename(pdf, arrivals.join(name)).unwrap();
    }
    std::fs::write(
        arrivals.join("kowalczyk-request.pdf"),
        crate::register_scenarios::word_pdf(4, "EHC needs assessment request: Zoë Kowalczyk"),
    )
    .unwrap();
    // More pupils, some with faults: every group has someone in it.
    let corpus = dir.path().join("corpus");
    let made = common::ehcpack(&[
        "generate",
        corpus.to_str().unwrap(),
        "--count",
        "8",
        "--faults",
        "0.5",
    ]);
    assert_eq!(made.status.code(), Some(0), "{}", common::stderr(&made));
    let out = common::ehcpack(&[
        "validate",
        arrivals.to_str().unwrap(),
        corpus.to_str().unwrap(),
        "sample-cases/fail-no-consent",
        "--today",
        "2026-03-10",
        "--received",
        "2026-01-20",
        "--format",
        "html",
    ]);
    let page = dir.path().join("triage.html");
    std::fs::write(&page, &out.stdout).unwrap();
    let dom = chromium(&page, &["--dump-dom".into()]);
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.contains("12 of 12 requests shown"), "{dom}");
    // Each group's rows, as the script left them: by the next statutory date, soonest first.
    for section in dom.split("<section id=").skip(1) {
        let dates: Vec<&str> = section
            .split("data-next=\"")
            .skip(1)
            .map(|s| &s[..s.find('"').unwrap()])
            .filter(|d| !d.is_empty())
            .collect();
        let mut sorted = dates.clone();
        sorted.sort_unstable();
        assert_eq!(dates, sorted);
    }
    assert!(dom.contains("Zoë Kowalczyk"));
    picture_and_print(&page, "triage");
}

#[test]
fn the_daily_register_page_in_chromium() {
    let reg = crate::register_scenarios::Reg::sqlite();
    let arrivals = crate::register_scenarios::term(reg.dir.path());
    let failing = common::sample("fail-no-consent");
    reg.intake(&[
        "add",
        arrivals.to_str().unwrap(),
        failing.to_str().unwrap(),
        "--received",
        "2026-01-20",
        "--today",
        "2026-02-01",
    ]);
    reg.intake(&[
        "decide",
        "1",
        "--assess",
        "--date",
        "2026-02-20",
        "--today",
        "2026-03-10",
    ]);
    let out = reg.intake(&["list", "--format", "html", "--today", "2026-03-10"]);
    let page = reg.dir.path().join("register.html");
    std::fs::write(&page, &out.stdout).unwrap();
    let dom = chromium(&page, &["--dump-dom".into()]);
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.contains("Overdue ("), "{dom}");
    assert!(
        dom.contains("Assessing: plan decisions to make (1)"),
        "{dom}"
    );
    picture_and_print(&page, "register");
}
