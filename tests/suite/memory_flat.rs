//! A batch's memory does not grow with its number of cases (issue 20): what the batch keeps of
//! each case until the end (its item, its pupil's keys for `duplicate-pupil`, its name as reports
//! show it) is a few fixed bytes in memory, the rest waiting sealed on disk. Each batch is run by
//! the real binary and its peak resident memory read from the kernel while it runs.
// Tests write their fixtures directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use crate::common::{ehcpack_command, heavy, measured, TODAY};

/// Given names from many languages, repeated: a long legal name (a name has no length limit),
/// so that a batch keeping every pupil's name would show it plainly.
const GIVEN: [&str; 15] = [
    "Oluwaseun",
    "Zainab",
    "Siobhán",
    "Wojciech",
    "Nguyễn",
    "Aleksandra",
    "Mehmet",
    "Priyanka",
    "Ngozi",
    "Eilidh",
    "Krzysztof",
    "Fatima-Zahra",
    "Ruairí",
    "Thandiwe",
    "Jiahui",
];

/// `count` case folders under `dir`, each a pupil document only (the cheapest case to check, so
/// that the batch's own keeping is what shows); every hundredth is the same pupil (one UPN).
fn cases(dir: &Path, count: usize) {
    let first = GIVEN.repeat(12).join(" ");
    for n in 0..count {
        let case = dir.join(format!("case-{n:05}"));
        std::fs::create_dir_all(&case).unwrap();
        let upn = if n % 100 == 0 {
            "K80000000001A".to_string()
        } else {
            format!("K{n:011}B")
        };
        std::fs::write(
            case.join("pupil.yaml"),
            format!(
                "format: ehcpack/1\nkind: pupil\nlegal_name:\n  first: {first}\n  last: \
                 Nakamura-Ó Súilleabháin {n}\ndate_of_birth: 2015-09-01\nupn: {upn}\n"
            ),
        )
        .unwrap();
    }
}

/// `validate` of `dir`: its output and the peak memory of the program itself, in KB.
fn validate_measured(dir: &Path) -> (Output, u64) {
    let mut command = ehcpack_command();
    command
        .args(["validate", "--today", TODAY, "--format", "json"])
        .arg(dir);
    let measured = measured(command, Duration::from_secs(300));
    (measured.output, measured.peak_kb)
}

#[test]
fn memory_stays_flat_as_a_batch_of_cases_grows() {
    let _heavy = heavy();
    let mut peaks = Vec::new();
    for count in [300usize, 2_400] {
        let work = tempfile::tempdir().unwrap();
        cases(work.path(), count);
        let (output, peak_kb) = validate_measured(work.path());
        // Every case lacks its other documents: a failing batch, every report written.
        assert_eq!(output.status.code(), Some(1));
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(report["cases"].as_array().unwrap().len(), count);
        // One pupil in every hundredth case, however many copies: one pupil, named in each.
        assert_eq!(report["summary"]["duplicate_pupils"], 1);
        let warned = report["cases"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| {
                c["diagnostics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|d| d["rule"] == "duplicate-pupil")
            })
            .count();
        assert_eq!(warned, count / 100);
        peaks.push(peak_kb);
    }
    // Each case keeps about 1.4 KB of name and key; keeping them (as the batch once did) grows
    // the larger batch by more than 3 MB. Allowed: 1.5 MB, the noise of the allocator.
    assert!(
        peaks[1] <= peaks[0] + 1536,
        "300 cases: {} KB at the peak, 2,400 cases: {} KB",
        peaks[0],
        peaks[1]
    );
}
