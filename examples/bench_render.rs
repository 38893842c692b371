//! Render benchmark: `cargo run --release --example bench_render [-- RUNS [NAME]]`.
//!
//! Renders each sample case, a large generated case (year5-passing with six plans and forty
//! outcomes) and a case with 1 MB of text (year5-passing whose needs description is 1 MB),
//! RUNS times each (default 10), and prints the median and least time per render (validation,
//! templates, layout, writing the PDF with its embedded files; not the file write) and the PDF's
//! size: "pack KB" is the file less the bytes of the evidence files it carries. With NAME, only
//! the cases whose folder name contains it.
// A benchmark reads its fixtures directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::NaiveDate;
use ehcpack::profile::Profile;
use ehcpack::rules::Context;

fn large_case(dir: &Path) -> PathBuf {
    let case = dir.join("large-6-plans-40-outcomes");
    fs::create_dir_all(case.join("reports")).unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-cases/year5-passing");
    for entry in fs::read_dir(&sample).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_file() && !name.starts_with("plan-") {
            fs::copy(&path, case.join(&name)).unwrap();
        }
    }
    for entry in fs::read_dir(sample.join("reports")).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, case.join("reports").join(path.file_name().unwrap())).unwrap();
    }
    let counts = [7, 7, 7, 7, 6, 6];
    let mut start = NaiveDate::from_ymd_opt(2024, 1, 8).unwrap();
    for (p, n) in counts.iter().enumerate() {
        let review = start + chrono::Duration::weeks(10);
        let last = p + 1 == counts.len();
        let mut y = String::new();
        writeln!(y, "format: ehcpack/1\nkind: plan\n\ntitle: Support plan {} (generated)\nstart: {start}\nreview_date: {review}", p + 1).unwrap();
        y.push_str("strengths: |\n  Tries hard, learns well from pictures and hands-on tasks, and is a good friend to others.\n");
        y.push_str("needs:\n  - Understanding spoken instructions of more than two parts in class\n  - Reading common words on sight\n  - Retelling events and stories in the right order\n");
        y.push_str("provision:\n");
        for k in 0..3 {
            writeln!(y, "  - what: Small-group language programme number {k}, with visual supports and pre-teaching of vocabulary\n    how_often: 3 times a week\n    delivered_by: Mrs Lynn Robson (teaching assistant)\n    group_size: 3\n    duration: 30 minutes\n    cost:\n      amount: {}.50\n      per: week\n    outcomes: [O1, O2]", 10 + k).unwrap();
        }
        y.push_str("outcomes:\n");
        for o in 1..=*n {
            writeln!(y, "  - id: O{o}\n    description: |\n      Plan {} outcome {o}: the pupil will carry out three-part classroom instructions without a\n      repeat or copying a friend, in whole-class lessons as well as in small groups.\n    baseline: Followed 3 of 10 three-part instructions without help (class observation).\n    measure: Class teacher observes 10 three-part instructions over two days and records each.\n    target: 7 out of 10 instructions followed without help.\n    by: {review}", p + 1).unwrap();
        }
        if !last {
            writeln!(y, "review:\n  date: {review}\n  attendees:\n    - Mrs Kelly Heslop (mother)\n    - Mrs Helen Rutherford (SENCO)\n  parent_views: |\n    Pleased with progress in reading; still worried about spelling tests.\n  pupil_views: |\n    The group is fun, especially the listening games.\n  progress:").unwrap();
            for o in 1..=*n {
                let rating = ["achieved", "partly-achieved", "not-achieved"][o % 3];
                writeln!(y, "    - outcome: O{o}\n      rating: {rating}\n      evidence: 6 of 10 instructions followed without help (observation), up from 3.").unwrap();
            }
            y.push_str("  next_steps: |\n    Continue the programme and add a visual task board in whole-class lessons.\n");
        }
        fs::write(case.join(format!("plan-{}.yaml", p + 1)), y).unwrap();
        start = review + chrono::Duration::weeks(1);
    }
    case
}

/// year5-passing with a 1 MB needs description (paragraphs of ordinary sentences).
fn text_case(dir: &Path) -> PathBuf {
    let case = dir.join("text-1mb");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-cases/year5-passing");
    copy_dir(&sample, &case);
    let needs = fs::read_to_string(case.join("needs.yaml")).unwrap();
    let sentence = "Josh finds it hard to hold on to spoken instructions of more than two parts, and relies on copying other children in whole-class teaching. ";
    let mut text = String::new();
    // Just under the 1 MB a case document may hold.
    while text.len() < 1_000_000 {
        text.push_str("    ");
        for _ in 0..6 {
            text.push_str(sentence);
        }
        text.push_str("\n\n");
    }
    let needs = needs.replacen("  nature: |\n", &format!("  nature: |\n{text}"), 1);
    assert!(
        needs.len() < 1024 * 1024,
        "a case document holds at most 1 MB"
    );
    fs::write(case.join("needs.yaml"), needs).unwrap();
    case
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            fs::copy(&path, &target).unwrap();
        }
    }
}

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10);
    // An optional second argument keeps only the cases whose folder name contains it.
    let only = std::env::args().nth(2).unwrap_or_default();
    let tmp = std::env::temp_dir().join(format!("ehcpack-bench-{}", std::process::id()));
    fs::create_dir_all(&tmp).unwrap();
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-cases");
    let mut cases: Vec<PathBuf> = fs::read_dir(&samples)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases.push(large_case(&tmp));
    cases.push(text_case(&tmp));
    cases.retain(|c| c.file_name().unwrap().to_string_lossy().contains(&only));
    let profile = Profile::durham();
    let today = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
    let fonts = ehcpack::render::fonts::Fonts::bundled();
    let ctx = Context::new(&profile, today);
    println!(
        "{:<36} {:>5} {:>6} {:>10} {:>9} {:>10} {:>10}",
        "case", "plans", "pages", "median ms", "min ms", "pack KB", "file KB"
    );
    for case in &cases {
        let mut times = Vec::new();
        let mut result = None;
        for _ in 0..runs {
            let t = Instant::now();
            let (c, report) = ehcpack::validate(case, &ctx);
            let options = ehcpack::render::Options {
                draft: report.errors > 0,
                today,
                templates: None,
                fonts: &fonts,
                profile: &profile.name,
                evidence: ehcpack::render::Evidence::Embedded,
            };
            let r = ehcpack::render::render_case(&c, &report, &options).expect("render");
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            result = Some((c.plans.len(), r));
        }
        let (plans, r) = result.unwrap();
        let attached: u64 = {
            let (c, _) = ehcpack::validate(case, &ctx);
            let (_, extras) =
                ehcpack::render::context::build(&c, &ehcpack::validate(case, &ctx).1, false, today);
            extras
                .attachments
                .iter()
                .map(|a| fs::metadata(&a.path).map(|m| m.len()).unwrap_or(0))
                .sum()
        };
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        let min = times[0];
        println!(
            "{:<36} {:>5} {:>6} {:>10.1} {:>9.1} {:>10.1} {:>10.1}",
            case.file_name().unwrap().to_string_lossy(),
            plans,
            r.pages,
            median,
            min,
            (r.bytes.len() as u64).saturating_sub(attached) as f64 / 1024.0,
            r.bytes.len() as f64 / 1024.0,
        );
    }
    let _ = fs::remove_dir_all(&tmp);
}
