//! The rest of the hostile-input catalogue (issue 5): a 100 MB file, device files, folders and
//! files that may not be read, ten thousand files in one case folder, a pipe as evidence. Each
//! gets a clear diagnostic, no panic, no hang; in a batch, one bad case never stops the others.
//! (The ones only root can set up, device files, unreadable files and a full disk, are in the
//! external suite: tests/external/privileged.rs.)
//! (tests/malformed.rs covers YAML-level attacks: alias bombs, deep nesting, encodings, links.)

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-cases/year5-passing");

/// Runs ehcpack, killing it after 60 s so that a hang fails the test instead of stalling it.
/// The output is read as it comes, so a long report cannot block the child on a full pipe.
fn run(mut command: Command) -> Output {
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    let out = match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("ehcpack hung");
        }
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(out.status.code(), Some(101), "a panic");
    out
}

fn validate(path: &Path) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ehcpack"));
    c.args(["validate", path.to_str().unwrap(), "--today", "2026-01-15"]);
    run(c)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A copy of the passing sample in a folder others may read (for the tests run as `nobody`).
fn copy_sample(parent: &Path, name: &str) -> PathBuf {
    let case = parent.join(name);
    fs::create_dir_all(case.join("reports")).unwrap();
    for entry in walkdir::WalkDir::new(SAMPLE).min_depth(1) {
        let entry = entry.unwrap();
        let to = case.join(entry.path().strip_prefix(SAMPLE).unwrap());
        if entry.file_type().is_file() {
            fs::copy(entry.path(), &to).unwrap();
        }
    }
    case
}

#[test]
fn a_100_megabyte_file_is_refused_by_its_size_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let case = copy_sample(dir.path(), "case");
    // Sparse: 100 MB on paper, nothing on disk; reading it would take seconds and memory.
    let file = fs::File::create(case.join("notes.yaml")).unwrap();
    file.set_len(100 * 1024 * 1024).unwrap();
    let start = Instant::now();
    let out = validate(&case);
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains(
            "error[yaml-syntax]: this file is 100.0 MB; a case document may be at most 1 MB"
        ),
        "{text}"
    );
    assert!(text.contains("notes.yaml:1:1"));
}

#[test]
fn a_pipe_as_evidence_does_not_hang() {
    let dir = tempfile::tempdir().unwrap();
    let case = copy_sample(dir.path(), "case");
    fs::remove_file(case.join("reports/my-story.pdf")).unwrap();
    let made = Command::new("mkfifo")
        .arg(case.join("reports/my-story.pdf"))
        .status()
        .unwrap();
    assert!(made.success());
    let out = validate(&case);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("`reports/my-story.pdf` is not an ordinary file"));
}

#[test]
fn ten_thousand_files_in_one_case_folder() {
    let dir = tempfile::tempdir().unwrap();
    let case = copy_sample(dir.path(), "case");
    for i in 0..10_000 {
        fs::write(case.join(format!("scan-{i:05}.txt")), "not a document").unwrap();
    }
    let start = Instant::now();
    let out = validate(&case);
    assert_eq!(
        out.status.code(),
        Some(0),
        "other files are not documents: {}",
        stdout(&out)
    );
    assert!(start.elapsed() < Duration::from_secs(20));
    // And ten thousand stray YAML files: each reported, none stops the rest.
    let noisy = copy_sample(dir.path(), "noisy");
    for i in 0..10_000 {
        fs::write(noisy.join(format!("stray-{i:05}.yaml")), "kind: memo\n").unwrap();
    }
    let out = validate(&noisy);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert_eq!(
        text.matches("error[case-structure]: `memo` is not a kind of case document")
            .count(),
        10_000
    );
    assert!(text.contains("noisy: fail (10000 errors, 0 warnings)"));
}

fn render_to(target: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ehcpack"));
    c.args([
        "render",
        SAMPLE,
        "--today",
        "2026-01-15",
        "-o",
        target.to_str().unwrap(),
    ]);
    c
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_render_killed_mid_write_leaves_no_partial_pack() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("pack.pdf");
    // The kernel kills the process (SIGXFSZ) when the file passes 32 KB, part way through.
    let mut killed = Command::new("bash");
    killed.arg("-c").arg(format!(
        "ulimit -f 64; exec \"{}\" render \"{SAMPLE}\" --today 2026-01-15 -o \"{}\"",
        env!("CARGO_BIN_EXE_ehcpack"),
        target.display()
    ));
    let out = killed.output().unwrap();
    assert!(!out.status.success());
    assert!(!target.exists(), "no partial pack under the target's name");
    // The next render completes, and clears what the killed one left.
    let out = run(render_to(&target));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(files_in(dir.path()), vec!["pack.pdf".to_string()]);
    assert!(
        fs::read(&target).unwrap().ends_with(b"%%EOF\n")
            || fs::read(&target).unwrap().ends_with(b"%%EOF")
    );
}
