//! The register's scenarios, run against SQLite by tests/intake.rs and against a real
//! PostgreSQL server by the external suite (tests/external/register.rs): the same commands, the
//! same answers.
#![allow(dead_code)]
// Tests read their fixtures and outputs directly.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use ehcpack::intake::{NewRequest, Register};
use lopdf::{dictionary, Document, Object, Stream, StringFormat};

use crate::common;

/// A register to try: its own folder (the working directory of each command) and its address.
pub struct Reg {
    pub dir: tempfile::TempDir,
    pub location: String,
}

impl Reg {
    /// A new SQLite register file in a new folder.
    pub fn sqlite() -> Reg {
        let dir = common::tempdir();
        let location = dir.path().join("register.db").to_str().unwrap().to_string();
        Reg { dir, location }
    }

    /// `ehcpack intake --register LOCATION ARGS`, run in the register's folder.
    pub fn intake(&self, args: &[&str]) -> Output {
        let mut all = vec!["intake", "--register", self.location.as_str()];
        all.extend_from_slice(args);
        common::ehcpack_in(self.dir.path(), &all)
    }
}

/// A PDF as Word saves one: pages of text, a title in UTF-16, no embedded files.
pub fn word_pdf(pages: usize, title: &str) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let mut kids = Vec::new();
    for i in 0..pages {
        let content = doc.add_object(Stream::new(
            dictionary! {},
            format!("BT /F1 12 Tf 72 720 Td (Request for an EHC needs assessment, page {i}) Tj ET")
                .into_bytes(),
        ));
        kids.push(Object::from(doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Contents" => content,
        })));
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => pages as i64,
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let utf16: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(title.encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    let info = doc.add_object(dictionary! {
        "Title" => Object::String(utf16, StringFormat::Hexadecimal),
        "Producer" => Object::string_literal("Microsoft® Word for Microsoft 365"),
    });
    doc.trailer.set("Info", info);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

/// A term's arrivals: two packs (one of a failing case), a Word PDF, and a case folder.
pub fn term(dir: &Path) -> PathBuf {
    let arrivals = dir.join("arrivals");
    std::fs::create_dir_all(&arrivals).unwrap();
    for (case, name) in [
        ("year5-passing", "heslop.pdf"),
        ("year10-pfa-passing", "bainbridge.pdf"),
    ] {
        let pdf = common::render_pack(dir, &common::sample(case), &[]);
        std::fs::rename(pdf, arrivals.join(name)).unwrap();
    }
    std::fs::write(
        arrivals.join("kowalczyk-request.pdf"),
        word_pdf(3, "EHC needs assessment request: Zoë Kowalczyk, Seaham"),
    )
    .unwrap();
    arrivals
}

pub fn text(out: &Output) -> String {
    format!("{}{}", common::stdout(out), common::stderr(out))
}

pub fn synthetic(i: usize, received: NaiveDate) -> NewRequest {
    let names = [
        "Amelia Robson",
        "Mohammed Al-Sayed",
        "Oliwia Nowak",
        "Callum Dodds",
        "Siobhán Byrne",
        "Chidi Okafor",
        "Wei Zhang",
        "Priya Patel",
    ];
    let schools = [
        "Seaham Trinity Primary",
        "Brandon Primary",
        "Consett Junior",
        "Stanley Burnside Academy",
        "Chester-le-Street CE Primary",
        "Spennymoor Middlestone Moor Primary",
    ];
    NewRequest {
        content_key: format!("{i:064x}"),
        sha256: Some(format!("{i:064x}")),
        file_name: format!("term/{i}.pdf"),
        received_as: "pack".into(),
        received_date: received,
        verdict: "pass".into(),
        action: "ready".into(),
        errors: 0,
        warnings: 0,
        findings: String::new(),
        upn: Some(format!("A{i:012}")),
        name_key: None,
        forename: None,
        surname: None,
        legal_name: Some(names[i % names.len()].into()),
        date_of_birth: Some("2015-06-01".into()),
        year_group: Some(5),
        school: Some(schools[i % schools.len()].into()),
        primary_need: Some("SEMH".into()),
        requested_by: Some("school".into()),
        submission_date: None,
        document_title: None,
        pages: None,
    }
}

pub fn add_names_links_and_never_records_the_same_file_twice(reg: &Reg) {
    let dir = &reg.dir;
    let arrivals = term(dir.path());
    let out = reg.intake(&[
        "add",
        arrivals.to_str().unwrap(),
        "--received",
        "2026-01-20",
        "--today",
        "2026-03-10",
        "--by",
        "Aisha Rahman",
    ]);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(
        shown.contains("3 new, 0 later versions, 0 already in the register"),
        "{shown}"
    );

    // The same files again, on another day: nothing changes.
    let again = reg.intake(&["add", arrivals.to_str().unwrap(), "--today", "2026-03-11"]);
    assert!(
        text(&again).contains("0 new, 0 later versions, 3 already in the register"),
        "{}",
        text(&again)
    );

    // A corrected version of Joshua's request (the case folder itself, changed), later: linked to
    // the first, whose date of receipt still starts the clock.
    let (_keep, corrected) = common::sample_copy("year5-passing");
    let reasons = corrected.join("request.yaml");
    let body = std::fs::read_to_string(&reasons).unwrap();
    std::fs::write(&reasons, body.replace("summary: ", "summary: Updated. ")).unwrap();
    let later = reg.intake(&[
        "add",
        corrected.to_str().unwrap(),
        "--received",
        "2026-02-25",
        "--today",
        "2026-03-10",
    ]);
    let shown = text(&later);
    assert!(shown.contains("added a later version"), "{shown}");

    let list = reg.intake(&["list", "--today", "2026-03-10"]);
    let shown = text(&list);
    assert!(
        shown.contains("Joshua Lee Heslop (born 2016-02-14, Year 5)"),
        "{shown}"
    );
    assert!(
        shown.contains(
            "received 2026-01-20 (2 versions; the clock runs from the first): decision due \
             2026-03-03; final plan due 2026-06-09"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("\"EHC needs assessment request: Zoë Kowalczyk, Seaham\" (check by hand)"),
        "{shown}"
    );
    assert!(
        shown.contains("3 requests shown, 3 of them open: 3 decisions overdue"),
        "{shown}"
    );
}

pub fn a_decided_request_is_never_overdue_and_the_history_keeps_everything(reg: &Reg) {
    let dir = &reg.dir;
    let arrivals = term(dir.path());
    reg.intake(&[
        "add",
        arrivals.to_str().unwrap(),
        "--received",
        "2026-01-20",
        "--today",
        "2026-01-21",
    ]);
    let list = common::stdout(&reg.intake(&["list", "--format", "json", "--today", "2026-03-10"]));
    let doc: serde_json::Value = serde_json::from_str(&list).unwrap();
    let id_of = |name: &str| {
        doc["requests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["legal_name"].as_str().is_some_and(|n| n.contains(name)))
            .unwrap()["id"]
            .as_i64()
            .unwrap()
            .to_string()
    };
    let (heslop, bainbridge) = (id_of("Heslop"), id_of("Bainbridge"));

    let ok = |args: &[&str]| {
        let out = reg.intake(args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        common::stdout(&out)
    };
    ok(&[
        "decide",
        &heslop,
        "--assess",
        "--date",
        "2026-02-27",
        "--by",
        "Priya Shah",
        "--today",
        "2026-03-10",
    ]);
    ok(&[
        "decide",
        &bainbridge,
        "--assess",
        "--date",
        "2026-02-20",
        "--today",
        "2026-03-10",
    ]);
    // After 20 weeks: Joshua's plan is issued; Freya's assessment has an exception.
    ok(&[
        "plan",
        &heslop,
        "--issued",
        "--date",
        "2026-06-01",
        "--today",
        "2026-07-01",
    ]);
    ok(&[
        "exception",
        &bainbridge,
        "--reason",
        "personal-circumstances",
        "--date",
        "2026-04-10",
        "--note",
        "family bereavement",
        "--today",
        "2026-07-01",
    ]);
    let overdue = ok(&["list", "--overdue", "--today", "2026-07-01"]);
    assert!(!overdue.contains("Heslop"), "{overdue}");
    assert!(!overdue.contains("Bainbridge"), "{overdue}");
    // Only the Word PDF, with no decision recorded, is overdue.
    assert!(overdue.contains("Kowalczyk"), "{overdue}");
    assert!(
        overdue.contains("1 request shown, 1 of them open: 1 decision overdue"),
        "{overdue}"
    );

    // A correction is a later event; both stay in the history, each with who and when.
    ok(&[
        "decide",
        &heslop,
        "--assess",
        "--date",
        "2026-02-28",
        "--by",
        "Priya Shah",
        "--today",
        "2026-07-01",
    ]);
    let history = ok(&["history", &heslop]);
    assert!(
        history.contains("2026-02-27 decision: assess (recorded by Priya Shah at "),
        "{history}"
    );
    assert!(
        history.contains("2026-02-28 decision: assess (recorded by Priya Shah at "),
        "{history}"
    );
    assert!(history.contains("2026-06-01 plan: issued"), "{history}");

    // The database itself refuses to rewrite history.
    let mut register = Register::open(&reg.location, false).unwrap();
    let e = register
        .execute_raw("UPDATE events SET date = '2026-01-01'")
        .unwrap_err()
        .to_string();
    assert!(e.contains("nothing is changed or deleted"), "{e}");
    let e = register
        .execute_raw("DELETE FROM requests")
        .unwrap_err()
        .to_string();
    assert!(e.contains("nothing is changed or deleted"), "{e}");

    // Withdrawn: closed, and nothing more is recorded against it.
    let word = ok(&["list", "--format", "csv", "--today", "2026-07-01"]);
    let word_id = word
        .lines()
        .find(|l| l.contains("kowalczyk"))
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_string();
    ok(&[
        "withdraw",
        &word_id,
        "--date",
        "2026-06-30",
        "--note",
        "parent withdrew",
        "--today",
        "2026-07-01",
    ]);
    let out = reg.intake(&[
        "decide",
        &word_id,
        "--no-assess",
        "--date",
        "2026-06-30",
        "--today",
        "2026-07-01",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains(&format!("request {word_id} was withdrawn on 2026-06-30")));
    let open = ok(&["list", "--today", "2026-07-01"]);
    assert!(
        open.contains("1 request shown, 1 of them open: 0 decisions overdue"),
        "{open}"
    );

    // SEN2 rows, plain values; the postcode column always blank.
    let export = ok(&["export"]);
    let mut reader = csv::Reader::from_reader(export.as_bytes());
    let headers = reader.headers().unwrap().clone();
    for name in [
        "ReceivedDate",
        "RequestSource",
        "RequestOutcomeDate",
        "RequestOutcome",
        "AssessmentOutcomeDate",
        "StartDate",
        "Week20",
        "Postcode",
    ] {
        assert!(headers.iter().any(|h| h == name), "{name} in {headers:?}");
    }
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let joshua = rows
        .iter()
        .find(|r| &r[col("Surname")] == "Heslop")
        .unwrap();
    assert_eq!(&joshua[col("Forename")], "Joshua");
    assert_eq!(&joshua[col("ReceivedDate")], "2026-01-20");
    assert_eq!(&joshua[col("RequestSource")], "school");
    assert_eq!(&joshua[col("RequestOutcome")], "assess");
    assert_eq!(&joshua[col("RequestOutcomeDate")], "2026-02-28");
    assert_eq!(&joshua[col("StartDate")], "2026-06-01");
    assert_eq!(&joshua[col("Week20")], "no");
    let freya = rows
        .iter()
        .find(|r| &r[col("Surname")] == "Bainbridge")
        .unwrap();
    assert_eq!(&freya[col("Week20")], "yes");
    assert_eq!(
        &freya[col("ehcpack_week20_reasons")],
        "personal-circumstances"
    );
    assert!(rows.iter().all(|r| r[col("Postcode")].is_empty()));
}

pub fn an_item_that_cannot_be_read_is_recorded_never_lost(reg: &Reg) {
    let dir = &reg.dir;
    let arrivals = dir.path().join("arrivals");
    std::fs::create_dir_all(&arrivals).unwrap();
    std::fs::write(
        arrivals.join("torn.pdf"),
        b"%PDF-1.7\n1 0 obj << /Type /Cat",
    )
    .unwrap();
    std::fs::write(arrivals.join("not-a-zip.zip"), b"this was never an archive").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("gone.pdf"), arrivals.join("moved.pdf")).unwrap();
    let out = reg.intake(&["add", arrivals.to_str().unwrap(), "--today", "2026-03-01"]);
    let shown = text(&out);
    let expected = if cfg!(unix) { 3 } else { 2 };
    assert!(shown.contains(&format!("{expected} new")), "{shown}");
    let again = reg.intake(&["add", arrivals.to_str().unwrap(), "--today", "2026-03-02"]);
    assert!(
        text(&again).contains(&format!("0 new, 0 later versions, {expected} already")),
        "{}",
        text(&again)
    );
    let csv = common::stdout(&reg.intake(&["list", "--format", "csv", "--today", "2026-03-02"]));
    assert!(csv.contains("torn.pdf"), "{csv}");
    assert!(csv.contains("not-a-zip.zip"), "{csv}");
    #[cfg(unix)]
    assert!(csv.contains("moved.pdf"), "{csv}");
}

/// `limit`: a second on its own (its suite test holds common::heavy, so it runs beside no other heavy test); more where the suite runs it
/// beside browsers and PDF checkers.
pub fn a_register_of_ten_thousand_requests_lists_the_overdue_in_under_a_second(
    reg: &Reg,
    limit: Duration,
) {
    let mut register = Register::open(&reg.location, true).unwrap();
    let start = NaiveDate::from_ymd_opt(2025, 9, 1).unwrap();
    let items: Vec<NewRequest> = (0..10_000)
        .map(|i| synthetic(i, start + chrono::Days::new((i / 40) as u64)))
        .collect();
    register.add(&items, "load test").unwrap();
    drop(register);
    let mut best = Duration::MAX;
    let mut shown = String::new();
    for _ in 0..3 {
        let started = Instant::now();
        let out = reg.intake(&[
            "list",
            "--overdue",
            "--format",
            "csv",
            "--today",
            "2026-03-01",
        ]);
        best = best.min(started.elapsed());
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        shown = common::stdout(&out);
    }
    // Received from September on, 40 a day: by 1 March every request received before
    // 18 January is past its 6 weeks with no decision.
    assert!(shown.lines().count() > 5000, "{}", shown.lines().count());
    eprintln!("list --overdue over 10,000 requests: {best:?}");
    assert!(best < limit, "took {best:?}");
}

pub fn the_schema_version_is_checked_and_an_older_register_migrated(reg: &Reg) {
    let location = reg.location.clone();
    // A register as the first schema made it.
    let mut old = Register::open_at(&location, true, 1).unwrap();
    assert_eq!(old.schema_version().unwrap(), 1);
    old.add(
        &[synthetic(1, NaiveDate::from_ymd_opt(2026, 1, 5).unwrap())],
        "old",
    )
    .unwrap();
    drop(old);
    let mut now = Register::open(&location, false).unwrap();
    assert_eq!(
        now.schema_version().unwrap(),
        ehcpack::intake::SCHEMA_VERSION
    );
    assert_eq!(
        now.requests(&ehcpack::profile::Profile::durham())
            .unwrap()
            .len(),
        1
    );
    // From a newer ehcpack: refused, not guessed at.
    now.execute_raw("UPDATE register_meta SET value = '99' WHERE key = 'schema_version'")
        .unwrap();
    drop(now);
    let out = reg.intake(&["list"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("schema version 99, from a newer ehcpack"),
        "{}",
        text(&out)
    );
}

pub fn backup_copies_every_request_and_event_into_a_new_file(reg: &Reg) {
    let dir = &reg.dir;
    let arrivals = term(dir.path());
    reg.intake(&[
        "add",
        arrivals.to_str().unwrap(),
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
        "2026-01-30",
        "--today",
        "2026-02-01",
    ]);
    let out = reg.intake(&["backup", "copy.db"]);
    assert!(
        text(&out).contains("(3 request rows, 1 events)"),
        "{}",
        text(&out)
    );
    let out = reg.intake(&["backup", "copy.db"]);
    assert!(text(&out).contains("already exists"), "{}", text(&out));
    let copy = common::ehcpack_in(
        dir.path(),
        &[
            "intake",
            "--register",
            "copy.db",
            "list",
            "--format",
            "json",
            "--today",
            "2026-02-01",
        ],
    );
    let original = reg.intake(&["list", "--format", "json", "--today", "2026-02-01"]);
    assert_eq!(common::stdout(&copy), common::stdout(&original));
    let html = common::stdout(&reg.intake(&["list", "--format", "html", "--today", "2026-03-10"]));
    assert!(
        html.contains("<section id=\"overdue\"><h2>Overdue (2)</h2>"),
        "{html}"
    );
    assert!(
        html.contains("<section id=\"assessing\"><h2>Assessing: plan decisions to make (1)</h2>"),
        "{html}"
    );
}

/// Two processes adding at once to one register: each waits for the other's lock; all land.
pub fn two_adds_at_once_both_land(reg: &Reg) {
    let dir = &reg.dir;
    let halves: Vec<PathBuf> = ["a", "b"]
        .iter()
        .enumerate()
        .map(|(seed, half)| {
            let folder = dir.path().join(half);
            let out = common::ehcpack(&[
                "generate",
                folder.to_str().unwrap(),
                "--count",
                "20",
                "--seed",
                &(seed + 7).to_string(),
            ]);
            assert_eq!(out.status.code(), Some(0), "{}", text(&out));
            folder
        })
        .collect();
    let spawned: Vec<std::process::Child> = halves
        .iter()
        .map(|half| {
            common::ehcpack_command()
                .current_dir(dir.path())
                .args([
                    "intake",
                    "--register",
                    &reg.location,
                    "add",
                    half.to_str().unwrap(),
                    "--today",
                    "2026-03-01",
                ])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in spawned {
        let out = child.wait_with_output().unwrap();
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", text(&out));
    }
    let mut register = Register::open(&reg.location, false).unwrap();
    let rows: usize = register
        .requests(&ehcpack::profile::Profile::durham())
        .unwrap()
        .iter()
        .map(|r| r.versions)
        .sum();
    assert_eq!(rows, 40);
}
