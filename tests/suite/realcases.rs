//! A realistic corpus: cases in real County Durham places (Durham, Brandon, Consett, Seaham,
//! Stanley, Chester-le-Street, Bishop Auckland, Spennymoor), with real-looking schools, GP
//! practices and LA e-mail addresses, pupils and parents whose names come from many languages,
//! and every kind of requester (school, parent, young person, another professional). Each case
//! gives the verdict a caseworker would give, and round-trips: the folder, the pack rendered from
//! it, and the LA's `validate` of that pack give the same verdict and the same findings.
// Tests read and write their fixtures directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use crate::common;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{copy_dir, ehcpack_in, pdf_pages_text, root, sample, stdout, TODAY};

/// One case of the corpus: a sample copied, its invented names and places replaced by real
/// ones everywhere, then edited.
struct Case {
    name: &'static str,
    base: &'static str,
    /// Replaced in every YAML file, in order.
    everywhere: Vec<(&'static str, String)>,
    /// `(file, from, to)`: each `from` must be in the file.
    edits: Vec<(&'static str, &'static str, String)>,
    remove: Vec<&'static str>,
    verdict: &'static str,
    rules: Vec<&'static str>,
}

/// The names and places of `year5-passing` (pupil Joshua "Josh" Heslop, parents Kelly and Craig,
/// sister Maisie, Brackenfield Primary School) as another family's in a real town.
#[allow(clippy::too_many_arguments)]
fn people(
    first: &str,
    preferred: &str,
    surname: &str,
    mother: &str,
    father: &str,
    sister: &str,
    school: &str,
    school_domain: &str,
    gp: &str,
    town: &str,
) -> Vec<(&'static str, String)> {
    vec![
        (
            "senco@brackenfield-primary.example",
            format!("senco@{school_domain}"),
        ),
        ("Brackenfield Primary School", school.to_string()),
        ("Brackenfield Medical Centre", gp.to_string()),
        (
            "kelly.heslop@example.com",
            format!("{}.{}@example.com", ascii(mother), ascii(surname)),
        ),
        (
            "craig.heslop@example.com",
            format!("{}.{}@example.com", ascii(father), ascii(surname)),
        ),
        ("Brackenfield", town.to_string()),
        ("Joshua", first.to_string()),
        ("Josh", preferred.to_string()),
        ("Heslop", surname.to_string()),
        ("Kelly", mother.to_string()),
        ("Craig", father.to_string()),
        ("Maisie", sister.to_string()),
    ]
}

/// A name as people write it in an e-mail address: `Wiśniewska` as `wisniewska`.
fn ascii(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    name.nfkd()
        .map(|c| match c {
            'ł' | 'Ł' => 'l',
            'ı' => 'i',
            c => c,
        })
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_lowercase()
}

fn corpus() -> Vec<Case> {
    vec![
        // A looked-after child whose protected foster home is in Durham: the town is the LA's
        // name, the school's, the GP's and in every e-mail address at durham.gov.uk.
        Case {
            name: "looked-after-durham",
            base: "fail-protected-address-leak",
            everywhere: {
                let mut v = people(
                    "Oluwaseun",
                    "Seun",
                    "Adebayo",
                    "Funmilayo",
                    "Babatunde",
                    "Ife",
                    "Durham Gilesgate Primary School",
                    "gilesgate.durham.sch.uk",
                    "Claypath and University Medical Group, Durham",
                    "Durham",
                );
                v.extend([
                    ("14 Larchfield Row", "9 Hallgarth View".to_string()),
                    ("Cragwell", "Durham".to_string()),
                    ("DH7 9ZQ", "DH1 2QZ".to_string()),
                    ("Janet Dawson", "Zofia Kowalczyk".to_string()),
                    ("Keith Dawson", "Tomasz Kowalczyk".to_string()),
                    ("Dawson", "Kowalczyk".to_string()),
                ]);
                v
            },
            edits: vec![
                (
                    "views.yaml",
                    "live with us at 9 Hallgarth View,\n    DH1 2QZ in December",
                    "live with us in Durham in December".into(),
                ),
                (
                    "pupil.yaml",
                    "    team: Durham Children Looked After Team 2\n",
                    "    team: Durham Children Looked After Team 2\n    email: rachel.dunn@durham.gov.uk\n"
                        .into(),
                ),
            ],
            remove: vec!["README.md"],
            verdict: "pass",
            rules: vec![],
        },
        // A parent's own request, with no support plan files: lawful (Children and Families Act
        // 2014 s36(1)); the school's countersignature is not hers to give.
        Case {
            name: "parent-request-consett",
            base: "year5-passing",
            everywhere: people(
                "Zofia",
                "Zosia",
                "Wiśniewska",
                "Agnieszka",
                "Paweł",
                "Hania",
                "Consett Junior School",
                "consettjunior.durham.sch.uk",
                "Consett Medical Centre",
                "Consett",
            ),
            edits: vec![
                ("request.yaml", "requested_by: school", "requested_by: parent".into()),
                (
                    "request.yaml",
                    "countersignature:\n  name: Mr Andrew Pearson\n  role: headteacher\n  date: 2026-01-28\n  signed: true\n",
                    String::new(),
                ),
            ],
            remove: vec!["plan-1.yaml", "plan-2.yaml", "plan-3.yaml"],
            // No plan file and no headteacher's countersignature: neither is hers to give.
            verdict: "pass",
            rules: vec![],
        },
        // A parent's request with one plan: the APDR cycles are advice, never a failure.
        Case {
            name: "parent-request-one-plan-brandon",
            base: "year5-passing",
            everywhere: people(
                "Hamza",
                "Hamza",
                "Al-Rashid",
                "Layla",
                "Yusuf",
                "Noor",
                "Brandon Primary School",
                "brandonprimary.durham.sch.uk",
                "Brandon Lane Surgery",
                "Brandon",
            ),
            edits: vec![("request.yaml", "requested_by: school", "requested_by: parent".into())],
            remove: vec!["plan-1.yaml", "plan-2.yaml"],
            verdict: "pass-with-warnings",
            rules: vec!["apdr-cycles"],
        },
        // A young person of 17 asks for herself, in Bishop Auckland.
        Case {
            name: "young-person-bishop-auckland",
            base: "year10-pfa-passing",
            everywhere: vec![
                ("Moorfield Park Academy", "King James I Academy".into()),
                ("senco@moorfieldpark.example", "senco@kingjames.durham.sch.uk".into()),
                ("Whinfield Moor Surgery", "Bishop Auckland Medical Group".into()),
                ("Whinfield Moor", "Bishop Auckland".into()),
                ("Freya", "Chiamaka".into()),
                ("Bainbridge", "Okonkwo".into()),
                ("Nicola", "Ngozi".into()),
                ("Stephen", "Emeka".into()),
                ("Alfie", "Obinna".into()),
            ],
            edits: vec![
                ("request.yaml", "requested_by: school", "requested_by: young-person".into()),
                ("pupil.yaml", "date_of_birth: 2010-11-23", "date_of_birth: 2009-11-23".into()),
                ("pupil.yaml", "year_group: 10", "year_group: 11".into()),
            ],
            remove: vec![],
            verdict: "pass",
            rules: vec![],
        },
        // Another professional (a community paediatrician) asks, in Stanley.
        Case {
            name: "other-professional-stanley",
            base: "year5-passing",
            everywhere: people(
                "Nguyễn",
                "Minh",
                "Trần",
                "Lan",
                "Huy",
                "Mai",
                "Stanley Burnside Primary School",
                "burnside.durham.sch.uk",
                "Stanley Medical Group",
                "Stanley",
            ),
            edits: vec![("request.yaml", "requested_by: school", "requested_by: other".into())],
            remove: vec!["plan-1.yaml"],
            verdict: "pass-with-warnings",
            rules: vec!["apdr-cycles"],
        },
        // A school's request in Seaham with reviews once a term: 8 July, 11 December, 25 March.
        Case {
            name: "termly-reviews-seaham",
            base: "year5-passing",
            everywhere: people(
                "Siân",
                "Siân",
                "Llewellyn",
                "Aoife",
                "Rhodri",
                "Ffion",
                "Seaham Harbour Primary School",
                "seahamharbour.durham.sch.uk",
                "Seaham Harbour Surgery",
                "Seaham",
            ),
            edits: vec![
                ("plan-1.yaml", "review_date: 2025-07-16", "review_date: 2025-07-08".into()),
                ("plan-1.yaml", "\n  date: 2025-07-16", "\n  date: 2025-07-08".into()),
                ("plan-2.yaml", "review_date: 2025-11-07", "review_date: 2025-12-11".into()),
                ("plan-2.yaml", "\n  date: 2025-11-07", "\n  date: 2025-12-11".into()),
                ("plan-3.yaml", "start: 2025-11-10", "start: 2025-12-15".into()),
                ("plan-3.yaml", "review_date: 2026-02-13", "review_date: 2026-03-25".into()),
            ],
            remove: vec![],
            verdict: "pass",
            rules: vec![],
        },
        // The same school skips the spring term: the one finding is that term.
        Case {
            name: "a-term-without-review-spennymoor",
            base: "year5-passing",
            everywhere: people(
                "Mehmet",
                "Mehmet",
                "Yılmaz",
                "Elif",
                "Emre",
                "Zeynep",
                "Spennymoor Ox Close Primary School",
                "oxclose.durham.sch.uk",
                "Bishops Close Medical Practice, Spennymoor",
                "Spennymoor",
            ),
            edits: vec![("plan-3.yaml", "review_date: 2026-02-13", "review_date: 2026-04-20".into())],
            remove: vec![],
            verdict: "pass-with-warnings",
            rules: vec!["review-frequency"],
        },
        // A school's request in Chester-le-Street left without the headteacher's signature.
        Case {
            name: "no-countersignature-chester-le-street",
            base: "fail-no-countersignature",
            everywhere: people(
                "Priyanka",
                "Priya",
                "Sharma",
                "Anjali",
                "Rohan",
                "Meera",
                "Chester-le-Street Cestria Primary School",
                "cestria.durham.sch.uk",
                "Chester-le-Street Health Centre",
                "Chester-le-Street",
            ),
            edits: vec![],
            remove: vec!["README.md"],
            verdict: "fail",
            rules: vec!["headteacher-countersignature"],
        },
    ]
}

fn build(case: &Case, dir: &Path) -> PathBuf {
    let folder = dir.join(case.name);
    copy_dir(&sample(case.base), &folder);
    for name in &case.remove {
        fs::remove_file(folder.join(name)).unwrap();
    }
    for entry in fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let mut text = fs::read_to_string(&path).unwrap();
            for (from, to) in &case.everywhere {
                text = text.replace(from, to);
            }
            fs::write(&path, text).unwrap();
        }
    }
    for (file, from, to) in &case.edits {
        let path = folder.join(file);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{}: {file} holds {from:?}", case.name);
        fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }
    folder
}

fn json(cwd: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["validate", "--format", "json", "--today", TODAY];
    all.extend_from_slice(args);
    let out = ehcpack_in(cwd, &all);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{all:?}: {e}: {}", stdout(&out)))
}

fn rule_ids(case: &serde_json::Value) -> BTreeSet<String> {
    case["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_case_gives_the_right_verdict_and_round_trips_through_its_pack() {
    let work = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for case in corpus() {
        let folder = build(&case, work.path());
        let from_folder = json(work.path(), &[case.name]);
        let f = &from_folder["cases"][0];
        let want: BTreeSet<String> = case.rules.iter().map(|r| r.to_string()).collect();
        if f["verdict"] != case.verdict || rule_ids(f) != want {
            failures.push(format!(
                "{}: expected {} with {want:?}, got {f:#}",
                case.name, case.verdict
            ));
            continue;
        }
        let pdf = work.path().join(format!("{}.pdf", case.name));
        let out = ehcpack_in(
            work.path(),
            &[
                "render",
                folder.to_str().unwrap(),
                "--today",
                TODAY,
                "--draft",
                "-o",
                pdf.to_str().unwrap(),
            ],
        );
        // A draft of a case with errors is written and exits 1, as the README says.
        let want_code = if case.verdict == "fail" { 1 } else { 0 };
        assert!(
            out.status.code() == Some(want_code) && pdf.is_file(),
            "{}: {}",
            case.name,
            common::stderr(&out)
        );
        let from_pack = json(work.path(), &[&format!("{}.pdf", case.name)]);
        let p = &from_pack["cases"][0];
        if p["verdict"] != f["verdict"] || rule_ids(p) != rule_ids(f) {
            failures.push(format!(
                "{}: the pack gives {p:#}\nthe folder {f:#}",
                case.name
            ));
        }
        if p["diagnostics"] != f["diagnostics"] {
            failures.push(format!(
                "{}: the pack's findings differ:\n{:#}\n{:#}",
                case.name, p["diagnostics"], f["diagnostics"]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_looked_after_child_in_durham_keeps_every_durham_that_is_not_the_address() {
    let work = tempfile::tempdir().unwrap();
    let case = corpus().into_iter().next().unwrap();
    let folder = build(&case, work.path());
    let pdf = common::render_pack(work.path(), &folder, &[]);
    let text = pdf_pages_text(&pdf).join(" ");
    for kept in [
        "Durham County Council",
        "Durham Gilesgate Primary School",
        "rachel.dunn@durham.gov.uk",
        "Claypath and University Medical Group, Durham",
    ] {
        assert!(text.contains(kept), "the pack keeps {kept:?}");
    }
    for withheld in ["Hallgarth", "DH1 2QZ", "DH12QZ"] {
        assert!(!text.contains(withheld), "the pack withholds {withheld:?}");
    }
    // The carers' contacts are withheld, and the pack names the social worker to go through.
    assert!(
        text.contains("contact the family through the social worker, Ms Rachel Dunn (03000 267 979, rachel.dunn@durham.gov.uk"),
        "{text}"
    );
    assert!(text.contains("Looked after"), "{text}");
}

/// A case with no planned submission date, checked today (no `--today`) and next September:
/// the guidance date is estimated and marked so, and nothing warns because the year moved on.
#[test]
fn a_case_checked_this_december_and_next_september_never_warns_for_the_calendar() {
    let work = tempfile::tempdir().unwrap();
    let folder = work.path().join("case");
    copy_dir(&sample("year5-passing"), &folder);
    let request = folder.join("request.yaml");
    let text = fs::read_to_string(&request).unwrap();
    fs::write(
        &request,
        text.replace("planned_submission_date: 2026-02-02\n", ""),
    )
    .unwrap();
    let pupil = folder.join("pupil.yaml");
    let text = fs::read_to_string(&pupil).unwrap();
    fs::write(
        &pupil,
        text.replace("taught_out_of_year: false", "taught_out_of_year: true"),
    )
    .unwrap();
    for today in [None, Some("2027-09-15")] {
        let mut args = vec!["validate", "case", "--format", "json"];
        if let Some(t) = today {
            args.extend(["--today", t]);
        }
        let out = ehcpack_in(work.path(), &args);
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let case = &report["cases"][0];
        assert_eq!(case["verdict"], "pass", "{today:?}: {case:#}");
        assert_eq!(case["guidance_date_estimated"], true, "{today:?}: {case:#}");
        let mut args = vec!["status", "case"];
        if let Some(t) = today {
            args.extend(["--today", t]);
        }
        let status = stdout(&ehcpack_in(work.path(), &args));
        assert!(
            status.contains("(estimated: the LA publishes the date each year)"),
            "{status}"
        );
    }
    // 2027/28: the summer term's end estimated as Friday 21 July 2028, so Monday 27 March 2028.
    let status = stdout(&ehcpack_in(
        work.path(),
        &["status", "case", "--today", "2027-09-15"],
    ));
    assert!(status.contains("Monday 27 March 2028"), "{status}");
    // After the estimated date, the warning says it is an estimate.
    let out = ehcpack_in(work.path(), &["validate", "case", "--today", "2027-04-01"]);
    assert!(
        stdout(&out)
            .contains("Monday 22 March 2027 (estimated: the LA publishes the date each year)"),
        "{}",
        stdout(&out)
    );
    // The pack's timeline marks the estimate too, not only its table.
    let pdf = work.path().join("pack.pdf");
    let out = ehcpack_in(
        work.path(),
        &[
            "render",
            "case",
            "--today",
            "2027-09-15",
            "-o",
            pdf.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    let pages = common::fold(&common::pdf_pages_text(&pdf).join("\n"));
    assert!(pages.contains("Guidance date (estimated)"), "{pages}");
}

#[test]
fn explain_gives_basis_and_requesters() {
    let out = stdout(&ehcpack_in(&root(), &["explain", "apdr-cycles"]));
    assert!(out.contains("basis: la-policy"), "{out}");
    assert!(
        out.contains("applies to: a school's request; advice on a request from anyone else"),
        "{out}"
    );
    let out = stdout(&ehcpack_in(&root(), &["explain", "review-frequency"]));
    assert!(
        out.contains("the summer, Christmas and Easter holidays"),
        "{out}"
    );
}
