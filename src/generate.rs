//! A synthetic corpus for benchmarks and batch tests: N realistic case folders, deterministic
//! from a seed, with a chosen share of faults. Built from the bundled Year 5 sample, with names,
//! identifiers and the school varied, and one fault added to each faulty case.

use std::fs;
use std::path::Path;

const TEMPLATE: &[(&str, &str)] = &[
    (
        "pupil.yaml",
        include_str!("../sample-cases/year5-passing/pupil.yaml"),
    ),
    (
        "family.yaml",
        include_str!("../sample-cases/year5-passing/family.yaml"),
    ),
    (
        "needs.yaml",
        include_str!("../sample-cases/year5-passing/needs.yaml"),
    ),
    (
        "health.yaml",
        include_str!("../sample-cases/year5-passing/health.yaml"),
    ),
    (
        "plan-1.yaml",
        include_str!("../sample-cases/year5-passing/plan-1.yaml"),
    ),
    (
        "plan-2.yaml",
        include_str!("../sample-cases/year5-passing/plan-2.yaml"),
    ),
    (
        "plan-3.yaml",
        include_str!("../sample-cases/year5-passing/plan-3.yaml"),
    ),
    (
        "attainment.yaml",
        include_str!("../sample-cases/year5-passing/attainment.yaml"),
    ),
    (
        "views.yaml",
        include_str!("../sample-cases/year5-passing/views.yaml"),
    ),
    (
        "professionals.yaml",
        include_str!("../sample-cases/year5-passing/professionals.yaml"),
    ),
    (
        "request.yaml",
        include_str!("../sample-cases/year5-passing/request.yaml"),
    ),
    (
        "consent.yaml",
        include_str!("../sample-cases/year5-passing/consent.yaml"),
    ),
    (
        "evidence.yaml",
        include_str!("../sample-cases/year5-passing/evidence.yaml"),
    ),
];
const REPORTS: &[(&str, &[u8])] = &[
    (
        "reports/salt-report.pdf",
        include_bytes!("../sample-cases/year5-passing/reports/salt-report.pdf"),
    ),
    (
        "reports/my-story.pdf",
        include_bytes!("../sample-cases/year5-passing/reports/my-story.pdf"),
    ),
];

const FIRST: &[&str] = &[
    "Amelia", "Oliver", "Isla", "Noah", "Ava", "Leo", "Mia", "Arthur", "Ivy", "Oscar", "Freya",
    "Harry", "Grace", "Jack", "Ella", "Alfie", "Lily", "Theo", "Rosie", "Finley",
];
const LAST: &[&str] = &[
    "Atkinson",
    "Bell",
    "Carr",
    "Dixon",
    "Elliott",
    "Forster",
    "Gibson",
    "Hall",
    "Irving",
    "Jobson",
    "Kell",
    "Lamb",
    "Milburn",
    "Nixon",
    "Oliver",
    "Pattinson",
    "Robson",
    "Scott",
    "Tait",
    "Young",
];

/// The faults a generated case may carry, each breaking one rule.
pub const FAULTS: &[(&str, &str)] = &[
    ("headteacher-countersignature", "no countersignature"),
    ("parental-consent", "consent not signed"),
    ("smart-outcome", "an outcome without a baseline"),
    ("guidance-date", "submitted after the guidance date"),
    ("apdr-cycles", "a plan missing"),
    ("schema", "a misspelt field"),
    ("yaml-syntax", "broken YAML"),
];

/// A small, fast, deterministic generator (xorshift64*): the same seed gives the same corpus.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, share: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= share
    }
}

/// Writes `count` case folders into `out` (which must not exist or be empty); `fault_share` of
/// them (0 to 1) carry one fault each. Returns how many are faulty.
pub fn corpus(out: &Path, count: usize, seed: u64, fault_share: f64) -> std::io::Result<usize> {
    fs::create_dir_all(out)?;
    let mut random = Random(seed.max(1));
    let mut faulty = 0;
    // Every generated pupil is a different child: the name and the date of birth (within the
    // Year 5 cohort, 1 September 2015 to 31 August 2016) together are unique for the first
    // FIRST x LAST x 366 cases, so a corpus has no `duplicate-pupil` unless a test makes one.
    let shift = random.below(FIRST.len() * LAST.len());
    let cohort_start = chrono::NaiveDate::from_ymd_opt(2015, 9, 1).expect("a real date");
    for i in 0..count {
        let n = i + shift;
        let first = FIRST[n % FIRST.len()];
        let last = LAST[(n / FIRST.len()) % LAST.len()];
        let born =
            cohort_start + chrono::Days::new(((n / (FIRST.len() * LAST.len())) % 366) as u64);
        let upn = format!(
            "G{:011}{}",
            80_000_000_000u64 + i as u64,
            (b'A' + (i % 26) as u8) as char
        );
        let school = random.below(50);
        let dir = out.join(format!("case-{i:05}"));
        fs::create_dir_all(dir.join("reports"))?;
        let fault = random
            .chance(fault_share)
            .then(|| FAULTS[random.below(FAULTS.len())].0);
        faulty += usize::from(fault.is_some());
        for (name, text) in TEMPLATE {
            let mut text = text
                .replace("Josh", first)
                .replace("Heslop", last)
                .replace("T840271320041", &upn)
                .replace(
                    "date_of_birth: 2016-02-14",
                    &format!("date_of_birth: {born}"),
                )
                .replace(
                    "Brackenfield Primary",
                    &format!("Brackenfield Primary {school}"),
                );
            match (fault, *name) {
                (Some("headteacher-countersignature"), "request.yaml") => {
                    text = cut_block(&text, "countersignature:")
                }
                (Some("parental-consent"), "consent.yaml") => {
                    text = text.replace("signed: true", "signed: false")
                }
                (Some("smart-outcome"), "plan-2.yaml") => {
                    text = cut_first_line_starting(&text, "    baseline:")
                }
                (Some("guidance-date"), "request.yaml") => {
                    text = text.replace(
                        "planned_submission_date: 2026-02-02",
                        "planned_submission_date: 2026-04-20",
                    )
                }
                (Some("schema"), "pupil.yaml") => {
                    text = text.replace("date_of_birth:", "date_of_brith:")
                }
                (Some("yaml-syntax"), "needs.yaml") => text.push_str("broken: [unclosed\n"),
                _ => {}
            }
            if fault == Some("apdr-cycles") && *name == "plan-1.yaml" {
                continue;
            }
            fs::write(dir.join(name), text)?;
        }
        for (name, bytes) in REPORTS {
            fs::write(dir.join(name), bytes)?;
        }
    }
    Ok(faulty)
}

/// The text without the block that starts at the line `key` (at the top level).
fn cut_block(text: &str, key: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in text.lines() {
        if line.starts_with(key) {
            skipping = true;
            continue;
        }
        if skipping && (line.starts_with(' ') || line.is_empty()) {
            continue;
        }
        skipping = false;
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn cut_first_line_starting(text: &str, prefix: &str) -> String {
    let mut done = false;
    let mut out = String::new();
    for line in text.lines() {
        if !done && line.starts_with(prefix) {
            done = true;
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}
