//! The template engines side by side: `cargo run --release --features bench-tera --example template_engines [-- RUNS]`.
//!
//! For each sample case and a case with 1 MB of text, builds the template context once, then,
//! RUNS times each (default 20), interleaved:
//!
//! - **Tera** as ehcpack ran it until it moved to minijinja: parse the twelve templates (it did on
//!   every render) and render them (`bench/tera-templates/`, the same filters);
//! - **minijinja** as ehcpack runs it now: render with the built-in templates compiled once per
//!   process (the compile is timed once, apart), with the fuel, recursion and output limits.
//!
//! It checks that both write the same text, and prints the median and least time and the peak
//! memory allocated during one render (a counting allocator). Then the hostile templates of
//! SECURITY.md through minijinja's limits: time and peak memory until the error. (Tera has no
//! limits of its own; ehcpack's old sandbox is measured through the old binary, bench/README.md.)
// A benchmark reads its fixtures directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use chrono::NaiveDate;
use ehcpack::profile::Profile;
use ehcpack::render::markup;
use ehcpack::render::templates::{self, filters};
use ehcpack::rules::Context;

/// The system allocator, counting the bytes held and the most held since the last reset.
struct Counting;

static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call goes to the system allocator unchanged; only sizes are counted.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let held = HELD.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(held, Ordering::Relaxed);
        // SAFETY: the caller's layout, passed on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        HELD.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: a block this allocator gave, with its layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f`, returning its result, the time in ms and the most memory it held beyond what was
/// held before, in KB.
fn measure<T>(f: impl FnOnce() -> T) -> (T, f64, f64) {
    let before = HELD.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let start = Instant::now();
    let out = f();
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    (out, ms, peak as f64 / 1024.0)
}

type TeraFilter =
    fn(&serde_json::Value, &HashMap<String, serde_json::Value>) -> tera::Result<serde_json::Value>;

fn text_of(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The Tera engine as ehcpack set it up, with the same filters.
fn tera_engine(sources: &[(String, String)]) -> tera::Tera {
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![]);
    let filters: [(&str, TeraFilter); 6] = [
        ("text", |v, _| Ok(markup::text_line(&text_of(v)).into())),
        ("paras", |v, _| Ok(markup::paragraphs(&text_of(v)).into())),
        ("cell", |v, _| Ok(markup::cell(&text_of(v)).into())),
        ("date", |v, _| Ok(filters::date(&text_of(v)).into())),
        ("money", |v, _| {
            let m = minijinja::Value::from(minijinja::value::Serde(v));
            Ok(filters::money(&m).into())
        }),
        ("groups", |v, _| Ok(filters::groups(&text_of(v)).into())),
    ];
    for (name, f) in filters {
        tera.register_filter(name, f);
    }
    tera.add_raw_templates(sources.to_vec())
        .expect("the Tera templates");
    tera
}

fn text_case(dir: &Path) -> PathBuf {
    let case = dir.join("text-1mb");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-cases/year5-passing");
    copy_dir(&sample, &case);
    let needs = fs::read_to_string(case.join("needs.yaml")).unwrap();
    let sentence = "Josh finds it hard to hold on to spoken instructions of more than two parts, and relies on copying other children in whole-class teaching. ";
    let mut text = String::new();
    while text.len() < 1_000_000 {
        text.push_str("    ");
        for _ in 0..6 {
            text.push_str(sentence);
        }
        text.push_str("\n\n");
    }
    let needs = needs.replacen("  nature: |\n", &format!("  nature: |\n{text}"), 1);
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

fn stats(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[0])
}

/// The hostile templates of SECURITY.md's template limits, as `pack.jinja`.
fn hostile() -> Vec<(&'static str, String)> {
    let mut doubling_macros = String::from("{% macro m40(x) %}{{ x | length }}{% endmacro %}");
    for i in (0..40).rev() {
        doubling_macros.push_str(&format!(
            "{{% macro m{i}(x) %}}{{{{ m{}(x ~ x) }}}}{{% endmacro %}}",
            i + 1
        ));
    }
    doubling_macros.push_str("{{ m0('ab') }}");
    vec![
        (
            "macro calling itself",
            "{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}".into(),
        ),
        ("include loop", "{% include 'pack.jinja' %}".into()),
        (
            "8 loops over the 15 checks",
            format!(
                "{}x{}",
                (0..8)
                    .map(|i| format!("{{% for a{i} in checks %}}"))
                    .collect::<String>(),
                "{% endfor %}".repeat(8)
            ),
        ),
        (
            "range(4000000000)",
            "{% for i in range(4000000000) %}x{% endfor %}".into(),
        ),
        (
            "set doubling in a loop",
            "{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}".into(),
        ),
        (
            "replace x20, 7 times",
            format!(
                "{{% set s = 'xxxxxxxxxxxxxxxxxxxx' %}}{{{{ s {}| length }}}}",
                "| replace('x', s) ".repeat(7)
            ),
        ),
        ("40 macros doubling", doubling_macros),
        (
            "8 MB of output",
            format!(
                "{{% for i in range(99999) %}}{{{{ pupil.full_name }}}}{}{{% endfor %}}",
                ".".repeat(80)
            ),
        ),
        (
            "5,000 nested ifs",
            "{% if true %}".repeat(5000) + &"{% endif %}".repeat(5000),
        ),
        ("2,000 + in one tag", format!("{{{{ 1{} }}}}", " + 1".repeat(2000))),
    ]
}

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = std::env::temp_dir().join(format!("ehcpack-engines-{}", std::process::id()));
    fs::create_dir_all(&tmp).unwrap();
    let mut cases: Vec<PathBuf> = fs::read_dir(root.join("sample-cases"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases.push(text_case(&tmp));
    let tera_sources: Vec<(String, String)> = templates::TEMPLATES
        .iter()
        .map(|(name, _)| {
            let tera_name = name.replace(".jinja", ".tera");
            let text = fs::read_to_string(root.join("bench/tera-templates").join(&tera_name))
                .expect("bench/tera-templates");
            (tera_name, text)
        })
        .collect();
    let profile = Profile::durham();
    let today = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
    let ctx = Context::new(&profile, today);

    let (_, compile_ms, compile_kb) = measure(|| templates::built_in().templates().count());
    println!(
        "minijinja: the built-in templates compiled once in {compile_ms:.2} ms, {compile_kb:.0} KB"
    );
    println!(
        "{:<28} {:>7} | {:>14} {:>9} {:>8} | {:>14} {:>9} {:>8} {:>6}",
        "case",
        "out KB",
        "Tera median ms",
        "min ms",
        "peak KB",
        "mini median ms",
        "min ms",
        "peak KB",
        "fuel %"
    );
    for case in &cases {
        let (c, report) = ehcpack::validate(case, &ctx);
        let (mut value, _) = ehcpack::render::context::build(&c, &report, report.errors > 0, today);
        value["evidence_pages"] = serde_json::json!(false);
        let tera_ctx = tera::Context::from_value(value.clone()).unwrap();
        let (mut tera_ms, mut tera_kb, mut mini_ms, mut mini_kb) = (vec![], vec![], vec![], vec![]);
        let (mut tera_out, mut mini_out) = (String::new(), String::new());
        for _ in 0..runs {
            let (out, ms, kb) = measure(|| {
                tera_engine(&tera_sources)
                    .render("pack.tera", &tera_ctx)
                    .expect("Tera renders")
            });
            tera_out = out;
            tera_ms.push(ms);
            tera_kb.push(kb);
            let (out, ms, kb) = measure(|| {
                templates::render(templates::built_in(), templates::PACK, &value)
                    .expect("minijinja renders")
            });
            mini_out = out;
            mini_ms.push(ms);
            mini_kb.push(kb);
        }
        if tera_out != mini_out {
            let first = tera_out
                .lines()
                .zip(mini_out.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            fs::write(tmp.join("tera.txt"), &tera_out).unwrap();
            fs::write(tmp.join("minijinja.txt"), &mini_out).unwrap();
            panic!(
                "{}: the engines wrote different text from line {} on (both in {})",
                case.display(),
                first + 1,
                tmp.display()
            );
        }
        let fuel = fuel_used(&value);
        let (tm, tmin) = stats(tera_ms);
        let (mm, mmin) = stats(mini_ms);
        println!(
            "{:<28} {:>7.1} | {:>14.2} {:>9.2} {:>8.0} | {:>14.2} {:>9.2} {:>8.0} {:>6.2}",
            case.file_name().unwrap().to_string_lossy(),
            mini_out.len() as f64 / 1024.0,
            tm,
            tmin,
            stats(tera_kb).0,
            mm,
            mmin,
            stats(mini_kb).0,
            fuel as f64 * 100.0 / templates::FUEL as f64,
        );
    }

    println!("\nhostile templates through minijinja's limits (year5-passing's context):");
    println!("{:<28} {:>9} {:>10}  error", "template", "ms", "peak KB");
    let (c, report) = ehcpack::validate(&root.join("sample-cases/year5-passing"), &ctx);
    let (value, _) = ehcpack::render::context::build(&c, &report, false, today);
    for (what, text) in hostile() {
        let dir = tmp.join("hostile");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("pack.jinja"), &text).unwrap();
        let (result, ms, kb) = measure(|| {
            templates::load(Some(&dir))
                .and_then(|env| templates::render(&env, templates::PACK, &value))
        });
        let error = result.map_or_else(|e| e.to_string(), |_| "(rendered)".into());
        println!(
            "{what:<28} {ms:>9.1} {kb:>10.0}  {}",
            error.chars().take(90).collect::<String>()
        );
    }
    let _ = fs::remove_dir_all(&tmp);
}

/// The fuel the built-in templates use on `value`: the least budget that renders it, found by
/// halving (the engine reports only running out).
fn fuel_used(value: &serde_json::Value) -> u64 {
    let (mut low, mut high) = (0u64, templates::FUEL);
    let template = |fuel: u64| {
        let mut env = templates::built_in().clone();
        env.set_fuel(Some(fuel));
        templates::render(&env, templates::PACK, value).is_ok()
    };
    while high - low > high / 100 + 1 {
        let mid = (low + high) / 2;
        if template(mid) {
            high = mid;
        } else {
            low = mid;
        }
    }
    high
}
