//! Render benchmark: `cargo run --release --example bench_render [-- RUNS [NAME]]`.
//!
//! Renders each sample case, and a large generated case (year5-passing with six plans and forty
//! outcomes), RUNS times each (default 10), and prints the time per render (validation, templates,
//! layout, attachments, finishing; not the file write) and the PDF's size. With NAME, only the
//! cases whose folder name contains it.

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
    cases.retain(|c| c.file_name().unwrap().to_string_lossy().contains(&only));
    let profile = Profile::durham();
    let today = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
    let ctx = Context::new(&profile, today);
    println!(
        "{:<36} {:>5} {:>6} {:>9} {:>9} {:>10} {:>10}",
        "case", "plans", "pages", "mean ms", "min ms", "pack KB", "file KB"
    );
    for case in &cases {
        let mut times = Vec::new();
        let mut result = None;
        for _ in 0..runs {
            let t = Instant::now();
            let (c, report) = ehcpack::validate(case, &ctx);
            let draft = report.errors > 0;
            let r = ehcpack::render::render_case(&c, &report, draft, today, None).expect("render");
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
        let mean = times.iter().sum::<f64>() / times.len() as f64;
        let min = times.iter().cloned().fold(f64::INFINITY, f64::min);
        println!(
            "{:<36} {:>5} {:>6} {:>9.1} {:>9.1} {:>10.1} {:>10.1}",
            case.file_name().unwrap().to_string_lossy(),
            plans,
            r.pages,
            mean,
            min,
            (r.bytes.len() as u64).saturating_sub(attached) as f64 / 1024.0,
            r.bytes.len() as f64 / 1024.0,
        );
    }
    let _ = fs::remove_dir_all(&tmp);
}
